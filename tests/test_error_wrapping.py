"""Error messages read well at 80 columns, and say what to do where the value came from.

The one error handler wraps ``copro: error:`` and ``hint:`` to the terminal's
width with hanging indents (a `command in backticks` never breaks); personal
data typed as an option or a prompt's answer is refused with advice for a
typed value (leave it out, describe the role), not the gate's advice to mark
a record's line as a false positive.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

RID = "2019-03-somali-mothers-parenting"


def copro(root, *args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS=str(columns))
    return subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def paragraphs(stderr: str) -> dict[str, list[str]]:
    """``copro: error:`` and ``hint:`` each with their continuation lines."""
    found: dict[str, list[str]] = {}
    current = None
    for line in stderr.splitlines():
        for lead in ("copro: error: ", "hint: "):
            if line.startswith(lead):
                current = found.setdefault(lead, [])
        assert current is not None, stderr
        current.append(line)
    return found


def test_message_and_hint_wrap_with_hanging_indents(sample_root):
    record = sample_root / "archive" / "2019" / f"{RID}.md"
    before = record.read_bytes()
    done = copro(sample_root, "update", RID, "--summary", "Ring Jo on 07911 123456 any day")
    assert done.returncode == 1
    assert record.read_bytes() == before
    assert "07911" not in done.stderr
    assert all(len(line) <= 80 for line in done.stderr.splitlines()), done.stderr
    found = paragraphs(done.stderr)
    message, hint = found["copro: error: "], found["hint: "]
    assert len(hint) > 1, done.stderr  # long enough to wrap at 80
    assert all(line.startswith(" " * 14) and line[14] != " " for line in message[1:])
    assert all(line.startswith(" " * 6) and line[6] != " " for line in hint[1:])


def test_a_listed_problem_hangs_under_its_own_line(sample_root):
    done = copro(sample_root, "update", RID, "--date", "2027-01-01")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert all(len(line) <= 80 for line in lines), done.stderr
    listed = [line for line in lines if line.startswith("  archive/")]
    assert listed, done.stderr
    after = lines[lines.index(listed[-1]) + 1]
    assert after.startswith("    ") or after.startswith("hint: ")


def test_a_command_in_backticks_is_never_broken(sample_root):
    done = copro(sample_root, "update", RID, "--place", "hollowayx", columns=60)
    assert done.returncode == 2
    assert "`copro vocab list places`" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        (
            [
                "add",
                "contributor",
                RID,
                "--role",
                "Peer researcher",
                "--credit",
                "named",
                "--name",
                "Call 07700 900123",
            ],
            "agreed to be credited",
        ),  # fmt: skip
        (
            ["add", "finding", RID, "--text", "Ring Amina on 07911 123456 about it"],
            "leave the detail out",
        ),  # fmt: skip
        (
            ["update", RID, "--asked", "Would you email jo@example.org?"],
            "leave the detail out",
        ),  # fmt: skip
    ],
)
def test_personal_data_in_a_typed_value_is_refused_with_advice_for_a_typed_value(
    sample_root, cli, args, advice
):
    record = sample_root / "archive" / "2019" / f"{RID}.md"
    before = record.read_bytes()
    done = cli("--root", str(sample_root), *args)
    assert done.exit_code == 1
    said = " ".join(done.stderr.split())
    assert advice in said and "nothing was written" in said
    assert "marker" not in said and "mark the line" not in said and "allow" not in said
    assert "07911" not in said and "07700" not in said and "jo@" not in said
    assert record.read_bytes() == before


def test_a_prompt_answer_with_personal_data_is_asked_again(sample_root, private_cache):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS="80", TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "copro", "--root", str(sample_root), "add", "contributor", RID],
        env=env, encoding="utf-8", timeout=60,
    )  # fmt: skip
    child.setwinsize(40, 80)
    child.expect("role")
    child.sendline("Peer researcher")
    child.expect("named")
    child.sendline("named")
    child.expect("Name")
    child.sendline("Amina, 07911 123456")
    child.expect("that answer contains a phone number")
    child.expect("agreed to be credited")
    child.expect("Name")
    child.sendline("Amina Yusuf")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = (sample_root / "archive" / "2019" / f"{RID}.md").read_text()
    assert "Amina Yusuf" in text and "07911" not in text
