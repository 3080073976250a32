"""``copro serve``: the archive in a browser, with forms to write; the web stack loads here only."""

from pathlib import Path
from typing import Annotated

import typer

from copro.cli.app import app, archive_of
from copro.cli.output import err, escape, handle_errors


@app.command()
@handle_errors
def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on (any other than 127.0.0.1 needs "
            "--token-file or --trust-header).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0 picks a free one).")] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the start page in the web browser.")
    ] = False,
    author: Annotated[
        str | None,
        typer.Option("--author", help='Commit author, "Name <email>" (default: git\'s user).'),
    ] = None,
    push: Annotated[
        str | None, typer.Option("--push", help="Push to REMOTE after each commit.")
    ] = None,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            help="File holding the access token (the start-up link carries it once).",
            dir_okay=False,
        ),
    ] = None,
    trust_header: Annotated[
        str | None,
        typer.Option(
            "--trust-header", help="Header in which a reverse proxy names the signed-in user."
        ),
    ] = None,
    proxy_secret_file: Annotated[
        Path | None,
        typer.Option(
            "--proxy-secret-file",
            help="File holding the secret the proxy sends in X-Copro-Proxy-Secret.",
            dir_okay=False,
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host", help="Another Host name to answer (behind a proxy; repeatable)."
        ),
    ] = None,
) -> None:
    """Serve the archive in a browser: read it, and record engagements with forms."""
    from copro.web.config import prepare

    config = prepare(
        archive_of(ctx).root,
        host=host,
        port=port,
        author=author,
        push=push,
        token_file=token_file,
        trust_header=trust_header,
        proxy_secret_file=proxy_secret_file,
        allowed_hosts=tuple(allowed_host or ()),
    )
    from copro.web.server import run

    def started(link: str) -> None:
        err().print(f"Serving {escape(link)} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(link)

    run(config, started)
