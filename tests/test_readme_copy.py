"""The README offers a copy of the sample to try its writing examples in, before the
first of them: a new user who ran them on the bundled ``archive/`` saw the tests fail."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

WRITING = re.compile(r"^copro (?:new|add|update|import|remove|revisit|consensus|vocab add)\b")
SPRINT = Path("archive/2026/2026-01-young-people-mental-health-design-sprint.md")


def shell_lines() -> list[str]:
    """Every line of the README's ``sh`` blocks, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    return [line for block in blocks for line in block.splitlines()]


def test_the_copy_comes_before_the_first_writing_example_and_is_written_to(
    tmp_path: Path,
) -> None:
    lines = shell_lines()
    first_writing = next(n for n, line in enumerate(lines) if WRITING.match(line))
    copy = next(n for n, line in enumerate(lines) if "cp -r archive" in line)
    assert copy < first_writing, lines[first_writing]
    env = dict(os.environ, HOME=str(tmp_path))
    made = subprocess.run(["bash", "-ec", lines[copy]], cwd=REPO, env=env, capture_output=True)
    assert made.returncode == 0, made.stderr
    scratch = tmp_path / "copro-try"
    shipped = (REPO / SPRINT).read_bytes()
    added = subprocess.run(
        [sys.executable, "-m", "copro", "add", "finding", SPRINT.stem, "--text", "Same worker"],
        cwd=scratch,  # copro finds the copy from the folder it runs in
        env=env,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    assert "Same worker" in (scratch / SPRINT).read_text(encoding="utf-8")
    assert (REPO / SPRINT).read_bytes() == shipped
    checked = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(scratch), "validate"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
