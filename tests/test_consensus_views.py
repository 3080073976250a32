"""Statements in the other views: review, findings --json, search, export --format soqf."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from consensus_kit import record, statement, three_records

from conftest import run_cli

GOOD = ["2019-03-first#S1", ("2021-06-second#S1", "partly"), ("2023-09-third#S1", "contradicts")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = three_records(tmp_path / "archive-root")
    statement(
        root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed", review_by="2026-01-01"
    )
    statement(root, "2024-02-draft", "2024-02-10", GOOD[:2], title="A draft about plain words")
    return root


def review_items(root: Path, as_of: str) -> list[tuple[str, str, str]]:
    result = run_cli("--root", str(root), "review", "--as-of", as_of, "--json")
    items = json.loads(result.stdout)["items"]
    return [
        (i["kind"], i["record_id"], i["since"]) for i in items if i["kind"].startswith("consensus")
    ]


def test_review_lists_statements_past_review_by_and_stale_ones(root: Path) -> None:
    assert review_items(root, "2025-12-31") == []
    assert review_items(root, "2026-01-02") == [
        ("consensus-review-due", "2024-01-own-language", "2026-01-01")
    ]
    record(
        root,
        "2025-03-revisit",
        "2025-03-01",
        ["Changed."],
        revisits={1: ("2021-06-second#S1", "changed")},
    )
    assert review_items(root, "2025-02-01") == []  # a revisit after --as-of does not count yet
    assert review_items(root, "2025-04-01") == [
        ("consensus-stale", "2024-01-own-language", "2024-01-10")
    ]


def test_review_text_names_the_stale_statement(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    record(root, "2025-03-withdrawn-later", "2025-03-01", status="withdrawn")
    statement(
        root,
        "2025-04-rests-on-withdrawn",
        "2025-04-01",
        ["2019-03-first#S1", "2025-03-withdrawn-later#S1"],
        status="agreed",
    )
    result = run_cli("--root", str(root), "review", "--as-of", "2025-05-01")
    assert "Consensus statements whose evidence has changed" in result.stdout
    assert "2025-04-rests-on-withdrawn" in result.stdout
    assert "was withdrawn" in result.stdout
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 80


def test_findings_json_names_the_statements_citing_each_finding(root: Path) -> None:
    result = run_cli("--root", str(root), "findings", "--json")
    cited = {
        f"{f['record_id']}#{f['finding_id']}": f["cited_by"]
        for f in json.loads(result.stdout)["findings"]
    }
    assert cited["2019-03-first#S1"] == ["2024-01-own-language", "2024-02-draft"]
    assert cited["2023-09-third#S1"] == ["2024-01-own-language"]
    assert cited["2019-03-first#S2"] == []


def test_every_search_result_says_its_kind(root: Path) -> None:
    result = run_cli("--root", str(root), "search", "own language", "--json")
    results = json.loads(result.stdout)["results"]
    assert {r["kind"] for r in results} <= {"engagement", "consensus"}
    assert [r["id"] for r in results if r["kind"] == "consensus"] == ["2024-01-own-language"]
    everything = json.loads(run_cli("--root", str(root), "search", "--json").stdout)["results"]
    assert sorted(r["kind"] for r in everything) == ["consensus"] + ["engagement"] * 3
    # drafts are not searched; a filter a statement cannot answer leaves statements out
    assert "2024-02-draft" not in json.dumps(everything)
    by_method = json.loads(
        run_cli("--root", str(root), "search", "--method", "workshop", "--json").stdout
    )
    assert {r["kind"] for r in by_method["results"]} == {"engagement"}


def test_export_soqf_is_one_row_per_agreed_statement(root: Path) -> None:
    record(
        root,
        "2025-03-revisit",
        "2025-03-01",
        ["Changed."],
        revisits={1: ("2021-06-second#S1", "changed")},
    )
    result = run_cli("--root", str(root), "export", "--format", "soqf")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [
        {
            "id": "2024-01-own-language",
            "statement": "People want information in their own language and their own words.",
            "confidence": "moderate",
            "explanation": "Several engagements over several years say the same.",
            "engagements": "2019-03-first;2021-06-second;2023-09-third",
            "groups": "4",
            "stale": "true",
        }
    ]
    excel = run_cli("--root", str(root), "export", "--format", "soqf", "--excel")
    assert excel.stdout.startswith("\ufeffid,statement")


def test_export_soqf_guards_cells_against_formulas(tmp_path: Path) -> None:
    root = three_records(tmp_path / "root")
    statement(
        root, "2024-01-formula", "2024-01-10", GOOD, status="agreed", statement="=HYPERLINK(1)"
    )
    rows = list(
        csv.DictReader(
            io.StringIO(run_cli("--root", str(root), "export", "--format", "soqf").stdout)
        )
    )
    assert rows[0]["statement"].startswith("'=")
