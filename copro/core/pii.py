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
import unicodedata
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


# Before matching, text is normalised without changing its lines: YAML and
# JSON escapes (\x40, \u0040) decoded, HTML and URL forms of @ made plain, Unicode
# spaces and dashes made ASCII, invisible characters dropped, then NFKC (fullwidth
# digits and @). Every pattern below has bounded repetitions and e-mail matching
# is anchored at each @ or "at", so a scan is linear in the size of the text.
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(_))")
_AT_ENTITY = re.compile(r"&#0{0,8}64;|&#x0{0,8}40;|&commat;|%40", re.IGNORECASE)
_SPACES = "\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
_TRANSLATE = {
    **{ord(c): " " for c in _SPACES},
    **{ord(c): "-" for c in _DASHES},
    **{ord(c): None for c in _INVISIBLE},
}

# E-mail: the part after an @ (or a spelled "at") is matched from there. Around
# the @ and the dots: spaces, or a line break with indentation (wrapped text).
_W = r"[ \t]{0,3}(?:\n[ \t>]{0,40})?"
_LOCAL_REVERSED = re.compile(r"(?:[ \t>]{0,40}\n)?[ \t]{0,3}[\w.%+\-]{0,63}[\w%+\-]")
_DOMAIN = re.compile(rf"{_W}(?:[\w\-]{{1,63}}\.){{1,8}}[^\W\d_]{{2,24}}")
_AT_SPELLED = re.compile(r"[\[({<][ \t]{0,2}at[ \t]{0,2}[\])}>]|(?<=\s)at(?=\s)", re.IGNORECASE)
_DOT_SPELLED = rf"(?:{_W}[\[({{<][ \t]{{0,2}}dot[ \t]{{0,2}}[\])}}>]{_W}|\s{_W}dot\s{_W}|\.)"
_DOMAIN_SPELLED = re.compile(
    rf"{_W}[\w\-]{{1,63}}(?:{_DOT_SPELLED}[\w\-]{{1,63}}){{1,6}}", re.IGNORECASE
)
_SPELLED_NEEDS = re.compile(r"[\[({<][ \t]{0,2}(?:at|dot)[ \t]{0,2}[\])}>]|\sdot\s", re.IGNORECASE)

# Between digit groups: up to two separators, or a line break with indentation
# (PyYAML folds long text, a Markdown list item wraps).
_GAP = r"[ \t\-.)]{0,3}(?:\n[ \t>]{0,40})?"

# Phones: a long digit run (separators allowed) is the cheap prefilter.
_CANDIDATE = re.compile(r"[+\d][\d\s\-.()/]{8,}")
_UK_PHONE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00){_GAP}44{_GAP}(?:\(0\){_GAP})?|\(?0)\d(?:{_GAP}\d){{9}}(?!\d)"
)
_UK_PHONE_SLASH = re.compile(r"(?<![\d/])\(?0\d{2,4}\)?[ \t]?/[ \t]?\d[\d \-]{4,9}\d(?![\d/])")

# NHS numbers: 10 digits, 3-3-4 with separators or none, modulus 11.
_NHS = re.compile(rf"(?<![\d.\-/])(\d{{3}}){_GAP}(\d{{3}}){_GAP}(\d{{4}})(?![\d]|[.\-/]\d)")
_ISBN_BEFORE = re.compile(r"isbn[\s:\-]{0,4}(?:10)?[\s:\-]{0,4}$", re.IGNORECASE)

# Full UK postcodes (an outward code alone, like NW1, is fine).
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?|GIR)(?: {0,2}|[ \t]{0,8}\n[ \t>]{0,40})"
    r"[0-9][ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
_ORDINAL = (
    r"(?:(?:twenty|thirty)[\s\-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth"
    r"|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    r"|eighteenth|nineteenth|twentieth|thirtieth)"
)
_SP = r"(?:[ \t]{1,3}|[ \t]{0,3}\n[ \t>]{0,40})"
"""Between the words of a date: spaces, or a line break with indentation (wrapped text)."""
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}"
    rf"|\d{{1,2}}[/.\- ]{_MONTH}[/.\- ]\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MONTH},?{_SP}\d{{2,4}}"
    rf"|(?:the{_SP})?{_ORDINAL}{_SP}(?:of{_SP})?{_MONTH},?{_SP}\d{{4}}"
    rf"|{_MONTH}{_SP}\d{{1,2}}(?:st|nd|rd|th)?,?{_SP}\d{{4}})"
)
_DOB = re.compile(
    r"(?:\bborn\b|\bd\.?o\.?b\b\.?|\bdate[\s_\-]{1,3}of[\s_\-]{1,3}birth\b"
    r"|\bbirth[\s_\-]{0,3}date\b|\bbirthday\b)"
    rf"[^\n\d]{{0,20}}(?:\n[ \t>*\-]{{0,40}}[^\n\d]{{0,20}}){{0,2}}{_DATE}",
    re.IGNORECASE,
)
_DOB_NEEDS = re.compile(r"born|d\.?o\.?b|birth", re.IGNORECASE)


