"""Which record files changed since derived data was last built: one rule for every cache.

The record cache and the search index both keep, per file, its size,
modification time and content hash. Size and mtime decide, except for files
modified within :data:`RACY_NS` of the last build, whose content hash decides
(an edit within the clock's granularity can keep size and mtime). One
directory scan (:func:`scan`) is made per command and handed to both.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

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
]

RACY_NS = 2_000_000_000
"""Files modified this close to the last build time are re-hashed: mtime may lie."""

FileState = tuple[int, int, str]
"""(size, mtime_ns, absolute path) of one record file."""


@dataclass
class Scan:
    """Every ``.md`` file under archive/ (no symlinks followed), and the symlinks seen."""

    files: dict[str, FileState] = field(default_factory=dict)
    symlinks: list[str] = field(default_factory=list)
    started: int = field(default_factory=time.time_ns)
    """When the scan began (ns): files modified after ``started - RACY_NS`` are racy."""


@dataclass
class Changes:
    """What differs from what was known: relpath -> (digest, bytes) for added/changed."""

    added: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    changed: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    touched: dict[str, str] = field(default_factory=dict)
    """Files whose mtime moved but whose content hash did not: relpath -> digest."""

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def scan(root: Path, hub: bool = True, folder_name: str = ARCHIVE_DIR) -> Scan:
    """relpath -> (size, mtime_ns, path) of every record file; runs before every search.

    In a hub root (with ``hub``), every member at its locked commit is scanned
    too, its paths written ``<member>:archive/...`` (``copro.hub.view``), so the
    record cache and the index hold all members and refresh only what changed
    (a new member commit rewrites only its changed files). ``folder_name`` is
    ``consensus`` for consensus statements (their own cache).
    """
    if hub and os.path.isfile(os.path.join(str(root), HUB_FILE)):
        return _scan_hub(Path(root), folder_name)
    found = Scan()
    stack = [(os.path.join(str(root), folder_name), folder_name)]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        files = found.files
        with entries:
            for entry in entries:  # the common case first: a record file (a few µs each)
                name = entry.name
                if name[:1] == ".":
                    continue
                if name.endswith(".md") and entry.is_file(follow_symlinks=False):
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    files[f"{rel_folder}/{name}"] = (info.st_size, info.st_mtime_ns, entry.path)
                elif entry.is_symlink():
                    if name.endswith(".md"):
                        found.symlinks.append(f"{rel_folder}/{name}")
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{rel_folder}/{name}"))
    found.symlinks.sort()
    return found


def _scan_hub(root: Path, folder_name: str = ARCHIVE_DIR) -> Scan:
    """One scan over a hub's own records and every member's at its locked commit (or,
    with ``folder_name="consensus"``, their consensus statements)."""
    from copro.hub.view import MEMBER_SEPARATOR, open_hub

    view = open_hub(root)
    assert view is not None
    own = view.has_own_archive
    found = scan(view.root, hub=False, folder_name=folder_name) if own else Scan()
    for member in view.members:
        part = scan(member.tree, hub=False, folder_name=folder_name)
        prefix = member.name + MEMBER_SEPARATOR
        found.files.update({prefix + rel: state for rel, state in part.files.items()})
        found.symlinks.extend(prefix + rel for rel in part.symlinks)
    found.symlinks.sort()
    return found


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def changes(
    files: dict[str, FileState], known: dict[str, list], built_at: int, quick: bool = False
) -> Changes | bool:
    """Added, changed and removed files against ``known`` (relpath -> [size, mtime, digest, ...]).

    With ``quick``, only whether anything changed (stops at the first difference).
    """
    out = Changes(removed=[rel for rel in known if rel not in files])
    if quick and out.removed:
        return True
    for rel, (size, mtime, path) in files.items():
        entry = known.get(rel)
        racy = mtime >= built_at - RACY_NS
        if entry is not None and entry[0] == size and entry[1] == mtime and not racy:
            continue
        if quick and (entry is None or entry[0] != size or entry[1] != mtime):
            return True
        data = read_bytes(path)
        if data is None:
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
    mtime, so only its content hash can tell.
    """
    at = found.started if at is None else at
    states = found.files.values()
    if states and max(map(itemgetter(1), states)) >= at - RACY_NS:
        return None
    # In the scan's own order (a directory listed in another order only costs a slow path),
    # each column joined at C speed: no Python loop over 50,000 files.
    listing = "\n".join(
        (
            "\n".join(found.files),
            repr(list(map(itemgetter(0), states))),
            repr(list(map(itemgetter(1), states))),
            "\n".join(found.symlinks),
        )
    )
    return hashlib.sha256(listing.encode("utf-8", "surrogateescape")).hexdigest()
