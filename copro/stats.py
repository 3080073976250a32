"""``copro stats``: an overview of the archive, and where nobody has been asked yet.

The coverage matrix counts records per population x topic, so gaps show as
zeros: the groups least heard on a topic are the ones to ask next.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.records import as_dicts, as_list, iter_records
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


def archive_stats(root: Path, as_of: str | None = None) -> ArchiveStats:
    """Count the archive; ``coverage`` has every population x every used topic."""
    root = Path(root)
    vocab, _ = load_vocabularies(root)
    stats = ArchiveStats(as_of=as_of or dt.date.today().isoformat())
    pairs: Counter[tuple[str, str]] = Counter()
    topics_used: set[str] = set()
    for record in iter_records(root):
        meta = record.meta
        stats.records += 1
        stats.by_year[str(meta.get("date", ""))[:4]] += 1
        stats.by_ladder[str(meta.get("ladder", ""))] += 1
        stats.by_status[str(meta.get("status", ""))] += 1
        for sector in {str(o.get("sector")) for o in as_dicts(meta.get("organisations"))}:
            stats.by_sector[sector] += 1
        actions = as_dicts(meta.get("we_did"))
        answered = {t for a in actions for t in as_list(a.get("responds_to"))}
        for finding in as_dicts(meta.get("you_said")):
            stats.findings += 1
            stats.findings_with_response += str(finding.get("id")) in answered
        review_by = meta.get("review_by")
        if isinstance(review_by, str) and review_by < stats.as_of:
            stats.past_review_by.append(record.id)
        topics = set(as_list(meta.get("topics")))
        topics_used |= topics
        for population in set(as_list(meta.get("populations"))):
            for topic in topics:
                pairs[(population, topic)] += 1
    populations = list(vocab["populations"].terms)
    for topic in sorted(topics_used):
        stats.coverage[topic] = {p: pairs.get((p, topic), 0) for p in populations}
    return stats
