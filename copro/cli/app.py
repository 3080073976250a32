"""The Typer app, its global ``--root`` option, and the registration of every command.

No ``from __future__ import annotations`` in the command modules: Typer would have to
``eval`` every string annotation at start-up (about 10 ms for copro's options).
"""

from pathlib import Path
from typing import Annotated

import typer

from copro import __version__
from copro.cli.voice import CoproGroup

app = typer.Typer(
    name="copro",
    help="A searchable, git-versioned co-production hub: what people told you, "
    "who was asked, and what was done about it.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=CoproGroup,
)


def _version(value: bool) -> None:
    if value:
        import yaml

        libyaml = "with libyaml" if getattr(yaml, "__with_libyaml__", False) else "WITHOUT libyaml"
        typer.echo(f"copro {__version__} (PyYAML {yaml.__version__} {libyaml})")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Archive root (else $COPRO_ROOT, else the first folder above holding archive/).",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = {"root": root}


def root_of(ctx: typer.Context) -> Path:
    """The archive root for this invocation (raises a usage error that says how it is found)."""
    from copro.core.paths import find_root

    obj = ctx.find_root().obj or {}
    return find_root(obj.get("root"))


COMMAND_MODULES = (
    "cmd_validate",
    "cmd_search",
    "cmd_new",
    "cmd_record",
    "cmd_import",
    "cmd_report",
    "cmd_findings",
    "cmd_consensus",
    "cmd_archive",
    "cmd_hub",
    "cmd_site",
)


def register() -> None:
    """Import the command modules in the order their commands are listed in --help."""
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"copro.cli.{name}")


register()
