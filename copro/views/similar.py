"""``copro similar ID#SN``: findings of other records most like one finding.

The natural candidates for ``revisits``, and a way to see a finding recur.
Whoosh's ``more_like`` picks the key terms of the finding's text (weighted
against the whole archive's findings) and finds the records whose findings
share them; each finding of those records is then scored by the weight of
the key terms it contains, so the result names findings, not records. No
model and no new dependency: the search index already holds what is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.checks import FINDING_REF
from copro.core.errors import CoproError, UsageError
from copro.store.archive import Archive


@dataclass(frozen=True)
class SimilarFinding:
    finding: str
    text: str
    date: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"finding": self.finding, "text": self.text, "date": self.date, "score": self.score}


@dataclass
class SimilarResult:
    finding: str
    text: str
    results: list[SimilarFinding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"finding": self.finding, "results": [r.to_json() for r in self.results]}


def parse_finding_ref(given: str) -> tuple[str, str]:
    """``ID#SN`` (in a hub also ``member:ID#SN``) as (record id, finding id), or a usage
    error (exit 2)."""
    parts = FINDING_REF.fullmatch(given.strip())
    if parts is None:
        raise UsageError(
            f"{given!r} does not name a finding",
            "write the record id, #, and the finding id: 2019-03-somali-mothers-parenting#S3",
        )
    member = f"{parts['member']}:" if parts["member"] else ""
    return member + parts["record"], parts["finding"]


def similar_findings(
    archive: Archive | Path, given: str, limit: int = 10, include_withdrawn: bool = False
) -> SimilarResult:
    """The findings of other records most like finding ``given`` (``ID#SN``), best first;
    withdrawn records only when ``include_withdrawn``."""

    if limit < 1:
        raise UsageError("--limit must be at least 1")
    archive = Archive.of(archive)
    record_id, finding_id = parse_finding_ref(given)
    source = archive.engagement(record_id)
    finding = source.finding(finding_id)
    if finding is None:
        have = ", ".join(f.id for f in source.findings) or "none"
        raise CoproError(f"{record_id} has no finding {finding_id}", f"its findings: {have}")
    result = SimilarResult(f"{source.key}#{finding_id}", finding.text)
    vocab = archive.vocab
    store = archive.index
    store.refresh(vocab)
    indexed_path = f"{source.member}:{source.path}" if source.member else source.path
    hits, weights = store.more_like(vocab, finding.text, indexed_path, max(2 * limit, 10))
    found = []
    for hit in hits:
        if hit.id == source.key:
            continue
        try:
            other = archive.engagement(hit.id)
        except CoproError:
            continue  # changed or unreadable since it was indexed
        if other.withdrawn and not include_withdrawn:
            continue
        for candidate in other.findings:
            shared = store.backend.analysed_terms(candidate.text) & weights.keys()
            score = sum(weights[t] for t in shared)
            if score > 0:
                found.append(
                    SimilarFinding(
                        f"{other.key}#{candidate.id}", candidate.text, other.date, round(score, 4)
                    )
                )
    found.sort(key=lambda s: (-s.score, s.date, s.finding))
    result.results = found[:limit]
    return result
