"""``copro consensus draft`` and ``copro consensus agree`` through the CLI (section 8)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from consensus_kit import record, statement, three_records

from conftest import run_cli

FROM = ["--from", "2019-03-first#S1", "--from", "2021-06-second#S1", "--from", "2023-09-third#S1"]
AGREE = [
    "--overall", "moderate", "--limitations", "minor", "--coherence", "moderate",
    "--adequacy", "minor", "--relevance", "none", "--explanation", "Three engagements agree.",
]  # fmt: skip


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return three_records(tmp_path / "archive-root")


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text().split("---\n")[1])


def draft(root: Path, *args: str):
    return run_cli("--root", str(root), "consensus", "draft", *args)


def validate_clean(root: Path) -> None:
    result = run_cli("--root", str(root), "validate", "--format", "json")
    assert json.loads(result.stdout)["problems"] == []


def test_draft_from_findings_writes_a_valid_draft(root: Path) -> None:
    result = draft(root, *FROM, "--title", "Own language", "--id", "2024-05-own-language")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "consensus/2024-05-own-language.md"
    path = root / "consensus" / "2024-05-own-language.md"
    meta = front_matter(path)
    assert meta["status"] == "draft"
    assert meta["date"] == dt.date.today()
    assert meta["statement"] == "Own language"
    assert [e["finding"] for e in meta["evidence"]] == [
        "2019-03-first#S1",
        "2021-06-second#S1",
        "2023-09-third#S1",
    ]
    assert {e["stance"] for e in meta["evidence"]} == {"supports"}
    assert meta["populations"] == ["somali-community", "mothers", "older-people", "carers"]
    assert meta["topics"] == ["language-and-interpreting"]
    assert meta["organisations"] == [{"name": "Test Trust", "sector": "nhs", "role": "lead"}]
    text = path.read_text()
    assert "# 3 findings from 3 engagements with 4 groups" in text
    assert "#   coherence:    # how well do the findings fit together?" in text
    assert "# March 2019: Letters only in English are missed." in text
    validate_clean(root)


def test_draft_lead_is_the_option_else_the_most_recent_cited_record(root: Path) -> None:
    record(root, "2023-11-fourth", "2023-11-01", lead="Later Council")
    draft(root, *FROM, "--from", "2023-11-fourth#S1", "--title", "A", "--id", "2024-05-a")
    assert front_matter(root / "consensus" / "2024-05-a.md")["organisations"][0]["name"] == (
        "Later Council"
    )
    draft(
        root,
        *FROM,
        "--title",
        "B",
        "--id",
        "2024-05-b",
        "--lead",
        "Hub",
        "--lead-sector",
        "community",
    )
    lead = front_matter(root / "consensus" / "2024-05-b.md")["organisations"][0]
    assert lead == {"name": "Hub", "sector": "community", "role": "lead"}


def test_draft_from_a_topic_takes_the_findings_and_leaves_withdrawn_records_out(
    root: Path,
) -> None:
    record(root, "2020-02-withdrawn", "2020-02-01", status="withdrawn")
    result = draft(root, "--topic", "language-and-interpreting", "--title", "Own language")
    assert result.exit_code == 0, result.stderr
    path = root / result.stdout.strip()
    found = [e["finding"] for e in front_matter(path)["evidence"]]
    assert found == [
        "2019-03-first#S1",
        "2019-03-first#S2",
        "2021-06-second#S1",
        "2023-09-third#S1",
    ]


def test_draft_needs_findings_and_at_least_two(root: Path) -> None:
    assert draft(root, "--title", "Nothing").exit_code == 2
    one = draft(root, "--from", "2019-03-first#S1", "--title", "Thin")
    assert one.exit_code == 1
    assert "at least 2 findings; 1 matched" in one.stderr
    assert not (root / "consensus").exists()


@pytest.mark.parametrize(
    ("given", "code"),
    [("2019-03-first#S7", 1), ("2020-01-nobody#S1", 1), ("2019-03-first", 2)],
)
def test_draft_refuses_a_finding_that_is_not_there(root: Path, given: str, code: int) -> None:
    result = draft(root, "--from", "2021-06-second#S1", "--from", given, "--title", "X")
    assert result.exit_code == code
    assert not (root / "consensus").exists()


def test_draft_dry_run_prints_and_writes_nothing(root: Path) -> None:
    result = draft(root, *FROM, "--title", "Own language", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("---\nid: ")
    assert not (root / "consensus").exists()


def test_draft_never_takes_a_record_or_statement_id(root: Path) -> None:
    taken = draft(root, *FROM, "--title", "X", "--id", "2021-06-second")
    assert taken.exit_code == 1
    assert "already taken" in taken.stderr
    assert draft(root, *FROM, "--title", "X", "--id", "2024-05-x").exit_code == 0
    before = (root / "consensus" / "2024-05-x.md").read_bytes()
    assert draft(root, *FROM, "--title", "Y", "--id", "2024-05-x").exit_code == 1
    assert (root / "consensus" / "2024-05-x.md").read_bytes() == before


def test_draft_refuses_personal_data_without_echoing_it(root: Path) -> None:
    result = draft(root, *FROM, "--title", "Ask jo@example.org")
    assert result.exit_code == 2
    assert "jo@example.org" not in result.stdout + result.stderr
    assert not (root / "consensus").exists()


def test_draft_in_a_hub_without_an_archive_is_a_usage_error(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    hub.mkdir()
    (hub / "hub.yml").write_text("members: []\n")
    result = draft(hub, *FROM, "--title", "X")
    assert result.exit_code == 2
    assert "hub" in result.stderr


def test_agree_records_the_judgement_and_keeps_every_other_line(root: Path) -> None:
    draft(root, *FROM, "--title", "Own language", "--id", "2024-05-own-language")
    path = root / "consensus" / "2024-05-own-language.md"
    path.write_text(
        path.read_text().replace(
            "## Why we think this\n", "## Why we think this\n\nThree groups.\n"
        )
    )
    before = path.read_text()
    result = run_cli(
        "--root", str(root), "consensus", "agree", "2024-05-own-language", *AGREE,
        "--note-coherence", "One group said plain English is enough",
        "--agreed-with", "2024-06-01; reference group of carers; 9", "--date", "2024-06-02",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    meta = front_matter(path)
    assert meta["status"] == "agreed"
    assert meta["date"] == dt.date(2024, 6, 2)
    assert meta["confidence"]["overall"] == "moderate"
    assert meta["confidence"]["coherence"] == {
        "concerns": "moderate",
        "note": "One group said plain English is enough",
    }
    assert meta["agreed_with"] == [
        {"date": dt.date(2024, 6, 1), "how": "reference group of carers", "participants": 9}
    ]
    after = path.read_text()
    assert "GRADE-CERQual: how sure" not in after
    kept = [
        line
        for line in before.splitlines()
        if not line.startswith("#   ") and "CERQual" not in line
    ]
    kept = [
        line
        for line in kept
        if not line.startswith(("status:", "date:", "# agreed_with", "# - date", "# confidence"))
    ]
    assert all(line in after.splitlines() for line in kept)
    validate_clean(root)
    listed = json.loads(run_cli("--root", str(root), "consensus", "list", "--json").stdout)
    assert listed["statements"][0]["confidence"] == "moderate"


def test_agree_without_a_terminal_names_what_is_missing(root: Path) -> None:
    statement(root, "2024-05-own-language", "2024-05-01", ["2019-03-first#S1", "2021-06-second#S1"])
    before = (root / "consensus" / "2024-05-own-language.md").read_bytes()
    result = run_cli(
        "--root", str(root), "consensus", "agree", "2024-05-own-language", "--overall", "high"
    )
    assert result.exit_code == 2
    assert "--limitations" in result.stderr and "--explanation" in result.stderr
    assert (root / "consensus" / "2024-05-own-language.md").read_bytes() == before


@pytest.mark.parametrize(
    "change",
    [
        ["--overall", "certain"],
        ["--coherence", "some"],
        ["--explanation", "call 020 7946 0123"],
        ["--agreed-with", "2024-06-01"],
    ],
)
def test_agree_refuses_bad_values_and_writes_nothing(root: Path, change: list[str]) -> None:
    statement(root, "2024-05-own-language", "2024-05-01", ["2019-03-first#S1", "2021-06-second#S1"])
    path = root / "consensus" / "2024-05-own-language.md"
    before = path.read_bytes()
    args = list(AGREE)
    option = args.index(change[0]) if change[0] in args else None
    if option is not None:
        args[option + 1] = change[1]
    else:
        args += change
    result = run_cli("--root", str(root), "consensus", "agree", "2024-05-own-language", *args)
    assert result.exit_code == 2
    assert "7946" not in result.stdout + result.stderr
    assert path.read_bytes() == before


def test_agree_of_an_unknown_statement_exits_1(root: Path) -> None:
    result = run_cli("--root", str(root), "consensus", "agree", "2024-05-nothing", *AGREE)
    assert result.exit_code == 1
    assert "no statement" in result.stderr
