"""The SQLite FTS5 backend of the search index: the standard library's ``sqlite3``, no new
dependency.

One file, ``index.sqlite``, in the generation folder the store gives it:

- ``docs``: one row per record (path, id, member, title, date, status), the rowid shared
  with the text tables;
- ``fts``: an FTS5 table of the text fields (title, asked, findings, actions, body) with
  the Porter stemmer, ranked with BM25 weighted per field as the Whoosh backend weights
  them, and giving the snippets;
- ``spell``: the same text unstemmed (an external-content FTS5 table over ``fts``, so no
  second copy of the text), whose vocabulary gives spelling suggestions;
- ``facets``: (record, field, value) for the keyword fields, ladder, status and member.

A query is evaluated as sets of records with scores: each word or phrase is one FTS5
``MATCH`` (all its words in one field, as with Whoosh), each facet one indexed lookup,
combined with AND, OR and NOT in Python. The words copro drops (Whoosh's stop words) are
dropped here too, so a query means the same on every backend; SQLite does the stemming
of both the records and the query words. Memory stays small whatever the archive's size:
SQLite reads pages, not the whole index.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from copro.core.errors import UsageError
from copro.store.query import (
    KEYWORD_FIELDS,
    SNIPPET_FIELDS,
    TEXT_FIELDS,
    Concept,
    Document,
    Hit,
    QuerySpec,
    Suggestion,
    check_fields,
    edit_distance,
    not_understood,
    plain_snippet,
)

__all__ = ["SqliteBackend"]

DATABASE = "index.sqlite"
TOKENIZE = "porter unicode61 remove_diacritics 0"
WEIGHTS = {"title": 3.0, "asked": 1.5, "findings": 2.0, "actions": 1.5, "body": 1.0}
"""BM25 weight per text field: the field boosts of the Whoosh backend."""
FACET_FIELDS = (*KEYWORD_FIELDS, "ladder", "status", "member")
LOWERCASED = frozenset(KEYWORD_FIELDS)
FACET_SCORE = 1.0
"""What a record gains for a vocabulary term it is tagged with (a word it holds gains BM25)."""
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the "
    "this to us we when will with yet you your".split()
)
"""Whoosh's default stop words: left out of queries on every backend."""
MORE_LIKE_TERMS = 8
_TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)

SCHEMA = f"""
CREATE TABLE docs(
    rowid INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, id TEXT NOT NULL,
    member TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL,
    topics TEXT NOT NULL, populations TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5({", ".join(TEXT_FIELDS)}, tokenize='{TOKENIZE}');
CREATE VIRTUAL TABLE spell USING fts5(
    {", ".join(TEXT_FIELDS)}, content='fts', tokenize='unicode61 remove_diacritics 0',
    detail='none');
CREATE VIRTUAL TABLE fts_terms USING fts5vocab(fts, 'col');
CREATE VIRTUAL TABLE spell_terms USING fts5vocab(spell, 'row');
CREATE TABLE facets(doc INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
"""
INDEXES = (
    "CREATE INDEX docs_id ON docs(id)",
    "CREATE INDEX facets_value ON facets(field, value, doc)",
    "CREATE INDEX facets_doc ON facets(doc)",
)
"""Built after a full build's rows (faster than kept up to date row by row)."""
DOC_COLUMNS = ("path", "id", "member", "title", "date", "topics", "populations")
WRITE_BATCH = 500

Scores = dict[int, float]
"""rowid -> score of the records a part of a query matched."""


