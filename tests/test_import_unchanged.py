"""An import of a workbook just exported: rows exactly as export writes them are not read
further, every other row gets every check; copro's own rows are read without an XML parser.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_workbook import OTHER, RID, export_book, snapshot

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _row_numbers(path: Path, sheet: str, record_id: str, item_id: str) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        for number, row in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            if row[0] == record_id and item_id in row:
                return number
    finally:
        book.close()
    raise AssertionError(f"no row for {record_id} {item_id}")


def _edit(path: Path, sheet: str, number: int, column: int, value: str) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet].cell(number, column).value = value
    book.save(path)


@pytest.mark.parametrize(
    ("sheet", "record_id", "item_id", "column", "typed", "kind"),
    [
        ("findings", RID, "S1", 10, "Ask for Sam on sam.jones@example.org", "an e-mail address"),
        ("actions", RID, "D1", 7, "Ring the hub on 020 7946 0321", "a phone number"),
        ("findings", OTHER, "S2", 11, "07700 900123", "a phone number"),
    ],
    ids=["finding-email", "action-reason-phone", "finding-topics-phone"],
)
def test_personal_data_typed_into_an_exported_row_is_still_refused(
    sample_root, cli, tmp_path, sheet, record_id, item_id, column, typed, kind
):
    """The row is no longer what export writes, so it gets every check: refused by sheet
    and row, the value never shown, nothing written."""
    book = export_book(cli, sample_root, tmp_path)
    number = _row_numbers(book, sheet, record_id, item_id)
    _edit(book, sheet, number, column, typed)
    before = snapshot(sample_root)
    result = cli("--root", str(sample_root), "import", str(book), "--yes")
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert f"sheet {sheet}, row {number}: column" in said
    assert f"holds {kind} (not shown)" in said
    for part in typed.split():
        if any(ch.isdigit() for ch in part) or "@" in part:
            assert part not in result.stdout + result.stderr
    assert snapshot(sample_root) == before


def test_a_row_exported_twice_is_still_named_as_a_duplicate(sample_root, cli, tmp_path):
    book = export_book(cli, sample_root, tmp_path)
    number = _row_numbers(book, "findings", OTHER, "S1")
    opened = openpyxl.load_workbook(book)
    findings = opened["findings"]
    findings.append([cell.value for cell in findings[number]])
    last = findings.max_row
    opened.save(book)
    result = cli("--root", str(sample_root), "import", str(book), "--dry-run")
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert f"sheet findings, row {last}: finding S1 of {OTHER} is also on row {number}" in said


def test_an_unchanged_row_beside_a_changed_one_of_the_same_record(sample_root, cli, tmp_path):
    """Rows of one record: the one changed is planned, the others are not read further."""
    book = export_book(cli, sample_root, tmp_path)
    number = _row_numbers(book, "findings", RID, "S2")
    _edit(book, "findings", number, 10, "Courses should run in the evening as well.")
    result = cli("--root", str(sample_root), "import", str(book), "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"finding S2 changed (text) [findings row {number}]" in result.stdout
    assert result.stdout.count("changed") == 1
    again = cli("--root", str(sample_root), "import", str(book))
    assert again.exit_code == 0 and "Nothing to change" in again.stderr


TRICKY = [
    "a & b < c > d",
    'say "hi" and it\'s fine',
    "&amp; written out",
    "tab\there and line\nbreak",
    "carriage\r\nreturn",
    "ünïcode € 漢字 🙂",
    "  spaces kept  ",
    "=1+2",
    "]] > not an end",
]


def _openpyxl_values(data: bytes, index: int) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[index].iter_rows(min_row=2, values_only=True)]
    finally:
        book.close()


def _plain_values(data: bytes, index: int) -> list[list[object]]:
    from copro.core.plainsheet import plain_rows, plain_sheet_path

    path = plain_sheet_path(data, index)
    assert path is not None
    return [values for _, values in plain_rows(data, path)]


def test_copros_own_rows_read_as_openpyxl_reads_them(monkeypatch):
    """Text with every character XML escapes, numbers, empty cells: the same values as
    openpyxl's. Each data row is read by the regular expression, but for one with a
    carriage return (XML makes it a line feed), which goes to the XML parser."""
    from copro.core import plainsheet
    from copro.core.workbook import write_workbook

    rows: list[list[object]] = [[text, index, None, "", index + 0.5] for index, text in
                                enumerate(TRICKY)]  # fmt: skip
    rows.append(["x", 10**20, 1e-5, -3, "\x01control dropped"])
    data = write_workbook([("findings", ["a", "b", "c", "d", "e"], rows)])
    parsed: list[bytes] = []
    parse = plainsheet._parse
    monkeypatch.setattr(plainsheet, "_parse", lambda rows: parsed.append(rows) or parse(rows))
    assert _plain_values(data, 0) == _openpyxl_values(data, 0)
    assert len(parsed) == 2  # the header row and the row with a carriage return
    assert b"\r" in parsed[1] and b'<row r="1">' in parsed[0]


def _sheet(rows: bytes, header: tuple[str, ...] = ("a", "b")) -> bytes:
    names = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in header)
    return (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
            f'<row r="1">{names}</row>'
        ).encode()
        + rows
        + b"</sheetData></worksheet>"
    )


def _book(tmp_path: Path, sheet_xml: bytes) -> bytes:
    from copro.core.workbook import write_workbook

    template = write_workbook([("findings", ["a", "b"], [])])
    out = tmp_path / "book.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, sheet_xml if info.filename.endswith("sheet1.xml") else data)
    return out.read_bytes()


COPRO_ROW = (
    b'<row r="%d"><c t="inlineStr"><is><t xml:space="preserve">row %d</t></is></c><c/></row>'
)


@pytest.mark.parametrize(
    ("odd", "plain"),
    [
        (b'<row r="7"><c t="inlineStr" s="1"><is><t>x</t></is></c></row>', False),
        (b'<row r="7"><c><f>1+2</f><v>3</v></c></row>', False),
        (b'<row r="7"><c t="s"><v>0</v></c></row>', False),
        (b'<row r="7"><x:c xmlns:x="urn:x"/></row>', False),
        (b'<row r="7"><c r="B7"><v>5</v></c></row>', True),
        (b'<row r="7"><c t="inlineStr"><is><t>&#65;</t></is></c></row>', True),
    ],
    ids=["styled", "formula", "shared-string", "prefixed", "placed-cell", "char-reference"],
)
def test_one_odd_row_among_copros_is_found_at_every_cut(tmp_path, monkeypatch, odd, plain):
    """The plain check takes runs of copro's rows whole and searches the rest; wherever
    the chunks cut the sheet, the one row that is not copro's decides, and the rows read
    are the XML parser's."""
    from copro.core import plainsheet

    rows = b"".join(COPRO_ROW % (n, n) for n in range(2, 7)) + odd
    rows += b"".join(COPRO_ROW % (n, n) for n in range(8, 12))
    data = _book(tmp_path, _sheet(rows))
    whole = _plain_values(data, 0) if plain else None
    for chunk in range(40, len(rows) + 200, 13):
        monkeypatch.setattr(plainsheet, "_CHUNK", chunk)
        found = plainsheet.plain_sheet_path(data, 0)
        assert (found is not None) == plain, chunk
        if plain:
            assert _plain_values(data, 0) == whole
    if plain:
        assert whole == _openpyxl_values(data, 0)


