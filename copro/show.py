"""``copro show``: one record, with the titles of the records it points at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copro.index import IndexStore
from copro.records import load_record, public_meta
from copro.vocab import Vocabularies, load_vocabularies


@dataclass
class RecordView:
    id: str
    path: str
    front_matter: dict[str, Any]
    body: str
    linked_titles: dict[str, str]
    vocab: Vocabularies

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "front_matter": self.front_matter,
            "body": self.body,
        }


def show(root: Path, record_id: str) -> RecordView:
    """The record ``record_id``; the index is refreshed first so links show titles."""
    root = Path(root).resolve()
    record = load_record(root, record_id)
    vocab, _ = load_vocabularies(root)
    store = IndexStore(root)
    store.refresh(vocab)
    linked = [*(record.meta.get("related") or []), record.meta.get("supersedes")]
    titles = store.titles(vocab, [i for i in linked if isinstance(i, str)])
    meta = public_meta(record.meta)
    return RecordView(record.id, record.relpath, meta, record.body, titles, vocab)
