"""Withdrawn records (contract v3): kept for the history, left out of every view unless asked.

The sample archive holds one withdrawn record (mandatory "engagement" sessions
for people claiming benefits); every test here runs the CLI end to end on a
copy of it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import NEW_OPTIONS, write_record

WITHDRAWN = "2024-11-mandatory-employment-support-sessions"
WITHDRAWN_FINDING = "People came only because they were told their benefits depended on it."


def _json(result) -> object:  # noqa: ANN001
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_search_leaves_withdrawn_records_out_unless_status_asks(sample_root: Path, cli) -> None:
    found = _json(cli("--root", str(sample_root), "search", "benefits", "--json"))
    assert WITHDRAWN not in [hit["id"] for hit in found["results"]]
    asked = _json(
        cli("--root", str(sample_root), "search", "benefits", "--status", "withdrawn", "--json")
    )
    assert [hit["id"] for hit in asked["results"]] == [WITHDRAWN]


def test_findings_and_themes_leave_them_out_unless_included(sample_root: Path, cli) -> None:
    root = str(sample_root)
    rows = _json(cli("--root", root, "findings", "--json"))["findings"]
    assert WITHDRAWN not in {row["record_id"] for row in rows}
    rows = _json(cli("--root", root, "findings", "--include-withdrawn", "--json"))["findings"]
    assert WITHDRAWN in {row["record_id"] for row in rows}

    def benefits(*extra: str) -> int:
        themes = _json(cli("--root", root, "themes", "--topic", "benefits", "--json", *extra))
        return sum(t["records"] for t in themes["themes"])

    assert benefits("--include-withdrawn") == benefits() + 1


def test_similar_leaves_them_out_unless_included(sample_root: Path, cli) -> None:
    text = (
        "---\nid: 2025-01-benefit-conditions\ntitle: Benefit conditions\nstatus: completed\n"
        "date: 2025-01-10\norganisations:\n- {name: Test Trust, sector: nhs, role: lead}\n"
        "places: [camden]\nmethods: [workshop]\nladder: consultation\n"
        "populations: [carers]\ntopics: [benefits]\nyou_said:\n- id: S1\n"
        "  text: People came only because they were told their benefits depended on it.\n"
        "consent: {quotes: false, recontact: false}\n---\n"
    )
    write_record(sample_root, "2025-01-benefit-conditions", text)
    ref = "2025-01-benefit-conditions#S1"
    shown = _json(cli("--root", str(sample_root), "similar", ref, "--json"))
    assert not [r for r in shown["results"] if r["finding"].startswith(WITHDRAWN)]
    asked = _json(cli("--root", str(sample_root), "similar", ref, "--include-withdrawn", "--json"))
    assert f"{WITHDRAWN}#S1" in [r["finding"] for r in asked["results"]]


def test_stats_count_them_only_when_included(sample_root: Path, cli) -> None:
    plain = _json(cli("--root", str(sample_root), "stats", "--json"))
    every = _json(cli("--root", str(sample_root), "stats", "--include-withdrawn", "--json"))
    assert "withdrawn" not in plain["by_status"]
    assert every["by_status"]["withdrawn"] == 1
    assert every["records"] == plain["records"] + 1


def test_a_report_across_records_quotes_them_only_when_included(sample_root: Path, cli) -> None:
    plain = cli("--root", str(sample_root), "report", "--topic", "benefits")
    assert plain.exit_code == 0, plain.stderr
    assert WITHDRAWN_FINDING not in plain.stdout
    every = cli("--root", str(sample_root), "report", "--topic", "benefits", "--include-withdrawn")
    assert WITHDRAWN_FINDING in every.stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_exports_leave_them_out_unless_included(
    sample_root: Path, cli, tmp_path: Path, fmt: str
) -> None:
    def exported(*extra: str) -> str:
        out = tmp_path / f"out-{len(extra)}.{fmt}"
        result = cli("--root", str(sample_root), "export", "--format", fmt, "-o", str(out), *extra)
        assert result.exit_code == 0, result.stderr
        if fmt != "xlsx":
            return out.read_text(encoding="utf-8")
        from openpyxl import load_workbook

        book = load_workbook(out, read_only=True)
        return "\n".join(
            str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r
        )

    assert WITHDRAWN not in exported()
    assert WITHDRAWN in exported("--include-withdrawn")
    if fmt == "csv":
        assert list(csv.DictReader(io.StringIO(exported())))  # still a CSV with rows


def test_new_does_not_offer_them_as_asked_before(sample_root: Path, cli) -> None:
    options = [o for o in NEW_OPTIONS]
    at = options.index("--topic")
    options[at + 1] = "benefits"
    at = options.index("--population")
    options[at + 1] = "mental-health-service-users"
    result = cli(
        "--root", str(sample_root), "new", "--title", "Benefit sessions", *options, "--dry-run"
    )
    assert result.exit_code == 0, result.stderr
    assert WITHDRAWN not in result.stderr


def test_show_and_its_own_report_begin_by_saying_it_was_withdrawn(
    sample_root: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    shown = cli("--root", str(sample_root), "show", WITHDRAWN)
    assert shown.exit_code == 0, shown.stderr
    first = next(line for line in shown.stdout.splitlines() if line.strip())
    assert "withdrawn" in first.lower(), shown.stdout
    report = cli("--root", str(sample_root), "report", WITHDRAWN)
    assert report.exit_code == 0, report.stderr
    first = next(line for line in report.stdout.splitlines() if line.strip())
    assert "withdrawn" in first.lower(), report.stdout
    assert "0 of the 0" not in report.stdout
    as_json = _json(cli("--root", str(sample_root), "show", WITHDRAWN, "--json"))
    assert as_json["front_matter"]["status"] == "withdrawn"


def test_a_withdrawn_finding_sets_no_standing_and_cannot_be_revisited(
    sample_root: Path, cli
) -> None:
    result = cli("--root", str(sample_root), "revisit", WITHDRAWN, "--yes", "--date", "2025-12-01")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "withdrawn" in result.stderr
    assert not list((sample_root / "archive" / "2025").glob("*revisit*"))


def test_add_and_update_still_correct_a_withdrawn_record(sample_root: Path, cli) -> None:
    added = cli(
        "--root", str(sample_root), "add", "finding", WITHDRAWN, "--text", "Sessions were long."
    )
    assert added.exit_code == 0, added.stderr
    updated = cli("--root", str(sample_root), "update", WITHDRAWN, "--participants", "12")
    assert updated.exit_code == 0, updated.stderr
    text = (sample_root / "archive" / "2024" / f"{WITHDRAWN}.md").read_text()
    assert "Sessions were long." in text and "participants: 12" in text


def test_the_site_leaves_out_withdrawn_records_and_template_guidance(tmp_path: Path, cli) -> None:
    """No page, no search entry and no link for a withdrawn record; no HTML comment shown."""
    pytest.importorskip("pagefind", reason="copro site needs the site extra")
    from conftest import VALID_RECORD

    root = tmp_path / "root"
    guided = VALID_RECORD.format(id="2024-03-kept").replace(
        "## Summary\n", "## Summary\n\n<!-- What this engagement was for, in a sentence. -->\n"
    )
    write_record(root, "2024-03-kept", guided)
    gone = VALID_RECORD.format(id="2024-04-gone").replace("status: completed", "status: withdrawn")
    write_record(root, "2024-04-gone", gone.replace("A small test", "A withdrawnword test"))
    result = cli("--root", str(root), "site", "--json")
    assert result.exit_code == 0, result.stderr
    site = root / "site"
    assert not (site / "records" / "2024-04-gone").exists()
    assert json.loads(result.stdout)["records"] == 1
    page = (site / "records" / "2024-03-kept" / "index.html").read_text(encoding="utf-8")
    assert "What this engagement was for" not in page and "&lt;!--" not in page
    assert "A small test engagement." in page
    every = "\n".join(p.read_text(errors="replace") for p in site.rglob("*.html"))
    assert "2024-04-gone" not in every
    listed = cli("--root", str(root), "site", "--include-withdrawn", "-o", str(tmp_path / "all"))
    assert listed.exit_code == 0, listed.stderr
    assert (tmp_path / "all" / "records" / "2024-04-gone" / "index.html").is_file()
