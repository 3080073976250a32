"""Serve a built site on 127.0.0.1 only: Pagefind's search cannot run from ``file://``.

Only the site's files are served: no folder listings (404), nothing whose
path has a part starting with ``.`` (copro's marker file), and a path that
does not decode to text without control characters (``/%00``, ``/%ff``) is
answered 400, never with a traceback.
"""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from copro.core.errors import CoproError, UsageError
from copro.site.pages import moved_term_path

HOST = "127.0.0.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files, no request log, no caching (a rebuilt site shows at once)."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    def send_head(self) -> Any:
        """Refuse malformed and hidden paths before the base class touches the disk."""
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")
        except UnicodeDecodeError:
            path = "\x00"
        if any(ord(char) < 32 or ord(char) == 127 for char in path):
            self.send_error(400, "Malformed path")
            return None
        if any(part.startswith(".") for part in path.split("/")):
            self.send_error(404, "File not found")
            return None
        moved = moved_term_path(path)
        if moved is not None:  # a member's term page at its address before the slug
            self.send_response(301)
            self.send_header("Location", "/" + quote(moved))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()

    def list_directory(self, path: Any) -> None:
        """No folder listings: a folder without index.html is not a page."""
        self.send_error(404, "File not found")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()


class SiteServer(ThreadingHTTPServer):
    """A threading server that reports a failed request in one line, not a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away: nothing to say
        sys.stderr.write(f"copro: a request could not be answered ({type(error).__name__})\n")


def make_server(folder: Path, port: int) -> ThreadingHTTPServer:
    """A server for ``folder`` bound to 127.0.0.1 (port 0 picks a free port)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}")
    handler = functools.partial(QuietHandler, directory=str(folder))
    try:
        return SiteServer((HOST, port), handler)
    except OSError as exc:
        raise CoproError(
            f"cannot serve on {HOST}:{port}: {exc.strerror}", "choose another port with --port N"
        ) from None


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"
