"""Which records and findings a reading command is about: one value, checked once, applied here.

``search``, ``findings``, ``themes``, ``report``, ``review``, ``stats``,
``export`` and ``site`` narrow the archive by the same options (``--topic``,
``--population``, ``--place`` with narrower terms, ``--method``, ``--ladder``,
``--org``, ``--status``, ``--since``/``--until``, ``--said-before``,
``--standing``, ``--member``, ``--include-withdrawn``; a withdrawn record is
left out unless that or ``--status withdrawn`` asks for it). The command layer declares them once
(``copro.cli.selection``); :meth:`Selection.parse` checks them against the
archive (usage errors exit 2, naming the option) and the result is applied in
one place: :meth:`Selection.keeps_record` and :meth:`Selection.keeps_finding`
for views that read the catalog, :meth:`Selection.narrow_query` for the index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copro.core.errors import UsageError
from copro.core.model import LADDER, STATUSES, Engagement, Finding, parse_date
from copro.core.vocab import resolve_term
from copro.store.standing import STANDINGS, Standing

if TYPE_CHECKING:
    from copro.store.archive import Archive
    from copro.store.query import QuerySpec

__all__ = ["Selection", "TERM_OPTIONS"]

TERM_OPTIONS = {
    "topics": "--topic",
    "populations": "--population",
    "places": "--place",
    "methods": "--method",
}
"""Vocabulary -> the option that names its terms (an id, label or synonym)."""


@dataclass(frozen=True)
class Selection:
    """Checked filters; None (or empty) means "do not narrow by this".

    Vocabulary filters hold the ids named *and* every narrower id; ``named``
    keeps the ids as named (a report's title says "Parenting", not its
    narrower terms).
    """

    topics: frozenset[str] | None = None
    populations: frozenset[str] | None = None
    places: frozenset[str] | None = None
    methods: frozenset[str] | None = None
    ladder: str | None = None
    statuses: frozenset[str] | None = None
    orgs: tuple[str, ...] = ()
    """Parts of an organisation's name (any case)."""
    since: str | None = None
    until: str | None = None
    said_before: str | None = None
    """Only records dated before this day (``findings --said-before``)."""
    standings: frozenset[str] | None = None
    members: frozenset[str] | None = None
    """In a hub, ``--member``: only these members' records (None: every one)."""
    include_withdrawn: bool = False
    """``--include-withdrawn``: withdrawn records too (contract v3 leaves them out unless
    asked for, by this or by ``--status withdrawn``)."""
    named: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(
        cls,
        archive: Archive,
        *,
        topics: Sequence[str] = (),
        populations: Sequence[str] = (),
        places: Sequence[str] = (),
        methods: Sequence[str] = (),
        ladder: str | None = None,
        orgs: Sequence[str] = (),
        statuses: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        said_before: str | None = None,
        standings: Sequence[str] = (),
        members: Sequence[str] = (),
        include_withdrawn: bool = False,
    ) -> Selection:
        """Check every option as a person typed it (a UsageError, exit 2, names the option)."""
        start, end = parse_date(since, "--since"), parse_date(until, "--until")
        if start and end and end < start:
            raise UsageError("--until is before --since")
        bad = [s for s in standings if s not in STANDINGS]
        if bad:
            raise UsageError(
                f"--standing {bad[0]!r} is not a standing", "one of: " + ", ".join(STANDINGS)
            )
        given = {"topics": topics, "populations": populations, "places": places}
        given["methods"] = methods
        named = {
            name: tuple(resolve_term(archive.vocab, name, g, TERM_OPTIONS[name]) for g in terms)
            for name, terms in given.items()
            if terms
        }
        if ladder and ladder not in LADDER:
            raise UsageError(f"--ladder {ladder!r} is not a rung", "rungs: " + ", ".join(LADDER))
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise UsageError(
                f"--status {bad[0]!r} is not a status", "statuses: " + ", ".join(STATUSES)
            )

        def expanded(name: str) -> frozenset[str] | None:
            ids = named.get(name)
            return frozenset(archive.vocab.expand(name, list(ids))) if ids else None

        return cls(
            topics=expanded("topics"),
            populations=expanded("populations"),
            places=expanded("places"),
            methods=expanded("methods"),
            ladder=ladder or None,
            statuses=frozenset(statuses) if statuses else None,
            orgs=tuple(o for o in (re.sub(r"[*?]", "", o).strip() for o in orgs) if o),
            since=start,
            until=end,
            said_before=parse_date(said_before, "--said-before"),
            standings=frozenset(standings) if standings else None,
            members=archive.members(members),
            include_withdrawn=bool(include_withdrawn),
            named=named,
        )

    # ------------------------------------------------------------ applying it

    @property
    def withdrawn_wanted(self) -> bool:
        """Whether withdrawn records are shown: only when asked for (contract v3)."""
        return self.include_withdrawn or bool(self.statuses and "withdrawn" in self.statuses)

    def keeps_record(self, record: Engagement) -> bool:
        """Whether ``record`` passes every record-level filter (topics are per finding)."""
        if record.withdrawn and not self.withdrawn_wanted:
            return False
        if self.members is not None and record.member not in self.members:
            return False
        date = record.date
        if (self.since and date < self.since) or (self.until and date > self.until):
            return False
        if self.said_before is not None and not date < self.said_before:
            return False
        for wanted, have in (
            (self.populations, record.populations),
            (self.places, record.places),
            (self.methods, record.methods),
        ):
            if wanted is not None and not wanted & set(have):
                return False
        if self.ladder is not None and record.ladder != self.ladder:
            return False
        if self.statuses is not None and record.status not in self.statuses:
            return False
        return not self.orgs or self.involves(record)

    def involves(self, record: Engagement) -> bool:
        """Whether an organisation of ``record`` has a name containing one of ``orgs``."""
        names = [o.name.casefold() for o in record.organisations]
        return any(w.casefold() in name for w in self.orgs for name in names)

    def keeps_finding(self, record: Engagement, finding: Finding, standing: Standing) -> bool:
        """Whether a finding of a kept record passes the topic and standing filters."""
        if self.topics is not None and not self.topics & set(record.finding_topics(finding)):
            return False
        return self.standings is None or standing.standing in self.standings

    def finding_ids(self, record: Engagement) -> set[str] | None:
        """The findings of ``record`` on the wanted topics (None: no topic filter)."""
        if self.topics is None:
            return None
        return {f.id for f in record.findings if self.topics & set(record.finding_topics(f))}

    def narrow_query(self, spec: QuerySpec) -> None:
        """Put the record-level filters into an index query (the index applies them)."""
        spec.since, spec.until = self.since, self.until
        for name in ("topics", "populations", "places", "methods"):
            ids = getattr(self, name)
            if ids is not None:
                spec.filters[name] = set(ids)
        if self.ladder is not None:
            spec.filters["ladder"] = {self.ladder}
        if self.statuses is not None:
            spec.filters["status"] = set(self.statuses)
        if self.members is not None:
            spec.filters["member"] = set(self.members)
        spec.org_patterns = list(self.orgs)
        spec.include_withdrawn = self.withdrawn_wanted
