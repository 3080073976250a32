"""The "You said, we did" report as data: what was asked, said and done, and who to thank.

This module only gathers; ``copro.report_render`` turns the tree into Markdown
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

from copro.errors import CoproError, UsageError
from copro.model import parse_date
from copro.placeholders import published_body
from copro.records import Record, as_dicts, as_list, iter_records, load_record
from copro.search import resolve_term
from copro.vocab import Vocabularies, load_vocabularies

STATUS_WORDS = {
    "done": "Done",
    "in-progress": "In progress",
    "planned": "Planned",
    "not-doing": "Not doing",
}
MADE_BY_WORDS = {
    "joint": "decided together",
    "organisation": "decided by the organisation",
    "community": "decided by the community",
}
PAYMENT_WORDS = {
    "none": "no payment",
    "vouchers": "vouchers",
    "hourly": "an hourly payment",
    "sessional": "a payment for each session",
    "salaried": "paid roles",
    "expenses-only": "expenses",
}


@dataclass
class Action:
    id: str
    status: str
    status_words: str
    text: str
    date: str | None = None
    reason: str | None = None


@dataclass
class Finding:
    id: str
    text: str
    quotable: bool
    actions: list[Action] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.actions)


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

    @property
    def answered(self) -> int:
        return sum(1 for f in self.findings if f.answered)


@dataclass
class Report:
    """One engagement, or findings gathered across engagements on a theme."""

    title: str
    scope: str
    across: bool
    generated: str
    engagements: list[EngagementReport]

    @property
    def findings(self) -> int:
        return sum(len(e.findings) for e in self.engagements)

    @property
    def answered(self) -> int:
        return sum(e.answered for e in self.engagements)


def engagement_report(
    root: Path, record: Record, vocab: Vocabularies, keep: set[str] | None = None
) -> EngagementReport:
    """The report part for one record; ``keep`` limits it to some finding ids."""
    meta = record.meta
    consent = meta.get("consent") if isinstance(meta.get("consent"), dict) else {}
    quotable = consent.get("quotes") is True
    actions = as_dicts(meta.get("we_did"))
    findings = []
    for item in as_dicts(meta.get("you_said")):
        finding_id = str(item.get("id", ""))
        if keep is not None and finding_id not in keep:
            continue
        answers = [
            Action(
                id=str(a.get("id", "")),
                status=str(a.get("status", "")),
                status_words=STATUS_WORDS.get(str(a.get("status")), str(a.get("status", ""))),
                text=str(a.get("text", "")),
                date=str(a["date"]) if a.get("date") else None,
                reason=str(a["reason"]) if a.get("reason") else None,
            )
            for a in actions
            if finding_id in as_list(a.get("responds_to"))
        ]
        findings.append(Finding(finding_id, str(item.get("text", "")), quotable, answers))
    organisations = as_dicts(meta.get("organisations"))
    contributors = as_dicts(meta.get("contributors"))
    return EngagementReport(
        id=record.id,
        title=str(meta.get("title", record.id)),
        date=str(meta.get("date", "")),
        end_date=str(meta["end_date"]) if meta.get("end_date") else None,
        status=str(meta.get("status", "")),
        lead=next((str(o.get("name")) for o in organisations if o.get("role") == "lead"), ""),
        partners=[
            f"{o.get('name')} ({o.get('role')})" for o in organisations if o.get("role") != "lead"
        ],
        places=_labels(vocab, "places", meta.get("places")),
        methods=_labels(vocab, "methods", meta.get("methods")),
        populations=_labels(vocab, "populations", meta.get("populations")),
        participants=meta["participants"] if isinstance(meta.get("participants"), int) else None,
        asked=as_list(meta.get("asked")),
        findings=findings,
        decisions=[
            Decision(
                str(d.get("text", "")),
                MADE_BY_WORDS.get(str(d.get("made_by")), str(d.get("made_by", ""))),
                str(d["date"]) if d.get("date") else None,
            )
            for d in as_dicts(meta.get("decisions"))
        ],
        # Only people who agreed to be credited are named; the others are only counted.
        named=[
            (str(c.get("name")), str(c.get("role", "")))
            for c in contributors
            if c.get("credit") == "named" and c.get("name")
        ],
        anonymous=sum(1 for c in contributors if c.get("credit") != "named" or not c.get("name")),
        recognition=_recognition(meta.get("recognition")),
        quotes_allowed=quotable,
        body=published_body(record.body),
        provenance=_provenance(root, record),
    )


def _labels(vocab: Vocabularies, name: str, ids: object) -> list[str]:
    return [vocab[name].label(i) for i in as_list(ids)]


def _recognition(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    parts = [PAYMENT_WORDS.get(str(value.get("payment")), str(value.get("payment", "")))]
    if value.get("rate"):
        parts[0] += f" ({value['rate']})"
    parts += as_list(value.get("other"))
    return ", ".join(p for p in parts if p)


def _provenance(root: Path, record: Record) -> Provenance:
    from copro.gitrepo import last_commit

    commit = last_commit(root, record.path)
    if commit is None:
        return Provenance(record.relpath)
    return Provenance(record.relpath, commit.hash[:12], commit.date[:10])


def build_report(
    root: Path,
    record_id: str | None = None,
    *,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    today: dt.date | None = None,
) -> Report:
    """The report for one engagement (``record_id``) or across engagements (filters)."""
    root = Path(root).resolve()
    vocab, _ = load_vocabularies(root)
    generated = (today or dt.date.today()).isoformat()
    if record_id:
        if topics or populations or places or since or until:
            raise UsageError("give either an ID or filters (--topic, --population, ...), not both")
        record = load_record(root, record_id)
        part = engagement_report(root, record, vocab)
        return Report(part.title, f"Engagement {part.id}", False, generated, [part])
    if not (topics or populations or places or since or until):
        raise UsageError(
            "say which engagement (an ID) or which theme (--topic, --population, --place, --since)",
            "for example: copro report --topic parenting",
        )
    return _across(root, vocab, topics, populations, places, since, until, generated)


def _across(
    root: Path,
    vocab: Vocabularies,
    topics: Sequence[str],
    populations: Sequence[str],
    places: Sequence[str],
    since: str | None,
    until: str | None,
    generated: str,
) -> Report:
    since, until = parse_date(since, "--since"), parse_date(until, "--until")
    topic_ids = [resolve_term(vocab, "topics", t, "--topic") for t in topics]
    population_ids = [resolve_term(vocab, "populations", p, "--population") for p in populations]
    place_ids = [resolve_term(vocab, "places", p, "--place") for p in places]
    wanted_topics = vocab.expand("topics", topic_ids) if topic_ids else None
    wanted_populations = vocab.expand("populations", population_ids) if population_ids else None
    wanted_places = vocab.expand("places", place_ids) if place_ids else None
    parts = []
    for record in iter_records(root):
        meta = record.meta
        date = str(meta.get("date", ""))
        if (since and date < since) or (until and date > until):
            continue
        if wanted_populations and not wanted_populations & set(as_list(meta.get("populations"))):
            continue
        if wanted_places and not wanted_places & set(as_list(meta.get("places"))):
            continue
        keep = None
        if wanted_topics is not None:
            record_topics = set(as_list(meta.get("topics")))
            keep = {
                str(f.get("id"))
                for f in as_dicts(meta.get("you_said"))
                if wanted_topics
                & (set(as_list(f.get("topics"))) if f.get("topics") else record_topics)
            }
        part = engagement_report(root, record, vocab, keep)
        if part.findings:
            parts.append(part)
    parts.sort(key=lambda p: (p.date, p.id))
    if not parts:
        raise CoproError("no findings match these filters", "try a broader term or fewer filters")
    words = [vocab["topics"].label(t) for t in topic_ids]
    words += [vocab["populations"].label(p) for p in population_ids]
    words += [vocab["places"].label(p) for p in place_ids]
    if since or until:
        words.append(f"{since or 'the start'} to {until or 'today'}")
    scope = ", ".join(words)
    return Report(f"You said, we did: {scope}", scope, True, generated, parts)
