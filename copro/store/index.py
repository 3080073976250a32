"""The search index store: change detection, manifest, generations and lock; no search engine.

The index lives in the user's cache (never in the archive: a Whoosh index
holds pickles, so one that came from elsewhere could run someone else's code),
is stamped with copro's index format, the backend, and the vocabulary and
schema fingerprints, and is rebuilt when a stamp differs or when it cannot be
opened for any reason.

The engine is a :class:`Backend` (``copro.store.index_whoosh`` is the one there is):
it creates, opens, writes and queries an index inside a generation folder and
takes the engine-free types of ``copro.store.query``. A second engine would be one
module and one entry in :data:`BACKENDS`.

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

from copro.core.errors import EXIT_USAGE, CoproError
from copro.core.fileio import lock_timeout, replace_atomic
from copro.core.model import Engagement
from copro.core.paths import cache_dir, cache_setting, shipped_schemas_dir
from copro.core.version import VERSION
from copro.core.vocab import Vocabularies, load_vocabularies
from copro.store.freshness import Changes, Scan, changes, scan
from copro.store.query import Document, Hit, QuerySpec, Suggestion, document_for
from copro.store.recordcache import parse_record, refresh_cache

if TYPE_CHECKING:
    from copro.hub.view import HubView

INDEX_FORMAT = 6  # 4: unstemmed spelling words beside the text fields; 5: hub members;
# 6: the manifest lists refused paths, so an update need not read the record cache
MANIFEST = "copro-manifest.json"
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
    def search(self, spec: QuerySpec, limit: int) -> tuple[int, list[Hit]]: ...
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


BACKENDS: dict[str, Callable[[], Backend]] = {"whoosh": _whoosh}
DEFAULT_BACKEND = "whoosh"


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
        self, root: Path, backend: str = DEFAULT_BACKEND, *, hub: HubView | None = None
    ) -> None:
        self.root = Path(root).resolve()
        self.backend = BACKENDS[backend]()
        self.folder = cache_dir(self.root)
        self.timeout = lock_timeout()
        self._opened: tuple[IndexHandle, dict[str, Any]] | None = None
        from copro.hub.view import open_hub

        self.hub = hub if hub is not None else open_hub(self.root)
        """A hub root's view of its members (None for an archive): their records are indexed too."""

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
            _, variable = cache_setting()
            reason = exc.strerror or str(exc)
            raise CoproError(
                f"cannot {doing} the search index in {self.folder}: {reason}",
                f"the cache folder comes from {variable}; free some space or make it writable, "
                "or set COPRO_CACHE_DIR to a writable absolute folder",
                EXIT_USAGE,
            ) from None

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
        """The current index and manifest, or None if missing, stale-stamped or broken."""
        generation = self.current_generation()
        if generation is None:
            return None
        try:
            manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
            if not _well_formed(manifest) or manifest.get("stamp") != self._stamp(vocab):
                return None
            handle = self.backend.open(generation)
            # Segments are read when searched or written; failures there also rebuild.
            self._opened = (handle, manifest)
            return handle, manifest
        except Exception:  # any failure to open means: rebuild, never crash
            return None

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
        found = scan(self.root)
        cached = refresh_cache(self.root, found, progress)[0]["files"]
        writer = self.backend.create(generation, len(found.files))
        entries: dict[str, list[Any]] = {}
        started = time.time_ns()
        try:
            for rel in sorted(found.files):
                entry = cached.get(rel)
                if entry is None:  # could not be read at all
                    continue
                size, mtime, digest, parsed = entry
                entries[rel] = [size, mtime, digest]
                if parsed is not None:
                    writer.add(document_for(self._engagement(rel, parsed, vocab)))
            writer.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        _write_json_atomic(
            generation / MANIFEST,
            {
                "stamp": self._stamp(vocab),
                "built_at": started,
                "files": entries,
                "refused": len(_refused(cached, found)),
                "refused_paths": _refused(cached, found),
            },
        )
        return RefreshReport(
            skipped=len(_refused(cached, found)) + len(found.symlinks),
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
        handle, manifest = opened
        found = scan(self.root)
        if not changes(found.files, manifest["files"], int(manifest.get("built_at", 0)), True):
            return RefreshReport(
                documents=len(manifest["files"]),
                skipped=_count(manifest.get("refused")) + len(found.symlinks),
            )
        seen = self._manifest_identity()
        lock = self.acquire()
        try:
            if self._manifest_identity() != seen:  # someone else refreshed meanwhile
                opened = self.open(vocab)
                if opened is None:
                    return self._rebuild_locked(vocab, progress, "index could not be opened")
                handle, manifest = opened
            try:
                return self._update_locked(handle, manifest, found, vocab)
            except CoproError:
                raise
            except Exception:  # a damaged segment shows up when written to: rebuild
                return self._rebuild_locked(vocab, progress, "index was damaged")
        finally:
            lock.release()

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
                _write_json_atomic(self._generation() / MANIFEST, manifest)
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
        _write_json_atomic(self._generation() / MANIFEST, manifest)
        self._opened = None  # the committed generation is opened afresh for searching
        report.documents = len(known)
        report.skipped = manifest["refused"] + len(found.symlinks)
        return report

    def _generation(self) -> Path:
        generation = self.current_generation()
        assert generation is not None, "the index was opened, so it has a generation"
        return generation

    # -- queries

    def search(self, spec: QuerySpec, limit: int, vocab: Vocabularies) -> tuple[int, list[Hit]]:
        """Run a QuerySpec; a broken index is rebuilt once, then the query retried.

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


def _refused(cached: dict[str, list[Any]], found: Scan) -> list[str]:
    """The record files the strict reader (or the personal-data gate) refused."""
    return sorted(rel for rel in found.files if rel in cached and cached[rel][3] is None)


def _count(value: object) -> int:
    return value if type(value) is int else 0


def _engagement(rel: str, parsed: list[Any]) -> Engagement:
    return Engagement.from_front_matter(parsed[0], parsed[1], rel)


def analysed_terms(text: str, backend: str = DEFAULT_BACKEND) -> set[str]:
    """The index's words for ``text`` (how the backend analyses text)."""
    return BACKENDS[backend]().analysed_terms(text)


def refresh(root: Path, progress: Progress | None = None, rebuild: bool = False) -> RefreshReport:
    """Bring ``root``'s index up to date (the library form of ``copro index``)."""
    vocab, _ = load_vocabularies(root)
    return IndexStore(root).refresh(vocab, progress, force=rebuild)
