"""Prompts accept what the options accept, driven through a real pseudo-terminal."""

from __future__ import annotations

import os
import sys

import pytest

OLD = "2019-03-somali-mothers-parenting"  # ended 2019-05-25; S3 has no response yet


def spawn(root, private_cache, *args: str):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS="80", TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "copro", "--root", str(root), *args],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.setwinsize(40, 80)
    return pexpect, child


def answer(child, steps) -> None:
    for prompt, reply in steps:
        child.expect(prompt)
        child.sendline(reply)


def test_add_action_lists_the_findings_and_takes_a_status_in_words(sample_root, private_cache):
    pexpect, child = spawn(sample_root, private_cache, "add", "action", OLD)
    child.expect("S3 Many mothers fear that asking for help will bring social")
    answer(
        child,
        [
            ("Which finding", "S3"),
            ("Status", "in progress"),
            ("What was", "Ask the safeguarding lead to meet the group"),
        ],
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = (sample_root / "archive" / "2019" / f"{OLD}.md").read_text()
    assert "  status: in-progress\n  text: Ask the safeguarding lead to meet the group\n" in text


def test_a_done_action_defaults_to_the_records_end_date(sample_root, private_cache):
    pexpect, child = spawn(sample_root, private_cache, "add", "action", OLD)
    answer(
        child,
        [
            ("Which finding", "S3"),
            ("Status", "3"),
            ("What was", "Met the safeguarding lead"),
        ],
    )
    child.expect(r"Date it was done \(e\.g\. 12/11/2019\) \[2019-05-25\]")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = (sample_root / "archive" / "2019" / f"{OLD}.md").read_text()
    assert "  status: done\n  text: Met the safeguarding lead\n  date: 2019-05-25\n" in text


def test_a_day_first_date_at_a_prompt(sample_root, private_cache):
    pexpect, child = spawn(sample_root, private_cache, "add", "feedback", OLD)
    answer(child, [("Date people were told", "12/11/2019"), ("How", "community meeting")])
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = (sample_root / "archive" / "2019" / f"{OLD}.md").read_text()
    assert "- date: 2019-11-12\n  channel: community meeting\n" in text
