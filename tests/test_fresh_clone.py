"""The README's `pytest` works on a fresh clone with no `shared/` folder beside it.

Tests that need data from outside the repository must skip, with a reason, at
run time; nothing may read that data while pytest collects the modules.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", "site"
)


def clone_without_shared(tmp_path: Path) -> Path:
    """A copy of the working tree in a folder whose parent has no `shared/`."""
    clone = tmp_path / "fresh" / "copro"
    shutil.copytree(REPO, clone, ignore=NOT_COPIED)
    assert not (clone.parent / "shared").exists()
    return clone


def run_pytest(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_collection_and_skips_without_shared(tmp_path):
    clone = clone_without_shared(tmp_path)
    collected = run_pytest(clone, "--collect-only", "-q")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "tests/test_realworld.py::" in collected.stdout
    ran = run_pytest(clone, "-q", "-rs", "tests/test_realworld.py")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "2 skipped" in ran.stdout
    assert "shared" in ran.stdout and "absent" in ran.stdout