def normalise(text: str) -> str:
    """``text`` as a reader sees it, for matching: the same lines, plainer characters."""
    if text.isascii() and "\\" not in text and "&" not in text and "%" not in text:
        return text
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    if "&" in text or "%" in text:
        text = _AT_ENTITY.sub("@", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_TRANSLATE))
    return text


def _unescape(match: re.Match[str]) -> str:
    if match.group(4):
        return " "  # YAML's \_ is a no-break space
    code = int(match.group(1) or match.group(2) or match.group(3), 16)
    if code > 0x10FFFF or code in (0x0A, 0x0D, 0x85, 0x2028, 0x2029):
        return " "  # a line break would move every later finding to a wrong line
    return chr(code)


def scan_text(text: str, allowed: Iterable[int] = (), first_line: int = 1) -> list[Finding]:
    """Every personal-data finding in ``text``; lines in ``allowed`` are skipped."""
    text = normalise(text)
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


_WORTH_SCANNING = re.compile(r"[\d@\uff20]|dot|&#|%40", re.IGNORECASE)


def scan_document(
    text: str, decoded: Iterable[tuple[int, int, str]], allowed: Iterable[int] = ()
) -> list[Finding]:
    """``text`` scanned as written, and each decoded value ``(line, end_line, value)``.

    A YAML value can hide what its raw lines do not show (a number folded over
    two lines with deep indentation, a line continued with a backslash, an
    escape): such a finding is reported at the line where the value starts,
    unless the raw scan already found the same kind inside the value's lines.
    """
    skip = set(allowed)
    found = set(scan_text(text, skip))
    raw = {(f.code, f.line) for f in found}
    lines: list[str] | None = None
    for line, end_line, value in decoded:
        if not _WORTH_SCANNING.search(value):
            continue  # every detector needs a digit, an @ or a spelled "dot"
        if any(n in skip for n in range(line, end_line + 1)):
            continue
        if line == end_line:
            lines = lines if lines is not None else text.split("\n")
            if 0 < line <= len(lines) and value in lines[line - 1]:
                continue  # written as it reads: the raw scan has seen it
        for finding in scan_text(value):
            if not any((finding.code, n) in raw for n in range(line, end_line + 1)):
                found.add(Finding(line, finding.code))
    return sorted(found)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _scan_email(text: str, at) -> None:
    """Each @ (and each spelled "at") is tried once, with bounded matches either side."""
    index = text.find("@")
    while index != -1:
        local = _local_part(text, index)
        if local is not None and _DOMAIN.match(text, index + 1):
            at(local, "pii-email")
        index = text.find("@", index + 1)
    if not _SPELLED_NEEDS.search(text):
        return
    for marker in _AT_SPELLED.finditer(text):
        local = _local_part(text, marker.start())
        domain = _DOMAIN_SPELLED.match(text, marker.end())
        if local is None or domain is None:
            continue
        if _SPELLED_NEEDS.search(text, local, domain.end()):
            at(local, "pii-email")


def _local_part(text: str, at_index: int) -> int | None:
    """Where the local part before ``at_index`` starts, or None when there is none."""
    before = text[max(0, at_index - 66) : at_index][::-1]
    match = _LOCAL_REVERSED.match(before)
    return None if match is None else at_index - match.end()


def _scan_numbers(text: str, at) -> None:
    """Phones and NHS numbers: both need a run of nine or more digits.

    A cheap character-class scan finds such runs; the regular expressions then
    run only on the lines that hold one, and libphonenumber (about 50 us a
    character on digit-heavy text) only on each plausible run with a little
    context, so an adversarial record of digits stays linear and fast.
    """
    regions, windows = _digit_regions(text)
    phone_spans: list[tuple[int, int]] = []
    for start, end in regions:
        for match in _UK_PHONE.finditer(text, start, end):
            phone_spans.append(match.span())
        if "/" in text[start:end]:
            for match in _UK_PHONE_SLASH.finditer(text, start, end):
                if sum(c.isdigit() for c in match.group()) == 11:
                    phone_spans.append(match.span())
    for start, end in windows:
        phone_spans.extend((start + s, start + e) for s, e in _phonenumbers_spans(text[start:end]))
    for span_start, _ in phone_spans:
        at(span_start, "pii-phone")
    for start, end in regions:
        for match in _NHS.finditer(text, start, end):
            if any(s <= match.start() < e for s, e in phone_spans):
                continue
            if _ISBN_BEFORE.search(text, max(start, match.start() - 16), match.start()):
                continue
            if nhs_checksum_ok(match.group(1) + match.group(2) + match.group(3)):
                at(match.start(), "pii-nhs-number")


