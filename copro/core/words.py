"""How copro says things in words: the one table of labels every output shares.

Letters, reports, the GRIPP2 checklist and the static site all show the same
vocabularies (ladder rungs, action statuses, payments, ...) in words. They
read them from here, so a label is changed once and cannot drift between
outputs. Tables hold the words as they appear mid-sentence; :func:`capital`
gives the form that starts a label ("In progress").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

MONTHS = (
    "January February March April May June July August September October November December"
).split()
"""English month names whatever the locale (reports are written in English)."""

NOT_REVISITED = "not-revisited"
"""The standing of a finding nobody has checked again."""

LADDER_WORDS = {
    "coercion": "coercion",
    "educating": "educating",
    "informing": "informing",
    "consultation": "consultation",
    "engagement": "engagement",
    "co-design": "co-design",
    "co-production": "co-production",
}
ACTION_WORDS = {
    "done": "done",
    "in-progress": "in progress",
    "planned": "planned",
    "not-doing": "not doing",
}
RECORD_STATUS_WORDS = {
    "planned": "planned",
    "active": "active",
    "completed": "completed",
    "withdrawn": "withdrawn",
}
MADE_BY_WORDS = {
    "joint": "decided together",
    "organisation": "decided by the organisation",
    "community": "decided by the community",
}


def sentence(text: str) -> str:
    """``text`` ending as a sentence does (no doubled stop before more words)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "\u201d", '"', ")")) else text + "."


def decision_sentence(text: str, made_by: str, date: str | None) -> str:
    """A decision as a letter or a page says it: "Sessions move to Saturdays. Decided
    together on 1 September 2026." (never "Saturdays.: decided together")."""
    said = f"{sentence(text)} {capital(MADE_BY_WORDS.get(made_by, made_by))}"
    return said + (f" on {date_words(date)}." if date else ".")


def decision_line(text: str, made_by: str, date: str | None) -> str:
    """A decision as a screen lists it: its words, then who made it and when, in words
    ("Sessions move to Saturdays (decided together, 2026-09-01)")."""
    made = ", ".join(part for part in (MADE_BY_WORDS.get(made_by, made_by), date) if part)
    return f"{text} ({made})" if made else text


PAYMENT_WORDS = {
    "none": "no payment",
    "vouchers": "vouchers",
    "hourly": "an hourly payment",
    "sessional": "a payment for each session",
    "salaried": "paid roles",
    "expenses-only": "expenses only",
}
OUTCOME_WORDS = {
    "still-holds": "this still holds",
    "changed": "this has changed",
    "no-longer-holds": "this no longer holds",
    "unclear": "it is not clear whether this still holds",
}
"""A revisit's outcome as a letter says it."""
STANDING_LABELS = {
    "still-holds": "Still holds",
    "changed": "Changed",
    "no-longer-holds": "No longer holds",
    "unclear": "Unclear",
    NOT_REVISITED: "Not checked again",
}
"""A finding's standing as a label (a search filter value, a table column)."""
SECTOR_LABELS = {
    "nhs": "NHS",
    "local-authority": "Local authority",
    "voluntary": "Voluntary sector",
    "community": "Community group",
    "academic": "Academic",
    "commissioner": "Commissioner",
    "other": "Other",
}


def organisation_words(organisation: Any) -> str:
    """``Leeds Carers Together (Voluntary sector, lead)``: the sector's label, not its id."""
    sector = SECTOR_LABELS.get(organisation.sector, organisation.sector)
    return f"{organisation.name} ({sector}, {organisation.role})"


def capital(words: str) -> str:
    """``in progress`` -> ``In progress`` (the start of a label or a sentence)."""
    return words[:1].upper() + words[1:]


def labels(table: dict[str, str]) -> dict[str, str]:
    """A table of words as labels: each value with a capital first letter."""
    return {value: capital(words) for value, words in table.items()}


ACTION_LABELS = labels(ACTION_WORDS)
RECORD_STATUS_LABELS = labels(RECORD_STATUS_WORDS)
LADDER_LABELS = labels(LADDER_WORDS)


def word(table: dict[str, str], value: str | None) -> str:
    """``value`` in words from ``table``; a value the table does not know is shown as is."""
    if value is None:
        return ""
    return table.get(value, value)


def _day(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso or "")
    except ValueError:
        return None


def month_year(iso: str | None) -> str:
    """``2024-04-13`` as "April 2024" (how people say when something was checked)."""
    day = _day(iso)
    return f"{MONTHS[day.month - 1]} {day.year}" if day else iso or "an unknown date"


def date_words(iso: str | None) -> str:
    """``2026-11-14`` as "14 November 2026": how a letter gives a date."""
    day = _day(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else iso or ""


def number_of(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 record", "15 records": a count as a screen of figures says it (never "record(s)")."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "one person", "3 people": a count as a letter says it. "The 1 person who took part"
    reads like a form; one is written as a word (as in "the one thing you told us")."""
    said = number_of(count, singular, plural)
    return "one" + said[1:] if count == 1 else said


def and_list(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C": a list as a sentence says it."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def thanks_sentence(named: Sequence[str], anonymous: int, verb: str, everyone: str) -> str:
    """The thank-you of a letter: the people named (each "Name (role)"), then how many
    more took part without being named, then ``everyone`` else, each thanked once.

    "Thank you to A (chair) and B (peer coach), and to one more person who contributed
    without being named. And thank you to everyone who took part." With nobody named:
    "Thank you to the 3 people who ... without being named, and to everyone who took part."
    ``verb`` says what the contributors did ("contributed", "took part").
    """
    unnamed = f"who {verb} without being named"
    if named:
        said = f"Thank you to {and_list(named)}"
        if anonymous:
            said += f", and to {counted(anonymous, 'more person', 'more people')} {unnamed}"
        return f"{said}. And thank you to {everyone}."
    if anonymous:
        people = counted(anonymous, "person", "people")
        return f"Thank you to the {people} {unnamed}, and to {everyone}."
    return f"Thank you to {everyone}."
