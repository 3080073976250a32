"""The README's worked example of a consensus statement runs as printed, on the sample."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli


def example_commands() -> list[list[str]]:
    """The ``copro`` commands of the README's consensus section, one per command line."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The consensus: what many engagements say together", 1)[1]
    section = section.split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(re.sub(r"(^|\s)#.*$", "", line))  # comments, as the shell
            if words:
                assert words[0] == "copro", line
                commands.append(words[1:])
    return commands


def test_the_worked_example_runs_as_printed(
    sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "consensus", sample_root / "consensus")
    monkeypatch.chdir(tmp_path)
    commands = example_commands()
    assert [c[:2] for c in commands[:3]] == [
        ["findings", "--topic"],
        ["consensus", "draft"],
        ["consensus", "agree"],
    ]
    for command in commands:
        result = run_cli("--root", str(sample_root), *command)
        assert result.exit_code == 0, (command, result.stderr)
    letter = run_cli("--root", str(sample_root), "report", "2026-12-own-language")
    assert "what we heard in 4 engagements with 7 groups between 2019 and 2025" in " ".join(
        letter.stdout.split()
    )
    assert (tmp_path / "letter.html").is_file()
    shown = run_cli("--root", str(sample_root), "show", "2026-12-own-language").stdout
    assert "Why we think this" not in shown  # the draft's empty headings are not shown
    assert "Why we think this" in (sample_root / "consensus/2026-12-own-language.md").read_text()
    checked = run_cli("--root", str(sample_root), "validate")
    assert checked.exit_code == 0, checked.stdout
