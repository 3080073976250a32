"""The record cache: parsed front-matter and body of every record, kept between runs.

Parsing YAML strictly is most of the cost of reading an archive, so the result
is kept in the user's cache folder beside the search index, as plain JSON
(data only, never pickle): ``records.json`` holds a stamp (copro version,
cache format, schema fingerprint) and, per record file, its size, mtime,
content hash, and either ``[front-matter, body]`` or ``null`` for a file the
strict reader refused. Freshness follows :mod:`copro.store.freshness` (the rule the
index uses). A cache that cannot be read, or carries another stamp, is
rebuilt, never trusted; writing it is atomic, and failing to write it (a
read-only cache folder) only costs speed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copro.core.fileio import replace_atomic
from copro.core.paths import cache_dir, shipped_schemas_dir
from copro.core.version import VERSION
from copro.store.freshness import Changes, Scan, changes, scan

__all__ = ["CACHE_FILE", "cached_records", "cached_statements", "RecordEntry"]

CACHE_FILE = "records.json"
CACHE_FORMAT = 2

RecordEntry = tuple[str, dict[str, Any], str]
"""(relpath, front-matter, body) of one readable record."""


def _stamp() -> dict[str, Any]:
    import hashlib

    schema_file = shipped_schemas_dir() / "engagement.schema.json"
    return {
        "format": CACHE_FORMAT,
        "copro": VERSION,
        "schema": hashlib.sha256(schema_file.read_bytes()).hexdigest()[:16],
    }


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("stamp") != _stamp():
        return None
    files = document.get("files")
    if not isinstance(files, dict) or not isinstance(document.get("built_at"), int):
        return None
    for entry in files.values():
        if not (
            isinstance(entry, list)
            and len(entry) == 4
            and isinstance(entry[0], int)
            and isinstance(entry[1], int)
            and isinstance(entry[2], str)
            and (entry[3] is None or _valid_parsed(entry[3]))
        ):
            return None
    return document


def _valid_parsed(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], dict)
        and isinstance(value[1], str)
    )


def _write_cache(path: Path, document: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        replace_atomic(path, text, durable=False)
    except OSError:
        pass  # a cache that cannot be written only costs speed next time


def parse_record(path: str, rel: str, data: bytes) -> list[Any] | None:
    """``[front-matter, body]`` as the strict reader gives them, or None when it refuses
    the file or the gate finds personal data in it (such a record is withheld from
    every view and from the index until it is mended)."""
    from copro.core.records import read_record

    read = read_record(Path(path), rel, data)
    if read.record is None or read.personal_data()[0]:
        return None
    return [read.record.meta, read.record.body]


STATEMENT_CACHE_FILE = "statements.json"
"""Consensus statements (``consensus/``) are kept the same way, in their own file."""


def refresh_cache(
    root: Path,
    found: Scan | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache_name: str = CACHE_FILE,
) -> tuple[dict[str, Any], Changes]:
    """The up-to-date cache document for ``root`` (written back when anything changed).

    ``found`` is the directory scan when the caller already made one (the
    index refresh shares it). Returns the document and what changed.
    """
    root = Path(root)
    found = found if found is not None else scan(root)
    path = cache_dir(root) / cache_name
    document = _read_cache(path) or {"stamp": _stamp(), "built_at": 0, "files": {}}
    known: dict[str, list[Any]] = document["files"]
    started = time.time_ns()
    diff = changes(found.files, known, int(document["built_at"]))
    assert isinstance(diff, Changes)
    dirty = bool(diff or diff.touched) or not path.exists()
    for rel in diff.removed:
        known.pop(rel, None)
    for rel, hashed in diff.touched.items():
        size, mtime, _ = found.files[rel]
        known[rel] = [size, mtime, hashed, known[rel][3]]
    fresh = {**diff.added, **diff.changed}
    for done, (rel, (hashed, data)) in enumerate(fresh.items(), start=1):
        size, mtime, abspath = found.files[rel]
        known[rel] = [size, mtime, hashed, parse_record(abspath, rel, data)]
        if progress and (done % 200 == 0 or done == len(fresh)):
            progress(done, len(fresh))
    if dirty:
        document["built_at"] = started
        _write_cache(path, document)
    return document, diff


def cached_records(root: Path, found: Scan | None = None) -> tuple[list[RecordEntry], list[str]]:
    """(relpath, front-matter, body) of every readable record, and the refused paths, sorted."""
    found = found if found is not None else scan(Path(root))
    return _entries(refresh_cache(root, found)[0], found)


def cached_statements(root: Path) -> tuple[list[RecordEntry], list[str]]:
    """(relpath, front-matter, body) of every readable consensus statement, and refused paths.

    Read and kept exactly as records are (the strict reader, personal data
    withheld), in a cache file of their own so the search index never sees them.
    """
    from copro.core.paths import CONSENSUS_DIR

    found = scan(Path(root), folder_name=CONSENSUS_DIR)
    if not found.files and not found.symlinks:
        return [], []  # no statements: nothing to keep
    return _entries(refresh_cache(root, found, cache_name=STATEMENT_CACHE_FILE)[0], found)


def _entries(document: dict[str, Any], found: Scan) -> tuple[list[RecordEntry], list[str]]:
    readable: list[RecordEntry] = []
    refused = list(found.symlinks)
    files = document["files"]
    for rel in sorted(found.files):
        entry = files.get(rel)
        parsed = entry[3] if entry is not None else None
        if parsed is None:
            refused.append(rel)
        else:
            readable.append((rel, parsed[0], parsed[1]))
    refused.sort()
    return readable, refused
