"""``copro themes``: what people keep saying, per topic, and how much of it still holds.

A finding counts under the topic terms it is tagged with (its own topics,
else its record's), with no roll-up to broader terms, so each number can be
traced to findings tagged exactly that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from copro.core.model import Engagement
from copro.core.vocab import Vocabularies
from copro.store.archive import Archive
from copro.store.selection import Selection
from copro.store.standing import STANDINGS, StandingTable, standings
from copro.views.findings import kept_findings


@dataclass
class Theme:
    """One topic term and the findings tagged with it."""

    topic: str
    label: str
    findings: int = 0
    records: set[str] = field(default_factory=set)
    populations: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    answered: int = 0
    standing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STANDINGS, 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "label": self.label,
            "findings": self.findings,
            "records": len(self.records),
            "populations": sorted(self.populations),
            "organisations": len(self.organisations),
            "first_year": int(min(self.years)) if self.years else None,
            "last_year": int(max(self.years)) if self.years else None,
            "answered": self.answered,
            "standing": dict(self.standing),
        }


@dataclass
class ThemesResult:
    themes: list[Theme] = field(default_factory=list)
    skipped: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"themes": [t.to_json() for t in self.themes]}


def build_themes(
    engagements: Iterable[Engagement],
    vocab: Vocabularies,
    wanted: Selection,
    table: StandingTable | None = None,
) -> list[Theme]:
    """Themes over the findings of ``engagements`` that ``wanted`` keeps, most findings first.

    ``wanted.topics`` keeps the terms (not the findings): a finding tagged
    with a kept term and another counts only under the kept one. ``table``: the
    standings (else worked out from ``engagements``, which are then held); with it,
    ``engagements`` are read once, in any order, and not held.
    """
    topics, wanted = wanted.topics, replace(wanted, topics=None)
    if table is None:
        engagements = list(engagements)
        table = standings(engagements)
    themes: dict[str, Theme] = {}
    for row in kept_findings(engagements, wanted, table):
        record = row.record
        for topic in dict.fromkeys(row.topics):
            if topics is not None and topic not in topics:
                continue
            theme = themes.get(topic)
            if theme is None:
                label = vocab["topics"].label(topic) if topic in vocab["topics"] else topic
                theme = themes[topic] = Theme(topic, label)
            theme.findings += 1
            theme.records.add(record.key)
            theme.populations.update(record.populations)
            theme.organisations.update(o.name for o in record.organisations)
            if record.year.isdigit():
                theme.years.add(record.year)
            theme.answered += bool(row.responses)
            theme.standing[row.standing.standing] += 1
    return sorted(themes.values(), key=lambda t: (-t.findings, t.topic))


def archive_themes(
    archive: Archive | Path,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    members: Sequence[str] = (),
    include_withdrawn: bool = False,
) -> ThemesResult:
    """``copro themes`` for the archive (or hub); ``members`` narrows a hub; withdrawn
    records only when ``include_withdrawn``."""
    archive = Archive.of(archive)
    vocab = archive.vocab
    wanted = Selection.parse(
        archive,
        topics=topics,
        populations=populations,
        members=members,
        include_withdrawn=include_withdrawn,
    )
    with archive.engagement_stream() as stream:  # a row at a time: only the counts held
        themes = build_themes(stream, vocab, wanted, stream.standings())
        return ThemesResult(themes, stream.skipped)
