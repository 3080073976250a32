"""Commands run at a real terminal (a pseudo-terminal), as a person runs them.

The test suite mostly pipes copro's output; at a terminal copro shows progress
bars, and while a bar is live Rich stands a proxy in for ``sys.stdout`` and
``sys.stderr``. copro's own streams (``copro.cli.output``) must write past that
proxy: once they wrote into it, and a search that built its index, ``validate``
and ``site`` hung at a terminal, printing nothing (found by a new user's trial).
"""

from __future__ import annotations

import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")


def at_a_terminal(root, cache, *args: str) -> tuple[int | None, str]:
    """Exit status and everything shown of ``copro --root ROOT ARGS`` at an 80-column
    terminal, with the cache in ``cache`` (empty: the index is built, with its bar)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(COPRO_CACHE_DIR=str(cache), TERM="xterm")
    child = pexpect.spawn(
        sys.executable, ["-m", "copro", "--root", str(root), *args],
        env=env, encoding="utf-8", timeout=60, dimensions=(40, 80),
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_search_at_a_terminal_builds_its_index_and_answers(sample_root, tmp_path):
    status, shown = at_a_terminal(sample_root, tmp_path / "cache", "search", "somali mothers")
    assert status == 0, shown
    assert "2019-03-somali-mothers-parenting" in shown
    assert "record(s) shown" in shown


@pytest.mark.parametrize("args", [["validate"], ["index", "--rebuild"]])
def test_commands_with_a_progress_bar_finish_at_a_terminal(sample_root, tmp_path, args):
    status, shown = at_a_terminal(sample_root, tmp_path / "cache", *args)
    assert status == 0, shown
    assert shown.strip(), "nothing was shown"
