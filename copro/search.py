"""``copro search``: words and facets in, ranked records out, vocabulary-aware.

A researcher types what they mean ("somali mums parenting", "PHB"); words that
are a vocabulary label or synonym also match records tagged with that term or
any narrower one. Facet filters expand to narrower terms too, combine with AND
across options and OR within a repeated option. The index module runs the
query; this module only decides what to ask (no Whoosh here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro import pii
from copro.errors import UsageError
from copro.index import Hit, IndexStore, RefreshReport
from copro.model import LADDER, STATUSES, parse_date
from copro.vocab import VOCAB_NAMES, Vocabularies, load_vocabularies, normalise

_SYNTAX = re.compile(r"[:\"()\[\]{}*?~^]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
_WORD = re.compile(r"[\w][\w'&+\-]*", re.UNICODE)
MAX_PHRASE_WORDS = 5


@dataclass
class Concept:
    """One thing the person asked about: words, and the vocabulary terms they name."""

    texts: list[str]
    facets: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class QuerySpec:
    """What to ask the index, independent of Whoosh."""

    raw_syntax: str | None = None
    concepts: list[Concept] = field(default_factory=list)
    match_all: bool = True
    filters: dict[str, set[str]] = field(default_factory=dict)
    org_patterns: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.raw_syntax or self.concepts)


@dataclass
class SearchResult:
    query: str | None
    total: int
    results: list[Hit]
    matched_all_words: bool = True
    refresh: RefreshReport | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "results": [hit.to_json() for hit in self.results],
        }


def resolve_term(vocab: Vocabularies, name: str, given: str, option: str) -> str:
    """A vocabulary id from an id, label or synonym, or a usage error with suggestions."""
    vocabulary = vocab[name]
    if given in vocabulary:
        return given
    resolved = vocabulary.resolve(given)
    if resolved:
        return resolved
    closest = vocabulary.closest(given)
    hint = f"closest: {', '.join(closest)}" if closest else f"see schemas/vocab/{name}.yml"
    raise UsageError(f"{option} {pii.quoted(given)} is not a term of the {name} vocabulary", hint)


def concepts_from_text(text: str, vocab: Vocabularies) -> list[Concept]:
    """Split free text into concepts, longest vocabulary phrase first."""
    words = _WORD.findall(text)
    phrases = {name: vocab[name].phrases() for name in VOCAB_NAMES}
    concepts: list[Concept] = []
    index = 0
    while index < len(words):
        matched = None
        for size in range(min(MAX_PHRASE_WORDS, len(words) - index), 0, -1):
            phrase = normalise(" ".join(words[index : index + size]))
            facets = {  # index facet fields are named after their vocabularies
                name: vocab.expand(name, [phrases[name][phrase]])
                for name in VOCAB_NAMES
                if phrase in phrases[name]
            }
            if facets:
                matched = Concept([" ".join(words[index : index + size])], facets)
                index += size
                break
        if matched is None:
            matched = Concept([words[index]])
            index += 1
        concepts.append(matched)
    return concepts


def build_spec(
    vocab: Vocabularies,
    query: str | None = None,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    methods: Sequence[str] = (),
    ladder: str | None = None,
    orgs: Sequence[str] = (),
    statuses: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
) -> QuerySpec:
    """Check every option and turn it into a QuerySpec (usage errors exit 2)."""
    spec = QuerySpec(since=parse_date(since, "--since"), until=parse_date(until, "--until"))
    if spec.since and spec.until and spec.until < spec.since:
        raise UsageError("--until is before --since")
    text = (query or "").strip()
    if text:
        if _SYNTAX.search(text):
            _check_balanced(text)
            spec.raw_syntax = text
        else:
            spec.concepts = concepts_from_text(text, vocab)
    for facet, option, given in (
        ("topics", "--topic", topics),
        ("populations", "--population", populations),
        ("places", "--place", places),
        ("methods", "--method", methods),
    ):
        if given:
            ids = [resolve_term(vocab, facet, g, option) for g in given]
            spec.filters[facet] = vocab.expand(facet, ids)
    if ladder:
        if ladder not in LADDER:
            raise UsageError(f"--ladder {ladder!r} is not a rung", "rungs: " + ", ".join(LADDER))
        spec.filters["ladder"] = {ladder}
    if statuses:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise UsageError(
                f"--status {bad[0]!r} is not a status", "statuses: " + ", ".join(STATUSES)
            )
        spec.filters["status"] = set(statuses)
    spec.org_patterns = [re.sub(r"[*?]", "", o).strip() for o in orgs if o.strip()]
    return spec


def _check_balanced(text: str) -> None:
    hint = "quote the whole phrase, or leave out the quote or bracket characters"
    if text.count('"') % 2:
        raise UsageError(f"unbalanced quote in the query {text!r}", hint)
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        raise UsageError(f"unbalanced brackets in the query {text!r}", hint)


def search(
    root: Path,
    query: str | None = None,
    *,
    topics: Sequence[str] = (),
    populations: Sequence[str] = (),
    places: Sequence[str] = (),
    methods: Sequence[str] = (),
    ladder: str | None = None,
    orgs: Sequence[str] = (),
    statuses: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Refresh the index if needed, then run the search (the library form of the command)."""
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    root = Path(root).resolve()
    vocab, _ = load_vocabularies(root)
    spec = build_spec(
        vocab, query, topics, populations, places, methods, ladder, orgs, statuses, since, until
    )
    store = IndexStore(root)
    report = store.refresh(vocab, progress)
    total, hits = store.search(spec, limit, vocab)
    matched_all = True
    if total == 0 and len(spec.concepts) > 1:
        spec.match_all = False
        total, hits = store.search(spec, limit, vocab)
        matched_all = False
    return SearchResult(query or None, total, hits, matched_all, report)
