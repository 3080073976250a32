"""The standing of a finding: does what people said still hold? (contract section 6)

A later record's finding may go back to an earlier finding (``revisits``).
The standing of a finding is the outcome of the latest revisit naming it,
worked out here once per run from the whole archive (or hub) and never
written back into the old record. One function, :func:`standings`, serves
``findings``, ``show``, ``report``, ``review``, ``themes``, the exports, the
site and the hub::

    from copro.store.catalog import load_catalog
    from copro.store.standing import standings

    table = standings(load_catalog(root).engagements)
    table.of(engagement, "S3").words()      # "still holds, checked April 2024"
    table.checked_again(follow_up)          # what a revisiting record went back to

Findings are keyed by their fully qualified id, ``<record key>#S<n>``, where
the record key is ``member:id`` in a hub and the plain id otherwise, so the
same table works for one archive and for a hub.

Which revisits count (choices the contract leaves open, in the README):
a revisit from a ``withdrawn`` record does not count; nor does one that
``validate`` rejects (an unknown outcome, a record not dated after the one it
revisits, a second revisit of the same finding in one record: the first
counts). ``as_of`` leaves out revisiting records dated after it (review's
``--as-of``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from copro.core.model import OUTCOMES, Engagement, Finding, Revisit
from copro.core.words import NOT_REVISITED, month_year

STANDINGS = (*OUTCOMES, NOT_REVISITED)
"""Every standing a finding can have, in the order people read them."""

__all__ = [
    "NOT_REVISITED",
    "STANDINGS",
    "CheckedAgain",
    "RevisitedBy",
    "Standing",
    "StandingTable",
    "claimed_standings",
    "finding_key",
    "standings",
    "target_key",
]


def finding_key(engagement: Engagement, finding_id: str) -> str:
    """The fully qualified id of a finding: ``<record key>#S<n>``."""
    return f"{engagement.key}#{finding_id}"


def target_key(engagement: Engagement, revisit: Revisit) -> str:
    """The fully qualified id of the finding a revisit names.

    A plain ``id#Sn`` in a hub member's record names a record of that member.
    """
    if revisit.member or not engagement.member:
        return revisit.finding
    return f"{engagement.member}:{revisit.finding}"


@dataclass(frozen=True)
class RevisitedBy:
    """One later finding that went back to a finding, and what it found."""

    finding: str
    """The revisiting finding, fully qualified (``ID#SN``)."""
    record: Engagement
    text: str
    outcome: str
    note: str | None

    @property
    def date(self) -> str:
        return self.record.date

    @property
    def member(self) -> str | None:
        return self.record.member

    def to_json(self) -> dict[str, str]:
        return {"finding": self.finding, "date": self.date, "outcome": self.outcome}


@dataclass(frozen=True)
class Standing:
    """Where a finding stands now; ``revisited_by`` is oldest first."""

    standing: str
    said: str
    """The date of the record that holds the finding."""
    revisited_by: tuple[RevisitedBy, ...] = ()

    @property
    def latest(self) -> RevisitedBy | None:
        return self.revisited_by[-1] if self.revisited_by else None

    @property
    def date(self) -> str | None:
        """``standing_date``: the date of the revisit that set the standing."""
        latest = self.latest
        return latest.date if latest else None

    @property
    def revisited(self) -> bool:
        return self.standing != NOT_REVISITED

    def words(self, see: str | None = None) -> str:
        """The standing in words, as the contract spells it.

        "still holds, checked April 2024"; "changed, April 2024: see <see>";
        "no longer holds, April 2024"; "unclear, April 2024"; "not checked
        since March 2019". ``see`` names the later finding (by default its
        id); in a hub, the member that checked it is named.
        """
        latest = self.latest
        if latest is None:
            return f"not checked since {month_year(self.said)}"
        when = month_year(latest.date)
        by = f" by {latest.record.lead_name or latest.member}" if latest.member else ""
        if self.standing == "still-holds":
            return f"still holds, checked {when}{by}"
        if self.standing == "changed":
            return f"changed, {when}{by}: see {see or latest.finding}"
        if self.standing == "no-longer-holds":
            return f"no longer holds, {when}{by}"
        return f"unclear, {when}{by}"


@dataclass(frozen=True)
class CheckedAgain:
    """An earlier finding a revisiting record went back to ("What we checked again")."""

    own: Finding
    """This record's finding that carries the revisit."""
    target: str
    """The earlier finding, fully qualified."""
    earlier: Engagement | None
    """The earlier record (None when it is not in the archive)."""
    earlier_finding: Finding | None
    outcome: str
    note: str | None


@dataclass(frozen=True)
class StandingTable:
    """The standing of every finding of an archive, computed once per run."""

    revisits: Mapping[str, tuple[RevisitedBy, ...]]
    """Fully qualified finding id -> the later findings that revisited it, oldest first."""
    by_key: Mapping[str, Engagement]

    def of(self, engagement: Engagement, finding_id: str) -> Standing:
        """The standing of finding ``finding_id`` of ``engagement``."""
        found = self.revisits.get(finding_key(engagement, finding_id), ())
        return Standing(found[-1].outcome if found else NOT_REVISITED, engagement.date, found)

    def fully_revisited(self, engagement: Engagement) -> bool:
        """Every finding of the record has been revisited (a record with none has not)."""
        return bool(engagement.findings) and all(
            finding_key(engagement, f.id) in self.revisits for f in engagement.findings
        )

    def look_up(self, engagements: Iterable[Engagement]) -> None:
        """Read the earlier records these records revisit, all at once, before
        :meth:`checked_again` is asked of each (nothing to do: ``by_key`` holds all)."""

    def checked_again(self, engagement: Engagement) -> list[CheckedAgain]:
        """The earlier findings this record went back to, in the order it lists them."""
        out = []
        for finding in engagement.findings:
            for revisit in finding.revisits:
                key = target_key(engagement, revisit)
                record_key, _, finding_id = key.partition("#")
                earlier = self.by_key.get(record_key)
                out.append(
                    CheckedAgain(
                        finding,
                        key,
                        earlier,
                        earlier.finding(finding_id) if earlier else None,
                        revisit.outcome,
                        revisit.note,
                    )
                )
        return out


