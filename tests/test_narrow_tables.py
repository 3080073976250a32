"""Tables at an ordinary terminal: ids never wrap; columns give way; a list when narrow."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import NEW_OPTIONS

IDS = ("2019-03-somali-mothers-parenting", "2024-04-somali-mothers-parenting-follow-up")


def copro(root, columns: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS=str(columns), TERM="xterm")
    return subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("columns", [80, 120])
def test_search_ids_stay_whole_and_lines_fit(sample_root, columns):
    done = copro(sample_root, columns, "search", "somali", "parenting")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for record_id in IDS:
        assert any(record_id in line for line in lines), (record_id, done.stdout)
    assert max(len(line) for line in lines) <= columns
    table = any(line.startswith(("┏", "┌")) for line in lines)
    assert table == (columns == 120)  # a list layout at 80 columns, a table at 120
    if columns == 120:
        assert "snippet" in lines[1]  # the snippet outranks topics and populations


@pytest.mark.parametrize("columns", [80, 120])
def test_asked_before_keeps_its_important_columns(sample_root, columns):
    done = copro(
        sample_root,
        columns,
        "new",
        "--title",
        "Carers and hospital discharge",
        *NEW_OPTIONS,
        "--yes",
        "--dry-run",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert any("2025-02-hospital-discharge-carers" in line for line in lines), done.stderr
    assert max(len(line) for line in lines) <= columns
    text = " ".join(done.stderr.split())
    # What matters before asking again stays: unanswered findings and recontact
    assert "unanswered" in text and "recontact" in text and "agreed" in text
    # and each engagement is recognisable by its title, not only its id (tests/test_new.py)
    assert "Young carers' survey on school and mental health" in text


def test_show_at_80_columns_loses_no_text(sample_root):
    """show wraps long lines at an 80-column terminal instead of cutting them off (a new
    user saw the last Reflections bullet end in "...on the d")."""
    env = dict(os.environ, COLUMNS="80", COPRO_ROOT=str(sample_root))
    done = subprocess.run(
        [sys.executable, "-m", "copro", "show", "2019-03-somali-mothers-parenting"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "who can answer questions on the day." in flat
