"""Reading a plain sheet (what ``copro export`` writes) without openpyxl, value for value.

openpyxl builds objects for every cell (tens of µs each): for the workbook copro
exported from 50,000 records, most of an unchanged import. A sheet whose data
rows hold nothing but numbers and inline strings (no shared strings, no styled
cells that could make a number a date, no formulas, no rich text, no prefixed
names, no DTD) is read here with the standard library's XML parser instead,
giving exactly the values openpyxl's read-only mode gives for it: numbers as
``int`` or ``float`` as openpyxl casts them, inline text as written, empty cells
as None, cells placed by their ``r`` reference or else one after another, rows
numbered as openpyxl numbers them, up to the sheet's stated dimension.

Whether a sheet is plain is decided first, on its bytes at C speed (regular
expressions over the unpacked XML, a megabyte at a time); any other construct
anywhere in it sends the whole sheet to openpyxl, so a workbook saved by a
spreadsheet program reads as before. The rows are then cut at ``</row>`` and
parsed a batch at a time (no Python call per XML element).

Rows written exactly as ``copro export`` writes them (``<row r="N">`` and cells
that are empty, a number, or one inline text, with no character that XML
escapes, normalises or forbids) are both proved plain and read with one
regular expression each, without building XML elements: parsing the XML was
most of an unchanged import of 50,000 records. Any other row is parsed as XML.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, fromstring

from copro.core.errors import CoproError

__all__ = ["plain_book", "plain_header", "plain_rows", "plain_sheet_path"]

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MAIN = "{" + _MAIN_NS + "}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_CELL, _VALUE, _INLINE, _TEXT = f"{_MAIN}c", f"{_MAIN}v", f"{_MAIN}is", f"{_MAIN}t"
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")
_CHUNK = 1 << 20
_OVERLAP = 64
"""Bytes kept from one chunk to the next, so no pattern is missed across the cut."""

_NOT_PLAIN = re.compile(
    rb"<!"  # a DTD (entities), a comment or CDATA
    rb"|<\?(?!xml )"  # a processing instruction
    rb"|<f[\s>/]"  # a formula
    rb"|\st=\"(?!inlineStr\"|n\")"  # a shared string, boolean, error, date or formula text
    rb"|<c\b[^>]*\ss=\""  # a styled cell (a number format may make a number a date)
    rb"|<r[\s>/]|<rPh\b"  # rich text, phonetic runs
    rb"|</?(?!xml:)[A-Za-z_][\w.-]*:"  # a prefixed element
    rb"|\s(?!xml:)[A-Za-z_][\w.-]*:[\w.-]+\s*="  # a prefixed attribute
)
_PLAIN_TEXT = "[^<&\x00-\x08\x0b\x0c\x0e-\x1f\r]*"
_TEXT_RUN = f"(?=[^<]){_PLAIN_TEXT}(?:&(?:amp|lt|gt|quot|apos);{_PLAIN_TEXT})*"
"""Cell text, not empty, that XML takes as it stands but for its five named references (no
markup, numeric reference or character it normalises)."""
_ESCAPED = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_COPRO_CELL = (
    f'<c/>|<c><v>({_TEXT_RUN})</v></c>|<c t="inlineStr"><is><t xml:space="preserve">'
    f"({_TEXT_RUN})</t></is></c>"
)
_COPRO_ROWS = re.compile(f'(?:<row r="[0-9]+">(?:{_COPRO_CELL})*</row>)*'.encode())
"""Complete rows exactly as ``copro export`` writes them: plain by construction."""
_COPRO_ROW = re.compile(f'<row r="([0-9]+)">((?:{_COPRO_CELL})*)')
_COPRO_CELLS = re.compile(_COPRO_CELL)
_NOT_TEXT = (b"]]>", "\ufffe".encode(), "\uffff".encode())
"""What ``_TEXT_RUN`` lets through that XML refuses (the parser says the sheet is damaged)."""
_SHEET_DATA = re.compile(rb"<sheetData\s*(/?)>")
_DIMENSION = re.compile(rb"<dimension\s[^>]*?ref=\"(?:[A-Z]+[0-9]+:)?[A-Z]+([0-9]+)\"")
_ROW_END = b"</row>"
_OPEN = b'<sheetData xmlns="' + _MAIN_NS.encode() + b'">'

Values = list[object]
"""One row's cell values by column (index 0 is column A)."""


