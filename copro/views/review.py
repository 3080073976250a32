"""``copro review``: what is owed to the people who gave their time.

Four kinds of debt: records past ``review_by`` (go back and ask: does this
still hold?), findings without any response, actions still ``planned`` or
``in-progress`` more than a year after they were recorded, and completed
engagements whose participants were never told what was done (no
``feedback_given``). Each item carries the recontact route only where the
group agreed to be contacted again. Withdrawn engagements are left out:
nothing more is owed through them.

v2: a record past ``review_by`` is no longer due once every one of its
findings has been revisited (``copro.store.standing``) by a record that is not
withdrawn and is dated after it and on or before ``as_of``; a record with no
findings stays due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from copro.core.model import Engagement, parse_date, today_iso
from copro.store.archive import Archive
from copro.store.catalog import EngagementStream
from copro.store.selection import Selection

STALLED_AFTER_DAYS = 365


@dataclass
class ReviewItem:
    kind: str
    record_id: str
    title: str
    path: str
    item_id: str | None
    text: str
    since: str
    recontact_via: str | None
    member: str | None = None
    lead: str = field(default="", compare=False)
    """The lead organisation (for counts per organisation; not in the JSON items)."""

    def to_json(self, with_member: bool = False) -> dict[str, Any]:
        out = asdict(self)
        del out["lead"]
        if not with_member:
            del out["member"]
        return out


@dataclass
class ReviewResult:
    as_of: str
    items: list[ReviewItem] = field(default_factory=list)
    skipped: int = 0
    """Record files the reader refused (left out; ``copro validate`` says why)."""
    in_hub: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "items": [i.to_json(self.in_hub) for i in self.items]}

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    def of_kind(self, kind: str) -> list[ReviewItem]:
        """The items of one kind, oldest debt first."""
        return [item for item in self.items if item.kind == kind]

    def by_lead(self, kind: str) -> list[tuple[str, int]]:
        """(lead organisation, items of ``kind``), most first: who owes most."""
        counts = Counter(item.lead for item in self.items if item.kind == kind)
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


KIND_ORDER = (
    "review-due",
    "no-response",
    "stalled-action",
    "feedback-owed",
    "consensus-stale",
    "consensus-review-due",
)


def _owed(
    engagement: Engagement, when: str, stalled_before: str, stream: EngagementStream
) -> list[ReviewItem]:
    """What one engagement owes on ``when`` (the standings worked out only once a
    record is past its ``review_by``)."""
    route = engagement.recontact_route
    title = engagement.display_title
    start = engagement.started
    items: list[ReviewItem] = []

    def add(kind: str, item_id: str | None, text: str, since: str) -> None:
        items.append(
            ReviewItem(
                kind,
                engagement.key,
                title,
                engagement.path,
                item_id,
                text,
                since,
                route,
                engagement.member,
                engagement.lead_name,
            )
        )

    if engagement.past_review_by(when) and not stream.standings(when).fully_revisited(engagement):
        assert engagement.review_by is not None
        add("review-due", None, "Go back and ask: does this still hold?", engagement.review_by)
    for finding in engagement.unanswered:
        add("no-response", finding.id, finding.text, start)
    for action in engagement.actions:
        if action.is_open:
            since = action.date or start
            if since and since < stalled_before:
                add("stalled-action", action.id, action.text, since)
    if engagement.status == "completed" and engagement.actions and not engagement.feedback_given:
        add(
            "feedback-owed",
            None,
            "Tell the people who took part what was done",
            start,
        )
    return items


def _statements_owed(stream: EngagementStream, when: str, kept: Any) -> list[ReviewItem]:
    """Agreed statements that are stale, or past their ``review_by`` (contract section 8).

    Drafts are not yet a promise to anyone and retired ones are no longer
    held, so only agreed statements are listed. Only the records they cite are read.
    """
    from copro.views.consensus import assess_all

    agreed = [s for s in stream.statements if s.status == "agreed" and kept(s.member)]
    if not agreed:
        return []
    cited = {s.evidence_key(e).partition("#")[0] for s in agreed for e in s.evidence}
    catalog = stream.catalog_of(stream.by_keys(cited).values())
    items = []
    for assessed in assess_all(catalog, stream.standings(when), agreed):
        s = assessed.statement

        def add(kind: str, text: str, since: str, s: Any = s) -> None:
            items.append(
                ReviewItem(
                    kind, s.key, s.display_title, s.path, None, text, since, None, s.member,
                    s.lead_name,
                )
            )  # fmt: skip

        if assessed.currency.stale:
            add("consensus-stale", "; ".join(assessed.currency.reasons), s.date)
        if s.past_review_by(when):
            assert s.review_by is not None
            add(
                "consensus-review-due",
                "Check with the people who took part: does this statement still stand?",
                s.review_by,
            )
    return items


def _days_before(when: str, days: int) -> str:
    """The ISO date ``days`` before ``when``; before the first day of the calendar, that day."""
    try:
        return (dt.date.fromisoformat(when) - dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return dt.date.min.isoformat()


def review(
    archive: Archive | Path,
    as_of: str | None = None,
    members: Sequence[str] = (),
    orgs: Sequence[str] = (),
    include_withdrawn: bool = False,
) -> ReviewResult:
    """Everything due on ``as_of`` (default today), oldest debt first within each kind.

    In a hub, ``members`` keeps only those members' records. ``orgs`` keeps
    engagements with an organisation whose name contains one of them (any
    case); naming an organisation that no engagement has is a CoproError
    (exit 1), so a typo does not read as "nothing is due". Withdrawn records owe
    nothing unless ``include_withdrawn``.
    """
    archive = Archive.of(archive)
    when = parse_date(as_of, "--as-of") or today_iso()
    wanted = Selection.parse(
        archive, orgs=orgs, members=members, include_withdrawn=include_withdrawn
    )
    with archive.engagement_stream() as stream:  # a row at a time: only the items held
        result = ReviewResult(when, skipped=len(stream.skipped), in_hub=archive.in_hub)
        result.items = _items(stream, wanted, when, orgs)
    order = {kind: position for position, kind in enumerate(KIND_ORDER)}
    result.items.sort(key=lambda i: (order[i.kind], i.since, i.record_id, i.item_id or ""))
    return result


def _items(
    stream: EngagementStream, wanted: Selection, when: str, orgs: Sequence[str]
) -> list[ReviewItem]:
    """Every item due on ``when`` (unsorted); an ``--org`` no engagement has is an error."""
    stalled_before = _days_before(when, STALLED_AFTER_DAYS)
    items: list[ReviewItem] = []
    involved = False
    for engagement in stream:
        if wanted.orgs and not wanted.involves(engagement):
            continue
        involved = True
        if wanted.keeps_record(engagement):
            items.extend(_owed(engagement, when, stalled_before, stream))
    if wanted.orgs and not involved:
        from copro.core import pii
        from copro.core.errors import CoproError

        raise CoproError(
            "no engagement has an organisation named like "
            + " or ".join(pii.quoted(o) for o in orgs),
            "--org matches part of an organisation's name, in any case",
        )
    if not wanted.orgs:
        items.extend(
            _statements_owed(stream, when, lambda m: wanted.members is None or m in wanted.members)
        )
    return items
