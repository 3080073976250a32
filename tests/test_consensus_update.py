"""``copro update STATEMENT-ID`` through the CLI: --title, --statement, --status, --review-by
(contract section 8), with the guarantees of ``update`` of a record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from consensus_kit import statement, three_records

from conftest import run_cli

SID = "2024-05-own-language"
EVIDENCE = ["2019-03-first#S1", "2021-06-second#S1", ("2023-09-third#S1", "partly")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = three_records(tmp_path / "archive-root")
    statement(root, SID, "2024-05-01", EVIDENCE, status="agreed")
    return root


def path_of(root: Path, statement_id: str = SID) -> Path:
    return root / "consensus" / f"{statement_id}.md"


def meta_of(root: Path, statement_id: str = SID) -> dict:
    return yaml.safe_load(path_of(root, statement_id).read_text().split("---\n")[1])


def update(root: Path, *args: str, statement_id: str = SID):
    return run_cli("--root", str(root), "update", statement_id, *args)


def validate_clean(root: Path) -> None:
    result = run_cli("--root", str(root), "validate", "--format", "json")
    assert [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"] == []


def test_title_is_set_and_every_other_byte_kept(root: Path) -> None:
    before = path_of(root).read_text()
    result = update(root, "--title", "  Information   in our own words ")
    assert result.exit_code == 0, result.stderr
    assert f"Changed consensus/{SID}.md: title set" in " ".join(result.stderr.split())
    after = path_of(root).read_text()
    assert after == before.replace(
        f"title: Statement {SID}\n", "title: Information in our own words\n"
    )
    validate_clean(root)


def test_statement_words_are_set_with_json_output(root: Path) -> None:
    words = "People want to be told things in the language they use at home."
    result = update(root, "--statement", words, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "record_id": SID,
        "path": f"consensus/{SID}.md",
        "id": None,
        "changed": ["statement set"],
        "written": True,
        "warnings": [],
    }
    assert meta_of(root)["statement"] == words
    shown = json.loads(run_cli("--root", str(root), "show", SID, "--json").stdout)
    assert shown["front_matter"]["statement"] == words


def test_a_statement_longer_than_1000_characters_is_refused(root: Path) -> None:
    before = path_of(root).read_bytes()
    result = update(root, "--statement", "word " * 250)
    assert result.exit_code == 2
    assert "--statement is longer than 1000 characters" in result.stderr
    assert path_of(root).read_bytes() == before


@pytest.mark.parametrize("option", ["--title", "--statement"])
def test_personal_data_is_refused_and_never_echoed(root: Path, option: str) -> None:
    before = path_of(root).read_bytes()
    result = update(root, option, "Ring Sam on 07700 900123 about this")
    assert result.exit_code == 2
    assert "phone number (not shown)" in result.stderr
    assert "07700" not in result.stdout + result.stderr
    assert path_of(root).read_bytes() == before


def test_status_retired_and_back_to_agreed(root: Path) -> None:
    result = update(root, "--status", "Retired")
    assert result.exit_code == 0, result.stderr
    assert meta_of(root)["status"] == "retired"
    listed = json.loads(run_cli("--root", str(root), "consensus", "list", "--json").stdout)
    assert [s["status"] for s in listed["statements"]] == ["retired"]
    assert update(root, "--status", "agreed").exit_code == 0  # its judgement is still there
    assert meta_of(root)["status"] == "agreed"
    validate_clean(root)


def test_agreeing_a_draft_needs_its_judgement_first(root: Path) -> None:
    statement(root, "2024-06-draft", "2024-06-01", EVIDENCE[:2], status="draft")
    before = path_of(root, "2024-06-draft").read_bytes()
    result = update(root, "--status", "agreed", statement_id="2024-06-draft")
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "no GRADE-CERQual judgement yet" in text and "nothing was written" in text
    assert "copro consensus agree 2024-06-draft" in text
    assert path_of(root, "2024-06-draft").read_bytes() == before


def test_an_agreed_statement_can_go_back_to_draft_and_leaves_the_site(root: Path) -> None:
    assert update(root, "--status", "draft").exit_code == 0
    meta = meta_of(root)
    assert meta["status"] == "draft" and meta["confidence"]["overall"] == "moderate"
    letter = run_cli("--root", str(root), "report", SID)
    assert letter.exit_code == 1  # a draft is never sent


def test_a_bad_status_is_a_usage_error(root: Path) -> None:
    before = path_of(root).read_bytes()
    result = update(root, "--status", "completed")
    assert result.exit_code == 2
    assert "choose one of draft, agreed, retired" in " ".join(result.stderr.split())
    assert path_of(root).read_bytes() == before


def test_review_by_takes_a_date_as_people_write_it_and_removes_its_placeholder(
    root: Path,
) -> None:
    path = path_of(root)
    text = path.read_text()
    path.write_text(text.replace("evidence:\n", "# review_by: YYYY-MM-DD\nevidence:\n", 1))
    result = update(root, "--review-by", "1 June 2027")
    assert result.exit_code == 0, result.stderr
    after = path.read_text()
    assert "# review_by" not in after and "review_by: 2027-06-01\n" in after
    assert meta_of(root)["review_by"].isoformat() == "2027-06-01"
    assert update(root, "--review-by", "1/7/2027").exit_code == 0
    assert meta_of(root)["review_by"].isoformat() == "2027-07-01"
    validate_clean(root)


def test_a_bad_review_date_is_a_usage_error(root: Path) -> None:
    before = path_of(root).read_bytes()
    result = update(root, "--review-by", "someday")
    assert result.exit_code == 2
    assert "--review-by" in result.stderr
    assert path_of(root).read_bytes() == before


def test_the_same_value_again_changes_nothing(root: Path) -> None:
    before = path_of(root).read_bytes()
    result = update(root, "--status", "agreed", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["changed"] == ["nothing to change"]
    assert json.loads(result.stdout)["written"] is False
    assert path_of(root).read_bytes() == before


def test_dry_run_checks_and_writes_nothing(root: Path) -> None:
    before = path_of(root).read_bytes()
    result = update(root, "--title", "New title", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Checked (nothing written)" in result.stderr
    assert path_of(root).read_bytes() == before


@pytest.mark.parametrize(
    "options",
    [["--date", "2024-06-01"], ["--place", "camden", "--title", "T"], ["--summary", "Words"]],
)
def test_record_options_are_refused_for_a_statement(root: Path, options: list[str]) -> None:
    before = path_of(root).read_bytes()
    result = update(root, *options)
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "a consensus statement takes --title, --statement, --status, --review-by" in text
    assert options[0] in text
    assert path_of(root).read_bytes() == before


def test_nothing_to_update_is_a_usage_error(root: Path) -> None:
    result = update(root)
    assert result.exit_code == 2
    assert "nothing to update" in result.stderr


def test_statement_words_are_refused_for_a_record(root: Path) -> None:
    record = root / "archive" / "2019" / "2019-03-first.md"
    before = record.read_bytes()
    result = update(root, "--statement", "Words", statement_id="2019-03-first")
    assert result.exit_code == 2
    assert "--statement is for consensus statements" in result.stderr
    assert record.read_bytes() == before


def test_a_statement_the_gate_would_refuse_is_not_written(root: Path) -> None:
    statement(root, "2024-07-broken", "2024-07-01", ["2019-03-first#S1", "2019-03-first#S9"])
    before = path_of(root, "2024-07-broken").read_bytes()
    result = update(root, "--title", "Mended?", statement_id="2024-07-broken")
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "consensus-evidence-unknown" in text and "nothing was written" in text
    assert path_of(root, "2024-07-broken").read_bytes() == before


def test_a_hub_root_is_refused_naming_the_members(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    statement(hub, SID, "2024-05-01", EVIDENCE, status="agreed")
    (hub / "hub.yml").write_text("members:\n- name: trust\n  url: ../trust\n  rev: main\n")
    before = path_of(hub).read_bytes()
    result = run_cli("--root", str(hub), "update", SID, "--status", "retired")
    assert result.exit_code == 2
    assert "is a hub" in result.stderr and "trust" in result.stderr
    assert path_of(hub).read_bytes() == before


def test_a_held_lock_makes_update_wait_then_write_nothing(root: Path) -> None:
    from copro.core.fileio import archive_lock

    before = path_of(root).read_bytes()
    with archive_lock(root):
        done = subprocess.run(
            [sys.executable, "-m", "copro", "--root", str(root), "update", SID, "--title", "Late"],
            capture_output=True,
            text=True,
            env={**os.environ, "COPRO_LOCK_TIMEOUT": "0.3"},
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert "nothing was written" in done.stderr
    assert path_of(root).read_bytes() == before


def test_update_reads_only_the_records_around_the_evidence(root: Path, private_cache: Path) -> None:
    from copro.store.recordcache import CACHE_FILE

    assert update(root, "--title", "Own words").exit_code == 0
    assert not list(private_cache.rglob(CACHE_FILE))  # no record was read through the cache
    statement(root, "2024-08-later", "2024-08-01", ["2019-03-first#S1", "2021-06-second#S1"])
    path = path_of(root, "2024-08-later")
    path.write_text(path.read_text().replace("2021-06-second#S1", "2023-09-third#S1"))
    path.write_text(path.read_text().replace("date: '2024-08-01'", "date: '2022-01-01'"))
    before = path.read_bytes()
    result = update(root, "--review-by", "2030-01-01", statement_id="2024-08-later")
    assert result.exit_code == 1  # cites a record dated after it: validate's error, kept out
    assert "consensus-evidence-later" in result.stderr
    assert path.read_bytes() == before


def test_an_unreadable_statement_is_named_and_left_alone(root: Path) -> None:
    path = path_of(root)
    path.write_text(path.read_text().replace("status: agreed", "status: [agreed", 1))
    before = path.read_bytes()
    result = update(root, "--title", "Mended")
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert f"consensus/{SID}.md cannot be read" in text and "nothing was written" in text
    assert path.read_bytes() == before


def test_an_empty_title_is_a_usage_error(root: Path) -> None:
    before = path_of(root).read_bytes()
    result = update(root, "--title", "   ")
    assert result.exit_code == 2
    assert "--title must not be empty" in result.stderr
    assert path_of(root).read_bytes() == before
