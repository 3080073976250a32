"""Reading a plain sheet (what ``copro export`` writes) without openpyxl, value for value.

openpyxl builds an object per cell (about 100 µs each on a loaded machine): for
the workbook copro exported from 50,000 records, most of an unchanged import.
A sheet whose data rows hold nothing but numbers and inline strings (no shared
strings, no styles that could make a number a date, no formulas, no rich text)
is read here with the standard library's XML parser instead, giving exactly the
values openpyxl's read-only mode gives for it: numbers as ``int`` or ``float``
as openpyxl casts them, inline text as written, empty cells as None, cells
placed by their ``r`` reference or else one after another, rows up to the
sheet's stated dimension. The sheet is checked whole first (one pass of the C
parser, nothing kept); any other construct, anywhere in it, sends the whole
sheet to openpyxl, so a workbook saved by a spreadsheet program reads as before.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO, cast
from xml.etree.ElementTree import Element, XMLPullParser

__all__ = ["plain_sheet_path", "plain_rows"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_SHEET_DATA, _ROW, _CELL = f"{_MAIN}sheetData", f"{_MAIN}row", f"{_MAIN}c"
_VALUE, _INLINE, _TEXT = f"{_MAIN}v", f"{_MAIN}is", f"{_MAIN}t"
_DIMENSION = f"{_MAIN}dimension"
_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")
_CHUNK = 1 << 20

Values = list[object]
"""One row's cell values by column (index 0 is column A)."""


class _NotPlain(Exception):
    """The sheet holds something only openpyxl reads right."""


def plain_sheet_path(data: bytes, index: int) -> str | None:
    """The zip path of the workbook's ``index``-th worksheet when it is plain, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            path = _sheet_path(book, index)
            if path is None or "xl/sharedStrings.xml" in book.namelist():
                return None
            with book.open(path) as stream:
                for _ in _rows(stream):
                    pass
        return path
    except (_NotPlain, KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError):
        return None  # openpyxl reads it (and says what is wrong with it, if anything)


def plain_rows(data: bytes, path: str) -> Iterator[tuple[int, Values]]:
    """(row number, values) of every row after the header of a sheet
    :func:`plain_sheet_path` found plain."""
    with zipfile.ZipFile(io.BytesIO(data)) as book, book.open(path) as stream:
        for number, values in _rows(stream):
            if number >= 2:
                yield number, values


def _sheet_path(book: zipfile.ZipFile, index: int) -> str | None:
    """The ``index``-th sheet's part, when every sheet of the workbook is a worksheet (so
    the numbering is openpyxl's)."""
    from xml.etree.ElementTree import fromstring

    workbook = fromstring(book.read("xl/workbook.xml"))
    links = fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for link in links.iter(f"{_PACKAGE_REL}Relationship"):
        if link.get("Type") == _WORKSHEET:
            targets[link.get("Id")] = link.get("Target", "")
    sheets = list(workbook.iter(f"{_MAIN}sheet"))
    if not 0 <= index < len(sheets) or any(s.get(f"{_REL}id") not in targets for s in sheets):
        return None
    target = targets[sheets[index].get(f"{_REL}id")]
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, Values]]:
    """Every row of the sheet as openpyxl's read-only mode numbers and fills it; raises
    :class:`_NotPlain` at the first construct this reader does not take."""
    parser = XMLPullParser(events=("start", "end"))  # type: ignore[var-annotated]
    in_data, last_row, row_counter = False, None, 0
    while chunk := stream.read(_CHUNK):
        parser.feed(chunk)
        for event, element in cast("Iterator[tuple[str, Element]]", parser.read_events()):
            tag = element.tag
            if event == "start":
                if tag == _SHEET_DATA:
                    in_data = True
                elif in_data and tag not in (_ROW, _CELL, _VALUE, _INLINE, _TEXT):
                    raise _NotPlain(tag)
                continue
            if tag == _DIMENSION:
                last_row = _dimension_rows(element.get("ref", ""))
            elif tag == _SHEET_DATA:
                in_data = False
            elif tag == _ROW:
                attribute = element.get("r")
                row_counter = int(attribute) if attribute else row_counter + 1
                if last_row is not None and row_counter > last_row:
                    return  # openpyxl reads up to the stated dimension
                values = _row_values(element, header=row_counter == 1)
                element.clear()
                yield row_counter, values
    parser.close()


def _dimension_rows(ref: str) -> int | None:
    found = _REFERENCE.fullmatch(ref.rpartition(":")[2])
    return int(found[2]) if found else None


def _row_values(row: Element, header: bool) -> Values:
    values: Values = []
    column = 0
    for cell in row:
        if cell.tag != _CELL or (cell.get("s") is not None and not header):
            raise _NotPlain("a styled cell")
        reference = cell.get("r")
        if reference:
            found = _REFERENCE.fullmatch(reference)
            if found is None:
                raise _NotPlain(reference)
            column = _column_number(found[1])
        else:
            column += 1
        value = _cell_value(cell)
        if column > len(values):
            values.extend([None] * (column - len(values)))
        values[column - 1] = value
    return values


def _cell_value(cell: Element) -> object:
    kind = cell.get("t", "n")
    children = list(cell)
    if kind == "inlineStr":
        if len(children) != 1 or children[0].tag != _INLINE:
            raise _NotPlain("inline text of another shape")
        parts = list(children[0])
        if len(parts) != 1 or parts[0].tag != _TEXT or len(parts[0]):
            raise _NotPlain("rich inline text")
        return parts[0].text or ""
    if kind != "n" or any(child.tag != _VALUE for child in children):
        raise _NotPlain(kind)
    if not children or children[0].text is None:
        return None
    text = children[0].text
    # openpyxl's cast: a float when it has a point or an exponent, else an int
    return float(text) if ("." in text or "E" in text or "e" in text) else int(text)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
