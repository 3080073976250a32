"""One git commit per write, of exactly the files it wrote, by the person who made it.

``git commit --only -- PATHS`` records those paths as they are on disk and
nothing else, so whatever else someone has staged in the same repository stays
staged and out of the commit. The author is the signed-in user, else
``--author``, else git's own user; the committer is git's user when it has one
(else the author too). A failed push is reported, never undone: the commit stays.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import CoproError

_AUTHOR = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>$")


@dataclass(frozen=True)
class Committed:
    commit: str
    push_problem: str | None = None


def split_author(author: str) -> tuple[str, str]:
    """``Name <email>`` -> (name, email); a bare user name (from a proxy) has no e-mail."""
    found = _AUTHOR.fullmatch(author.strip())
    if found and found["name"]:
        return found["name"], found["email"]
    return author.strip(), ""


def _git(root: Path, args: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    except OSError as exc:
        raise CoproError(f"git could not run: {exc.strerror}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise CoproError(f"git: {first}")
    return done.stdout


def commit_files(root: Path, paths: list[str], message: str, author: str) -> str:
    """Commit ``paths`` (relative to ``root``, added, changed or deleted); returns the hash."""
    name, email = split_author(author)
    env = dict(os.environ)
    env.update({"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email})
    if not _has_git_user(root):
        env.update({"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email})
    present = [p for p in paths if (root / p).exists()]
    if present:
        _git(root, ["add", "--", *present])
    _git(root, ["commit", "--quiet", "--no-verify", "-m", message, "--only", "--", *paths], env)
    return _git(root, ["rev-parse", "HEAD"]).strip()


def _has_git_user(root: Path) -> bool:
    try:
        return bool(_git(root, ["config", "user.name"]).strip())
    except CoproError:
        return False


def push(root: Path, remote: str) -> str | None:
    """Push the current branch to ``remote``; the problem in git's words, or None."""
    try:
        _git(root, ["push", "--quiet", remote, "HEAD"])
    except CoproError as exc:
        return exc.message
    return None
