"""The reference table: which record files name which records, kept in the user cache.

One record's view needs the records that point at it (revisits of its findings,
``related``, ``supersedes``, a statement's evidence) as well as those it points
at. Finding them by reading the whole archive costs seconds and hundreds of MiB
at 50,000 records; this table answers in milliseconds. Per record file it keeps
every record id the file's bytes name (with the ``S`` number when written
``ID#SN``), found without parsing YAML: a superset of the real references (an id
quoted in a body counts too), which callers narrow by reading the few files it
names. It lives in ``references.sqlite`` beside the record cache (standard
library ``sqlite3``: data only, never code), follows the freshness rule of
:mod:`copro.store.freshness`, and keeps the seal of the scan it matched, so
when nothing changed not even its per-file table is read, and when a few files
changed only those are. A table that
cannot be opened is rebuilt; one that cannot be written is built in memory
(slower, never wrong).

    from copro.store.references import references

    refs = references(root)                     # brought up to date first
    refs.naming("2019-03-somali-mothers-parenting")      # ['archive/2024/...md', ...]
    refs.highest_findings(["2019-03-somali-mothers-parenting"])  # {'2019-...': 3}
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from copro.core.model import Engagement, Statement
from copro.core.paths import cache_dir, cache_unusable
from copro.core.records import ID_PATTERN
from copro.core.version import VERSION
from copro.store.freshness import (
    Changes,
    FileState,
    Scan,
    Seal,
    changes,
    scan,
    seal,
    since,
)

__all__ = [
    "REFERENCES_FILE",
    "References",
    "evidence_neighbourhood",
    "names_in",
    "neighbourhood",
    "references",
]

REFERENCES_FILE = "references.sqlite"
FORMAT = 1
_NAMED = re.compile(rb"(?<![\w-])(" + ID_PATTERN.pattern.encode() + rb")(?:#S([0-9]+))?")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS files(rel TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, digest TEXT);
CREATE TABLE IF NOT EXISTS names(rel TEXT NOT NULL, target TEXT NOT NULL, finding INTEGER);
CREATE INDEX IF NOT EXISTS names_target ON names(target);
CREATE INDEX IF NOT EXISTS names_rel ON names(rel);
"""


def names_in(data: bytes) -> set[tuple[str, int]]:
    """Every ``(record id, S number)`` the bytes name (0 when no finding is named)."""
    return {(m[1].decode(), int(m[2] or 0)) for m in _NAMED.finditer(data)}


class References:
    """An up-to-date reference table of one archive (not a hub: members name their own)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def naming(self, record_id: str) -> list[str]:
        """Paths of the record files that name ``record_id`` (its own file left out)."""
        rows = self._db.execute(
            "SELECT DISTINCT rel FROM names WHERE target = ? ORDER BY rel", (record_id,)
        )
        own = f"/{record_id}.md"
        return [rel for (rel,) in rows if not rel.endswith(own)]

    def naming_finding(self, record_id: str, number: int) -> list[str]:
        """Paths of the record files that name finding ``S<number>`` of ``record_id``."""
        rows = self._db.execute(
            "SELECT DISTINCT rel FROM names WHERE target = ? AND finding = ? ORDER BY rel",
            (record_id, number),
        )
        return [rel for (rel,) in rows]

    def highest_findings(self, record_ids: Iterable[str]) -> dict[str, int]:
        """For each id, the highest ``S`` number any file names for it (ids never named:
        left out)."""
        out: dict[str, int] = {}
        for record_id in set(record_ids):
            (highest,) = self._db.execute(
                "SELECT max(finding) FROM names WHERE target = ?", (record_id,)
            ).fetchone()
            if highest:
                out[record_id] = int(highest)
        return out

    def close(self) -> None:
        self._db.close()


def references(root: Path, found: Scan | None = None) -> References:
    """The reference table of ``root``, brought up to date with its record files."""
    root = Path(root)
    found = found if found is not None else scan(root, hub=False)
    folder = cache_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cache_unusable(folder, "create the reference table", exc) from None
    path = folder / REFERENCES_FILE
    for attempt in (1, 2):
        try:
            connection = _open(path)
            _bring_up_to_date(connection, found)
            return References(connection)
        except (OSError, sqlite3.Error):
            if attempt == 1:  # damaged or from another copro: start again
                with contextlib.suppress(OSError):
                    path.unlink()
    connection = sqlite3.connect(":memory:", isolation_level=None)  # cannot write the cache
    connection.executescript(_SCHEMA)
    _bring_up_to_date(connection, found)
    return References(connection)


def _open(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")  # derived data: a lost write is read again
    connection.executescript(_SCHEMA)
    stamp = _meta(connection, "stamp")
    if stamp not in (None, _stamp()):
        connection.executescript("DELETE FROM files; DELETE FROM names; DELETE FROM meta;")
    return connection


def _stamp() -> str:
    return f"{FORMAT}-{VERSION}"


def _meta(connection: sqlite3.Connection, key: str) -> object:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _bring_up_to_date(connection: sqlite3.Connection, found: Scan) -> None:
    """Read what changed since the table's seal (:func:`copro.store.freshness.since`: when
    nothing did, only the racy files are read), else compare the per-file table."""
    sealed = Seal.from_meta(lambda key: _meta(connection, key))
    delta = since(found, sealed)
    if delta is not None and not delta and delta.same_listing:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        built_at = _meta(connection, "built_at")
        built_at = built_at if isinstance(built_at, int) else 0
        started = time.time_ns()
        if delta is None:
            known = {
                rel: [size, mtime, digest]
                for rel, size, mtime, digest in connection.execute("SELECT * FROM files")
            }
            states: Mapping[str, FileState] = found.files
            diff = changes(states, known, built_at)
        else:
            known = _rows(connection, [*delta.moved, *delta.removed])
            states = delta.moved
            diff = changes(states, known, built_at, hash_all=True)
        assert isinstance(diff, Changes)
        for rel in diff.removed:
            _forget(connection, rel)
        for rel, (digest, data) in {**diff.added, **diff.changed}.items():
            _forget(connection, rel)
            size, mtime, _ = states[rel]
            connection.execute("INSERT INTO files VALUES (?, ?, ?, ?)", (rel, size, mtime, digest))
            connection.executemany(
                "INSERT INTO names VALUES (?, ?, ?)",
                [(rel, target, number) for target, number in names_in(data)],
            )
        for rel, digest in diff.touched.items():
            size, mtime, _ = states[rel]
            connection.execute(
                "UPDATE files SET size = ?, mtime = ?, digest = ? WHERE rel = ?",
                (size, mtime, digest, rel),
            )
        racy = {rel: row[2] for rel, row in _rows(connection, found.racy(found.started)).items()}
        meta = [
            ("stamp", _stamp()),
            ("built_at", started if diff else (built_at or started)),
            *seal(found, racy, diff.unread).to_meta(sealed),
        ]
        connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def _rows(connection: sqlite3.Connection, rels: list[str]) -> dict[str, list[Any]]:
    """relpath -> [size, mtime, digest] of the table's rows for ``rels`` (a few)."""
    out: dict[str, list[Any]] = {}
    for start in range(0, len(rels), 500):
        part = rels[start : start + 500]
        marks = ",".join("?" * len(part))
        for rel, size, mtime, digest in connection.execute(
            f"SELECT rel, size, mtime, digest FROM files WHERE rel IN ({marks})", part
        ):
            out[rel] = [size, mtime, digest]
    return out


