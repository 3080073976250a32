"""``copro findings``: every finding that matches, newest first, with its standing.

A finding is the unit people come back to ("two years ago, Somali women said
this: does it still hold?"), so this view lists findings rather than records,
each with its standing (``copro.store.standing``), who revisited it, and the
statuses of the actions answering it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.errors import UsageError
from copro.core.model import Engagement, Finding, parse_date
from copro.core.vocab import Vocabularies, resolve_term
from copro.store.archive import Archive
from copro.store.standing import STANDINGS, Standing, StandingTable, standings

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class FindingRow:
    """One finding with what the archive knows about it now."""

    record: Engagement
    finding: Finding
    standing: Standing

    @property
    def topics(self) -> tuple[str, ...]:
        return self.record.finding_topics(self.finding)

    @property
    def responses(self) -> list[str]:
        return [a.status for a in self.record.responses(self.finding.id)]

    def to_json(self, with_member: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "record_id": self.record.key,
            "finding_id": self.finding.id,
            "text": self.finding.text,
            "date": self.record.date,
            "topics": list(self.topics),
            "populations": list(self.record.populations),
            "places": list(self.record.places),
            "standing": self.standing.standing,
            "standing_date": self.standing.date,
            "revisited_by": [r.to_json() for r in self.standing.revisited_by],
            "responses": self.responses,
        }
        if with_member:
            out["member"] = self.record.member
        return out


@dataclass
class FindingsResult:
    findings: list[FindingRow] = field(default_factory=list)
    in_hub: bool = False
    skipped: tuple[str, ...] = ()
    """Records the strict reader refused (left out; ``validate`` says why)."""

    @property
    def total(self) -> int:
        return len(self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "findings": [row.to_json(self.in_hub) for row in self.findings],
        }


@dataclass(frozen=True)
class FindingFilter:
    """The checked options of ``findings`` (and ``themes``): usage errors exit 2."""

    words: tuple[str, ...] = ()
    topics: frozenset[str] | None = None
    populations: frozenset[str] | None = None
    places: frozenset[str] | None = None
    standings: frozenset[str] | None = None
    said_before: str | None = None
    members: frozenset[str] | None = None
    """In a hub, ``--member``: only records of these members (None: all)."""

    def keeps_record(self, record: Engagement) -> bool:
        if self.members is not None and record.member not in self.members:
            return False
        if self.said_before is not None and not record.date < self.said_before:
            return False
        if self.populations is not None and not self.populations & set(record.populations):
            return False
        return self.places is None or bool(self.places & set(record.places))

    def keeps_finding(self, record: Engagement, finding: Finding, standing: Standing) -> bool:
        if self.topics is not None and not self.topics & set(record.finding_topics(finding)):
            return False
        if self.standings is not None and standing.standing not in self.standings:
            return False
        return not self.words or _has_words(finding.text, self.words)


def finding_filter(
    vocab: Vocabularies,
    query: str | None = None,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    standing: Sequence[str] = (),
    said_before: str | None = None,
    members: frozenset[str] | None = None,
) -> FindingFilter:
    """Check every option; vocabulary options accept an id, label or synonym."""
    bad = [s for s in standing if s not in STANDINGS]
    if bad:
        raise UsageError(
            f"--standing {bad[0]!r} is not a standing", "one of: " + ", ".join(STANDINGS)
        )

    def terms(name: str, option: str, given: Sequence[str]) -> frozenset[str] | None:
        if not given:
            return None
        return frozenset(vocab.expand(name, [resolve_term(vocab, name, g, option) for g in given]))

    return FindingFilter(
        words=tuple(_stem(w) for w in _WORD.findall((query or "").casefold())),
        topics=terms("topics", "--topic", topics),
        populations=terms("populations", "--population", populations),
        places=terms("places", "--place", places),
        standings=frozenset(standing) if standing else None,
        said_before=parse_date(said_before, "--said-before"),
        members=members,
    )


def _stem(word: str) -> str:
    """A query word loosely: "mothers" also finds "mother", "parent" finds "parenting"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _has_words(text: str, words: Iterable[str]) -> bool:
    """Every query word starts some word of ``text`` (any case)."""
    have = _WORD.findall(text.casefold())
    return all(any(h.startswith(w) for h in have) for w in words)


def select_findings(
    engagements: Iterable[Engagement], wanted: FindingFilter, table: StandingTable | None = None
) -> list[FindingRow]:
    """The findings ``wanted`` keeps, newest record first, then in record order."""
    engagements = list(engagements)
    table = table if table is not None else standings(engagements)
    rows = []
    for record in sorted(engagements, key=lambda e: (e.date, e.key), reverse=True):
        if not wanted.keeps_record(record):
            continue
        for finding in record.findings:
            standing = table.of(record, finding.id)
            if wanted.keeps_finding(record, finding, standing):
                rows.append(FindingRow(record, finding, standing))
    return rows


def list_findings(
    archive: Archive | Path,
    query: str | None = None,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    standing: Sequence[str] = (),
    said_before: str | None = None,
    members: Sequence[str] = (),
) -> FindingsResult:
    """``copro findings`` for the archive (or hub); ``members`` narrows a hub."""
    archive = Archive.of(archive)
    vocab = archive.vocab
    wanted = finding_filter(
        vocab,
        query,
        topics,
        populations,
        places,
        standing,
        said_before,
        archive.members(members),
    )
    catalog = archive.catalog
    return FindingsResult(
        select_findings(catalog.engagements, wanted, archive.standings),
        in_hub=archive.in_hub,
        skipped=catalog.skipped,
    )
