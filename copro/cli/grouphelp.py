"""The command list of ``copro --help`` (and of ``copro add --help`` ...): each command's
first sentence in full, wrapped under itself at the terminal's width.

Click cuts a command's help to what fits on one line and ends it with "...", often
mid-phrase ("Check records: YAML, schema, naming, references,..."), and ends a
sentence at "e.g."; a person choosing a command reads the sentence whole instead.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperGroup

_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)\.(?=\s|$)")
"""A full stop that ends a sentence: not the last of "e.g." or "i.e."."""


def first_sentence(help_text: str) -> str:
    """The first sentence of the first paragraph of ``help_text``, on one line."""
    paragraph = " ".join(help_text.strip().split("\n\n", 1)[0].split())
    end = _SENTENCE_END.search(paragraph)
    return paragraph[: end.end()] if end else paragraph


class WrappedHelpGroup(TyperGroup):
    """A command group whose help lists each command's first sentence, wrapped, never cut."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.short_help or first_sentence(command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
