"""Writing files so that nothing is ever left half-written, and nothing is widened.

One helper, ``replace_atomic``, writes every file copro replaces (outputs, the
index manifest and pointer, caches): a temp file in the same folder, then a
rename. The replaced file's permission bits are kept, so an ``--output`` that
was 0600 (private) stays 0600; a new file gets the usual umask.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from copro.core.errors import CoproError


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
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
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
