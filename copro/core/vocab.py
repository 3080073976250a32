"""Controlled vocabularies: terms with labels, synonyms and a ``broader`` hierarchy.

Search, reports and ``copro new`` all need the same three things from here:
resolve what a person typed ("mums", "PHB") to an id, expand an id to itself
and every narrower term (north-central-london -> camden, islington, ...), and
suggest the closest ids when a record uses one that does not exist.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from copro.core import pii
from copro.core.errors import CoproError
from copro.core.paths import VOCAB_DIR, cache_dir, relpath, shipped_schemas_dir
from copro.core.problems import ERROR, Problem
from copro.core.version import VERSION

if TYPE_CHECKING:
    from copro.core.yamlstrict import DecodedText

VOCAB_NAMES = ("topics", "populations", "places", "methods")
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TERM_KEYS = frozenset({"id", "label", "synonyms", "broader", "same_as", "in_sentence"})


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    broader: str | None = None
    same_as: str | None = None
    """In a hub member: the id of the hub's term that means the same (contract section 4)."""
    in_sentence: str | None = None
    """How the label reads inside a sentence ("mothers", "a focus group"); letters use it."""


@dataclass
class Vocabulary:
    """One vocabulary file's terms, with the lookups search and reports need."""

    name: str
    terms: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._children: dict[str, list[str]] = {}
        self._by_text: dict[str, str] = {}
        self.reindex()

    def reindex(self) -> None:
        self._children = {}
        self._by_text = {}
        for term in self.terms.values():
            if term.broader:
                self._children.setdefault(term.broader, []).append(term.id)
        for term in self.terms.values():  # ids win over labels, labels over synonyms
            for text in term.synonyms:
                self._by_text.setdefault(normalise(text), term.id)
        for term in self.terms.values():
            self._by_text[normalise(term.label)] = term.id
        for term in self.terms.values():
            self._by_text[normalise(term.id)] = term.id

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.terms

    def label(self, term_id: str) -> str:
        term = self.terms.get(term_id)
        return term.label if term else term_id

    def in_sentence(self, term_id: str) -> str:
        """The term as a sentence says it: its ``in_sentence``, else its label as written."""
        term = self.terms.get(term_id)
        if term is None:
            return term_id
        return term.in_sentence or term.label

    def narrower(self, term_id: str) -> set[str]:
        """``term_id`` and every term below it (cycle-safe)."""
        out: set[str] = set()
        stack = [term_id]
        while stack:
            current = stack.pop()
            if current in out:
                continue
            out.add(current)
            stack.extend(self._children.get(current, ()))
        return out

    def broader_chain(self, term_id: str) -> list[str]:
        """The terms above ``term_id``, nearest first."""
        chain: list[str] = []
        current = self.terms.get(term_id)
        while current and current.broader and current.broader not in chain:
            chain.append(current.broader)
            current = self.terms.get(current.broader)
        return chain

    def resolve(self, text: str) -> str | None:
        """The id whose id, label or synonym is ``text`` (case and spacing ignored)."""
        return self._by_text.get(normalise(text))

    def phrases(self) -> dict[str, str]:
        """Every label and synonym (normalised) -> its term id."""
        return dict(self._by_text)

    def closest(self, text: str, n: int = 3) -> list[str]:
        """The ids nearest to ``text`` by spelling, for "did you mean" messages."""
        by_id = difflib.get_close_matches(text, list(self.terms), n=n, cutoff=0.5)
        resolved = self.resolve(text)
        candidates = ([resolved] if resolved else []) + by_id
        if len(candidates) < n:
            labels = {normalise(t.label): t.id for t in self.terms.values()}
            for match in difflib.get_close_matches(normalise(text), list(labels), n=n, cutoff=0.5):
                candidates.append(labels[match])
        seen: list[str] = []
        for candidate in candidates:
            if candidate not in seen:
                seen.append(candidate)
        return seen[:n]


@dataclass
class Vocabularies:
    """All four vocabularies, plus a fingerprint that changes when any file does."""

    by_name: dict[str, Vocabulary]
    fingerprint: str
    source: Path

    def __getitem__(self, name: str) -> Vocabulary:
        return self.by_name[name]

    def expand(self, name: str, ids: Iterable[str]) -> set[str]:
        vocabulary = self.by_name[name]
        out: set[str] = set()
        for term_id in ids:
            out |= vocabulary.narrower(term_id)
        return out


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def vocab_dir_for(root: Path | None) -> Path:
    """The root's own ``schemas/vocab/``, else the one shipped with copro."""
    if root is not None and (root / VOCAB_DIR).is_dir():
        return root / VOCAB_DIR
    return shipped_schemas_dir() / "vocab"


