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

from copro.core.model import today_iso
from copro.core.values import LADDER, RECORD_STATUSES, SECTORS
from copro.core.vocab import Vocabularies
from copro.core.words import LADDER_LABELS, RECORD_STATUS_LABELS, SECTOR_LABELS, number_of
from copro.store.archive import Archive
from copro.store.catalog import EngagementStream
from copro.store.selection import Selection
from copro.store.standing import StandingTable

LABEL_SEPARATOR = "; "
"""Between labels in a list: a label may hold commas ("Gypsy, Roma and Traveller
communities"), so a comma between them would not say where one ends."""
SHOWN_NEVER_HEARD = 3
"""How many groups never heard on a topic its row names (the most heard elsewhere first)."""


@dataclass(frozen=True)
class Heard:
    """How often a population has been heard: on one topic, and in the whole archive."""

    population: str
    label: str
    on_topic: int
    records: int

    def to_json(self) -> dict[str, Any]:
        return {
            "population": self.population,
            "label": self.label,
            "records_on_topic": self.on_topic,
            "records": self.records,
        }


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
    due_for_review: list[str] = field(default_factory=list)
    """Of those, the records ``copro review`` still lists: not withdrawn, and not every
    finding revisited by a later record (contract v2 rule of review)."""
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)
    as_of: str = ""
    skipped: int = 0
    """Record files the reader refused (left out; ``copro validate`` says why)."""
    population_records: Counter[str] = field(default_factory=Counter)
    """Each population's own records (on any topic)."""
    population_labels: dict[str, str] = field(default_factory=dict)
    topic_labels: dict[str, str] = field(default_factory=dict)

    @property
    def response_share(self) -> float:
        return round(self.findings_with_response / self.findings, 3) if self.findings else 0.0

    def heard(self, topic: str) -> tuple[list[Heard], list[Heard]]:
        """Most and least heard populations on ``topic``.

        Most: the populations with the most records on it. Least: the populations
        this archive has heard (on any topic) ranked by their records on this
        topic, fewest first, and among equals by their own records overall, most
        first: a group asked often, but never about this, is the clearest gap.
        Populations never heard at all are listed once (:attr:`never_heard`),
        not on every row.
        """
        row = self.coverage.get(topic, {})
        heard = [self._heard(p, n) for p, n in row.items() if self.population_records[p]]
        if not heard:
            return [], []
        top = max(h.on_topic for h in heard)
        most = sorted((h for h in heard if h.on_topic == top and top > 0), key=lambda h: h.label)
        least = sorted(
            (h for h in heard if h.on_topic < top),
            key=lambda h: (h.on_topic, -h.records, h.label),
        )
        return most, least

    def _heard(self, population: str, on_topic: int) -> Heard:
        label = self.population_labels.get(population, population)
        return Heard(population, label, on_topic, self.population_records[population])

    def most_heard_words(self, topic: str) -> str:
        """ "Mothers; Somali women (2 each)": the groups most heard on ``topic``."""
        most, _ = self.heard(topic)
        if not most:
            return "nobody yet"
        each = " each" if len(most) > 1 else ""
        return f"{LABEL_SEPARATOR.join(h.label for h in most)} ({most[0].on_topic}{each})"

    def never_heard_words(self, topic: str) -> str:
        """The groups heard elsewhere but never on ``topic``, with their records elsewhere,
        the most heard first and the rest counted: "Mothers (3); GP patients (2); and 15
        more". With none, the least heard and their records on it ("none; least heard:
        Older people (1 on it)")."""
        _, least = self.heard(topic)
        never = [h for h in least if h.on_topic == 0]
        if not never:
            fewest = [f"{h.label} ({h.on_topic} on it)" for h in least[:SHOWN_NEVER_HEARD]]
            return "none" + (f"; least heard: {LABEL_SEPARATOR.join(fewest)}" if fewest else "")
        named = [f"{h.label} ({h.records})" for h in never[:SHOWN_NEVER_HEARD]]
        if len(never) > SHOWN_NEVER_HEARD:
            named.append(f"and {len(never) - SHOWN_NEVER_HEARD} more")
        return LABEL_SEPARATOR.join(named)

    @property
    def topics_by_label(self) -> list[str]:
        """The topics of the coverage matrix in the order a reader looks for them."""
        labels = {topic: self.topic_labels.get(topic, topic) for topic in self.coverage}
        return sorted(labels, key=lambda topic: labels[topic].casefold())

    @property
    def never_heard_labels(self) -> list[str]:
        """The groups no record has heard, by label, alphabetically."""
        never = (self.population_labels.get(p, p) for p in self.never_heard)
        return sorted(never, key=str.casefold)

    @property
    def summary(self) -> str:
        """The first line: how much is recorded, how much answered, how much is due."""
        return (
            f"{number_of(self.records, 'record')}, {number_of(self.findings, 'finding')}, "
            f"{self.response_share:.0%} with a response; "
            f"{number_of(len(self.past_review_by), 'record')} past review_by, "
            f"{len(self.due_for_review)} still due (see copro review)"
        )

    @property
    def counts(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """The count tables (title, rows of label and records), each in its own order:
        years in time, rungs up the ladder, sectors and statuses as the contract lists
        them; labels, not ids."""
        return [
            ("year", sorted(self.by_year.items())),
            ("rung of the ladder", labelled(self.by_ladder, LADDER, LADDER_LABELS)),
            ("sector involved", labelled(self.by_sector, SECTORS, SECTOR_LABELS)),
            ("status", labelled(self.by_status, RECORD_STATUSES, RECORD_STATUS_LABELS)),
        ]

    @property
    def never_heard(self) -> list[str]:
        """Populations of the vocabulary with no record at all in this archive."""
        return sorted(p for p in self.population_labels if not self.population_records[p])

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
            "due_for_review": self.due_for_review,
            "coverage": self.coverage,
            "least_heard": {
                topic: [h.to_json() for h in self.heard(topic)[1]] for topic in self.coverage
            },
            "never_heard": self.never_heard,
        }


