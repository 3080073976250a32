"""Typer/Click usage errors in copro's own voice: ``copro: error: ...`` plus a hint.

Click prints its own "Usage: ... Error: ..." block for a bad option, an
unknown command or a stray argument; the README promises every error looks
like copro's. The app's group catches Click's exceptions where they arise
(parsing the group, then the sub-command), prints them through the one error
printer, and exits with Click's code (2 for usage). ``copro`` alone still
prints the help.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer

from copro.cli.grouphelp import WrappedHelpGroup
from copro.cli.output import print_error
from copro.core import pii
from copro.core.errors import CoproError

TYPED = "copro.typed"
"""Where the command line's words are kept in the context, to withhold them from messages."""


def in_copros_voice(exc: typer.TyperException, typed: Sequence[str] = ()) -> CoproError:
    """Click's message, lower-cased and without the final full stop, with a --help hint.

    Click repeats a value it refuses (``'07700 900123' is not a valid
    integer``); every word of ``typed`` that validate's echo rule withholds is
    replaced by "(value not shown)", as in copro's own messages.
    """
    message = withhold_typed(exc.format_message().strip(), typed)
    message = re.sub(r"'(--?[\w-]+)'", r"\1", message, count=1)
    message = message[:1].lower() + message[1:]
    message = message.rstrip(".")
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "copro"
    hint = f"see `{path} --help` for " + ("the commands" if path == "copro" else "what it takes")
    if message.startswith("got unexpected extra argument"):
        hint = f"quote text that has spaces, or {hint}"
    return CoproError(message, hint, int(getattr(exc, "exit_code", 2)))


def withhold_typed(message: str, typed: Sequence[str]) -> str:
    """``message`` with each typed value that ``pii.safe_echo`` refuses replaced."""
    values = {token for token in typed if token}
    values |= {t.split("=", 1)[1] for t in typed if t.startswith("-") and "=" in t}
    for value in sorted(values, key=len, reverse=True):
        if value and pii.safe_echo(value) is None:
            for form in (repr(value), value):
                message = message.replace(form, "(value not shown)")
    return message


@contextmanager
def usage_errors_in_copros_voice(typed: Sequence[str] = ()) -> Iterator[None]:
    try:
        yield
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" or not hasattr(exc, "format_message"):
            raise  # `copro` alone: the help text, as Click prints it
        error = in_copros_voice(exc, typed)
        print_error(error)
        raise typer.Exit(error.exit_code) from None


class CoproGroup(WrappedHelpGroup):
    """The top-level group: parse errors of the group and its commands in copro's voice."""

    def make_context(self, info_name: Any, args: list[str], *rest: Any, **kwargs: Any) -> Any:
        typed = list(args)
        with usage_errors_in_copros_voice(typed):
            ctx = super().make_context(info_name, args, *rest, **kwargs)
        ctx.meta[TYPED] = typed
        return ctx

    def invoke(self, ctx: Any) -> Any:
        with usage_errors_in_copros_voice(ctx.meta.get(TYPED, ())):
            return super().invoke(ctx)
