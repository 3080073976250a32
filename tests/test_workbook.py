"""``export --format xlsx`` and ``import``: real workbooks made and opened with openpyxl."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import openpyxl
import pytest

from conftest import VALID_RECORD, write_record

RID = "2019-03-somali-mothers-parenting"
OTHER = "2018-05-peer-coaching-programme"
FINDING_HEADER = [
    "record_id",
    "date",
    "title",
    "status",
    "ladder",
    "places",
    "populations",
    "topics",
    "finding_id",
    "finding",
    "finding_topics",
    "quotable",
    "responses",
    "standing",
]
ACTION_HEADER = ["record_id", "action_id", "responds_to", "status", "text", "date", "reason"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "archive").rglob("*.md"))
    }


def export_book(cli, root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "findings.xlsx"
    result = cli("--root", str(root), "export", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def finding_row(record_id: str, finding_id: str, text: str, topics: str = "") -> list[str]:
    return [record_id, "", "", "", "", "", "", "", finding_id, text, topics, "", "", ""]


def test_export_xlsx_sheets_header_frozen_sized_and_plain_values(sample_root, cli, tmp_path):
    write_record(
        sample_root,
        "2024-03-formula-test",
        VALID_RECORD.format(id="2024-03-formula-test").replace(
            "text: Groups at school pick-up time do not work.", 'text: "=HYPERLINK(\\"http://x\\")"'
        ),
    )
    book = openpyxl.load_workbook(export_book(cli, sample_root, tmp_path))
    assert book.sheetnames == ["findings", "actions"]
    findings, actions = book["findings"], book["actions"]
    assert [c.value for c in findings[1]] == FINDING_HEADER
    assert [c.value for c in actions[1]] == ACTION_HEADER
    assert findings.freeze_panes == "A2" and actions.freeze_panes == "A2"
    assert findings.column_dimensions["J"].width > findings.column_dimensions["L"].width
    rows = {(r[0].value, r[8].value): r for r in findings.iter_rows(min_row=2)}
    cell = rows[("2024-03-formula-test", "S1")][9]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"  # text, never a formula
    assert {r[13].value for r in rows.values()} <= {
        "still-holds",
        "changed",
        "no-longer-holds",
        "unclear",
        "not-revisited",
    }
    assert rows[(RID, "S1")][13].value != "not-revisited"  # the sample's follow-up revisits it
    no_output = cli("--root", str(sample_root), "export", "--format", "xlsx")
    assert no_output.exit_code == 2 and "--output" in no_output.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_importing_a_fresh_export_changes_nothing(sample_root, cli, tmp_path, fmt):
    write_record(
        sample_root,
        "2024-03-formula-test",
        VALID_RECORD.format(id="2024-03-formula-test").replace(
            "Groups at school pick-up time do not work.", '"-5 degrees: +more @ times"'
        ),
    )
    out = tmp_path / f"export.{fmt}"
    assert cli("--root", str(sample_root), "export", "--format", fmt, "-o", str(out)).exit_code == 0
    before = snapshot(sample_root)
    result = cli("--root", str(sample_root), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Nothing to change" in result.stderr
    assert snapshot(sample_root) == before


def test_an_import_sees_a_record_edited_after_the_cache_was_filled(sample_root, cli, tmp_path):
    """Unchanged rows are read from the record cache, but only for the exact bytes it
    parsed: a record edited on disk since (the cache not brought up to date, its size
    and mtime kept) is read from its file, so the workbook's words are put back."""
    book = export_book(cli, sample_root, tmp_path)  # fills the record cache
    path = next((sample_root / "archive").rglob(f"{RID}.md"))
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    edited = text.replace("Parenting courses", "Parenting cuorses", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = cli("--root", str(sample_root), "import", str(book), "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(result.stdout)["records"]
    assert record["record_id"] == RID
    assert [(c["id"], c["change"], c["fields"]) for c in record["changes"]] == [
        ("S1", "changed", ["text"])
    ]


def test_import_adds_and_updates_all_together(sample_root, cli, tmp_path):
    path = export_book(cli, sample_root, tmp_path)
    book = openpyxl.load_workbook(path)
    findings, actions = book["findings"], book["actions"]
    for row in findings.iter_rows(min_row=2):
        if row[0].value == OTHER and row[8].value == "S4":
            row[9].value = "The committee should decide how the whole budget is spent."
            row[10].value = "Governance; Stigma"  # a label accepted for an id
    findings.append(
        finding_row(RID, "", "We want to see the same worker each time", "mental health")
    )
    findings.append(finding_row(RID, "", "Childcare during sessions"))
    actions.append([RID, "", "S1; s2", "In progress", "A weekly drop-in", "14/11/2026", ""])
    book.save(path)
    before = snapshot(sample_root)
    dry = cli("--root", str(sample_root), "import", str(path), "--dry-run")
    assert dry.exit_code == 0 and snapshot(sample_root) == before
    result = cli("--root", str(sample_root), "import", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.index(OTHER) < result.stdout.index(RID)  # grouped by record
    assert "finding S5 added [findings row" in result.stdout
    assert "finding S4 changed (text, topics)" in result.stdout
    after = snapshot(sample_root)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {f"archive/2019/{RID}.md", f"archive/2018/{OTHER}.md"}
    text = after[f"archive/2019/{RID}.md"].decode()
    assert (
        "- id: S5\n  text: We want to see the same worker each time\n  topics: [mental-health]\n"
        in text
    )
    assert "- id: S6\n  text: Childcare during sessions\n" in text
    assert (
        "  responds_to: [S1, S2]\n  status: in-progress\n  text: A weekly drop-in\n  date: 2026-11-14\n"
        in text
    )
    old_lines = before[f"archive/2019/{RID}.md"].decode().split("\n")
    assert [line for line in text.split("\n") if line in old_lines] == old_lines  # only inserts
    assert cli("--root", str(sample_root), "validate").exit_code == 0
    again = cli("--root", str(sample_root), "import", str(path))
    assert again.exit_code == 0 and "Nothing to change" in again.stderr
    assert snapshot(sample_root) == after


def test_bad_rows_are_named_by_sheet_and_row_and_nothing_is_written(sample_root, cli, tmp_path):
    path = export_book(cli, sample_root, tmp_path)
    book = openpyxl.load_workbook(path)
    findings, actions = book["findings"], book["actions"]
    first = findings.max_row + 1
    findings.append(finding_row(RID, "", "A good new finding"))  # fine on its own
    findings.append(finding_row("2019-03-no-such-record", "", "Lost"))
    findings.append(finding_row(OTHER, "S1", "Again"))  # S1 of OTHER is already on a row
    findings.append(finding_row(RID, "", "Ring me on 07911 123456"))
    findings.append(finding_row(RID, "", "=1+2"))  # a real formula cell
    findings.append(finding_row(RID, "", "Unknown topic", "no-such-topic"))
    act = actions.max_row + 1
    actions.append([RID, "", "S9", "done", "Answers nothing", "2026-01-01", ""])
    actions.append([RID, "", "S1", "done", "Bad date", "2026-31-12", ""])
    actions.append([RID, "D99", "S1", "done", "Unknown action", "2026-01-01", ""])
    book.save(path)
    before = snapshot(sample_root)
    result = cli("--root", str(sample_root), "import", str(path), "--yes")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    for expected in (
        f"sheet findings, row {first + 1}: no record with id 2019-03-no-such-record",
        f"sheet findings, row {first + 2}: finding S1 of {OTHER} is also on row",
        f"sheet findings, row {first + 3}: column finding holds a phone number (not shown)",
        f"sheet findings, row {first + 4}: column finding holds a formula",
        f"sheet findings, row {first + 5}: finding_topics 'no-such-topic' is not a term",
        f"sheet actions, row {act}: responds_to names S9",
        f"sheet actions, row {act + 1}: date '2026-31-12' is not a date: write it as YYYY-MM-DD",
        f"sheet actions, row {act + 2}: {RID} has no action D99",
    ):
        assert expected in message, expected
    assert "07911" not in result.stdout + result.stderr
    assert snapshot(sample_root) == before


def test_a_gate_failure_is_named_by_its_row(sample_root, cli, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(
        ",".join(ACTION_HEADER) + "\n" + f"{RID},,S1,done,Finished it,,\n", encoding="utf-8"
    )
    before = snapshot(sample_root)
    result = cli("--root", str(sample_root), "import", str(path))
    assert result.exit_code == 1
    assert "sheet actions, row 2:" in " ".join(result.stderr.split())
    assert "date" in result.stderr
    assert snapshot(sample_root) == before


def test_missing_sheet_and_missing_column(sample_root, cli, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "findings"
    book["findings"].append(["record_id", "finding_id", "finding"])
    book.create_sheet("notes")  # a workbook of several sheets needs both of export's
    path = tmp_path / "partial.xlsx"
    book.save(path)
    result = cli("--root", str(sample_root), "import", str(path))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "no sheet named 'actions'" in message
    assert "sheet findings, row 1: missing column(s) finding_topics" in message


def test_files_that_are_not_workbooks(sample_root, cli, tmp_path):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("just some notes\n", encoding="utf-8")
    result = cli("--root", str(sample_root), "import", str(fake))
    assert result.exit_code == 1 and "not an Excel workbook" in result.stderr
    big = tmp_path / "huge.xlsx"
    with open(big, "wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    result = cli("--root", str(sample_root), "import", str(big))
    assert result.exit_code == 1 and "up to 64 MB" in " ".join(result.stderr.split())


def test_password_protected_workbook(sample_root, cli, tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the workbook")
    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    plain.seek(0)
    locked = tmp_path / "locked.xlsx"
    with open(locked, "wb") as handle:
        msoffcrypto.OfficeFile(plain).encrypt("secret", handle)
    result = cli("--root", str(sample_root), "import", str(locked))
    assert result.exit_code == 1
    assert "password-protected" in result.stderr


def test_import_json_keys(sample_root, cli, tmp_path):
    path = tmp_path / "new.csv"
    header = ",".join(FINDING_HEADER)
    path.write_text(header + "\n" + ",".join(finding_row(RID, "", "Evenings are hard")) + "\n")
    result = cli("--root", str(sample_root), "import", str(path), "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"file", "rows", "records", "problems", "applied"}
    assert document["records"][0]["changes"] == [
        {
            "sheet": "findings",
            "row": 2,
            "kind": "finding",
            "id": "S5",
            "change": "added",
            "fields": [],
            "warning": None,
        }
    ]
    assert document["applied"] is False


def test_the_plan_warns_when_a_revisited_finding_is_reworded(sample_root, cli, tmp_path):
    """The 2024 follow-up revisited S3: its answer was to the old words (contract v3)."""
    path = tmp_path / "reworded.csv"
    rows = [finding_row(RID, "S3", "Fear of social services keeps families away", "stigma")]
    path.write_text(",".join(FINDING_HEADER) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    result = cli("--root", str(sample_root), "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "warning: S3 was revisited by 2024-04-somali-mothers-parenting-follow-up" in said
    document = json.loads(
        cli("--root", str(sample_root), "import", str(path), "--dry-run", "--json").stdout
    )
    step = document["records"][0]["changes"][0]
    assert step["warning"].startswith("S3 was revisited by 2024-04-somali-mothers-parenting")


def test_at_a_real_terminal_import_asks_before_applying(sample_root, private_cache, tmp_path):
    """Driven through a pseudo-terminal: no --yes, so copro asks; 'n' writes nothing."""
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    path = tmp_path / "new.csv"
    path.write_text(
        ",".join(FINDING_HEADER) + "\n" + ",".join(finding_row(RID, "", "Evenings are hard")) + "\n"
    )
    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS="200", TERM="dumb")
    before = snapshot(sample_root)
    for answer, status in (("n", 1), ("y", 0)):
        child = pexpect.spawn(
            sys.executable,
            ["-m", "copro", "--root", str(sample_root), "import", str(path)],
            env=env,
            encoding="utf-8",
            timeout=60,
        )
        child.expect("Apply these changes")
        assert "finding S5 added [findings row 2]" in child.before
        child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == status
        if answer == "n":
            assert snapshot(sample_root) == before
    assert "Evenings are hard" in (sample_root / "archive" / "2019" / f"{RID}.md").read_text()


@pytest.mark.parametrize("kind", ["findings", "actions"])
def test_a_csv_export_saved_as_a_one_sheet_workbook_imports(sample_root, cli, tmp_path, kind):
    """LibreOffice saves an exported CSV as .xlsx with one sheet named after the file:
    its header row says which table it is."""
    import csv

    exported = tmp_path / f"{kind}.csv"
    book_path = tmp_path / "from-libreoffice.xlsx"
    assert cli("--root", str(sample_root), "export", "-o", str(exported)).exit_code == 0
    rows = list(csv.reader(exported.open(encoding="utf-8-sig", newline="")))
    if kind == "actions":
        rows = [ACTION_HEADER, [RID, "", "S3", "planned", "Ask the family hubs again.", "", ""]]
    book = openpyxl.Workbook()
    book.active.title = "from-libreoffice"
    for row in rows:
        book.active.append(row)
    book.save(book_path)
    result = cli("--root", str(sample_root), "import", str(book_path), "--yes")
    assert result.exit_code == 0, result.stderr
    if kind == "findings":
        assert "Nothing to change" in result.stderr
    else:
        assert (
            "Ask the family hubs again."
            in (sample_root / "archive" / "2019" / f"{RID}.md").read_text()
        )


def _d1_row(status: str) -> list[str]:
    text = "A Somali-language parenting group now runs each term at the Hornsey Road family hub."
    return [RID, "D1", "S1", status, text, "2019-09-16", ""]


def test_an_actions_only_csv_changes_an_existing_action(sample_root, cli, tmp_path):
    sheet = tmp_path / "actions.csv"
    rows = [ACTION_HEADER, _d1_row("in progress")]
    sheet.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    result = cli("--root", str(sample_root), "import", str(sheet), "--yes")
    assert result.exit_code == 0, result.stderr
    assert "action D1 changed (status)" in result.stdout
    text = (sample_root / "archive" / "2019" / f"{RID}.md").read_text(encoding="utf-8")
    assert "- id: D1\n  responds_to:\n  - S1\n  status: in-progress\n" in text
    assert cli("--root", str(sample_root), "validate").exit_code == 0


def test_a_workbook_without_finding_rows_for_a_record_changes_its_action(
    sample_root, cli, tmp_path
):
    path = export_book(cli, sample_root, tmp_path)
    book = openpyxl.load_workbook(path)
    findings, actions = book["findings"], book["actions"]
    for number in range(findings.max_row, 1, -1):  # the record's findings rows are gone
        if findings.cell(number, 1).value == RID:
            findings.delete_rows(number)
    for row in actions.iter_rows(min_row=2):
        if row[0].value == RID and row[1].value == "D1":
            row[3].value = "not-doing"
            row[6].value = "The hub closed"
    book.save(path)
    result = cli("--root", str(sample_root), "import", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert "action D1 changed (status, reason)" in result.stdout
    text = (sample_root / "archive" / "2019" / f"{RID}.md").read_text(encoding="utf-8")
    assert "  status: not-doing\n" in text and "The hub closed" in text


def _hostile_workbook(path, sheet_xml: bytes) -> None:
    """A zip laid out as an xlsx whose one sheet is ``sheet_xml`` (no cell is ever read)."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)


_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.mark.parametrize(
    "sheet_data",
    [
        b'<sheetData><row r="1">' + b"<c><v>1</v></c>" * 5000 + b"</row></sheetData>",
        b'<sheetData><row r="1"><c r="ZZ1"><v>1</v></c></row></sheetData>',
        b'<sheetData><row r="1"><c r="A1"/></row><row r="2000000"><c r="A2000000"/></row>'
        b"</sheetData>",
        b"<sheetData>" + b"<row/>" * 1_000_001 + b"</sheetData>",
        b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"/></sheetData>',
    ],
    ids=["5000-cells-in-a-row", "column-ZZ", "row-2000000", "1000001-rows", "dimension"],
)
def test_a_sheet_over_the_limits_is_refused_before_it_is_read(
    sample_root, cli, tmp_path, sheet_data: bytes
):
    path = tmp_path / "hostile.xlsx"
    _hostile_workbook(path, _SHEET + sheet_data + b"</worksheet>")
    result = cli("--root", str(sample_root), "import", str(path), "--dry-run")
    assert result.exit_code == 1, result.stderr
    message = " ".join(result.stderr.split())
    assert "larger than copro imports (at most 1,000,000 rows and 60 columns" in message


def test_prefixed_sheet_elements_are_counted_too(sample_root, cli, tmp_path):
    path = tmp_path / "prefixed.xlsx"
    cells = b"<x:c><x:v>1</x:v></x:c>" * 61
    _hostile_workbook(
        path,
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:sheetData><x:row>" + cells + b"</x:row></x:sheetData></x:worksheet>",
    )
    result = cli("--root", str(sample_root), "import", str(path), "--dry-run")
    assert result.exit_code == 1 and "larger than copro imports" in result.stderr


def test_what_export_writes_is_within_the_limits(sample_root, cli, tmp_path):
    book = tmp_path / "all.xlsx"
    assert cli("--root", str(sample_root), "export", "--format", "xlsx", "--output", str(book))
    result = cli("--root", str(sample_root), "import", str(book), "--dry-run")
    assert result.exit_code == 0, result.stderr


def test_an_export_states_each_sheets_size_before_its_rows(sample_root, cli, tmp_path):
    """Like Excel's own files: a reader learns the size without reading every row."""
    import zipfile

    book = export_book(cli, sample_root, tmp_path)
    opened = openpyxl.load_workbook(book, read_only=True)
    with zipfile.ZipFile(book) as parts:
        for number, sheet in enumerate(opened.worksheets, start=1):
            xml = parts.read(f"xl/worksheets/sheet{number}.xml").decode()
            rows = sum(1 for _ in sheet.iter_rows())
            header = FINDING_HEADER if sheet.title == "findings" else ACTION_HEADER
            last_column = "N" if header is FINDING_HEADER else "G"
            assert f'<dimension ref="A1:{last_column}{rows}"/>' in xml
            assert xml.index("<dimension") < xml.index("<sheetData>")
            assert (sheet.max_row, sheet.max_column) == (rows, len(header))
    opened.close()


def _sheet_values(path: Path) -> list[tuple[str, list[str], list]]:
    from copro.core.workbook import read_sheets

    return [
        (sheet.name, sheet.columns, [(n, {k: (c.text, c.formula) for k, c in cells.items()})
                                     for n, cells in sheet.rows])
        for sheet in read_sheets(path)
    ]  # fmt: skip


def test_copros_own_sheets_read_the_same_without_openpyxl(sample_root, cli, tmp_path):
    """A plain sheet (what export writes) is read by copro's own parser; the values are
    those openpyxl gives for the same workbook saved by openpyxl with a styled cell in
    each sheet (not plain, so openpyxl reads it)."""
    import zipfile

    from openpyxl.styles import Font

    write_record(
        sample_root,
        "2024-03-formula-test",
        VALID_RECORD.format(id="2024-03-formula-test").replace(
            "Groups at school pick-up time do not work.", '"=1+2 ünïcode  two  spaces & <tags>"'
        ),
    )
    book = export_book(cli, sample_root, tmp_path)
    resaved = tmp_path / "resaved.xlsx"
    opened = openpyxl.load_workbook(book)
    opened["findings"].append(["2024-03-formula-test", 2024, 3.5, None, "", 1e20])  # numbers
    for sheet in opened.worksheets:
        sheet["A2"].font = Font(italic=True)
    opened.save(resaved)
    with zipfile.ZipFile(resaved) as parts:
        assert b' s="2"' in parts.read("xl/worksheets/sheet1.xml")  # a styled cell: not plain
    numbers = tmp_path / "numbers.xlsx"  # the same extra row, as export would write it
    from copro.core.workbook import write_workbook

    with zipfile.ZipFile(book) as parts:
        assert "xl/sharedStrings.xml" not in parts.namelist()
    read = openpyxl.load_workbook(book, read_only=True)
    sheets = [
        (sheet.title, [[c.value for c in row] for row in sheet.iter_rows()])
        for sheet in read.worksheets
    ]
    read.close()
    extra = ["2024-03-formula-test", 2024, 3.5, None, "", 1e20]
    sheets[0][1].append(extra + [None] * (len(FINDING_HEADER) - len(extra)))
    numbers.write_bytes(write_workbook([(name, rows[0], rows[1:]) for name, rows in sheets]))
    from copro.core.plainsheet import plain_sheet_path

    assert plain_sheet_path(numbers.read_bytes(), 0) == "xl/worksheets/sheet1.xml"
    assert plain_sheet_path(resaved.read_bytes(), 0) is None
    assert _sheet_values(numbers) == _sheet_values(resaved)
    assert any(
        cells.get("finding", ("", False))[0].startswith("=1+2 ünïcode  two  spaces & <tags>")
        for _, _, rows in _sheet_values(numbers)
        for _, cells in rows
    )


def test_a_formula_put_into_an_exported_sheet_is_still_refused(sample_root, cli, tmp_path):
    """Anything but plain values sends the sheet to openpyxl, which reports the formula."""
    import zipfile

    book = export_book(cli, sample_root, tmp_path)
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(edited, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index('<row r="2">')
                cells = text[start:].split("<c", 10)  # the 10th cell of row 2: finding
                cells[10] = "><f>1+2</f><v>3</v></c>" + cells[10].split("</c>", 1)[1]
                data = (text[:start] + "<c".join(cells)).encode()
            target.writestr(info, data)
    result = cli("--root", str(sample_root), "import", str(edited), "--dry-run")
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "sheet findings, row 2: column finding holds a formula" in said


@pytest.mark.parametrize("chunk", [97, 4096])
def test_a_plain_sheet_is_found_plain_and_read_whole_across_chunk_boundaries(
    sample_root, cli, tmp_path, monkeypatch, chunk
):
    """The sheet is checked and cut a chunk at a time; a tag cut in two is never taken for
    something else, and every row arrives (the chunk is a megabyte in use)."""
    from copro.core import plainsheet

    book = export_book(cli, sample_root, tmp_path)
    whole = _sheet_values(book)
    monkeypatch.setattr(plainsheet, "_CHUNK", chunk)
    data = book.read_bytes()
    assert plainsheet.plain_sheet_path(data, 0) == "xl/worksheets/sheet1.xml"
    assert plainsheet.plain_sheet_path(data, 1) == "xl/worksheets/sheet2.xml"
    assert _sheet_values(book) == whole
    assert len(whole[0][2]) > 30
