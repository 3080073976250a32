"""The "You said, we did" report as data: what was asked, said and done, and who to thank.

This module only gathers; ``copro.views.report_render`` turns the tree into Markdown
or HTML. The report goes back to the people who took part, so it shows every
finding, including those still without a response, says why something is not
being done, names only contributors who agreed to be named, and never presents
a finding as a direct quotation unless the group agreed to quotes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copro.core import model
from copro.core.errors import CoproError, UsageError
from copro.core.model import Engagement
from copro.core.placeholders import shown_body
from copro.core.words import (
    MADE_BY_WORDS,
    OUTCOME_WORDS,
    PAYMENT_WORDS,
    and_list,
    capital,
    counted,
    date_words,
    month_year,
    thanks_sentence,
)
from copro.store.archive import Archive
from copro.store.catalog import EngagementStream
from copro.store.selection import Selection
from copro.store.standing import CheckedAgain as StandingCheck
from copro.store.standing import Standing, StandingTable, standings

REFLECTIONS = "Reflections"
"""The body section the participants' letter leaves out unless asked (``--with-reflections``)."""

AUDIENCES = {
    "participants": "a letter to the people who took part: dates in words, no codes or paths",
    "staff": "the same, plus finding and action ids and the record's path and commit",
}
"""Who a report is written for; the keys are the allowed values of ``report --audience``."""


def date_span(start: str, end: str | None) -> str:
    """ "on 9 March 2019", or "from 9 March to 25 May 2019" (the year said once when shared)."""
    if not end or end == start:
        return f"on {date_words(start)}"
    first, last = date_words(start), date_words(end)
    if first[-4:] == last[-4:] and first[-4:].isdigit():
        first = first[:-5]
    return f"from {first} to {last}"


def responses_sentence(answered: int, total: int, who: str = "you") -> str:
    """How many of the things people said have had a response, as a person would say it.

    "None of the 3 things you told us has had a response yet", "Both things...",
    "So far 2 of the 5 things...": never "0 of the 0". Empty when nothing was recorded.
    """
    things = f"things {who} told us"
    if total <= 0:
        return ""
    if total == 1:
        done = "has had a response" if answered else "has not had a response yet"
        return f"The one thing {who} told us {done}."
    if answered == 0:
        return f"None of the {total} {things} has had a response yet."
    if answered == total:
        if total == 2:
            return f"Both things {who} told us have had a response."
        return f"All {total} {things} have had a response."
    verb = "has" if answered == 1 else "have"
    return f"So far {answered} of the {total} {things} {verb} had a response."


def engagement_thanks(named: Sequence[tuple[str, str]], anonymous: int) -> str:
    """An engagement's thank-you (its letter, its site page): each contributor who agreed
    to be named, with their role, then how many more were not named, then everyone."""
    credits = [f"{name} ({role})" for name, role in named]
    return thanks_sentence(credits, anonymous, "contributed", "everyone who took part")


def span_words(since: str | None, until: str | None) -> str:
    """The days a selection keeps, in words: "since 1 January 2024", "up to 31 May 2020",
    "from 1 January to 31 December 2024" ("" for every day)."""
    if since:
        return date_span(since, until) if until else f"since {date_words(since)}"
    return f"up to {date_words(until)}" if until else ""


@dataclass(frozen=True)
class Chosen:
    """What a report across engagements was asked for, in words (each term as it reads
    in a sentence), so its title and opening read as English whatever was given:
    "Unpaid carers in Leeds on support for carers, since 1 January 2024", never
    "Support for carers, Leeds, 1 January 2024 to today"."""

    topics: list[str]
    populations: list[str]
    places: list[str]
    when: str

    @property
    def _where(self) -> str:
        return f" in {and_list(self.places)}" if self.places else ""

    @property
    def _on(self) -> str:
        return f" on {and_list(self.topics)}" if self.topics else ""

    @property
    def title(self) -> str:
        """Who, where, on what, then when: the people first when the report is theirs."""
        if self.populations:
            head = and_list(self.populations) + self._where + self._on
        elif self.topics:
            head = and_list(self.topics) + self._where
        else:
            head = and_list(self.places)
        return capital(", ".join(part for part in (head, self.when) if part))

    @property
    def scope(self) -> str:
        """ "What people in Leeds told us on support for carers since 1 January 2024"."""
        who = and_list(self.populations) if self.populations else "people"
        return f"What {who}{self._where} told us{self._on}" + (f" {self.when}" if self.when else "")


@dataclass
class Finding:
    """A finding as the report shows it: quotation styling only where consent allows."""

    id: str
    text: str
    quotable: bool
    actions: tuple[model.Action, ...] = ()
    standing: str = ""
    """Does it still hold? In words for the people who took part (``copro.store.standing``)."""

    @property
    def answered(self) -> bool:
        return bool(self.actions)


