"""Edge inputs that used to end in a traceback: each now ends in a result or a clear error."""

from __future__ import annotations

import json
import stat

import pytest

from conftest import git, git_init, write_record


def test_review_as_of_the_first_day_of_the_calendar(sample_root, cli):
    result = cli("--root", str(sample_root), "review", "--as-of", "0001-01-01", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "0001-01-01"


def test_history_with_record_separators_in_a_commit_subject(tmp_path, cli):
    root = tmp_path / "repo"
    write_record(root, "2024-03-test-one")
    git_init(root)
    path = root / "archive" / "2024" / "2024-03-test-one.md"
    path.write_text(path.read_text() + "\nMore.\n")
    git(root, "commit", "-qam", "Odd \x1e subject \x1f with separators")
    result = cli("--root", str(root), "history", "2024-03-test-one", "--json")
    assert result.exit_code == 0, result.stderr
    commits = json.loads(result.stdout)["commits"]
    assert len(commits) == 2
    assert commits[0]["message"] == "Odd \x1e subject \x1f with separators"
    assert commits[1]["message"] == "Initial archive"
    assert commits[0]["author"] == "Test Author"


@pytest.mark.parametrize("target", ["", ".", "a-folder"])
def test_output_that_is_no_file_name_is_a_usage_error(
    sample_root, cli, tmp_path, monkeypatch, target
):
    (tmp_path / "a-folder").mkdir()
    monkeypatch.chdir(tmp_path)
    result = cli("--root", str(sample_root), "export", "--output", target)
    assert result.exit_code == 2, result.stderr
    assert "--output" in result.stderr and "busy" not in result.stderr


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_output_keeps_the_mode_of_the_file_it_replaces(sample_root, cli, tmp_path, mode):
    target = tmp_path / "findings.csv"
    target.write_text("old\n")
    target.chmod(mode)
    result = cli("--root", str(sample_root), "export", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_text().startswith("record_id")
    report = tmp_path / "report.md"
    report.write_text("old\n")
    report.chmod(mode)
    result = cli(
        "--root", str(sample_root), "report", "--topic", "parenting", "--output", str(report)
    )
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(report.stat().st_mode) == mode
    assert not list(tmp_path.glob(".*.tmp"))
