"""The record files of an archive, listed and ``stat``-ed: the one part of a one-record
command that grows with the archive.

This module imports only the lightest parts of the standard library, so the
command line can start the listing in a forked process (:func:`scan_ahead`)
before it imports anything else; ``copro.store.freshness`` decides, from a
listing, what changed since derived data was last brought up to date.
"""

from __future__ import annotations

import os
import struct
import sys
import time
from array import array
from itertools import compress, repeat
from operator import ge, itemgetter

from copro.core.folders import ARCHIVE_DIR, HUB_FILE

TYPE_CHECKING = False  # not typing's: this module is imported before the fork
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["RACY_NS", "FileState", "Scan", "list_folder", "list_into", "scan_ahead", "take_ahead"]

RACY_NS = 2_000_000_000
"""Files modified this close to the last build time are re-hashed: mtime may lie."""

FileState = tuple[int, int, str]
"""(size, mtime_ns, absolute path) of one record file."""


class Scan:
    """Every ``.md`` file under archive/ (no symlinks followed), and the symlinks seen.

    Kept as three columns in the order the folders listed them (relpath, size,
    mtime): what every freshness check compares, at C speed. ``files`` (relpath
    -> size, mtime, path) is built from them when a caller first asks for it. A
    scan made ahead comes as the columns' bytes: a one-record command compares
    and seals those, and decodes only the few names it reads.
    """

    def __init__(
        self,
        files: dict[str, FileState] | None = None,
        symlinks: list[str] | None = None,
        started: int | None = None,
        *,
        columns: tuple[list[str], list[int], list[int]] | None = None,
        raw: tuple[bytes, bytes, bytes] | None = None,
        prefix: str = "",
    ) -> None:
        self._files = files if files is not None or columns is not None or raw else {}
        self._columns = columns
        self._raw = raw
        """The columns as bytes (:meth:`column_bytes`), as the scan made ahead sends them:
        compared and sealed as they are, decoded only for what a caller reads."""
        self._names: dict[str, list[bytes]] = {}
        """Folder -> its relpaths as bytes, split from :attr:`_raw` when first asked for."""
        self._spans: dict[str, tuple[int, int]] = {}
        """Folder -> the run of the relpaths' bytes its files fill (the scan made ahead)."""
        self._recent: list[int] | None = None
        """Where the files modified within :data:`RACY_NS` of :attr:`started` are in the
        columns, noted while listing (:meth:`racy` then reads no other mtime)."""
        self._prefix = prefix
        """What a relpath is joined to for its path (columns only: the archive root + /)."""
        self.symlinks: list[str] = symlinks if symlinks is not None else []
        self.started: int = started if started is not None else time.time_ns()
        """When the scan began (ns): files modified after ``started - RACY_NS`` are racy."""
        self._listing: str | None = None
        self.folders: dict[str, tuple[int, int, int, int, tuple[str, ...]]] = {}
        """Folder (``archive/2024/``) -> its mtime, when it was listed, the run of the
        columns its files fill (start, end) and its subfolders: what a scan made
        before the writer lock was taken is checked against (:func:`revalidated`)."""

    @property
    def files(self) -> dict[str, FileState]:
        """relpath -> (size, mtime_ns, absolute path), in scan order."""
        if self._files is None:
            rels, sizes, mtimes = self.columns()
            self._files = dict(
                zip(
                    rels,
                    zip(sizes, mtimes, map(self._prefix.__add__, rels), strict=True),
                    strict=True,
                )
            )
        return self._files

    def __len__(self) -> int:
        if self._files is None and self._columns is None and self._raw is not None:
            return len(self._raw[1]) // INT64.size
        return len(self._columns[0]) if self._files is None and self._columns else len(self.files)

    def columns(self) -> tuple[list[str], list[int], list[int]]:
        """(relpaths, sizes, mtimes) in scan order."""
        if self._columns is None and self._files is None and self._raw is not None:
            names, sizes, mtimes = self._raw
            self._columns = (
                name_column(names),
                int_column(sizes).tolist(),
                int_column(mtimes).tolist(),
            )
        if self._columns is None:
            states = self.files.values()
            self._columns = (
                list(self.files),
                list(map(itemgetter(0), states)),
                list(map(itemgetter(1), states)),
            )
        return self._columns

    def path(self, rel: str) -> str:
        """The absolute path of ``rel`` (without building :attr:`files`)."""
        if self._files is not None:
            return self._files[rel][2]
        return self._prefix + rel

    def column_bytes(self) -> tuple[bytes, bytes, bytes] | None:
        """(relpaths NUL-separated, sizes, mtimes as 64-bit arrays), or None when an integer
        does not fit (a file dated after 2262)."""
        if self._raw is None:
            rels, sizes, mtimes = self.columns()
            size_bytes, mtime_bytes = _int_array(sizes), _int_array(mtimes)
            if size_bytes is None or mtime_bytes is None:
                return None
            self._raw = (_names_bytes(rels), size_bytes, mtime_bytes)
        return self._raw

    def listing(self) -> str:
        """One digest of every file's relpath, size and mtime, and of the symlinks seen."""
        if self._listing is None:
            raw = self.column_bytes()
            if raw is None:
                rels, sizes, mtimes = self.columns()
                raw = (_names_bytes(rels), _ints_bytes(sizes), _ints_bytes(mtimes))
            import hashlib

            listing = hashlib.sha256(raw[0])
            for part in (raw[1], raw[2], _names_bytes(self.symlinks)):
                listing.update(b"\1" + part)
            self._listing = listing.hexdigest()
        return self._listing

    def newest(self) -> int:
        """The latest mtime of any file (0 for none)."""
        return max(self._mtimes(), default=0)

    def racy(self, at: int) -> list[str]:
        """The files modified within :data:`RACY_NS` before ``at`` (or after it)."""
        if at == self.started and self._recent is not None:
            return self.rels_at(self._recent)
        mtimes = self._mtimes()
        return self.rels_at(compress(range(len(mtimes)), map(ge, mtimes, repeat(at - RACY_NS))))

    def rels_at(self, positions: Iterable[int]) -> list[str]:
        """The relpaths at these positions of the columns (without decoding every name:
        from the columns as bytes, only the names of the folders they are in)."""
        if self._columns is not None or self._files is not None or self._raw is None:
            rels = self.columns()[0]
            return [rels[i] for i in positions]
        out = []
        for position in positions:
            folder, start = self._folder_at(position)
            out.append(self._names_in(folder)[position - start].decode("utf-8", "surrogateescape"))
        return out

    def state_at(self, position: int) -> FileState:
        """(size, mtime, path) of the file at this position of the columns."""
        if self._columns is not None or self._files is not None or self._raw is None:
            rels, sizes, mtimes = self.columns()
            return sizes[position], mtimes[position], self.path(rels[position])
        (rel,) = self.rels_at([position])
        at = position * INT64.size
        return (
            INT64.unpack_from(self._raw[1], at)[0],
            INT64.unpack_from(self._raw[2], at)[0],
            self.path(rel),
        )

    def position(self, rel: str) -> int | None:
        """Where ``rel`` is in the columns (None when it was not found)."""
        try:
            if self._columns is not None or self._files is not None or self._raw is None:
                return self.columns()[0].index(rel)
            folder = rel[: rel.rfind("/") + 1] if self._spans else ""
            if folder not in self._spans and folder:
                return None
            start = self.folders[folder][2] if folder else 0
            return start + self._names_in(folder).index(rel.encode("utf-8", "surrogateescape"))
        except ValueError:
            return None

    def _folder_at(self, position: int) -> tuple[str, int]:
        """The folder whose run of the columns holds ``position``, and where that run
        starts ("" and 0 when the runs are not known: the names are then split whole)."""
        if self._spans:
            for folder, (_, _, start, end, _) in self.folders.items():
                if start <= position < end:
                    return folder, start
        return "", 0

    def _names_in(self, folder: str) -> list[bytes]:
        """The relpaths (bytes) of one folder's run ("": of the whole scan), split once."""
        names = self._names.get(folder)
        if names is None:
            assert self._raw is not None
            first, last = self._spans[folder] if folder else (0, len(self._raw[0]))
            part = self._raw[0][first:last]
            names = self._names[folder] = part.split(b"\0") if part else []
        return names

    def _mtimes(self) -> Sequence[int]:
        if self._columns is None and self._files is None and self._raw is not None:
            return int_column(self._raw[2])
        return self.columns()[2]


