"""What copro works out about a consensus statement when reading (contract section 8).

A statement (``copro.model.Statement``) holds the human judgement: the
sentence, the findings it rests on with their stance, the CERQual confidence,
how it was agreed and what was decided. Beside it, never instead of it and
never written back, this module works out from the whole archive (or hub):

- the **evidence facts**: how many findings, engagements, groups,
  organisations and hub members it rests on, over which years, and each
  finding's standing (section 6);
- its **currency**: stale when a finding it rests on was revisited after the
  statement's date as ``changed`` or ``no-longer-holds``, or a record it
  cites is withdrawn;
- its **thanks**: the named contributors of each cited record (only people
  who agreed to be named), and how many more took part without being named.

::

    from copro.store.catalog import load_catalog
    from copro.views.consensus import assess_all

    for assessed in assess_all(load_catalog(root)):
        assessed.facts.records, assessed.currency.stale, assessed.thanks.named
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from copro.core.errors import CoproError
from copro.core.model import Engagement, Evidence, Finding, Statement
from copro.core.words import thanks_sentence
from copro.store.catalog import Catalog
from copro.store.standing import RevisitedBy, Standing, StandingTable, month_year, standings

__all__ = [
    "Assessed",
    "Credit",
    "Currency",
    "EvidenceItem",
    "Facts",
    "Thanks",
    "assess",
    "assess_all",
    "find_statement",
    "STANCE_WORDS",
]

STALE_OUTCOMES = ("changed", "no-longer-holds")
STANCE_WORDS = {
    "supports": "supports it",
    "partly": "partly supports it",
    "contradicts": "contradicts it",
}


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence entry resolved against the archive: the record, finding and standing."""

    evidence: Evidence
    key: str
    """The finding, fully qualified (``member:ID#SN`` in a hub)."""
    engagement: Engagement | None
    finding: Finding | None
    standing: Standing | None

    @property
    def found(self) -> bool:
        return self.engagement is not None and self.finding is not None

    @property
    def counts(self) -> bool:
        """Whether it counts in the facts and thanks: found, and its record not withdrawn."""
        return self.found and self.engagement is not None and not self.engagement.withdrawn

    def to_json(self) -> dict[str, Any]:
        standing = self.standing
        return {
            "finding": self.key,
            "stance": self.evidence.stance,
            "note": self.evidence.note,
            "text": self.finding.text if self.finding else None,
            "record_title": self.engagement.display_title if self.engagement else None,
            "date": self.engagement.date if self.engagement else None,
            "member": self.engagement.member if self.engagement else None,
            "withdrawn": bool(self.engagement and self.engagement.withdrawn),
            "standing": standing.standing if standing else None,
            "standing_date": standing.date if standing else None,
        }


@dataclass(frozen=True)
class Facts:
    """The evidence facts (contract section 8), counted over the findings that count."""

    findings: int
    records: int
    groups: int
    organisations: int
    members: int
    first_year: int | None
    last_year: int | None
    populations: tuple[str, ...] = ()
    """The distinct populations (vocabulary ids) of the cited records: the groups."""

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "records": self.records,
            "groups": self.groups,
            "organisations": self.organisations,
            "members": self.members,
            "first_year": self.first_year,
            "last_year": self.last_year,
        }


@dataclass(frozen=True)
class Currency:
    """Whether the statement still stands on what it rests on; ``reasons`` say why not."""

    stale: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Credit:
    """A named contributor beside the engagement they took part in and were credited for."""

    name: str
    role: str
    record_key: str
    record_title: str


@dataclass(frozen=True)
class Thanks:
    named: tuple[Credit, ...]
    anonymous: int
    """Contributors of the cited records who took part without being named."""
    groups: int

    def sentence(self, named: Sequence[str]) -> str:
        """The statement's thank-you: ``named`` (each contributor in words, or one phrase
        for a list shown above it), how many more were not named, then every group."""
        groups = "the group" if self.groups == 1 else f"the {self.groups} groups"
        everyone = f"everyone in {groups} who told us what they think"
        return thanks_sentence(named, self.anonymous, "took part", everyone)

    def to_json(self) -> dict[str, Any]:
        return {
            "named": [
                {"name": c.name, "role": c.role, "record_id": c.record_key} for c in self.named
            ],
            "anonymous": self.anonymous,
            "groups": self.groups,
        }