_MAX_RUN_DIGITS = 40
"""A run with more digits is no phone number; the regular expressions still scan it."""
_CONTEXT = 24


def _digit_regions(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Whole lines (merged) around every run of nine or more digits, and the windows
    (each plausible run with some context, merged) that libphonenumber reads."""
    regions: list[tuple[int, int]] = []
    windows: list[tuple[int, int]] = []
    for run in _CANDIDATE.finditer(text):
        digits = sum(c.isdigit() for c in run.group())
        if digits < 9:
            continue
        start = text.rfind("\n", 0, run.start()) + 1
        end = text.find("\n", run.end())
        end = len(text) if end == -1 else end
        _merge(regions, start, end)
        if digits <= _MAX_RUN_DIGITS:
            _merge(windows, max(start, run.start() - _CONTEXT), min(end, run.end() + _CONTEXT))
    return regions, windows


def _merge(spans: list[tuple[int, int]], start: int, end: int) -> None:
    if spans and start <= spans[-1][1]:
        spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
    else:
        spans.append((start, end))


def _phonenumbers_spans(region: str) -> list[tuple[int, int]]:
    """Numbers libphonenumber holds valid (UK default region) in ``region``."""
    import phonenumbers

    matcher = phonenumbers.PhoneNumberMatcher(region, "GB", leniency=phonenumbers.Leniency.VALID)
    return [(match.start, match.end) for match in matcher]


_ECHO_FORM = re.compile(r"[A-Za-z0-9_.'\u2019\- ]{1,40}")  # an apostrophe too: children's centres
_ID_SEPARATORS = re.compile(r"[-_.]")
_WORD_ONLY = re.compile(r"[A-Za-z_]{1,40}")
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_FORM = re.compile(rf"(?:[0-9/.\- ]|{_MONTH_NAME}){{1,40}}", re.IGNORECASE)
"""What a person types for a date (``31/02/2026``, ``1 Feb 2026``): digits, date
separators and month names. Only the ``/`` is beyond :data:`_ECHO_FORM`'s plain
characters, and a message about an impossible date should repeat what was typed."""
_DATE_DIGITS = 8
"""The most digits a date has (DDMMYYYY): a phone or an NHS number has 10 or more, so no
value with a slash that could be one is ever repeated, whatever the scan makes of it."""


def _date_form(text: str) -> bool:
    return (
        len(text) <= 40
        and _DATE_FORM.fullmatch(text) is not None
        and sum(char.isdigit() for char in text) <= _DATE_DIGITS
    )


def safe_echo(value: object) -> str | None:
    """The value as text if a message may repeat it, else None.

    Messages reach terminals and public CI logs, so a value is repeated only
    when it is short, plain, and passes the personal-data scan, also with its
    hyphens read as spaces (``carers-9434765919`` hides an NHS number). A date as typed
    (``31/02/2026``) is plain too: digits, date separators and month names.
    """
    text = str(value)
    if _WORD_ONLY.fullmatch(text):
        return text  # a field name: no detector matches letters alone
    if not (_ECHO_FORM.fullmatch(text) or _date_form(text)) or scan_value(text):
        return None
    return text


def scan_value(text: str) -> list[Finding]:
    """Findings in one short value (an id, a name), also with hyphens, underscores and
    dots read as spaces: ``carers-9434765919`` hides an NHS number."""
    return scan_text(text) or scan_text(_ID_SEPARATORS.sub(" ", text))


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


LEAVE_IT_OUT = (
    "personal data never enters the archive, which is public and permanent: leave the "
    "detail out (describe a person by their role, e.g. 'a parent at the group', never how "
    "to reach them)"
)
NAME_ONLY = (
    "personal data never enters the archive: give only the name the person agreed to be "
    "credited with, never their contact details"
)


def refuse_in_value(text: str, where: str) -> None:
    """Refuse a value a person typed (an option, or a prompt's answer when ``where`` has
    no ``--``) that holds personal data: exit 1, nothing written, the value not shown.

    The gate would refuse it too, but would say to mark the record's line as a
    false positive, which means nothing for a value given on the command line.
    """
    from copro.core.errors import CoproError

    found = scan_text(text)
    if not found:
        return
    code = found[0].code
    hint = NAME_ONLY if where.lstrip("-") == "name" else LEAVE_IT_OUT
    if not where.startswith("--"):  # a prompt asks again
        raise CoproError(f"that answer contains {KINDS[code]} (not shown)", hint)
    raise CoproError(
        f"{where} contains {KINDS[code]} (not shown) [{code}]; nothing was written", hint
    )
