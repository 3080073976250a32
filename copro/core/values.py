"""One parser per kind of value a person types: options, prompts, workbook cells, forms.

A date given as ``12/11/2019`` must mean the same thing whether it was typed
after ``--date``, at a prompt, into a spreadsheet cell or a web form, so every
one of them calls the parser here. Each parser returns the value as the record
keeps it (a ``datetime.date``, or the vocabulary word such as ``in-progress``)
or raises :class:`ValueProblem`, whose message never repeats the value unless
it is safe to echo (short, plain, no personal data).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from copro.core import pii
from copro.core.errors import UsageError

DATE_FORMS = "YYYY-MM-DD, D/M/YYYY (day first) or D Month YYYY"
DATE_EXAMPLE = "2019-11-12, 12/11/2019 or 12 November 2019"

RECORD_STATUSES = ("planned", "active", "completed", "withdrawn")
LADDER = (
    "coercion",
    "educating",
    "informing",
    "consultation",
    "engagement",
    "co-design",
    "co-production",
)
SECTORS = ("nhs", "local-authority", "voluntary", "community", "academic", "commissioner", "other")
ROLES = ("lead", "partner", "funder", "commissioner")
ACTION_STATUSES = ("planned", "in-progress", "done", "not-doing")
MADE_BY = ("joint", "organisation", "community")
CREDITS = ("named", "anonymous")
PAYMENTS = ("none", "vouchers", "hourly", "sessional", "salaried", "expenses-only")
OUTCOMES = ("still-holds", "changed", "no-longer-holds", "unclear")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})")
_IN_WORDS = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+([0-9]{4})")
_FINDING_ID = re.compile(r"[Ss]?\s*([0-9]{1,6})")
_ACTION_ID = re.compile(r"[Dd]?\s*([0-9]{1,6})")
_MAX_COUNT = 10**9


class ValueProblem(ValueError):
    """A value that cannot be read; ``message`` is safe to show (the value is not echoed
    unless :func:`copro.pii.safe_echo` passes it)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD``, ``D/M/YYYY`` (day first, also with dots) or ``D Month YYYY``."""
    given = " ".join(str(text).split())
    day_month_year = _date_parts(given)
    if day_month_year is None:
        raise ValueProblem(
            f"{pii.quoted(given)} is not a date: write {DATE_FORMS}", f"e.g. {DATE_EXAMPLE}"
        )
    day, month, year = day_month_year
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(
            f"{pii.quoted(given)} is not a real date (check the day and month; "
            f"the day comes first in D/M/YYYY)"
        ) from None


def parse_date_iso(text: str) -> str:
    """:func:`parse_date` as the record keeps it: ``YYYY-MM-DD``."""
    return parse_date(text).isoformat()


def _date_parts(text: str) -> tuple[int, int, int] | None:
    if match := _ISO.fullmatch(text):
        return int(match[3]), int(match[2]), int(match[1])
    if match := _DAY_FIRST.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3])
    if (match := _IN_WORDS.fullmatch(text)) and match[2].lower() in _MONTHS:
        return int(match[1]), _MONTHS[match[2].lower()], int(match[3])
    return None


def parse_choice(text: str, choices: tuple[str, ...], what: str) -> str:
    """One of ``choices``, written as the id or in words: ``in progress``, ``In_Progress``
    and ``in-progress`` are the same; ``what`` names the kind of value in the message."""
    folded = "-".join(str(text).strip().lower().replace("_", " ").split())
    if folded in choices:
        return folded
    article = "an" if what[:1] in "aeiou" else "a"
    raise ValueProblem(
        f"{pii.quoted(text)} is not {article} {what}: choose one of {', '.join(choices)}"
    )


def parse_action_status(text: str) -> str:
    return parse_choice(text, ACTION_STATUSES, "status of an action")


def parse_record_status(text: str) -> str:
    return parse_choice(text, RECORD_STATUSES, "status")


def parse_ladder(text: str) -> str:
    return parse_choice(text, LADDER, "rung of the ladder")


def parse_sector(text: str) -> str:
    return parse_choice(text, SECTORS, "sector")


def parse_role(text: str) -> str:
    return parse_choice(text, ROLES, "role of an organisation")


def parse_made_by(text: str) -> str:
    return parse_choice(text, MADE_BY, "maker of a decision")


def parse_credit(text: str) -> str:
    return parse_choice(text, CREDITS, "credit")


def parse_payment(text: str) -> str:
    return parse_choice(text, PAYMENTS, "kind of payment")


def parse_outcome(text: str) -> str:
    return parse_choice(text, OUTCOMES, "revisit outcome")


def parse_count(text: str) -> int:
    """A whole number of people or items, 0 or more (``1,200`` and ``1 200`` read as 1200)."""
    digits = str(text).strip().replace(",", "").replace(" ", "")
    if not digits.isascii() or not digits.isdigit():
        raise ValueProblem(f"{pii.quoted(text)} is not a whole number (0 or more)")
    number = int(digits[:12])
    if len(digits) > 10 or number > _MAX_COUNT:
        raise ValueProblem("this number is too large (more than 10^9)")
    return number


def parse_yes_no(text: str) -> bool:
    """yes/no, y/n, true/false, 1/0 (any case)."""
    folded = str(text).strip().lower()
    if folded in ("yes", "y", "true", "1"):
        return True
    if folded in ("no", "n", "false", "0"):
        return False
    raise ValueProblem(f"{pii.quoted(text)} is not yes or no")


def parse_finding_id(text: str) -> str:
    """A finding's id as people type it: ``S3``, ``s3`` or ``3`` -> ``S3``."""
    match = _FINDING_ID.fullmatch(str(text).strip())
    if not match:
        raise ValueProblem(f"{pii.quoted(text)} is not a finding id (S1, S2, ...)")
    return f"S{int(match[1])}"


def parse_action_id(text: str) -> str:
    """An action's id as people type it: ``D2``, ``d2`` or ``2`` -> ``D2``."""
    match = _ACTION_ID.fullmatch(str(text).strip())
    if not match:
        raise ValueProblem(f"{pii.quoted(text)} is not an action id (D1, D2, ...)")
    return f"D{int(match[1])}"


def parse_text(text: str) -> str:
    """One line of words: inner white space made single; empty is a problem."""
    words = " ".join(str(utf8_text(text)).split())
    if not words:
        raise ValueProblem("this must not be empty")
    return words


def utf8_text(text: str) -> str:
    """``text`` itself, unless it holds a byte that was not UTF-8 where it came from (a
    terminal's arguments arrive with surrogate escapes): that cannot be written."""
    from copro.core.records import not_utf8

    if not_utf8(text):
        raise ValueProblem(
            "holds a byte that is not UTF-8 text; nothing was written",
            "type it again in a terminal set to UTF-8",
        )
    return text


Parsed = TypeVar("Parsed")


def for_option(option: str, parse: Callable[[str], Parsed], text: str) -> Parsed:
    """``parse(text)``, or a UsageError (exit 2) naming ``option``: how options use these."""
    try:
        return parse(text)
    except ValueProblem as problem:
        raise UsageError(
            f"{option}: {problem.message}", problem.hint or f"see `--help` for what {option} takes"
        ) from None
