"""No line copro prints ends with a space when piped, on stderr as on stdout.

Rich wraps a long note at the width and keeps the space it broke at; a log, a CI
transcript or a diff of the output then shows it (found by a new user's trial).
"""

from __future__ import annotations

from pathlib import Path

from test_error_wrapping import copro  # piped, at COLUMNS=80

from conftest import NEW_OPTIONS

SPRINT = "2026-01-young-people-mental-health-design-sprint"


def test_no_line_of_the_writing_and_building_commands_ends_with_a_space(
    sample_root: Path, tmp_path: Path
) -> None:
    commands = [
        ["add", "finding", SPRINT, "--text", "We want the same worker every time"],
        ["update", SPRINT, "--status", "completed", "--end-date", "31/3/2026"],
        ["review"],
        ["new", "--title", "Evening drop-in for carers", *NEW_OPTIONS, "--yes"],
        ["site", "--output", str(tmp_path / "site")],
    ]
    for command in commands:
        done = copro(sample_root, *command)
        assert done.returncode == 0, (command, done.stderr)
        for stream, text in (("stdout", done.stdout), ("stderr", done.stderr)):
            ends = [line for line in text.splitlines() if line != line.rstrip()]
            assert not ends, (command, stream, ends)
            assert all(len(line) <= 80 for line in text.splitlines()), (command, stream)
