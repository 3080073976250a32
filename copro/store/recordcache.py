"""The record cache: parsed front-matter and body of every record, kept between runs.

Parsing YAML strictly is most of the cost of reading an archive, so the result
is kept in the user's cache folder beside the search index, in an SQLite file
(``records.sqlite``, the standard library's ``sqlite3``: data only, never
pickle). Per record file it holds the size, mtime, content hash, and the
parsed ``[front-matter, body]`` as JSON text, or NULL for a file the strict
reader refused. Readers stream over it a row at a time (:func:`iter_records`),
so no command has to hold the whole archive's text to read it: at 50,000
records the JSON document this replaced cost hundreds of MiB in every
whole-archive view and in every index build.

Freshness follows :mod:`copro.store.freshness` (the rule the index uses); the
seal of the scan the cache last matched is kept, so when nothing changed not
even the per-file table is read, and when a few files changed only those are.
Changed files are parsed and written in batches (a cold cache of 50,000 files
never holds all their bytes). A cache that cannot be opened, or carries another stamp (copro
version, cache format, schema fingerprint), is rebuilt, never trusted; a row
whose JSON is not what copro writes is read again from its file; a cache
folder that cannot be written only costs speed (the cache is kept in memory
for the command).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeGuard

from copro.core.paths import cache_dir, shipped_schemas_dir
from copro.core.version import VERSION
from copro.store.freshness import FileState, Scan, Seal, read_bytes, scan, seal, since
from copro.store.freshness import digest as content_hash

__all__ = [
    "CACHE_FILE",
    "STATEMENT_CACHE_FILE",
    "CachedFile",
    "FrontMatterSource",
    "LazyFrontMatter",
    "RecordCache",
    "RecordEntry",
    "cached_records",
    "cache_as_is",
    "cached_statements",
    "iter_records",
    "open_cache",
    "parse_record",
]

CACHE_FILE = "records.sqlite"
STATEMENT_CACHE_FILE = "statements.sqlite"
"""Consensus statements (``consensus/``) are kept the same way, in their own file."""
CACHE_FORMAT = 3  # 3: SQLite rows instead of one JSON document
LEGACY_FILES = ("records.json", "statements.json")
BATCH = 500
"""Changed files read, parsed and committed at a time (bounds a cold build's memory)."""

RecordEntry = tuple[str, dict[str, Any], str]
"""(relpath, front-matter, body) of one readable record."""

CachedFile = tuple[str, int, int, str, "list[Any] | None"]
"""(relpath, size, mtime_ns, content hash, [front-matter, body] or None) of one file."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS files(
    rel TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
    digest TEXT NOT NULL, parsed TEXT);
"""


def _stamp() -> str:
    schema_file = shipped_schemas_dir() / "engagement.schema.json"
    schema = hashlib.sha256(schema_file.read_bytes()).hexdigest()[:16]
    return f"{CACHE_FORMAT}-{VERSION}-{schema}"


def parse_record(path: str, rel: str, data: bytes) -> list[Any] | None:
    """``[front-matter, body]`` as the strict reader gives them, or None when it refuses
    the file or the gate finds personal data in it (such a record is withheld from
    every view and from the index until it is mended)."""
    from copro.core.records import read_record

    read = read_record(Path(path), rel, data)
    if read.record is None or read.personal_data()[0]:
        return None
    return [read.record.meta, read.record.body]


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _valid_parsed(value: object) -> TypeGuard[list[Any]]:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], dict)
        and isinstance(value[1], str)
    )