def list_folder(root: str, folder_name: str) -> Scan:
    """One folder tree, listed and ``stat``-ed in one pass, straight into columns.

    Each folder is listed through an open descriptor, so every file's ``stat`` looks
    up its name in that folder instead of walking the whole path again (about a
    sixth less system time at 50,000 files, which is most of a scan's time).
    """
    found = Scan(columns=([], [], []), prefix=os.path.join(root, ""))
    found._recent = []
    stack = [folder_name + "/"]
    while stack:
        stack.extend(list_into(found, stack.pop()) or ())
    found.symlinks.sort()
    return found


def list_into(found: Scan, rel_folder: str) -> list[str] | None:
    """List one folder's record files into ``found``'s columns (one contiguous run, noted
    in :attr:`Scan.folders` with the folder's own mtime); its subfolders, or None when
    it cannot be opened."""
    assert found._columns is not None
    rels, sizes, mtimes = found._columns
    add_rel, add_size, add_mtime = rels.append, sizes.append, mtimes.append
    start = len(rels)
    seen_at = time.time_ns()
    recent, floor = found._recent, found.started - RACY_NS
    try:
        folder = _open_folder(found._prefix + rel_folder)
    except OSError:
        return None
    subfolders: list[str] = []
    try:
        mtime = os.stat(folder).st_mtime_ns
        with os.scandir(folder) as entries:
            for entry in entries:  # the common case first: a record file (a few µs each)
                name = entry.name
                if name[:1] == ".":
                    continue
                if name.endswith(".md") and entry.is_file(follow_symlinks=False):
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if recent is not None and info.st_mtime_ns >= floor:
                        recent.append(len(rels))
                    add_rel(rel_folder + name)
                    add_size(info.st_size)
                    add_mtime(info.st_mtime_ns)
                elif entry.is_symlink():
                    if name.endswith(".md"):
                        found.symlinks.append(rel_folder + name)
                elif entry.is_dir(follow_symlinks=False):
                    subfolders.append(f"{rel_folder}{name}/")
    finally:
        if isinstance(folder, int):
            os.close(folder)
    found.folders[rel_folder] = (mtime, seen_at, start, len(rels), tuple(subfolders))
    return subfolders