@dataclass
class CheckedAgain:
    """An earlier finding this engagement went back to, and what people said now."""

    earlier_text: str
    earlier_quotable: bool
    outcome: str
    """The outcome in words ("this still holds")."""
    now_id: str
    now_text: str
    note: str | None


@dataclass
class CheckedGroup:
    """The findings of one earlier engagement that this one went back to."""

    when: str
    """When they were said, in words ("March 2019")."""
    title: str
    items: list[CheckedAgain] = field(default_factory=list)


@dataclass
class Decision:
    text: str
    made_by: str
    date: str | None


@dataclass
class Provenance:
    path: str
    commit: str | None = None
    commit_date: str | None = None


@dataclass
class EngagementReport:
    id: str
    title: str
    date: str
    end_date: str | None
    status: str
    lead: str
    partners: list[str]
    places: list[str]
    methods: list[str]
    populations: list[str]
    participants: int | None
    asked: list[str]
    findings: list[Finding]
    decisions: list[Decision]
    named: list[tuple[str, str]]
    anonymous: int
    recognition: str | None
    quotes_allowed: bool
    body: str
    provenance: Provenance
    details: tuple[tuple[str, str], ...] = ()
    """Optional descriptive fields (label, text), from ``Engagement.details``."""
    checked_again: list[CheckedGroup] = field(default_factory=list)
    """"What we checked again": the earlier findings this engagement revisited."""
    contact: str | None = None
    """The organisational route to get back in touch: only where consent allows recontact."""
    member: str | None = None
    """In a hub, the member whose archive holds the record (a report across records names it)."""

    @property
    def answered(self) -> int:
        return sum(1 for f in self.findings if f.answered)

    @property
    def responses(self) -> str:
        """ "None of the 3 things you told us has had a response yet." (empty with none)."""
        return responses_sentence(self.answered, len(self.findings))

    @property
    def when(self) -> str:
        return date_span(self.date, self.end_date)

    @property
    def thanks(self) -> str:
        """The letter's thank-you: the contributors named, then those who were not."""
        return engagement_thanks(self.named, self.anonymous)

    @property
    def who_took_part(self) -> str:
        """ "32 people took part: Somali women and mothers. We heard from you through a
        focus group." (vocabulary terms as they read inside a sentence)."""
        if self.participants is None:
            people = "People took part"
        else:
            people = capital(counted(self.participants, "person", "people")) + " took part"
        said = f"{people}: {and_list(self.populations)}." if self.populations else f"{people}."
        if self.methods:
            said += f" We heard from you through {and_list(self.methods)}."
        return said


@dataclass
class Report:
    """One engagement, or findings gathered across engagements on a theme."""

    title: str
    scope: str
    across: bool
    generated: str
    engagements: list[EngagementReport]
    skipped: int = 0
    """Record files the reader refused (left out; ``copro validate`` says why)."""
    withdrawn: bool = False
    """The report of one withdrawn record: it begins by saying so (contract v3)."""
    audience: str = "participants"
    """``participants`` (the default letter) or ``staff`` (ids, path and commit kept)."""

    @property
    def staff(self) -> bool:
        return self.audience == "staff"

    @property
    def findings(self) -> int:
        return sum(len(e.findings) for e in self.engagements)

    @property
    def answered(self) -> int:
        return sum(e.answered for e in self.engagements)

    @property
    def opening(self) -> str:
        """The first words of a report across engagements: what it holds, from how many."""
        count = len(self.engagements)
        order = ", oldest first" if count > 1 else ""
        said = f"{self.scope}, in {counted(count, 'engagement')}{order}."
        return f"{said} {self.responses}" if self.responses else said

    @property
    def responses(self) -> str:
        """The count of answered findings as a sentence, for "you" or across engagements."""
        return responses_sentence(self.answered, self.findings, "people" if self.across else "you")


