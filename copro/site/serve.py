"""Serve a built site on 127.0.0.1 only: Pagefind's search cannot run from ``file://``."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from copro.core.errors import CoproError, UsageError

HOST = "127.0.0.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files, no request log, no caching (a rebuilt site shows at once)."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()


def make_server(folder: Path, port: int) -> ThreadingHTTPServer:
    """A server for ``folder`` bound to 127.0.0.1 (port 0 picks a free port)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}")
    handler = functools.partial(QuietHandler, directory=str(folder))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise CoproError(
            f"cannot serve on {HOST}:{port}: {exc.strerror}", "choose another port with --port N"
        ) from None


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"
