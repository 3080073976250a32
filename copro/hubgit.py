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
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from copro.archive import ARCHIVE_DIR, VOCAB_DIR
from copro.errors import CoproError
from copro.problems import ERROR, Problem
from copro.records import MAX_RECORD_BYTES

FETCHED_REF = "refs/copro/fetched"
PASSED_REF = "refs/copro/passed"
MAX_ENTRIES = 200_000
MAX_VOCAB_BYTES = 1024 * 1024
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
        try:
            out = self.git(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
            )
        except GitFailed as exc:
            raise GitFailed(f"{ref} does not name a commit") from exc
        return out.decode().strip()

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
        """Every entry under archive/ and schemas/vocab/ of ``commit``."""
        out = self.git(
            "ls-tree",
            "-r",
            "-z",
            "-l",
            "--full-tree",
            commit,
            "--",
            ARCHIVE_DIR,
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


def unsafe_path(path: str) -> str | None:
    """Why a path from a member's tree must not be written, or None."""
    if "\\" in path or "\0" in path:
        return "a path with a backslash"
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return "a path with an empty, `.` or `..` part"
        if part.casefold() in (".git", "git~1"):
            return "a path naming .git"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "a path that is not UTF-8"
    return None


def extract(repo: MemberRepo, commit: str, dest: Path) -> list[Problem]:
    """Write archive/ and schemas/vocab/ of ``commit`` into ``dest`` (created atomically).

    Regular files are written as plain, non-executable files. A record too big
    to be read is written as an empty file of its size (the reader refuses it
    by size without reading it); a symlink becomes a dangling link the reader
    reports and never follows; a submodule is reported as not a record.
    """
    problems: list[Problem] = []
    if dest.is_dir():
        return problems
    entries = repo.list_tree(commit)
    if not any(e.path.startswith(ARCHIVE_DIR + "/") for e in entries):
        raise GitFailed(
            f"commit {commit[:10]} has no {ARCHIVE_DIR}/ folder: it is not a copro archive"
        )
    wanted = [e.sha for e in entries if e.kind == "blob" and e.mode != "120000" and _fits(e)]
    blobs = repo.read_blobs(wanted)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    tmp.mkdir(parents=True)
    try:
        for entry in entries:
            why = unsafe_path(entry.path)
            if why:
                problems.append(
                    Problem("(tree)", 1, ERROR, "file-not-a-record", f"{why} was left out")
                )
                continue
            target = tmp / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.kind == "commit":
                problems.append(
                    Problem(
                        entry.path,
                        1,
                        ERROR,
                        "file-not-a-record",
                        "a git submodule is not a record (copro never fetches submodules)",
                    )
                )
            elif entry.mode == "120000":
                os.symlink("copro-refused-symlink", target)
            elif entry.sha in blobs:
                target.write_bytes(blobs[entry.sha])
            else:
                with open(target, "wb") as handle:
                    handle.truncate(entry.size)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return problems


def _fits(entry: TreeEntry) -> bool:
    limit = MAX_RECORD_BYTES if entry.path.startswith(ARCHIVE_DIR + "/") else MAX_VOCAB_BYTES
    return entry.size <= limit
