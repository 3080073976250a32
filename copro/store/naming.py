"""Who names a record: the one question ``remove`` (and a date change) must ask first.

A record is named by another record's ``related``, ``supersedes`` or a
finding's ``revisits``; consensus statements (contract section 8) name
records in their ``evidence``. :func:`who_names` gathers every such reference
in one place, so a new kind of reference is one more function in
:data:`REFERENCE_FINDERS`::

    from copro.store.naming import who_names

    for naming in who_names(root, "2024-05-made-by-mistake"):
        naming.source, naming.how          # "2024-06-follow-up", "related"

Files the strict reader refuses cannot be read for references; one that so
much as mentions the id is listed too (``how`` says it could not be read),
so a record is never removed while something might still name it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from copro.core.model import Engagement
from copro.store.catalog import Catalog, load_catalog

__all__ = ["NamedBy", "REFERENCE_FINDERS", "who_names"]


@dataclass(frozen=True)
class NamedBy:
    """One reference to a record: what holds it (a record id or a file) and how."""

    source: str
    how: str
    """``related``, ``supersedes``, ``revisits``, ``evidence``, or ``unreadable``."""

    def __str__(self) -> str:
        return f"{self.source} ({self.how})"


def _record_references(catalog: Catalog, record_id: str) -> Iterable[NamedBy]:
    """The archive's own records naming ``record_id`` (hub members name their own only)."""
    for other in catalog:
        if other.member is not None or other.id == record_id:
            continue
        yield from (NamedBy(other.id, how) for how in _how_named(other, record_id))


def _how_named(other: Engagement, record_id: str) -> list[str]:
    found = []
    if record_id in other.related:
        found.append("related")
    if other.supersedes == record_id:
        found.append("supersedes")
    if any(
        r.member is None and r.record_id == record_id for f in other.findings for r in f.revisits
    ):
        found.append("revisits")
    return found


def _statement_references(catalog: Catalog, record_id: str) -> Iterable[NamedBy]:
    """The archive's own consensus statements naming ``record_id`` (evidence, links)."""
    for statement in catalog.statements:
        if statement.member is not None:
            continue
        source = f"consensus/{statement.id}"
        if any(e.member is None and e.record_id == record_id for e in statement.evidence):
            yield NamedBy(source, "evidence")
        if record_id in statement.related:
            yield NamedBy(source, "related")
        if statement.supersedes == record_id:
            yield NamedBy(source, "supersedes")


def _unreadable_mentions(root: Path, catalog: Catalog, record_id: str) -> Iterable[NamedBy]:
    """Refused files that mention the id (they cannot be read, so they might name it)."""
    own = f"/{record_id}.md"
    for rel in (*catalog.skipped, *catalog.statements_skipped):
        if ":" in rel or rel.endswith(own):
            continue
        try:
            mentions = record_id.encode() in (root / rel).read_bytes()
        except OSError:
            mentions = True  # unreadable: it might name the record
        if mentions:
            yield NamedBy(rel, "unreadable")


ReferenceFinder = Callable[[Path, Catalog, str], Iterable[NamedBy]]

REFERENCE_FINDERS: list[ReferenceFinder] = [
    lambda root, catalog, record_id: _record_references(catalog, record_id),
    lambda root, catalog, record_id: _statement_references(catalog, record_id),
    _unreadable_mentions,
]
"""Every kind of reference to a record: records, consensus statements, unreadable files."""


def who_names(root: Path, record_id: str, catalog: Catalog | None = None) -> list[NamedBy]:
    """Everything in the archive at ``root`` that names record ``record_id``, sorted."""
    root = Path(root).resolve()
    catalog = catalog if catalog is not None else load_catalog(root)
    found = {n for finder in REFERENCE_FINDERS for n in finder(root, catalog, record_id)}
    return sorted(found, key=lambda n: (n.source, n.how))
