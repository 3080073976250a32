"""The index store knows no search engine: a backend is one small class behind a protocol.

A second engine is not asked for; this proves one would be one module. A
backend that only keeps documents in a JSON file is enough for the store to
build, update and report, with its generations, manifest and freshness rule.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conftest import VALID_RECORD
from copro.core.vocab import load_vocabularies
from copro.store import index
from copro.store.query import Document, Hit, QuerySpec


class _JsonWriter:
    def __init__(self, folder: Path, documents: dict[str, Document]) -> None:
        self.folder, self.documents = folder, dict(documents)

    def add(self, document: Document) -> None:
        self.documents[document["path"]] = document

    update = add

    def delete(self, path: str) -> None:
        self.documents.pop(path, None)

    def commit(self) -> None:
        (self.folder / "docs.json").write_text(json.dumps(self.documents), encoding="utf-8")

    def cancel(self) -> None:
        pass


class _JsonHandle:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.documents = json.loads((folder / "docs.json").read_text(encoding="utf-8"))

    def writer(self) -> _JsonWriter:
        return _JsonWriter(self.folder, self.documents)

    def search(self, spec: QuerySpec, limit: int) -> tuple[int, list[Hit]]:
        hits = [
            Hit(d["id"], d["title"], d["date"], d["path"], 1.0, "")
            for d in self.documents.values()
            if all(set(d[f].split(",")) & ids for f, ids in spec.filters.items())
        ]
        return len(hits), hits[:limit]

    def more_like(self, text: str, exclude_path: str, top: int):  # noqa: ANN201
        return [], {}

    def spelling(self, words: list[str]) -> dict:
        return {}

    def titles(self, ids: set[str]) -> dict[str, str]:
        return {d["id"]: d["title"] for d in self.documents.values() if d["id"] in ids}


class JsonBackend:
    name, version = "json", 1

    def create(self, folder: Path, documents: int) -> _JsonWriter:
        return _JsonWriter(folder, {})

    def open(self, folder: Path) -> _JsonHandle:
        return _JsonHandle(folder)

    def analysed_terms(self, text: str) -> set[str]:
        return set(text.lower().split())


def test_index_store_imports_no_search_engine() -> None:
    tree = ast.parse(Path(index.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    assert not any(name.startswith("whoosh") for name in imported)


def test_a_second_backend_is_one_class(empty_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(index.BACKENDS, "json", JsonBackend)
    for name in ("2024-03-one", "2024-03-two"):
        path = empty_root / "archive" / "2024" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(VALID_RECORD.format(id=name), encoding="utf-8")
    vocab, _ = load_vocabularies(empty_root)
    store = index.IndexStore(empty_root, backend="json")
    assert store.refresh(vocab).rebuilt
    path.unlink()
    report = store.refresh(vocab)
    assert (report.removed, report.documents) == (1, 1)
    total, hits = store.search(QuerySpec(filters={"topics": {"parenting"}}), 10, vocab)
    assert total == 1 and hits[0].id == "2024-03-one"
