"""``validate --changed-since`` cannot be blinded, cut short or misled (real git repositories)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, VALID_RECORD, git, git_init, run_as_nobody, write_record

PHONE = "Call 07911 123456 for details."


def repo_with_base(root: Path) -> str:
    write_record(root, "2024-03-base")
    git_init(root)
    return git(root, "rev-parse", "HEAD").strip()


def add_record_with_phone(root: Path, record_id: str, line: str = PHONE, rel: str = "") -> Path:
    path = root / (rel or f"archive/{record_id[:4]}/{record_id}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(VALID_RECORD.format(id=record_id).replace("A small test engagement.", line))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Add a record")
    return path


def history_problems(cli, root: Path, base: str) -> tuple[int, dict]:
    result = cli("--root", str(root), "validate", "--changed-since", base, "--json")
    assert "07911" not in result.stdout
    document = json.loads(result.stdout)
    errors = [p for p in document["problems"] if p["severity"] == "error"]
    assert result.exit_code == (1 if errors else 0), result.stderr  # 1: an error was found
    return result.exit_code, document


def test_a_non_ascii_file_name_is_checked_and_scanned(tmp_path, cli):
    root = tmp_path / "repo"
    base = repo_with_base(root)
    rel = "archive/2024/2024-03-café-meeting.md"
    add_record_with_phone(root, "2024-03-cafe-meeting", rel=rel)
    code, document = history_problems(cli, root, base)
    assert code == 1
    assert document["files_checked"] == 1
    found = {(p["path"], p["code"]) for p in document["problems"]}
    assert (rel, "pii-in-history") in found
    assert any(path == rel and code != "pii-in-history" for path, code in found)


@pytest.mark.parametrize(
    "blind",
    [
        "noprefix",
        "attributes-no-diff",
        "textconv",
        "external-diff",
        "line-starting-plus-plus",
        "message-separator",
        "colour-and-signature",
    ],
)
def test_history_scan_cannot_be_blinded(tmp_path, cli, blind):
    root = tmp_path / "repo"
    base = repo_with_base(root)
    line = PHONE
    if blind == "noprefix":
        git(root, "config", "diff.noprefix", "true")
    elif blind == "attributes-no-diff":
        (root / ".gitattributes").write_text("archive/** -diff\n")
    elif blind == "textconv":
        (root / ".gitattributes").write_text("archive/** diff=hide\n")
        git(root, "config", "diff.hide.textconv", "sh -c 'true'")
    elif blind == "external-diff":
        git(root, "config", "diff.external", "true")
    elif blind == "line-starting-plus-plus":
        line = "++ " + PHONE
    elif blind == "colour-and-signature":
        git(root, "config", "color.ui", "always")
        git(root, "config", "color.diff", "always")
        git(root, "config", "log.showSignature", "true")
    if blind == "message-separator":
        write_record(root, "2024-03-clean")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "Tidy\x03 then call 07911 123456")
        expected = "<commit"
    else:
        add_record_with_phone(root, "2024-03-hidden", line)
        expected = "archive/2024/2024-03-hidden.md"
    code, document = history_problems(cli, root, base)
    assert code == 1
    history = [p for p in document["problems"] if p["code"] == "pii-in-history"]
    assert any(p["path"].startswith(expected) for p in history), document["problems"]


def test_a_patch_line_that_looks_like_a_header_is_still_content(tmp_path, cli):
    root = tmp_path / "repo"
    base = repo_with_base(root)
    body = "A small test engagement.\n++ b/archive/elsewhere.md\n@@ -1 +1 @@\n" + PHONE
    add_record_with_phone(root, "2024-03-forged", body)
    code, document = history_problems(cli, root, base)
    history = [p for p in document["problems"] if p["code"] == "pii-in-history"]
    assert [(p["path"], p["line"]) for p in history] == [("archive/2024/2024-03-forged.md", 34)]


def test_a_shallow_clone_is_refused_with_a_hint(tmp_path, cli):
    origin = tmp_path / "origin"
    base = repo_with_base(origin)
    git(origin, "checkout", "-qb", "branch")
    path = add_record_with_phone(origin, "2024-03-added")
    path.write_text(path.read_text().replace(PHONE, "Nothing here."))
    git(origin, "commit", "-qam", "Remove the number")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "-b",
            "branch",
            f"file://{origin}",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    result = cli("--root", str(clone), "validate", "--changed-since", "origin/main")
    assert base
    assert result.exit_code == 2, result.stderr
    assert "shallow" in result.stderr and "fetch-depth: 0" in result.stderr


def test_git_refusing_another_users_repository_is_reported_as_such(world_dir):
    root = world_dir / "repo"
    base = repo_with_base(root)
    shutil.copytree(REPO / "schemas" / "vocab", root / "schemas" / "vocab")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = {"HOME": str(world_dir), "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    done = run_as_nobody("--root", str(root), "validate", "--changed-since", base, env=env)
    assert done.returncode == 2, done.stderr
    assert "dubious ownership" in done.stderr and "safe.directory" in done.stderr
    assert "not a git repository" not in done.stderr and "Traceback" not in done.stderr
    history = run_as_nobody("--root", str(root), "history", "2024-03-base", env=env)
    assert "safe.directory" in history.stderr and "Traceback" not in history.stderr
    assert os.geteuid() == 0


def test_a_line_that_only_a_merge_commit_adds_is_scanned(tmp_path, cli):
    root = tmp_path / "repo"
    base = repo_with_base(root)
    git(root, "checkout", "-qb", "side")
    write_record(root, "2024-04-side")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Side record")
    git(root, "checkout", "-q", "main")
    path = root / "archive" / "2024" / "2024-03-base.md"
    path.write_text(path.read_text() + "\nMain's change.\n")
    git(root, "commit", "-qam", "Main change")
    git(root, "merge", "-q", "--no-ff", "--no-commit", "side")
    path.write_text(path.read_text() + "\n" + PHONE + "\n")  # only in the merge
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Merge side")
    code, document = history_problems(cli, root, base)
    history = [p for p in document["problems"] if p["code"] == "pii-in-history"]
    assert code == 1
    assert [p["path"] for p in history] == ["archive/2024/2024-03-base.md"]
    assert "Merge side" not in json.dumps(document)


def test_a_plain_merge_reports_each_line_once_in_the_commit_that_added_it(tmp_path, cli):
    root = tmp_path / "repo"
    base = repo_with_base(root)
    git(root, "checkout", "-qb", "side")
    add_record_with_phone(root, "2024-04-side")
    git(root, "checkout", "-q", "main")
    path = root / "archive" / "2024" / "2024-03-base.md"
    path.write_text(path.read_text() + "\nMain's change.\n")
    git(root, "commit", "-qam", "Main change")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
    code, document = history_problems(cli, root, base)
    history = [p for p in document["problems"] if p["code"] == "pii-in-history"]
    assert code == 1
    assert [p["path"] for p in history] == ["archive/2024/2024-04-side.md"]
