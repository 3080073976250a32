"""Spreadsheets out and in: the ``findings`` and ``actions`` sheets as xlsx or CSV.

Writing: every cell is a plain string or number, never a formula (a finding
that begins with ``=`` is stored as text), streamed into the zip. Reading: ``.xlsx`` with openpyxl
(formulas are never evaluated: a formula cell is refused where a value is
expected) and ``.csv`` (UTF-8, the leading ``'`` that ``export --format csv``
puts before ``=``, ``+``, ``-``, ``@``, a tab or a carriage return removed).
Files over 64 MB, password-protected workbooks and files that are not
workbooks are refused before anything is parsed, and so is a workbook over the
limits below (rows and columns per sheet, bytes unpacked): those are checked
by streaming through the zip's sheets, counting, before openpyxl reads a cell,
so a hostile file is answered in about a second in little memory. The limits
leave room for what ``copro export`` writes for 100,000 records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from pathlib import Path
from typing import IO, Any, cast

from copro.core.columns import CSV_COLUMNS
from copro.core.errors import CoproError

MAX_BYTES = 64 * 1024 * 1024
"""Files over this size are refused before parsing (copro's export of 100,000 records is
about 30 MB; a sheet typed by hand, a few hundred KB)."""
MAX_UNZIPPED = 500 * 1024 * 1024
"""An xlsx is a zip: refuse one that would unpack to more than this (a zip bomb)."""
MAX_ROWS = 1_000_000
"""Rows per sheet (counting the header, and the row numbers the sheet names)."""
MAX_COLUMNS = 60
"""Cells per row (copro's sheets have 18 columns)."""
_CHUNK = 1 << 20
_ROW_OR_CELL = re.compile(rb"<([A-Za-z_][\w.-]*:)?(?:row|c)[\s>/]")
_FAR = re.compile(
    rb"[ \t\r\n]r=\"(?:[A-Za-z]{3,}|[C-Zc-z][A-Za-z]|[Bb][I-Zi-z])[0-9]"  # beyond column BH
    rb"|[ \t\r\n]r=\"[A-Za-z]{0,2}(?:[1-9][0-9]{7,}|[2-9][0-9]{6}|1(?!000000\")[0-9]{6})\""
)
_FAR_SPACED = re.compile(  # the same after a space only: a literal start searches fast
    rb" r=\"(?:[A-Za-z]{3,}|[C-Zc-z][A-Za-z]|[Bb][I-Zi-z])[0-9]"
    rb"| r=\"[A-Za-z]{0,2}(?:[1-9][0-9]{7,}|[2-9][0-9]{6}|1(?!000000\")[0-9]{6})\""
)
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref=\"(?:[A-Za-z]+[0-9]+:)?([A-Za-z]+)([0-9]+)\""
)


FINDINGS = "findings"
ACTIONS = "actions"
ACTION_COLUMNS = ["record_id", "action_id", "responds_to", "status", "text", "date", "reason"]
FINDING_COLUMNS = ["record_id", "finding_id", "finding", "finding_topics"]
"""The columns of the findings sheet import reads (the others are there to read)."""
_GUARD_AT = re.compile(r"(^|[;,])(?=[=+\-@\t\r'])")
"""Where a spreadsheet could start a cell (the start, or right after `;` or `,`)
and a formula trigger, or a `'`, follows: a `'` goes there."""
_GUARD = re.compile(r"(^|[;,])'(?=[=+\-@\t\r'])")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def findings_columns() -> list[str]:
    return [*CSV_COLUMNS, "standing"]


def finding_cells(
    record_id: str, finding_id: str, text: str, topics: Sequence[str]
) -> tuple[str, ...]:
    """A finding's cells in the columns import reads (:data:`FINDING_COLUMNS`), as
    export writes them."""
    return (record_id, finding_id, text, ";".join(topics))


def action_cells(
    record_id: str,
    action_id: str,
    responds_to: Sequence[str],
    status: str,
    text: str,
    date: str | None,
    reason: str | None,
) -> tuple[str, ...]:
    """An action's row of the actions sheet (:data:`ACTION_COLUMNS`), as export writes it."""
    return (record_id, action_id, ";".join(responds_to), status, text, date or "", reason or "")


@dataclass
class Cell:
    """One value read from a sheet; ``formula`` when the cell held a formula."""

    text: str
    formula: bool = False


Row = tuple[int, Mapping[str, Cell]]
"""One row that holds something: its spreadsheet row number and its cells by column."""