@dataclass(frozen=True)
class Assessed:
    """A statement with everything worked out about it."""

    statement: Statement
    items: tuple[EvidenceItem, ...]
    facts: Facts
    currency: Currency
    thanks: Thanks

    @property
    def key(self) -> str:
        return self.statement.key

    def cited_records(self) -> list[Engagement]:
        """The engagements it rests on (withdrawn ones left out), oldest first, each once."""
        seen: dict[str, Engagement] = {}
        for item in self.items:
            if item.counts and item.engagement is not None:
                seen.setdefault(item.engagement.key, item.engagement)
        return sorted(seen.values(), key=lambda e: (e.date, e.key))

    def by_stance(self, stance: str) -> list[EvidenceItem]:
        return [i for i in self.items if i.evidence.stance == stance and i.counts]

    def summary_json(self) -> dict[str, Any]:
        """One statement as ``consensus list --json`` gives it (the contract's keys)."""
        s = self.statement
        return {
            "id": s.key,
            "title": s.title,
            "statement": s.statement,
            "status": s.status,
            "date": s.date,
            "confidence": s.overall,
            "findings": self.facts.findings,
            "records": self.facts.records,
            "groups": self.facts.groups,
            "first_year": self.facts.first_year,
            "last_year": self.facts.last_year,
            "stale": self.currency.stale,
            "member": s.member,
        }


def resolve(
    statement: Statement, evidence: Evidence, catalog: Catalog, table: StandingTable
) -> EvidenceItem:
    key = statement.evidence_key(evidence)
    record_key, _, finding_id = key.partition("#")
    engagement = catalog.by_id.get(record_key)
    finding = engagement.finding(finding_id) if engagement else None
    standing = table.of(engagement, finding_id) if engagement and finding else None
    return EvidenceItem(evidence, key, engagement, finding, standing)


def facts_of(items: Sequence[EvidenceItem]) -> Facts:
    counted = [i for i in items if i.counts and i.engagement is not None]
    records = {i.engagement.key: i.engagement for i in counted if i.engagement is not None}
    populations = dict.fromkeys(p for e in records.values() for p in e.populations)
    organisations = {
        o.name.casefold()
        for e in records.values()
        for o in e.organisations
        if o.role in ("lead", "partner") and o.name
    }
    members = {e.member for e in records.values() if e.member}
    years = sorted(int(e.year) for e in records.values() if e.year.isdigit())
    return Facts(
        findings=len(counted),
        records=len(records),
        groups=len(populations),
        organisations=len(organisations),
        members=len(members),
        first_year=years[0] if years else None,
        last_year=years[-1] if years else None,
        populations=tuple(populations),
    )


def stale_causes(
    statement: Statement, items: Sequence[EvidenceItem]
) -> tuple[list[Engagement], list[tuple[EvidenceItem, RevisitedBy]]]:
    """The withdrawn records a statement cites, and the revisits after its date that found
    a finding it rests on changed or no longer holding (what makes it stale)."""
    withdrawn: dict[str, Engagement] = {}
    revisits: list[tuple[EvidenceItem, RevisitedBy]] = []
    for item in items:
        engagement = item.engagement
        if engagement is not None and engagement.withdrawn:
            withdrawn.setdefault(engagement.key, engagement)
        if item.standing is None:
            continue
        for revisit in item.standing.revisited_by:
            if revisit.outcome in STALE_OUTCOMES and revisit.date > statement.date:
                revisits.append((item, revisit))
    return list(withdrawn.values()), revisits


def currency_of(statement: Statement, items: Sequence[EvidenceItem]) -> Currency:
    """Stale when a finding was revisited after the statement's date as changed or no
    longer holding, or when a record it cites is withdrawn."""
    withdrawn, revisits = stale_causes(statement, items)
    reasons = [f"{e.key} ({e.display_title}) was withdrawn" for e in withdrawn]
    for item, revisit in revisits:
        outcome = revisit.outcome.replace("-", " ")
        reasons.append(
            f"{item.key} was checked again in {month_year(revisit.date)}: "
            f"{outcome} (see {revisit.finding})"
        )
    return Currency(bool(reasons), tuple(reasons))


def thanks_of(items: Sequence[EvidenceItem], groups: int) -> Thanks:
    named: list[Credit] = []
    anonymous = 0
    seen: set[str] = set()
    for item in items:
        engagement = item.engagement
        if not item.counts or engagement is None or engagement.key in seen:
            continue
        seen.add(engagement.key)
        for contributor in engagement.named_contributors:
            named.append(
                Credit(
                    contributor.name or "",
                    contributor.role,
                    engagement.key,
                    engagement.display_title,
                )
            )
        anonymous += engagement.anonymous_contributors
    return Thanks(tuple(named), anonymous, groups)


def assess(statement: Statement, catalog: Catalog, table: StandingTable) -> Assessed:
    items = tuple(resolve(statement, e, catalog, table) for e in statement.evidence)
    facts = facts_of(items)
    return Assessed(
        statement, items, facts, currency_of(statement, items), thanks_of(items, facts.groups)
    )


