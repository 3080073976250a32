"""``copro remove ID``: delete a record made by mistake, never one that something names."""

import sys
from typing import Annotated

import typer

from copro.cli.app import app, writable_archive_of
from copro.cli.completion import complete_record_ids
from copro.cli.output import emit_json, err, escape, handle_errors
from copro.core.errors import UsageError


@app.command()
@handle_errors
def remove(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The record made by mistake.",
            autocompletion=complete_record_ids,
            show_default=False,
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Remove without asking (needed off a terminal).")
    ] = False,
    json_flag: Annotated[
        bool, typer.Option("--json", help="Print what was removed as one JSON document.")
    ] = False,
) -> None:
    """Delete a record made by mistake (git keeps it in history); refused while named."""
    from copro.write.remove import git_rm_hint, plan_removal, remove_record

    root = writable_archive_of(ctx, "remove").root
    removal = plan_removal(root, record_id)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "copro remove deletes a file: give --yes to confirm when not at a terminal",
                f"copro remove {record_id} --yes",
            )
        if not typer.confirm(f"Remove {removal.relpath}?", default=False, err=True):
            err().print("Nothing was removed.")
            raise typer.Exit(1)
    remove_record(root, removal)
    if json_flag:
        emit_json(removal.to_json())
    hint = git_rm_hint(root, removal.relpath)
    if hint:
        err().print(f"Removed {escape(removal.relpath)} (git keeps it in history).")
        err().print(f"Stage it with: {escape(hint)}")
    else:
        never = "it was never committed, so no copy is kept"
        err().print(f"Removed {escape(removal.relpath)} ({never}).")
