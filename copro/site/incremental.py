"""The site's views kept up to date record by record, for ``copro serve``.

:func:`copro.site.pages.build_site_data` reads every record and builds every
view: seconds at 10,000 records, and twice the memory while the old views are
still being read. A server that shows a change within two seconds cannot do
that after every write. :class:`RecordViews` keeps every record's page and,
when some records change, builds again only the pages of those records and of
the records they name or that name them, before or after the change (the
standing they give, "revisited by", "superseded by", related links, titles in
links); every other page object is shared with the views before. The pages
that gather all records (home, records, terms, coverage, credits, findings)
are assembled from the record pages when one of them is asked for
(:meth:`RecordViews.site_data`). The result is the same as a full build: a
test compares the two page by page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from copro.core.model import Engagement
from copro.core.vocab import Vocabularies
from copro.site.pages import (
    RecordLink,
    RecordPage,
    SiteData,
    assemble,
    build_record_page,
    link_back,
    named_records,
    record_filters,
)
from copro.store.standing import StandingTable, standings


def _order(e: Engagement) -> tuple[str, str]:
    """The site's order: oldest first, then by key."""
    return (e.date, e.key)


def _naming_index(engagements: Iterable[Engagement]) -> dict[str, set[str]]:
    """Record key -> keys of the records that name it."""
    naming: dict[str, set[str]] = {}
    for e in engagements:
        for key in named_records(e):
            naming.setdefault(key, set()).add(e.key)
    return naming


@dataclass(frozen=True)
class RecordViews:
    """Every record page of one archive (not a hub) as of one moment; never changed in
    place once made, so requests may read it while the next one is built."""

    root: Path
    vocab: Vocabularies
    engagements: Mapping[str, Engagement]
    """Every readable record by key, withdrawn ones too (their revisits are known)."""
    naming: Mapping[str, set[str]]
    table: StandingTable
    links: Mapping[str, RecordLink]
    pages: Mapping[str, RecordPage]
    """The pages of the records the site shows (not withdrawn), by key."""
    statements: list[Any]
    today: dt.date

    @classmethod
    def build(
        cls, root: Path, vocab: Vocabularies, engagements: Iterable[Engagement], today: dt.date
    ) -> RecordViews:
        everything = {e.key: e for e in engagements}
        empty = cls(root, vocab, {}, {}, standings(()), {}, {}, [], today)
        return empty._with(everything, _naming_index(everything.values()), set(everything))

    def changed(self, now: Mapping[str, Engagement | None]) -> RecordViews:
        """The views after the records ``now`` names changed (None: gone or unreadable)."""
        everything = dict(self.engagements)
        naming = {key: set(keys) for key, keys in self.naming.items()}
        touched = set(now)
        for key, engagement in now.items():
            before = everything.pop(key, None)
            if before is not None:
                touched |= named_records(before) | self.naming.get(key, set())
                for named in named_records(before):
                    naming.get(named, set()).discard(key)
            if engagement is not None:
                everything[key] = engagement
        for key, engagement in now.items():
            if engagement is not None:
                touched |= named_records(engagement)
                for named in named_records(engagement):
                    naming.setdefault(named, set()).add(key)
            touched |= naming.get(key, set())
        return self._with(everything, naming, touched)

    def _with(
        self,
        everything: dict[str, Engagement],
        naming: dict[str, set[str]],
        touched: set[str],
    ) -> RecordViews:
        """Views over ``everything`` with the pages of ``touched`` built again."""
        from copro.site.consensus_pages import citing, statement_pages
        from copro.store.catalog import Catalog, Source

        table = self._standings(everything, naming, touched)
        links = dict(self.links)
        for key in touched:
            e = everything.get(key)
            if e is None or e.withdrawn:
                links.pop(key, None)
            else:
                links[key] = RecordLink(e.key, e.display_title, e.date)
        sources = (Source(self.root),)
        statements = []
        if Catalog((), (), sources).statements:  # most archives have none: skip the sort
            ordered = tuple(sorted(everything.values(), key=_order))
            statements = statement_pages(Catalog(ordered, (), sources), table, self.vocab)
        cited = citing(statements)
        pages = {key: page for key, page in self.pages.items() if key in links}
        for key, page in pages.items():
            if key not in touched and page.cited_by != cited.get(key, []):
                pages[key] = replace(page, cited_by=cited.get(key, []))
        fresh = {
            key: build_record_page(everything[key], self.vocab, links, table)
            for key in touched
            if key in links
        }
        pages.update(fresh)
        for key, page in fresh.items():
            named_by = [pages[k] for k in naming.get(key, ()) if k in pages]
            link_back(page, sorted([*named_by, page], key=lambda p: _order(p.engagement)))
            page.filters = record_filters(page)
            page.cited_by = cited.get(key, [])
        return RecordViews(
            self.root, self.vocab, everything, naming, table, links, pages, statements, self.today
        )

    def _standings(
        self, everything: dict[str, Engagement], naming: dict[str, set[str]], touched: set[str]
    ) -> StandingTable:
        """The standing table with the findings of ``touched`` records worked out again
        from the records that name them; every other finding's standing is kept (none of
        the records revisiting it changed)."""
        if not self.engagements:
            return standings(sorted(everything.values(), key=_order))
        involved = set(touched)
        for key in touched:
            involved |= naming.get(key, set())
        part = standings(everything[key] for key in involved if key in everything)
        revisits = {
            key: found
            for key, found in self.table.revisits.items()
            if key.partition("#")[0] not in touched
        }
        revisits.update(
            (key, found) for key, found in part.revisits.items()
            if key.partition("#")[0] in touched
        )  # fmt: skip
        return StandingTable(revisits, everything)

    def site_data(self) -> SiteData:
        """The whole site's views over these record pages (assembled on each call)."""
        ordered = sorted(self.pages.values(), key=lambda p: _order(p.engagement))
        return assemble(self.root, self.vocab, ordered, self.statements, self.today)
