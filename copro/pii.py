"""Personal-data scan: e-mail, UK phone numbers, NHS numbers, postcodes, dates of birth.

The archive's history is permanent and may be public, so this gate runs on
front-matter, body and commit history alike. A finding names the line and the
*kind* of data, never the text that matched (CI logs can be public), and no
baseline of hashed values is ever kept (10^10 NHS numbers brute-force in
minutes). Cheap regular expressions find candidates over the whole text;
``phonenumbers`` only sees the few lines that hold a long run of digits.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = {
    "pii-email": "an e-mail address",
    "pii-phone": "a phone number",
    "pii-nhs-number": "an NHS number",
    "pii-postcode": "a full postcode",
    "pii-date-of-birth": "a date of birth",
}


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    code: str

    @property
    def message(self) -> str:
        return (
            f"personal data: {KINDS[self.code]} (not shown); remove it, or if it is a "
            "deliberate false positive mark the line with the copro allow-pii marker"
        )


# E-mail, also obfuscated: name [at] domain [dot] org, &#64;, %40, mailto:
_AT_ENTITY = re.compile(r"&#0*64;|&#x0*40;|&commat;|%40|\uff20", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_EMAIL_SPELLED = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:[\[({<]\s*at\s*[\])}>]|\s+at\s+)\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:[\[({<]\s*dot\s*[\])}>]|\s+dot\s+|\.)\s*[A-Za-z0-9\-]+)+",
    re.IGNORECASE,
)
_SPELLED_NEEDS = re.compile(r"[\[({<]\s*(?:at|dot)\s*[\])}>]|\sdot\s", re.IGNORECASE)

# Phones: a long digit run (separators allowed) is the cheap prefilter. White space
# between digit groups may be a line break: a number split over two lines counts.
_CANDIDATE = re.compile(r"[+\d][\d\s\-.()\u00a0]{8,}")
_UK_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s\-.)\u00a0]{0,2}\d){9}(?!\d)"
)

# NHS numbers: 10 digits, 3-3-4 with one kind of separator or none, modulus 11.
_NHS = re.compile(r"(?<![\d.\-/])(\d{3})([ \-]?)(\d{3})\2(\d{4})(?![\d])")
_ISBN_BEFORE = re.compile(r"isbn[\s:\-]*(?:10)?[\s:\-]*$", re.IGNORECASE)

# Full UK postcodes (an outward code alone, like NW1, is fine).
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_DOB = re.compile(
    r"(?:\bborn\b|\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b)"
    rf"[^\n\d]{{0,20}}{_DATE}",
    re.IGNORECASE,
)
_DOB_NEEDS = re.compile(r"born|d\.?o\.?b|birth", re.IGNORECASE)


def scan_text(text: str, allowed: Iterable[int] = (), first_line: int = 1) -> list[Finding]:
    """Every personal-data finding in ``text``; lines in ``allowed`` are skipped."""
    starts = _line_starts(text)
    skip = set(allowed)
    found: set[Finding] = set()

    def at(offset: int, code: str) -> None:
        line = bisect.bisect_right(starts, offset) - 1 + first_line
        if line not in skip:
            found.add(Finding(line, code))

    _scan_email(text, at)
    _scan_numbers(text, at)
    if any(c.isalpha() for c in text):
        for match in _POSTCODE.finditer(text):
            value = match.group()
            if value.isupper() or value.islower():
                at(match.start(), "pii-postcode")
    if _DOB_NEEDS.search(text):
        for match in _DOB.finditer(text):
            at(match.start(), "pii-date-of-birth")
    return sorted(found)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _scan_email(text: str, at) -> None:  # noqa: ANN001
    if "@" in text or "&" in text or "%" in text or "\uff20" in text:
        plain = _AT_ENTITY.sub("@", text)  # same lines, shorter: map lines on ``plain``
        plain_starts = _line_starts(plain)
        for match in _EMAIL.finditer(plain):
            line_index = bisect.bisect_right(plain_starts, match.start()) - 1
            at(_line_starts(text)[line_index] if plain is not text else match.start(), "pii-email")
    if _SPELLED_NEEDS.search(text):
        for match in _EMAIL_SPELLED.finditer(text):
            if _SPELLED_NEEDS.search(match.group()):
                at(match.start(), "pii-email")


def _scan_numbers(text: str, at) -> None:  # noqa: ANN001
    """Phones and NHS numbers: both need a run of nine or more digits.

    A cheap character-class scan finds such runs; the detectors then run only
    on the lines that hold one (whole-text regexes cost more than all the rest).
    """
    for start, end in _digit_regions(text):
        region = text[start:end]
        phone_spans: list[tuple[int, int]] = []
        for match in _UK_PHONE.finditer(region):
            phone_spans.append(match.span())
            at(start + match.start(), "pii-phone")
        for span_start, span_end in _phonenumbers_spans(region):
            phone_spans.append((span_start, span_end))
            at(start + span_start, "pii-phone")
        for match in _NHS.finditer(region):
            if any(s <= match.start() < e for s, e in phone_spans):
                continue
            if _ISBN_BEFORE.search(region[max(0, match.start() - 16) : match.start()]):
                continue
            if nhs_checksum_ok(match.group(1) + match.group(3) + match.group(4)):
                at(start + match.start(), "pii-nhs-number")


def _digit_regions(text: str) -> list[tuple[int, int]]:
    """Whole lines (merged) around every run holding nine or more digits."""
    regions: list[tuple[int, int]] = []
    for run in _CANDIDATE.finditer(text):
        value = run.group()
        if sum(c.isdigit() for c in value) < 9:
            continue
        start = text.rfind("\n", 0, run.start()) + 1
        end = text.find("\n", run.end())
        end = len(text) if end == -1 else end
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    return regions


def _phonenumbers_spans(region: str) -> list[tuple[int, int]]:
    """Numbers libphonenumber holds valid (UK default region) in ``region``."""
    import phonenumbers

    matcher = phonenumbers.PhoneNumberMatcher(region, "GB", leniency=phonenumbers.Leniency.VALID)
    return [(match.start, match.end) for match in matcher]


_ECHO_FORM = re.compile(r"[A-Za-z0-9_.\- ]{1,40}")
_ID_SEPARATORS = re.compile(r"[-_.]")


def safe_echo(value: object) -> str | None:
    """The value as text if a message may repeat it, else None.

    Messages reach terminals and public CI logs, so a value is repeated only
    when it is short, plain, and passes the personal-data scan, also with its
    hyphens read as spaces (``carers-9434765919`` hides an NHS number).
    """
    text = str(value)
    if not _ECHO_FORM.fullmatch(text):
        return None
    if scan_text(text) or scan_text(_ID_SEPARATORS.sub(" ", text)):
        return None
    return text


def shown(value: object, hidden: str = "(not shown)") -> str:
    """``value`` when :func:`safe_echo` passes it, otherwise a word saying it is withheld."""
    return safe_echo(value) or hidden


def quoted(value: object) -> str:
    """``'value'`` for a message when :func:`safe_echo` passes it, else ``(value not shown)``."""
    echoed = safe_echo(value)
    return f"'{echoed}'" if echoed is not None else "(value not shown)"


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number modulus-11 check (weights 10..2; a check digit of 10 is invalid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])
