"""What ``copro serve`` was started with, checked before anything listens.

Refusals here are usage errors (exit 2): a host other than 127.0.0.1 without a
token or a trusted proxy, a token or secret file that cannot be read or is too
short, and no commit author (no signed-in user can come from anywhere, no
``--author``, and git knows no user).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.errors import UsageError

LOOPBACK = "127.0.0.1"
PROXY_SECRET_HEADER = "X-Copro-Proxy-Secret"
MIN_SECRET = 16
"""Characters a token or proxy secret must have at least (a guessable one protects nothing)."""
_AUTHOR = re.compile(r"^[^<>\n]+ <[^<>\n]*>$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")


@dataclass(frozen=True)
class ServeConfig:
    root: Path
    host: str = LOOPBACK
    port: int = 8000
    author: str | None = None
    """``Name <email>``: --author, else git's configured user (None behind a trusted proxy)."""
    push: str | None = None
    token: str | None = None
    trust_header: str | None = None
    proxy_secret: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    """Signs the CSRF tokens of this process (a restart makes old forms ask again)."""

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def start_link(self) -> str:
        """The address printed at start-up: it carries the token once, when there is one."""
        return f"{self.url}?token={self.token}" if self.token else self.url


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_secret(path: Path, option: str) -> str:
    """The first line of a token or secret file (never echoed anywhere)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"cannot read {option} {path}: {reason}") from None
    value = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(value) < MIN_SECRET:
        raise UsageError(
            f"{option} {path} must hold a secret of at least {MIN_SECRET} characters",
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > FILE",
        )
    return value


def git_user(root: Path) -> str | None:
    """git's configured ``user.name <user.email>`` for ``root``, or None."""
    values = []
    for key in ("user.name", "user.email"):
        try:
            done = subprocess.run(
                ["git", "-C", str(root), "config", key], capture_output=True, text=True, check=False
            )
        except OSError:
            return None
        values.append(done.stdout.strip() if done.returncode == 0 else "")
    name, email = values
    return f"{name} <{email}>" if name else None


def check_author(author: str) -> str:
    author = " ".join(author.split())
    if not _AUTHOR.fullmatch(author):
        raise UsageError(
            "--author must be written as: Name <email>",
            'e.g. --author "Sam Okoro <sam@example.org>"',
        )
    return author


def prepare(
    root: Path,
    *,
    host: str = LOOPBACK,
    port: int = 8000,
    author: str | None = None,
    push: str | None = None,
    token_file: Path | None = None,
    trust_header: str | None = None,
    proxy_secret_file: Path | None = None,
    allowed_hosts: tuple[str, ...] = (),
) -> ServeConfig:
    """Check every start-up rule of the contract and return the configuration."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}")
    if bool(trust_header) != bool(proxy_secret_file):
        raise UsageError(
            "--trust-header and --proxy-secret-file go together",
            "the proxy names the signed-in user in the header and proves itself with the secret",
        )
    if trust_header and not _HEADER_NAME.fullmatch(trust_header):
        raise UsageError("--trust-header must be a header name such as X-Remote-User")
    token = read_secret(token_file, "--token-file") if token_file else None
    proxy_secret = (
        read_secret(proxy_secret_file, "--proxy-secret-file") if proxy_secret_file else None
    )
    if not is_loopback(host) and not token and not trust_header:
        raise UsageError(
            f"copro serve listens on {host} only with a token or behind a trusted proxy",
            "give --token-file PATH, or --trust-header NAME --proxy-secret-file PATH; "
            f"without them it serves {LOOPBACK} only",
        )
    from copro.core.gitrepo import is_repository

    if not is_repository(Path(root)):
        raise UsageError(
            f"{root} is not a git repository: copro serve commits every change",
            "run `git init` there (copro init makes one), then start copro serve again",
        )
    who = check_author(author) if author else git_user(root)
    if who is None and not trust_header:
        raise UsageError(
            "copro serve needs an author for its commits",
            'give --author "Name <email>", or set git config user.name and user.email',
        )
    return ServeConfig(
        root=Path(root).resolve(),
        host=host,
        port=port,
        author=who,
        push=push,
        token=token,
        trust_header=trust_header,
        proxy_secret=proxy_secret,
        allowed_hosts=tuple(h.lower() for h in allowed_hosts),
    )
