"""The types between search and the index, known to both and to no search engine.

``search`` builds a :class:`QuerySpec` (what to ask); the index store keeps one
:func:`document_for` each engagement (what is searchable of a record); a
backend answers with :class:`Hit` values (what comes back). A new search
engine is one backend module that takes these types (see ``copro.store.index``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from copro.core.errors import UsageError
from copro.core.model import Engagement
from copro.core.placeholders import body_prose
from copro.core.vocab import VOCAB_NAMES, Vocabularies, normalise

__all__ = [
    "KEYWORD_FIELDS",
    "TEXT_FIELDS",
    "Concept",
    "Document",
    "Hit",
    "QuerySpec",
    "SNIPPET_FIELDS",
    "Suggestion",
    "concepts_from_text",
    "concepts_in",
    "check_fields",
    "document_for",
    "edit_distance",
    "not_understood",
    "plain_snippet",
]

TEXT_FIELDS = ("title", "asked", "findings", "actions", "body")
"""Fields of free text, searched for words (in this order of weight)."""
SNIPPET_FIELDS = ("findings", "asked", "actions", "body")
"""Where a result's snippet comes from, the first holding a word asked for: never the
title, which every result shows beside it (else the snippet only repeated it)."""
KEYWORD_FIELDS = ("topics", "populations", "places", "methods", "orgs", "sectors")
"""Comma-separated lists of ids or names, matched whole."""

Document = dict[str, str]
"""One record as the index stores it: field name -> text (lists joined with commas)."""


@dataclass
class Concept:
    """One thing the person asked about: words, and the vocabulary terms they name."""

    texts: list[str]
    facets: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class QuerySpec:
    """What to ask the index, independent of any search engine.

    ``raw_syntax`` is query syntax the person typed (fields and operators);
    ``concepts`` are plain words, combined with AND (``match_all``) or OR;
    ``filters`` keep records whose field holds any of the ids; ``org_patterns``
    match organisation names containing the text; ``since``/``until`` bound
    the record's date (ISO, inclusive). Withdrawn records are left out unless
    ``include_withdrawn`` (contract v3: every backend must honour it).
    """

    raw_syntax: str | None = None
    concepts: list[Concept] = field(default_factory=list)
    match_all: bool = True
    filters: dict[str, set[str]] = field(default_factory=dict)
    org_patterns: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    include_withdrawn: bool = False

    @property
    def has_text(self) -> bool:
        return bool(self.raw_syntax or self.concepts)


@dataclass
class Hit:
    """One record found: ``snippet`` marks matched words as Markdown ``**bold**``."""

    id: str
    title: str
    date: str
    path: str
    score: float
    snippet: str
    populations: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    member: str | None = None
    """The hub member the record came from (None: the archive's or hub's own)."""
    kind: str = "engagement"
    """``engagement``, or ``consensus`` for a consensus statement (contract section 8)."""

    def to_json(self, with_member: bool = False) -> dict[str, Any]:
        """The contract's shape; in a hub also ``member``, and ``path`` within that member."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "path": self.path.partition(":")[2] if self.member else self.path,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }
        if with_member:
            out["member"] = self.member
        return out


@dataclass(frozen=True)
class Suggestion:
    """A word of the index close to a word no record contains."""

    word: str
    distance: int
    records: int


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, replace, or swap neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def document_for(engagement: Engagement) -> Document:
    """What the index keeps of one engagement (in a hub, path and id carry its member)."""
    member = engagement.member
    return {
        "path": f"{member}:{engagement.path}" if member else engagement.path,
        "id": engagement.key,
        "member": member or "",
        "title": engagement.display_title,
        "date": engagement.date,
        "asked": "\n".join(engagement.asked),
        "findings": "\n".join(f.text for f in engagement.findings),
        "actions": "\n".join(f"{a.text} {a.reason or ''}" for a in engagement.actions),
        "body": body_prose(engagement.body),  # the words, not headings or guidance
        "topics": ",".join(engagement.all_topics),
        "populations": ",".join(engagement.populations),
        "places": ",".join(engagement.places),
        "methods": ",".join(engagement.methods),
        "ladder": engagement.ladder,
        "status": engagement.status,
        "orgs": ",".join(o.name.replace(",", " ") for o in engagement.organisations),
        "sectors": ",".join(o.sector for o in engagement.organisations),
    }


# ---------------------------------------------------------------- words to concepts

_WORD = re.compile(r"[\w][\w'&+\-]*", re.UNICODE)
MAX_PHRASE_WORDS = 5
# How people ask ("what did carers say about discharge?"): words that carry the
# question, not its subject. They are left out of the words a record must match,
# unless the query holds nothing else. A vocabulary phrase is matched first, so
# "people with lived experience" stays a population.
QUESTION_WORDS = frozenset(
    """
    a about after all already an and any anybody anyone anything are as ask asked asking at
    be been before being but by can could did do does doing done ever for from get got had has
    have having he hear heard how i if in into is it its know knew me mention mentioned my of
    on or our people person said say saying says she should some someone something talk
    talked tell telling tells that the their them there they think thought this those to told
    us was we were what when where which while who whom whose why will with would you your
    """.split()
)


def concepts_from_text(text: str, vocab: Vocabularies) -> list[Concept]:
    """Split free text into concepts, longest vocabulary phrase first, question words dropped."""
    concepts = concepts_in(text, vocab)
    subject = [
        c for c in concepts if c.facets or normalise(" ".join(c.texts)) not in QUESTION_WORDS
    ]
    return subject or concepts


def concepts_in(text: str, vocab: Vocabularies) -> list[Concept]:
    """Every concept of ``text``, longest vocabulary phrase first (question words kept)."""
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


def check_fields(text: str, names: Iterable[str]) -> None:
    """A ``name:`` outside quotes that is no field of the index is a usage error (exit 2)."""
    known = set(names)
    outside_quotes = re.sub(r'"[^"]*"', " ", text)
    for name in re.findall(r"(\w+):", outside_quotes):
        if name not in known:
            raise UsageError(
                f"the query names a field {name!r} that does not exist",
                "to search for text containing ':' put it in double quotes, e.g. "
                "copro search '\"12:30\"'; fields: " + ", ".join(sorted(known)),
            )


def not_understood(raw_syntax: str) -> UsageError:
    """The error for typed query syntax that asks for nothing a record could hold."""
    return UsageError(
        f"the query {raw_syntax!r} could not be understood",
        "quote words to search for them literally, e.g. copro search '\"12:30\"'; "
        "fields are title, asked, findings, actions, body, topics, populations, places",
    )


def plain_snippet(findings: str, body: str) -> str:
    """A result's snippet when no word was asked for: its first finding, else its body."""
    first = (findings or body or "").strip()
    first = " ".join(line for line in first.splitlines() if not line.startswith("#")).strip()
    return (first[:157] + "…") if len(first) > 160 else first
