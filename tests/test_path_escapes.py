"""File names never send terminal escapes: control characters in printed paths are escaped.

A record file whose name holds an OSC 52 sequence could set the reader's
clipboard through `validate`; a hub member's file names could clear the screen
or split `hub sync` output with a newline. Text output shows such characters
as escapes (``\\x1b``, ``\\n``); JSON keeps the name itself (as JSON escapes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE_ARCHIVE, VALID_RECORD, git

OSC52 = "x\x1b]52;c;SGVsbG8=\x07y.md"
CLEAR = "two\nlines\x1b[2J\x1b[31m.md"
NAMES = [OSC52, CLEAR]
RAW = ("\x1b", "\x07", "\x9b")


def _copro(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _hostile_archive(root: Path) -> None:
    folder = root / "archive" / "2024"
    folder.mkdir(parents=True)
    for name in NAMES:
        shutil.copy(SAMPLE_ARCHIVE / "2019" / "2019-03-somali-mothers-parenting.md", folder / name)


def _no_raw_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, repr(text)


def test_validate_text_and_github_output_escape_control_characters_in_paths(tmp_path):
    _hostile_archive(tmp_path)
    shown = _copro(tmp_path, "validate")
    assert shown.returncode == 1
    _no_raw_controls(shown.stdout + shown.stderr)
    assert "archive/2024/x\\x1b]52;c;SGVsbG8=\\x07y.md" in shown.stdout
    assert "archive/2024/two\\nlines\\x1b[2J\\x1b[31m.md" in shown.stdout
    assert not any(line.startswith("lines") for line in shown.stdout.splitlines())
    github = _copro(tmp_path, "validate", "--format", "github")
    _no_raw_controls(github.stdout)
    assert all(line.startswith("::") for line in github.stdout.splitlines()[:-1])


def test_validate_json_keeps_the_names_as_they_are(tmp_path):
    _hostile_archive(tmp_path)
    document = json.loads(_copro(tmp_path, "validate", "--format", "json").stdout)
    paths = {problem["path"] for problem in document["problems"]}
    assert {f"archive/2024/{name}" for name in NAMES} <= paths


def test_hub_sync_escapes_a_members_file_names(tmp_path):
    member = tmp_path / "member"
    (member / "archive" / "2024").mkdir(parents=True)
    (member / "archive" / "2024" / "2024-03-parenting-groups.md").write_text(
        VALID_RECORD.format(id="2024-03-parenting-groups"), encoding="utf-8"
    )
    for name in NAMES:
        (member / "archive" / "2024" / name).write_text("not a record\n", encoding="utf-8")
    git(member, "init", "-q", "-b", "main")
    git(member, "add", "-A")
    git(member, "commit", "-q", "-m", "Hostile names")
    hub = tmp_path / "hub"
    hub.mkdir()
    (hub / "hub.yml").write_text(
        f"members:\n- name: harbour\n  url: {member}\n  rev: main\n", encoding="utf-8"
    )
    shown = _copro(hub, "hub", "sync")
    assert "Traceback" not in shown.stderr
    said = shown.stdout + shown.stderr
    _no_raw_controls(said)
    assert "archive/2024/x\\x1b]52;c;SGVsbG8=\\x07y.md" in said
    assert "archive/2024/two\\nlines\\x1b[2J\\x1b[31m.md" in said
    document = json.loads(_copro(hub, "hub", "sync", "--json").stdout)
    paths = {p["path"] for m in document["members"] for p in m["problems"]}
    assert {f"archive/2024/{name}" for name in NAMES} <= paths


def test_error_messages_and_written_paths_escape_control_characters(sample_root, tmp_path):
    missing = _copro(sample_root, "validate", str(sample_root / "archive" / "no\x1b[2Jsuch.md"))
    assert missing.returncode != 0
    _no_raw_controls(missing.stdout + missing.stderr)
    assert "no\\x1b[2Jsuch.md" in missing.stderr
    target = tmp_path / "out\x1b]52;c;SGk=\x07.csv"
    wrote = _copro(sample_root, "export", "--format", "csv", "-o", str(target))
    assert wrote.returncode == 0, wrote.stderr
    _no_raw_controls(wrote.stderr)
    assert "out\\x1b]52;c;SGk=\\x07.csv" in wrote.stderr
    assert target.is_file()
