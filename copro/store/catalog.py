"""Every engagement of an archive (or of several, for a hub), read once.

The API other modules use::

    from copro.store.catalog import Source, load_catalog, load_engagement

    catalog = load_catalog(root)                 # the archive's own records
    catalog.engagements                          # tuple[Engagement, ...], in path order
    catalog.get("2019-03-somali-mothers-parenting")   # Engagement | None
    catalog.find("2019-03-somali-mothers-parenting")  # Engagement, or CoproError (exit 1)
    catalog.skipped                              # paths the strict reader refused

    # a hub: several sources, each a folder holding archive/ (a member's
    # checkout at its locked commit), the member's name qualifying its ids
    load_catalog([Source(hub_root), Source(checkout, member="islington-council")])

    load_engagement(root, record_id)             # one record, without reading the rest

A record the strict reader refuses is left out (``skipped`` lists it, and the
command layer says how many, pointing at ``copro validate``). Records that
read but break schema rules are kept: reading views show them, ``validate``
reports them. Parsed records are kept in the user cache (see
``copro.store.recordcache``) so a second run does not parse YAML again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from copro.core.errors import CoproError
from copro.core.model import Engagement, Statement
from copro.core.paths import HUB_FILE

if TYPE_CHECKING:
    from copro.core.vocab import Vocabularies
    from copro.hub.view import HubView
    from copro.store.recordcache import CachedFile, FrontMatterSource, RecordCache
    from copro.store.standing import StandingTable

__all__ = [
    "Catalog",
    "EngagementStream",
    "Source",
    "load_catalog",
    "load_engagement",
    "engagement_from_record",
]


@dataclass(frozen=True)
class Source:
    """Where records come from: ``root/archive/``; ``member`` names a hub member (else None)."""

    root: Path
    member: str | None = None


@dataclass(frozen=True)
class Catalog:
    """The engagements of one or more sources, and what could not be read."""

    engagements: tuple[Engagement, ...] = ()
    skipped: tuple[str, ...] = ()
    """Paths (``member:archive/...`` for a member) of files the strict reader refused."""
    sources: tuple[Source, ...] = field(default=(), compare=False)

    def __len__(self) -> int:
        return len(self.engagements)

    def __iter__(self):
        return iter(self.engagements)

    @cached_property
    def by_id(self) -> dict[str, Engagement]:
        """Engagements by qualified id (``member:id``; the plain id for own records)."""
        return {e.key: e for e in self.engagements}

    @cached_property
    def _by_plain_id(self) -> dict[str, list[Engagement]]:
        out: dict[str, list[Engagement]] = {}
        for engagement in self.engagements:
            out.setdefault(engagement.id, []).append(engagement)
        return out

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        """The consensus statements (``consensus/<id>.md``) of the same sources, read on
        first use (most commands never ask), through the same strict reader and cache."""
        return load_statements(self.sources)

    @cached_property
    def statements_skipped(self) -> tuple[str, ...]:
        """Statement files the strict reader refused (or that hold personal data)."""
        refused: list[str] = []
        for source in self.sources:
            refused.extend(_statement_entries(source)[1])
        return tuple(refused)

    @cached_property
    def statement_by_id(self) -> dict[str, Statement]:
        return {s.key: s for s in self.statements}

    def get_statement(self, statement_id: str) -> Statement | None:
        """The statement ``statement_id`` (qualified or, when unambiguous, plain), else None."""
        found = self.statement_by_id.get(statement_id)
        if found is not None:
            return found
        plain = [s for s in self.statements if s.id == statement_id]
        return plain[0] if len(plain) == 1 else None

    def listed(self, include_withdrawn: bool = False) -> Catalog:
        """This catalog as the views list it: withdrawn records only when asked for."""
        from copro.core.model import listed

        return Catalog(
            tuple(listed(self.engagements, include_withdrawn)), self.skipped, self.sources
        )

    def get(self, record_id: str) -> Engagement | None:
        """The engagement ``record_id`` (qualified or, when unambiguous, plain), else None."""
        found = self.by_id.get(record_id)
        if found is not None:
            return found
        candidates = self._by_plain_id.get(record_id, [])
        return candidates[0] if len(candidates) == 1 else None

    def find(self, record_id: str) -> Engagement:
        """Like :meth:`get`, but an unknown or ambiguous id is a CoproError (exit 1)."""
        found = self.by_id.get(record_id)
        if found is not None:
            return found
        candidates = self._by_plain_id.get(record_id, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise CoproError(
                f"{record_id} is the id of records in several members: "
                + ", ".join(e.key for e in candidates),
                "write the id with its member, as member:id",
            )
        from copro.core.records import unknown_record

        raise unknown_record(record_id, [*self.by_id, *self._by_plain_id])


REVISITING_KEYS = ("id", "title", "status", "date", "organisations", "consent", "you_said")
"""The front-matter a revisiting record's standing entries need (who, when, what it found)."""