def _forget(connection: sqlite3.Connection, rel: str) -> None:
    connection.execute("DELETE FROM files WHERE rel = ?", (rel,))
    connection.execute("DELETE FROM names WHERE rel = ?", (rel,))


def neighbourhood(root: Path, engagement: Engagement) -> list[Engagement]:
    """The readable records that name ``engagement`` and those it names, each read from its
    file: all that one record's standing, links and "checked again" depend on.

    For an archive, not a hub (a hub's members are read through its catalog).
    """
    root = Path(root)
    table = references(root)
    try:
        inbound = table.naming(engagement.id)
    finally:
        table.close()
    named = {*engagement.related, *([engagement.supersedes] if engagement.supersedes else [])}
    named |= {
        revisit.finding.partition("#")[0]
        for finding in engagement.findings
        for revisit in finding.revisits
        if revisit.member is None
    }
    paths = dict.fromkeys(inbound)
    paths.update(dict.fromkeys(_record_rels(root, named - {engagement.id})))
    return _read_engagements(root, paths)


def evidence_neighbourhood(root: Path, statement: Statement) -> list[Engagement]:
    """The readable records a statement's evidence cites and those that name the cited
    findings (the revisits among them set each finding's standing), each read from its
    file: all that the statement's facts, currency and thanks depend on.

    For an archive, not a hub; evidence naming another member (``member:ID#SN``)
    is left unresolved, as the archive's catalog leaves it.
    """
    root = Path(root)
    cited: dict[str, set[int]] = {}
    for evidence in statement.evidence:
        if evidence.member is None:
            digits = evidence.finding_id[1:]
            cited.setdefault(evidence.record_id, set()).add(int(digits) if digits.isdigit() else 0)
    paths = dict.fromkeys(_record_rels(root, set(cited)))
    table = references(root)
    try:
        for record_id, numbers in sorted(cited.items()):
            for number in sorted(numbers):
                paths.update(dict.fromkeys(table.naming_finding(record_id, number)))
    finally:
        table.close()
    return _read_engagements(root, paths)


def _record_rels(root: Path, record_ids: set[str]) -> list[str]:
    """Where the records of these (well-formed) ids belong, relative to ``root``."""
    from copro.core.paths import record_path

    return [
        record_path(root, record_id).relative_to(root).as_posix()
        for record_id in sorted(record_ids)
        if ID_PATTERN.fullmatch(record_id)
    ]


def _read_engagements(root: Path, rels: Iterable[str]) -> list[Engagement]:
    """The readable records among ``rels`` (files under ``archive/``, never a link), read
    with the strict reader; files that do not exist or are refused are left out."""
    from copro.core.paths import ARCHIVE_DIR
    from copro.store.freshness import read_bytes
    from copro.store.recordcache import parse_record

    found = []
    for rel in rels:
        full = root / rel
        data = read_bytes(str(full)) if rel.startswith(ARCHIVE_DIR + "/") else None
        if data is None or full.is_symlink():
            continue
        parsed = parse_record(str(full), rel, data)
        if parsed is not None:
            found.append(Engagement.from_front_matter(parsed[0], parsed[1], rel))
    return found
