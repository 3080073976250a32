"""The index store knows no search engine: a backend is one small class behind a protocol.

Two real engines stand behind it (Whoosh and SQLite FTS5, chosen by copro.yml or
by the archive's size); a backend that only keeps documents in a JSON file is
enough for the store to build, update and report, with its generations, manifest
and freshness rule.
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


def _stamped_backend(cache: Path) -> str:
    manifest = next(cache.rglob("copro-manifest.json"))
    return json.loads(manifest.read_text(encoding="utf-8"))["stamp"]["backend"]


def test_copro_yml_names_the_backend(sample_root: Path, cli, private_cache: Path) -> None:
    (sample_root / "copro.yml").write_text("search:\n  backend: sqlite\n", encoding="utf-8")
    result = cli("--root", str(sample_root), "search", "parenting", "--json")
    assert result.exit_code == 0, result.stderr
    assert _stamped_backend(private_cache).startswith("sqlite-")
    (sample_root / "copro.yml").write_text("search:\n  backend: whoosh\n", encoding="utf-8")
    again = cli("--root", str(sample_root), "search", "parenting", "--json")
    assert (
        json.loads(again.stdout)["results"][0]["id"]
        == json.loads(result.stdout)["results"][0]["id"]
    )
    assert _stamped_backend(private_cache).startswith("whoosh-")


def test_without_settings_a_large_archive_gets_the_faster_backend(
    sample_root: Path, cli, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("--root", str(sample_root), "index").exit_code == 0
    assert _stamped_backend(private_cache).startswith(index.DEFAULT_BACKEND)
    monkeypatch.setattr(index, "LARGE_ARCHIVE", 10)  # the sample has 16 records
    report = json.loads(cli("--root", str(sample_root), "index", "--json").stdout)
    assert report["rebuilt"] and report["documents"] == 16
    assert _stamped_backend(private_cache).startswith(index.LARGE_BACKEND + "-")


def test_an_unknown_backend_is_an_archive_problem(sample_root: Path, cli) -> None:
    (sample_root / "copro.yml").write_text("search:\n  backend: lucene\n", encoding="utf-8")
    result = cli("--root", str(sample_root), "search", "parenting")
    assert result.exit_code in (1, 2) and "lucene" in result.stderr
    assert "Traceback" not in result.stderr
