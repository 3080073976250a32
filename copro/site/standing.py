"""The standing of each finding (contract section 6), worked out once from the whole archive.

The standing of a finding is the outcome of the latest revisit that names it
directly (latest by the revisiting record's date; on the same date the record
whose id sorts last counts as later); a finding nobody revisited is
``not-revisited``. Old records are never edited to say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from copro.model import Engagement

NOT_REVISITED = "not-revisited"
OUTCOME_LABELS = {
    "still-holds": "Still holds",
    "changed": "Changed",
    "no-longer-holds": "No longer holds",
    "unclear": "Unclear",
    NOT_REVISITED: "Not checked since",
}
"""Outcome -> the label of the search filter and the findings page."""


def month_year(date: str) -> str:
    """``2024-04-02`` -> ``April 2024`` (dates in words, as people say them)."""
    try:
        return dt.date.fromisoformat(date[:10]).strftime("%B %Y")
    except ValueError:
        return date


@dataclass(frozen=True)
class Standing:
    outcome: str
    date: str | None
    """The revisiting record's date, or the finding's own record date when not revisited."""
    by: str | None = None
    """The revisiting finding (``ID#SN``); None when not revisited."""

    @property
    def label(self) -> str:
        return (
            "Not checked again" if self.outcome == NOT_REVISITED else OUTCOME_LABELS[self.outcome]
        )

    @property
    def words(self) -> str:
        """ "still holds, checked April 2024" and the contract's other phrasings."""
        when = month_year(self.date or "")
        if self.outcome == NOT_REVISITED:
            return f"not checked since {when}"
        if self.outcome == "still-holds":
            return f"still holds, checked {when}"
        return f"{OUTCOME_LABELS[self.outcome].lower()}, {when}"


class StandingBook:
    """Every finding's text and standing, from ``(record id, front-matter)`` pairs."""

    def __init__(self) -> None:
        self._latest: dict[str, tuple[str, str, str, str]] = {}
        self._text: dict[str, str] = {}
        self._dates: dict[str, str] = {}

    @classmethod
    def from_engagements(cls, engagements: Iterable[Engagement]) -> StandingBook:
        book = cls()
        for e in engagements:
            book._dates[e.key] = e.date
            for finding in e.findings:
                key = f"{e.key}#{finding.id}"
                book._text[key] = finding.text
                for revisit in finding.revisits:
                    candidate = (e.date, e.key, revisit.outcome, key)
                    latest = book._latest.get(revisit.finding)
                    if latest is None or candidate[:2] > latest[:2]:
                        book._latest[revisit.finding] = candidate
        return book

    def standing(self, key: str) -> Standing:
        latest = self._latest.get(key)
        if latest is None or latest[2] not in OUTCOME_LABELS:
            return Standing(NOT_REVISITED, self._dates.get(key.split("#", 1)[0]))
        date, _, outcome, by = latest
        return Standing(outcome, date, by)

    def text(self, key: str) -> str:
        return self._text.get(key, "")
