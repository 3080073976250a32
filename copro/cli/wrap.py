"""Terminal text wrapped at word boundaries with hanging indents, to the terminal's width.

The width is ``COLUMNS`` when it is set (also when the output is piped), else the
terminal's, else 80; no line printed here is longer than it. Plain text only:
what comes from a record is never read as markup.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from typing import TextIO


def width() -> int:
    """``COLUMNS`` when set to a number, else the terminal's width, else 80 (at least 20)."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return max(int(given), 20)
    return max(shutil.get_terminal_size((80, 24)).columns, 20)


def height() -> int:
    """``LINES`` when set to a number, else the terminal's height, else 24 (at least 5)."""
    return max(shutil.get_terminal_size((80, 24)).lines, 5)


_CODE_SPAN = re.compile(r"`[^`\n]+`")
_KEEP = "\ue000"
"""Stands for a space inside a `code span` or a date while wrapping: textwrap never breaks
there."""
_MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_UNBROKEN = re.compile(rf"\b(?:\d{{1,2}} {_MONTH}(?: \d{{4}})?|{_MONTH} \d{{4}})\b")
"""Short phrases read as one thing, whose words wrap together (as if joined by no-break
spaces): a date, "9 March", "April 2024", "1 December 2026". "on 1" at the end of one
line and "December 2026" at the start of the next reads as two things."""


def _keep_together(text: str) -> str:
    """``text`` with the spaces inside each phrase that must not break made unbreakable."""
    return _UNBROKEN.sub(lambda phrase: phrase.group().replace(" ", _KEEP), text)


class _Wrapper(textwrap.TextWrapper):
    """Word wrapping that never breaks at a hyphen (ids and dates hold them), and breaks a
    path too long for a line after a ``/`` (so a file's name stays whole) before
    breaking it anywhere; with ``break_long_words`` off (Markdown), never."""

    def _split(self, text: str) -> list[str]:
        room = self.width - max(len(self.initial_indent), len(self.subsequent_indent))
        chunks: list[str] = []
        for chunk in super()._split(text):
            if self.break_long_words and len(chunk) > room and "/" in chunk.strip("/"):
                chunks.extend(_PATH_PIECE.findall(chunk))
            else:
                chunks.append(chunk)
        return chunks


_PATH_PIECE = re.compile(r"[^/]*/+|[^/]+$")


def _wrapper(columns: int, first: str, rest: str, break_long_words: bool) -> textwrap.TextWrapper:
    return _Wrapper(
        width=columns,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=break_long_words,
    )


def wrap(
    text: str,
    first: str = "",
    rest: str | None = None,
    columns: int | None = None,
    keep_code: bool = False,
) -> list[str]:
    """``text`` wrapped after ``first`` (the first line's prefix), later lines after ``rest``.

    Words longer than a line (a long id, an address) are broken only when they
    cannot fit on a line of their own. With ``keep_code``, a `command in
    backticks` is one word: it moves to the next line whole rather than break
    (and is broken only when it cannot fit on a line of its own either).
    """
    rest = " " * len(first) if rest is None else rest
    wrapper = _wrapper(columns or width(), first, rest, break_long_words=True)
    words = _keep_together(" ".join(text.split()))
    if keep_code:
        words = _CODE_SPAN.sub(lambda span: span.group().replace(" ", _KEEP), words)
    lines = wrapper.wrap(words) or [first.rstrip()]
    return [line.replace(_KEEP, " ") for line in lines]


def hanging(
    text: str, first: str = "", rest: str | None = None, stream: TextIO | None = None
) -> None:
    """Print ``text`` wrapped with a hanging indent (stdout unless ``stream``)."""
    stream = stream or sys.stdout
    stream.write("\n".join(wrap(text, first, rest)) + "\n")