class RecordCache:
    """An up-to-date record cache of one scan: stream its rows, in path order."""

    def __init__(self, connection: sqlite3.Connection, found: Scan) -> None:
        self._db = connection
        self.found = found

    def files(self, containing: Sequence[str] = ()) -> Iterator[CachedFile]:
        """Every record file of the scan that could be read, parsed (None when refused).

        ``containing``: only the readable rows whose JSON text holds one of these
        strings (SQLite decides at C speed, without decoding the rest): a superset
        of what the caller wants, which it narrows on the decoded values.
        """
        query = "SELECT rel, size, mtime, digest, parsed FROM files"
        if containing:
            query += " WHERE " + " OR ".join(["instr(parsed, ?) > 0"] * len(containing))
        yield from self._rows(self._db.execute(query + " ORDER BY rel", tuple(containing)))

    def files_at(self, rels: Iterable[str]) -> Iterator[CachedFile]:
        """The rows of these paths that the scan found, in path order (a few records by
        where they belong, without streaming the rest)."""
        wanted = sorted(set(rels))
        for start in range(0, len(wanted), BATCH):
            part = wanted[start : start + BATCH]
            marks = ", ".join("?" * len(part))
            yield from self._rows(
                self._db.execute(
                    "SELECT rel, size, mtime, digest, parsed FROM files "
                    f"WHERE rel IN ({marks}) ORDER BY rel",
                    part,
                )
            )

    def _rows(self, rows: sqlite3.Cursor) -> Iterator[CachedFile]:
        files = self.found.files
        while fetched := rows.fetchmany(BATCH):
            batch = [row for row in fetched if row[0] in files]
            for (rel, size, mtime, digest, _), parsed in zip(
                batch, self._decode(batch), strict=True
            ):
                yield rel, size, mtime, digest, parsed

    def _decode(self, batch: list[tuple[Any, ...]]) -> list[list[Any] | None]:
        """The parsed column of ``batch``, decoded by one ``json.loads``: within one call
        the decoder shares each repeated key string (``title``, ``you_said``...) instead
        of holding a copy per record (tens of MiB at 50,000 records)."""
        texts = [text for *_, text in batch if text is not None]
        try:
            decoded = iter(json.loads("[" + ",".join(texts) + "]"))
        except ValueError:  # a row copro did not write: each on its own
            decoded = iter([_loads(text) for text in texts])
        out: list[list[Any] | None] = []
        for rel, *_, text in batch:
            parsed = None if text is None else next(decoded, None)
            if text is not None and not _valid_parsed(parsed):
                parsed = self._read_again(rel)
            out.append(parsed)
        return out

    def _read_again(self, rel: str) -> list[Any] | None:
        """A row that is not what copro writes: read the file again rather than trust it."""
        path = self.found.files[rel][2]
        data = read_bytes(path)
        return None if data is None else parse_record(path, rel, data)

    def records(self) -> Iterator[RecordEntry]:
        """(relpath, front-matter, body) of every readable record, in path order."""
        for rel, _, _, _, parsed in self.files():
            if parsed is not None:
                yield rel, parsed[0], parsed[1]

    def refused(self) -> list[str]:
        """Paths the strict reader refused (or that hold personal data), and symlinks, sorted."""
        rows = self._db.execute("SELECT rel FROM files WHERE parsed IS NULL")
        listed = {rel for (rel,) in rows if rel in self.found.files}
        unreadable = set(self.found.files) - self._known()
        return sorted(listed | unreadable | set(self.found.symlinks))

    def _known(self) -> set[str]:
        return {rel for (rel,) in self._db.execute("SELECT rel FROM files")}

    def parsed_for(self, rel: str, data: bytes) -> list[Any] | None:
        """The cached ``[front-matter, body]`` of ``rel`` if the cache holds exactly these
        bytes (its content hash decides: no scan needed), else None."""
        row = self._db.execute("SELECT digest, parsed FROM files WHERE rel = ?", (rel,)).fetchone()
        if row is None or row[1] is None or row[0] != content_hash(data):
            return None
        parsed = _loads(row[1])
        return parsed if _valid_parsed(parsed) else None

    def parsed_row(self, rel: str, digest: str) -> list[Any] | None:
        """The cached ``[front-matter, body]`` of ``rel`` as it was for the content hash
        ``digest``, else None (the row changed since, or is gone)."""
        row = self._db.execute(
            "SELECT parsed FROM files WHERE rel = ? AND digest = ?", (rel, digest)
        ).fetchone()
        parsed = _loads(row[0]) if row and row[0] is not None else None
        return parsed if _valid_parsed(parsed) else None

    def close(self) -> None:
        self._db.close()