class EngagementStream:
    """Every readable engagement of some sources, read from the record cache a row at a
    time on each pass, so a whole-archive view holds only what it keeps (a held catalog
    costs some 5 KiB a record: hundreds of MiB at 50,000, gigabytes at 10^6).

    Each source's record cache is opened (scanned, brought up to date) on the first
    pass and kept for the later ones until :meth:`close` (``with`` closes it).
    A catalog already loaded (``held``: a long-lived process) is iterated instead,
    and the hints of :meth:`each` are then ignored: the answers are the same.

        with archive.engagement_stream() as stream:
            for engagement in stream: ...                  # path order, as the catalog
            stream.standings(as_of)                    # from the revisiting rows only
            stream.skipped                             # as Catalog.skipped
    """

    def __init__(
        self,
        sources: Sequence[Source],
        *,
        hub: HubView | None = None,
        vocab: Vocabularies | None = None,
        held: Catalog | None = None,
    ) -> None:
        self.sources = tuple(sources)
        self._hub = hub
        self._vocab = vocab
        self._held = held
        self._caches: dict[int, RecordCache] = {}
        self._refused: dict[int, list[str]] = {}
        self._tables: dict[str | None, StandingTable] = {}

    def __iter__(self) -> Iterator[Engagement]:
        return self.each()

    def each(
        self, containing: Sequence[str] = (), keys: Sequence[str] | None = None
    ) -> Iterator[Engagement]:
        """The engagements in source and path order. ``containing``: at least those
        whose cached JSON holds one of these strings (SQLite's hint, a superset the
        caller narrows on the values; ignored in a hub root, whose member terms are
        mapped after reading). ``keys``: only these front-matter keys are read into
        the values, body left out (for a light pass)."""
        if self._held is not None:
            yield from self._held.engagements
            return
        for number, source in enumerate(self.sources):
            yield from self._pass(number, source, containing, keys)

    def _pass(
        self, number: int, source: Source, containing: Sequence[str], keys: Sequence[str] | None
    ) -> Iterator[Engagement]:
        root = Path(source.root).resolve()
        hub_root = source.member is None and is_hub(root)
        cache = self._open(number, root)
        rows = cache.files(() if hub_root else containing)
        if keys is not None:
            rows = _slim_rows(rows, keys)
        if hub_root:
            entries = ((rel, p[0], p[1]) for rel, *_, p in rows if p is not None)
            yield from _hub_stream(root, entries, self._hub, self._vocab)
        else:
            from copro.store.recordcache import FrontMatterSource

            yield from _lean_stream(FrontMatterSource(root), source, rows)

    def _open(self, number: int, root: Path) -> RecordCache:
        """The record cache of source ``number``, opened (and brought up to date) on the
        first pass and kept for the next: a cache that cannot be written lives in memory,
        where reopening would parse every record again."""
        cache = self._caches.get(number)
        if cache is None:
            from copro.store.recordcache import open_cache

            cache = self._caches[number] = open_cache(root)
            self._refused[number] = cache.refused()
        return cache

    def close(self) -> None:
        """Close the record caches (a later pass opens them again)."""
        for cache in self._caches.values():
            cache.close()
        self._caches.clear()

    def __enter__(self) -> EngagementStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def skipped(self) -> tuple[str, ...]:
        """As :attr:`Catalog.skipped`: files the strict reader refused, member-prefixed."""
        if self._held is not None:
            return self._held.skipped
        out: list[str] = []
        for number, source in enumerate(self.sources):
            if number not in self._refused:
                self._open(number, Path(source.root).resolve())
            prefix = f"{source.member}:" if source.member else ""
            out.extend(prefix + rel for rel in self._refused[number])
        return tuple(out)

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        """The consensus statements of the same sources (as :attr:`Catalog.statements`)."""
        if self._held is not None:
            return self._held.statements
        return load_statements(self.sources)

    def catalog_of(self, engagements: Iterable[Engagement] = ()) -> Catalog:
        """A catalog of some of the engagements (those a view kept), with this stream's
        statements and skipped files: for the functions that take a catalog."""
        if self._held is not None and not engagements:
            return self._held
        catalog = Catalog(tuple(engagements), self.skipped, self.sources)
        catalog.__dict__["statements"] = self.statements  # read once per command
        return catalog

    def standings(self, as_of: str | None = None) -> StandingTable:
        """The standing of every finding on ``as_of`` (None: today), worked out from the
        rows that hold a revisit alone (``copro.store.standing.claimed_standings``)."""
        if as_of not in self._tables:
            from copro.store.standing import claimed_standings, standings

            if self._held is not None:
                self._tables[as_of] = standings(self._held.engagements, as_of=as_of)
            else:
                revisiting = self.each(('"revisits"',), REVISITING_KEYS)
                self._tables[as_of] = claimed_standings(revisiting, as_of, self.by_keys)
        return self._tables[as_of]

    def by_keys(self, keys: Iterable[str]) -> dict[str, Engagement]:
        """The engagements of these keys (``member:id`` or plain), as the catalog's
        :attr:`Catalog.by_id` gives them: read from where each id belongs, else found
        by one more pass."""
        wanted = set(keys)
        if self._held is not None:
            return {k: self._held.by_id[k] for k in wanted if k in self._held.by_id}
        found: dict[str, Engagement] = {}
        for number, source in enumerate(self.sources):
            root = Path(source.root).resolve()
            if source.member is not None or is_hub(root):
                continue
            from copro.store.recordcache import FrontMatterSource

            rows = self._open(number, root).files_at(_record_rels(root, wanted))
            for engagement in _lean_stream(FrontMatterSource(root), source, rows):
                if engagement.key in wanted:
                    found[engagement.key] = engagement
        if wanted - set(found):  # a hub, or a record not where its id says: look at every one
            found = {e.key: e for e in self.each() if e.key in wanted}
        return found


