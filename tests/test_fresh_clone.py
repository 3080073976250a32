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


def test_pytest_outside_the_venv_says_what_to_do():
    """Without copro's dependencies, collection ends with one sentence naming the fix,
    not a ModuleNotFoundError (typer is hidden from a child Python to show it)."""
    import subprocess
    import sys

    hide_typer = (
        "import sys; sys.modules['typer'] = None; import pytest; "
        "sys.exit(pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide_typer], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 4, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "missing: typer" in said and "pip install -e '.[test]'" in said
    assert "ModuleNotFoundError" not in said