def open_cache(
    root: Path,
    found: Scan | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache_name: str = CACHE_FILE,
) -> RecordCache:
    """The record cache of ``root`` brought up to date with ``found`` (scanned when None).

    ``progress`` is told (done, to do) while changed files are parsed.
    """
    root = Path(root)
    found = found if found is not None else scan(root)
    folder = cache_dir(root)
    path = folder / cache_name
    for attempt in (1, 2):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            connection = _open(path)
            _bring_up_to_date(connection, found, progress)
            return RecordCache(connection, found)
        except (OSError, sqlite3.Error):
            if attempt == 1:  # damaged, not a database, or locked out: start again
                with contextlib.suppress(OSError):
                    path.unlink()
    connection = sqlite3.connect(":memory:", isolation_level=None)  # cannot write the cache
    connection.executescript(_SCHEMA)
    _bring_up_to_date(connection, found, progress)
    return RecordCache(connection, found)


def cache_as_is(root: Path) -> RecordCache | None:
    """The record cache of ``root`` without bringing it up to date (for
    :meth:`RecordCache.parsed_for`, which checks each file's content hash), or None
    when there is none of this copro's stamp."""
    path = cache_dir(Path(root)) / CACHE_FILE
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, timeout=60, check_same_thread=False
        )
        if _meta(connection, "stamp") == _stamp():
            return RecordCache(connection, Scan())
        connection.close()
    except sqlite3.Error:
        pass
    return None


