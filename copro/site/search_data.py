"""What the site's search needs besides Pagefind's index, written by the build as JSON.

Pagefind matches words, and a page only when it has every word. ``copro search``
understands more: question words are dropped, a vocabulary label or synonym
("mums") finds the records tagged with its term and the terms below it, and a
misspelt word is corrected from the archive's own words. The browser does the
same with two files this module writes (no network, no server code):

``assets/search-terms.json``
    ``{"question_words": [...], "min_corrected": N, "max_phrase": N,
    "phrases": {normalised phrase: {filter group: [labels]}}}``: every label,
    synonym and id of the vocabularies, with the filter values (labels in use)
    that its term and every narrower term give records.
``assets/search-words.json``
    ``{word: records}``: every word of the searchable text of the record pages,
    lower-cased, with how many records use it; loaded only when a word finds
    nothing, to correct it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from copro.core.placeholders import published_body
from copro.core.vocab import VOCAB_NAMES, Vocabularies
from copro.site.pages import RecordPage, SiteData
from copro.store.query import MAX_PHRASE_WORDS, QUESTION_WORDS
from copro.views.search import MIN_CORRECTED_LENGTH

FILTER_OF_KIND = {
    "topics": "topic",
    "populations": "population",
    "places": "place",
    "methods": "method",
}
"""Vocabulary -> the search filter group whose values are its labels."""
assert set(FILTER_OF_KIND) == set(VOCAB_NAMES)
TERMS_FILE = "search-terms.json"
WORDS_FILE = "search-words.json"
_WORD = re.compile(r"[^\W\d_]{3,}")
"""Words worth correcting towards: letters only, three or more of them."""


def vocabulary_table(vocab: Vocabularies, data: SiteData) -> dict[str, Any]:
    """Every phrase people may type for a term -> the filter values that find its records."""
    in_use: dict[str, set[str]] = {group: set() for group in FILTER_OF_KIND.values()}
    for page in data.records:
        for group in in_use:
            in_use[group].update(page.filters.get(group, ()))
    phrases: dict[str, dict[str, list[str]]] = {}
    for kind, group in FILTER_OF_KIND.items():
        vocabulary = vocab[kind]
        for phrase, term_id in vocabulary.phrases().items():
            labels = sorted(
                {vocabulary.label(i) for i in vocabulary.narrower(term_id)} & in_use[group]
            )
            if labels:
                phrases.setdefault(phrase, {})[group] = labels
    return {
        "question_words": sorted(QUESTION_WORDS),
        "min_corrected": MIN_CORRECTED_LENGTH,
        "max_phrase": MAX_PHRASE_WORDS,
        "phrases": phrases,
    }


def searchable_text(page: RecordPage) -> str:
    """The words a record page gives Pagefind: what the spelling list is made from."""
    e = page.engagement
    parts = [page.title, e.aim or "", e.lead_name, *e.asked, published_body(e.body)]
    parts += [f.text for f in page.findings]
    parts += [a.text for f in page.findings for a in f.actions]
    parts += [t.label for t in (*page.places, *page.populations, *page.topics)]
    parts += page.methods
    return "\n".join(parts)


def word_list(data: SiteData) -> dict[str, int]:
    """Each word of the record pages -> how many records use it (most used first)."""
    counts: Counter[str] = Counter()
    for page in data.records:
        counts.update({w.lower() for w in _WORD.findall(searchable_text(page))})
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def write_search_data(data: SiteData, vocab: Vocabularies, folder: Path) -> None:
    """Write both files into ``folder/assets`` (the site's own files: no request leaves it)."""
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name, document in (
        (TERMS_FILE, vocabulary_table(vocab, data)),
        (WORDS_FILE, word_list(data)),
    ):
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        (assets / name).write_text(text, encoding="utf-8", newline="\n")
