"""Every file under archive/ is a checked record, a .gitkeep, or an error: the archive is published whole."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from conftest import REPO, VALID_RECORD, run_as_nobody, write_record

STRAYS = {
    "archive/2024/2024-03-shouting.MD": VALID_RECORD.format(id="2024-03-shouting"),
    "archive/2024/.2024-03-hidden.md": "Call Jane on 07911 123456\n",
    "archive/.drafts/2024-03-draft.md": VALID_RECORD.format(id="2024-03-draft"),
    "archive/2024/contacts.txt": "jane@example.com\n",
    "archive/notes": "stray notes\n",
}


def plant(root: Path) -> None:
    write_record(root, "2024-03-fine")
    (root / "archive" / ".gitkeep").write_text("")
    (root / "archive" / "2024" / ".gitkeep").write_text("")
    for rel, text in STRAYS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def problems_by_path(result) -> dict[str, set[str]]:  # noqa: ANN001
    found: dict[str, set[str]] = {}
    for problem in json.loads(result.stdout)["problems"]:
        found.setdefault(problem["path"], set()).add(problem["code"])
    return found


def test_files_that_are_not_records_are_errors(empty_root, cli):
    plant(empty_root)
    result = cli("--root", str(empty_root), "validate", "--json")
    assert result.exit_code == 1, result.stderr
    found = problems_by_path(result)
    for rel in STRAYS:
        assert "file-not-a-record" in found.get(rel, set()), (rel, found)
    assert not any(".gitkeep" in path for path in found)
    assert "archive/2024/2024-03-fine.md" not in found
    assert json.loads(result.stdout)["files_checked"] == 1  # the record; strays are problems
    assert "07911" not in result.stdout and "jane@" not in result.stdout


def test_a_stray_file_named_on_the_command_line_is_checked(empty_root, cli, monkeypatch):
    plant(empty_root)
    monkeypatch.chdir(empty_root)
    for rel in ("archive/2024/contacts.txt", "archive/.drafts"):
        result = cli("validate", rel, "--json")
        assert result.exit_code == 1, (rel, result.stderr)
        document = json.loads(result.stdout)
        assert document["files_checked"] == 0  # no record: a stray file is a problem
        assert {p["code"] for p in document["problems"]} == {"file-not-a-record"}


def test_unreadable_files_and_folders_are_errors(world_dir):
    root = world_dir / "hub"
    write_record(root, "2024-03-fine")
    write_record(root, "2025-01-locked-in")
    secret = write_record(root, "2024-04-secret")
    (root / "archive" / "2024" / "notes.txt").write_text("private\n")
    shutil.copytree(REPO / "schemas" / "vocab", root / "schemas" / "vocab")
    for folder in [world_dir, *root.rglob("*"), root]:
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    (root / "archive" / "2025").chmod(0o000)
    secret.chmod(0o000)
    (root / "archive" / "2024" / "notes.txt").chmod(0o000)
    done = run_as_nobody("--root", str(root), "validate", "--json")
    assert done.returncode == 1, done.stderr
    codes = {(p["path"], p["code"]) for p in json.loads(done.stdout)["problems"]}
    assert ("archive/2025", "file-unreadable") in codes
    assert ("archive/2024/2024-04-secret.md", "file-unreadable") in codes
    assert ("archive/2024/notes.txt", "file-not-a-record") in codes
    assert "Traceback" not in done.stderr


def test_the_hooks_pass_every_staged_file_under_archive(tmp_path, cli):
    root = tmp_path / "new-archive"
    assert cli("init", str(root)).exit_code == 0
    local = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    shipped = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hooks = [h for repo in local["repos"] for h in repo["hooks"]] + shipped
    for hook in (h for h in hooks if h["id"] == "copro-validate" and "files" in h):
        for path in ("archive/2024/contacts.txt", "archive/.drafts/x.MD", "archive/.x.md"):
            assert re.search(hook["files"], path), (hook["files"], path)
        assert not re.search(hook["files"], "README.md")
        assert "types" not in hook and "types_or" not in hook
