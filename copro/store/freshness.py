"""Which record files changed since derived data was last built: one rule for every cache.

The record cache and the search index both keep, per file, its size,
modification time and content hash. Size and mtime decide, except for files
modified within :data:`RACY_NS` of the last build, whose content hash decides
(an edit within the clock's granularity can keep size and mtime). One
directory scan (:func:`scan`) is made per command and handed to both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import ge, itemgetter
from pathlib import Path
from typing import Any

from copro.core.fileio import holds_archive_lock
from copro.core.paths import ARCHIVE_DIR, HUB_FILE

__all__ = [
    "RACY_NS",
    "FileState",
    "Scan",
    "Changes",
    "scan",
    "changes",
    "digest",
    "read_bytes",
    "fingerprint",
    "Seal",
    "Delta",
    "seal",
    "since",
    "scan_ahead",
]

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
        before the writer lock was taken is checked against (:func:`_revalidated`)."""

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
            return len(self._raw[1]) // _INT.size
        return len(self._columns[0]) if self._files is None and self._columns else len(self.files)

    def columns(self) -> tuple[list[str], list[int], list[int]]:
        """(relpaths, sizes, mtimes) in scan order."""
        if self._columns is None and self._files is None and self._raw is not None:
            names, sizes, mtimes = self._raw
            self._columns = (_names_list(names), _ints(sizes).tolist(), _ints(mtimes).tolist())
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
        at = position * _INT.size
        return (
            _INT.unpack_from(self._raw[1], at)[0],
            _INT.unpack_from(self._raw[2], at)[0],
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
            return _ints(self._raw[2])
        return self.columns()[2]


@dataclass
class Changes:
    """What differs from what was known: relpath -> (digest, bytes) for added/changed."""

    added: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    changed: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    touched: dict[str, str] = field(default_factory=dict)
    """Files whose mtime moved but whose content hash did not: relpath -> digest."""
    unread: list[str] = field(default_factory=list)
    """Files that could not be read: looked at again by the next command."""

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def scan(root: Path, hub: bool = True, folder_name: str = ARCHIVE_DIR) -> Scan:
    """relpath -> (size, mtime_ns, path) of every record file; runs before every search.

    In a hub root (with ``hub``), every member at its locked commit is scanned
    too, its paths written ``<member>:archive/...`` (``copro.hub.view``), so the
    record cache and the index hold all members and refresh only what changed
    (a new member commit rewrites only its changed files). ``folder_name`` is
    ``consensus`` for consensus statements (their own cache).

    The first scan of an archive's records in a command may have been made
    ahead, in a second process, while this one started (:func:`scan_ahead`).
    """
    if hub and os.path.isfile(os.path.join(str(root), HUB_FILE)):
        return _scan_hub(Path(root), folder_name)
    ahead = _take_ahead(str(root), folder_name)
    return ahead if ahead is not None else _scan_folder(str(root), folder_name)


def _scan_folder(root: str, folder_name: str) -> Scan:
    """One folder tree, listed and ``stat``-ed in one pass, straight into columns.

    Each folder is listed through an open descriptor, so every file's ``stat`` looks
    up its name in that folder instead of walking the whole path again (about a
    sixth less system time at 50,000 files, which is most of a scan's time).
    """
    found = Scan(columns=([], [], []), prefix=os.path.join(root, ""))
    found._recent = []
    stack = [folder_name + "/"]
    while stack:
        stack.extend(_list_into(found, stack.pop()) or ())
    found.symlinks.sort()
    return found


def _list_into(found: Scan, rel_folder: str) -> list[str] | None:
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


def _scan_hub(root: Path, folder_name: str = ARCHIVE_DIR) -> Scan:
    """One scan over a hub's own records and every member's at its locked commit (or,
    with ``folder_name="consensus"``, their consensus statements)."""
    from copro.hub.view import MEMBER_SEPARATOR, open_hub

    started = time.time_ns()
    view = open_hub(root)
    assert view is not None
    files: dict[str, FileState] = {}
    symlinks: list[str] = []
    if view.has_own_archive:
        own = _scan_folder(str(view.root), folder_name)
        files.update(own.files)
        symlinks.extend(own.symlinks)
    for member in view.members:
        part = _scan_folder(str(member.tree), folder_name)
        prefix = member.name + MEMBER_SEPARATOR
        files.update({prefix + rel: state for rel, state in part.files.items()})
        symlinks.extend(prefix + rel for rel in part.symlinks)
    return Scan(files, sorted(symlinks), started)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def changes(
    files: Mapping[str, FileState],
    known: Mapping[str, list[Any]],
    built_at: int,
    quick: bool = False,
    hash_all: bool = False,
) -> Changes | bool:
    """Added, changed and removed files against ``known`` (relpath -> [size, mtime, digest, ...]).

    With ``quick``, only whether anything changed (stops at the first difference).
    With ``hash_all``, every file's content hash decides (``files`` are the few that
    :func:`since` found moved).
    """
    out = Changes(removed=[rel for rel in known if rel not in files])
    if quick and out.removed:
        return True
    for rel, (size, mtime, path) in files.items():
        entry = known.get(rel)
        racy = hash_all or mtime >= built_at - RACY_NS
        if entry is not None and entry[0] == size and entry[1] == mtime and not racy:
            continue
        if quick and (entry is None or entry[0] != size or entry[1] != mtime):
            return True
        data = read_bytes(path)
        if data is None:
            out.unread.append(rel)
            continue
        hashed = digest(data)
        if entry is not None and entry[2] == hashed:
            if entry[1] != mtime or entry[0] != size:
                out.touched[rel] = hashed
            continue
        if quick:
            return True
        (out.changed if entry is not None else out.added)[rel] = (hashed, data)
    if quick:
        return bool(out.touched)
    return out


def fingerprint(found: Scan, at: int | None = None) -> str | None:
    """One digest of every file's path, size and mtime (and the symlinks seen).

    Derived data keeps the fingerprint of a scan it matched, and the time that
    scan began (``at``): the same fingerprint now, computed against that time,
    means nothing was added, removed or edited since, decided without reading
    a per-file table (at 50,000 records that table costs more than the scan).
    None when a file was modified within :data:`RACY_NS` before ``at`` (default:
    when ``found`` began): an edit in the clock's granularity could keep its
    mtime, so only its content hash can tell. (:class:`Seal` keeps those content
    hashes, so a racy file costs one read instead of the per-file table.)
    """
    at = found.started if at is None else at
    if len(found) and found.newest() >= at - RACY_NS:
        return None
    return found.listing()


# ---------------------------------------------------------------- seals


class Seal:
    """What derived data keeps of the scan it was last brought up to date with.

    ``listing`` is :meth:`Scan.listing`; the same listing now means no file was
    added, removed, resized or given another mtime since. Files modified within
    :data:`RACY_NS` of ``scanned_at`` could still have been edited in the same
    clock tick, so their content hashes as the derived data holds them are kept
    too (``racy``; None for a file that could not be read: tried again). The
    columns (relpaths NUL-separated, sizes and mtimes as 64-bit arrays) let a
    changed listing be compared file by file at C speed, so one edited record
    costs one read, not the per-file table (:func:`since`); they are read only
    then. Data only: text, integers and bytes, kept in the derived data's own
    ``meta(key, value)`` table under the keys ``seal_*``.
    """

    SMALL = ("listing", "scanned_at", "racy")
    COLUMNS = ("names", "sizes", "mtimes")

    def __init__(
        self,
        listing: str,
        scanned_at: int,
        racy: dict[str, str | None],
        columns: Callable[[], tuple[object, ...]],
    ) -> None:
        self.listing = listing
        self.scanned_at = scanned_at
        self.racy = racy
        self._read_columns = columns
        self._columns: tuple[object, ...] | None = None

    def to_meta(self, kept: Seal | None = None) -> list[tuple[str, object]]:
        """(key, value) rows for the ``meta`` table; with ``kept`` (the seal the table
        holds), without the columns it already holds as they are (after one edit, only
        the mtimes: a few hundred KB at 50,000 records instead of a few MB)."""
        small = (self.listing, self.scanned_at, json.dumps(self.racy))
        before = kept.stored_columns() if kept is not None else (None,) * len(self.COLUMNS)
        return [(f"seal_{key}", value) for key, value in zip(self.SMALL, small, strict=True)] + [
            (f"seal_{key}", value)
            for key, value, old in zip(self.COLUMNS, self.stored_columns(), before, strict=True)
            if value is None or value != old
        ]

    def stored_columns(self) -> tuple[object, ...]:
        """The column values as kept (read once)."""
        if self._columns is None:
            self._columns = self._read_columns()
        return self._columns

    @classmethod
    def from_meta(cls, get: Callable[[str], object]) -> Seal | None:
        """The seal kept in a ``meta`` table (``get(key)`` reads one value), or None when
        there is none or it is not what copro writes (the caller then compares its
        per-file table)."""
        listing, scanned_at, racy = (get(f"seal_{key}") for key in cls.SMALL)
        if not isinstance(listing, str) or type(scanned_at) is not int:
            return None
        try:
            kept = json.loads(racy) if isinstance(racy, str) else None
        except ValueError:
            return None
        if not isinstance(kept, dict) or not all(
            isinstance(value, (str, type(None))) for value in kept.values()
        ):
            return None
        return cls(listing, scanned_at, kept, lambda: tuple(get(f"seal_{k}") for k in cls.COLUMNS))

    def column_bytes(self) -> tuple[bytes, bytes, bytes] | None:
        """The sealed scan's columns as :meth:`Scan.column_bytes` gives them, or None when
        not kept (or not as copro writes them)."""
        names, sizes, mtimes = self.stored_columns()
        if not (
            isinstance(names, bytes) and isinstance(sizes, bytes) and isinstance(mtimes, bytes)
        ):
            return None
        if len(sizes) != len(mtimes) or len(sizes) % _INT.size:
            return None
        return names, sizes, mtimes

    def columns(self) -> tuple[list[str], list[int], list[int]] | None:
        """The sealed scan's (relpaths, sizes, mtimes), or None when not kept."""
        kept = self.column_bytes()
        if kept is None:
            return None
        rels = _names_list(kept[0])
        size_list, mtime_list = _ints(kept[1]).tolist(), _ints(kept[2]).tolist()
        if len(rels) == len(size_list):
            return rels, size_list, mtime_list
        return None


def seal(found: Scan, digests: Mapping[str, str | None], unread: Iterable[str] = ()) -> Seal:
    """The seal of ``found`` for derived data now up to date with it: ``digests`` gives the
    content hash the derived data holds for each racy file (:meth:`Scan.racy`), and
    ``unread`` the files it could not read (both looked at again next time)."""
    racy: dict[str, str | None] = {rel: digests.get(rel) for rel in found.racy(found.started)}
    racy.update(dict.fromkeys(unread))
    kept = found.column_bytes() or (None, None, None)
    return Seal(found.listing(), found.started, racy, lambda: kept)


@dataclass
class Delta:
    """The files to look at again since a seal: ``moved`` (added, resized, given another
    mtime, or racy with another content hash now) and ``removed``."""

    moved: dict[str, FileState]
    removed: list[str]
    same_listing: bool

    def __bool__(self) -> bool:
        return bool(self.moved or self.removed)


def since(found: Scan, sealed: Seal | None) -> Delta | None:
    """What moved between the sealed scan and ``found``, or None when that cannot be told
    without the caller's per-file table (no seal, or one without columns).

    Unchanged listing: only the racy files are read (their content hash against
    the one kept). Otherwise the columns are compared at C speed: position by
    position when the same files are listed in the same order (an edit), else by
    relpath.
    """
    if sealed is None:
        return None
    if found.listing() == sealed.listing:
        return Delta(_racy_moved(found, sealed, set()), [], True)
    old_bytes, now_bytes = sealed.column_bytes(), found.column_bytes()
    if old_bytes is None:
        return None
    removed: list[str] = []
    if (
        now_bytes is not None
        and old_bytes[0] == now_bytes[0]
        and len(old_bytes[1]) == len(now_bytes[1])
    ):  # the same files: edits
        moved_at = set(_differing(old_bytes[1], now_bytes[1]))
        moved_at.update(_differing(old_bytes[2], now_bytes[2]))
        at = sorted(moved_at)
        moved = dict(zip(found.rels_at(at), map(found.state_at, at), strict=True))
    elif (old := sealed.columns()) is None:
        return None
    else:
        old_rels, old_sizes, old_mtimes = old
        rels, sizes, mtimes = found.columns()
        before = dict(zip(old_rels, zip(old_sizes, old_mtimes, strict=True), strict=True))
        moved = {
            rel: (*state, found.path(rel))
            for rel, state in zip(rels, zip(sizes, mtimes, strict=True), strict=True)
            if before.get(rel) != state
        }
        present = set(rels)
        removed = [rel for rel in old_rels if rel not in present]
    moved.update(_racy_moved(found, sealed, set(moved) | set(removed)))
    return Delta(moved, removed, False)


def _racy_moved(found: Scan, sealed: Seal, skip: set[str]) -> dict[str, FileState]:
    """The sealed racy files (not in ``skip``) whose content hash is no longer the one kept."""
    todo = [rel for rel in sealed.racy if rel not in skip]
    if not todo:
        return {}
    states = _states(found, todo)
    moved = {}
    for rel in todo:
        state = states.get(rel)
        if state is None:
            continue  # gone: the listing differs, so the caller's comparison has it
        data = read_bytes(state[2])
        kept = sealed.racy[rel]
        if kept is None or data is None or digest(data) != kept:
            moved[rel] = state
    return moved


def _states(found: Scan, rels: list[str]) -> dict[str, FileState]:
    """(size, mtime, path) of ``rels`` in ``found``, without building :attr:`Scan.files`
    for a few."""
    if len(rels) > 8:
        return {rel: found.files[rel] for rel in rels if rel in found.files}
    out = {}
    for rel in rels:
        at = found.position(rel)
        if at is not None:
            out[rel] = found.state_at(at)
    return out


def _names_bytes(names: list[str]) -> bytes:
    return "\0".join(names).encode("utf-8", "surrogateescape")


def _names_list(names: bytes) -> list[str]:
    return names.decode("utf-8", "surrogateescape").split("\0") if names else []


_INT = struct.Struct("q")
"""One item of the integer columns (native 64-bit, as :func:`_int_array` writes them)."""


def _ints(packed: bytes) -> array[int]:
    values = array("q")
    values.frombytes(packed)
    return values


def _differing(before: bytes, now: bytes) -> list[int]:
    """The positions where two integer columns of the same length differ, found by
    comparing halves (``memcmp``) down to the items that differ: after one edit, a few
    dozen comparisons instead of a Python loop over every file."""
    size = _INT.size
    out: list[int] = []
    stack = [(0, len(now) // size)]
    while stack:
        low, high = stack.pop()
        if before[low * size : high * size] == now[low * size : high * size]:
            continue
        if high - low <= 16:
            out.extend(
                at
                for at in range(low, high)
                if before[at * size : (at + 1) * size] != now[at * size : (at + 1) * size]
            )
            continue
        middle = (low + high) // 2
        stack += [(middle, high), (low, middle)]
    return out


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


@dataclass
class _Ahead:
    """A scan being made by a forked process: its pid and the read end of its pipe."""

    pid: int
    fd: int


_AHEAD: _Ahead | None = None
_AHEAD_HEADER = struct.Struct("<4Q")


def scan_ahead(explicit_root: str | None) -> None:
    """Start this command's scan of the archive's records in a second process, now.

    Listing and ``stat``-ing every record file is the one part of a one-record
    command that grows with the archive (at 50,000 files, more than Python's
    start-up and imports together). Made by a forked copy of this process while
    this one imports the rest of copro, it runs on the other core; the first
    :func:`scan` of the same root's ``archive/`` then takes its result (a few
    MB through a pipe, mostly bytes: no per-file objects until a caller asks).
    The command line calls this first thing, for commands that only read
    records: a command that writes scans under the archive's writer lock, after
    any other writer finished, so it scans itself. The root is found as the
    command will find it (``explicit_root`` is ``--root``); a root that turns
    out different, a hub, a platform without ``fork`` (only Linux is used: a
    forked macOS process may not use system frameworks), or any failure only
    means the command scans in its own process, as before.
    """
    global _AHEAD
    if _AHEAD is not None or sys.platform != "linux" or not hasattr(os, "fork"):
        return
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return
    if pid == 0:  # pragma: no cover - the forked process (its coverage is not collected)
        os.close(read_end)
        _scan_for_parent(explicit_root, write_end)
    os.close(write_end)
    _AHEAD = _Ahead(pid, read_end)


def _scan_for_parent(explicit_root: str | None, out: int) -> None:  # pragma: no cover
    """The forked process: scan, send, and end without running anything of the parent's
    (no atexit handlers, no buffered output flushed twice)."""
    status = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):  # never holds the command's own output open
            os.dup2(null, stream)
        from copro.core.paths import find_root

        root = str(find_root(explicit_root))
        if not os.path.isfile(os.path.join(root, HUB_FILE)):
            payload = _encode_ahead(root, _scan_folder(root, ARCHIVE_DIR))
            if payload is not None:
                view = memoryview(payload)
                while view:
                    view = view[os.write(out, view) :]
                status = 0
    except BaseException:  # noqa: BLE001 - whatever happens, the parent scans itself
        status = 1
    finally:
        os._exit(status)


def _encode_ahead(root: str, found: Scan) -> bytes | None:
    if not _spanned(found):
        return None
    rels = found.columns()[0]
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


def _spanned(found: Scan) -> bool:
    """Give a scan made here its columns as bytes, each folder's run of the relpaths'
    bytes noted (what :func:`_revalidated` splices); False when an integer does not fit."""
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


def _take_ahead(root: str, folder_name: str) -> Scan | None:
    """The scan made ahead, if it is of ``root``'s records (it serves one scan only: a
    later one must see what this command wrote since). Taken under the archive's
    writer lock, it is first checked against what other writers did since it was
    made (:func:`_revalidated`)."""
    global _AHEAD
    ahead = _AHEAD
    if ahead is None or folder_name != ARCHIVE_DIR:
        return None
    _AHEAD = None
    try:
        payload = _read_all(ahead.fd)
    finally:
        os.close(ahead.fd)
        with contextlib.suppress(OSError):
            os.waitpid(ahead.pid, 0)
    try:
        found = _decode_ahead(payload, root)
    except (ValueError, KeyError, TypeError, AttributeError, struct.error):
        return None
    if found is not None and holds_archive_lock(Path(root)):
        return _revalidated(found)
    return found


def _revalidated(found: Scan) -> Scan | None:
    """``found`` as it would be if made now, or None when only a new scan can tell.

    Every copro writer holds the writer lock and writes records by renaming a
    new file into place (``copro.write``), which gives the record's folder a new
    mtime. So a folder whose mtime is still the one seen when it was listed, and
    was not modified within :data:`RACY_NS` before that (a rename in the same
    clock tick keeps it), holds what the scan says as far as other writers go;
    any other folder is listed again (after ``add``, only the folder of the record
    it wrote). A folder with other subfolders than before needs a new scan.
    """
    stale: set[str] = set()
    for rel_folder, (mtime, seen_at, *_) in found.folders.items():
        try:
            now = os.stat(found._prefix + rel_folder).st_mtime_ns
        except OSError:
            return None
        if now != mtime or mtime >= seen_at - RACY_NS:
            stale.add(rel_folder)
    if not stale:
        return found
    if set(found._spans) != set(found.folders) and not _spanned(found):
        return None
    assert found._raw is not None
    names, sizes, mtimes = found._raw
    size = _INT.size
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
            if tuple(_list_into(listed, rel_folder) or ()) != subfolders:
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
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    return b"".join(chunks)


def _decode_ahead(payload: bytes, root: str) -> Scan | None:
    lengths = _AHEAD_HEADER.unpack_from(payload)
    if _AHEAD_HEADER.size + sum(lengths) != len(payload):
        return None  # cut short: the other process ended early
    parts, at = [], _AHEAD_HEADER.size
    for length in lengths:
        parts.append(payload[at : at + length])
        at += length
    header = json.loads(parts[0].decode("utf-8", "surrogateescape"))
    if header["root"] != root:
        return None
    names, sizes, mtimes = parts[1:]
    count = int(header["count"])
    if not len(sizes) == len(mtimes) == count * _INT.size:
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