def engagement_report(
    archive: Archive,
    engagement: Engagement,
    keep: set[str] | None = None,
    table: StandingTable | None = None,
    commits: dict[str, tuple[str, str]] | None = None,
    reflections: bool = True,
) -> EngagementReport:
    """The report part for one engagement; ``keep`` limits it to some finding ids.

    ``table`` holds the standing of every finding of the archive; without it
    no finding counts as revisited. ``reflections`` false leaves the body's
    ``## Reflections`` out (the staff's own notes, not written for participants).
    """
    vocab = archive.vocab
    table = table if table is not None else standings([engagement])
    findings = [
        Finding(
            f.id,
            f.text,
            engagement.quotable,
            engagement.responses(f.id),
            _standing_words(table.of(engagement, f.id)),
        )
        for f in engagement.findings
        if keep is None or f.id in keep
    ]
    return EngagementReport(
        id=engagement.key,
        title=engagement.display_title,
        date=engagement.date,
        end_date=engagement.end_date,
        status=engagement.status,
        lead=engagement.lead_name,
        # "with X" already says partner; a funder or commissioner is worth saying.
        partners=[
            o.name if o.role == "partner" else f"{o.name} ({o.role})" for o in engagement.partners
        ],
        places=[vocab["places"].in_sentence(i) for i in engagement.places],
        methods=[vocab["methods"].in_sentence(i) for i in engagement.methods],
        populations=[vocab["populations"].in_sentence(i) for i in engagement.populations],
        participants=engagement.participants,
        asked=list(engagement.asked),
        findings=findings,
        decisions=[
            Decision(d.text, MADE_BY_WORDS.get(d.made_by, d.made_by), d.date)
            for d in engagement.decisions
        ],
        # Only people who agreed to be credited are named; the others are only counted.
        named=[(c.name or "", c.role) for c in engagement.named_contributors],
        anonymous=engagement.anonymous_contributors,
        recognition=_recognition(engagement.recognition),
        quotes_allowed=engagement.quotable,
        body=shown_body(engagement.body, () if reflections else (REFLECTIONS,)),
        provenance=_provenance(archive, engagement, commits),
        details=engagement.details(),
        checked_again=_checked_again(table.checked_again(engagement)),
        contact=engagement.consent.route,
        member=engagement.member,
    )


def _standing_words(standing: Standing) -> str:
    """The contract's words as a sentence; a changed finding names the later finding by
    its engagement's title and gives its text, so nobody needs an id to follow it."""
    latest = standing.latest
    see = None
    if latest is not None:
        later = latest.text if not latest.record.quotable else f"\u201c{latest.text}\u201d"
        see = f"what people said when we went back ({latest.record.display_title}): {later}"
    words = standing.words(see)
    words = words[:1].upper() + words[1:]
    return words if words.endswith((".", "!", "?", "\u201d")) else words + "."


def _checked_again(checked: list[StandingCheck]) -> list[CheckedGroup]:
    """What this engagement went back to, grouped by earlier engagement, oldest first."""
    groups: dict[str, CheckedGroup] = {}
    for item in checked:
        earlier, found = item.earlier, item.earlier_finding
        record = item.target.partition("#")[0]
        group = groups.get(record)
        if group is None:
            group = groups[record] = CheckedGroup(
                month_year(earlier.date) if earlier else "an earlier engagement",
                earlier.display_title if earlier else record,
            )
        group.items.append(
            CheckedAgain(
                earlier_text=found.text
                if found
                else f"(finding {item.target}, not in this archive)",
                earlier_quotable=bool(earlier and found and earlier.quotable),
                outcome=OUTCOME_WORDS.get(item.outcome, item.outcome),
                now_id=item.own.id,
                now_text=item.own.text,
                note=item.note,
            )
        )
    return list(groups.values())


def _recognition(value: model.Recognition | None) -> str | None:
    if value is None:
        return None
    parts = [PAYMENT_WORDS.get(value.payment, value.payment)]
    if value.rate:
        parts[0] += f" ({value.rate})"
    parts += value.other
    return ", ".join(p for p in parts if p)


def _provenance(
    archive: Archive, engagement: Engagement, commits: dict[str, tuple[str, str]] | None = None
) -> Provenance:
    """Where the record came from: its last commit (``commits`` when already known)."""
    from copro.core.gitrepo import last_commit

    root = archive.root
    if engagement.member:  # a hub member's record: the commit hub.lock pins
        pinned, when = archive.member_commit(engagement.member)
        return Provenance(f"{engagement.member}:{engagement.path}", pinned[:12], when)
    if commits is not None:
        known = commits.get(engagement.path)
        if known is None:
            return Provenance(engagement.path)
        return Provenance(engagement.path, known[0][:12], known[1][:10])
    commit = last_commit(root, root / engagement.path)
    if commit is None:
        return Provenance(engagement.path)
    return Provenance(engagement.path, commit.hash[:12], commit.date[:10])


