"""``copro stats``: an overview of the archive, and where nobody has been asked yet.

The coverage matrix counts records per population x topic, so gaps show as
zeros: the groups least heard on a topic are the ones to ask next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.catalog import load_catalog
from copro.model import today_iso
from copro.vocab import load_vocabularies


@dataclass
class ArchiveStats:
    records: int = 0
    by_year: Counter[str] = field(default_factory=Counter)
    by_ladder: Counter[str] = field(default_factory=Counter)
    by_sector: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    findings: int = 0
    findings_with_response: int = 0
    past_review_by: list[str] = field(default_factory=list)
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)
    as_of: str = ""
    skipped: int = 0
    """Record files the reader refused (left out; ``copro validate`` says why)."""

    @property
    def response_share(self) -> float:
        return round(self.findings_with_response / self.findings, 3) if self.findings else 0.0

    def heard(self, topic: str) -> tuple[list[str], list[str]]:
        """Most and least heard populations on ``topic`` (least includes those never asked)."""
        row = self.coverage.get(topic, {})
        if not row:
            return [], []
        top = max(row.values())
        low = min(row.values())
        return (
            sorted(p for p, n in row.items() if n == top and n > 0),
            sorted(p for p, n in row.items() if n == low),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "as_of": self.as_of,
            "by_year": dict(sorted(self.by_year.items())),
            "by_ladder": dict(sorted(self.by_ladder.items())),
            "by_sector": dict(sorted(self.by_sector.items())),
            "by_status": dict(sorted(self.by_status.items())),
            "findings": self.findings,
            "findings_with_response": self.findings_with_response,
            "response_share": self.response_share,
            "past_review_by": self.past_review_by,
            "coverage": self.coverage,
        }


def archive_stats(
    root: Path, as_of: str | None = None, members: Sequence[str] = ()
) -> ArchiveStats:
    """Count the archive (in a hub, of ``members`` only when given); ``coverage`` has every
    population x every used topic."""
    from copro.hubview import keeps, members_option

    root = Path(root)
    wanted = members_option(root, members)
    vocab, _ = load_vocabularies(root)
    catalog = load_catalog(root)
    stats = ArchiveStats(as_of=as_of or today_iso(), skipped=len(catalog.skipped))
    pairs: Counter[tuple[str, str]] = Counter()
    topics_used: set[str] = set()
    for engagement in catalog:
        if not keeps(wanted, engagement.member):
            continue
        stats.records += 1
        stats.by_year[engagement.year] += 1
        stats.by_ladder[engagement.ladder] += 1
        stats.by_status[engagement.status] += 1
        for sector in engagement.sectors:
            stats.by_sector[sector] += 1
        stats.findings += len(engagement.findings)
        stats.findings_with_response += len(engagement.findings) - len(engagement.unanswered)
        if engagement.past_review_by(stats.as_of):
            stats.past_review_by.append(engagement.key)
        topics = set(engagement.topics)
        topics_used |= topics
        for population in set(engagement.populations):
            for topic in topics:
                pairs[(population, topic)] += 1
    populations = list(vocab["populations"].terms)
    for topic in sorted(topics_used):
        stats.coverage[topic] = {p: pairs.get((p, topic), 0) for p in populations}
    return stats
