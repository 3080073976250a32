"""The Typer app, its global ``--root`` option, and the registration of every command.

No ``from __future__ import annotations`` in the command modules: Typer would have to
``eval`` every string annotation at start-up (about 10 ms for copro's options).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from copro.cli.grouphelp import WrappedHelpGroup
from copro.cli.voice import CoproGroup
from copro.core.version import VERSION

if TYPE_CHECKING:
    from copro.store.archive import Archive

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
        typer.echo(f"copro {VERSION} (PyYAML {yaml.__version__} {libyaml})")
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


def command_group(name: str, help_text: str) -> typer.Typer:
    """A group of commands under ``copro NAME`` (``copro add finding``): its help lists
    its commands as ``copro --help`` does."""
    group = typer.Typer(help=help_text, no_args_is_help=True, cls=WrappedHelpGroup)
    app.add_typer(group, name=name)
    return group


def archive_of(ctx: typer.Context) -> "Archive":
    """The one Archive of this invocation, its root resolved once (``--root``, else
    ``$COPRO_ROOT``, else the folder above; a usage error says how it is found)."""
    from copro.store.archive import Archive

    obj = ctx.find_root().ensure_object(dict)
    if "archive" not in obj:
        obj["archive"] = Archive.open(obj.get("root"))
    archive: Archive = obj["archive"]
    return archive


def writable_archive_of(ctx: typer.Context, command: str) -> "Archive":
    """The Archive for a command that writes records: never a hub root without its own
    archive/ (writes go to the members' own archives; a usage error, exit 2, names them)."""
    from copro.hub.hubfile import refuse_hub_writes

    archive = archive_of(ctx)
    refuse_hub_writes(archive.root, command)
    return archive


COMMAND_MODULES = (
    "cmd_validate",
    "cmd_search",
    "cmd_new",
    "cmd_record",
    "cmd_remove",
    "cmd_import",
    "cmd_report",
    "cmd_findings",
    "cmd_consensus",
    "cmd_archive",
    "cmd_hub",
    "cmd_vocab",
    "cmd_site",
    "cmd_serve",
)


def register() -> None:
    """Import the command modules in the order their commands are listed in --help."""
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"copro.cli.{name}")


register()
