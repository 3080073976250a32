"""One archive (or hub) as a command sees it: opened once, each part loaded when first needed.

Every command opens one :class:`Archive` (``Archive.open(root)``, or the CLI's
``--root`` option) and hands it to the view or writer it calls, so the root is
resolved once and the vocabularies, the hub's members, the record catalog, the
standings and the search index are each loaded at most once per command::

    from copro.store.archive import Archive

    archive = Archive.open()          # --root, else $COPRO_ROOT, else the folder above
    archive.vocab                     # Vocabularies (checked, cached by content hash)
    archive.settings                  # copro.yml: name, organisation, site, search
    archive.catalog.engagements       # every readable engagement, hub members' too
    archive.standings.of(e, "S1")     # does finding S1 of e still hold?
    archive.index.search(spec, 10, archive.vocab)
    archive.member_names              # () for a plain archive
    archive.refresh()                 # a long-lived process: read again what changed

Nothing above the store asks "is this a hub?" except to name members
(:attr:`member_names`, :meth:`members`): the hub is a set of sources of
records (:attr:`sources`), read into one catalog and one index.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from copro.core.paths import cache_dir, find_root

if TYPE_CHECKING:
    from copro.core.model import Engagement, Statement
    from copro.core.problems import Problem
    from copro.core.settings import Settings
    from copro.core.vocab import Vocabularies
    from copro.hub.view import HubView
    from copro.store.catalog import Catalog, EngagementStream, Source
    from copro.store.index import IndexStore
    from copro.store.standing import StandingTable

__all__ = ["Archive"]

_LOADED = (
    "_vocabularies",
    "settings",
    "hub",
    "sources",
    "catalog",
    "statements",
    "standings",
    "index",
)
"""The parts :meth:`Archive.refresh` forgets (cached properties of the instance)."""


class Archive:
    """An archive root and what is read from it, each part loaded when first needed."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None) -> Archive:
        """The archive at ``root``, else ``$COPRO_ROOT``, else the first folder above with
        ``archive/`` (a UsageError, exit 2, that says how the root is found)."""
        return cls(find_root(root))

    @classmethod
    def of(cls, where: Archive | str | os.PathLike[str]) -> Archive:
        """``where`` itself when it is an Archive; else the archive at that root.

        The library functions that promise a ``root`` argument (README, "Using
        copro as a library") take either, through this.
        """
        return where if isinstance(where, Archive) else cls(where)

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    def refresh(self) -> None:
        """Forget everything read, so the next use reads the archive as it is now.

        A long-lived process (the web app) keeps one Archive and calls this when
        the archive may have changed; the record cache and the index on disk
        make the next read cost only what changed.
        """
        for name in _LOADED:
            self.__dict__.pop(name, None)

    # ------------------------------------------------------------ configuration

    @property
    def cache_dir(self) -> Path:
        """This archive's folder in the user's cache (derived data never lives in the archive)."""
        return cache_dir(self.root)

    @cached_property
    def _vocabularies(self) -> tuple[Vocabularies, list[Problem]]:
        from copro.core.vocab import load_vocabularies

        vocab, problems = load_vocabularies(self.root)
        if self.hub is not None and self.hub.members:
            from copro.hub.view import with_member_terms

            vocab = with_member_terms(vocab, self.hub.members)
        return vocab, problems

    @property
    def vocab(self) -> Vocabularies:
        """The archive's vocabularies (topics, populations, places, methods)."""
        return self._vocabularies[0]

    @property
    def vocab_problems(self) -> list[Problem]:
        """What is wrong in the vocabulary files (``validate`` reports these)."""
        return self._vocabularies[1]

    @cached_property
    def settings(self) -> Settings:
        """``copro.yml`` (all None without one; an invalid file is a CoproError, exit 1)."""
        from copro.core.settings import load_settings

        return load_settings(self.root)

    # ------------------------------------------------------------ sources

    @cached_property
    def hub(self) -> HubView | None:
        """The hub's members at their locked commits, or None for a plain archive.

        Only the store reads this; views ask :attr:`member_names`.
        """
        from copro.hub.view import open_hub

        return open_hub(self.root)

    @property
    def member_names(self) -> tuple[str, ...]:
        """Every member hub.yml names, in its order (``()`` for a plain archive)."""
        return self.hub.names if self.hub is not None else ()

    def unread_members(self) -> str | None:
        """In a hub, why some members are not read yet (none named, or not synced)."""
        return self.hub.unread() if self.hub is not None else None

    @property
    def in_hub(self) -> bool:
        """Whether outputs name each record's member (this root is a hub)."""
        return self.hub is not None

    def member_commit(self, member: str) -> tuple[str, str]:
        """The commit of ``member`` the hub reads, and that commit's date (YYYY-MM-DD)."""
        from copro.hub.view import member_commit

        return member_commit(self.root, member)

    def members(self, given: Sequence[str] | None) -> frozenset[str] | None:
        """The checked ``--member`` values (None: every member); an unknown name exits 2."""
        from copro.hub.view import member_filter

        return member_filter(self.hub, given) if given else None

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        """Where records come from: the archive's own ``archive/``, then each member's."""
        from copro.store.catalog import Source

        if self.hub is None:
            return (Source(self.root),)
        own = (Source(self.root),) if self.hub.has_own_archive else ()
        return own + tuple(Source(m.tree, m.name) for m in self.hub.members)

    # ------------------------------------------------------------ what is read

    @cached_property
    def catalog(self) -> Catalog:
        """Every readable engagement (through the record cache), hub members' included."""
        from copro.store.catalog import load_catalog

        return load_catalog(self.root, hub=self.hub, vocab=self._vocab_if_hub())

    def engagement_stream(self) -> EngagementStream:
        """Every readable engagement, read from the record cache a row at a time on each
        pass (the whole-archive views: they hold only what they keep), or the catalog
        when it is loaded already."""
        from copro.store.catalog import EngagementStream

        held = self.__dict__.get("catalog")
        return EngagementStream(
            self.catalog_sources, hub=self.hub, vocab=self._vocab_if_hub(), held=held
        )

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        """The consensus statements, read without the records when the catalog is not
        loaded already (a search needs only these)."""
        if "catalog" in self.__dict__:
            return self.catalog.statements
        from copro.store.catalog import load_statements

        return load_statements(self.catalog_sources)

    @property
    def catalog_sources(self) -> tuple[Source, ...]:
        """What :attr:`catalog` reads from: this root (a hub root brings its members)."""
        from copro.store.catalog import Source

        return (Source(self.root),)

    @cached_property
    def standings(self) -> StandingTable:
        """The standing of every finding, from every revisit in the catalog."""
        from copro.store.standing import standings

        return standings(self.catalog.engagements)

    def standings_as_of(self, as_of: str | None) -> StandingTable:
        """The standings as they were on ``as_of`` (None: today, the cached table)."""
        if as_of is None:
            return self.standings
        from copro.store.standing import standings

        return standings(self.catalog.engagements, as_of=as_of)

    @cached_property
    def index(self) -> IndexStore:
        """The search index store (opened, refreshed and searched when asked)."""
        from copro.store.index import IndexStore

        return IndexStore(self.root, hub=self.hub)

    def engagement(self, record_id: str) -> Engagement:
        """The engagement ``record_id`` (``member:id`` in a hub), read from its own file
        without reading the rest (a malformed id exits 2, a missing record 1)."""
        from copro.store.catalog import load_engagement

        return load_engagement(self.root, record_id, hub=self.hub)

    def nearby(self, engagement: Engagement) -> Sequence[Engagement]:
        """``engagement`` and the records that name it or that it names: all that its
        standing, links and "checked again" depend on.

        In an archive these few are found through the reference table and read
        from their files (``copro.store.references``), not the whole archive; in
        a hub, the hub's catalog.
        """
        if self.hub is not None:
            return self.catalog.engagements
        from copro.store.references import neighbourhood

        return [engagement, *neighbourhood(self.root, engagement)]

    def statement_from_file(self, statement_id: str) -> Statement | None:
        """The statement ``consensus/<id>.md`` of this archive read alone, or None (a hub,
        a ``member:id``, no such file, or one the strict reader refuses or that holds
        personal data: the callers then go through :attr:`statements` and say why)."""
        from copro.core.model import Statement
        from copro.core.paths import statement_path
        from copro.core.records import ID_PATTERN
        from copro.store.freshness import read_bytes
        from copro.store.recordcache import parse_record

        if self.hub is not None or not ID_PATTERN.fullmatch(statement_id):
            return None
        path = statement_path(self.root, statement_id)
        data = None if path.is_symlink() else read_bytes(str(path))
        rel = path.relative_to(self.root).as_posix()
        parsed = parse_record(str(path), rel, data) if data is not None else None
        return Statement.from_front_matter(parsed[0], parsed[1], rel) if parsed else None

    def around_evidence(self, statement: Statement) -> Sequence[Engagement]:
        """The records a statement's evidence cites and those that name the cited
        findings: all that its facts, currency and thanks depend on.

        In an archive these few are found through the reference table and read
        from their files (``copro.store.references``); in a hub, the hub's catalog.
        """
        if self.hub is not None:
            return self.catalog.engagements
        from copro.store.references import evidence_neighbourhood

        return evidence_neighbourhood(self.root, statement)

    def _vocab_if_hub(self) -> Vocabularies | None:
        """The vocabularies when member terms must be mapped to the hub's (else not loaded)."""
        return self.vocab if self.hub is not None else None