def _open_folder(path: str) -> int | str:
    """A descriptor of the folder at ``path`` to list it by (its path where listing by
    descriptor is not supported)."""
    if os.scandir not in os.supports_fd:
        return path
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))


def _names_bytes(names: list[str]) -> bytes:
    return "\0".join(names).encode("utf-8", "surrogateescape")


def name_column(names: bytes) -> list[str]:
    return names.decode("utf-8", "surrogateescape").split("\0") if names else []


INT64 = struct.Struct("q")
"""One item of the integer columns (native 64-bit, as :func:`_int_array` writes them)."""


def int_column(packed: bytes) -> array[int]:
    values = array("q")
    values.frombytes(packed)
    return values


def _int_array(values: list[int]) -> bytes | None:
    """``values`` as native 64-bit integers, or None when one does not fit (a file dated
    after 2262: the seal then keeps no columns)."""
    try:
        return array("q", values).tobytes()
    except OverflowError:
        return None


def _ints_bytes(values: list[int]) -> bytes:
    packed = _int_array(values)
    return packed if packed is not None else repr(values).encode()


# ---------------------------------------------------------------- the scan made ahead


_AHEAD: tuple[int, int, int] | None = None
"""The scan being made by a forked process: its pid, the read end of its pipe, and the
in-memory file it writes the scan to (-1 when there is none: the scan comes through
the pipe)."""
_AHEAD_HEADER = struct.Struct("<4Q")