def load_vocabularies(root: Path | None) -> tuple[Vocabularies, list[Problem]]:
    """Load and check all four vocabularies; problems name the vocabulary file and line.

    The checked result is cached in the user cache, keyed by the files' content
    hash, so a warm ``search`` neither imports PyYAML nor parses the files again.
    """
    folder = vocab_dir_for(root)
    texts: dict[str, str | None] = {}
    digest = hashlib.sha256(f"copro {VERSION} vocab 3".encode())  # parsing rules may change
    for name in VOCAB_NAMES:
        try:
            texts[name] = (folder / f"{name}.yml").read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            texts[name] = None
        digest.update(name.encode() + b"\0" + (texts[name] or "\0missing").encode() + b"\0")
    fingerprint = digest.hexdigest()[:16]
    cache = _cache_file(root, fingerprint)
    cached = _read_cache(cache) if cache is not None else None
    if cached is not None:
        by_name, problems = cached
        return Vocabularies(by_name, fingerprint, folder), problems
    problems = []
    by_name = {}
    for name in VOCAB_NAMES:
        path = folder / f"{name}.yml"
        shown = relpath(root, path) if root is not None else path.as_posix()
        text = texts[name]
        if text is None:
            problems.append(
                Problem(shown, 1, ERROR, "vocab-missing", f"cannot read vocabulary {name}.yml")
            )
            by_name[name] = Vocabulary(name)
            continue
        vocabulary, found = parse_vocabulary(name, text, shown)
        problems.extend(found)
        by_name[name] = vocabulary
    if cache is not None:
        _write_cache(cache, by_name, problems)
    return Vocabularies(by_name, fingerprint, folder), problems


def _cache_file(root: Path | None, fingerprint: str) -> Path | None:
    """The cache file, or None when the cache setting is unusable (validate needs no cache)."""
    try:
        base = cache_dir(root) if root is not None else cache_dir(shipped_schemas_dir())
    except CoproError:
        return None
    return base / f"vocab-{fingerprint}.json"


