"""``copro remove ID``: delete a record made by mistake, never one another record names."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import VALID_RECORD, git, git_init, write_record

MISTAKE = "2024-05-made-by-mistake"


def _archive(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    write_record(root, "2024-03-kept")
    write_record(root, MISTAKE)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_remove_deletes_the_record_and_git_keeps_it_in_history(tmp_path: Path, cli) -> None:
    root = _archive(tmp_path)
    git_init(root)
    result = cli("--root", str(root), "remove", MISTAKE, "--yes")
    assert result.exit_code == 0, result.stderr
    assert not (root / "archive" / "2024" / f"{MISTAKE}.md").exists()
    assert (root / "archive" / "2024" / "2024-03-kept.md").is_file()
    assert f"git rm --cached --quiet archive/2024/{MISTAKE}.md" in result.stderr
    assert git(root, "show", f"HEAD:archive/2024/{MISTAKE}.md").startswith("---")
    assert cli("--root", str(root), "show", MISTAKE).exit_code == 1
    assert cli("--root", str(root), "validate").exit_code == 0


def test_remove_of_a_record_never_committed_offers_no_git_step(tmp_path: Path, cli) -> None:
    """The usual mistake: `copro new` then remove before any commit; git has no copy."""
    root = _archive(tmp_path)
    git_init(root)
    write_record(root, "2024-06-never-committed")
    result = cli("--root", str(root), "remove", "2024-06-never-committed", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "never committed" in result.stderr
    assert "git rm" not in result.stderr and "git keeps it" not in result.stderr
    assert not (root / "archive" / "2024" / "2024-06-never-committed.md").exists()


def test_remove_json_says_what_went(tmp_path: Path, cli) -> None:
    root = _archive(tmp_path)
    result = cli("--root", str(root), "remove", MISTAKE, "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "removed": MISTAKE,
        "path": f"archive/2024/{MISTAKE}.md",
    }


def test_remove_refuses_while_another_record_names_it(tmp_path: Path, cli) -> None:
    root = tmp_path / "root"
    write_record(root, MISTAKE)
    naming = {
        "2024-06-relates": "related: [" + MISTAKE + "]\n",
        "2024-07-supersedes": f"supersedes: {MISTAKE}\n",
        "2024-08-revisits": "",
    }
    for record_id, extra in naming.items():
        text = VALID_RECORD.format(id=record_id).replace("consent:", extra + "consent:", 1)
        text = text.replace("date: 2024-03-01", "date: 2024-09-01", 1)
        if record_id.endswith("revisits"):
            text = text.replace(
                "    text: Groups at school pick-up time do not work.\n",
                "    text: Groups at school pick-up time do not work.\n"
                f"    revisits:\n    - finding: {MISTAKE}#S1\n      outcome: still-holds\n",
                1,
            )
        write_record(root, record_id, text)
    assert cli("--root", str(root), "validate").exit_code == 0
    before = _files(root)
    result = cli("--root", str(root), "remove", MISTAKE, "--yes")
    assert result.exit_code == 1
    for record_id, how in (
        ("2024-06-relates", "related"),
        ("2024-07-supersedes", "supersedes"),
        ("2024-08-revisits", "revisits"),
    ):
        assert f"{record_id} ({how})" in " ".join(result.stderr.split())
    assert _files(root) == before


def test_remove_of_an_unknown_or_malformed_id(tmp_path: Path, cli) -> None:
    root = _archive(tmp_path)
    assert cli("--root", str(root), "remove", "2024-05-not-there", "--yes").exit_code == 1
    assert cli("--root", str(root), "remove", "../../etc/passwd", "--yes").exit_code == 2
    assert len(_files(root)) == 2


def test_remove_needs_yes_when_not_at_a_terminal(tmp_path: Path, cli) -> None:
    root = _archive(tmp_path)
    result = cli("--root", str(root), "remove", MISTAKE)
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert (root / "archive" / "2024" / f"{MISTAKE}.md").is_file()


def _at_terminal(root: Path, answer: bytes) -> tuple[int, str]:
    """Run ``copro remove`` with a real terminal on stdin, answering the question."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "copro", "--root", str(root), "remove", MISTAKE],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "COLUMNS": "80"},
    )
    os.close(follower)
    seen = b""
    while b"?" not in seen:
        chunk = os.read(leader, 1024)
        if not chunk:
            break
        seen += chunk
    os.write(leader, answer)
    try:
        while True:
            chunk = os.read(leader, 1024)
            if not chunk:
                break
            seen += chunk
    except OSError:
        pass
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, seen.decode("utf-8", "replace")


def test_remove_asks_at_a_terminal(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    code, said = _at_terminal(root, b"n\n")
    assert code == 1, said
    assert "Remove" in said and (root / "archive" / "2024" / f"{MISTAKE}.md").is_file()
    code, said = _at_terminal(root, b"y\n")
    assert code == 0, said
    assert not (root / "archive" / "2024" / f"{MISTAKE}.md").exists()


def test_remove_refuses_while_a_consensus_statement_cites_it(tmp_path: Path, cli) -> None:
    from consensus_kit import record, statement

    root = tmp_path / "root"
    record(root, MISTAKE, "2024-05-01")
    record(root, "2024-06-other", "2024-06-01")
    statement(root, "2024-09-letters-in-own-language", "2024-09-01",
              [f"{MISTAKE}#S1", "2024-06-other#S1"])  # fmt: skip
    assert cli("--root", str(root), "validate").exit_code == 0
    result = cli("--root", str(root), "remove", MISTAKE, "--yes")
    assert result.exit_code == 1
    assert "consensus/2024-09-letters-in-own-language (evidence)" in result.stderr
    assert (root / "archive" / "2024" / f"{MISTAKE}.md").is_file()
    assert cli("--root", str(root), "remove", "2024-06-other", "--yes").exit_code == 1
