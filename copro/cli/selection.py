"""The options that say which records and findings: declared once, shared by every command.

``@selection_options("topic", "population", "member")`` adds those options to a
command (in that order, where its ``selection`` parameter stands) and hands the
command one ``selection`` mapping of the values given, keyed as the views take
them (``topics=``, ``members=``, ...), for ``copro.store.selection.Selection``
to check. As sqlite-utils does for its output options: one decorator, so a
filter reads the same in every command's ``--help``.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from copro.cli.completion import (
    complete_methods,
    complete_places,
    complete_populations,
    complete_topics,
)
from copro.cli.member_option import MemberOption
from copro.cli.withdrawn_option import IncludeWithdrawnOption

F = TypeVar("F", bound=Callable[..., Any])

Terms = list[str] | None

Chosen = dict[str, Any] | None
"""What a command's ``selection`` parameter receives: view keyword -> value given."""


def _terms(flag: str, help: str, complete: Callable[..., Any] | None = None) -> Any:
    return Annotated[Terms, typer.Option(flag, help=help, autocompletion=complete)]


def _text(flag: str, help: str) -> Any:
    return Annotated[str | None, typer.Option(flag, help=help)]


OPTIONS: dict[str, tuple[str, Any]] = {
    "topic": (
        "topics",
        _terms("--topic", "Topic id (repeatable; narrower terms included).", complete_topics),
    ),
    "population": (
        "populations",
        _terms(
            "--population",
            "Records with this population (repeatable; narrower included).",
            complete_populations,
        ),
    ),
    "place": (
        "places",
        _terms(
            "--place", "Records in this place (repeatable; narrower included).", complete_places
        ),
    ),
    "method": ("methods", _terms("--method", "Method id (repeatable).", complete_methods)),
    "ladder": ("ladder", _text("--ladder", "Rung of the ladder of co-production.")),
    "org": ("orgs", _terms("--org", "Organisation name contains TEXT (any case).")),
    "status": ("statuses", _terms("--status", "planned, active, completed or withdrawn.")),
    "since": ("since", _text("--since", "Started on or after DATE (YYYY-MM-DD).")),
    "until": ("until", _text("--until", "Started on or before DATE.")),
    "standing": (
        "standing",
        _terms(
            "--standing",
            "still-holds, changed, no-longer-holds, unclear or not-revisited (repeatable).",
        ),
    ),
    "said_before": (
        "said_before",
        _text("--said-before", "Findings of records dated before DATE (YYYY-MM-DD)."),
    ),
    "member": ("members", MemberOption),
    "include_withdrawn": ("include_withdrawn", IncludeWithdrawnOption),
}
"""Parameter name -> (the view's keyword, the option as Typer reads it)."""


def selection_options(*names: str) -> Callable[[F], F]:
    """Add the options ``names`` (keys of :data:`OPTIONS`) in place of the command's
    ``selection`` parameter, which receives the values given as one mapping."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        params = list(signature.parameters.values())
        at = [p.name for p in params].index("selection")
        added = [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None,
                annotation=OPTIONS[name][1],
            )
            for name in names
        ]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {}
            for name in names:
                keyword, _ = OPTIONS[name]
                value = kwargs.pop(name, None)
                given[keyword] = value if value is not None or name in _SINGLE else ()
            return command(*args, selection=given, **kwargs)

        shown = params[:at] + added + params[at + 1 :]
        run.__signature__ = signature.replace(parameters=shown)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in shown}
        return run  # type: ignore[return-value]

    return decorate


_SINGLE = frozenset({"ladder", "since", "until", "said_before", "include_withdrawn"})
"""Options given once (None when left out); the others repeat (``()`` when left out)."""
