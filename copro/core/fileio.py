"""Writing files so that nothing is ever left half-written, and nothing is widened.

One helper, ``replace_atomic``, writes every file copro replaces (outputs, the
index manifest and pointer, caches): a temp file in the same folder, then a
rename. The replaced file's permission bits are kept, so an ``--output`` that
was 0600 (private) stays 0600; a new file gets the usual umask.

``archive_lock(root)`` is the one writer lock of an archive: every command or
web form that changes records holds it while it reads what it changes, checks
it and replaces it, so writers with different user caches still take turns.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import secrets
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import CoproError, UsageError

LOCK_NAME = "copro.lock"
"""The writer lock's name inside ``.git/``."""
ROOT_LOCK_NAME = ".copro.lock"
"""The writer lock at the root of an archive that is not a git repository's top."""


_ENCODE_CHUNK = 1 << 20


def replace_atomic(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` via a temp file and a rename; OSError on failure.

    ``durable`` fsyncs before the rename (outputs and the index); a cache that
    is cheap to rebuild skips it. The temp file never outlives a failure.
    """
    path = Path(path)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if isinstance(data, str):  # a megabyte at a time: no second copy of a large text
                for start in range(0, len(data), _ENCODE_CHUNK):
                    handle.write(data[start : start + _ENCODE_CHUNK].encode("utf-8"))
            else:
                handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: str | bytes) -> None:
    """``replace_atomic`` for outputs a person asked for: failures are a CoproError."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CoproError(f"the folder {folder} does not exist", "create it first")
    if path.is_dir():
        raise CoproError(f"cannot write {path}: it is a folder", "name a file to write")
    try:
        replace_atomic(path, data)
    except OSError as exc:
        raise CoproError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_cache_json(path: Path, document: object) -> None:
    """Best effort, for derived data in the user cache: a file that cannot be
    written only costs recomputing it next time. Written via a rename, so a
    reader never sees half a file."""
    import json

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomic(path, json.dumps(document), durable=False)


def create_new(root: Path, rel: str, data: str | bytes) -> None:
    """Create ``root/rel`` (folders included), never following a link, never replacing.

    Each folder below ``root`` is opened with O_NOFOLLOW, relative to the one
    above it, so a symlinked ``archive/2027`` cannot send the file elsewhere,
    even if it is swapped in while copro runs. The content goes to a temp file
    that is hard-linked into place (linkat fails if the name exists) and then
    removed, so a reader never sees half a file and a full disk leaves nothing.
    Raises CoproError naming the folder or file and saying nothing was written.
    """
    *folders, name = rel.split("/")
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    walked, created = "", []
    try:
        for folder in folders:
            walked = f"{walked}/{folder}" if walked else folder
            child, made = _enter(fd, folder, walked, flags)
            os.close(fd)
            fd = child
            if made:
                created.append(walked)
        _link_new(fd, name, rel, data.encode("utf-8") if isinstance(data, str) else data)
    except BaseException:
        for folder in reversed(created):  # only empty folders this call made
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(root, folder))
        raise
    finally:
        os.close(fd)


def _enter(parent: int, folder: str, shown: str, flags: int) -> tuple[int, bool]:
    """Open (creating if missing) ``folder`` inside ``parent``, never following a link."""
    made = False
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, dir_fd=parent)
            made = True
        return os.open(folder, flags, dir_fd=parent), made
    except OSError as exc:
        if exc.errno == errno.ENOTDIR and _is_link(folder, parent):
            exc.errno = errno.ELOOP
        raise _write_refused(exc, shown, folder=True) from None


def _is_link(name: str, folder_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _link_new(folder_fd: int, name: str, rel: str, data: bytes) -> None:
    tmp = f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=folder_fd
        )
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd, follow_symlinks=False)
    except FileExistsError:
        raise CoproError(f"{rel} already exists; nothing was written") from None
    except OSError as exc:
        raise _write_refused(exc, rel, folder=False) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder_fd)


def _write_refused(exc: OSError, shown: str, folder: bool) -> CoproError:
    """What went wrong, in words, for a path copro was creating."""
    if exc.errno == errno.ELOOP:
        return CoproError(
            f"{shown} is a symbolic link; copro never writes through a link "
            "(it could point outside the archive); nothing was written",
            "replace the link with a real folder",
        )
    if exc.errno == errno.ENOTDIR:
        return CoproError(
            f"{shown} is not a folder (a file has its name); nothing was written",
            "move that file out of the way",
        )
    what = "in the folder" if folder else "the file"
    return CoproError(f"cannot write {what} {shown}: {exc.strerror or exc}; nothing was written")


# ------------------------------------------------------------------ the archive's writer lock


def lock_timeout() -> float:
    """Seconds to wait for another writer: ``COPRO_LOCK_TIMEOUT``, default 60."""
    raw = os.environ.get("COPRO_LOCK_TIMEOUT", "60")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise UsageError(
            f"COPRO_LOCK_TIMEOUT={raw!r} is not a number of seconds",
            "set COPRO_LOCK_TIMEOUT to a number of seconds of 0 or more (e.g. 60), or unset it",
        )
    return value


def archive_lock_path(root: Path) -> Path:
    """Where the writer lock of the archive at ``root`` lives.

    Inside the repository's git folder when ``root`` is a repository's top
    (``.git`` a folder, or a ``gitdir:`` file as in a worktree), so it is never
    a file anyone commits; else ``.copro.lock`` at the root, which ``copro init``
    ignores in git and ``validate`` never reads (it is not under ``archive/``).
    Never a file beside the records.
    """
    dot_git = Path(root) / ".git"
    if dot_git.is_dir():
        return dot_git / LOCK_NAME
    if dot_git.is_file():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            first = dot_git.read_text(encoding="utf-8").splitlines()[0]
            if first.startswith("gitdir:"):
                git_dir = (Path(root) / first[len("gitdir:") :].strip()).resolve()
                if git_dir.is_dir():
                    return git_dir / LOCK_NAME
    return Path(root) / ROOT_LOCK_NAME


@dataclass
class _Holding:
    """This process's hold on one lock file: threads take turns on ``turn``."""

    turn: threading.RLock
    depth: int = 0
    fd: int = -1


_HOLDINGS: dict[str, _Holding] = {}
_HOLDINGS_GUARD = threading.Lock()


@contextlib.contextmanager
def archive_lock(root: Path, timeout: float | None = None) -> Iterator[Path]:
    """Hold the writer lock of the archive at ``root`` (see ``archive_lock_path``).

    One lock per archive root, shared by every user and process (an OS file
    lock, released by the kernel if the process dies) and by the threads of
    one process (a web server). Re-entrant within a thread, so a command may
    hold it around a whole read-check-write and still call helpers that take
    it. Waits ``timeout`` seconds (default ``COPRO_LOCK_TIMEOUT``, 60), then
    raises a CoproError saying nothing was written. Yields the lock's path.
    """
    path = archive_lock_path(root)
    wait = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + wait
    with _HOLDINGS_GUARD:
        holding = _HOLDINGS.setdefault(str(path), _Holding(threading.RLock()))
    if not holding.turn.acquire(timeout=wait):
        raise _lock_busy(wait)
    try:
        if holding.depth == 0:
            holding.fd = _take_file_lock(path, deadline, wait)
        holding.depth += 1
        try:
            yield path
        finally:
            holding.depth -= 1
            if holding.depth == 0:
                _let_go(holding.fd, path)
                holding.fd = -1
    finally:
        holding.turn.release()


def holds_archive_lock(root: Path) -> bool:
    """Whether this process holds the writer lock of the archive at ``root`` now.

    A scan of the archive made before the lock was taken must then be checked
    against what other writers did meanwhile (``copro.store.freshness``).
    """
    with _HOLDINGS_GUARD:
        holding = _HOLDINGS.get(str(archive_lock_path(root)))
    return holding is not None and holding.depth > 0


def _take_file_lock(path: Path, deadline: float, wait: float) -> int:
    """Open (creating if missing) and lock ``path``; the open file descriptor.

    Opened read-only: a lock needs no write access, so a lock file another
    user created (mode 0644) still serves everyone who can read the archive.
    The holder removes the file when it lets go (so no stray file stays in the
    archive), hence a lock taken on a file that is no longer at ``path`` is
    let go and taken again on the new one.
    """
    import fcntl

    flags = os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    while True:
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise CoproError(
                f"cannot open the archive's writer lock {path}: {exc.strerror or exc}; "
                "nothing was written",
                "check that you may write to the archive (and to its .git folder)",
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise _lock_busy(wait) from None
            time.sleep(0.02)
            continue
        except OSError as exc:
            os.close(fd)
            raise CoproError(
                f"cannot lock {path}: {exc.strerror or exc}; nothing was written"
            ) from None
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the holder before us removed it: lock the one there now


def _same_file(fd: int, path: Path) -> bool:
    try:
        held, there = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino)


def _let_go(fd: int, path: Path) -> None:
    """Remove the lock file while still holding it, then close (which unlocks)."""
    with contextlib.suppress(OSError):
        os.unlink(path)
    os.close(fd)


def _lock_busy(wait: float) -> CoproError:
    return CoproError(
        f"another copro command has been writing to this archive for {wait:g} s; "
        "nothing was written",
        "try again when it has finished (COPRO_LOCK_TIMEOUT sets how long to wait)",
    )