def scan_ahead(explicit_root: str | None) -> None:
    """Start this command's scan of the archive's records in a second process, now.

    Listing and ``stat``-ing every record file is the one part of a one-record
    command that grows with the archive (at 50,000 files, more than Python's
    start-up and imports together). Made by a forked copy of this process while
    this one imports the rest of copro, it runs on the other core; the first
    :func:`scan` of the same root's ``archive/`` then takes its result (a few
    MB through a pipe, mostly bytes: no per-file objects until a caller asks).
    The command line calls this first thing, before importing anything else
    of copro (this module imports only the standard library's lightest parts),
    for the commands that read records and the one-record edits (whose scan,
    taken under the writer lock, is checked against what other writers did
    meanwhile: ``copro.store.freshness``). The root is found as the command
    will find it (``explicit_root`` is ``--root``); a root that turns out
    different, a hub, a platform without ``fork`` (only Linux is used: a forked
    macOS process may not use system frameworks), or any failure only means the
    command scans in its own process, as before.
    """
    global _AHEAD
    if _AHEAD is not None or sys.platform != "linux" or not hasattr(os, "fork"):
        return
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return
    memory = _memory_file()
    try:
        pid = os.fork()
    except OSError:
        for fd in (read_end, write_end, memory):
            if fd >= 0:
                os.close(fd)
        return
    if pid == 0:  # pragma: no cover - the forked process (its coverage is not collected)
        os.close(read_end)
        _scan_for_parent(explicit_root, write_end, memory)
    os.close(write_end)
    _AHEAD = (pid, read_end, memory)


def _memory_file() -> int:
    """An in-memory file for the scan (-1 where there is none). Through a pipe, a few MB
    take dozens of hand-overs between the processes, each waiting for a core on a
    busy machine (30-90 ms at 50,000 records and a load of 4); written here, the
    command reads them in one call (2-3 ms)."""
    try:
        return os.memfd_create("copro-scan", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return -1


def _scan_for_parent(explicit_root: str | None, out: int, memory: int) -> None:  # pragma: no cover
    """The forked process: scan, send, and end without running anything of the parent's
    (no atexit handlers, no buffered output flushed twice). With an in-memory file, the
    scan goes there and only its length through the pipe."""
    status = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):  # never holds the command's own output open
            os.dup2(null, stream)
        root = _root_for(explicit_root)
        if root is not None and not os.path.isfile(os.path.join(root, HUB_FILE)):
            payload = encode(root, list_folder(root, ARCHIVE_DIR))
            if payload is not None:
                if memory >= 0:
                    _write_all(memory, payload)
                    payload = len(payload).to_bytes(8, "little")
                _write_all(out, payload)
                status = 0
    except BaseException:  # noqa: BLE001 - whatever happens, the parent scans itself
        status = 1
    finally:
        os._exit(status)


def _write_all(fd: int, data: bytes) -> None:  # pragma: no cover - the forked process
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def encode(root: str, found: Scan) -> bytes | None:
    if not spanned(found):
        return None
    rels = found.columns()[0]
    import json

    header = json.dumps(
        {
            "root": root,
            "started": found.started,
            "symlinks": found.symlinks,
            "listing": found.listing(),
            "count": len(rels),
            "folders": found.folders,
            "spans": found._spans,
            "recent": found._recent,
        }
    ).encode("utf-8", "surrogateescape")
    assert found._raw is not None
    parts = [header, *found._raw]
    return _AHEAD_HEADER.pack(*map(len, parts)) + b"".join(parts)


