"""The gate for consensus statements (contract section 8), through ``copro validate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from consensus_kit import record, statement, three_records

from conftest import run_cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return three_records(tmp_path / "archive-root")


def problems(root: Path) -> tuple[int, list[dict]]:
    result = run_cli("--root", str(root), "validate", "--format", "json")
    return result.exit_code, json.loads(result.stdout)["problems"]


def codes(found: list[dict]) -> list[str]:
    return [p["code"] for p in found]


GOOD = ["2019-03-first#S1", ("2021-06-second#S1", "partly"), ("2023-09-third#S1", "contradicts")]


def test_a_valid_agreed_statement_passes_and_is_counted(root: Path) -> None:
    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed")
    code, found = problems(root)
    assert (code, found) == (0, [])
    result = run_cli("--root", str(root), "validate", "--format", "json")
    assert json.loads(result.stdout)["files_checked"] == 4


@pytest.mark.parametrize(
    ("evidence", "code", "line_of"),
    [
        (["2019-03-first#S1", "2020-01-nowhere#S1"], "consensus-evidence-unknown", 1),
        (["2019-03-first#S1", "2019-03-first#S9"], "consensus-evidence-unknown", 1),
        (["2019-03-first#S1", "2023-09-third#S1"], "consensus-evidence-later", 1),
        (
            ["2019-03-first#S1", "2019-03-first#S1", "2021-06-second#S1"],
            "consensus-evidence-duplicate",
            1,
        ),
    ],
)
def test_evidence_rules_name_the_line_of_the_finding(
    root: Path, evidence: list[str], code: str, line_of: int
) -> None:
    path = statement(root, "2022-01-own-language", "2022-01-10", evidence)
    exit_code, found = problems(root)
    assert exit_code == 1
    mine = [p for p in found if p["code"] == code]
    assert len(mine) == 1, found
    assert mine[0]["path"] == "consensus/2022-01-own-language.md"
    assert mine[0]["severity"] == "error"
    lines = path.read_text().splitlines()
    assert lines[mine[0]["line"] - 1].lstrip("- ").startswith("finding:")


def test_evidence_from_a_record_dated_the_same_day_is_allowed(root: Path) -> None:
    statement(root, "2023-09-same-day", "2023-09-01", GOOD)
    assert problems(root) == (0, [])


@pytest.mark.parametrize("evidence", [[], ["2019-03-first#S1"]])
def test_fewer_than_two_findings_is_too_little(root: Path, evidence: list[str]) -> None:
    statement(root, "2024-01-thin", "2024-01-10", evidence)
    exit_code, found = problems(root)
    assert exit_code == 1
    assert codes(found) == ["consensus-too-little"]


def test_an_agreed_statement_without_confidence_is_refused(root: Path) -> None:
    path = statement(root, "2024-01-unsure", "2024-01-10", GOOD, status="agreed", confidence={})
    text = path.read_text().replace("confidence: {}\n", "")
    path.write_text(text)
    exit_code, found = problems(root)
    assert exit_code == 1
    assert codes(found) == ["consensus-confidence-missing"]
    assert text.splitlines()[found[0]["line"] - 1].startswith("status:")
    statement(root, "2024-01-unsure", "2024-01-10", GOOD, status="draft")
    assert problems(root) == (0, [])


def test_a_statement_id_that_is_a_record_id_is_taken(root: Path) -> None:
    statement(root, "2021-06-second", "2024-01-10", GOOD)
    exit_code, found = problems(root)
    assert exit_code == 1
    assert codes(found) == ["consensus-id-taken"]
    assert found[0]["path"] == "consensus/2021-06-second.md"


def test_every_finding_from_one_record_is_a_warning(root: Path) -> None:
    statement(root, "2024-01-one-source", "2024-01-10", ["2019-03-first#S1", "2019-03-first#S2"])
    exit_code, found = problems(root)
    assert exit_code == 0
    assert [(p["code"], p["severity"]) for p in found] == [("consensus-one-source", "warning")]


def test_a_member_finding_is_a_warning_outside_a_hub(root: Path) -> None:
    statement(root, "2024-01-across", "2024-01-10", ["2019-03-first#S1", "islington:2020-01-x#S1"])
    exit_code, found = problems(root)
    assert exit_code == 0
    assert [(p["code"], p["severity"]) for p in found] == [
        ("consensus-evidence-outside-hub", "warning")
    ]


def test_every_file_under_consensus_is_a_statement(root: Path) -> None:
    (root / "consensus").mkdir()
    (root / "consensus" / "notes.txt").write_text("minutes of the reference group\n")
    nested = root / "consensus" / "old"
    nested.mkdir()
    (nested / "2020-01-old.md").write_text("---\nid: 2020-01-old\n---\n")
    (root / "consensus" / ".gitkeep").write_text("")
    exit_code, found = problems(root)
    assert exit_code == 1
    assert sorted((p["path"], p["code"]) for p in found) == [
        ("consensus/notes.txt", "file-not-a-record"),
        ("consensus/old/2020-01-old.md", "file-not-a-record"),
    ]


def test_schema_rules_and_vocabularies_apply_to_statements(root: Path) -> None:
    statement(
        root,
        "2024-01-bad",
        "2024-01-10",
        [("2019-03-first#S1", "agrees"), "2021-06-second#S1"],
        topics=["languages"],
        colour="blue",
    )
    exit_code, found = problems(root)
    assert exit_code == 1
    assert sorted(codes(found)) == ["schema-invalid", "schema-unknown-field", "vocab-unknown"]
    stance = next(p for p in found if p["code"] == "schema-invalid")
    assert "supports, partly, contradicts" in stance["message"]


def test_personal_data_in_a_statement_is_refused_and_never_echoed(root: Path) -> None:
    statement(
        root,
        "2024-01-leaky",
        "2024-01-10",
        GOOD,
        body="\n## Why we think this\n\nAsk jo.bloggs@example.org for the minutes.\n",
    )
    result = run_cli("--root", str(root), "validate")
    assert result.exit_code == 1
    assert "jo.bloggs" not in result.stdout + result.stderr
    assert "consensus/2024-01-leaky.md" in result.stdout
    listed = run_cli("--root", str(root), "consensus", "list", "--json")
    assert listed.exit_code == 1
    assert json.loads(listed.stdout) == {"statements": []}
    shown = run_cli("--root", str(root), "show", "2024-01-leaky")
    assert shown.exit_code == 1
    assert "jo.bloggs" not in shown.stdout + shown.stderr


def test_related_and_supersedes_may_name_records_or_statements(root: Path) -> None:
    statement(root, "2022-01-earlier", "2022-01-10", GOOD[:2])
    statement(
        root,
        "2024-01-later",
        "2024-01-10",
        GOOD,
        supersedes="2022-01-earlier",
        related=["2019-03-first", "2020-01-nowhere"],
    )
    exit_code, found = problems(root)
    assert exit_code == 1
    assert [(p["code"], "2020-01-nowhere" in p["message"]) for p in found] == [
        ("reference-unknown", True)
    ]


def test_validate_a_statement_path_alone(root: Path) -> None:
    path = statement(
        root, "2022-01-own-language", "2022-01-10", ["2019-03-first#S1", "2023-09-third#S1"]
    )
    result = run_cli("--root", str(root), "validate", str(path), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["files_checked"] == 1
    assert codes(document["problems"]) == ["consensus-evidence-later"]


def test_a_withdrawn_cited_record_is_no_gate_error(root: Path) -> None:
    record(root, "2020-02-withdrawn", "2020-02-01", status="withdrawn")
    statement(root, "2024-01-own-language", "2024-01-10", [*GOOD, "2020-02-withdrawn#S1"])
    assert problems(root) == (0, [])
