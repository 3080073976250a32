"""``copro show``: one record, with the titles of the records it points at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copro.catalog import load_engagement
from copro.index import IndexStore
from copro.model import Engagement
from copro.standing import StandingTable, standings
from copro.vocab import Vocabularies, load_vocabularies


@dataclass
class RecordView:
    engagement: Engagement
    linked_titles: dict[str, str]
    vocab: Vocabularies
    table: StandingTable
    """The standing of every finding of the archive (``copro.standing``)."""

    @property
    def id(self) -> str:
        return self.engagement.key

    @property
    def path(self) -> str:
        return self.engagement.path

    @property
    def front_matter(self) -> dict[str, Any]:
        """The front-matter as written, without anonymous contributors' names."""
        return self.engagement.public_front_matter()

    @property
    def body(self) -> str:
        return self.engagement.body

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "front_matter": self.front_matter,
            "body": self.body,
            "standing": [self._standing_json(f.id) for f in self.engagement.findings],
            "checked_again": [
                {
                    "finding_id": c.own.id,
                    "revisits": c.target,
                    "outcome": c.outcome,
                    "note": c.note,
                }
                for c in self.table.checked_again(self.engagement)
            ],
        }

    def _standing_json(self, finding_id: str) -> dict[str, Any]:
        standing = self.table.of(self.engagement, finding_id)
        return {
            "finding_id": finding_id,
            "standing": standing.standing,
            "standing_date": standing.date,
            "words": standing.words(),
            "revisited_by": [r.to_json() for r in standing.revisited_by],
        }


def show(root: Path, record_id: str) -> RecordView:
    """The record ``record_id``; the index is refreshed first so links show titles."""
    root = Path(root).resolve()
    engagement = load_engagement(root, record_id)
    from copro.catalog import load_catalog

    table = standings(load_catalog(root).engagements)
    vocab, _ = load_vocabularies(root)
    store = IndexStore(root)
    store.refresh(vocab)
    linked = [*engagement.related, *([engagement.supersedes] if engagement.supersedes else [])]
    return RecordView(engagement, store.titles(vocab, linked), vocab, table)
