"""Options made from the one field table (``copro.core.fields``), for ``update``.

A command decorated with :func:`field_options` gets one option per row of the
table (repeatable for list fields) and receives what was given as
``fields={key: value}``. Typer reads a function's ``__signature__``, so adding
a row to the table adds the option, its help and its completion: nothing here
or in the command changes.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from copro.core.fields import FIELDS, Field


def _completion(spec: Field) -> Any:
    if spec.vocabulary is None:
        return None
    from copro.cli import completion

    return getattr(completion, f"complete_{spec.vocabulary}", None)


def _parameter(spec: Field) -> inspect.Parameter:
    kind = list[str] | None if spec.repeatable else str | None
    option = typer.Option(spec.option, help=spec.help, autocompletion=_completion(spec))
    return inspect.Parameter(
        f"field_{spec.key}",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[kind, option],
    )


def field_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add an option per settable field; the command gets them as ``fields``."""
    signature = inspect.signature(func)
    own = [p for p in signature.parameters.values() if p.name != "fields"]
    # Click passes every value by keyword: all but the first (the context) may be keyword-only.
    rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[1:]]
    extra = [_parameter(spec) for spec in FIELDS]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {spec.key: kwargs.pop(f"field_{spec.key}", None) for spec in FIELDS}
        return func(*args, fields=given, **kwargs)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[own[0], *rest[:1], *extra, *rest[1:]]
    )
    wrapper.__annotations__ = {}
    return wrapper
