"""Peer for ``copro --help``: a bare Typer app with the same commands and no work."""

from typing import Annotated

import typer

app = typer.Typer(name="copro", no_args_is_help=True, add_completion=True, rich_markup_mode=None)


@app.callback()
def main(root: Annotated[str | None, typer.Option("--root")] = None) -> None:
    """A searchable, git-versioned co-production hub."""


for name in (
    "validate",
    "index",
    "search",
    "show",
    "new",
    "report",
    "history",
    "review",
    "init",
    "export",
    "stats",
):

    def command() -> None:
        """A command."""

    app.command(name)(command)

if __name__ == "__main__":
    app()
