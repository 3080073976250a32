"""``copro report ID`` of a consensus statement: the letter (golden files) and its rules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from consensus_kit import statement, three_records
from test_report import check_golden, normalise

from conftest import REPO, run_cli

AGREED = "2025-09-own-language-and-words"
STALE = "2022-11-women-interpreters-plain-letters"


@pytest.fixture
def sample(sample_root: Path) -> Path:
    shutil.copytree(REPO / "consensus", sample_root / "consensus")
    return sample_root


@pytest.mark.parametrize("statement_id", [AGREED, STALE])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_letter_matches_its_golden_file(sample: Path, statement_id: str, fmt: str) -> None:
    result = run_cli("--root", str(sample), "report", statement_id, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"consensus-{statement_id}.{fmt}", normalise(result.stdout))
    # a letter: no ids, paths or ISO dates
    assert not re.search(r"\b[SD]\d+\b", result.stdout)
    assert "archive/" not in result.stdout and "consensus/" not in result.stdout
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", result.stdout)


def test_the_letter_says_what_it_rests_on_and_where_people_disagreed(sample: Path) -> None:
    text = run_cli("--root", str(sample), "report", AGREED).stdout
    assert "what we heard in 4 engagements with 7 groups between 2019 and 2025" in text
    assert "**Partly:**" in text
    assert "Decided together on 15 October 2025" in text
    # the Somali mothers did not agree to quotes: their finding is never in quotation marks
    assert "\u201cParenting courses" not in text
    assert "Parenting courses are in English only" in text
    assert "What has changed since" not in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_opening_promises_only_the_sections_the_letter_has(sample: Path, fmt: str) -> None:
    """Read as the people who took part read it: "where people disagreed" and "what we are
    doing because of it" are promised only when the letter says them."""
    full = run_cli("--root", str(sample), "report", AGREED, "--format", fmt).stdout
    assert "Where people disagreed" in full and "What we are doing because of it" in full
    assert ("what we now think, where people disagreed, and what we are doing because of it."
            in full)  # fmt: skip
    short = run_cli("--root", str(sample), "report", STALE, "--format", fmt).stdout
    assert "Where people disagreed" not in short and "What we are doing" not in short
    assert "where people disagreed" not in short and "doing because of it" not in short
    assert "between 2018 and 2019 and what we now think." in short


def test_a_stale_statement_says_what_changed(sample: Path) -> None:
    text = run_cli("--root", str(sample), "report", STALE).stdout
    assert "## What has changed since" in text
    assert "In April 2024 people told us that what was said in March 2019 no longer holds" in text


def test_a_draft_is_never_sent_unless_asked_for_and_then_marked(tmp_path: Path) -> None:
    root = three_records(tmp_path / "root")
    statement(root, "2024-01-draft", "2024-01-10", ["2019-03-first#S1", "2021-06-second#S1"])
    refused = run_cli("--root", str(root), "report", "2024-01-draft")
    assert refused.exit_code == 1
    assert "draft" in refused.stderr
    assert refused.stdout == ""
    for fmt in ("md", "html"):
        marked = run_cli("--root", str(root), "report", "2024-01-draft", "--draft", "--format", fmt)
        assert marked.exit_code == 0
        assert marked.stdout.count("Draft") >= 2  # the title and the foot of the page
        assert "This is a draft." in marked.stdout


def test_a_retired_statement_says_so(tmp_path: Path) -> None:
    root = three_records(tmp_path / "root")
    statement(
        root,
        "2024-01-old",
        "2024-01-10",
        ["2019-03-first#S1", "2021-06-second#S1"],
        status="retired",
    )
    text = run_cli("--root", str(root), "report", "2024-01-old").stdout
    assert "We no longer hold this statement." in text


def test_the_letter_names_only_people_who_agreed(tmp_path: Path) -> None:
    root = three_records(tmp_path / "root")
    statement(
        root,
        "2024-01-agreed",
        "2024-01-10",
        ["2019-03-first#S1", "2021-06-second#S1"],
        status="agreed",
    )
    text = run_cli("--root", str(root), "report", "2024-01-agreed").stdout
    assert "Amina Testfield (community researcher" in text
    assert "Rafi Example (peer researcher" in text
    assert "and to 3 more people who took part without being named" in text


def test_a_bad_format_is_a_usage_error(sample: Path) -> None:
    result = run_cli("--root", str(sample), "report", AGREED, "--format", "pdf")
    assert result.exit_code == 2