class _Cells(Mapping[str, Cell]):
    """A plain sheet's row by column, each cell made when it is asked for: an import of
    a workbook just exported looks at four to seven cells of each row, not all."""

    __slots__ = ("_at", "_values")

    def __init__(self, at: dict[str, int], values: list[object]) -> None:
        self._at = at
        self._values = values

    def __getitem__(self, column: str) -> Cell:
        return Cell(_value(self._values[self._at[column]]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def texts(self, columns: Sequence[str]) -> list[str]:
        """The text of ``columns`` (a plain sheet holds no formula)."""
        values, at = self._values, self._at
        return [
            "" if column not in at else value if type(value := values[at[column]]) is str
            else _value(value)
            for column in columns
        ]  # fmt: skip

    def holds_text(self) -> bool:
        """Whether any cell holds something but spaces (a number or date always does)."""
        values = self._values
        for index in self._at.values():
            value = values[index]
            if value is not None and (type(value) is not str or value.strip()):
                return True
        return False


@dataclass
class Sheet:
    """A sheet as read: its column names and rows, each with its spreadsheet row number.

    A workbook's rows are read from the file as they are iterated (each time),
    so a large sheet is never held whole.
    """

    name: str
    columns: list[str]
    rows: Iterable[Row] = field(default_factory=list)


# ------------------------------------------------------------------ writing


def write_workbook(sheets: Sequence[tuple[str, list[str], Iterable[Sequence[object]]]]) -> bytes:
    """An xlsx with a frozen header row, columns sized to read, every cell a plain value.

    Written as the sheets' XML streamed straight into the zip (strings inline,
    numbers as numbers, never a formula): openpyxl's writer spent about 20 µs on
    every cell, minutes for a large archive. The columns are sized from the
    first 500 rows.
    """
    buffer = io.BytesIO()
    names = [name for name, _, _ in sheets]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        for path, text in _package_parts(names).items():
            book.writestr(path, text)
        for number, (_, columns, rows) in enumerate(sheets, start=1):
            with book.open(f"xl/worksheets/sheet{number}.xml", "w") as sheet:
                _write_sheet(sheet, columns, iter(rows))
    return buffer.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (a record's text never has them; dropped if it did)."""
_NOT_XML_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REFERENCES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"))
"""What a text needs escaped in XML ("&" first), as ``xml.sax.saxutils.escape`` does."""


def _package_parts(names: list[str]) -> dict[str, str]:
    """The workbook's fixed parts: content types, relationships, sheet list, two styles."""
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{mime}.worksheet+xml"/>'
        for n in range(1, len(names) + 1)
    )
    sheets = "".join(
        f'<sheet name="{_escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, start=1)
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(names) + 1)
    )
    styles_id = len(names) + 1
    return {
        "[Content_Types].xml": _XML
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{mime}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{mime}.styles+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": _XML + f'<Relationships xmlns="{_PACKAGE_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": _XML + f'<Relationships xmlns="{_PACKAGE_REL}">{links}'
        f'<Relationship Id="rId{styles_id}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": _XML + f'<styleSheet xmlns="{_MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'  # Excel expects both
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>",
    }


def _write_sheet(sheet: IO[bytes], columns: list[str], rows: Iterator[Sequence[object]]) -> None:
    """The sheet's XML; its rows go through a temporary file first so the sheet can
    state its size (``<dimension>``) before them, as Excel does: without it,
    openpyxl reads a whole sheet just to learn its size each time it opens it."""
    import shutil
    import tempfile

    sample = list(islice(rows, 500))
    widths = []
    for index, column in enumerate(columns):
        longest = max([len(column), *(len(str(r[index] or "")) for r in sample)])
        widths.append(min(max(longest + 2, 8), 60))
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
        for n, w in enumerate(widths, start=1)
    )
    head = "".join(f'<c t="inlineStr" s="1"><is><t>{_escape(c)}</t></is></c>' for c in columns)
    with tempfile.TemporaryFile() as body:
        last = 1
        rows = chain(sample, rows)
        while batch := list(islice(rows, 1000)):
            body.write(_rows_xml(last + 1, batch).encode("utf-8"))
            last += len(batch)
        body.seek(0)
        corner = f"{_column_letters(max(len(columns), 1))}{last}"
        sheet.write(
            (
                _XML + f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:{corner}"/>'
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                f'</sheetView></sheetViews><cols>{cols}</cols><sheetData><row r="1">{head}</row>'
            ).encode()
        )
        shutil.copyfileobj(body, sheet, 1 << 20)
    sheet.write(b"</sheetData></worksheet>")


def _column_letters(number: int) -> str:
    """A column's letters from its number (1 -> A, 27 -> AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


_TEXT_CELL = '<c t="inlineStr"><is><t xml:space="preserve">\x00</t></is></c>'
"""An inline text cell, ``\x00`` where its escaped text goes."""


_TEXT_OPEN, _TEXT_CLOSE = _TEXT_CELL.split("\x00")
_EMPTY_TEXT_CELL = _TEXT_OPEN + _TEXT_CLOSE


def _rows_xml(first: int, rows: list[Sequence[object]]) -> str:
    """Rows numbered from ``first``: a number as a number, anything else as inline text
    (never a formula), an empty cell as ``<c/>``. The text of all the rows is escaped at
    once (cell by cell, escaping was most of the time an export took)."""
    texts_only = _text_rows_xml(first, rows)
    if texts_only is not None:
        return texts_only
    texts: list[str] = []
    skeleton: list[str] = []
    for number, row in enumerate(rows, start=first):
        skeleton.append(f'<row r="{number}">')
        for value in row:
            if value is None or value == "":
                skeleton.append("<c/>")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                skeleton.append(f"<c><v>{value}</v></c>")
            else:
                skeleton.append(_TEXT_CELL)
                texts.append(str(value))
        skeleton.append("</row>")
    parts = "".join(skeleton).split("\x00")
    texts = _escape_all(texts)
    texts.append("")
    return "".join([piece for pair in zip(parts, texts, strict=True) for piece in pair])


def _text_rows_xml(first: int, rows: list[Sequence[object]]) -> str | None:
    """:func:`_rows_xml` of rows of text alone, the same width (what export writes), with
    no character XML cannot hold: joined and escaped whole, each row put together by one
    join and every empty cell made ``<c/>`` by one replace, without a step per cell.
    None for any other rows."""
    width = len(rows[0]) if rows else 0
    if not width or any(len(row) != width for row in rows):
        return None
    if not {str}.issuperset(map(type, chain.from_iterable(rows))):  # no loop in Python
        return None
    texts = cast("list[str]", list(chain.from_iterable(rows)))
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1 or _NOT_XML_BUT_NUL.search(joined):
        return None
    cells = _referenced(joined).split("\x00")
    between = _TEXT_CLOSE + _TEXT_OPEN
    xml = "".join(
        [
            f'<row r="{number}">{_TEXT_OPEN}{between.join(cells[at : at + width])}'
            f"{_TEXT_CLOSE}</row>"
            for number, at in enumerate(range(0, len(cells), width), start=first)
        ]
    )
    return xml.replace(_EMPTY_TEXT_CELL, "<c/>")


def _escape_all(texts: list[str]) -> list[str]:
    """:func:`_escape` of every text, done on them joined (by a NUL, which no text
    holds; else one by one)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(len(texts) - 1, 0):
        return [_escape(text) for text in texts]
    if _NOT_XML_BUT_NUL.search(joined):
        joined = _NOT_XML_BUT_NUL.sub("", joined)
    return _referenced(joined).split("\x00") if texts else []


def _escape(text: str) -> str:
    return _referenced(_NOT_XML.sub("", text))


def _referenced(text: str) -> str:
    """``text`` with ``&``, ``<``, ``>`` and ``"`` written as references."""
    for character, reference in _REFERENCES:
        if character in text:
            text = text.replace(character, reference)
    return text


# ------------------------------------------------------------------ reading


def read_sheets(path: Path) -> list[Sheet]:
    """The sheets of an ``.xlsx`` or the one table of a ``.csv``; refusals exit 1."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CoproError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise CoproError(
            f"{path.name} is {size / 1024 / 1024:.0f} MB; copro imports files up to "
            f"{MAX_BYTES // 1024 // 1024} MB",
            "split it, or remove rows that have not changed",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CoproError(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".csv":
        return [_read_csv(path.name, data)]
    if data.startswith(_CFB_MAGIC):
        raise CoproError(
            f"{path.name} is password-protected (or an old .xls workbook); copro cannot open it",
            "save it again without a password, as an Excel Workbook (.xlsx)",
        )
    if not data.startswith(b"PK"):
        raise CoproError(
            f"{path.name} is not an Excel workbook (.xlsx) or a CSV file",
            "save it as .xlsx or .csv and import that",
        )
    return _read_xlsx(path.name, data)


def _read_xlsx(name: str, data: bytes) -> list[Sheet]:

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise CoproError(f"{name} is not a readable workbook (a damaged .xlsx?)") from None
    if unpacked > MAX_UNZIPPED:
        raise CoproError(
            f"{name} would unpack to {unpacked // 1024 // 1024} MB; copro refuses workbooks "
            f"that unpack to more than {MAX_UNZIPPED // 1024 // 1024} MB"
        )
    check_sheet_sizes(name, data)
    plain = _plain_sheets(name, data)
    if plain is not None:
        return plain
    book = _open_book(name, data)
    try:
        sheets = []
        for index, sheet in enumerate(book.worksheets):
            header_row = next(sheet.iter_rows(max_row=1), None)
            columns = [_value(c.value).strip() for c in header_row] if header_row else []
            rows: Iterable[Row] = _SheetRows(name, data, index, columns) if header_row else []
            sheets.append(Sheet(sheet.title, columns, rows))
        return sheets
    finally:
        book.close()


def _plain_sheets(name: str, data: bytes) -> list[Sheet] | None:
    """The sheets of a workbook whose every sheet is plain (what copro exports), read
    without openpyxl (importing openpyxl alone takes a few tenths of a second); None
    for any other workbook."""
    from copro.core.plainsheet import plain_book, plain_header

    found = plain_book(data)
    if found is None:
        return None
    sheets = []
    for index, (title, path) in enumerate(found):
        header = plain_header(data, path)
        if header is None:
            return None  # no row 1: openpyxl says what that sheet is
        columns = [_value(value).strip() for value in header]
        sheets.append(Sheet(title, columns, _SheetRows(name, data, index, columns, path)))
    return sheets


def _open_book(name: str, data: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise CoproError(
            f"{name} is not a readable Excel workbook", "save it again as .xlsx and import that"
        ) from None


@dataclass
class _SheetRows:
    """The rows (after the header) of one sheet of a workbook, read each time they are
    iterated, so a large sheet is never held whole."""

    name: str
    data: bytes
    index: int
    columns: list[str]
    plain: str | None = None
    """The sheet's part when it is known to be plain."""

    def __iter__(self) -> Iterator[Row]:
        from copro.core.plainsheet import plain_rows, plain_sheet_path

        plain = self.plain or plain_sheet_path(self.data, self.index)
        if plain is not None:  # what copro exported: read without openpyxl, the same values
            yield from self._rows_of(plain_rows(self.data, plain))
            return
        yield from self._openpyxl_rows()

    def _rows_of(self, rows: Iterator[tuple[int, list[object]]]) -> Iterator[Row]:
        width = len(self.columns)
        at = {column: i for i, column in enumerate(self.columns) if column}
        for number, values in rows:
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            cells = _Cells(at, values)
            if cells.holds_text():
                yield number, cells

    def _openpyxl_rows(self) -> Iterator[Row]:
        book = _open_book(self.name, self.data)
        try:
            rows = book.worksheets[self.index].iter_rows(min_row=2)
            for number, row in enumerate(rows, start=2):
                cells = {
                    self.columns[i]: Cell(_value(c.value), getattr(c, "data_type", None) == "f")
                    for i, c in enumerate(row)
                    if i < len(self.columns) and self.columns[i]
                }
                if any(cell.text.strip() for cell in cells.values()):
                    yield number, cells
        except CoproError:
            raise
        except Exception:  # damaged XML further in: the sheet, not copro, is at fault
            raise CoproError(
                f"{self.name} is not a readable Excel workbook (sheet {self.index + 1} is damaged)",
                "save it again as .xlsx and import that",
            ) from None
        finally:
            book.close()


def check_sheet_sizes(name: str, data: bytes) -> None:
    """Refuse a workbook with a sheet over :data:`MAX_ROWS` rows or :data:`MAX_COLUMNS`
    cells in a row, before any cell is read.

    Each sheet's XML is unpacked a megabyte at a time and counted with regular
    expressions on bytes (row starts and the row numbers they name, cells per
    row and the columns they name, the sheet's stated dimension), so a sheet of
    two million cells in one row, or a row numbered a million, is refused in
    about a second whatever openpyxl would have made of it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as stream:
                        _count_sheet(name, stream)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        raise CoproError(f"{name} is not a readable workbook (a damaged .xlsx?)") from None


def _count_sheet(name: str, stream: IO[bytes]) -> None:
    """Count one sheet's rows and cells a chunk at a time, in C-speed byte operations
    (split at row tags, count cell tags per part): no Python loop over rows or cells."""
    rows = 0
    cells_in_row = 0  # cells of the row still open at the end of the last chunk
    carry = b""
    prefix: bytes | None = None
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        text = carry + chunk
        # keep an unfinished tag for the next chunk, so no tag is counted twice or cut
        cut = text.rfind(b"<")
        text, carry = (text[:cut], text[cut:]) if cut > len(text) - 512 else (text, b"")
        if prefix is None:
            first = _ROW_OR_CELL.search(text)
            prefix = first[1] if first else None
        if _too_far(text):  # a cell beyond column BH or a row numbered over the limit
            _refuse_if_over(name, MAX_COLUMNS + 1, 0)
        if b"dimension" in text:
            for dimension in _DIMENSION.finditer(text):
                _refuse_if_over(name, _column_number(dimension[1]), int(dimension[2]))
        cell = b"<" + (prefix or b"") + b"c"
        text = text.replace(cell + b">", cell + b" ").replace(cell + b"/", cell + b" ")
        parts = text.split(b"<" + (prefix or b"") + b"row")
        counts = list(map(bytes.count, parts, repeat(cell + b" ")))
        rows += len(parts) - 1
        widest = max(counts[1:], default=0)
        _refuse_if_over(name, max(cells_in_row + counts[0], widest), rows)
        cells_in_row = counts[-1] if len(parts) > 1 else cells_in_row + counts[0]


def _too_far(text: bytes) -> bool:
    if any(gap + b'r="' in text for gap in (b"\t", b"\r", b"\n")):
        return _FAR.search(text) is not None
    return _FAR_SPACED.search(text) is not None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _refuse_if_over(name: str, columns: int, rows: int) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise CoproError(
            f"{name} has a sheet larger than copro imports (at most {MAX_ROWS:,} rows and "
            f"{MAX_COLUMNS} columns a sheet)",
            "import the findings and actions sheets as copro export writes them; split a "
            "larger sheet into several workbooks",
        )


def _value(value: object) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_texts(cells: Mapping[str, Cell], columns: Sequence[str]) -> list[str] | None:
    """The row's text in ``columns`` ("" for a cell it lacks), or None when one of them
    holds a formula."""
    if isinstance(cells, _Cells):
        return cells.texts(columns)
    texts = []
    for column in columns:
        cell = cells.get(column)
        if cell is not None and cell.formula:
            return None
        texts.append("" if cell is None else cell.text)
    return texts


def sheet_kind(columns: list[str]) -> str:
    """Which export table a header row is: ``actions`` (it has ``action_id``) or ``findings``."""
    return ACTIONS if "action_id" in columns else FINDINGS


def named_by_header(sheets: list[Sheet]) -> list[Sheet]:
    """A workbook of one sheet under another name (a CSV export saved as .xlsx takes the
    file's name) is the table its header row shows; other workbooks are left as they are."""
    if len(sheets) != 1 or sheets[0].name in (FINDINGS, ACTIONS):
        return sheets
    (only,) = sheets
    return [Sheet(sheet_kind(only.columns), only.columns, only.rows)]


def _read_csv(name: str, data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CoproError(
            f"{name} is not UTF-8 text", "save it as CSV UTF-8 (Excel: File > Save As)"
        ) from None
    if "\x00" in text:
        raise CoproError(f"{name} is not a CSV file (it holds binary data)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CoproError(f"{name} is not a readable CSV file ({exc})") from None
    if not rows:
        raise CoproError(f"{name} is empty")
    columns = [c.strip() for c in rows[0]]
    kept: list[Row] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {
            columns[i]: Cell(unguard_cell(value))
            for i, value in enumerate(row)
            if i < len(columns) and columns[i]
        }
        if any(cell.text.strip() for cell in cells.values()):
            kept.append((number, cells))
    return Sheet(sheet_kind(columns), columns, kept)


def guard_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs, however it splits it (contract v3, "CSV").

    A spreadsheet may split a cell again on `;` or `,` (many European
    locales), so a `'` goes before `=`, `+`, `-`, `@`, a tab, a carriage
    return or a `'` at the start and right after every `;` or `,`; a `'`
    there is guarded too, so ``unguard_cell`` can remove exactly these.
    """
    if _GUARD_AT.search(text) is None:  # most cells: no template expansion (a CSV export
        return text  # of 50,000 records guards millions of cells)
    return _GUARD_AT.sub(r"\1'", text)


def unguard_cell(value: str) -> str:
    """Remove exactly the `'` that ``guard_cell`` put in: ``unguard_cell(guard_cell(t)) == t``."""
    return _GUARD.sub(r"\1", value)