def spanned(found: Scan) -> bool:
    """Give a scan made here its columns as bytes, each folder's run of the relpaths'
    bytes noted (what :func:`revalidated` splices); False when an integer does not fit."""
    rels, sizes, mtimes = found.columns()
    size_bytes, mtime_bytes = _int_array(sizes), _int_array(mtimes)
    runs = sum(end - start for _, _, start, end, _ in found.folders.values())
    if size_bytes is None or mtime_bytes is None or runs != len(rels):
        return False
    name_parts: list[bytes] = []
    at = 0
    for rel_folder, (_, _, start, end, _) in found.folders.items():
        part = _names_bytes(rels[start:end])
        if part:
            at += 1 if name_parts else 0
            name_parts.append(part)
        found._spans[rel_folder] = (at, at + len(part))
        at += len(part)
    found._raw = (b"\0".join(name_parts), size_bytes, mtime_bytes)
    return True


def take_ahead(root: str) -> Scan | None:
    """The scan made ahead, if one was started and it is of ``root``'s records (it
    serves one scan only: a later one must see what this command wrote since)."""
    global _AHEAD
    ahead = _AHEAD
    if ahead is None:
        return None
    _AHEAD = None
    pid, fd, memory = ahead
    try:
        payload = _read_all(fd)
        if memory >= 0:
            length = int.from_bytes(payload, "little") if len(payload) == 8 else 0
            payload = os.pread(memory, length, 0) if length else b""
    except OSError:
        payload = b""
    finally:
        for opened in (fd, memory):
            if opened >= 0:
                os.close(opened)
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    try:
        return decode(payload, root)
    except (ValueError, KeyError, TypeError, AttributeError, struct.error):
        return None


