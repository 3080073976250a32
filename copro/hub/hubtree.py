"""A member's files as the hub reads them: written from git objects by copro, never checked out.

Each member has one folder in the cache holding ``archive/`` and
``schemas/vocab/`` of the commit the hub reads (the commit is recorded beside
it). A new commit is first staged in a folder of its own: files that did not
change are hard links to the current ones (same inode and mtime, so the record
cache and the search index see them as unchanged), changed files are written
fresh. Only a commit that passes replaces the current folder (two renames), so
a failing commit never disturbs what the hub reads.

A checkout is what runs hooks, filters and LFS smudging, so there is none:
blobs are read with ``git cat-file --batch`` and written here, as plain
non-executable files, refusing any path that could step outside the folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.paths import ARCHIVE_DIR, CONSENSUS_DIR
from copro.core.problems import ERROR, Problem
from copro.core.records import MAX_RECORD_BYTES
from copro.hub.hubgit import GitFailed, MemberRepo, TreeEntry

MAX_VOCAB_BYTES = 1024 * 1024
SYMLINK_TARGET = "copro-refused-symlink"
"""What a member's symlink becomes: a dangling link the reader reports and never follows."""


@dataclass
class Staged:
    """A commit's files, ready to be checked; ``changed`` and ``removed`` are relative paths.

    ``full`` is True when every file was written (no earlier folder to start from).
    """

    folder: Path
    commit: str
    base: str | None
    full: bool
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


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


class MemberFiles:
    """The folder the hub reads for one member, and the commits staged beside it."""

    def __init__(self, base: Path, name: str) -> None:
        self.base = base
        self.current = base / name
        self.marker = base / "current.commit"

    def commit(self) -> str | None:
        """The commit the current folder holds (None when missing or half-written)."""
        try:
            commit = self.marker.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return commit if len(commit) == 40 and self.current.is_dir() else None

    def staging(self, commit: str) -> Path:
        return self.base / f"staging-{commit}"

    def stage(self, repo: MemberRepo, commit: str) -> Staged:
        """Write ``commit``'s files into a staging folder, starting from the current folder."""
        base = self.commit()
        if base == commit:
            return Staged(self.current, commit, base, full=True)
        folder = self.staging(commit)
        shutil.rmtree(folder, ignore_errors=True)
        tmp = self.base / f".staging-{secrets.token_hex(4)}.tmp"
        try:
            if base is not None and repo.has_commit(base):
                staged = Staged(folder, commit, base, full=False)
                _link_copy(self.current, tmp)
                _apply(repo, repo.diff(base, commit), tmp, staged)
            else:
                staged = Staged(folder, commit, None, full=True)
                tmp.mkdir(parents=True)
                entries = repo.list_tree(commit)
                if not any(e.path.startswith(ARCHIVE_DIR + "/") for e in entries):
                    raise GitFailed(
                        f"commit {commit[:10]} has no {ARCHIVE_DIR}/ folder: "
                        "it is not a copro archive"
                    )
                _apply(repo, entries, tmp, staged)
            if not (tmp / ARCHIVE_DIR).is_dir():
                raise GitFailed(
                    f"commit {commit[:10]} has no {ARCHIVE_DIR}/ folder: it is not a copro archive"
                )
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return staged

    def promote(self, staged: Staged) -> None:
        """Make ``staged`` the folder the hub reads (unchanged files keep their inodes)."""
        if staged.folder == self.current:
            self._mark(staged.commit)
            return
        self.marker.unlink(missing_ok=True)  # a crash in between is seen as "no folder"
        old = self.base / f".old-{secrets.token_hex(4)}"
        if self.current.exists():
            os.replace(self.current, old)
        os.replace(staged.folder, self.current)
        self._mark(staged.commit)
        shutil.rmtree(old, ignore_errors=True)
        from copro.core.paths import cache_dir

        shutil.rmtree(cache_dir(staged.folder), ignore_errors=True)  # what the gate cached

    def ensure(self, repo: MemberRepo, commit: str) -> Path:
        """The current folder, brought to ``commit`` when it holds another one."""
        if self.commit() != commit:
            self.promote(self.stage(repo, commit))
        return self.current

    def tidy(self) -> None:
        """Drop staging folders left over, and what the gate cached for them (the current
        folder stays)."""
        from copro.core.paths import cache_dir

        for entry in os.scandir(self.base):
            if entry.name.startswith(("staging-", ".staging-", ".old-")):
                shutil.rmtree(cache_dir(Path(entry.path)), ignore_errors=True)
                shutil.rmtree(entry.path, ignore_errors=True)

    def _mark(self, commit: str) -> None:
        tmp = self.marker.with_name(f".{self.marker.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(commit + "\n", encoding="ascii")
        os.replace(tmp, self.marker)


def _link_copy(source: Path, dest: Path) -> None:
    """A copy of ``source`` whose files are hard links (copro never writes into them)."""
    for folder, dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        target = dest / rel if rel != "." else dest
        target.mkdir(parents=True, exist_ok=True)
        for name in dirs:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.symlink(SYMLINK_TARGET, target / name)
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.symlink(SYMLINK_TARGET, target / name)
            else:
                os.link(path, target / name)


def _fits(entry: TreeEntry, size: int) -> bool:
    limit = (
        MAX_RECORD_BYTES
        if entry.path.startswith((ARCHIVE_DIR + "/", CONSENSUS_DIR + "/"))
        else MAX_VOCAB_BYTES
    )
    return size <= limit


def _apply(repo: MemberRepo, entries: list[TreeEntry], folder: Path, staged: Staged) -> None:
    """Write (or remove) ``entries`` in ``folder``; every new file gets a new inode."""
    for entry in entries:
        if entry.kind == "removed" and not unsafe_path(entry.path):
            _remove(folder / entry.path)
            staged.removed.append(entry.path)
    writable = [e for e in entries if e.kind != "removed"]
    blobs_wanted = [e.sha for e in writable if e.kind == "blob" and e.mode != "120000"]
    sizes = repo.sizes(blobs_wanted) if any(e.size < 0 for e in writable) else {}
    size_of = {e.sha: (e.size if e.size >= 0 else sizes.get(e.sha, 0)) for e in writable}
    fitting = {
        e.sha
        for e in writable
        if e.kind == "blob" and e.mode != "120000" and _fits(e, size_of[e.sha])
    }
    blobs = repo.read_blobs([s for s in blobs_wanted if s in fitting])
    for entry in writable:
        why = unsafe_path(entry.path)
        if why:
            staged.problems.append(
                Problem("(tree)", 1, ERROR, "file-not-a-record", f"{why} was left out")
            )
            continue
        target = folder / entry.path
        _remove(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind == "commit":
            staged.problems.append(
                Problem(
                    entry.path,
                    1,
                    ERROR,
                    "file-not-a-record",
                    "a git submodule is not a record (copro never fetches submodules)",
                )
            )
            continue
        if entry.mode == "120000":
            os.symlink(SYMLINK_TARGET, target)
        elif entry.sha in blobs:
            target.write_bytes(blobs[entry.sha])
        else:  # too big to be read: its size is all the reader needs to refuse it
            with open(target, "wb") as handle:
                handle.truncate(size_of.get(entry.sha, 0))
        staged.changed.append(entry.path)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