def _record_rels(root: Path, record_ids: Iterable[str]) -> list[str]:
    from copro.core.paths import record_path
    from copro.core.records import ID_PATTERN

    return [
        record_path(root, record_id).relative_to(root).as_posix()
        for record_id in record_ids
        if ID_PATTERN.fullmatch(record_id)
    ]


def _slim_rows(rows: Iterable[CachedFile], keys: Sequence[str]) -> Iterator[CachedFile]:
    for rel, size, mtime, digest, parsed in rows:
        if parsed is not None:
            meta = parsed[0]
            parsed = [{k: meta[k] for k in keys if k in meta}, ""]
        yield rel, size, mtime, digest, parsed


def engagement_from_record(record: object, member: str | None = None) -> Engagement:
    """The Engagement for a ``copro.core.records.Record`` the strict reader produced."""
    from copro.core.records import Record

    assert isinstance(record, Record)
    return Engagement.from_front_matter(record.meta, record.body, record.relpath, member)


def is_hub(root: Path) -> bool:
    return (root / HUB_FILE).is_file()


def load_catalog(
    sources: Path | str | Sequence[Source],
    *,
    use_cache: bool = True,
    hub: HubView | None = None,
    vocab: Vocabularies | None = None,
) -> Catalog:
    """Every readable engagement of ``sources`` (an archive root, or a list of Sources).

    Engagements come in source order, then path order within a source.
    ``use_cache`` keeps parsed records in the user cache between runs. ``hub``
    and ``vocab``, when the caller (an ``Archive``) has them, are used rather
    than read again for a hub root.
    """
    if isinstance(sources, (str, Path)):
        sources = [Source(Path(sources))]
    engagements: list[Engagement] = []
    skipped: list[str] = []
    for source in sources:
        found, refused = _load_source(source, use_cache, hub, vocab)
        engagements.extend(found)
        prefix = f"{source.member}:" if source.member else ""
        skipped.extend(prefix + rel for rel in refused)
    return Catalog(tuple(engagements), tuple(skipped), tuple(sources))


def _load_source(
    source: Source, use_cache: bool, hub: HubView | None, vocab: Vocabularies | None
) -> tuple[list[Engagement], list[str]]:
    root = Path(source.root).resolve()
    if not use_cache:
        metas, refused = _read_all(root)
        return _engagements(root, source, metas, hub, vocab), refused
    from copro.store.recordcache import open_cache

    cache = open_cache(root)  # streamed a row at a time: only the engagements are held
    try:
        if source.member is None and is_hub(root):
            return list(_hub_stream(root, cache.records(), hub, vocab)), cache.refused()
        return _lean_engagements(root, source, cache), cache.refused()
    finally:
        cache.close()


def _lean_engagements(root: Path, source: Source, cache: RecordCache) -> list[Engagement]:
    """The engagements of the cache's rows, each front-matter dict let go once its typed
    values are made (read again from the cache when a view asks for it)."""
    from copro.store.recordcache import FrontMatterSource

    return list(_lean_stream(FrontMatterSource(root), source, cache.files()))


def _lean_stream(
    again: FrontMatterSource, source: Source, rows: Iterable[CachedFile]
) -> Iterator[Engagement]:
    from copro.store.recordcache import LazyFrontMatter

    for rel, _, _, digest, parsed in rows:
        if parsed is not None:
            kept = LazyFrontMatter(again, rel, digest)
            meta, body = parsed
            yield Engagement.from_front_matter(meta, body, rel, source.member, kept)


