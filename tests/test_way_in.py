"""The way in for an organisation that has only this repository (issue 20, item 11).

The whole path, with a local ``file://`` git URL standing in for the
repository's address: install copro from the repository (what ``pipx install``
does: a fresh virtual environment and pip); ``copro init``, which cannot tell
whether CI reaches a ``file://`` address and prints the ``copro init PATH
--install SPEC`` line to run if it does; that line, run as printed; the
settings; then what the archive's CI workflow does (a fresh environment, its
own install line) and the gate there.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["COLUMNS"] = "1000"  # messages unwrapped: a long requirement stays one word
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


def fresh_env(folder: Path) -> Path:
    """A virtual environment with nothing installed (as pipx and CI start)."""
    done = run(sys.executable, "-m", "venv", str(folder))
    assert done.returncode == 0, done.stderr
    return folder / "bin"


def test_install_from_the_repository_init_and_the_ci_install_line(tmp_path):
    if not (REPO / ".git").exists():
        pytest.skip("this copy of copro is not a git repository")
    bare = tmp_path / "copro.git"
    cloned = run("git", "clone", "-q", "--bare", str(REPO), str(bare))
    assert cloned.returncode == 0, cloned.stderr
    commit = run("git", "-C", str(bare), "rev-parse", "HEAD").stdout.strip()
    # file://localhost/...: pip reads a VCS URL without a host as a path
    spec = f"copro-hub @ git+file://localhost{bare}@{commit}"

    person = fresh_env(tmp_path / "pipx-venv")  # pipx install 'copro-hub @ git+...'
    installed = run(str(person / "pip"), "install", "-q", spec)
    assert installed.returncode == 0, installed.stderr[-2000:]

    archive = tmp_path / "our-archive"
    guessed = run(str(person / "copro"), "init", str(archive))
    assert guessed.returncode == 0, guessed.stderr
    # it says exactly what to run when it cannot tell, and that works as printed
    advice = next(x for x in guessed.stderr.splitlines() if x.strip().startswith("copro init"))
    assert shlex.split(advice) == ["copro", "init", str(archive), "--install", spec]
    followed = run(str(person / "copro"), *shlex.split(advice)[1:])
    assert followed.returncode == 0, followed.stderr
    made = run(str(person / "copro"), "init", str(archive),
               "--organisation", "Leeds Carers Together", "--sector", "voluntary")  # fmt: skip
    assert made.returncode == 0, made.stderr
    workflow = yaml.safe_load((archive / ".github/workflows/validate.yml").read_text())
    step = next(s for s in workflow["jobs"]["validate"]["steps"] if "Install" in s.get("name", ""))
    line = shlex.split(step["run"].strip())
    assert line[:4] == ["python", "-m", "pip", "install"] and line[4] == spec

    ci = fresh_env(tmp_path / "ci-venv")  # what the workflow runs, in a clean environment
    ci_install = run(str(ci / "python"), *line[1:])
    assert ci_install.returncode == 0, ci_install.stderr[-2000:]
    new = run(str(ci / "copro"), "new", "--title", "Evening drop-in for carers",
              "--date", "1/12/2026", "--place", "leeds", "--method", "drop-in",
              "--ladder", "engagement", "--population", "carers", "--topic",
              "carers-support", "--yes", cwd=archive)  # fmt: skip
    assert new.returncode == 0, new.stderr
    gate = run(str(ci / "copro"), "validate", "--format", "github", cwd=archive)
    assert gate.returncode == 0, gate.stdout + gate.stderr
