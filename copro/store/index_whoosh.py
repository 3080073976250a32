"""The Whoosh backend of the search index: the only module that imports Whoosh.

``copro.store.index`` (the store: change detection, manifest, generations, lock)
asks this module to create, open, write and query an index in a generation
folder, through the small protocol it defines; the query types come from
``copro.store.query``. Whoosh keeps pickles in its table of contents, so an index
is only ever built locally (the store makes sure of that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from copro.core.errors import UsageError
from copro.store.query import (
    SNIPPET_FIELDS,
    TEXT_FIELDS,
    Document,
    Hit,
    QuerySpec,
    Suggestion,
    check_fields,
    edit_distance,
    not_understood,
    plain_snippet,
)

__all__ = ["WhooshBackend"]


class WhooshBackend:
    """Whoosh 3: BM25F over the text fields, keyword fields for facets."""

    name = "whoosh"
    version = 1

    def create(self, folder: Path, documents: int) -> _Writer:
        from whoosh import index as whoosh_index

        # One process: Whoosh's multi-process writer (procs=2) lost a withdrawn record's
        # status at 1,000 records, so search showed it; the record cache is already
        # parsed on every core before this writer runs.
        ix = whoosh_index.create_in(str(folder), _schema())
        return _Writer(ix.writer(limitmb=128))

    def open(self, folder: Path) -> _Handle:
        from whoosh import index as whoosh_index

        return _Handle(whoosh_index.open_dir(str(folder)))

    def analysed_terms(self, text: str) -> set[str]:
        """The index's words for ``text`` (lower case, stemmed, stop words left out)."""
        from whoosh.analysis import StemmingAnalyzer

        return {token.text for token in StemmingAnalyzer()(text)}


MORE_LIKE_TERMS = 8
"""Key terms of a finding ``similar`` looks for (Whoosh's default, 5, ranked the sample worse)."""


class _Writer:
    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def add(self, document: Document) -> None:
        self._writer.add_document(**document)

    def update(self, document: Document) -> None:
        self._writer.update_document(**document)

    def delete(self, path: str) -> None:
        self._writer.delete_by_term("path", path)

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        self._writer.cancel()


class _Handle:
    def __init__(self, ix: Any) -> None:
        self._ix = ix

    def writer(self) -> _Writer:
        return _Writer(self._ix.writer())

    def search(self, spec: QuerySpec, limit: int | None) -> tuple[int, list[Hit]]:
        return _run(self._ix, spec, limit)

    def more_like(
        self, text: str, exclude_path: str, top: int
    ) -> tuple[list[Hit], dict[str, float]]:
        from whoosh import query

        with self._ix.searcher() as searcher:
            docnum = searcher.document_number(path=exclude_path)
            # Searcher.more_like's two steps, done here so the key terms are computed once
            # and returned: the best terms of the text, then an OR of them, each boosted.
            terms = dict(searcher.key_terms_from_text("findings", text, numterms=MORE_LIKE_TERMS))
            if not terms:
                return [], {}
            like = query.Or([query.Term("findings", w, boost=b) for w, b in terms.items()])
            mask = {docnum} if docnum is not None else None
            results = searcher.search(like, limit=top, mask=mask)
            hits = [
                Hit(
                    id=hit["id"],
                    title=hit.get("title", ""),
                    date=hit.get("date", ""),
                    path=hit["path"],
                    score=hit.score if isinstance(hit.score, float) else 0.0,
                    snippet="",
                    member=hit.get("member") or None,
                )
                for hit in results
            ]
        return hits, terms

    def spelling(self, words: list[str]) -> dict[str, list[Suggestion]]:
        """Candidates come from the unstemmed spelling words Whoosh keeps beside
        each text field, within two edits (a swap of neighbouring letters is
        one) and sharing the first letter; best = fewest edits, then the most
        records.
        """
        schema = self._ix.schema
        found: dict[str, list[Suggestion]] = {}
        with self._ix.searcher() as searcher:
            reader = searcher.reader()
            for word in words:
                terms = _analysed(schema, word)
                if not terms or any(
                    reader.doc_frequency(name, term) for term in terms for name in TEXT_FIELDS
                ):
                    continue
                candidates: dict[str, Suggestion] = {}
                lowered = word.lower()
                for name in TEXT_FIELDS:
                    spell_field = schema[name].spelling_fieldname(name)
                    for candidate in reader.terms_within(spell_field, lowered, 2, prefix=1):
                        distance = edit_distance(lowered, candidate)
                        if candidate == lowered or distance > 2 or candidate in candidates:
                            continue
                        stems = _analysed(schema, candidate)
                        records = max(
                            (reader.doc_frequency(f, t) for t in stems for f in TEXT_FIELDS),
                            default=0,
                        )
                        candidates[candidate] = Suggestion(candidate, distance, records)
                found[word] = sorted(candidates.values(), key=lambda s: (s.distance, -s.records))
        return found

    def titles(self, ids: set[str]) -> dict[str, str]:
        out = {}
        with self._ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                if stored.get("id") in ids:
                    out[stored["id"]] = stored.get("title", "")
        return out


# ---------------------------------------------------------------- schema


