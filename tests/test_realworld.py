"""Inputs written elsewhere (YAML test suite, python-frontmatter fixtures) never crash validate.

Each is put inside an archive as front-matter; each must give at least one
problem at a real line of its file, exit 1, and no traceback or hang.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED

REALWORLD = SHARED / "realworld"

# Nothing here may touch REALWORLD at import time: on a fresh clone without
# ../shared the module must still be collected, so the skip below can run.
pytestmark = pytest.mark.skipif(
    not REALWORLD.is_dir(),
    reason=f"{REALWORLD} is absent (the shared test data lives beside the checkout, not in it)",
)


def yaml_suite() -> list[Path]:
    """The YAML test suite's inputs, read only when a test runs."""
    return sorted((REALWORLD / "yaml-test-suite").glob("*.yaml"))


def frontmatter_fixtures() -> list[Path]:
    """python-frontmatter's own fixtures, read only when a test runs."""
    folder = REALWORLD / "python-frontmatter"
    return sorted(p for p in folder.iterdir() if p.name != "LICENSE")


def build_archive(root: Path) -> dict[str, int]:
    """Write every input as a record; returns archive path -> number of lines in the file."""
    lines: dict[str, int] = {}
    folder = root / "archive" / "2024"
    folder.mkdir(parents=True)
    for index, source in enumerate(yaml_suite()):
        name = f"2024-01-yaml-{index:03d}.md"
        data = b"---\n" + source.read_bytes() + b"\n---\nbody\n"
        (folder / name).write_bytes(data)
        lines[f"archive/2024/{name}"] = data.count(b"\n") + 1
    for index, source in enumerate(frontmatter_fixtures()):
        name = f"2024-01-fm-{index:03d}.md"
        data = source.read_bytes()
        (folder / name).write_bytes(data)
        lines[f"archive/2024/{name}"] = data.count(b"\n") + 1
    return lines


def test_every_realworld_input_gives_problems_with_real_lines(tmp_path, cli):
    assert len(yaml_suite()) > 300 and len(frontmatter_fixtures()) >= 10
    root = tmp_path / "realworld"
    line_counts = build_archive(root)
    result = cli("--root", str(root), "validate", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["files_checked"] == len(line_counts)
    by_path: dict[str, list[dict]] = {}
    for problem in document["problems"]:
        by_path.setdefault(problem["path"], []).append(problem)
    missing = sorted(set(line_counts) - set(by_path))
    assert not missing, f"no problem reported for {missing[:5]}"
    for path, problems in by_path.items():
        for problem in problems:
            assert 1 <= problem["line"] <= line_counts[path], (path, problem)
            assert problem["severity"] in ("error", "warning")
            assert problem["code"] and problem["message"]


def test_realworld_github_format_never_crashes(tmp_path, cli):
    root = tmp_path / "realworld"
    build_archive(root)
    result = cli("--root", str(root), "validate", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.count("::error file=") >= len(yaml_suite())