def words_of(text: str) -> list[str]:
    """The words of ``text`` a query looks for: lower case, stop words left out."""
    return [w for w in _TOKEN.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")
    return connection


class SqliteBackend:
    """SQLite FTS5: BM25 over the text fields, an indexed table for facets."""

    name = "sqlite"
    version = 1

    def __init__(self) -> None:
        self._stemmer: _Stemmer | None = None

    def create(self, folder: Path, documents: int) -> _Writer:
        connection = _connect(folder / DATABASE)
        connection.execute("PRAGMA journal_mode=OFF")  # a new generation: a failed build is
        connection.execute("PRAGMA synchronous=OFF")  # removed whole by the store
        connection.executescript(SCHEMA)
        return _Writer(connection, fresh=True)

    def open(self, folder: Path) -> _Handle:
        path = folder / DATABASE
        if not path.is_file():
            raise FileNotFoundError(path)
        connection = _connect(path)
        connection.execute("SELECT count(*) FROM docs").fetchone()  # opens, or raises
        return _Handle(connection, self)

    def analysed_terms(self, text: str) -> set[str]:
        """The index's words for ``text`` (lower case, stemmed by SQLite, stop words left out)."""
        if self._stemmer is None:
            self._stemmer = _Stemmer()
        return set(self._stemmer.counts(text))


class _Stemmer:
    """SQLite's own Porter stemmer, through a table in memory (so terms compare exactly)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", isolation_level=None)
        self._db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{TOKENIZE}')")
        self._db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")

    def counts(self, text: str) -> dict[str, int]:
        """Stemmed term -> how often it occurs in ``text``."""
        self._db.execute("DELETE FROM t")
        self._db.execute("INSERT INTO t(x) VALUES (?)", (" ".join(words_of(text)),))
        return {term: count for term, count in self._db.execute("SELECT term, cnt FROM v")}


class _Writer:
    """Documents added are written :data:`WRITE_BATCH` at a time, each table by one
    ``executemany`` (a statement per document and table cost more than FTS5's own work)."""

    def __init__(self, connection: sqlite3.Connection, fresh: bool = False) -> None:
        self._db = connection
        self._fresh = fresh
        self._waiting: list[Document] = []
        self._db.execute("BEGIN")

    def add(self, document: Document) -> None:
        self._waiting.append(document)
        if len(self._waiting) >= WRITE_BATCH:
            self._flush()

    def _flush(self) -> None:
        """The documents waiting, with rowids following the last one written."""
        if not self._waiting:
            return
        (last,) = self._db.execute("SELECT coalesce(max(rowid), 0) FROM docs").fetchone()
        rows = list(enumerate(self._waiting, start=last + 1))
        self._waiting = []
        self._db.executemany(
            "INSERT INTO docs(rowid, path, id, member, title, date, topics, populations) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(rowid, *[document.get(k, "") for k in DOC_COLUMNS]) for rowid, document in rows],
        )
        texts = [(rowid, *[document.get(n, "") for n in TEXT_FIELDS]) for rowid, document in rows]
        names = ", ".join(TEXT_FIELDS)
        for table in ("fts", "spell"):
            self._db.executemany(
                f"INSERT INTO {table}(rowid, {names}) VALUES (?{',?' * len(TEXT_FIELDS)})", texts
            )
        self._db.executemany(
            "INSERT INTO facets(doc, field, value) VALUES (?, ?, ?)",
            [
                (rowid, field, value)
                for rowid, document in rows
                for field, value in _facets(document)
            ],
        )

    def update(self, document: Document) -> None:
        self.delete(document["path"])
        self.add(document)

    def delete(self, path: str) -> None:
        self._flush()
        found = self._db.execute("SELECT rowid FROM docs WHERE path = ?", (path,)).fetchone()
        if found is None:
            return
        rowid = found[0]
        names = ", ".join(TEXT_FIELDS)
        texts = self._db.execute(f"SELECT {names} FROM fts WHERE rowid = ?", (rowid,)).fetchone()
        if texts is not None:
            self._db.execute(
                f"INSERT INTO spell(spell, rowid, {names}) VALUES ('delete', ?{',?' * 5})",
                [rowid, *texts],
            )
        for table, column in (("fts", "rowid"), ("facets", "doc"), ("docs", "rowid")):
            self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (rowid,))

    def commit(self) -> None:
        self._flush()
        if self._fresh:  # a new index: its lookup tables are built once, after the rows
            for statement in INDEXES:
                self._db.execute(statement)
        self._db.execute("COMMIT")
        self._db.close()

    def cancel(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        self._db.close()


def _facets(document: Document) -> Iterable[tuple[str, str]]:
    for field in FACET_FIELDS:
        raw = document.get(field, "")
        values = raw.split(",") if field in KEYWORD_FIELDS else [raw]
        for value in values:
            value = value.strip()
            if value:
                yield field, value.lower() if field in LOWERCASED else value


class _Handle:
    def __init__(self, connection: sqlite3.Connection, backend: SqliteBackend) -> None:
        self._db = connection
        self._backend = backend
        self._folder_db = connection

    def writer(self) -> _Writer:
        return _Writer(self._db)

    # -- searching

    def search(self, spec: QuerySpec, limit: int | None) -> tuple[int, list[Hit]]:
        query = _Query(self._db)
        scores = query.evaluate(spec)
        if scores is None:  # nothing but filters that match everything: every record
            scores = dict.fromkeys(query.everything(), 0.0)
        for facet, ids in spec.filters.items():
            scores = _and(scores, query.facet(facet, ids))
        for pattern in spec.org_patterns:
            scores = _and(scores, query.org(pattern))
        if spec.since or spec.until:
            scores = _and(scores, query.dates(spec.since, spec.until))
        if not spec.include_withdrawn:  # contract v3: only when asked for
            withdrawn = query.facet("status", ["withdrawn"])
            scores = {rowid: score for rowid, score in scores.items() if rowid not in withdrawn}
        ranked = query.rank(scores, by_score=spec.has_text)
        return len(scores), query.hits(ranked[:limit], scores, query.highlight_terms)

    def more_like(
        self, text: str, exclude_path: str, top: int
    ) -> tuple[list[Hit], dict[str, float]]:
        """The records whose findings share the key terms of ``text`` (Whoosh's Bo1 weights)."""
        counts = self._backend_stems(text)
        total = self._db.execute("SELECT count(*) FROM docs").fetchone()[0] or 1
        weights: dict[str, float] = {}
        for term, in_text in counts.items():
            row = self._db.execute(
                "SELECT cnt FROM fts_terms WHERE term = ? AND col = 'findings'", (term,)
            ).fetchone()
            if row and row[0]:
                share = row[0] / total
                weights[term] = in_text * math.log2((1 + share) / share) + math.log2(1 + share)
        best = dict(sorted(weights.items(), key=lambda tw: -tw[1])[:MORE_LIKE_TERMS])
        scores: Scores = {}
        for term, weight in best.items():
            for rowid, score in _match(self._db, "findings : " + _phrase(term), findings_only=True):
                scores[rowid] = scores.get(rowid, 0.0) + weight * score
        excluded = self._db.execute("SELECT rowid FROM docs WHERE path = ?", (exclude_path,))
        for (rowid,) in excluded:
            scores.pop(rowid, None)
        query = _Query(self._db)
        hits = query.hits(query.rank(scores, by_score=True)[:top], scores, [])
        return [
            Hit(h.id, h.title, h.date, h.path, h.score, "", member=h.member) for h in hits
        ], best

    def _backend_stems(self, text: str) -> dict[str, int]:
        if self._backend._stemmer is None:  # noqa: SLF001 (the backend's own helper)
            self._backend._stemmer = _Stemmer()  # noqa: SLF001
        return self._backend._stemmer.counts(text)  # noqa: SLF001

    def titles(self, ids: set[str]) -> dict[str, str]:
        wanted = sorted(ids)
        out: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for record_id, title in self._db.execute(
                f"SELECT id, title FROM docs WHERE id IN ({marks})", chunk
            ):
                out[record_id] = title
        return out

    def spelling(self, words: list[str]) -> dict[str, list[Suggestion]]:
        """Words no record contains -> unstemmed words of the index within two edits, sharing
        the first letter; best = fewest edits, then the most records (as with Whoosh)."""
        found: dict[str, list[Suggestion]] = {}
        for word in words:
            terms = words_of(word)
            if not terms or any(_count(self._db, _phrase(t)) for t in terms):
                continue
            lowered = word.lower()
            candidates: dict[str, Suggestion] = {}
            rows = self._db.execute(
                "SELECT term FROM spell_terms WHERE term >= ? AND term < ? "
                "AND length(term) BETWEEN ? AND ?",
                (lowered[0], lowered[0] + "\U0010ffff", len(lowered) - 2, len(lowered) + 2),
            )
            for (candidate,) in rows:
                if candidate == lowered or candidate in candidates:
                    continue
                distance = edit_distance(lowered, candidate)
                if distance <= 2:
                    records = _count(self._db, _phrase(candidate))
                    candidates[candidate] = Suggestion(candidate, distance, records)
            found[word] = sorted(candidates.values(), key=lambda s: (s.distance, -s.records))
        return found


def _count(db: sqlite3.Connection, match: str) -> int:
    return db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()[0]


def _match(
    db: sqlite3.Connection, match: str, findings_only: bool = False
) -> list[tuple[int, float]]:
    """(rowid, score) of the records matching an FTS5 expression; higher scores are better."""
    weights = ", ".join(
        ("1.0" if name == "findings" else "0.0") if findings_only else str(WEIGHTS[name])
        for name in TEXT_FIELDS
    )
    try:
        rows = db.execute(  # BM25 is negative, better is lower: turned, kept above 0 in SQL
            f"SELECT rowid, max(-bm25(fts, {weights}), 1e-9) FROM fts WHERE fts MATCH ?", (match,)
        ).fetchall()
    except sqlite3.OperationalError:
        raise UsageError(
            "the query could not be understood",
            "quote words to search for them literally, e.g. copro search '\"12:30\"'",
        ) from None
    return rows


def _and(left: Scores, right: Scores) -> Scores:
    return {rowid: score + right[rowid] for rowid, score in left.items() if rowid in right}


def _or(left: Scores, right: Scores) -> Scores:
    out = dict(left)
    for rowid, score in right.items():
        out[rowid] = out.get(rowid, 0.0) + score
    return out


class _Query:
    """One query's evaluation: parts as scored sets of records, combined in Python."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.highlight_terms: list[str] = []
        """The FTS5 expressions of every word searched for (what snippets mark)."""

    def everything(self) -> list[int]:
        return [rowid for (rowid,) in self.db.execute("SELECT rowid FROM docs")]

    def evaluate(self, spec: QuerySpec) -> Scores | None:
        """The records the words (typed syntax and concepts) match; None when there are none."""
        parts: list[Scores] = []
        if spec.raw_syntax:
            parts.append(_RawQuery(self, spec.raw_syntax).evaluate())
        concept_parts = [
            part for part in map(self.concept, _distinct(spec.concepts)) if part is not None
        ]
        if concept_parts:
            combined = concept_parts[0]
            for part in concept_parts[1:]:
                combined = _and(combined, part) if spec.match_all else _or(combined, part)
            parts.append(combined)
        if not parts:
            return None
        result = parts[0]
        for part in parts[1:]:
            result = _and(result, part)
        return result

    def concept(self, concept: Concept) -> Scores | None:
        options: list[Scores] = []
        for word_group in concept.texts:
            match = self.words(words_of(word_group))
            if match is not None:
                options.append(match)
        for facet, ids in concept.facets.items():
            options.append(self.facet(facet, ids, FACET_SCORE))
        if not options:
            return None
        result = options[0]
        for option in options[1:]:
            result = _or(result, option)
        return result

    def words(self, words: list[str], field: str | None = None) -> Scores | None:
        """Records holding every word in one text field (``field``, else any of them)."""
        if not words:
            return None
        group = " AND ".join(_phrase(w) for w in words)
        if field is not None:
            expression = f"{field} : ({group})"
        elif len(words) == 1:
            expression = group
        else:
            expression = " OR ".join(f"{name} : ({group})" for name in TEXT_FIELDS)
        self.highlight_terms.extend(_phrase(w) for w in words)
        return dict(_match(self.db, expression))

    def expression(self, expression: str, terms: list[str]) -> Scores:
        """Records matching a ready FTS5 expression (a phrase, a prefix, a set of terms)."""
        self.highlight_terms.extend(terms)
        return dict(_match(self.db, expression))

    def facet(self, field: str, values: Iterable[str], score: float = 0.0) -> Scores:
        wanted = sorted({v.lower() if field in LOWERCASED else v for v in values})
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            f"SELECT DISTINCT doc FROM facets WHERE field = ? AND value IN ({marks})",
            [field, *wanted],
        )
        return {rowid: score for (rowid,) in rows}

    def org(self, pattern: str) -> Scores:
        escaped = pattern.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute(
            "SELECT DISTINCT doc FROM facets WHERE field = 'orgs' AND value LIKE ? ESCAPE '\\'",
            (f"%{escaped}%",),
        )
        return {rowid: 0.0 for (rowid,) in rows}

    def dates(self, since: str | None, until: str | None) -> Scores:
        rows = self.db.execute(
            "SELECT rowid FROM docs WHERE date >= ? AND date <= ?",
            (since or "", until or "\U0010ffff"),
        )
        return {rowid: 0.0 for (rowid,) in rows}

    def vocabulary(self, pattern: str) -> list[str]:
        """Index terms matching a glob pattern (``*``, ``?``), at most 1,000."""
        rows = self.db.execute(
            "SELECT DISTINCT term FROM fts_terms WHERE term GLOB ? LIMIT 1000", (pattern,)
        )
        return [term for (term,) in rows]

    def rank(self, scores: Scores, by_score: bool) -> list[int]:
        """Best first; records without words asked for, newest first (as with Whoosh)."""
        if by_score:
            return sorted(scores, key=lambda rowid: (-scores[rowid], rowid))
        dates = self._column("date", list(scores))
        return sorted(scores, key=lambda rowid: (dates.get(rowid, ""), -rowid), reverse=True)

    def _column(self, column: str, rowids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for start in range(0, len(rowids), 900):
            chunk = rowids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            out.update(
                self.db.execute(f"SELECT rowid, {column} FROM docs WHERE rowid IN ({marks})", chunk)
            )
        return out

    def hits(self, rowids: list[int], scores: Scores, terms: list[str]) -> list[Hit]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        rows = {
            row[0]: row
            for row in self.db.execute(
                "SELECT docs.rowid, docs.id, docs.title, docs.date, docs.path, docs.member, "
                "docs.topics, docs.populations, fts.findings, fts.body "
                f"FROM docs JOIN fts ON fts.rowid = docs.rowid WHERE docs.rowid IN ({marks})",
                rowids,
            )
        }
        snippets = self._snippets(rowids, terms)
        hits = []
        for rowid in rowids:
            _, record_id, title, date, path, member, topics, populations, findings, body = rows[
                rowid
            ]
            hits.append(
                Hit(
                    id=record_id,
                    title=title,
                    date=date,
                    path=path,
                    score=scores.get(rowid, 0.0),
                    snippet=snippets.get(rowid) or plain_snippet(findings, body),
                    populations=[p for p in populations.split(",") if p],
                    topics=[t for t in topics.split(",") if t],
                    member=member or None,
                )
            )
        return hits

    def _snippets(self, rowids: list[int], terms: list[str]) -> dict[int, str]:
        """The first of the snippet fields that holds a word asked for, with the words marked
        **bold**."""
        if not terms:
            return {}
        columns = ", ".join(
            f"snippet(fts, {TEXT_FIELDS.index(name)}, '**', '**', ' … ', 24)"
            for name in SNIPPET_FIELDS
        )
        marks = ",".join("?" * len(rowids))
        out: dict[int, str] = {}
        try:
            rows = self.db.execute(
                f"SELECT rowid, {columns} FROM fts WHERE fts MATCH ? AND rowid IN ({marks})",
                [" OR ".join(dict.fromkeys(terms)), *rowids],
            ).fetchall()
        except sqlite3.OperationalError:
            return {}
        for rowid, *texts in rows:
            marked = next((t for t in texts if t and "**" in t), "")
            out[rowid] = " ".join(marked.split())
        return out


def _distinct(concepts: list[Concept]) -> list[Concept]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for concept in concepts:
        key = (
            tuple(concept.texts),
            tuple(sorted((k, tuple(sorted(v))) for k, v in concept.facets.items())),
        )
        if key not in seen:
            seen.add(key)
            out.append(concept)
    return out


# ---------------------------------------------------------------- typed query syntax

_SYNTAX_TOKEN = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))"
    r'|(?P<field>\w+):(?:"(?P<fphrase>[^"]*)"|(?P<range>[\[{][^\]}]*[\]}])|(?P<fword>[^\s()"]+))'
    r'|"(?P<phrase>[^"]*)"(?:~\d+)?(?:\^[\d.]+)?'
    r"|(?P<word>[^\s()\"]+))"
)
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


class _RawQuery:
    """The query syntax a person typed (Whoosh's): words, "phrases", AND/OR/NOT, brackets,
    ``field:value``, ``*`` and ``?`` wildcards, ``word~`` (one edit), ``^boost`` (ignored),
    ``date:[A TO B]``; words side by side must all match."""

    def __init__(self, query: _Query, text: str) -> None:
        self.query = query
        self.text = text
        self.tokens = self._tokens(text)
        self.position = 0

    def _tokens(self, text: str) -> list[tuple[str, re.Match[str]]]:
        check_fields(text, (*TEXT_FIELDS, *FACET_FIELDS, "id", "path", "date"))
        tokens = []
        for found in _SYNTAX_TOKEN.finditer(text):
            kind = found.lastgroup or ""
            if kind in ("fphrase", "range", "fword"):
                kind = "field"
            if kind == "word" and found["word"] in _OPERATORS:
                kind = found["word"]
            tokens.append((kind, found))
        return tokens

    def evaluate(self) -> Scores:
        result = self._sequence()
        if result is None:
            raise not_understood(self.text)
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def _sequence(self) -> Scores | None:
        """Terms side by side (AND), with OR binding tighter, as Whoosh's AndGroup parses."""
        result: Scores | None = None
        while self._peek() not in (None, "close"):
            kind = self._peek()
            if kind in ("NOT", "ANDNOT"):
                self.position += 1
                excluded = self._alternatives()
                if excluded is not None:
                    base = (
                        result
                        if result is not None
                        else dict.fromkeys(self.query.everything(), 0.0)
                    )
                    result = {r: s for r, s in base.items() if r not in excluded}
                continue
            if kind in ("AND", "ANDMAYBE"):
                self.position += 1
                continue
            part = self._alternatives()
            if part is not None:
                result = part if result is None else _and(result, part)
        return result

    def _alternatives(self) -> Scores | None:
        result = self._unit()
        while self._peek() == "OR":
            self.position += 1
            other = self._unit()
            if other is not None:
                result = other if result is None else _or(result, other)
        return result

    def _unit(self) -> Scores | None:
        kind = self._peek()
        if kind is None or kind == "close":
            return None
        found = self.tokens[self.position][1]
        self.position += 1
        if kind == "open":
            inner = self._sequence()
            if self._peek() == "close":
                self.position += 1
            return inner
        if kind == "phrase":
            return self._phrase_scores(found["phrase"], None)
        if kind == "field":
            return self._field(found)
        if kind in _OPERATORS:
            return None
        return self._word(found["word"], None)

    def _phrase_scores(self, text: str, field: str | None) -> Scores | None:
        words = words_of(text)
        if not words:
            return None
        phrase = _phrase(" ".join(words))
        expression = f"{field} : {phrase}" if field else phrase
        return self.query.expression(expression, [phrase])

    def _word(self, raw: str, field: str | None) -> Scores | None:
        word = re.sub(r"\^[\d.]*$", "", raw)  # a boost changes no set of records
        fuzzy = word.endswith("~") or bool(re.search(r"~\d*$", word))
        word = re.sub(r"~\d*$", "", word)
        if "*" in word or "?" in word:
            return self._wildcard(word.lower(), field)
        if fuzzy:
            return self._fuzzy(word.lower(), field)
        return self.query.words(words_of(word), field) if words_of(word) else None

    def _wildcard(self, pattern: str, field: str | None) -> Scores | None:
        body = pattern.rstrip("*")
        if body and re.fullmatch(r"\w+", body) and pattern.endswith("*"):
            expression = _phrase(body) + " *"
            return self.query.expression(f"{field} : {expression}" if field else expression,
                                         [expression])  # fmt: skip
        return self._any_of(self.query.vocabulary(pattern), field)

    def _fuzzy(self, word: str, field: str | None) -> Scores | None:
        terms = [t for t in self.query.vocabulary(word[:1] + "*") if edit_distance(word, t) <= 1]
        return self._any_of(terms or words_of(word), field)

    def _any_of(self, terms: list[str], field: str | None) -> Scores:
        if not terms:
            return {}
        either = " OR ".join(_phrase(t) for t in terms)
        return self.query.expression(f"{field} : ({either})" if field else either,
                                     [_phrase(t) for t in terms])  # fmt: skip

    def _field(self, found: re.Match[str]) -> Scores | None:
        field = found["field"]
        if field == "date":
            return self._date(found["range"] or found["fword"] or found["fphrase"] or "")
        if field in TEXT_FIELDS:
            if found["fphrase"] is not None:
                return self._phrase_scores(found["fphrase"], field)
            if found["range"]:
                raise UsageError(f"a range of words in {field} cannot be searched for")
            return self._word(found["fword"], field)
        value = found["fphrase"] if found["fphrase"] is not None else found["fword"] or ""
        if field in ("id", "path"):
            column = "id" if field == "id" else "path"
            rows = self.query.db.execute(f"SELECT rowid FROM docs WHERE {column} = ?", (value,))
            return {rowid: FACET_SCORE for (rowid,) in rows}
        if "*" in value or "?" in value:
            rows = self.query.db.execute(
                "SELECT DISTINCT doc FROM facets WHERE field = ? AND value GLOB ?",
                (field, value.lower() if field in LOWERCASED else value),
            )
            return {rowid: FACET_SCORE for (rowid,) in rows}
        return self.query.facet(field, [value], FACET_SCORE)

    def _date(self, text: str) -> Scores:
        ranged = re.fullmatch(r"[\[{]\s*(\S*)\s+TO\s+(\S*)\s*[\]}]", text)
        if ranged:
            return self.query.dates(ranged[1] or None, ranged[2] or None)
        rows = self.query.db.execute("SELECT rowid FROM docs WHERE date = ?", (text,))
        return {rowid: FACET_SCORE for (rowid,) in rows}
