"""Several people writing to one shared archive at once, each with their own cache.

The writer lock lives with the archive (under ``.git/``, else one git-ignored
file at the root), so two users whose caches differ still wait for each other;
an addition re-reads the record under the lock, so every command that exits 0
has its change in the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.conftest import git, git_init

RID = "2019-03-somali-mothers-parenting"
WRITERS = 8
"""Processes started at once: enough to overlap on 2 cores, few enough for CI."""


def _add_finding(root: Path, text: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``copro add finding`` in a process of its own, with ``env`` added to the environment."""
    command = ["--root", str(root), "add", "finding", RID, "--text", text, "--no-interactive"]
    return subprocess.run(
        [sys.executable, "-m", "copro", *command],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def _findings(root: Path) -> list[str]:
    path = root / "archive" / RID[:4] / f"{RID}.md"
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    return [item["text"] for item in yaml.safe_load(front)["you_said"]]


def _run_writers(root: Path, tmp_path: Path) -> None:
    caches = [tmp_path / f"cache-{n}" for n in range(WRITERS)]
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        done = list(
            pool.map(
                lambda n: _add_finding(
                    root,
                    f"Parallel finding number {n}",
                    COPRO_CACHE_DIR=str(caches[n]),
                    COPRO_LOCK_TIMEOUT="120",
                ),
                range(WRITERS),
            )
        )
    texts = _findings(root)
    for number, result in enumerate(done):
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode == 0:
            assert f"Parallel finding number {number}" in texts, (number, result.stderr)
    assert [r.returncode for r in done] == [0] * WRITERS, [r.stderr for r in done]
    ids = [r.stdout.strip() for r in done]
    assert len(set(ids)) == WRITERS  # every writer got its own new id


@pytest.mark.parametrize("with_git", [True, False], ids=["git", "no-git"])
def test_parallel_additions_from_separate_caches_all_reach_the_file(
    sample_root, tmp_path, with_git
):
    if with_git:
        git_init(sample_root)
    _run_writers(sample_root, tmp_path)
    # the lock file is removed by whoever lets go of it last: nothing stays behind
    assert not (sample_root / ".git" / "copro.lock").exists()
    assert not (sample_root / ".copro.lock").exists()
    if with_git:
        status = git(sample_root, "status", "--porcelain", "--untracked-files=all")
        assert [line[3:] for line in status.splitlines()] == [f"archive/{RID[:4]}/{RID}.md"]
    assert not list((sample_root / "archive").rglob("*.lock"))


def test_the_lock_lives_in_git_or_at_the_root_and_validate_ignores_it(sample_root, tmp_path, cli):
    from copro.core.fileio import archive_lock

    with archive_lock(sample_root) as held:  # not a git repository: one file at the root
        assert held == sample_root / ".copro.lock" and held.is_file()
        checked = cli("--root", str(sample_root), "validate")
        assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert not held.exists()
    git_init(sample_root)
    with archive_lock(sample_root) as held:
        assert held == sample_root / ".git" / "copro.lock" and held.is_file()
    linked = tmp_path / "linked"  # a worktree: .git is a file naming the git folder
    git(sample_root, "worktree", "add", "-q", str(linked))
    with archive_lock(linked) as held:
        assert held.name == "copro.lock" and "worktrees" in held.parts
    made = tmp_path / "fresh"
    assert cli("init", str(made)).exit_code == 0
    (made / ".copro.lock").touch()
    assert git(made, "check-ignore", ".copro.lock").strip() == ".copro.lock"


def test_a_writer_waits_for_the_lock_then_says_nothing_was_written(sample_root, monkeypatch):
    from copro.core.errors import CoproError
    from copro.core.fileio import archive_lock
    from copro.write.record_edits import add_finding

    path = sample_root / "archive" / "2019" / f"{RID}.md"
    before = path.read_bytes()
    monkeypatch.setenv("COPRO_LOCK_TIMEOUT", "0.3")
    with archive_lock(sample_root), archive_lock(sample_root):  # re-entrant in one thread
        held = _add_finding(sample_root, "Too late")
    assert held.returncode == 1, held.stderr
    assert "nothing was written" in held.stderr and "COPRO_LOCK_TIMEOUT" in held.stderr
    assert path.read_bytes() == before
    assert add_finding(sample_root, RID, "After the lock").item_id == "S5"
    missing = sample_root / "no-such-folder"
    with pytest.raises(CoproError, match="writer lock"), archive_lock(missing):
        pass  # a lock that cannot be created is a clear refusal
    assert not missing.exists()
