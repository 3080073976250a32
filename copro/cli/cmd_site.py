"""``copro site``: build the static web site, and optionally serve it on 127.0.0.1."""

from pathlib import Path
from typing import Annotated

import typer

from copro.cli.app import app, archive_of
from copro.cli.output import JsonFlag, emit_json, err, escape, handle_errors, hanging, progress_bar
from copro.cli.selection import Chosen, selection_options


@app.command()
@handle_errors
@selection_options("member", "include_withdrawn")
def site(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write (default: site/ under the root). Replaced whole, but only "
            "if it is empty or an earlier copro site.",
            file_okay=False,
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve it at http://127.0.0.1:PORT/ until Ctrl-C.")
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve.", min=0, max=65535)] = 8000,
    selection: Chosen = None,
    json_flag: JsonFlag = False,
) -> None:
    """A static, searchable web site of the archive, for people who never open a terminal."""
    from copro.site import build_site

    with progress_bar("Writing pages", enabled=not json_flag) as update:
        result = build_site(archive_of(ctx), output, progress=update, **(selection or {}))
    if json_flag:
        emit_json(result.to_json())
    else:
        engagements = "1 engagement" if result.records == 1 else f"{result.records} engagements"
        err().print(
            f"Wrote {result.pages} pages ({engagements}, {result.indexed} "
            f"searchable) to {escape(str(result.output))}"
        )
        for message, hint in result.warnings:
            hanging("[yellow]warning:[/yellow] ", message, console=err())
            hanging("  ", hint, style="dim", console=err())
    if not serve:
        if not json_flag:
            err().print("Search needs a web server: run `copro site --serve` to try it here.")
        return
    from copro.site.serve import make_server, url_of

    server = make_server(result.output, port)
    err().print(f"Serving {escape(url_of(server))} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err().print("Stopped.")
    finally:
        server.server_close()
