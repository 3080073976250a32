"""What every request passes before the application sees it.

In order: a path with a NUL or a ``..`` segment is refused (400); ``/healthz``
answers for load balancers; the ``Host`` header must be the served one or one
of ``--allowed-host`` (DNS rebinding); then who is asking: behind a trusted
proxy the secret header must match and the user header names the author; with
a token, the start-up link's ``?token=`` is swapped for an HttpOnly
SameSite=Strict cookie once. Every answer carries the site's CSP and is logged
as method, path (never the query string, never form values), status and time.
"""

from __future__ import annotations

import hmac
import logging
import sys
import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from copro.site.render import CSP
from copro.web.config import PROXY_SECRET_HEADER, ServeConfig

TOKEN_COOKIE = "copro_token"
MAX_BODY = 21 * 1024 * 1024
"""The largest request body: a 20 MB workbook (``copro import``'s limit) and its form."""
SECURITY_HEADERS = [
    (b"content-security-policy", f"{CSP}; frame-ancestors 'none'".encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
log = logging.getLogger("copro.serve.access")

Scope = dict[str, Any]


def access_logger() -> logging.Logger:
    """One line per request on stderr: never a query string or a form value."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def cookies_of(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie is no cookie
                continue
    return {name: morsel.value for name, morsel in jar.items()}


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key == wanted:
            return str(value.decode("latin-1"))
    return None


def page(status: int, title: str, text: str) -> tuple[int, bytes]:
    body = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main>"
        "</body></html>"
    )
    return status, body.encode()


def bad_path(scope: Scope) -> bool:
    raw = scope.get("raw_path") or b""
    path = scope.get("path", "")
    lowered = raw.lower()
    if b"\x00" in raw or b"%00" in lowered or "\x00" in path:
        return True
    segments = path.split("/")
    return ".." in segments or "." in segments or b"%2e%2e" in lowered or b"%2f" in lowered


class Guard:
    """ASGI middleware: the checks above, the security headers and the access log."""

    def __init__(self, app: Any, config: ServeConfig) -> None:
        self.app = app
        self.config = config
        self.hosts = self._hosts(config)
        self.log = access_logger()

    @staticmethod
    def _hosts(config: ServeConfig) -> set[str]:
        port = config.port
        names = {config.host.lower()}
        if config.host in ("127.0.0.1", "localhost"):
            names |= {"127.0.0.1", "localhost"}
        allowed = set()
        for name in names | set(config.allowed_hosts):
            allowed |= {name, f"{name}:{port}"} if ":" not in name else {name}
        return allowed

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                present = {k for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            refused = self.check(scope)
            if refused is not None:
                await self.answer(send_with_headers, *refused)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            took = (time.perf_counter() - started) * 1000
            path = scope.get("path", "")
            shown = path if not bad_path(scope) else "(refused path)"
            self.log.info("%s %s %s %.0fms", scope.get("method"), shown, status[0], took)

    async def answer(
        self, send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        start_headers = [(b"content-type", b"text/html; charset=utf-8")]
        start_headers.append((b"content-length", str(len(body)).encode()))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": start_headers + (headers or []),
            }
        )
        await send({"type": "http.response.body", "body": body})

    def check(self, scope: Scope) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
        """None to go on, or the refusal to send (status, body, extra headers)."""
        if bad_path(scope):
            return (*page(400, "Bad request", "This address cannot be served."), [])
        if scope.get("path") == "/healthz":
            return None
        length = header(scope, "content-length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            return (*page(413, "Too large", "Uploads are limited to 20 MB."), [])
        host = (header(scope, "host") or "").lower()
        if host not in self.hosts:
            return (*page(400, "Unknown host", "This server does not answer for that name."), [])
        state = scope.setdefault("state", {})
        config = self.config
        if config.trust_header:
            secret = header(scope, PROXY_SECRET_HEADER) or ""
            if not hmac.compare_digest(secret.encode(), (config.proxy_secret or "").encode()):
                return (*page(403, "Forbidden", "Requests must come through the proxy."), [])
            user = " ".join((header(scope, config.trust_header) or "").split())
            if not user:
                return (*page(401, "Sign in", "The proxy did not name a signed-in user."), [])
            state["user"] = user
        if config.token:
            return self.check_token(scope, config.token)
        return None

    def check_token(
        self, scope: Scope, token: str
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (query.get("token") or [""])[0]
        if given and hmac.compare_digest(given.encode(), token.encode()):
            cookie = (f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/").encode()
            where = scope.get("path", "/").encode()
            return 303, b"", [(b"set-cookie", cookie), (b"location", where)]
        held = cookies_of(scope).get(TOKEN_COOKIE, "")
        if held and hmac.compare_digest(held.encode(), token.encode()):
            return None
        return (
            *page(401, "Open the link copro serve printed",
                  "This server needs the link printed when copro serve started (it carries "
                  "a token once); ask the person who started it."),
            [],
        )  # fmt: skip
