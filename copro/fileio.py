"""Writing files so that nothing is ever left half-written, and nothing is widened.

One helper, ``replace_atomic``, writes every file copro replaces (outputs, the
index manifest and pointer, caches): a temp file in the same folder, then a
rename. The replaced file's permission bits are kept, so an ``--output`` that
was 0600 (private) stays 0600; a new file gets the usual umask.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from copro.errors import CoproError


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
