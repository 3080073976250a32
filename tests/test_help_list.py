"""``copro --help`` lists every command with its first sentence whole, wrapped at the
width: Click cut them to one line with "..." ("Check records: YAML, schema, naming,
references,..."), and stopped "Add a finding" at "e.g." (found by a new user's trial)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer

from copro.cli import app

GROUPS = [(), ("add",), ("consensus",), ("hub",), ("vocab",)]


def commands_of(path: tuple[str, ...]) -> dict[str, str]:
    """Each command of the group at ``path`` and its help's first paragraph, on one line."""
    group = typer.main.get_command(app)
    for name in path:
        group = group.commands[name]  # type: ignore[attr-defined]
    return {
        name: " ".join((command.help or "").split("\n\n")[0].split())
        for name, command in group.commands.items()  # type: ignore[attr-defined]
    }


@pytest.mark.parametrize("path", GROUPS, ids=lambda path: " ".join(("copro", *path)))
@pytest.mark.parametrize("columns", [80, 50])
def test_each_command_is_described_whole_and_nothing_is_cut(path, columns):
    env = dict(os.environ, COLUMNS=str(columns))
    done = subprocess.run(
        [sys.executable, "-m", "copro", *path, "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("Commands:\n", 1)[1]
    lines = listed.splitlines()
    assert "..." not in listed
    assert all(len(line) <= columns and line == line.rstrip() for line in lines), lines
    said = " ".join(listed.split())
    for name, paragraph in commands_of(path).items():
        sentence = paragraph.split(". ", 1)[0].rstrip(".")
        if "e.g" in paragraph:  # "prints its new id, e.g. S5.": the sentence goes on
            sentence = paragraph.rstrip(".")
        assert f"{name} {sentence}" in said, (name, said)