class _NotPlain(Exception):
    """The sheet holds something only openpyxl reads right."""


def plain_sheet_path(data: bytes, index: int) -> str | None:
    """The zip path of the workbook's ``index``-th worksheet when it is plain, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheets = _sheets(book)
            if sheets is None or not 0 <= index < len(sheets) or _shares_strings(book):
                return None
            path = sheets[index][1]
            with book.open(path) as stream:
                return path if _is_plain(stream) else None
    except _UNREADABLE:
        return None  # openpyxl reads it (and says what is wrong with it, if anything)


def plain_book(data: bytes) -> list[tuple[str, str]] | None:
    """(title, zip path) of every sheet, in openpyxl's order, when each is a plain
    worksheet (a workbook copro exported), else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheets = _sheets(book)
            if sheets is None or _shares_strings(book):
                return None
            for _, path in sheets:
                with book.open(path) as stream:
                    if not _is_plain(stream):
                        return None
            return sheets
    except _UNREADABLE:
        return None


def plain_header(data: bytes, path: str) -> Values | None:
    """The values of row 1 of a plain sheet, or None when its first row is another."""
    with zipfile.ZipFile(io.BytesIO(data)) as book, book.open(path) as stream:
        for number, values in _rows(stream):
            return values if number == 1 else None
    return None


_UNREADABLE = (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError, EOFError)


def _shares_strings(book: zipfile.ZipFile) -> bool:
    return "xl/sharedStrings.xml" in book.namelist()


def _is_plain(stream: IO[bytes]) -> bool:
    """Whether nothing after the header row is a construct this reader does not take.

    A run of rows in copro's own form is plain as it stands (one regular
    expression, a fifth of the cost of looking for every other construct);
    everything else is searched for those constructs. No construct spans a
    ``</row>``, so text up to one is looked at once; only a chunk's unfinished
    end is looked at again with the next chunk.
    """
    tail = b""
    header_done = False
    while chunk := stream.read(_CHUNK):
        text = tail + chunk
        if not header_done:
            end = text.find(_ROW_END)
            if end < 0:
                if _SHEET_DATA.search(text) is None and len(text) > 64 * _CHUNK:
                    return False  # a preamble this long is not copro's
                tail = text
                continue
            header_done = True
            head, text = text[:end], text[end + len(_ROW_END) :]
            if b"<!" in head or _SHEET_DATA.search(head) is None:
                return False
        cut_row = -1 if text.startswith(b"<row") else text.find(_ROW_END)
        first = cut_row + len(_ROW_END) if cut_row >= 0 else 0
        if first and _NOT_PLAIN.search(text, 0, first):
            return False  # the end of a row the last chunk cut
        proved = _COPRO_ROWS.match(text, first)  # complete rows of copro's own form
        rest = text[proved.end() if proved else first :]
        done = rest.rfind(_ROW_END) + len(_ROW_END) if _ROW_END in rest else 0
        found = _NOT_PLAIN.search(rest)
        if found and (found.start() < done or found.start() < len(rest) - _OVERLAP):
            return False  # else: cut short by the chunk, looked at again
        tail = rest[done:] if len(rest) - done <= _CHUNK else rest[-_OVERLAP:]
    return header_done and _NOT_PLAIN.search(tail) is None


def plain_rows(data: bytes, path: str) -> Iterator[tuple[int, Values]]:
    """(row number, values) of every row after the header of a sheet
    :func:`plain_sheet_path` found plain."""
    with zipfile.ZipFile(io.BytesIO(data)) as book, book.open(path) as stream:
        for number, values in _rows(stream):
            if number >= 2:
                yield number, values


