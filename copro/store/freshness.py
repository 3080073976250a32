"""Which record files changed since derived data was last built: one rule for every cache.

The record cache and the search index both keep, per file, its size,
modification time and content hash. Size and mtime decide, except for files
modified within :data:`RACY_NS` of the last build, whose content hash decides
(an edit within the clock's granularity can keep size and mtime). One
directory scan (:func:`scan`) is made per command and handed to both.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.fileio import holds_archive_lock
from copro.core.paths import ARCHIVE_DIR, HUB_FILE
from copro.store.listing import (
    INT64,
    RACY_NS,
    FileState,
    Scan,
    int_column,
    list_folder,
    name_column,
    revalidated,
    scan_ahead,
    take_ahead,
)

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
    return ahead if ahead is not None else list_folder(str(root), folder_name)


def _take_ahead(root: str, folder_name: str) -> Scan | None:
    """The scan made ahead (``copro.store.listing.scan_ahead``), if it is of ``root``'s
    records. Taken under the archive's writer lock, it is first checked against what
    other writers did since it was made (``copro.store.listing.revalidated``)."""
    if folder_name != ARCHIVE_DIR:
        return None
    found = take_ahead(root)
    if found is not None and holds_archive_lock(Path(root)):
        return revalidated(found)
    return found


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
        own = list_folder(str(view.root), folder_name)
        files.update(own.files)
        symlinks.extend(own.symlinks)
    for member in view.members:
        part = list_folder(str(member.tree), folder_name)
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
        if len(sizes) != len(mtimes) or len(sizes) % INT64.size:
            return None
        return names, sizes, mtimes

    def columns(self) -> tuple[list[str], list[int], list[int]] | None:
        """The sealed scan's (relpaths, sizes, mtimes), or None when not kept."""
        kept = self.column_bytes()
        if kept is None:
            return None
        rels = name_column(kept[0])
        size_list, mtime_list = int_column(kept[1]).tolist(), int_column(kept[2]).tolist()
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


def _differing(before: bytes, now: bytes) -> list[int]:
    """The positions where two integer columns of the same length differ, found by
    comparing halves (``memcmp``) down to the items that differ: after one edit, a few
    dozen comparisons instead of a Python loop over every file."""
    size = INT64.size
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