def _last_commits(root: Path) -> dict[str, tuple[str, str]]:
    """relpath -> (hash, date) of the newest commit touching each file under archive/.

    One ``git log`` walk instead of one git process per engagement, so a report
    across engagements builds in time proportional to its size. Empty outside git.
    """
    from copro.core.gitrepo import is_repository, run_git

    try:
        if not is_repository(root):
            return {}
        out = run_git(
            root, "log", "--format=\x01%H %aI", "--name-only", "--relative", "--", "archive/"
        )
    except CoproError:
        return {}
    found: dict[str, tuple[str, str]] = {}
    current: tuple[str, str] | None = None
    for line in out.splitlines():
        if line.startswith("\x01"):
            commit, _, date = line[1:].partition(" ")
            current = (commit, date)
        elif line and current is not None:
            found.setdefault(line, current)
    return found


def build_report(
    archive: Archive | Path,
    record_id: str | None = None,
    *,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    today: dt.date | None = None,
    members: Sequence[str] = (),
    audience: str = "participants",
    with_reflections: bool = False,
    include_withdrawn: bool = False,
) -> Report:
    """The report for one engagement (``record_id``) or across engagements (filters).

    In a hub, ``members`` keeps only those members' engagements. ``audience`` is
    a key of :data:`AUDIENCES`: the default letter to the people who took part,
    or ``staff`` with ids, the record's path and its last commit. The body's
    Reflections are the staff's: the participants' letter has them only
    ``with_reflections``.
    """
    if audience not in AUDIENCES:
        raise UsageError(f"--audience must be one of: {', '.join(AUDIENCES)}")
    reflections = with_reflections or audience == "staff"
    report = _build(
        Archive.of(archive),
        record_id,
        topics,
        populations,
        places,
        since,
        until,
        today,
        members,
        reflections,
        include_withdrawn,
    )
    report.audience = audience
    return report


def _build(
    archive: Archive,
    record_id: str | None,
    topics: Sequence[str],
    populations: Sequence[str],
    places: Sequence[str],
    since: str | None,
    until: str | None,
    today: dt.date | None,
    members: Sequence[str],
    reflections: bool,
    include_withdrawn: bool = False,
) -> Report:
    generated = (today or dt.date.today()).isoformat()
    if record_id:
        if topics or populations or places or since or until:
            raise UsageError("give either an ID or filters (--topic, --population, ...), not both")
        engagement = archive.engagement(record_id)
        table = standings(archive.nearby(engagement))
        part = engagement_report(archive, engagement, table=table, reflections=reflections)
        if engagement.withdrawn:
            title = f"Withdrawn: {part.title}"
            return Report(title, f"Engagement {part.id}", False, generated, [part], withdrawn=True)
        return Report(part.title, f"Engagement {part.id}", False, generated, [part])
    if not (topics or populations or places or since or until):
        raise UsageError(
            "say which engagement (an ID) or which theme (--topic, --population, --place, --since)",
            "for example: copro report --topic parenting",
        )
    wanted = Selection.parse(
        archive,
        topics=topics,
        populations=populations,
        places=places,
        since=since,
        until=until,
        members=members,
        include_withdrawn=include_withdrawn,
    )
    return _across(archive, wanted, generated)


def _across(archive: Archive, wanted: Selection, generated: str) -> Report:
    with archive.engagement_stream() as stream:  # a row at a time: the report's parts held
        return _across_stream(archive, stream, wanted, generated)


def _across_stream(
    archive: Archive, stream: EngagementStream, wanted: Selection, generated: str
) -> Report:
    vocab = archive.vocab
    skipped = stream.skipped
    table = stream.standings()
    commits = _last_commits(archive.root)
    kept = []
    for engagement in stream.each(_hint(wanted)):
        if not wanted.keeps_record(engagement):
            continue
        keep = wanted.finding_ids(engagement)
        if keep is None or keep:
            kept.append((engagement, keep))
    table.look_up(engagement for engagement, _ in kept)
    parts = []
    for engagement, keep in kept:
        part = engagement_report(archive, engagement, keep, table, commits)
        if part.findings:
            parts.append(part)
    parts.sort(key=lambda p: (p.date, p.id))
    if not parts:
        raise CoproError("no findings match these filters", "try a broader term or fewer filters")
    said = {
        name: [vocab[name].in_sentence(term) for term in wanted.named.get(name, ())]
        for name in ("topics", "populations", "places")
    }
    chosen = Chosen(**said, when=span_words(wanted.since, wanted.until))
    title = f"You said, we did: {chosen.title}"
    return Report(title, chosen.scope, True, generated, parts, len(skipped))


def _hint(wanted: Selection) -> tuple[str, ...]:
    """Strings every record the report keeps holds in its cached JSON (one of the
    terms named or narrower, as JSON writes it), so SQLite leaves the rest unread."""
    import json

    for terms in (wanted.topics, wanted.populations, wanted.places):
        if terms and not any(term.isdigit() for term in terms):  # a number is read as text
            return tuple(json.dumps(term, ensure_ascii=False) for term in sorted(terms))
    return ()
