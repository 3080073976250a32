"""A real ``copro serve`` for tests: uvicorn on 127.0.0.1 (a free port), in a thread,
and a small HTTP client that keeps cookies and reads forms' CSRF tokens.

The client speaks plain HTTP through ``http.client`` so a test can send any
Host header and see redirects as they are (303, not followed).
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUTHOR = "Amina Test <amina@example.invalid>"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.body)
        assert found, "the page has no csrf field"
        return found.group(1)

    @property
    def version(self) -> str:
        found = _VERSION.search(self.body)
        assert found, "the page has no version field"
        return found.group(1)


@dataclass
class Client:
    """One browser's worth of HTTP: its own cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    host: str | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": self.host or f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in sent.items():
            connection.putheader(key, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        connection.close()
        return answer

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, fields: list[tuple[str, str]], **kw: Any) -> Answer:
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
        return self.request("POST", path, body, headers=headers, **kw)

    def submit(self, path: str, fields: list[tuple[str, str]], **kw: Any) -> Answer:
        """GET the form (for its CSRF token and version), then POST ``fields`` to it."""
        form = self.get(path)
        assert form.status == 200, (form.status, form.body[:500])
        sent = [("csrf", form.csrf), *fields]
        if 'name="version"' in form.body and not any(k == "version" for k, _ in fields):
            sent.append(("version", form.version))
        return self.post(path, sent, **kw)


@dataclass
class Running:
    url: str
    port: int
    config: Any
    app: Any

    def client(self) -> Client:
        return Client(self.port)


@contextmanager
def serving(root: Path, search: bool = False, **options: Any) -> Iterator[Running]:
    """``copro serve`` on ``root`` in this process, until the block ends (``search``
    builds the site's search index in the background, as ``copro serve`` does)."""
    from copro.web.config import prepare
    from copro.web.server import make_server

    options.setdefault("author", AUTHOR)
    config = prepare(root, port=0, **options)
    server, sock, config = make_server(config, search=search)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "copro serve did not start"
        time.sleep(0.02)
    guard = server.config.app
    app = guard.app.state.copro
    try:
        yield Running(config.url, config.port, config, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def commits(root: Path) -> list[tuple[str, str, list[str]]]:
    """(author, subject, files) of every commit, newest first."""
    import subprocess

    out = subprocess.run(
        ["git", "-C", str(root), "log", "--format=@@%an <%ae>%x09%s", "--name-only"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = []
    for block in out.split("@@")[1:]:
        head, *names = [line for line in block.splitlines() if line.strip()]
        author, _, subject = head.partition("\t")
        found.append((author, subject, names))
    return found
