"""``copro report ID`` (Markdown) read at a terminal is wrapped to its width.

Wrapping only adds soft line breaks, with list continuations indented to the
item's text, so the Markdown renders exactly as before. To a file
(``--output``) or piped without ``COLUMNS`` the document stays as written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from markdown_it import MarkdownIt

from conftest import write_record

RID = "2019-03-somali-mothers-parenting"

TRICKY_BODY = """## Summary

A long paragraph that a careless wrap would turn into a list - like this one, which says 1. that \
costs + time matter, # not a heading, > not a quotation, and ends with a URL \
https://example.org/a/very/long/address/that/cannot/be/broken/anywhere/at/all/really and more words.
A line ending in a hard break, long enough to be wrapped at forty columns or so{HARD}
and the line after it.

```
code that is much longer than forty columns stays exactly as it is, always
```

> A quotation that is long enough to wrap at forty columns keeps its marker on every line.

1. An ordered item that is long enough to wrap at forty columns indents under its text.
   - A nested bullet, long enough to wrap too, indents under its own text as well.

    indented code after a blank line, longer than forty columns, is left alone
""".replace("{HARD}", "  ")


def report(root, *args: str, columns: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), "report", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def rendered(markdown: str) -> str:
    return re.sub(r"\s+", " ", MarkdownIt("commonmark").render(markdown))


@pytest.mark.parametrize("columns", ["80", "40"])
def test_markdown_to_the_terminal_fits_and_means_the_same(sample_root, columns):
    as_written = report(sample_root, RID, columns=None)
    assert as_written.returncode == 0, as_written.stderr
    assert max(map(len, as_written.stdout.splitlines())) > 80  # a letter long enough to wrap
    wrapped = report(sample_root, RID, columns=columns)
    assert wrapped.returncode == 0, wrapped.stderr
    assert max(map(len, wrapped.stdout.splitlines())) <= int(columns), wrapped.stdout
    assert rendered(wrapped.stdout) == rendered(as_written.stdout)
    assert "\n- **You said:** Parenting courses" in wrapped.stdout
    continuation = wrapped.stdout.split("- **You said:** Parenting courses", 1)[1].splitlines()[1]
    assert continuation.startswith("  ") and not continuation.startswith("  -")


def test_tricky_markdown_keeps_its_meaning(sample_root):
    path = next((sample_root / "archive").rglob(f"{RID}.md"))
    text = path.read_text()
    head, _ = text.split("\n---\n", 1)
    write_record(sample_root, RID, head + "\n---\n\n" + TRICKY_BODY)
    as_written = report(sample_root, RID, "--audience", "staff", columns=None)
    assert as_written.returncode == 0, as_written.stderr
    wrapped = report(sample_root, RID, "--audience", "staff", columns="40")
    assert wrapped.returncode == 0, wrapped.stderr
    assert rendered(wrapped.stdout) == rendered(as_written.stdout)
    lines = wrapped.stdout.splitlines()
    assert "code that is much longer than forty columns stays exactly as it is, always" in lines
    assert "    indented code after a blank line, longer than forty columns, is left alone" in lines
    assert all(line.startswith(">") for line in lines if "keeps its marker" in line)
    long = [line for line in lines if len(line) > 40]
    assert all("https://" in line or "columns" in line or line.startswith("  ") for line in long), (
        long
    )


def test_a_file_or_a_plain_pipe_keeps_the_markdown_as_written(sample_root, tmp_path):
    target = tmp_path / "letter.md"
    to_file = report(sample_root, RID, "--output", str(target), columns="80")
    assert to_file.returncode == 0, to_file.stderr
    piped = report(sample_root, RID, columns=None)
    assert target.read_text() == piped.stdout
    assert max(map(len, piped.stdout.splitlines())) > 80


def test_at_a_terminal_it_wraps_to_the_terminals_width(sample_root, private_cache):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update(COPRO_CACHE_DIR=str(private_cache), TERM="dumb")
    child = pexpect.spawn(
        sys.executable, ["-m", "copro", "--root", str(sample_root), "report", RID],
        env=env, encoding="utf-8", timeout=60, dimensions=(50, 72),
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    lines = child.before.replace("\r\n", "\n").splitlines()
    assert any("You said" in line for line in lines)
    assert max(map(len, lines)) <= 72, lines


MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
BROKEN_DATE = re.compile(rf"\b\d{{1,2}}\n *(?:- )?{MONTH}\b|\b{MONTH}\n *(?:- )?\d{{4}}\b")


def test_a_date_is_never_broken_across_lines(sample_root):
    """ "on 1" / "December 2026" reads as two things: a date's words wrap together."""
    from copro.cli.wrap import wrap_markdown

    at_44 = report(sample_root, RID, columns="44")
    assert at_44.returncode == 0, at_44.stderr
    assert not BROKEN_DATE.search(at_44.stdout), at_44.stdout
    assert "from 9 March to 25 May 2019" in " ".join(at_44.stdout.split())
    as_written = report(sample_root, RID, columns=None).stdout
    for columns in range(30, 90):
        wrapped = wrap_markdown(as_written, columns)
        assert not BROKEN_DATE.search(wrapped), (columns, wrapped)
        assert rendered(wrapped) == rendered(as_written)