def standings(engagements: Iterable[Engagement], as_of: str | None = None) -> StandingTable:
    """Work out the standing of every finding from every revisit in ``engagements``.

    Revisits are ordered by the revisiting record's date and, on the same
    date, by its key (the record whose id sorts last counts as later).
    """
    everything = list(engagements)
    by_key = {e.key: e for e in everything}

    def counts(engagement: Engagement, revisit: Revisit, key: str) -> bool:
        return _counts(engagement, revisit, key, by_key)

    return StandingTable(_revisits(everything, as_of, counts), by_key)


def _revisits(
    engagements: Iterable[Engagement],
    as_of: str | None,
    counts: Callable[[Engagement, Revisit, str], bool],
) -> dict[str, tuple[RevisitedBy, ...]]:
    """Fully qualified finding id -> the revisits of it that ``counts``, oldest first: of
    each record, the first that counts for each finding it names."""
    found: dict[str, list[tuple[str, str, RevisitedBy]]] = {}
    for engagement in engagements:
        if engagement.withdrawn or (as_of is not None and engagement.date > as_of):
            continue
        seen: set[str] = set()
        for finding in engagement.findings:
            for revisit in finding.revisits:
                key = target_key(engagement, revisit)
                if key in seen or not counts(engagement, revisit, key):
                    continue
                seen.add(key)
                entry = RevisitedBy(
                    finding_key(engagement, finding.id),
                    engagement,
                    finding.text,
                    revisit.outcome,
                    revisit.note,
                )
                found.setdefault(key, []).append((engagement.date, engagement.key, entry))
    return {
        key: tuple(e for _, _, e in sorted(items, key=lambda i: i[:2]))
        for key, items in found.items()
    }


def _counts(
    engagement: Engagement, revisit: Revisit, key: str, by_key: Mapping[str, Engagement]
) -> bool:
    """Whether a revisit is one ``validate`` accepts: a known outcome, an earlier record."""
    if revisit.outcome not in OUTCOMES:
        return False
    record_key, _, finding_id = key.partition("#")
    earlier = by_key.get(record_key)
    if earlier is None or earlier is engagement or earlier.finding(finding_id) is None:
        return False
    return bool(earlier.date) and earlier.date < engagement.date


@dataclass(frozen=True)
class ClaimedStandingTable(StandingTable):
    """The standings of :func:`claimed_standings`: each finding's revisits as the
    revisiting records claim them, checked against the earlier record when its
    standing is asked (that record is the one at hand), so the earlier records never
    need to be read first. ``by_key`` is filled on demand through ``lookup`` (only
    "What we checked again" asks it)."""

    lookup: Callable[[Iterable[str]], Mapping[str, Engagement]] | None = field(
        default=None, compare=False
    )

    def counted(self, engagement: Engagement, finding_id: str) -> tuple[RevisitedBy, ...]:
        """The claims on finding ``finding_id`` that ``validate`` accepts: from another
        record, dated after ``engagement`` (which has that finding), oldest first."""
        claims = self.revisits.get(finding_key(engagement, finding_id), ())
        if not claims or not engagement.date or engagement.finding(finding_id) is None:
            return ()
        return tuple(
            c for c in claims if c.record.key != engagement.key and engagement.date < c.date
        )

    def of(self, engagement: Engagement, finding_id: str) -> Standing:
        found = self.counted(engagement, finding_id)
        return Standing(found[-1].outcome if found else NOT_REVISITED, engagement.date, found)

    def fully_revisited(self, engagement: Engagement) -> bool:
        return bool(engagement.findings) and all(
            self.counted(engagement, f.id) for f in engagement.findings
        )

    missed: set[str] = field(default_factory=set, compare=False)
    """Record keys ``lookup`` did not find (not asked again)."""

    def look_up(self, engagements: Iterable[Engagement]) -> None:
        wanted = {
            target_key(engagement, revisit).partition("#")[0]
            for engagement in engagements
            for finding in engagement.findings
            for revisit in finding.revisits
        }
        missing = wanted - set(self.by_key) - self.missed
        if missing and self.lookup is not None:
            found = self.lookup(missing)
            assert isinstance(self.by_key, dict)
            self.by_key.update(found)
            self.missed.update(missing - set(found))

    def checked_again(self, engagement: Engagement) -> list[CheckedAgain]:
        self.look_up([engagement])
        return super().checked_again(engagement)


def claimed_standings(
    revisiting: Iterable[Engagement],
    as_of: str | None = None,
    lookup: Callable[[Iterable[str]], Mapping[str, Engagement]] | None = None,
) -> ClaimedStandingTable:
    """The standings of :func:`standings`, from the records that revisit alone.

    ``revisiting`` must hold every record with a revisit (others are ignored; a
    light record with the keys of ``catalog.REVISITING_KEYS`` is enough). Each
    record's first revisit of a finding with a known outcome is its claim: the rest
    of what ``validate`` asks (an earlier record, holding that finding) is checked
    when the finding's standing is asked, which gives what :func:`standings` gives
    for any archive without two records of one id.
    """

    def known(engagement: Engagement, revisit: Revisit, key: str) -> bool:
        return revisit.outcome in OUTCOMES

    return ClaimedStandingTable(_revisits(revisiting, as_of, known), {}, lookup)