def assess_all(
    catalog: Catalog, table: StandingTable | None = None, statements: Iterable[Statement] = ()
) -> list[Assessed]:
    """Every statement of the catalog (or those given), assessed, in path order."""
    table = table if table is not None else standings(catalog.engagements)
    chosen = list(statements) or list(catalog.statements)
    return [assess(s, catalog, table) for s in chosen]


def find_statement(catalog: Catalog, statement_id: str) -> Statement:
    """The statement ``statement_id`` (plain or ``member:id``), or a CoproError (exit 1)."""
    found = catalog.get_statement(statement_id)
    if found is not None:
        return found
    plain = [s.key for s in catalog.statements if s.id == statement_id]
    if plain:
        raise CoproError(
            f"{statement_id} is the id of statements in several members: " + ", ".join(plain),
            "write the id with its member, as member:id",
        )
    from copro.core.records import unknown_record

    error = unknown_record(statement_id, [s.key for s in catalog.statements])
    raise CoproError(error.message.replace("no record", "no statement", 1), error.hint)


def cited_by(catalog: Catalog) -> dict[str, list[str]]:
    """Fully qualified finding id -> the keys of the statements that cite it."""
    out: dict[str, list[str]] = {}
    for statement in catalog.statements:
        for evidence in statement.evidence:
            out.setdefault(statement.evidence_key(evidence), []).append(statement.key)
    return out


def citing_records(catalog: Catalog) -> dict[str, list[Statement]]:
    """Record key -> the statements whose evidence names one of its findings."""
    out: dict[str, list[Statement]] = {}
    for statement in catalog.statements:
        keys = {statement.evidence_key(e).partition("#")[0] for e in statement.evidence}
        for key in sorted(keys):
            out.setdefault(key, []).append(statement)
    return out


def is_statement_id(archive: Any, statement_id: str) -> bool:
    """Whether ``statement_id`` names a consensus statement rather than a record.

    In a plain archive this is one file test (``consensus/<id>.md``), so
    ``show`` and ``report`` of a record pay nothing; in a hub, or for a
    ``member:id``, the statements are read.
    """
    from copro.core.paths import statement_path
    from copro.store.archive import Archive

    archive = Archive.of(archive)
    if ":" not in statement_id and not archive.in_hub:
        path = statement_path(archive.root, statement_id)
        return "/" not in statement_id and path.is_file() and not path.is_symlink()
    return archive.catalog.get_statement(statement_id) is not None


def statement_json(assessed: Assessed) -> dict[str, Any]:
    """One statement as ``show ID --json`` gives it: as written, and what follows from it."""
    s = assessed.statement
    return {
        "id": s.key,
        "kind": "consensus",
        "member": s.member,
        "path": s.path,
        "front_matter": dict(s.front_matter),
        "body": s.body,
        "facts": assessed.facts.to_json(),
        "evidence": [item.to_json() for item in assessed.items],
        "stale": assessed.currency.stale,
        "stale_because": list(assessed.currency.reasons),
        "thanks": assessed.thanks.to_json(),
    }


def load_assessed(archive: Any, statement_id: str) -> Assessed:
    """The statement ``statement_id`` of the archive (or hub), assessed.

    In an archive, the statement's file and the records around its evidence
    (``Archive.around_evidence``) are all that is read: ``show`` and ``report``
    of a statement cost the same at 100 records or 50,000. In a hub, the catalog.
    """
    from copro.store.archive import Archive

    archive = Archive.of(archive)
    alone = archive.statement_from_file(statement_id)
    if alone is not None:  # an archive: only the records around its evidence are read
        around = tuple(archive.around_evidence(alone))
        return assess(alone, Catalog(around), standings(around))
    catalog = archive.catalog
    statement = find_statement(catalog, statement_id)
    return assess(statement, catalog, archive.standings)


def list_statements(
    archive: Any, query: str | None = None, status: str | None = None, stale: bool = False
) -> list[Assessed]:
    """``copro consensus list``: statements matching the words, status and currency."""
    from copro.core.errors import UsageError
    from copro.core.model import STATEMENT_STATUSES
    from copro.store.archive import Archive

    if status is not None and status not in STATEMENT_STATUSES:
        raise UsageError(
            f"--status must be one of: {', '.join(STATEMENT_STATUSES)}",
            "e.g. --status agreed",
        )
    catalog = Archive.of(archive).catalog
    chosen = [s for s in catalog.statements if status is None or s.status == status]
    if query:
        words = query.casefold().split()
        chosen = [
            s for s in chosen if all(w in f"{s.title} {s.statement}".casefold() for w in words)
        ]
    if not chosen:
        return []
    assessed = assess_all(catalog, statements=chosen)
    return [a for a in assessed if a.currency.stale or not stale]
