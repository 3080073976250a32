"""The search index: the only module that imports Whoosh.

It lives in the user's cache (never in the archive: a Whoosh index holds
pickles, so one that came from elsewhere could run someone else's code), is
stamped with copro's index format and the vocabulary and schema fingerprints,
and is rebuilt when a stamp differs or when it cannot be opened for any reason.

Safety: a full build is written into a fresh generation folder and switched in
by atomically replacing the ``current`` pointer (a small file naming the
generation; a plain file rather than a symlink, so a cache copied with
``cp -rL`` or kept on a file system without symlinks still works); an
incremental update commits a new Whoosh generation under copro's own lock and
only then rewrites the manifest. A writer killed at any moment leaves an index
that opens and answers, or one that is detected as broken and rebuilt. A cache
that cannot be written (read-only, full, not a folder) is a usage error naming
the variable that chose it (exit 2), never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro import __version__
from copro.archive import cache_dir, cache_setting, shipped_schemas_dir
from copro.errors import EXIT_USAGE, CoproError, UsageError
from copro.fileio import replace_atomic
from copro.freshness import Changes, Scan, changes, scan
from copro.model import Engagement
from copro.recordcache import parse_record, refresh_cache
from copro.vocab import Vocabularies, load_vocabularies

INDEX_FORMAT = 4  # 4: unstemmed spelling words beside the text fields
MANIFEST = "copro-manifest.json"
CURRENT = "current"
GENERATION_NAME = re.compile(r"gen-[0-9a-f]+-[0-9a-f]+")
LOCK = "index.lock"
PARALLEL_BUILD_FROM = 1000
"""Whoosh's two-process writer pays off from about this many records."""
Progress = Callable[[int, int], None]
FACETS = ("topics", "populations", "places", "methods")


@dataclass
class RefreshReport:
    """What bringing the index up to date did."""

    rebuilt: bool = False
    added: int = 0
    changed: int = 0
    removed: int = 0
    documents: int = 0
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


@dataclass
class Hit:
    id: str
    title: str
    date: str
    path: str
    score: float
    snippet: str
    populations: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "path": self.path,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


# ---------------------------------------------------------------- schema & docs


def _schema() -> Any:
    from whoosh import fields
    from whoosh.analysis import StemmingAnalyzer

    text = StemmingAnalyzer()
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=fields.TEXT(stored=True, analyzer=text, field_boost=3.0, spelling=True),
        date=fields.ID(stored=True, sortable=True),
        asked=fields.TEXT(stored=True, analyzer=text, field_boost=1.5, spelling=True),
        findings=fields.TEXT(stored=True, analyzer=text, field_boost=2.0, spelling=True),
        actions=fields.TEXT(stored=True, analyzer=text, field_boost=1.5, spelling=True),
        body=fields.TEXT(stored=True, analyzer=text, spelling=True),
        topics=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        populations=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        places=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        methods=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        ladder=fields.ID(stored=True),
        status=fields.ID(stored=True),
        orgs=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        sectors=fields.KEYWORD(commas=True, lowercase=True),
    )


TEXT_FIELDS = ("title", "asked", "findings", "actions", "body")


def document_for(engagement: Engagement) -> dict[str, str]:
    """The Whoosh document for one engagement."""
    return {
        "path": engagement.path,
        "id": engagement.id,
        "title": engagement.display_title,
        "date": engagement.date,
        "asked": "\n".join(engagement.asked),
        "findings": "\n".join(f.text for f in engagement.findings),
        "actions": "\n".join(f"{a.text} {a.reason or ''}" for a in engagement.actions),
        "body": engagement.body,
        "topics": ",".join(engagement.all_topics),
        "populations": ",".join(engagement.populations),
        "places": ",".join(engagement.places),
        "methods": ",".join(engagement.methods),
        "ladder": engagement.ladder,
        "status": engagement.status,
        "orgs": ",".join(o.name.replace(",", " ") for o in engagement.organisations),
        "sectors": ",".join(o.sector for o in engagement.organisations),
    }


# ---------------------------------------------------------------- stamps & files


def _schema_fingerprint() -> str:
    schema_file = shipped_schemas_dir() / "engagement.schema.json"
    return hashlib.sha256(schema_file.read_bytes()).hexdigest()[:16]


