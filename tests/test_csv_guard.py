"""The CSV formula guard (contract v3, "CSV"): no cell a spreadsheet could split off runs.

A spreadsheet may split a cell again on `;` or `,` (the default separator in
much of Europe is `;`), so a `'` goes before `=`, `+`, `-`, `@`, a tab, a
carriage return or a `'` wherever one begins the cell or directly follows a
`;` or `,` inside it; `import` removes exactly those, so text round-trips.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="needs the test extra (hypothesis)")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from copro.core.workbook import guard_cell, unguard_cell  # noqa: E402

TRIGGERS = "=+-@\t\r'"
RID = "2019-03-somali-mothers-parenting"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("We said no;=1+2", "We said no;'=1+2"),
        ("We said no,=1+2", "We said no,'=1+2"),
        ("=1+2", "'=1+2"),
        ("a;b,c", "a;b,c"),
        ("a; =1", "a; =1"),  # a space first: no spreadsheet reads a formula there
        ("-5 people;+3;@home,\tx", "'-5 people;'+3;'@home,'\tx"),
        ("'quoted", "''quoted"),
        ("a;'=b", "a;''=b"),
        ("x = y - z", "x = y - z"),
        (";=", ";'="),
        ("", ""),
    ],
)
def test_the_guard_goes_where_a_new_cell_could_begin(text, written):
    assert guard_cell(text) == written
    assert unguard_cell(written) == text


def _cells_a_spreadsheet_could_start(text: str) -> list[str]:
    return re.split("[;,]", text)


@settings(derandomize=True, database=None, deadline=None, max_examples=800)
@given(st.text(alphabet=st.sampled_from("ab ;,=+-@\t\r'\"\n"), max_size=30) | st.text(max_size=30))
def test_guarded_text_round_trips_and_no_split_cell_starts_a_formula(text):
    written = guard_cell(text)
    assert unguard_cell(written) == text
    for piece in _cells_a_spreadsheet_could_start(written):
        assert not piece or piece[0] not in TRIGGERS or piece[0] == "'"
        if piece.startswith("'"):
            assert piece[1:2] in tuple(TRIGGERS)  # only the guard's own `'` begins a cell


FINDINGS = [
    "We said no;=1+2",
    "Costs went up,+40 for some of us",
    "'=HYPERLINK(x) is what they sent",
    "Hours are -2 a week;@home visits stopped",
]


def _with_findings(cli, root: Path) -> None:
    for text in FINDINGS:
        added = cli("--root", str(root), "add", "finding", RID, "--text", text)
        assert added.exit_code == 0, added.stderr


def test_export_csv_and_excel_guard_after_separators_and_import_changes_nothing(
    sample_root, cli, tmp_path
):
    _with_findings(cli, sample_root)
    for extra, bom in (([], ""), (["--excel"], "\ufeff")):
        out = tmp_path / f"findings{len(extra)}.csv"
        result = cli("--root", str(sample_root), "export", "--format", "csv", *extra,
                     "-o", str(out))  # fmt: skip
        assert result.exit_code == 0, result.stderr
        raw = out.read_bytes().decode("utf-8")
        assert raw.startswith(bom + "record_id,")
        rows = list(csv.DictReader(io.StringIO(raw[len(bom) :])))
        cells = [r["finding"] for r in rows if r["record_id"] == RID][-len(FINDINGS) :]
        assert cells == [
            "We said no;'=1+2",
            "Costs went up,'+40 for some of us",
            "''=HYPERLINK(x) is what they sent",
            "Hours are -2 a week;'@home visits stopped",
        ]
        again = cli("--root", str(sample_root), "import", str(out), "--yes")
        assert again.exit_code == 0, again.stderr
        assert "Nothing to change" in again.stderr


def test_workbook_cells_stay_plain_text_and_round_trip(sample_root, cli, tmp_path):
    _with_findings(cli, sample_root)
    out = tmp_path / "findings.xlsx"
    assert cli("--root", str(sample_root), "export", "--format", "xlsx", "-o",
               str(out)).exit_code == 0  # fmt: skip
    sheet = openpyxl.load_workbook(out)["findings"]
    cells = [row[9] for row in sheet.iter_rows(min_row=2) if row[0].value == RID]
    assert [c.value for c in cells[-len(FINDINGS) :]] == FINDINGS  # as typed, never formulas
    assert {c.data_type for c in cells} == {"s"}
    again = cli("--root", str(sample_root), "import", str(out), "--yes")
    assert again.exit_code == 0 and "Nothing to change" in again.stderr
