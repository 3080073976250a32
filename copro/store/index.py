"""The search index store: change detection, manifest, generations and lock; no search engine.

The index lives in the user's cache (never in the archive: a Whoosh index
holds pickles, so one that came from elsewhere could run someone else's code),
is stamped with copro's index format, the backend, and the vocabulary and
schema fingerprints, and is rebuilt when a stamp differs or when it cannot be
opened for any reason.

The engine is a :class:`Backend` (``copro.store.index_whoosh``, Whoosh, and
``copro.store.index_sqlite``, SQLite FTS5): it creates, opens, writes and queries an
index inside a generation folder and takes the engine-free types of
``copro.store.query``. Which one: ``copro.yml``'s ``search: {backend: ...}``, else
Whoosh up to :data:`LARGE_ARCHIVE` records and SQLite above (:func:`choose_backend`);
the backend is part of the stamp, so a change of backend rebuilds the index.

Safety: a full build is written into a fresh generation folder and switched in
by atomically replacing the ``current`` pointer (a small file naming the
generation; a plain file rather than a symlink, so a cache copied with
``cp -rL`` or kept on a file system without symlinks still works); an
incremental update commits a new generation of the backend under copro's own
lock and only then rewrites the manifest. A writer killed at any moment leaves
an index that opens and answers, or one that is detected as broken and
rebuilt. A cache that cannot be written (read-only, full, not a folder) is a
usage error naming the variable that chose it (exit 2), never a traceback.
Which records changed is decided by ``copro.store.freshness`` (the rule the record
cache shares), and records are read through the record cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from copro.core.errors import CoproError
from copro.core.fileio import lock_timeout, replace_atomic
from copro.core.model import Engagement
from copro.core.paths import cache_dir, cache_unusable, shipped_schemas_dir
from copro.core.version import VERSION
from copro.core.vocab import Vocabularies, load_vocabularies
from copro.store.freshness import Changes, Scan, changes, fingerprint, scan
from copro.store.query import Document, Hit, QuerySpec, Suggestion, document_for
from copro.store.recordcache import open_cache, parse_record

if TYPE_CHECKING:
    from copro.hub.view import HubView

INDEX_FORMAT = 8  # 4: unstemmed spelling words beside the text fields; 5: hub members;
# 6: the manifest lists refused paths, so an update need not read the record cache;
# 7: a small summary (stamp, counts, fingerprint of the scan) beside the manifest
# 8: the body's prose only (no headings, list markers or guidance comments)
MANIFEST = "copro-manifest.json"
SUMMARY = "copro-summary.json"
"""Stamp, counts and the fingerprint of the files the index was last brought up to date
with: read on every search instead of the manifest, whose per-file table is read only
when something changed."""
CURRENT = "current"
GENERATION_NAME = re.compile(r"gen-[0-9a-f]+-[0-9a-f]+")
LOCK = "index.lock"
Progress = Callable[[int, int], None]


@dataclass
class RefreshReport:
    """What bringing the index up to date did."""

    rebuilt: bool = False
    added: int = 0
    changed: int = 0
    removed: int = 0
    documents: int = 0
    skipped: int = 0
    """Record files the reader refused (not indexed; ``copro validate`` says why)."""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rebuilt": self.rebuilt,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "documents": self.documents,
            "reason": self.reason,
        }


# ---------------------------------------------------------------- the backend seam


class IndexWriter(Protocol):
    """Adds, replaces and deletes documents (by ``path``); nothing shows before commit."""

    def add(self, document: Document) -> None: ...
    def update(self, document: Document) -> None: ...
    def delete(self, path: str) -> None: ...
    def commit(self) -> None: ...
    def cancel(self) -> None: ...


class IndexHandle(Protocol):
    """An opened index: queries, and a writer for an incremental update."""

    def writer(self) -> IndexWriter: ...
    def search(self, spec: QuerySpec, limit: int | None) -> tuple[int, list[Hit]]: ...
    def more_like(
        self, text: str, exclude_path: str, top: int
    ) -> tuple[list[Hit], dict[str, float]]: ...
    def titles(self, ids: set[str]) -> dict[str, str]: ...
    def spelling(self, words: list[str]) -> dict[str, list[Suggestion]]: ...


class Backend(Protocol):
    """A search engine that keeps an index in a folder the store gives it."""

    name: str
    version: int

    def create(self, folder: Path, documents: int) -> IndexWriter: ...
    def open(self, folder: Path) -> IndexHandle: ...
    def analysed_terms(self, text: str) -> set[str]: ...


def _whoosh() -> Backend:
    from copro.store.index_whoosh import WhooshBackend

    return WhooshBackend()


def _sqlite() -> Backend:
    from copro.store.index_sqlite import SqliteBackend

    return SqliteBackend()


BACKENDS: dict[str, Callable[[], Backend]] = {"whoosh": _whoosh, "sqlite": _sqlite}
DEFAULT_BACKEND = "whoosh"
"""What copro uses for an archive of up to :data:`LARGE_ARCHIVE` records."""
LARGE_BACKEND = "sqlite"
"""What copro uses above that: SQLite FTS5 builds and answers faster, in bounded memory
(``benchmarks/README.md``, issue 24)."""
LARGE_ARCHIVE = 20_000


def choose_backend(root: Path, records: Callable[[], int]) -> str:
    """The backend ``copro.yml`` names (``search: {backend: ...}``), else one by size.

    ``records`` counts the record files (called only when the settings name none).
    """
    configured = configured_backend(root)
    if configured is not None:
        if configured not in BACKENDS:
            raise CoproError(
                f"copro.yml: search backend {configured!r} is not one copro has",
                "backends: " + ", ".join(sorted(BACKENDS)) + " (or leave it out: copro chooses)",
            )
        return configured
    return DEFAULT_BACKEND if records() <= LARGE_ARCHIVE else LARGE_BACKEND


def configured_backend(root: Path) -> str | None:
    """``search.backend`` of the archive settings (None when copro.yml names none)."""
    import importlib

    try:
        load_settings = importlib.import_module("copro.core.settings").load_settings
    except ImportError:  # stand-in until the settings module lands (SETTINGS_API.md)
        import yaml

        try:
            settings = yaml.safe_load((root / "copro.yml").read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            return None
        search = settings.get("search") if isinstance(settings, dict) else None
        backend = search.get("backend") if isinstance(search, dict) else None
        return backend if isinstance(backend, str) else None
    backend = load_settings(root).search_backend
    return backend if isinstance(backend, str) else None


# ---------------------------------------------------------------- stamps & files


def _schema_fingerprint() -> str:
    schema_file = shipped_schemas_dir() / "engagement.schema.json"
    return hashlib.sha256(schema_file.read_bytes()).hexdigest()[:16]


def _stamp(vocab: Vocabularies, backend: Backend) -> dict[str, Any]:
    return {
        "format": INDEX_FORMAT,
        "backend": f"{backend.name}-{backend.version}",
        "copro": VERSION,
        "vocab": vocab.fingerprint,
        "schema": _schema_fingerprint(),
    }


def _write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    replace_atomic(path, json.dumps(document))  # one C-encoded string: json.dump streams slowly


def _read_pointer(path: Path) -> str | None:
    """The generation ``current`` names: a pointer file, or a symlink (older caches).

    Anything else (missing, a folder left by ``cp -rL``, a name that is not a
    generation of ours) reads as no index, which is then rebuilt.
    """
    try:
        name = os.readlink(path)
    except OSError:
        try:
            with open(path, encoding="utf-8") as handle:
                name = handle.read(100).strip()
        except (OSError, UnicodeDecodeError):
            return None
    return name if GENERATION_NAME.fullmatch(name) else None


def _well_formed(manifest: Any) -> bool:
    """A manifest of the shape copro writes; valid JSON of another shape means rebuild."""
    if not isinstance(manifest, dict):
        return False
    files, built_at = manifest.get("files"), manifest.get("built_at")
    if not isinstance(files, dict) or type(built_at) is not int:
        return False
    return all(
        type(entry) is list
        and len(entry) == 3
        and type(entry[0]) is int
        and type(entry[1]) is int
        and isinstance(entry[2], str)
        for entry in files.values()
    )


# ---------------------------------------------------------------- the index store


class IndexStore:
    """One archive's index in the cache: generations, the current pointer, the lock."""

    def __init__(
        self, root: Path, backend: str | None = None, *, hub: HubView | None = None
    ) -> None:
        self.root = Path(root).resolve()
        self._backend_name = backend
        self._backend: Backend | None = None
        self._scanned: Scan | None = None
        self.folder = cache_dir(self.root)
        self.timeout = lock_timeout()
        self._opened: tuple[IndexHandle, dict[str, Any]] | None = None
        from copro.hub.view import open_hub

        self.hub = hub if hub is not None else open_hub(self.root)
        """A hub root's view of its members (None for an archive): their records are indexed too."""

    @property
    def backend(self) -> Backend:
        """The search engine: as asked for, else as ``copro.yml`` or the archive's size says."""
        if self._backend is None:
            name = self._backend_name or choose_backend(
                self.root, lambda: len(self._scan(keep=True))
            )
            self._backend = BACKENDS[name]()
        return self._backend

    def _scan(self, keep: bool = False) -> Scan:
        """The record files now; a scan made to choose the backend serves the next refresh."""
        found = self._scanned or scan(self.root)
        self._scanned = found if keep else None
        return found

    def _stamp(self, vocab: Vocabularies) -> dict[str, Any]:
        """The index stamp; in a hub also the member-to-hub term maps the documents used."""
        stamp = _stamp(vocab, self.backend)
        if self.hub is not None:
            maps = json.dumps(self.hub.term_maps(vocab), sort_keys=True)
            stamp["hub_terms"] = hashlib.sha256(maps.encode()).hexdigest()[:16]
        return stamp

    def _engagement(self, rel: str, parsed: list[Any], vocab: Vocabularies) -> Engagement:
        """The engagement of a cached record; a hub member's with its terms as the hub's."""
        if self.hub is None:
            return _engagement(rel, parsed)
        from copro.hub.view import map_front_matter, split_path

        member, path = split_path(rel)
        meta = parsed[0]
        if member is not None:
            meta = map_front_matter(meta, self.hub.term_maps(vocab).get(member, {}), member)
        return Engagement.from_front_matter(meta, parsed[1], path, member)

    @property
    def current_link(self) -> Path:
        return self.folder / CURRENT

    @contextlib.contextmanager
    def _cache_errors(self, doing: str) -> Iterator[None]:
        """Turn a cache that cannot be written (read-only, full, not a folder) into exit 2."""
        try:
            yield
        except TimeoutError:  # filelock's Timeout is an OSError too: the lock says its own
            raise
        except OSError as exc:
            raise cache_unusable(self.folder, f"{doing} the search index", exc) from None

    def lock(self) -> Any:
        from filelock import FileLock

        with self._cache_errors("create"):
            self.folder.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.folder / LOCK), timeout=self.timeout)

    def acquire(self) -> Any:
        from filelock import Timeout

        lock = self.lock()
        try:
            with self._cache_errors("lock"):
                lock.acquire()
        except Timeout:
            raise CoproError(
                "another copro process is updating the search index and did not finish in time",
                f"try again in a moment; if no other copro is running, remove {self.folder / LOCK}",
            ) from None
        return lock

    def current_generation(self) -> Path | None:
        name = _read_pointer(self.current_link)
        if name is None:
            return None
        generation = self.folder / name
        return generation if generation.is_dir() else None

    def open(self, vocab: Vocabularies) -> tuple[IndexHandle, dict[str, Any]] | None:
        """The current index and its summary, or None if missing, stale-stamped or broken."""
        generation = self.current_generation()
        if generation is None:
            return None
        try:
            summary = json.loads((generation / SUMMARY).read_text(encoding="utf-8"))
            if not _well_formed_summary(summary) or summary["stamp"] != self._stamp(vocab):
                return None
            handle = self.backend.open(generation)
            # Segments are read when searched or written; failures there also rebuild.
            self._opened = (handle, summary)
            return handle, summary
        except Exception:  # any failure to open means: rebuild, never crash
            return None

    def _manifest(self) -> dict[str, Any] | None:
        """The current generation's per-file table, or None when it cannot be read."""
        try:
            manifest = json.loads((self._generation() / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError, AssertionError):
            return None
        return manifest if _well_formed(manifest) else None

    def _write_manifest(self, generation: Path, manifest: dict[str, Any], found: Scan) -> None:
        """The manifest, then the summary naming the scan it matches (written last: a
        writer stopped between the two leaves a summary that sends the next run to the
        manifest)."""
        _write_json_atomic(generation / MANIFEST, manifest)
        _write_json_atomic(generation / SUMMARY, _summary(manifest, found))

    # -- full build

    def rebuild(self, vocab: Vocabularies, progress: Progress | None, reason: str) -> RefreshReport:
        lock = self.acquire()
        try:
            return self._rebuild_locked(vocab, progress, reason)
        finally:
            lock.release()

    def _rebuild_locked(
        self, vocab: Vocabularies, progress: Progress | None, reason: str
    ) -> RefreshReport:
        """Build into a fresh generation, point ``current`` at it, drop every other one.

        A build that fails (full disk, read-only cache, Ctrl-C) removes its own
        half-built folder; folders left by builds killed earlier go too.
        """
        with self._cache_errors("build"):
            self._remove_generations(keep=self.current_generation())
            generation = self.folder / f"gen-{time.time_ns():x}-{secrets.token_hex(3)}"
            try:
                generation.mkdir(parents=True)
                report = self._build_into(generation, vocab, progress, reason)
                self._point_current_at(generation)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self._remove_generations(keep=generation)
        return report

    def _build_into(
        self, generation: Path, vocab: Vocabularies, progress: Progress | None, reason: str
    ) -> RefreshReport:
        found = self._scan()
        cache = open_cache(self.root, found, progress)
        writer = self.backend.create(generation, len(found.files))
        entries: dict[str, list[Any]] = {}
        refused: list[str] = []
        started = time.time_ns()
        try:  # a record at a time from the record cache: the archive is never held whole
            for rel, size, mtime, digest, parsed in cache.files():
                entries[rel] = [size, mtime, digest]
                if parsed is None:
                    refused.append(rel)
                else:
                    writer.add(document_for(self._engagement(rel, parsed, vocab)))
            writer.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        finally:
            cache.close()
        self._write_manifest(
            generation,
            {
                "stamp": self._stamp(vocab),
                "built_at": started,
                "files": entries,
                "refused": len(refused),
                "refused_paths": refused,
            },
            found,
        )
        return RefreshReport(
            skipped=len(refused) + len(found.symlinks),
            rebuilt=True,
            added=len(entries),
            documents=len(entries),
            reason=reason,
        )

    def _point_current_at(self, generation: Path) -> None:
        """Replace the ``current`` pointer atomically (a folder in its way is removed first)."""
        self._opened = None
        if self.current_link.is_dir() and not self.current_link.is_symlink():
            shutil.rmtree(self.current_link)
        replace_atomic(self.current_link, generation.name + "\n")

    def _remove_generations(self, keep: Path | None) -> None:
        for other in self.folder.glob("gen-*"):
            if other != keep:
                shutil.rmtree(other, ignore_errors=True)

    # -- incremental refresh

    def refresh(
        self, vocab: Vocabularies, progress: Progress | None = None, force: bool = False
    ) -> RefreshReport:
        """Bring the index up to date, touching only records that changed."""
        if force:
            return self.rebuild(vocab, progress, "rebuild asked for")
        opened = self.open(vocab)
        if opened is None:
            return self.rebuild(vocab, progress, self._why_rebuild())
        handle, summary = opened
        found = self._scan()
        unchanged = RefreshReport(
            documents=summary["documents"], skipped=summary["refused"] + len(found.symlinks)
        )
        known = summary["fingerprint"]
        if known is not None and fingerprint(found, summary["scanned_at"]) == known:
            return unchanged  # the common case: no per-file table read at all
        seen = self._manifest_identity()
        manifest = self._manifest()
        if manifest is None:
            return self.rebuild(vocab, progress, "index manifest unreadable")
        if not changes(found.files, manifest["files"], manifest["built_at"], True):
            self._note_unchanged(manifest, found, seen)
            return unchanged
        lock = self.acquire()
        try:
            if self._manifest_identity() != seen:  # someone else refreshed meanwhile
                opened, manifest = self.open(vocab), self._manifest()
                if opened is None or manifest is None:
                    return self._rebuild_locked(vocab, progress, "index could not be opened")
                handle = opened[0]
            try:
                return self._update_locked(handle, manifest, found, vocab)
            except CoproError:
                raise
            except Exception:  # a damaged segment shows up when written to: rebuild
                return self._rebuild_locked(vocab, progress, "index was damaged")
        finally:
            lock.release()

    def _note_unchanged(
        self, manifest: dict[str, Any], found: Scan, seen: tuple[str, int] | None
    ) -> None:
        """Record that ``found`` matches the index, so the next run needs only the summary."""
        summary = _summary(manifest, found)
        if summary["fingerprint"] is None:
            return  # files changed too recently: their content hashes decide next time
        with contextlib.suppress(OSError, TimeoutError):
            lock = self.lock()
            with lock.acquire(timeout=0.2):
                if self._manifest_identity() == seen:
                    _write_json_atomic(self._generation() / SUMMARY, summary)

    def _manifest_identity(self) -> tuple[str, int] | None:
        generation = self.current_generation()
        if generation is None:
            return None
        try:
            return generation.name, (generation / MANIFEST).stat().st_mtime_ns
        except OSError:
            return None

    def _why_rebuild(self) -> str:
        if self.current_generation() is None:
            return "no index yet"
        return "index from another version, vocabulary or schema, or unreadable"

    def _update_locked(
        self, handle: IndexHandle, manifest: dict[str, Any], found: Scan, vocab: Vocabularies
    ) -> RefreshReport:
        known: dict[str, list[Any]] = manifest["files"]
        diff = changes(found.files, known, int(manifest.get("built_at", 0)))
        assert isinstance(diff, Changes)
        report = RefreshReport(
            added=len(diff.added), changed=len(diff.changed), removed=len(diff.removed)
        )
        for rel, digest in diff.touched.items():
            known[rel] = [*found.files[rel][:2], digest]
        if not diff:
            report.documents = len(known)
            report.skipped = _count(manifest.get("refused")) + len(found.symlinks)
            if diff.touched:
                self._write_manifest(self._generation(), manifest, found)
            return report
        started = time.time_ns()
        # Parse only what changed: loading and rewriting the whole record cache here
        # (every record of the archive) cost more than the update itself; reading
        # views bring the cache up to date when they need it.
        newly_refused: set[str] = set()
        writer = handle.writer()
        try:
            for rel in diff.removed:
                writer.delete(rel)
                known.pop(rel, None)
            for rel, (digest, data) in {**diff.added, **diff.changed}.items():
                known[rel] = [*found.files[rel][:2], digest]
                parsed = parse_record(found.files[rel][2], rel, data)
                if parsed is None:
                    newly_refused.add(rel)
                    writer.delete(rel)
                else:
                    writer.update(document_for(self._engagement(rel, parsed, vocab)))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        manifest["built_at"] = started
        listed = manifest.get("refused_paths")
        refused = set(listed if isinstance(listed, list) else ()) - set(diff.removed)
        refused -= {*diff.added, *diff.changed}
        refused |= newly_refused
        manifest["refused_paths"] = sorted(refused)
        manifest["refused"] = len(refused)
        self._write_manifest(self._generation(), manifest, found)
        self._opened = None  # the committed generation is opened afresh for searching
        report.documents = len(known)
        report.skipped = manifest["refused"] + len(found.symlinks)
        return report

    def _generation(self) -> Path:
        generation = self.current_generation()
        assert generation is not None, "the index was opened, so it has a generation"
        return generation

    # -- queries

    def search(
        self, spec: QuerySpec, limit: int | None, vocab: Vocabularies
    ) -> tuple[int, list[Hit]]:
        """Run a QuerySpec (``limit`` None: every match); a broken index is rebuilt once,
        then the query retried.

        A query too deep for Whoosh is the query's fault, not the index's: it is
        a usage error (``_run`` raises it as one), and nothing is rebuilt.
        """
        for attempt in (1, 2):
            opened = self._opened if attempt == 1 and self._opened else self.open(vocab)
            if opened is None:
                self.rebuild(vocab, None, "index could not be opened")
                continue
            try:
                return opened[0].search(spec, limit)
            except CoproError:
                raise
            except Exception:
                if attempt == 2:
                    raise
                self.rebuild(vocab, None, "index failed while searching")
        raise CoproError("the search index could not be built")

    def more_like(
        self, vocab: Vocabularies, text: str, exclude_path: str, top: int
    ) -> tuple[list[Hit], dict[str, float]]:
        """Records whose findings are most like ``text`` (Whoosh's ``more_like``).

        Returns the record hits, best first, and the key terms (analysed word ->
        weight) the match used, so a caller can tell which finding of a record
        matched. ``exclude_path`` (the record ``text`` came from) is left out.
        """
        opened = self._opened or self.open(vocab)
        if opened is None:
            self.rebuild(vocab, None, "index could not be opened")
            opened = self.open(vocab)
        if opened is None:
            raise CoproError("the search index could not be built")
        return opened[0].more_like(text, exclude_path, top)

    def spelling(self, vocab: Vocabularies, words: Iterable[str]) -> dict[str, list[Suggestion]]:
        """Words no record contains -> the index's own words close to them, best first.

        A word that any record contains is left out of the answer.
        """
        words = list(words)
        opened = (self._opened or self.open(vocab)) if words else None
        if opened is None:
            return {}
        try:
            return opened[0].spelling(words)
        except Exception:  # a damaged index: the search that follows rebuilds it
            return {}

    def titles(self, vocab: Vocabularies, ids: Iterable[str]) -> dict[str, str]:
        """id -> title for the given ids (for showing related records)."""
        opened = self.open(vocab)
        if opened is None:
            return {}
        return opened[0].titles(set(ids))


def _summary(manifest: dict[str, Any], found: Scan) -> dict[str, Any]:
    return {
        "stamp": manifest["stamp"],
        "built_at": manifest["built_at"],
        "documents": len(manifest["files"]),
        "refused": _count(manifest.get("refused")),
        "fingerprint": fingerprint(found),
        "scanned_at": found.started,
    }


def _well_formed_summary(summary: Any) -> bool:
    return (
        isinstance(summary, dict)
        and type(summary.get("built_at")) is int
        and type(summary.get("documents")) is int
        and type(summary.get("refused")) is int
        and type(summary.get("scanned_at")) is int
        and isinstance(summary.get("fingerprint"), (str, type(None)))
        and "stamp" in summary
    )


def _count(value: object) -> int:
    return value if type(value) is int else 0


def _engagement(rel: str, parsed: list[Any]) -> Engagement:
    return Engagement.from_front_matter(parsed[0], parsed[1], rel)


def refresh(root: Path, progress: Progress | None = None, rebuild: bool = False) -> RefreshReport:
    """Bring ``root``'s index up to date (the library form of ``copro index``)."""
    vocab, _ = load_vocabularies(root)
    return IndexStore(root).refresh(vocab, progress, force=rebuild)