def _root_for(explicit_root: str | None) -> str | None:
    """The archive root as ``copro.core.paths.find_root`` finds it (``--root``, else
    ``COPRO_ROOT``, else the first folder up from here that is a root), without its
    imports; None where it would refuse. The command checks the root it finds against
    this one, so a difference only means it scans itself."""
    given = explicit_root or os.environ.get("COPRO_ROOT")
    if given:
        folder = os.path.expanduser(given)
        return os.path.realpath(folder) if _is_root(folder) else None
    folder = os.path.realpath(os.getcwd())
    while True:
        if _is_root(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _is_root(folder: str) -> bool:
    return os.path.isdir(os.path.join(folder, ARCHIVE_DIR)) or os.path.isfile(
        os.path.join(folder, HUB_FILE)
    )


FINE_TICK_NS = 100_000_000
"""How long a rename may keep a folder's mtime on a file system with fine timestamps:
Linux stamps them from a clock that ticks at least every 10 ms; ten ticks' margin."""


def _folder_tick(mtime: int) -> int:
    """How long before a listing a folder's mtime must be for a later rename to change it.

    An mtime with a fraction of a second comes from a file system that keeps fine
    timestamps (ext4, xfs, btrfs, tmpfs: Linux's clock tick, 10 ms at most); a whole
    second may come from one that keeps seconds or two (FAT), so :data:`RACY_NS`.
    Without this, an ``add`` a second after another listed the folder it wrote again
    (5,000 files at 50,000 records: a tenth of the command).
    """
    return RACY_NS if mtime % 1_000_000_000 == 0 else FINE_TICK_NS


def revalidated(found: Scan) -> Scan | None:
    """``found`` as it would be if made now, or None when only a new scan can tell.

    Every copro writer holds the writer lock and writes records by renaming a
    new file into place (``copro.write``), which gives the record's folder a new
    mtime. So a folder whose mtime is still the one seen when it was listed, and
    was not modified within one tick of the file system's clock before that (a
    rename in the same tick keeps it: :func:`_folder_tick`), holds what the scan
    says as far as other writers go; any other folder is listed again (after
    ``add``, only the folder of the record it wrote). A folder with other
    subfolders than before needs a new scan.
    """
    stale: set[str] = set()
    for rel_folder, (mtime, seen_at, *_) in found.folders.items():
        try:
            now = os.stat(found._prefix + rel_folder).st_mtime_ns
        except OSError:
            return None
        if now != mtime or mtime >= seen_at - _folder_tick(mtime):
            stale.add(rel_folder)
    if not stale:
        return found
    if set(found._spans) != set(found.folders) and not spanned(found):
        return None
    assert found._raw is not None
    names, sizes, mtimes = found._raw
    size = INT64.size
    recent = set(found._recent) if found._recent is not None else None
    again = Scan(raw=(b"", b"", b""), started=found.started, prefix=found._prefix)
    again._recent = [] if recent is not None else None  # the racy window: from the oldest look
    again.symlinks = [s for s in found.symlinks if s.rpartition("/")[0] + "/" not in stale]
    name_parts: list[bytes] = []
    size_parts: list[bytes] = []
    mtime_parts: list[bytes] = []
    count = at = 0
    for rel_folder, (mtime, seen_at, start, end, subfolders) in found.folders.items():
        if rel_folder in stale:
            listed = Scan(columns=([], [], []), started=found.started, prefix=found._prefix)
            listed._recent = []
            if tuple(list_into(listed, rel_folder) or ()) != subfolders:
                return None
            fresh = listed.column_bytes()
            if fresh is None:
                return None
            part, part_sizes, part_mtimes = fresh
            mtime, seen_at = listed.folders[rel_folder][:2]
            again.symlinks.extend(listed.symlinks)
            recent_here = [count + i for i in listed._recent]
        else:
            first, last = found._spans[rel_folder]
            part = names[first:last]
            part_sizes = sizes[start * size : end * size]
            part_mtimes = mtimes[start * size : end * size]
            recent_here = sorted(count + i - start for i in recent or () if start <= i < end)
        files = len(part_sizes) // size
        if part:
            at += 1 if name_parts else 0
            name_parts.append(part)
        again.folders[rel_folder] = (mtime, seen_at, count, count + files, subfolders)
        again._spans[rel_folder] = (at, at + len(part))
        if again._recent is not None:
            again._recent.extend(recent_here)
        at += len(part)
        count += files
        size_parts.append(part_sizes)
        mtime_parts.append(part_mtimes)
    again._raw = (b"\0".join(name_parts), b"".join(size_parts), b"".join(mtime_parts))
    again._files = None
    again.symlinks.sort()
    return again


def _read_all(fd: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        pass
    return b"".join(chunks)


def decode(payload: bytes, root: str) -> Scan | None:
    lengths = _AHEAD_HEADER.unpack_from(payload)
    if _AHEAD_HEADER.size + sum(lengths) != len(payload):
        return None  # cut short: the other process ended early
    parts, at = [], _AHEAD_HEADER.size
    for length in lengths:
        parts.append(payload[at : at + length])
        at += length
    import json

    header = json.loads(parts[0].decode("utf-8", "surrogateescape"))
    if header["root"] != root:
        return None
    names, sizes, mtimes = parts[1:]
    count = int(header["count"])
    if not len(sizes) == len(mtimes) == count * INT64.size:
        return None
    if names.count(b"\0") + 1 != count and (count or names):
        return None
    found = Scan(
        symlinks=list(header["symlinks"]),
        started=int(header["started"]),
        raw=(names, sizes, mtimes),
        prefix=os.path.join(root, ""),
    )
    found._listing = str(header["listing"])
    found.folders = {
        str(rel): (int(m), int(seen), int(start), int(end), tuple(map(str, subs)))
        for rel, (m, seen, start, end, subs) in header["folders"].items()
    }
    found._spans = {str(rel): (int(a), int(b)) for rel, (a, b) in header["spans"].items()}
    recent = header["recent"]
    found._recent = None if recent is None else [int(at) for at in recent if 0 <= at < count]
    return found