def test_a_number_cell_that_is_no_number_is_a_damaged_sheet(sample_root, cli, tmp_path):
    path = tmp_path / "odd.xlsx"
    header = ("record_id", "finding_id", "finding", "finding_topics")
    sheet = _sheet(b'<row r="2"><c><v>abc</v></c><c/></row>', header)
    path.write_bytes(_book(tmp_path, sheet))
    result = cli("--root", str(sample_root), "import", str(path), "--dry-run")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr and "could not be read" in result.stderr


def test_rows_of_text_are_written_whole_and_read_back_as_written():
    """Export's rows are all text: written by whole-batch joins, every empty cell as
    ``<c/>``, a text of characters XML cannot hold as an empty text cell (as one at a
    time), and read back by openpyxl and copro's reader as they were."""
    from copro.core.workbook import write_workbook

    rows = [[text, "", text.upper()] for text in TRICKY if "\r" not in text] * 300
    rows += [["", "", ""], ["\x01\x02", "kept", ""]]
    data = write_workbook([("findings", ["a", "b", "c"], rows)])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    assert (
        b'<row r="2"><c t="inlineStr"><is><t xml:space="preserve">a &amp; b &lt; c &gt; d' in sheet
    )
    assert b"<c/><c/><c/></row>" in sheet
    assert b'<t xml:space="preserve"></t></is></c><c t="inlineStr">' in sheet  # "\x01\x02"
    expected = [[value or None for value in row] for row in rows]
    expected[-1][0] = ""
    assert _openpyxl_values(data, 0) == expected
    assert _plain_values(data, 0) == expected
