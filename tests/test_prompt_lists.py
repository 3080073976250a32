"""The vocabulary lists of ``copro new``'s prompts, at a real terminal (pexpect): they fit the
screen (one per line, else in columns, else a filter), and a wrapped term hangs under its label."""

from __future__ import annotations

import os
import re
import sys

import pytest

ENTRY = re.compile(r"^ *\d+\. ")


def start_new(root, cache, rows: int, columns: int):
    """``copro new`` at a ``rows`` x ``columns`` terminal, answered up to the places."""
    pexpect = pytest.importorskip("pexpect")
    env = dict(
        os.environ, COPRO_CACHE_DIR=str(cache), COLUMNS=str(columns), LINES=str(rows), TERM="dumb"
    )
    child = pexpect.spawn(
        sys.executable, ["-m", "copro", "--root", str(root), "new"],
        env=env, encoding="utf-8", timeout=60, dimensions=(rows, columns),
    )  # fmt: skip
    for prompt, answer in (
        ("Title", "Carers' evening drop-in"),
        ("Start date", "1/12/2026"),
        ("Status", ""),
        ("Lead organisation:", "Leeds Carers Together"),
        ("sector", "3"),
    ):
        child.expect(prompt)
        child.sendline(answer)
    return pexpect, child


def shown_lines(text: str) -> list[str]:
    """The lines a terminal showed (the echo of the last answer dropped)."""
    return [line for line in text.replace("\r", "").split("\n")[1:] if line.strip()]


def test_a_list_longer_than_the_screen_is_shown_in_columns_that_fit_it(sample_root, private_cache):
    pexpect, child = start_new(sample_root, private_cache, 24, 80)
    lists = {}
    for prompt, answer in (
        ("Places", "leeds"),
        ("Methods", "drop-in"),
        ("Who took part", "carers"),
        ("Topics", "carers-support"),
    ):
        child.expect(prompt)
        lists[prompt] = shown_lines(child.before)
        child.sendline(answer)
    child.expect("Rung of the ladder")
    child.close(force=True)
    for prompt, lines in lists.items():
        assert len(lines) <= 22, (prompt, lines)  # the question and one line above still show
        assert all(len(line) <= 80 for line in lines), lines
    numbers = [int(n) for line in lists["Who took part"] for n in re.findall(r"(\d+)\. ", line)]
    assert sorted(numbers) == list(range(1, 31))  # every group still has its number
    assert "People with lived experience" in " ".join(lists["Who took part"])


def test_a_term_that_wraps_hangs_under_its_label(sample_root, private_cache):
    pexpect, child = start_new(sample_root, private_cache, 60, 44)
    child.expect("Places")
    child.sendline("leeds")
    child.expect("Methods")
    methods = shown_lines(child.before)
    child.close(force=True)
    wrapped = [line for line in methods if not ENTRY.match(line)]
    assert wrapped, methods  # at 44 columns some "label (id)" must wrap
    assert all(line.startswith("      ") for line in wrapped), methods
    assert all(len(line) <= 44 for line in methods), methods
    assert "(lived-experience-committee)" in "\n".join(methods)


def test_a_list_too_long_even_in_columns_is_filtered_by_what_is_typed(sample_root, private_cache):
    pexpect, child = start_new(sample_root, private_cache, 10, 80)
    child.expect("Places")
    shown = shown_lines(child.before)
    assert len(shown) <= 8, shown
    assert "26 places" in " ".join(shown) and "part of a name" in " ".join(shown), shown
    child.sendline("lond")
    child.expect("Places")
    matches = " ".join(shown_lines(child.before))
    assert "2. London" in matches and "3. North Central London" in matches, matches
    assert "Leeds" not in matches, matches
    child.sendline("?")
    child.expect("Places")
    everything = " ".join(shown_lines(child.before))
    assert "26. Bristol" in everything and "1. England" in everything, everything
    child.sendline("2, leeds")
    child.expect("Methods")
    child.close(force=True)