def _schema() -> Any:
    from whoosh import fields
    from whoosh.analysis import StemmingAnalyzer

    text = StemmingAnalyzer()
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=fields.TEXT(stored=True, analyzer=text, field_boost=3.0, spelling=True),
        date=fields.ID(stored=True, sortable=True),
        asked=fields.TEXT(stored=True, analyzer=text, field_boost=1.5, spelling=True),
        findings=fields.TEXT(stored=True, analyzer=text, field_boost=2.0, spelling=True),
        actions=fields.TEXT(stored=True, analyzer=text, field_boost=1.5, spelling=True),
        body=fields.TEXT(stored=True, analyzer=text, spelling=True),
        topics=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        populations=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        places=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        methods=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        ladder=fields.ID(stored=True),
        status=fields.ID(stored=True),
        orgs=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        sectors=fields.KEYWORD(commas=True, lowercase=True),
        member=fields.ID(stored=True),
    )


# ---------------------------------------------------------------- query translation


def _bold_formatter() -> Any:
    """A Whoosh highlight formatter that marks matched words as Markdown **bold**."""
    from whoosh import highlight

    class BoldFormatter(highlight.Formatter):
        between = " … "

        def format_token(self, text: str, token: Any, replace: bool = False) -> str:
            return "**" + highlight.get_text(text, token, replace) + "**"

    return BoldFormatter()


def _run(ix: Any, spec: QuerySpec, limit: int | None) -> tuple[int, list[Hit]]:
    try:
        return _run_query(ix, spec, limit)
    except RecursionError:  # Whoosh builds and walks its matchers recursively
        raise UsageError(
            "the query has too many words or operators to be answered",
            "search for fewer words (a few well-chosen words find the same records)",
        ) from None


def _run_query(ix: Any, spec: QuerySpec, limit: int | None) -> tuple[int, list[Hit]]:
    from whoosh import highlight

    query = _to_whoosh(spec, ix.schema)
    with ix.searcher() as searcher:
        sortedby = None if spec.has_text else "date"
        results = searcher.search(
            query, limit=limit, sortedby=sortedby, reverse=sortedby is not None, terms=True
        )
        results.highlighter.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=50)
        results.highlighter.formatter = _bold_formatter()
        total = len(results)
        hits = []
        for hit in results:
            hits.append(
                Hit(
                    id=hit["id"],
                    title=hit.get("title", ""),
                    date=hit.get("date", ""),
                    path=hit["path"],
                    score=hit.score if isinstance(hit.score, float) else 0.0,
                    snippet=_snippet(hit, spec.has_text),
                    populations=[p for p in hit.get("populations", "").split(",") if p],
                    topics=[t for t in hit.get("topics", "").split(",") if t],
                    member=hit.get("member") or None,
                )
            )
    return total, hits


def _snippet(hit: Any, has_text: bool) -> str:
    if has_text:
        for name in SNIPPET_FIELDS:
            try:
                text = hit.highlights(name, top=2)
            except Exception:  # a field without stored text or positions
                text = ""
            if text:
                return " ".join(text.split())
    return plain_snippet(hit.get("findings") or "", hit.get("body") or "")


def _to_whoosh(spec: QuerySpec, schema: Any) -> Any:
    from whoosh import qparser, query

    must: list[Any] = []
    if spec.raw_syntax:
        check_fields(spec.raw_syntax, schema.names())
        parser = qparser.MultifieldParser(
            list(TEXT_FIELDS), schema, fieldboosts=None, group=qparser.AndGroup
        )
        parsed = parser.parse(spec.raw_syntax)
        if parsed is query.NullQuery or type(parsed).__name__ == "_NullQuery":
            raise not_understood(spec.raw_syntax)
        must.append(parsed)
    concept_queries = []
    seen: set[tuple[Any, ...]] = set()
    for concept in spec.concepts:
        key = (
            tuple(concept.texts),
            tuple(sorted((k, tuple(sorted(v))) for k, v in concept.facets.items())),
        )
        if key in seen:  # a word said twice asks nothing new (and deepens Whoosh's matchers)
            continue
        seen.add(key)
        options: list[Any] = []
        for word_group in concept.texts:
            terms = _analysed(schema, word_group)
            if terms:
                per_field = [
                    query.And([query.Term(name, t) for t in terms])
                    if len(terms) > 1
                    else query.Term(name, terms[0])
                    for name in TEXT_FIELDS
                ]
                options.append(query.Or(per_field))
        for facet, ids in concept.facets.items():
            options.extend(query.Term(facet, term_id) for term_id in sorted(ids))
        if options:
            concept_queries.append(query.Or(options))
    if concept_queries:
        combine = query.And if spec.match_all else query.Or
        must.append(combine(concept_queries))
    for facet, ids in spec.filters.items():
        must.append(query.Or([query.Term(facet, v) for v in sorted(ids)]))
    for pattern in spec.org_patterns:
        must.append(query.Wildcard("orgs", f"*{pattern.lower()}*"))
    if spec.since or spec.until:
        must.append(query.TermRange("date", spec.since, spec.until))
    wanted = query.Every() if not must else must[0] if len(must) == 1 else query.And(must)
    if spec.include_withdrawn:
        return wanted
    return query.AndNot(wanted, query.Term("status", "withdrawn"))


def _analysed(schema: Any, text: str) -> list[str]:
    analyzer = schema["body"].analyzer
    return [token.text for token in analyzer(text)]