def labelled(
    counter: Counter[str], order: Sequence[str], labels: dict[str, str]
) -> list[tuple[str, int]]:
    """``counter``'s rows in ``order`` (a value it does not know last), each by its label."""
    known = [value for value in order if counter[value]]
    known += sorted(value for value in counter if value not in order)
    return [(labels.get(value, value), counter[value]) for value in known]


def archive_stats(
    archive: Archive | Path,
    as_of: str | None = None,
    members: Sequence[str] = (),
    include_withdrawn: bool = False,
) -> ArchiveStats:
    """Count the archive (in a hub, of ``members`` only when given; withdrawn records only
    when ``include_withdrawn``); ``coverage`` has every population x every used topic."""
    archive = Archive.of(archive)
    wanted = Selection.parse(archive, members=members, include_withdrawn=include_withdrawn)
    vocab = archive.vocab
    with archive.engagement_stream() as stream:  # a row at a time: only the counts held
        return _count(stream, vocab, wanted, as_of)


def _count(
    stream: EngagementStream, vocab: Vocabularies, wanted: Selection, as_of: str | None
) -> ArchiveStats:
    stats = ArchiveStats(as_of=as_of or today_iso(), skipped=len(stream.skipped))
    table: StandingTable | None = None  # worked out when a record is past review_by
    pairs: Counter[tuple[str, str]] = Counter()
    topics_used: set[str] = set()
    for engagement in stream:
        if not wanted.keeps_record(engagement):
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
            table = table or stream.standings(stats.as_of)
            if not engagement.withdrawn and not table.fully_revisited(engagement):
                stats.due_for_review.append(engagement.key)
        topics = set(engagement.topics)
        topics_used |= topics
        for population in set(engagement.populations):
            stats.population_records[population] += 1
            for topic in topics:
                pairs[(population, topic)] += 1
    populations = list(vocab["populations"].terms)
    stats.population_labels = {p: vocab["populations"].label(p) for p in populations}
    stats.topic_labels = {t: vocab["topics"].label(t) for t in topics_used}
    for topic in sorted(topics_used):
        stats.coverage[topic] = {p: pairs.get((p, topic), 0) for p in populations}
    return stats
