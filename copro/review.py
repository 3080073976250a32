"""``copro review``: what is owed to the people who gave their time.

Three kinds of debt: records past ``review_by`` (go back and ask: does this
still hold?), findings without any response, and actions still ``planned`` or
``in-progress`` more than a year after they were recorded. Each item carries
the recontact route only where the group agreed to be contacted again.
Withdrawn engagements are left out: nothing more is owed through them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from copro.model import parse_date
from copro.records import Record, as_dicts, as_list, iter_records

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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReviewResult:
    as_of: str
    items: list[ReviewItem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "items": [item.to_json() for item in self.items]}

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)


def _owed(record: Record, when: str, stalled_before: str) -> list[ReviewItem]:
    """What one record owes on ``when``."""
    meta = record.meta
    consent = meta.get("consent") if isinstance(meta.get("consent"), dict) else {}
    route = str(consent.get("recontact_via")) if consent.get("recontact") is True else None
    title = str(meta.get("title", record.id))
    start = str(meta.get("end_date") or meta.get("date") or "")
    items: list[ReviewItem] = []

    def add(kind: str, item_id: str | None, text: str, since: str) -> None:
        items.append(
            ReviewItem(kind, record.id, title, record.relpath, item_id, text, since, route)
        )

    review_by = meta.get("review_by")
    if isinstance(review_by, str) and review_by < when:
        add("review-due", None, "Go back and ask: does this still hold?", review_by)
    actions = as_dicts(meta.get("we_did"))
    answered = {t for a in actions for t in as_list(a.get("responds_to"))}
    for finding in as_dicts(meta.get("you_said")):
        if str(finding.get("id")) not in answered:
            add("no-response", str(finding.get("id")), str(finding.get("text", "")), start)
    for action in actions:
        if action.get("status") in ("planned", "in-progress"):
            since = str(action.get("date") or start)
            if since and since < stalled_before:
                add("stalled-action", str(action.get("id")), str(action.get("text", "")), since)
    return items


def _days_before(when: str, days: int) -> str:
    """The ISO date ``days`` before ``when``; before the first day of the calendar, that day."""
    try:
        return (dt.date.fromisoformat(when) - dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return dt.date.min.isoformat()


def review(root: Path, as_of: str | None = None) -> ReviewResult:
    """Everything due on ``as_of`` (default today), oldest debt first within each kind."""
    when = parse_date(as_of, "--as-of") or dt.date.today().isoformat()
    stalled_before = _days_before(when, STALLED_AFTER_DAYS)
    result = ReviewResult(when)
    for record in iter_records(Path(root)):
        if record.meta.get("status") != "withdrawn":
            result.items.extend(_owed(record, when, stalled_before))
    order = {"review-due": 0, "no-response": 1, "stalled-action": 2}
    result.items.sort(key=lambda i: (order[i.kind], i.since, i.record_id, i.item_id or ""))
    return result
