"""``copro hub sync``: fetch, check and lock the members of a hub."""

from pathlib import Path
from typing import Annotated

import typer

from copro.cli.app import archive_of, command_group
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    emit_json,
    err,
    escape_printable,
    handle_errors,
    hanging,
    out,
    wants_json,
)

hub_app = command_group(
    "hub",
    "Join up several organisations' archives: fetch and check the members of a hub.",
)


@hub_app.command("init")
@handle_errors
def init_command(
    directory: Annotated[
        Path, typer.Argument(metavar="[DIR]", help="Folder for the hub (default: this one).")
    ] = Path("."),
) -> None:
    """Start a hub: hub.yml with commented examples, .gitignore and shared vocabularies."""
    from copro.write.hub_init import init_hub

    result = init_hub(directory)
    for rel in result.written:
        err().print(f"  wrote   {escape_printable(rel)}")
    for rel in result.kept:
        err().print(f"  kept    {escape_printable(rel)}")
    if result.git_initialised:
        err().print("  git init")
    out().print(escape_printable(str(result.root)))
    err().print("Next: add members to hub.yml, then `copro hub sync`.")


@hub_app.command("sync")
@handle_errors
def sync_command(
    ctx: typer.Context,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Fetch every member at its rev, check it with its own gate, and write hub.lock."""
    from copro.core.errors import CoproError
    from copro.core.records import printable
    from copro.hub.sync import sync

    as_json = wants_json(json_flag, fmt)
    result = sync(archive_of(ctx).root, note=None if as_json else _note)
    if as_json:
        emit_json(result.to_json())
    else:
        _render(result)
    for member in result.members:
        for warning in member.warnings:
            where = f"{escape_printable(warning.path)}:{warning.line}"
            hanging(
                f"[yellow]warning[/yellow] {escape_printable(member.name)}: {where}: "
                f"[dim]{warning.code}[/dim] ",
                printable(warning.message),
                console=err(),
                rest="    ",
            )
    if result.behind:
        raise CoproError(
            "not brought up to date: " + ", ".join(result.behind),
            "the hub keeps reading each of them at its last commit that passed (if any); "
            "fix what is listed above: a url or rev that cannot be fetched in hub.yml, "
            "a gate problem in the member's own archive",
        )


def _note(text: str) -> None:
    err().print(f"[dim]{escape_printable(text)}[/dim]")


def _render(result) -> None:
    from copro.core.records import printable

    console = out()
    for member in result.members:
        commit = member.commit[:10] if member.commit else "(none)"
        if member.up_to_date:
            state = "[green]up to date[/green]"
        elif member.commit:
            state = "[red]behind[/red]: reading its last commit that passed"
        else:
            state = "[red]left out[/red]: no commit has passed yet"
        console.print(
            f"[bold]{escape_printable(member.name)}[/bold]  {commit}  "
            f"rev {escape_printable(member.member.rev)}  {state}"
        )
        for problem in member.problems:  # wrapped as validate wraps a problem
            hanging(
                f"  {escape_printable(problem.path)}:{problem.line}  [dim]{problem.code}[/dim]  ",
                printable(problem.message),
                console=console,
                rest=" " * 6,
            )
    err().print("hub.lock " + ("written" if result.lock_written else "unchanged"))