def _read_cache(path: Path) -> tuple[dict[str, Vocabulary], list[Problem]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        by_name = {
            name: Vocabulary(
                name,
                {
                    t["id"]: Term(
                        t["id"],
                        t["label"],
                        tuple(t["synonyms"]),
                        t["broader"],
                        t.get("same_as"),
                        t.get("in_sentence"),
                    )
                    for t in terms
                },
            )
            for name, terms in data["terms"].items()
        }
        problems = [Problem(**p) for p in data["problems"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (by_name, problems) if set(by_name) == set(VOCAB_NAMES) else None


def _write_cache(path: Path, by_name: dict[str, Vocabulary], problems: list[Problem]) -> None:
    """Best effort: a cache that cannot be written only costs a parse next time."""
    document = {
        "terms": {
            name: [
                {
                    "id": t.id,
                    "label": t.label,
                    "synonyms": list(t.synonyms),
                    "broader": t.broader,
                    "same_as": t.same_as,
                    "in_sentence": t.in_sentence,
                }
                for t in vocabulary.terms.values()
            ]
            for name, vocabulary in by_name.items()
        },
        "problems": [p.to_json() for p in problems],
    }
    from copro.core.fileio import write_cache_json

    write_cache_json(path, document)


def _personal_data(text: str, shown: str, decoded: list[DecodedText]) -> list[Problem]:
    """Vocabulary files are published with the archive: they pass the same gate."""
    from copro.core.records import FM_ALLOW_MARKER

    allowed = {n for n, line in enumerate(text.split("\n"), start=1) if FM_ALLOW_MARKER in line}
    values = ((d.line, d.end_line, d.value) for d in decoded)
    found = pii.scan_document(text, values, allowed)
    return [Problem(shown, f.line, ERROR, f.code, f.message) for f in found]


def parse_vocabulary(name: str, text: str, shown: str) -> tuple[Vocabulary, list[Problem]]:
    """Parse one vocabulary file strictly and check ids, ``broader`` and cycles."""
    problems: list[Problem] = []

    def add(line: int, code: str, message: str) -> None:
        problems.append(Problem(shown, line, ERROR, code, message))

    from copro.core import yamlstrict
    from copro.core.records import control_characters

    controls = control_characters(text)
    for line, message in controls:
        add(line, "file-control-character", message)
    if controls:
        return Vocabulary(name), problems
    loaded = yamlstrict.load(text, first_line=1)
    for issue in loaded.issues:
        add(issue.line, issue.code, issue.message)
    problems.extend(_personal_data(text, shown, loaded.decoded))
    controls = control_characters("", loaded.decoded)
    for line, message in controls:
        add(line, "file-control-character", message)
    data = loaded.value
    if loaded.issues or controls:
        return Vocabulary(name), problems
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        add(1, "vocab-invalid", "a vocabulary file has one key, `terms`, holding a list of terms")
        return Vocabulary(name), problems
    extra = sorted(set(data) - {"terms"})
    if extra:
        add(loaded.lines.get((extra[0],), 1), "vocab-invalid", "only the key `terms` is allowed")
    terms: dict[str, Term] = {}
    term_lines: dict[str, int] = {}
    for index, item in enumerate(data["terms"]):
        line = loaded.lines.get(("terms", index), 1)
        term = _parse_term(item, line, add)
        if term is None:
            continue
        if term.id in terms:
            add(line, "vocab-duplicate-id", f"term id `{pii.shown(term.id)}` appears twice")
            continue
        terms[term.id] = term
        term_lines[term.id] = line
    for term in terms.values():
        if term.broader and term.broader not in terms:
            add(
                term_lines[term.id],
                "vocab-unknown-broader",
                f"`{pii.shown(term.id)}` has broader `{pii.shown(term.broader)}`, "
                "which is not a term of this file",
            )
    for term_id in _cycle_members(terms):
        add(
            term_lines[term_id],
            "vocab-cycle",
            f"`{pii.shown(term_id)}` is its own broader term (a cycle)",
        )
    return Vocabulary(name, terms), problems


def _parse_term(item: object, line: int, add) -> Term | None:
    if not isinstance(item, dict):
        add(line, "vocab-invalid", "each term is a mapping with id and label")
        return None
    unknown = sorted(set(item) - TERM_KEYS)
    if unknown:
        add(
            line,
            "vocab-invalid",
            "a term has only id, label, synonyms, broader, same_as and in_sentence",
        )
    term_id, label = item.get("id"), item.get("label")
    if not isinstance(term_id, str) or not KEBAB.fullmatch(term_id):
        add(line, "vocab-invalid", "term `id` must be kebab-case (lower-case words and hyphens)")
        return None
    if not isinstance(label, str) or not label.strip():
        add(line, "vocab-invalid", f"term `{pii.shown(term_id)}` needs a `label`")
        return None
    synonyms = item.get("synonyms") or []
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        add(line, "vocab-invalid", f"`synonyms` of `{pii.shown(term_id)}` must be a list of text")
        synonyms = []
    broader = item.get("broader")
    if broader is not None and not isinstance(broader, str):
        add(line, "vocab-invalid", f"`broader` of `{pii.shown(term_id)}` must be a term id")
        broader = None
    same_as = item.get("same_as")
    if same_as is not None and (not isinstance(same_as, str) or not KEBAB.fullmatch(same_as)):
        add(
            line,
            "vocab-invalid",
            f"`same_as` of `{pii.shown(term_id)}` must be the id of a hub term",
        )
        same_as = None
    in_sentence = item.get("in_sentence")
    if in_sentence is not None and (not isinstance(in_sentence, str) or not in_sentence.strip()):
        add(
            line,
            "vocab-invalid",
            f"`in_sentence` of `{pii.shown(term_id)}` must be text (how the label reads "
            "inside a sentence)",
        )
        in_sentence = None
    return Term(
        term_id,
        label.strip(),
        tuple(synonyms),
        broader,
        same_as,
        in_sentence.strip() if in_sentence else None,
    )


def _cycle_members(terms: dict[str, Term]) -> list[str]:
    in_cycle: list[str] = []
    for start in terms:
        seen = {start}
        current = terms[start].broader
        while current and current in terms:
            if current == start:
                in_cycle.append(start)
                break
            if current in seen:
                break
            seen.add(current)
            current = terms[current].broader
    return in_cycle


def resolve_term(vocab: Vocabularies, name: str, given: str, option: str) -> str:
    """A vocabulary id from an id, label or synonym, or a usage error with suggestions."""
    from copro.core.errors import UsageError

    vocabulary = vocab[name]
    if given in vocabulary:
        return given
    resolved = vocabulary.resolve(given)
    if resolved:
        return resolved
    closest = [vocabulary.terms[term_id] for term_id in vocabulary.closest(given)]
    add = f"`copro vocab add {name} --label {_shell_word(suggested_label(given, name))}`"
    hint = (
        f"closest: {', '.join(f'{term.label} ({term.id})' for term in closest)}. "
        if closest
        else f"see every term with `copro vocab list {name}`. "
    )
    raise UsageError(
        f"{option} {pii.quoted(given)} is not a term of the {name} vocabulary",
        hint + f"If it is a new term, add it: {add}",
    )


_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "in", "of", "on", "the", "upon", "under"})


def suggested_label(given: str, name: str) -> str:
    """A label for a term typed as ``given``: as typed when it has a capital letter (the
    person's own casing); typed all in lower case (as ids are), capitalised as the
    vocabulary's labels are: a place's every word, other terms' first word."""
    words = given.split()
    if not words or any(ch.isupper() for ch in given):
        return " ".join(words)
    if name == "places":
        return " ".join(
            word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
            for index, word in enumerate(words)
        )
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def _shell_word(given: str) -> str:
    """``given`` quoted for a shell, when it is safe to repeat; else a placeholder."""
    import shlex

    echoed = pii.safe_echo(" ".join(given.split()))
    if not echoed:
        return "'LABEL'"
    if "'" in echoed:  # safe_echo allows no other quoting character: "Children's centres"
        return f'"{echoed}"'
    return shlex.quote(echoed)
