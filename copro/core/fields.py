"""The one field table: per front-matter field, its type, label, and how people set it.

A field people may set without YAML is one row here (plus its rule in the JSON
Schema): ``copro update`` gets its option from the row, ``show``, reports and
the site show it through :meth:`copro.core.model.Engagement.details` when it is
``shown``, and the web forms take the label and the field name from it. Values
are read with the parsers of :mod:`copro.core.values`, so an option, a prompt,
a workbook cell and a form accept the same things.

Fields with more than one part (consent, recognition, organisations) and the
items of lists (findings, actions, contributors) have their own options in
``update``; they are not rows here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from copro.core import values

TEXT = "text"
"""One line of words."""
DATE = "date"
COUNT = "count"
CHOICE = "choice"
TERMS = "terms"
"""Vocabulary ids (ids, labels or synonyms typed); the option repeats and replaces the list."""
TEXTS = "texts"
"""A list of lines of words; the option repeats and replaces the list."""


@dataclass(frozen=True)
class Field:
    """One settable front-matter field."""

    key: str
    label: str
    """How the field is named to people: show, reports, the site, form labels."""
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    vocabulary: str | None = None
    shown: bool = False
    """Shown among a record's details (show, reports, the site) when it has a value."""
    flag: str | None = None
    """The option when it is not made from the key (``--place`` for ``places``)."""

    @property
    def option(self) -> str:
        """``copro update``'s option for it: ``end_date`` -> ``--end-date``."""
        return self.flag or "--" + self.key.replace("_", "-")

    @property
    def form_name(self) -> str:
        """The web form's field name: the option without dashes, inner ones as underscores."""
        return self.option.lstrip("-").replace("-", "_")

    @property
    def repeatable(self) -> bool:
        return self.kind in (TERMS, TEXTS)

    def parse(self, given: str) -> Any:
        """One typed value (a list field parses each item); ValueProblem when it is wrong."""
        if self.kind == DATE:
            return values.parse_date_iso(given)
        if self.kind == COUNT:
            return values.parse_count(given)
        if self.kind == CHOICE:
            return values.parse_choice(given, self.choices, self.label.lower())
        return values.parse_text(given)

    def words(self, raw: object, label_of: Callable[[str, str], str] | None = None) -> str | None:
        """The value as people read it, or None when the record has none."""
        if raw is None or raw == "" or raw == []:
            return None
        if isinstance(raw, list):
            items = [str(v) for v in raw if isinstance(v, (str, int))]
            if self.vocabulary and label_of is not None:
                items = [label_of(self.vocabulary, v) for v in items]
            return "; ".join(items) or None
        if isinstance(raw, (dict, bool)):
            return None
        return str(raw)


FIELDS: tuple[Field, ...] = (
    Field("title", "Title", TEXT, "The engagement's title."),
    Field("date", "Date", DATE, "When it started: YYYY-MM-DD, D/M/YYYY or D Month YYYY."),
    Field(
        "status",
        "Status",
        CHOICE,
        "planned, active, completed or withdrawn.",
        choices=values.RECORD_STATUSES,
    ),
    Field("end_date", "End date", DATE, "When it ended (a date as for --date)."),
    Field(
        "aim", "Aim", TEXT, "Why the engagement was run, what it was meant to inform.", shown=True
    ),
    Field(
        "places",
        "Places",
        TERMS,
        "Place id or label (repeatable; replaces the list).",
        vocabulary="places",
        flag="--place",
    ),
    Field(
        "methods",
        "Methods",
        TERMS,
        "Method id or label (repeatable; replaces the list).",
        vocabulary="methods",
        flag="--method",
    ),
    Field(
        "ladder",
        "Ladder",
        CHOICE,
        "Rung of the ladder of co-production.",
        choices=values.LADDER,
    ),
    Field(
        "populations",
        "Populations",
        TERMS,
        "Population id or label (repeatable; replaces the list).",
        vocabulary="populations",
        flag="--population",
    ),
    Field("participants", "Participants", COUNT, "How many people took part."),
    Field(
        "topics",
        "Topics",
        TERMS,
        "Topic id or label (repeatable; replaces the list).",
        vocabulary="topics",
        flag="--topic",
    ),
    Field("asked", "We asked", TEXTS, "A question put to people (repeatable; replaces the list)."),
    Field("review_by", "Review by", DATE, "When to check the findings again with the people."),
)
"""In the order of the record format; ``update``'s options follow it."""

BY_KEY = {field.key: field for field in FIELDS}
