"""``copro findings``: every finding that matches, newest first, with its standing.

A finding is the unit people come back to ("two years ago, Somali women said
this: does it still hold?"), so this view lists findings rather than records,
each with its standing (``copro.store.standing``), who revisited it, and the
statuses of the actions answering it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.model import Engagement, Finding
from copro.store.archive import Archive
from copro.store.selection import Selection
from copro.store.standing import Standing, StandingTable, standings

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
    cited_by: dict[str, list[str]] = field(default_factory=dict)
    """Fully qualified finding id -> the consensus statements that cite it (section 8)."""

    @property
    def total(self) -> int:
        return len(self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "findings": list(self.findings_json())}

    def findings_json(self) -> Iterator[dict[str, Any]]:
        """The ``findings`` of :meth:`to_json`, one at a time (an output can stream them)."""
        for row in self.findings:
            yield {
                **row.to_json(self.in_hub),
                "cited_by": self.cited_by.get(f"{row.record.key}#{row.finding.id}", []),
            }


def query_words(query: str | None) -> tuple[str, ...]:
    """The words a finding's text must contain, loosely (see :func:`_stem`)."""
    return tuple(_stem(w) for w in _WORD.findall((query or "").casefold()))


def _stem(word: str) -> str:
    """A query word loosely: "mothers" also finds "mother", "parent" finds "parenting"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _has_words(text: str, words: Iterable[str]) -> bool:
    """Every query word starts some word of ``text`` (any case)."""
    have = _WORD.findall(text.casefold())
    return all(any(h.startswith(w) for h in have) for w in words)


def select_findings(
    engagements: Iterable[Engagement],
    wanted: Selection,
    table: StandingTable | None = None,
    words: tuple[str, ...] = (),
) -> list[FindingRow]:
    """The findings ``wanted`` keeps (and whose text has ``words``), newest record first,
    then in record order."""
    if table is None:
        engagements = list(engagements)
        table = standings(engagements)
    return newest_first(kept_findings(engagements, wanted, table, words))


def newest_first(rows: Iterable[FindingRow]) -> list[FindingRow]:
    """Rows in the order ``findings`` lists them: newest record first (by date, then key,
    both descending), each record's findings in its order (the sort is stable)."""
    return sorted(rows, key=lambda row: (row.record.date, row.record.key), reverse=True)


def kept_findings(
    engagements: Iterable[Engagement],
    wanted: Selection,
    table: StandingTable,
    words: tuple[str, ...] = (),
) -> Iterator[FindingRow]:
    """The findings ``wanted`` keeps (and whose text has ``words``), in the order of
    ``engagements`` (read once: a stream holds only the records of these rows)."""
    for record in engagements:
        if not wanted.keeps_record(record):
            continue
        for finding in record.findings:
            standing = table.of(record, finding.id)
            if wanted.keeps_finding(record, finding, standing) and (
                not words or _has_words(finding.text, words)
            ):
                yield FindingRow(record, finding, standing)


def list_findings(
    archive: Archive | Path,
    query: str | None = None,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    standing: Sequence[str] = (),
    said_before: str | None = None,
    members: Sequence[str] = (),
    include_withdrawn: bool = False,
) -> FindingsResult:
    """``copro findings`` for the archive (or hub); ``members`` narrows a hub; withdrawn
    records only when ``include_withdrawn``."""
    archive = Archive.of(archive)
    wanted = Selection.parse(
        archive,
        topics=topics,
        populations=populations,
        places=places,
        standings=standing,
        said_before=said_before,
        members=members,
        include_withdrawn=include_withdrawn,
    )
    from copro.views.consensus import cited_by

    with archive.engagement_stream() as stream:  # a row at a time: the listed records held
        rows = kept_findings(stream, wanted, stream.standings(), query_words(query))
        return FindingsResult(
            newest_first(rows),
            in_hub=archive.in_hub,
            skipped=stream.skipped,
            cited_by=cited_by(stream.catalog_of()),
        )
