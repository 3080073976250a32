"""``copro validate``: the gate every record passes."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from copro.cli.app import app, archive_of
from copro.cli.output import (
    JsonFlag,
    choice_option,
    emit_json,
    err,
    escape,
    escape_printable,
    handle_errors,
    hanging,
    out,
    progress_bar,
)


def _summary(result) -> str:
    """``16 record(s) checked: 0 error(s), 0 warning(s)`` (and statements when any)."""
    errors, warnings = len(result.errors), len(result.warnings)
    statements = result.statements_checked
    checked = f"{result.files_checked - statements} record(s)" + (
        f" and {statements} statement(s)" if statements else ""
    )
    return f"{checked} checked: {errors} error(s), {warnings} warning(s)"


def _render_text(result) -> None:
    from copro.core.records import printable

    console = out()
    current = None
    for problem in result.problems:
        if problem.path != current:
            current = problem.path
            console.print(f"\n[bold]{escape_printable(problem.path)}[/bold]")
        colour = "red" if problem.is_error else "yellow"
        hanging(
            f"  {problem.line:>4}  [{colour}]{problem.severity:<7}[/{colour}] "
            f"[dim]{problem.code}[/dim]  ",
            printable(problem.message),
            rest=" " * 8,
        )
    if result.problems:
        console.print()
    style = "green" if result.ok else "red"
    err().print(f"[{style}]{escape(_summary(result))}[/{style}]")


def _render_github(result) -> None:
    for problem in result.problems:
        level = "error" if problem.is_error else "warning"
        message = _gh_escape(f"[{problem.code}] {problem.message}")
        print(f"::{level} file={_gh_escape_prop(problem.path)},line={problem.line}::{message}")
    print(_summary(result))


def _render_json(result) -> None:
    emit_json(result.to_json())


def _gh_escape(text: str) -> str:
    """GitHub's workflow-command escapes, after control characters are written as escapes."""
    from copro.core.records import printable

    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _gh_escape_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


RENDERERS: dict[str, Callable[[Any], None]] = {
    "text": _render_text,
    "json": _render_json,
    "github": _render_github,
}
"""validate's output formats; the keys are the allowed values of ``--format``."""


@app.command()
@handle_errors
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Records or folders to check.")] = None,
    fmt: Annotated[
        str,
        choice_option(RENDERERS, "Output format (github: workflow annotations)", default="text"),
    ] = "text",
    json_flag: JsonFlag = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="Check records changed since REV and scan every commit in REV..HEAD for "
            "personal data.",
        ),
    ] = None,
) -> None:
    """Check records: YAML, schema, naming, references, vocabularies, personal data."""
    from copro.core.validate import validate_archive
    from copro.core.yamlstrict import WITH_LIBYAML

    root = archive_of(ctx).root
    mode = "json" if json_flag else fmt
    if not WITH_LIBYAML:
        err().print(
            "[yellow]warning: PyYAML was built without libyaml: validation is slower and may "
            "read some files differently from CI; reinstall PyYAML with libyaml[/yellow]"
        )
    with progress_bar("Validating", enabled=mode == "text") as progress:
        result = validate_archive(root, paths or None, changed_since, progress)
    RENDERERS[mode](result)
    if not result.ok:
        raise typer.Exit(1)
