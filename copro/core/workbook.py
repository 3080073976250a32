"""Spreadsheets out and in: the ``findings`` and ``actions`` sheets as xlsx or CSV.

Writing: every cell is a plain string or number, never a formula (a finding
that begins with ``=`` is stored as text). Reading: ``.xlsx`` with openpyxl
(formulas are never evaluated: a formula cell is refused where a value is
expected) and ``.csv`` (UTF-8, the leading ``'`` that ``export --format csv``
puts before ``=``, ``+``, ``-``, ``@``, a tab or a carriage return removed).
Files over 20 MB, password-protected workbooks and files that are not
workbooks are refused before anything is parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.columns import CSV_COLUMNS
from copro.core.errors import CoproError

MAX_BYTES = 20 * 1024 * 1024
"""Files over this size are refused before parsing (a real sheet is a few hundred KB)."""
MAX_UNZIPPED = 200 * 1024 * 1024
"""An xlsx is a zip: refuse one that would unpack to more than this (a zip bomb)."""


FINDINGS = "findings"
ACTIONS = "actions"
ACTION_COLUMNS = ["record_id", "action_id", "responds_to", "status", "text", "date", "reason"]
_GUARD_AT = re.compile(r"(^|[;,])(?=[=+\-@\t\r'])")
"""Where a spreadsheet could start a cell (the start, or right after `;` or `,`)
and a formula trigger, or a `'`, follows: a `'` goes there."""
_GUARD = re.compile(r"(^|[;,])'(?=[=+\-@\t\r'])")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def findings_columns() -> list[str]:
    return [*CSV_COLUMNS, "standing"]


@dataclass
class Cell:
    """One value read from a sheet; ``formula`` when the cell held a formula."""

    text: str
    formula: bool = False


@dataclass
class Sheet:
    """A sheet as read: its column names and rows, each with its spreadsheet row number."""

    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)


# ------------------------------------------------------------------ writing


def write_workbook(sheets: Sequence[tuple[str, list[str], Iterable[Sequence[object]]]]) -> bytes:
    """An xlsx with a frozen header row, columns sized to read, every cell a plain value."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, columns, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        materialised = [list(row) for row in rows]
        for index, column in enumerate(columns, start=1):
            sample = [len(str(r[index - 1] or "")) for r in materialised[:500]]
            longest = max([len(column), *sample])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 60)
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in materialised:
            sheet.append([_plain_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain_cell(sheet: object, value: object) -> object:
    """Text stays text: openpyxl would store ``=...`` as a formula unless told."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.data_type = "s"
        return cell
    return value


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
    from openpyxl import load_workbook

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
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise CoproError(
            f"{name} is not a readable Excel workbook", "save it again as .xlsx and import that"
        ) from None
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = sheet.iter_rows()
            header_row = next(rows, None)
            if header_row is None:
                sheets.append(Sheet(sheet.title, []))
                continue
            columns = [_value(c.value).strip() for c in header_row]
            found = Sheet(sheet.title, columns)
            for number, row in enumerate(rows, start=2):
                cells = {
                    columns[i]: Cell(_value(c.value), getattr(c, "data_type", None) == "f")
                    for i, c in enumerate(row)
                    if i < len(columns) and columns[i]
                }
                if any(cell.text.strip() for cell in cells.values()):
                    found.rows.append((number, cells))
            sheets.append(found)
        return sheets
    finally:
        book.close()


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
    sheet = Sheet(sheet_kind(columns), columns)
    for number, row in enumerate(rows[1:], start=2):
        cells = {
            columns[i]: Cell(unguard_cell(value))
            for i, value in enumerate(row)
            if i < len(columns) and columns[i]
        }
        if any(cell.text.strip() for cell in cells.values()):
            sheet.rows.append((number, cells))
    return sheet


def guard_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs, however it splits it (contract v3, "CSV").

    A spreadsheet may split a cell again on `;` or `,` (many European
    locales), so a `'` goes before `=`, `+`, `-`, `@`, a tab, a carriage
    return or a `'` at the start and right after every `;` or `,`; a `'`
    there is guarded too, so ``unguard_cell`` can remove exactly these.
    """
    return _GUARD_AT.sub(r"\1'", text)


def unguard_cell(value: str) -> str:
    """Remove exactly the `'` that ``guard_cell`` put in: ``unguard_cell(guard_cell(t)) == t``."""
    return _GUARD.sub(r"\1", value)
