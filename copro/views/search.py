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

from copro.core.errors import UsageError
from copro.core.model import Statement
from copro.core.vocab import Vocabularies
from copro.store.archive import Archive
from copro.store.index import IndexStore, RefreshReport
from copro.store.query import Hit, QuerySpec, concepts_from_text, concepts_in
from copro.store.selection import Selection

_SYNTAX = re.compile(r"[:\"()\[\]{}*?~^]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
_WORD = re.compile(r"\w+")
_QUESTION_MARK = re.compile(r"\?+(?=\s|$)")  # "...discharge?" asks; "parent?ng" is a wildcard
MIN_CORRECTED_LENGTH = 4  # shorter words have too many neighbours to correct safely


@dataclass
class SearchResult:
    query: str | None
    total: int
    results: list[Hit]
    matched_all_words: bool = True
    refresh: RefreshReport | None = None
    corrections: list[tuple[str, str]] = field(default_factory=list)
    """(word typed, word searched for instead): unambiguous spelling corrections."""
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    """Words no record contains -> close words of the index, when none was clearly meant."""
    in_hub: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "results": [hit.to_json(self.in_hub) for hit in self.results],
        }


def build_spec(query: str | None, wanted: Selection, vocab: Vocabularies) -> QuerySpec:
    """What to ask the index: the words of ``query`` narrowed by ``wanted``."""
    spec = QuerySpec()
    text = _QUESTION_MARK.sub(" ", query or "").strip()
    if text:
        if _SYNTAX.search(text):
            _check_balanced(text)
            spec.raw_syntax = text
        else:
            spec.concepts = concepts_from_text(text, vocab)
    wanted.narrow_query(spec)
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
    archive: Archive | Path,
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
    members: Sequence[str] = (),
) -> SearchResult:
    """Refresh the index if needed, then run the search (the library form of the command).

    In a hub root every member is searched; ``members`` narrows to some of them.
    ``limit`` 0 gives every result, as ``review --limit 0`` lists every item.
    """
    if limit < 0:
        raise UsageError("--limit must be a whole number, 0 (every result) or more")
    most = limit or None
    archive = Archive.of(archive)
    vocab = archive.vocab
    wanted = Selection.parse(
        archive,
        topics=topics,
        populations=populations,
        places=places,
        methods=methods,
        ladder=ladder,
        orgs=orgs,
        statuses=statuses,
        since=since,
        until=until,
        members=members,
    )
    spec = build_spec(query, wanted, vocab)
    store = archive.index
    report = store.refresh(vocab, progress)
    corrections, suggestions = correct_spelling(spec, store, vocab)
    total, hits = store.search(spec, most, vocab)
    matched_all = True
    said = statement_hits(archive.statements, spec)
    if total == 0 and not said and len(spec.concepts) > 1:
        spec.match_all = False
        total, hits = store.search(spec, most, vocab)
        said = statement_hits(archive.statements, spec)
        matched_all = False
    return SearchResult(
        query or None,
        total + len(said),
        (said + hits)[:most],
        matched_all,
        report,
        corrections,
        suggestions,
        in_hub=archive.in_hub,
    )


STATEMENT_FILTERS = ("topics", "populations", "places")
"""The filters a consensus statement's scope answers; any other filter leaves statements out."""


def statement_hits(statements: Sequence[Statement], spec: QuerySpec) -> list[Hit]:
    """Agreed and retired consensus statements the search matches (``kind: consensus``).

    A statement matches on its title, statement and body words (each word
    starting a word of it, or a vocabulary term of its scope) and on the
    topic, population and place filters against its scope; its date answers
    ``--since``/``--until``. Drafts are not searched: they are not yet said.
    """
    filters = {k: v for k, v in spec.filters.items() if k != "member"}
    if spec.raw_syntax or spec.org_patterns or set(filters) - set(STATEMENT_FILTERS):
        return []
    members = spec.filters.get("member")
    hits = []
    for s in statements:
        if not s.published or (members is not None and s.member not in members):
            continue
        if (spec.since and s.date < spec.since) or (spec.until and s.date > spec.until):
            continue
        scope = {
            "topics": set(s.topics),
            "populations": set(s.populations),
            "places": set(s.places),
        }
        if any(not (wanted & scope[facet]) for facet, wanted in filters.items()):
            continue
        text = f"{s.title} {s.statement} {s.body}".casefold()
        words = set(_WORD.findall(text))
        matched = [
            c
            for c in spec.concepts
            if any(any(w.startswith(t.casefold()) for w in words) for t in c.texts)
            or any(ids & scope.get(facet, set()) for facet, ids in c.facets.items())
        ]
        if spec.concepts and (
            not matched or (spec.match_all and len(matched) < len(spec.concepts))
        ):
            continue
        hits.append(
            Hit(s.key, s.display_title, s.date, s.path, float(len(matched) or 1), s.statement,
                list(s.populations), list(s.topics), s.member, "consensus")
        )  # fmt: skip
    return sorted(hits, key=lambda h: (-h.score, h.date), reverse=False)


def correct_spelling(
    spec: QuerySpec, store: IndexStore, vocab: Vocabularies
) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """Replace words no record contains by the index's own word when exactly one is closest.

    Returns the corrections made and, for words with several equally close
    candidates, those candidates (nothing is searched for them instead).
    """
    plain = {
        c.texts[0]: position
        for position, c in enumerate(spec.concepts)
        if not c.facets
        and len(c.texts) == 1
        and len(c.texts[0]) >= MIN_CORRECTED_LENGTH
        and c.texts[0].isalpha()
    }
    corrections: list[tuple[str, str]] = []
    suggestions: dict[str, list[str]] = {}
    for word, candidates in store.spelling(vocab, plain).items():
        if not candidates:
            continue
        closest = [c for c in candidates if c.distance == candidates[0].distance]
        if len(closest) == 1:
            corrected = concepts_in(closest[0].word, vocab)
            if len(corrected) == 1:
                spec.concepts[plain[word]] = corrected[0]
                corrections.append((word, closest[0].word))
                continue
        suggestions[word] = [c.word for c in closest[:3]]
    return corrections, suggestions
