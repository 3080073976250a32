"""CSV for people reading it: Excel's UTF-8 (--excel), actions' text, lead, recontact route."""

from __future__ import annotations

import csv
import io

from conftest import VALID_RECORD, write_record

RID = "2024-03-cafe"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_excel_csv_has_a_bom_and_the_default_has_none(empty_root, cli, tmp_path):
    write_record(empty_root, RID, VALID_RECORD.format(id=RID).replace("Test Trust", "Café Trust"))
    plain = tmp_path / "plain.csv"
    excel = tmp_path / "excel.csv"
    assert cli("--root", str(empty_root), "export", "-o", str(plain)).exit_code == 0
    done = cli("--root", str(empty_root), "export", "--excel", "-o", str(excel))
    assert done.exit_code == 0, done.stderr
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfrecord_id,")
    assert excel.read_bytes()[3:] == plain.read_bytes()
    assert "Café Trust" in excel.read_bytes().decode("utf-8-sig")
    refused = cli("--root", str(empty_root), "export", "--format", "jsonl", "--excel")
    assert refused.exit_code == 2 and "--excel" in refused.stderr


def test_csv_has_actions_text_lead_and_recontact_only_with_consent(sample_root, cli):
    rows = rows_of(cli("--root", str(sample_root), "export").stdout)
    s1 = next(
        r
        for r in rows
        if r["record_id"] == "2019-03-somali-mothers-parenting" and r["finding_id"] == "S1"
    )
    assert (
        s1["actions"]
        == "A Somali-language parenting group now runs each term at the Hornsey Road family hub."
    )
    assert s1["responses"] == "done"
    assert s1["lead_organisation"] == "Hiddo Women's Association"
    assert s1["recontact_via"] == "Islington Family Hubs engagement team"
    no_consent = [r for r in rows if r["record_id"] == "2022-07-housing-benefits-drop-in"]
    assert no_consent and all(r["recontact_via"] == "" for r in no_consent)