def _open(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")  # derived data: a lost write is re-parsed
    connection.executescript(_SCHEMA)
    if _meta(connection, "stamp") != _stamp():
        connection.executescript("BEGIN IMMEDIATE; DELETE FROM files; DELETE FROM meta; COMMIT;")
        for legacy in LEGACY_FILES:  # the JSON documents this file replaced (tens of MB)
            with contextlib.suppress(OSError):
                (path.parent / legacy).unlink()
    return connection


def _meta(connection: sqlite3.Connection, key: str) -> object:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _bring_up_to_date(
    connection: sqlite3.Connection, found: Scan, progress: Callable[[int, int], None] | None
) -> None:
    """Parse what changed since the cache's seal, in batches, then seal ``found`` (last:
    a writer stopped half-way leaves rows that are each right, and no seal claiming
    the rest are).

    With a seal, only the files :func:`copro.store.freshness.since` names are looked
    at (none, when only the racy files are read and match); without one (a new
    cache, another copro, a writer stopped half-way), every row's size and mtime are
    compared.
    """
    sealed = Seal.from_meta(lambda key: _meta(connection, key))
    delta = since(found, sealed)
    if delta is not None and not delta and delta.same_listing:
        return
    built_at = _meta(connection, "built_at")
    built_at = built_at if isinstance(built_at, int) else 0
    if delta is None:
        known = {
            rel: [size, mtime, hashed]
            for rel, size, mtime, hashed in connection.execute(
                "SELECT rel, size, mtime, digest FROM files"
            )
        }
        states: Mapping[str, FileState] = found.files
        removed = [rel for rel in known if rel not in states]
        todo = [
            (rel, path, entry[2] if entry is not None else None)
            for rel, (size, mtime, path) in states.items()
            if _maybe_changed(entry := known.get(rel), size, mtime, built_at)
        ]
    else:  # each file the delta names is read and its content hash decides
        known = _rows(connection, [*delta.moved, *delta.removed])
        states = delta.moved
        removed = [rel for rel in delta.removed if rel in known]
        todo = [
            (rel, path, known[rel][2] if rel in known else None)
            for rel, (*_, path) in states.items()
        ]
    started = time.time_ns()
    # No seal while rows change: a writer stopped half-way (Ctrl-C, a kill) leaves
    # nothing that could later say these rows match some scan (a seal without its
    # listing is none; its columns stay, to be rewritten only where they differ).
    _write(connection, "DELETE FROM meta WHERE key IN ('seal_listing', 'fingerprint')", [()])
    _write(connection, "DELETE FROM files WHERE rel = ?", [(rel,) for rel in removed])
    unread = _parse_changed(connection, states, todo, progress)
    racy = {rel: row[2] for rel, row in _rows(connection, found.racy(found.started)).items()}
    meta = [
        ("stamp", _stamp()),
        ("built_at", started if (todo or removed) else (built_at or started)),
        *seal(found, racy, unread).to_meta(sealed),
    ]
    _write(connection, "INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)


def _rows(connection: sqlite3.Connection, rels: list[str]) -> dict[str, list[Any]]:
    """relpath -> [size, mtime, digest] of the cache's rows for ``rels`` (a few)."""
    out: dict[str, list[Any]] = {}
    for start in range(0, len(rels), BATCH):
        part = rels[start : start + BATCH]
        marks = ",".join("?" * len(part))
        for rel, size, mtime, hashed in connection.execute(
            f"SELECT rel, size, mtime, digest FROM files WHERE rel IN ({marks})", part
        ):
            out[rel] = [size, mtime, hashed]
    return out


def _maybe_changed(entry: list[Any] | None, size: int, mtime: int, built_at: int) -> bool:
    """Whether a file needs its content hash looked at (the rule of ``freshness.changes``)."""
    from copro.store.freshness import RACY_NS

    if entry is None or entry[0] != size or entry[1] != mtime:
        return True
    return mtime >= built_at - RACY_NS


Examined = tuple[str, "str | None", "str | None", bool]
"""(relpath, content hash or None when the file could not be read, ``[front-matter, body]``
as JSON or None when refused, whether the content hash is the one the cache knew: only
size or mtime moved)."""


def _parse_changed(
    connection: sqlite3.Connection,
    states: Mapping[str, FileState],
    todo: list[tuple[str, str, str | None]],
    progress: Callable[[int, int], None] | None,
) -> list[str]:
    """Read, hash and parse ``todo`` (relpath, path, known content hash) on every core
    (``copro.core.parallel``), writing each :data:`BATCH` of results as it comes: a cold
    cache of 50,000 files never holds all their bytes or parsed records. Returns the
    files that could not be read (looked at again next time)."""
    from copro.core.parallel import map_chunks

    rows: list[tuple[Any, ...]] = []
    touched: list[tuple[Any, ...]] = []
    unread: list[str] = []
    done = 0
    insert = "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)"
    for results in map_chunks(_examine, todo, chunk=BATCH // 2):
        done += len(results)
        for rel, hashed, text, same in results:
            size, mtime, _ = states[rel]
            if hashed is None:  # a file that could not be read keeps its old row
                unread.append(rel)
            elif same:
                touched.append((size, mtime, hashed, rel))
            else:
                rows.append((rel, size, mtime, hashed, text))
        if len(rows) >= BATCH:
            _write(connection, insert, rows)
            rows = []
        if progress:
            progress(done, len(todo))
    _write(connection, insert, rows)
    _write(connection, "UPDATE files SET size = ?, mtime = ?, digest = ? WHERE rel = ?", touched)
    return unread


def _examine(_: None, todo: list[tuple[str, str, str | None]]) -> list[Examined]:
    """Each file of ``todo`` read, hashed and, unless its content hash is the known one,
    parsed (in a worker process for a large archive)."""
    out: list[Examined] = []
    for rel, path, known in todo:
        data = read_bytes(path)
        if data is None:
            out.append((rel, None, None, False))
            continue
        hashed = content_hash(data)
        if hashed == known:
            out.append((rel, hashed, None, True))
            continue
        parsed = parse_record(path, rel, data)
        text = None if parsed is None else json.dumps(parsed, ensure_ascii=False)
        out.append((rel, hashed, text, False))
    return out


def _write(connection: sqlite3.Connection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    """``rows`` through ``statement`` in one transaction (nothing when there are none)."""
    if not rows:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany(statement, rows)
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def iter_records(root: Path, found: Scan | None = None) -> Iterator[RecordEntry]:
    """(relpath, front-matter, body) of every readable record, in path order, a row at a
    time from the brought-up-to-date cache."""
    cache = open_cache(root, found)
    try:
        yield from cache.records()
    finally:
        cache.close()


def cached_records(root: Path, found: Scan | None = None) -> tuple[list[RecordEntry], list[str]]:
    """(relpath, front-matter, body) of every readable record, and the refused paths, sorted."""
    cache = open_cache(root, found)
    try:
        return list(cache.records()), cache.refused()
    finally:
        cache.close()


def cached_statements(root: Path) -> tuple[list[RecordEntry], list[str]]:
    """(relpath, front-matter, body) of every readable consensus statement, and refused paths.

    Read and kept exactly as records are (the strict reader, personal data
    withheld), in a cache file of their own so the search index never sees them.
    """
    from copro.core.paths import CONSENSUS_DIR

    found = scan(Path(root), folder_name=CONSENSUS_DIR)
    if not found.files and not found.symlinks:
        return [], []  # no statements: nothing to keep
    cache = open_cache(root, found, cache_name=STATEMENT_CACHE_FILE)
    try:
        return list(cache.records()), cache.refused()
    finally:
        cache.close()


class FrontMatterSource:
    """Where a catalog's records find their front-matter again when a view asks for it
    (the JSON export, a report's details): the record cache, one row by path and content
    hash, else the file itself. The few most recent are kept (a view asks one record
    several times in a row); the rest are not held, so a catalog of 50,000 records does
    not carry every front-matter dict beside its typed values (a third of its memory)."""

    KEEP = 32

    def __init__(self, root: Path) -> None:
        import threading

        self.root = root
        self._cache: RecordCache | None | bool = False
        self._lock = threading.Lock()  # a web server's threads share one catalog
        self._recent: dict[tuple[str, str], dict[str, Any]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to another process (the site's page writer) as its root alone: that process
        opens the cache itself when asked."""
        return (FrontMatterSource, (self.root,))

    def front_matter(self, rel: str, digest: str) -> dict[str, Any]:
        with self._lock:
            key = (rel, digest)
            found = self._recent.pop(key, None)
            if found is None:
                found = self._load(rel, digest)
            self._recent[key] = found
            if len(self._recent) > self.KEEP:
                del self._recent[next(iter(self._recent))]
            return found

    def _load(self, rel: str, digest: str) -> dict[str, Any]:
        if self._cache is False:
            self._cache = cache_as_is(self.root)
        cache = self._cache if isinstance(self._cache, RecordCache) else None
        parsed = cache.parsed_row(rel, digest) if cache is not None else None
        path = str(self.root / rel)
        if parsed is None and not os.path.islink(path):  # the cache moved on, or is not kept
            data = read_bytes(path)
            parsed = None if data is None else parse_record(path, rel, data)
        return parsed[0] if parsed is not None else {}


class LazyFrontMatter(Mapping[str, Any]):
    """One record's front-matter, fetched from a :class:`FrontMatterSource` when read."""

    __slots__ = ("_source", "_rel", "_digest")

    def __init__(self, source: FrontMatterSource, rel: str, digest: str) -> None:
        self._source = source
        self._rel = rel
        self._digest = digest

    def _data(self) -> dict[str, Any]:
        return self._source.front_matter(self._rel, self._digest)

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def get(self, key: str, default: Any = None) -> Any:
        return self._data().get(key, default)