def _engagements(
    root: Path,
    source: Source,
    metas: Iterable[tuple[str, dict, str]],
    hub: HubView | None,
    vocab: Vocabularies | None,
) -> list[Engagement]:
    if source.member is None and is_hub(root):
        return list(_hub_stream(root, metas, hub, vocab))
    return [
        Engagement.from_front_matter(meta, body, rel, source.member) for rel, meta, body in metas
    ]


def load_statements(sources: Sequence[Source]) -> tuple[Statement, ...]:
    """The consensus statements of ``sources``, without reading their records (a search
    asks only these: at 50,000 records the whole catalog costs tens of seconds)."""
    found: list[Statement] = []
    for source in sources:
        found.extend(_load_statements(source))
    return tuple(found)


def _statement_entries(source: Source) -> tuple[list[tuple[str, dict, str]], list[str]]:
    from copro.store.recordcache import cached_statements

    found, refused = cached_statements(Path(source.root).resolve())
    prefix = f"{source.member}:" if source.member else ""
    return found, [prefix + rel for rel in refused]


def _load_statements(source: Source) -> list[Statement]:
    """The statements of one source; in a hub root, every member's too (mapped like records)."""
    root = Path(source.root).resolve()
    entries, _ = _statement_entries(source)
    if source.member is None and is_hub(root):
        from copro.core.vocab import load_vocabularies
        from copro.hub.view import map_front_matter, open_hub, split_path

        view = open_hub(root)
        assert view is not None
        maps = view.term_maps(load_vocabularies(root)[0])
        out = []
        for rel, meta, body in entries:
            member, path = split_path(rel)
            if member is not None:
                meta = map_front_matter(meta, maps.get(member, {}), member)
            out.append(Statement.from_front_matter(meta, body, path, member))
        return out
    return [Statement.from_front_matter(m, b, rel, source.member) for rel, m, b in entries]


def _hub_stream(
    root: Path,
    metas: Iterable[tuple[str, dict, str]],
    view: HubView | None,
    vocab: Vocabularies | None,
) -> Iterator[Engagement]:
    """A hub's records: its own, and each member's (paths ``member:archive/...``), with
    member vocabulary ids written as the hub's (contract section 7)."""
    from copro.core.vocab import load_vocabularies
    from copro.hub.view import map_front_matter, open_hub, split_path

    view = view if view is not None else open_hub(root)
    assert view is not None
    maps = view.term_maps(vocab if vocab is not None else load_vocabularies(root)[0])
    for rel, meta, body in metas:
        member, path = split_path(rel)
        if member is not None:
            meta = map_front_matter(meta, maps.get(member, {}), member)
        yield Engagement.from_front_matter(meta, body, path, member)


def _read_all(root: Path) -> tuple[list[tuple[str, dict, str]], list[str]]:
    """(relpath, front-matter, body) of every readable record, and refused paths."""
    from copro.core.paths import iter_record_files
    from copro.core.records import read_record

    readable: list[tuple[str, dict, str]] = []
    refused: list[str] = []
    for found in iter_record_files(root):
        record = None if found.is_symlink else read_record(found.path, found.relpath).record
        if record is None:
            refused.append(found.relpath)
        else:
            readable.append((found.relpath, record.meta, record.body))
    return readable, refused


def load_engagement(
    root: Path | str, record_id: str, member: str | None = None, *, hub: HubView | None = None
) -> Engagement:
    """The engagement ``record_id`` of the archive at ``root``, read from its file.

    A malformed id is a UsageError (exit 2); a missing or unreadable record a
    CoproError (exit 1).
    """
    from copro.core.records import load_record

    if member is None and (hub is not None or is_hub(Path(root))):
        return _hub_engagement(Path(root), record_id, hub)
    return engagement_from_record(load_record(Path(root), record_id), member)


def _hub_engagement(root: Path, record_id: str, view: HubView | None) -> Engagement:
    """The engagement ``record_id`` of a hub, a member's with its terms as the hub's."""
    from copro.core.records import load_record
    from copro.core.vocab import load_vocabularies
    from copro.hub.view import map_front_matter, open_hub, record_source

    view = view if view is not None else open_hub(root)
    assert view is not None
    member, tree, plain = record_source(view, record_id)
    engagement = engagement_from_record(load_record(tree, plain), member)
    if member is None:
        return engagement
    maps = view.term_maps(load_vocabularies(view.root)[0]).get(member, {})
    return Engagement.from_front_matter(
        map_front_matter(engagement.front_matter, maps, member),
        engagement.body,
        engagement.path,
        member,
    )


def skipped_note(count: int) -> str | None:
    """The one stderr line a reading command prints when records were left out."""
    if not count:
        return None
    records = "1 record" if count == 1 else f"{count} records"
    return f"{records} left out (unreadable or holding personal data): run `copro validate`"
