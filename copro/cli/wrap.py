"""Terminal text wrapped at word boundaries with hanging indents, to the terminal's width.

The width is ``COLUMNS`` when it is set (also when the output is piped), else the
terminal's, else 80; no line printed here is longer than it. Plain text only:
what comes from a record is never read as markup.
"""

from __future__ import annotations

import os
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


def wrap(
    text: str, first: str = "", rest: str | None = None, columns: int | None = None
) -> list[str]:
    """``text`` wrapped after ``first`` (the first line's prefix), later lines after ``rest``.

    Words longer than a line (a long id, an address) are broken only when they
    cannot fit on a line of their own.
    """
    rest = " " * len(first) if rest is None else rest
    columns = columns or width()
    wrapper = textwrap.TextWrapper(
        width=columns,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=True,
        replace_whitespace=True,
    )
    return wrapper.wrap(" ".join(text.split())) or [first.rstrip()]


def hanging(
    text: str, first: str = "", rest: str | None = None, stream: TextIO | None = None
) -> None:
    """Print ``text`` wrapped with a hanging indent (stdout unless ``stream``)."""
    stream = stream or sys.stdout
    stream.write("\n".join(wrap(text, first, rest)) + "\n")