# A word that would change what a Markdown line means if a wrapped line began
# with it (a list item, heading, quotation, setext underline, fence or HTML
# block would interrupt the paragraph): it stays on the line before.
_MARKDOWN_OPENER = re.compile(r"(?:[-+*]|#{1,6}|>.*|\d{1,9}[.)]|=+|-+|`{3,}.*|~{3,}.*|<.*|\|.*)")
_LIST_ITEM = re.compile(r"(?P<indent> *)(?P<marker>(?:[-+*]|\d{1,9}[.)]) +)")
_QUOTE = re.compile(r"(?P<marker>(?: {0,3}> ?)+)")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_SETEXT_ABLE = re.compile(r"(?P<level>#{1,2}) +(?P<text>[^#]*?[^#\s])(?: +#+)? *$")
_UNTOUCHED = re.compile(r" {0,3}(?:#|\||<|[-*_=](?: *[-*_=]){2,} *$)|\s*$")


def wrap_markdown(text: str, columns: int | None = None) -> str:
    """Markdown with its paragraphs and list items wrapped to ``columns``, meaning kept.

    Only soft line breaks are added, each continuation indented to its list
    item's content (or after the same ``>`` of a quotation), so the document
    renders exactly as before. Headings, tables, HTML, rules, fenced code and
    indented code blocks are left as they are, and a line that ended in a hard
    break keeps it.
    """
    columns = columns or width()
    out: list[str] = []
    fenced, previous_blank = None, True
    for line in text.split("\n"):
        fence = _FENCE.match(line)
        if fenced is not None or fence:
            if fenced is None:
                fenced = fence.group(1) if fence else None
            elif line.strip().startswith(fenced):
                fenced = None
            out.append(line)
        elif previous_blank and _SETEXT_ABLE.match(line) and len(line) > columns:
            out.extend(_setext_heading(line, columns))
        elif _UNTOUCHED.match(line) or (previous_blank and line.startswith("    ")):
            out.append(line)
        else:
            out.extend(_wrap_markdown_line(line, columns))
        previous_blank = not line.strip()
    return "\n".join(out)


def _setext_heading(line: str, columns: int) -> list[str]:
    """A long ``#``/``##`` heading as the same heading over several lines (setext form)."""
    match = _SETEXT_ABLE.match(line)
    assert match
    words = _glue_openers(_keep_together(match.group("text")).split())
    lines = _wrapper(columns, "", "", break_long_words=False).wrap(" ".join(words))
    wrapped = [text.replace(_KEEP, " ") for text in lines]
    underline = "=" if len(match.group("level")) == 1 else "-"
    return [*wrapped, underline * min(columns, max(map(len, wrapped)))]


def _wrap_markdown_line(line: str, columns: int) -> list[str]:
    hard_break = "  " if line.endswith("  ") else ("\\" if line.endswith("\\") else "")
    quote = _QUOTE.match(line)
    lead = quote.group("marker") if quote else ""
    body = line[len(lead) :]
    item = _LIST_ITEM.match(body)
    if item:
        first = lead + item.group()
        rest = (lead.rstrip() + " " if lead else "") + " " * len(item.group())
        words = body[len(item.group()) :]
    else:
        indent = body[: len(body) - len(body.lstrip(" "))]
        first = rest = lead + indent
        words = body.lstrip(" ")
    if len(line) <= columns:
        return [line]
    glued = _glue_openers(_keep_together(words.rstrip("\\")).split())
    lines = _wrapper(columns, first, rest, break_long_words=False).wrap(" ".join(glued))
    lines = [wrapped.replace(_KEEP, " ") for wrapped in lines] or [line]
    lines[-1] += hard_break
    return lines


def _glue_openers(words: list[str]) -> list[str]:
    """Words, each opener joined to the word before it so no wrapped line begins with it."""
    glued: list[str] = []
    for word in words:
        if glued and _MARKDOWN_OPENER.fullmatch(word):
            glued[-1] += _KEEP + word
        else:
            glued.append(word)
    return glued