def _sheets(book: zipfile.ZipFile) -> list[tuple[str, str]] | None:
    """(title, part) of every sheet when each is a worksheet (so the numbering is
    openpyxl's), else None."""
    workbook = fromstring(book.read("xl/workbook.xml"))
    links = fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for link in links.iter(f"{_PACKAGE_REL}Relationship"):
        if link.get("Type") == _WORKSHEET:
            targets[link.get("Id")] = link.get("Target", "")
    sheets = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"))
        if target is None:
            return None
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheets.append((sheet.get("name", ""), part))
    return sheets


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, Values]]:
    """Every row as openpyxl's read-only mode numbers and fills it, a batch of complete
    rows (cut at ``</row>``) parsed at a time."""
    buffer = b""
    while (found := _SHEET_DATA.search(buffer)) is None:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return
        buffer += chunk
    stated = _DIMENSION.search(buffer, 0, found.start())
    last_row = int(stated[1]) if stated else None
    if found[1]:  # <sheetData/>: no rows
        return
    buffer = buffer[found.end() :]
    counter = 0
    finished = False
    while not finished:
        chunk = stream.read(_CHUNK)
        buffer += chunk
        end = buffer.find(b"</sheetData>")
        finished = not chunk or end >= 0
        last = buffer.rfind(_ROW_END)
        cut = end if end >= 0 else (last + len(_ROW_END) if last >= 0 else 0)
        if cut == 0 and not finished:
            continue
        batch, buffer = buffer[:cut], buffer[cut:]
        for number, values in _batch_rows(batch):
            counter = counter + 1 if number is None else number
            if last_row is not None and counter > last_row:
                return  # openpyxl reads up to the stated dimension
            yield counter, values


def _parsed_rows(batch: bytes) -> Iterator[tuple[int | None, Values]]:
    """(row number, or None when the row names none, and values) of rows parsed as XML."""
    for row in _parse(batch):
        attribute = row.get("r")
        yield (int(attribute) if attribute else None), _row_values(row)


def _batch_rows(batch: bytes) -> Iterator[tuple[int | None, Values]]:
    """(row number or None, values) of a batch of complete rows: each row in copro's own
    form (see the module's docstring) read by one regular expression, any other parsed
    as XML."""
    if any(odd in batch for odd in _NOT_TEXT):
        yield from _parsed_rows(batch)
        return
    try:
        text = batch.decode("utf-8")
    except UnicodeDecodeError:
        yield from _parsed_rows(batch)  # the XML parser says what is wrong
        return
    *rows, after = text.split("</row>")
    for row in rows:
        found = _COPRO_ROW.fullmatch(row)
        if found is None:
            yield from _parsed_rows(f"{row}</row>".encode())
        else:
            cells = found[2]
            values = [
                words or (_number(number) if number else None)
                for number, words in _COPRO_CELLS.findall(cells)
            ]
            if "&" in cells:  # one of XML's five named references
                values = [_unescape(v) if type(v) is str and "&" in v else v for v in values]
            yield int(found[1]), values
    if after.strip():
        yield from _parsed_rows(after.encode())


def _unescape(text: str) -> str:
    for reference, character in _ESCAPED:  # "&amp;" last: "&amp;lt;" is "&lt;"
        text = text.replace(reference, character)
    return text


def _parse(batch: bytes) -> list[Element]:
    if not batch.strip():
        return []
    try:
        holder = fromstring(_OPEN + batch + b"</sheetData>")
    except SyntaxError:
        raise _unreadable() from None
    return list(holder)


def _unreadable() -> CoproError:
    return CoproError(
        "the workbook's sheet could not be read (damaged XML)",
        "save it again as .xlsx and import that",
    )


def _row_values(row: Element) -> Values:
    if row.tag != f"{_MAIN}row":
        raise _unreadable()
    values: Values = []
    column = 0
    for cell in row:
        reference = cell.get("r")
        if cell.tag != _CELL:
            raise _unreadable()
        if reference:
            found = _REFERENCE.fullmatch(reference)
            if found is None:
                raise _unreadable()
            column = _column_number(found[1])
        else:
            column += 1
        if column > len(values):
            values.extend([None] * (column - len(values)))
        values[column - 1] = _cell_value(cell)
    return values


def _cell_value(cell: Element) -> object:
    """The value openpyxl's read-only mode gives the cell (the types the check let in)."""
    if cell.get("t", "n") == "inlineStr":
        inline = cell.find(_INLINE)
        if inline is None:
            return None
        plain = inline.find(_TEXT)
        return plain.text or "" if plain is not None else ""
    text = cell.findtext(_VALUE)
    return _number(text) if text else None


def _number(text: str) -> int | float:
    """openpyxl's cast: a float when it has a point or an exponent, else an int."""
    try:
        return float(text) if ("." in text or "E" in text or "e" in text) else int(text)
    except ValueError:
        raise _unreadable() from None  # openpyxl cannot read it either


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