def _stamp(vocab: Vocabularies) -> dict[str, Any]:
    return {
        "format": INDEX_FORMAT,
        "copro": __version__,
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


def _lock_timeout() -> float:
    """Seconds to wait for another writer: ``COPRO_LOCK_TIMEOUT``, default 60."""
    raw = os.environ.get("COPRO_LOCK_TIMEOUT", "60")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise UsageError(
            f"COPRO_LOCK_TIMEOUT={raw!r} is not a number of seconds",
            "set COPRO_LOCK_TIMEOUT to a number of seconds of 0 or more (e.g. 60), or unset it",
        )
    return value


# ---------------------------------------------------------------- the index store


class IndexStore:
    """One archive's index in the cache: generations, the current pointer, the lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.folder = cache_dir(self.root)
        self.timeout = _lock_timeout()
        self._opened: tuple[Any, dict[str, Any]] | None = None

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

    def open(self, vocab: Vocabularies) -> tuple[Any, dict[str, Any]] | None:
        """The current index and manifest, or None if missing, stale-stamped or broken."""
        generation = self.current_generation()
        if generation is None:
            return None
        try:
            manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
            if not _well_formed(manifest) or manifest.get("stamp") != _stamp(vocab):
                return None
            from whoosh import index as whoosh_index

            ix = whoosh_index.open_dir(str(generation))
            # Segments are read when searched or written; failures there also rebuild.
            self._opened = (ix, manifest)
            return ix, manifest
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
        from whoosh import index as whoosh_index

        found = scan(self.root)
        cached = refresh_cache(self.root, found, progress)[0]["files"]
        ix = whoosh_index.create_in(str(generation), _schema())
        if len(found.files) >= PARALLEL_BUILD_FROM and (os.cpu_count() or 1) > 1:
            writer = ix.writer(procs=2, multisegment=True, limitmb=256)
        else:
            writer = ix.writer(limitmb=128)
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
                    writer.add_document(**document_for(_engagement(rel, parsed)))
            writer.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        _write_json_atomic(
            generation / MANIFEST, {"stamp": _stamp(vocab), "built_at": started, "files": entries}
        )
        return RefreshReport(
            rebuilt=True, added=len(entries), documents=len(entries), reason=reason
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
        ix, manifest = opened
        found = scan(self.root)
        if not changes(found.files, manifest["files"], int(manifest.get("built_at", 0)), True):
            return RefreshReport(documents=len(manifest["files"]))
        seen = self._manifest_identity()
        lock = self.acquire()
        try:
            if self._manifest_identity() != seen:  # someone else refreshed meanwhile
                opened = self.open(vocab)
                if opened is None:
                    return self._rebuild_locked(vocab, progress, "index could not be opened")
                ix, manifest = opened
            try:
                return self._update_locked(ix, manifest, found)
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

    def _update_locked(self, ix: Any, manifest: dict[str, Any], found: Scan) -> RefreshReport:
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
            if diff.touched:
                _write_json_atomic(self._generation() / MANIFEST, manifest)
            return report
        started = time.time_ns()
        cached = refresh_cache(self.root, found)[0]["files"]
        writer = ix.writer()
        try:
            for rel in diff.removed:
                writer.delete_by_term("path", rel)
                known.pop(rel, None)
            for rel, (digest, data) in {**diff.added, **diff.changed}.items():
                known[rel] = [*found.files[rel][:2], digest]
                entry = cached.get(rel)
                if entry is not None and entry[2] == digest:
                    parsed = entry[3]
                else:  # changed again between the two reads: index what was hashed
                    parsed = parse_record(found.files[rel][2], rel, data)
                if parsed is None:
                    writer.delete_by_term("path", rel)
                else:
                    writer.update_document(**document_for(_engagement(rel, parsed)))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        manifest["built_at"] = started
        _write_json_atomic(self._generation() / MANIFEST, manifest)
        self._opened = None  # the committed generation is opened afresh for searching
        report.documents = len(known)
        return report

    def _generation(self) -> Path:
        generation = self.current_generation()
        assert generation is not None, "the index was opened, so it has a generation"
        return generation

    # -- queries

    def search(self, spec: Any, limit: int, vocab: Vocabularies) -> tuple[int, list[Hit]]:
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
                return _run(opened[0], spec, limit)
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
        with opened[0].searcher() as searcher:
            docnum = searcher.document_number(path=exclude_path)
            terms = dict(searcher.key_terms_from_text("findings", text, numterms=12))
            if not terms:
                return [], {}
            results = searcher.more_like(
                docnum if docnum is not None else -1, "findings", text=text, top=top, numterms=12
            )
            hits = [
                Hit(
                    id=hit["id"],
                    title=hit.get("title", ""),
                    date=hit.get("date", ""),
                    path=hit["path"],
                    score=hit.score if isinstance(hit.score, float) else 0.0,
                    snippet="",
                )
                for hit in results
            ]
        return hits, terms

    def spelling(self, vocab: Vocabularies, words: Iterable[str]) -> dict[str, list[Suggestion]]:
        """Words no record contains -> the index's own words close to them, best first.

        Candidates come from the unstemmed spelling words Whoosh keeps beside
        each text field, within two edits (a swap of neighbouring letters is
        one) and sharing the first letter; best = fewest edits, then the most
        records. A word that any record contains is left out of the answer.
        """
        words = list(words)
        opened = (self._opened or self.open(vocab)) if words else None
        if opened is None:
            return {}
        try:
            return self._spelling(opened[0], words)
        except Exception:  # a damaged index: the search that follows rebuilds it
            return {}

    def _spelling(self, ix: Any, words: list[str]) -> dict[str, list[Suggestion]]:
        schema = ix.schema
        found: dict[str, list[Suggestion]] = {}
        with ix.searcher() as searcher:
            reader = searcher.reader()
            for word in words:
                terms = _analysed(schema, word)
                if not terms or any(
                    reader.doc_frequency(name, term) for term in terms for name in TEXT_FIELDS
                ):
                    continue
                candidates: dict[str, Suggestion] = {}
                lowered = word.lower()
                for name in TEXT_FIELDS:
                    spell_field = schema[name].spelling_fieldname(name)
                    for candidate in reader.terms_within(spell_field, lowered, 2, prefix=1):
                        distance = edit_distance(lowered, candidate)
                        if candidate == lowered or distance > 2 or candidate in candidates:
                            continue
                        stems = _analysed(schema, candidate)
                        records = max(
                            (reader.doc_frequency(f, t) for t in stems for f in TEXT_FIELDS),
                            default=0,
                        )
                        candidates[candidate] = Suggestion(candidate, distance, records)
                found[word] = sorted(candidates.values(), key=lambda s: (s.distance, -s.records))
        return found

    def titles(self, vocab: Vocabularies, ids: Iterable[str]) -> dict[str, str]:
        """id -> title for the given ids (for showing related records)."""
        opened = self.open(vocab)
        if opened is None:
            return {}
        wanted = set(ids)
        out = {}
        with opened[0].searcher() as searcher:
            for stored in searcher.all_stored_fields():
                if stored.get("id") in wanted:
                    out[stored["id"]] = stored.get("title", "")
        return out


def _engagement(rel: str, parsed: list[Any]) -> Engagement:
    return Engagement.from_front_matter(parsed[0], parsed[1], rel)


# ---------------------------------------------------------------- query translation


def _bold_formatter() -> Any:
    """A Whoosh highlight formatter that marks matched words as Markdown **bold**."""
    from whoosh import highlight

    class BoldFormatter(highlight.Formatter):
        between = " … "

        def format_token(self, text: str, token: Any, replace: bool = False) -> str:
            return "**" + highlight.get_text(text, token, replace) + "**"

    return BoldFormatter()


@dataclass(frozen=True)
class Suggestion:
    """A word of the index close to a word no record contains."""

    word: str
    distance: int
    records: int


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, replace, or swap neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def _run(ix: Any, spec: Any, limit: int) -> tuple[int, list[Hit]]:
    try:
        return _run_query(ix, spec, limit)
    except RecursionError:  # Whoosh builds and walks its matchers recursively
        raise UsageError(
            "the query has too many words or operators to be answered",
            "search for fewer words (a few well-chosen words find the same records)",
        ) from None


def _run_query(ix: Any, spec: Any, limit: int) -> tuple[int, list[Hit]]:
    from whoosh import highlight

    query = _to_whoosh(spec, ix.schema)
    with ix.searcher() as searcher:
        sortedby = None if spec.has_text else "date"
        results = searcher.search(
            query, limit=limit, sortedby=sortedby, reverse=sortedby is not None, terms=True
        )
        results.highlighter.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=50)
        results.highlighter.formatter = _bold_formatter()
        total = len(results)
        hits = []
        for hit in results:
            hits.append(
                Hit(
                    id=hit["id"],
                    title=hit.get("title", ""),
                    date=hit.get("date", ""),
                    path=hit["path"],
                    score=hit.score if isinstance(hit.score, float) else 0.0,
                    snippet=_snippet(hit, spec.has_text),
                    populations=[p for p in hit.get("populations", "").split(",") if p],
                    topics=[t for t in hit.get("topics", "").split(",") if t],
                )
            )
    return total, hits


def _snippet(hit: Any, has_text: bool) -> str:
    if has_text:
        for name in ("findings", "title", "asked", "actions", "body"):
            try:
                text = hit.highlights(name, top=2)
            except Exception:  # a field without stored text or positions
                text = ""
            if text:
                return " ".join(text.split())
    first = (hit.get("findings") or hit.get("body") or "").strip()
    first = " ".join(line for line in first.splitlines() if not line.startswith("#")).strip()
    return (first[:157] + "…") if len(first) > 160 else first


def _to_whoosh(spec: Any, schema: Any) -> Any:
    from whoosh import qparser, query

    must: list[Any] = []
    if spec.raw_syntax:
        _check_fields(spec.raw_syntax, schema)
        parser = qparser.MultifieldParser(
            list(TEXT_FIELDS), schema, fieldboosts=None, group=qparser.AndGroup
        )
        parsed = parser.parse(spec.raw_syntax)
        if parsed is query.NullQuery or type(parsed).__name__ == "_NullQuery":
            raise UsageError(
                f"the query {spec.raw_syntax!r} could not be understood",
                "quote words to search for them literally, e.g. copro search '\"12:30\"'; "
                "fields are title, asked, findings, actions, body, topics, populations, places",
            )
        must.append(parsed)
    concept_queries = []
    seen: set[tuple[Any, ...]] = set()
    for concept in spec.concepts:
        key = (
            tuple(concept.texts),
            tuple(sorted((k, tuple(sorted(v))) for k, v in concept.facets.items())),
        )
        if key in seen:  # a word said twice asks nothing new (and deepens Whoosh's matchers)
            continue
        seen.add(key)
        options = []
        for word_group in concept.texts:
            terms = _analysed(schema, word_group)
            if terms:
                per_field = [
                    query.And([query.Term(name, t) for t in terms])
                    if len(terms) > 1
                    else query.Term(name, terms[0])
                    for name in TEXT_FIELDS
                ]
                options.append(query.Or(per_field))
        for facet, ids in concept.facets.items():
            options.extend(query.Term(facet, term_id) for term_id in sorted(ids))
        if options:
            concept_queries.append(query.Or(options))
    if concept_queries:
        combine = query.And if spec.match_all else query.Or
        must.append(combine(concept_queries))
    for facet, ids in spec.filters.items():
        must.append(query.Or([query.Term(facet, v) for v in sorted(ids)]))
    for pattern in spec.org_patterns:
        must.append(query.Wildcard("orgs", f"*{pattern.lower()}*"))
    if spec.since or spec.until:
        must.append(query.TermRange("date", spec.since, spec.until))
    if not must:
        return query.Every()
    return must[0] if len(must) == 1 else query.And(must)


def _check_fields(text: str, schema: Any) -> None:
    outside_quotes = re.sub(r'"[^"]*"', " ", text)
    for name in re.findall(r"(\w+):", outside_quotes):
        if name not in schema.names():
            raise UsageError(
                f"the query names a field {name!r} that does not exist",
                "to search for text containing ':' put it in double quotes, e.g. "
                "copro search '\"12:30\"'; fields: " + ", ".join(sorted(schema.names())),
            )


def _analysed(schema: Any, text: str) -> list[str]:
    analyzer = schema["body"].analyzer
    return [token.text for token in analyzer(text)]


def analysed_terms(text: str) -> set[str]:
    """The index's words for ``text`` (lower case, stemmed, stop words left out)."""
    from whoosh.analysis import StemmingAnalyzer

    return {token.text for token in StemmingAnalyzer()(text)}


def refresh(root: Path, progress: Progress | None = None, rebuild: bool = False) -> RefreshReport:
    """Bring ``root``'s index up to date (the library form of ``copro index``)."""
    vocab, _ = load_vocabularies(root)
    return IndexStore(root).refresh(vocab, progress, force=rebuild)


update_index = refresh
