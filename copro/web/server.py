"""uvicorn around the application: bind first (port 0 picks a free port), then serve.

Binding before building the application means the Host check knows the real
port, and a port already in use is said before the archive is read. uvicorn's
own access log is off: ``guard`` logs each request without its query string.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from typing import Any

from copro.core.errors import CoproError
from copro.web.config import ServeConfig


def bind(config: ServeConfig) -> tuple[socket.socket, ServeConfig]:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise CoproError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror}",
            "choose another port with --port N (0 picks a free one)",
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock, dataclasses.replace(config, port=sock.getsockname()[1])


def make_server(
    config: ServeConfig, *, watch: bool = True, search: bool = True
) -> tuple[Any, socket.socket, ServeConfig]:
    """(uvicorn server, bound socket, configuration with the real port)."""
    import uvicorn

    from copro.web.app import create_app

    sock, config = bind(config)
    try:
        application = create_app(config, watch=watch, search=search)
    except BaseException:
        sock.close()
        raise
    settings = uvicorn.Config(
        application,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        lifespan="on",
    )
    return uvicorn.Server(settings), sock, config


def run(config: ServeConfig, started: Callable[[str], None]) -> None:
    server, sock, config = make_server(config)
    started(config.start_link)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
