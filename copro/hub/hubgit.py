"""Fetching hub members with git, and reading their files, without running anything of theirs.

Each member gets a bare repository in the user cache. git is run with explicit
arguments (never a shell), ``--end-of-options`` before anything a hub.yml
supplied, hooks pointed at an empty folder, no submodules and no ``ext``
transport. Files are never checked out (a checkout is what runs hooks, filters
and LFS smudging): the tree is listed with ``git ls-tree`` and the blobs are
read with ``git cat-file --batch`` and written into a cache folder by copro
itself, refusing any path that could step outside it. Whether the ``file``
protocol is allowed is left to the user's own git configuration.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.paths import ARCHIVE_DIR, CONSENSUS_DIR, VOCAB_DIR

FETCHED_REF = "refs/copro/fetched"
PASSED_REF = "refs/copro/passed"
MAX_ENTRIES = 200_000
_LOCATING = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
    "GIT_REPLACE_REF_BASE",
)
"""Variables that would point git at another repository than the member's cache."""


class GitFailed(CoproError):
    """git could not do what was asked; the message is git's own first line."""


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str
    sha: str
    size: int
    path: str


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LOCATING}
    env["GIT_TERMINAL_PROMPT"] = "0"  # a password prompt would hang a sync in CI
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env.setdefault("LC_ALL", "C")
    return env


class MemberRepo:
    """The bare repository in the cache that holds what was fetched of one member."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.no_hooks = folder.parent / "no-hooks"

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run git in the bare repository with every way of running member code switched off."""
        argv = [
            "git",
            "-c",
            f"core.hooksPath={self.no_hooks}",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "submodule.recurse=false",
            "-c",
            "fetch.recurseSubmodules=false",
            "-c",
            "protocol.ext.allow=never",
            "-c",
            "fetch.fsckObjects=true",
            "-c",
            "gc.auto=0",
            "-c",
            "maintenance.auto=false",
            "--git-dir",
            str(self.folder),
            *args,
        ]
        try:
            done = subprocess.run(
                argv, input=stdin, capture_output=True, check=False, env=_env(), cwd=self.folder
            )
        except FileNotFoundError as exc:
            raise CoproError("git is not installed", "install git to use a hub") from exc
        if done.returncode != 0:
            text = done.stderr.decode("utf-8", "replace").strip().splitlines()
            said = [line for line in text if line.startswith(("fatal: ", "error: "))] or text
            first = said[0].removeprefix("fatal: ").removeprefix("error: ") if said else ""
            raise GitFailed(first or f"git {args[0]} failed")
        return done.stdout

    def ensure(self) -> None:
        """Create the bare repository (and the empty hooks folder) when missing."""
        self.no_hooks.mkdir(parents=True, exist_ok=True)
        if (self.folder / "HEAD").is_file():
            return
        tmp = self.folder.with_name(f".{self.folder.name}.{secrets.token_hex(4)}.tmp")
        try:
            subprocess.run(
                ["git", "init", "--bare", "--quiet", "--template=", "--", str(tmp)],
                capture_output=True,
                check=True,
                env=_env(),
            )
            os.replace(tmp, self.folder)
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise CoproError(f"cannot create the member cache {self.folder}: {exc}") from None

    def fetch(self, location: str, rev: str) -> str:
        """Fetch ``rev`` of ``location`` (only that commit) and return its full commit hash."""
        if len(rev) == 40 and self.has_commit(rev):
            return rev  # a commit never changes: nothing to fetch
        self.git(
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--no-recurse-submodules",
            "--depth=1",
            "--end-of-options",
            location,
            f"+{rev}:{FETCHED_REF}",
        )
        return self.resolve(FETCHED_REF)

    def resolve(self, ref: str) -> str:
        if ref == PASSED_REF:  # only ever set to a commit (a fetched tag must be peeled)
            written = self._loose_ref(ref)
            if written is not None:
                return written
        try:
            out = self.git(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
            )
        except GitFailed as exc:
            raise GitFailed(f"{ref} does not name a commit") from exc
        return out.decode().strip()

    def _loose_ref(self, ref: str) -> str | None:
        """The commit id a ref of copro's own holds, read from its file (no git process for
        each member of a sync); None when it is not a plain file holding a full id (packed,
        say), so git answers instead."""
        try:
            text = (self.folder / ref).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if re.fullmatch(r"[0-9a-f]{40}", text) else None

    def has_commit(self, commit: str) -> bool:
        try:
            self.git("cat-file", "-e", f"{commit}^{{commit}}")
        except GitFailed:
            return False
        return True

    def mark(self, ref: str, commit: str) -> None:
        """Keep ``commit`` reachable from a ref of copro's own (gc never drops it)."""
        self.git("update-ref", "--no-deref", ref, commit)

    def list_tree(self, commit: str) -> list[TreeEntry]:
        """Every entry under archive/, consensus/ and schemas/vocab/ of ``commit``."""
        out = self.git(
            "ls-tree",
            "-r",
            "-z",
            "-l",
            "--full-tree",
            commit,
            "--",
            ARCHIVE_DIR,
            CONSENSUS_DIR,
            VOCAB_DIR.as_posix(),
        )
        entries = []
        for item in out.split(b"\0"):
            if not item:
                continue
            head, _, raw_path = item.partition(b"\t")
            mode, kind, sha, size = head.decode().split(maxsplit=3)
            path = raw_path.decode("utf-8", "surrogateescape")
            entries.append(TreeEntry(mode, kind, sha, int(size) if size.isdigit() else 0, path))
            if len(entries) > MAX_ENTRIES:
                raise GitFailed(f"more than {MAX_ENTRIES} files under archive/")
        return entries

    def diff(self, old: str, new: str) -> list[TreeEntry]:
        """Entries under archive/, consensus/ and schemas/vocab/ that differ, ``old`` to ``new``.

        A removed path comes back with kind ``removed``; an added or changed
        one as it is in ``new``.
        """
        out = self.git(
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--raw",
            old,
            new,
            "--",
            ARCHIVE_DIR,
            CONSENSUS_DIR,
            VOCAB_DIR.as_posix(),
        )
        fields = out.split(b"\0")
        entries = []
        for head, raw_path in zip(fields[0::2], fields[1::2], strict=False):
            if not head.startswith(b":"):
                continue
            _, mode, _, sha, status = head[1:].decode().split()
            path = raw_path.decode("utf-8", "surrogateescape")
            if status == "D":
                entries.append(TreeEntry("", "removed", "", 0, path))
            else:
                kind = {"160000": "commit", "040000": "tree"}.get(mode, "blob")
                entries.append(TreeEntry(mode, kind, sha, -1, path))
        return entries

    def sizes(self, shas: list[str]) -> dict[str, int]:
        """Blob sizes, in one ``git cat-file --batch-check`` run."""
        if not shas:
            return {}
        unique = list(dict.fromkeys(shas))
        wanted = "".join(f"{s}\n" for s in unique).encode()
        out = self.git("cat-file", "--batch-check", stdin=wanted)
        sizes = {}
        for line in out.decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                sizes[parts[0]] = int(parts[2])
        return sizes

    def read_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """The content of each blob, in one ``git cat-file --batch`` run (never filtered)."""
        if not shas:
            return {}
        unique = list(dict.fromkeys(shas))
        out = self.git("cat-file", "--batch", stdin="".join(f"{s}\n" for s in unique).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in unique:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode().split()
            if len(header) != 3 or header[0] != sha:
                raise GitFailed(f"cannot read object {sha}")
            size = int(header[2])
            blobs[sha] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return blobs
