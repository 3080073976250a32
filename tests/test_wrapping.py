"""Terminal text wraps at word boundaries, with hanging indents, to COLUMNS even when piped."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

OLD = "2019-03-somali-mothers-parenting"


def run(root, private_cache, columns: int, *args: str) -> str:
    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS=str(columns))
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [80, 50])
def test_findings_wrap_with_hanging_indents(sample_root, private_cache, columns):
    text = run(sample_root, private_cache, columns, "findings", "parenting")
    lines = text.splitlines()
    assert all(len(line) <= columns for line in lines), [ln for ln in lines if len(ln) > columns]
    assert all(not line.endswith(" ") for line in lines)
    continued = [ln for ln in lines if ln.startswith("  ") and not ln.startswith("   ")]
    assert continued  # every line of a finding, its standing and responses is indented
    words = " ".join(text.split())
    assert "word of mouth" not in words or "word of mo\n" not in text  # never split in a word
    assert (
        "Parenting courses are in English only and feel as if they are for other families" in words
    )


@pytest.mark.parametrize("columns", [80, 60])
def test_show_fits_the_width_and_indents_what_it_continues(sample_root, private_cache, columns):
    text = run(sample_root, private_cache, columns, "show", OLD)
    lines = text.splitlines()
    assert all(len(line) <= columns for line in lines), [ln for ln in lines if len(ln) > columns]
    s1 = next(i for i, line in enumerate(lines) if line.startswith("  S1 "))
    assert lines[s1 + 1].startswith("     ") and lines[s1 + 1].strip()  # under the text
    assert "contributors" in text and "1 more not named" in text
    assert "recognition" in text and "vouchers (shopping voucher per session)" in text
    assert "consent" in text and "may be contacted again via" in " ".join(text.split())
