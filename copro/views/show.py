"""``copro show``: one record, with the records it points at and those that point at it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.model import Engagement
from copro.core.vocab import Vocabularies
from copro.store.archive import Archive
from copro.store.standing import StandingTable, standings


@dataclass(frozen=True)
class LinkFrom:
    """Another record that names this one: in its ``related`` or as what it ``supersedes``."""

    id: str
    title: str
    date: str
    how: str  # "related" | "supersedes"

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "date": self.date, "how": self.how}


@dataclass
class RecordView:
    engagement: Engagement
    linked_titles: dict[str, str]
    vocab: Vocabularies
    table: StandingTable
    """The standing of every finding of the archive (``copro.store.standing``)."""
    linked_from: list[LinkFrom] = field(default_factory=list)
    """Records naming this one, oldest first: links are shown in both directions."""

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
            "related_from": [link.to_json() for link in self.linked_from],
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


def show(archive: Archive | Path, record_id: str) -> RecordView:
    """The record ``record_id``, with the records that name it and those it names.

    In an archive only those few records are read (the reference table says
    which), not the whole archive; in a hub, the hub's catalog.
    """
    archive = Archive.of(archive)
    engagement = archive.engagement(record_id)
    vocab = archive.vocab
    nearby = archive.nearby(engagement)
    linked = [*engagement.related, *([engagement.supersedes] if engagement.supersedes else [])]
    same_member = {e.id: e for e in nearby if e.member == engagement.member}
    return RecordView(
        engagement,
        {i: same_member[i].display_title for i in linked if i in same_member},
        vocab,
        standings(nearby),
        links_to(nearby, engagement),
    )


def links_to(engagements: Iterable[Engagement], engagement: Engagement) -> list[LinkFrom]:
    """Records of ``engagements`` that name ``engagement`` in ``related`` or ``supersedes``."""
    found = []
    for other in engagements:
        if other.key == engagement.key or other.member != engagement.member:
            continue  # in a hub, a member's records name records of that member only
        for how, named in (("related", other.related), ("supersedes", (other.supersedes,))):
            if engagement.id in named:
                found.append(LinkFrom(other.key, other.display_title, other.date, how))
    return sorted(found, key=lambda link: (link.date, link.id))
