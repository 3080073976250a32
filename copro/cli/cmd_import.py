"""``copro import FILE``: apply a filled-in workbook or CSV, all of it or nothing."""

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from copro.cli.app import app, writable_archive_of
from copro.cli.output import JsonFlag, emit_json, err, escape, handle_errors, hanging, out

if TYPE_CHECKING:
    from copro.store.archive import Archive


@app.command("import")
@handle_errors
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A workbook (.xlsx) or CSV laid out as `copro export` writes it.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would change.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Add and update findings and actions from a spreadsheet; never deletes anything."""
    from copro.core.fileio import archive_lock

    archive = writable_archive_of(ctx, "import")
    asking = sys.stdin.isatty() and not yes and not dry_run
    # Not asking: plan and write as one, so the plan is made from the files as
    # they are when written. Asking: never hold other writers while a person
    # reads; a record changed meanwhile is refused at the write.
    with archive_lock(archive.root) if not (asking or dry_run) else contextlib.nullcontext():
        _import(archive, file, dry_run, asking, json_flag)


def _import(archive: "Archive", file: Path, dry_run: bool, asking: bool, json_flag: bool) -> None:
    from copro.core.errors import CoproError
    from copro.write.importer import apply_import, plan_import

    plan = plan_import(archive, file)
    if plan.problems:
        if json_flag:
            emit_json(plan.to_json())
            raise typer.Exit(1)
        raise CoproError(
            f"{len(plan.problems)} problem(s) in {file.name}; nothing was written:\n"
            + "\n".join(f"  {p}" for p in plan.problems),
            "fix those rows and import again",
        )
    if plan.nothing_to_change:
        if json_flag:
            emit_json(plan.to_json())
        else:
            err().print(f"Nothing to change: {plan.rows} row(s) match the archive as it is.")
        return
    if not json_flag:
        _print_plan(plan)
    if asking and not typer.confirm("Apply these changes?", default=False, err=True):
        err().print("Nothing was written.")
        raise typer.Exit(1)
    if not dry_run:
        apply_import(archive, plan)
    if json_flag:
        emit_json(plan.to_json())
    elif dry_run:
        err().print("(dry run: nothing was written)")
    else:
        err().print(f"Changed {len(plan.records)} record(s).")


def _print_plan(plan: Any) -> None:
    console = out()
    for record in plan.records:
        console.print(f"[bold]{escape(record.record_id)}[/bold] ({escape(record.relpath)})")
        for step in record.steps:
            hanging("  ", step.words(), console=console)
            if step.warning:
                hanging("    [yellow]warning:[/yellow] ", step.warning, "yellow", console=console)
