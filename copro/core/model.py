"""The engagement model: one record as typed, frozen values, and what follows from it.

This is the only module that turns raw front-matter (the plain dict the strict
reader, ``copro.core.records``, produced) into values. Every reader of records
(index documents, search, show, report, review, stats, export, new, and the
commands built on them) takes :class:`Engagement` objects, usually from
:func:`copro.store.catalog.load_catalog`, and asks them questions instead of walking
dicts::

    from copro.store.catalog import load_catalog
    catalog = load_catalog(root)            # every readable record of the archive
    for e in catalog.engagements:
        e.lead_name                         # the lead organisation's name
        e.responses("S1")                   # actions answering finding S1
        e.unanswered                        # findings without any action
        e.quotable                          # consent.quotes: may findings be styled as quotes?
        e.recontact_route                   # consent.recontact_via, only where recontact is true
        e.past_review_by("2026-01-01")      # review_by before that date?

Conversion is tolerant: reading views show records that read but fail the
schema (``copro validate`` reports those), so a value of the wrong type
becomes "absent" here instead of an exception. ``checks.py`` stays on the raw
record because it needs line numbers and must see the wrong types.

Dates stay ISO ``YYYY-MM-DD`` strings (the reader already normalised them):
they sort, compare and print as they are; :func:`to_date` gives a
``datetime.date`` and :func:`parse_date` checks a date a person typed.

Adding an optional field to the record format: the JSON Schema and a row of the
field table (``copro.core.fields``): ``update`` then sets it and, when the row is
``shown``, :meth:`Engagement.details` gives it to ``show``, reports and the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from copro.core.records import public_meta
from copro.core.values import (
    ACTION_STATUSES,
    CREDITS,
    LADDER,
    MADE_BY,
    OUTCOMES,
    PAYMENTS,
    RECORD_STATUSES,
    ROLES,
    SECTORS,
)

__all__ = [
    "ACTION_STATUSES",
    "CREDITS",
    "LADDER",
    "MADE_BY",
    "OUTCOMES",
    "PAYMENTS",
    "ROLES",
    "SECTORS",
    "STATUSES",
    "Action",
    "Consent",
    "Contributor",
    "Decision",
    "Engagement",
    "Feedback",
    "Finding",
    "Link",
    "Organisation",
    "Recognition",
    "Revisit",
    "listed",
    "Statement",
    "Evidence",
    "Confidence",
    "Concern",
    "AgreedWith",
    "STANCES",
    "STATEMENT_STATUSES",
    "CONFIDENCE_LEVELS",
    "CONCERNS",
    "CERQUAL_COMPONENTS",
    "parse_date",
    "to_date",
]

# ---------------------------------------------------------------- closed lists
# The JSON Schema is the source of truth; tests/test_model.py ties these to it.

# The word lists live with the parsers of what people type (copro.core.values).
STATUSES = RECORD_STATUSES
OPEN_ACTION_STATUSES = ("planned", "in-progress")
STATEMENT_STATUSES = ("draft", "agreed", "retired")
STANCES = ("supports", "partly", "contradicts")
"""How a finding bears on a consensus statement (contract section 8)."""
CONFIDENCE_LEVELS = ("high", "moderate", "low", "very-low")
CONCERNS = ("none", "minor", "moderate", "serious")
CERQUAL_COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
"""The four GRADE-CERQual components, in the order CERQual lists them."""


# ---------------------------------------------------------------- dates


def to_date(value: str | None) -> dt.date | None:
    """An ISO date string from a record as a ``datetime.date`` (None when absent or bad)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_date(value: str | None, option: str) -> str | None:
    """A date a person typed for ``option`` (YYYY-MM-DD, D/M/YYYY or D Month YYYY), as
    ISO text; a UsageError (exit 2) when bad."""
    if value is None or value == "":
        return None
    from copro.core.values import for_option, parse_date_iso

    return for_option(option, parse_date_iso, value)


def today_iso() -> str:
    return dt.date.today().isoformat()


# ---------------------------------------------------------------- tolerant converters


def _text(value: object, default: str = "") -> str:
    if value is None or isinstance(value, (dict, list)):
        return default
    return str(value)


def _opt(value: object) -> str | None:
    text = _text(value)
    return text or None


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool))
    if isinstance(value, str):
        return (value,)
    return ()


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# ---------------------------------------------------------------- parts of a record


@dataclass(frozen=True)
class Organisation:
    name: str
    sector: str
    role: str

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Organisation:
        return cls(_text(raw.get("name")), _text(raw.get("sector")), _text(raw.get("role")))


class FindingAddress:
    """The parts of a ``[member:]ID#SN`` address held in ``finding``: shared by a
    revisit and a statement's evidence, which point at findings the same way."""

    finding: str

    @property
    def member(self) -> str | None:
        """The hub member named in the reference, or None for this archive."""
        head = self.finding.partition("#")[0]
        return head.partition(":")[0] if ":" in head else None

    @property
    def record_id(self) -> str:
        """The record's id (without any member prefix)."""
        return self.finding.partition("#")[0].rpartition(":")[2]

    @property
    def finding_id(self) -> str:
        return self.finding.partition("#")[2]


@dataclass(frozen=True)
class Revisit(FindingAddress):
    """A finding of this record going back to an earlier finding (``[member:]id#Sn``)."""

    finding: str
    outcome: str
    note: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Revisit:
        return cls(_text(raw.get("finding")), _text(raw.get("outcome")), _opt(raw.get("note")))


def finding_parts(raw: Mapping[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """A finding's id, text and own topics as every view reads them (``Finding``), without
    making the object (an import compares every finding of a large archive)."""
    return _text(raw.get("id")), _text(raw.get("text")), _texts(raw.get("topics"))


def action_parts(
    raw: Mapping[str, Any],
) -> tuple[str, tuple[str, ...], str, str, str | None, str | None]:
    """An action's id, responds_to, status, text, date and reason as ``Action`` reads them."""
    return (
        _text(raw.get("id")),
        _texts(raw.get("responds_to")),
        _text(raw.get("status")),
        _text(raw.get("text")),
        _opt(raw.get("date")),
        _opt(raw.get("reason")),
    )


@dataclass(frozen=True)
class Finding:
    """What people said (``you_said``): ``topics`` are the finding's own, maybe empty."""

    id: str
    text: str
    topics: tuple[str, ...] = ()
    revisits: tuple[Revisit, ...] = ()

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Finding:
        revisits = tuple(Revisit.from_raw(r) for r in _dicts(raw.get("revisits")))
        return cls(*finding_parts(raw), revisits)


@dataclass(frozen=True)
class Action:
    """What was done (``we_did``) in response to one or more findings."""

    id: str
    responds_to: tuple[str, ...]
    status: str
    text: str
    date: str | None = None
    reason: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Action:
        return cls(*action_parts(raw))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


@dataclass(frozen=True)
class Decision:
    text: str
    made_by: str
    date: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Decision:
        return cls(_text(raw.get("text")), _text(raw.get("made_by")), _opt(raw.get("date")))


@dataclass(frozen=True)
class Contributor:
    """A contributor; ``name`` is kept only for people who agreed to be credited by name."""

    role: str
    credit: str
    name: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Contributor:
        credit = _text(raw.get("credit"))
        name = _opt(raw.get("name")) if credit == "named" else None
        return cls(_text(raw.get("role")), credit, name)

    @property
    def named(self) -> bool:
        return self.credit == "named" and bool(self.name)


@dataclass(frozen=True)
class Consent:
    quotes: bool = False
    recontact: bool = False
    recontact_via: str | None = None

    @classmethod
    def from_raw(cls, raw: object) -> Consent:
        if not isinstance(raw, dict):
            return cls()
        return cls(
            raw.get("quotes") is True, raw.get("recontact") is True, _opt(raw.get("recontact_via"))
        )

    @property
    def route(self) -> str | None:
        """How to reach the people again, only where they agreed to be recontacted."""
        return self.recontact_via if self.recontact else None


@dataclass(frozen=True)
class Recognition:
    payment: str
    rate: str | None = None
    other: tuple[str, ...] = ()

    @classmethod
    def from_raw(cls, raw: object) -> Recognition | None:
        if not isinstance(raw, dict):
            return None
        return cls(_text(raw.get("payment")), _opt(raw.get("rate")), _texts(raw.get("other")))


@dataclass(frozen=True)
class Feedback:
    """Telling the people who took part what was done (``feedback_given``)."""

    date: str
    channel: str
    note: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Feedback:
        return cls(_text(raw.get("date")), _text(raw.get("channel")), _opt(raw.get("note")))


@dataclass(frozen=True)
class Link:
    title: str
    url: str

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Link:
        return cls(_text(raw.get("title")), _text(raw.get("url")))


# ---------------------------------------------------------------- the engagement


@dataclass(frozen=True)
class Engagement:
    """One engagement record. ``path`` is relative to its archive root.

    ``member`` names the hub member the record came from (None for the
    archive's own records); ``key`` is the id qualified with it.
    ``front_matter`` is the reader's dict as written (key order kept) for
    outputs that echo the record; use :meth:`public_front_matter` for those.
    """

    id: str
    title: str
    status: str
    date: str
    path: str
    end_date: str | None = None
    aim: str | None = None
    organisations: tuple[Organisation, ...] = ()
    places: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    ladder: str = ""
    populations: tuple[str, ...] = ()
    participants: int | None = None
    topics: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    actions: tuple[Action, ...] = ()
    decisions: tuple[Decision, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    recognition: Recognition | None = None
    consent: Consent = Consent()
    review_by: str | None = None
    feedback_given: tuple[Feedback, ...] = ()
    related: tuple[str, ...] = ()
    supersedes: str | None = None
    links: tuple[Link, ...] = ()
    body: str = ""
    member: str | None = None
    front_matter: Mapping[str, Any] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_front_matter(
        cls,
        meta: Mapping[str, Any],
        body: str,
        path: str,
        member: str | None = None,
        kept: Mapping[str, Any] | None = None,
    ) -> Engagement:
        """Build from the reader's front-matter dict (the only place that reads it).

        ``kept`` is what :attr:`front_matter` holds instead of ``meta`` (a catalog of
        a large archive keeps a mapping that reads it again when asked, not the dict).
        """
        participants = meta.get("participants")
        fallback_id = path.rsplit("/", 1)[-1].removesuffix(".md")
        return cls(
            id=_text(meta.get("id"), fallback_id) or fallback_id,
            title=_text(meta.get("title")),
            status=_text(meta.get("status")),
            date=_text(meta.get("date")),
            path=path,
            end_date=_opt(meta.get("end_date")),
            aim=_opt(meta.get("aim")),
            organisations=tuple(
                Organisation.from_raw(o) for o in _dicts(meta.get("organisations"))
            ),
            places=_texts(meta.get("places")),
            methods=_texts(meta.get("methods")),
            ladder=_text(meta.get("ladder")),
            populations=_texts(meta.get("populations")),
            participants=participants
            if isinstance(participants, int) and not isinstance(participants, bool)
            else None,
            topics=_texts(meta.get("topics")),
            asked=_texts(meta.get("asked")),
            findings=tuple(Finding.from_raw(f) for f in _dicts(meta.get("you_said"))),
            actions=tuple(Action.from_raw(a) for a in _dicts(meta.get("we_did"))),
            decisions=tuple(Decision.from_raw(d) for d in _dicts(meta.get("decisions"))),
            contributors=tuple(Contributor.from_raw(c) for c in _dicts(meta.get("contributors"))),
            recognition=Recognition.from_raw(meta.get("recognition")),
            consent=Consent.from_raw(meta.get("consent")),
            review_by=_opt(meta.get("review_by")),
            feedback_given=tuple(Feedback.from_raw(f) for f in _dicts(meta.get("feedback_given"))),
            related=_texts(meta.get("related")),
            supersedes=_opt(meta.get("supersedes")),
            links=tuple(Link.from_raw(link) for link in _dicts(meta.get("links"))),
            body=body,
            member=member,
            front_matter=meta if kept is None else kept,
        )

    # -- identity

    @property
    def key(self) -> str:
        """The id as a hub writes it: ``member:id``, or the plain id for the archive's own."""
        return f"{self.member}:{self.id}" if self.member else self.id

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def display_title(self) -> str:
        return self.title or self.id

    # -- organisations

    @property
    def lead(self) -> Organisation | None:
        return next((o for o in self.organisations if o.role == "lead"), None)

    @property
    def lead_name(self) -> str:
        lead = self.lead
        return lead.name if lead else ""

    @property
    def partners(self) -> tuple[Organisation, ...]:
        return tuple(o for o in self.organisations if o.role != "lead")

    @property
    def sectors(self) -> frozenset[str]:
        return frozenset(o.sector for o in self.organisations)

    # -- findings and responses

    @cached_property
    def _responses(self) -> dict[str, tuple[Action, ...]]:
        found: dict[str, list[Action]] = {}
        for action in self.actions:
            for finding_id in action.responds_to:
                found.setdefault(finding_id, []).append(action)
        return {k: tuple(v) for k, v in found.items()}

    def responses(self, finding_id: str) -> tuple[Action, ...]:
        """The actions answering finding ``finding_id``, in record order."""
        return self._responses.get(finding_id, ())

    def answered(self, finding_id: str) -> bool:
        return finding_id in self._responses

    @property
    def unanswered(self) -> tuple[Finding, ...]:
        """Findings no action responds to."""
        return tuple(f for f in self.findings if f.id not in self._responses)

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)

    def finding_topics(self, finding: Finding) -> tuple[str, ...]:
        """A finding's own topics, else its record's (how topic filters and themes count)."""
        return finding.topics or self.topics

    @property
    def all_topics(self) -> tuple[str, ...]:
        """The record's topics then its findings' own, each once (what search matches)."""
        seen = dict.fromkeys(self.topics)
        for finding in self.findings:
            seen.update(dict.fromkeys(finding.topics))
        return tuple(seen)

    # -- consent

    @property
    def quotable(self) -> bool:
        """Whether findings may be styled or attributed as direct quotations."""
        return self.consent.quotes

    @property
    def recontact_route(self) -> str | None:
        """The organisational route to the people again, only where consent allows."""
        return self.consent.route

    # -- contributors

    @property
    def named_contributors(self) -> tuple[Contributor, ...]:
        return tuple(c for c in self.contributors if c.named)

    @property
    def anonymous_contributors(self) -> int:
        return sum(1 for c in self.contributors if not c.named)

    # -- time

    def past_review_by(self, as_of: str) -> bool:
        """Whether ``review_by`` is before ``as_of`` (ISO dates)."""
        return self.review_by is not None and self.review_by < as_of

    @property
    def started(self) -> str:
        """Since when a finding has waited: the end date, else the start date."""
        return self.end_date or self.date

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"

    # -- presentation helpers shared by show and report

    def details(self) -> tuple[tuple[str, str], ...]:
        """Optional descriptive fields people should see, as (label, text), in order.

        ``show``, ``report`` and the site print these: the rows of the field table
        (``copro.core.fields``) marked ``shown``, then the feedback given. A new
        optional field is a row there, not a change here.
        """
        pairs = [*self.field_details(), ("Feedback given", self.feedback_words)]
        return tuple((label, value) for label, value in pairs if value)

    def field_details(self, skip: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
        """The field table's ``shown`` rows this record fills, as (label, text), leaving
        out the keys in ``skip`` (a page that shows them its own way)."""
        from copro.core.fields import FIELDS

        pairs = [
            (f.label, f.words(self.front_matter.get(f.key)))
            for f in FIELDS
            if f.shown and f.key not in skip
        ]
        return tuple((label, text) for label, text in pairs if text)

    @property
    def feedback_words(self) -> str | None:
        """``feedback_given`` in words: "October 2019, community meeting; ..."."""
        from copro.core.words import month_year

        told = [
            f"{month_year(f.date)}, {f.channel}" + (f" ({f.note})" if f.note else "")
            for f in self.feedback_given
        ]
        return "; ".join(told) or None

    def public_front_matter(self) -> dict[str, Any]:
        """The front-matter as written, without names of anonymous contributors."""
        return dict(public_meta(dict(self.front_matter)))


# ---------------------------------------------------------------- consensus statements


@dataclass(frozen=True)
class Evidence(FindingAddress):
    """One finding a statement rests on (``[member:]ID#SN``) and how it bears on it."""

    finding: str
    stance: str
    note: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> Evidence:
        return cls(_text(raw.get("finding")), _text(raw.get("stance")), _opt(raw.get("note")))


@dataclass(frozen=True)
class Concern:
    """One GRADE-CERQual component: how much concern, and why."""

    concerns: str
    note: str | None = None

    @classmethod
    def from_raw(cls, raw: object) -> Concern:
        if not isinstance(raw, dict):
            return cls("")
        return cls(_text(raw.get("concerns")), _opt(raw.get("note")))


@dataclass(frozen=True)
class Confidence:
    """The GRADE-CERQual assessment of a statement (required once it is agreed)."""

    overall: str
    methodological_limitations: Concern
    coherence: Concern
    adequacy: Concern
    relevance: Concern
    explanation: str

    @classmethod
    def from_raw(cls, raw: object) -> Confidence | None:
        if not isinstance(raw, dict):
            return None
        return cls(
            overall=_text(raw.get("overall")),
            methodological_limitations=Concern.from_raw(raw.get("methodological_limitations")),
            coherence=Concern.from_raw(raw.get("coherence")),
            adequacy=Concern.from_raw(raw.get("adequacy")),
            relevance=Concern.from_raw(raw.get("relevance")),
            explanation=_text(raw.get("explanation")),
        )

    @property
    def overall_words(self) -> str:
        """``very-low`` as "very low" (how the level reads in a sentence or a table)."""
        return self.overall.replace("-", " ")

    def components(self) -> tuple[tuple[str, Concern], ...]:
        """(field name, concern) of the four components, in CERQual order."""
        return tuple((name, getattr(self, name)) for name in CERQUAL_COMPONENTS)


@dataclass(frozen=True)
class AgreedWith:
    """How people who took part checked or agreed a statement: groups, never names."""

    date: str
    how: str
    populations: tuple[str, ...] = ()
    participants: int | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> AgreedWith:
        count = raw.get("participants")
        return cls(
            _text(raw.get("date")),
            _text(raw.get("how")),
            _texts(raw.get("populations")),
            count if isinstance(count, int) and not isinstance(count, bool) else None,
        )


@dataclass(frozen=True)
class Statement:
    """One consensus statement (``consensus/<id>.md``, contract section 8).

    Like :class:`Engagement`, a frozen view of the front-matter as written;
    what follows from the archive (evidence facts, currency, thanks) is worked
    out by ``copro.views.consensus`` when reading, never stored here.
    """

    id: str
    title: str
    statement: str
    status: str
    date: str
    path: str
    organisations: tuple[Organisation, ...] = ()
    topics: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    confidence: Confidence | None = None
    agreed_with: tuple[AgreedWith, ...] = ()
    decisions: tuple[Decision, ...] = ()
    review_by: str | None = None
    related: tuple[str, ...] = ()
    supersedes: str | None = None
    links: tuple[Link, ...] = ()
    body: str = ""
    member: str | None = None
    front_matter: Mapping[str, Any] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_front_matter(
        cls, meta: Mapping[str, Any], body: str, path: str, member: str | None = None
    ) -> Statement:
        """Build from the reader's front-matter dict (tolerant, like Engagement)."""
        fallback_id = path.rsplit("/", 1)[-1].removesuffix(".md")
        return cls(
            id=_text(meta.get("id"), fallback_id) or fallback_id,
            title=_text(meta.get("title")),
            statement=_text(meta.get("statement")),
            status=_text(meta.get("status")),
            date=_text(meta.get("date")),
            path=path,
            organisations=tuple(
                Organisation.from_raw(o) for o in _dicts(meta.get("organisations"))
            ),
            topics=_texts(meta.get("topics")),
            populations=_texts(meta.get("populations")),
            places=_texts(meta.get("places")),
            evidence=tuple(Evidence.from_raw(e) for e in _dicts(meta.get("evidence"))),
            confidence=Confidence.from_raw(meta.get("confidence")),
            agreed_with=tuple(AgreedWith.from_raw(a) for a in _dicts(meta.get("agreed_with"))),
            decisions=tuple(Decision.from_raw(d) for d in _dicts(meta.get("decisions"))),
            review_by=_opt(meta.get("review_by")),
            related=_texts(meta.get("related")),
            supersedes=_opt(meta.get("supersedes")),
            links=tuple(Link.from_raw(link) for link in _dicts(meta.get("links"))),
            body=body,
            member=member,
            front_matter=meta,
        )

    @property
    def key(self) -> str:
        """``member:id`` in a hub, else the plain id (as for records)."""
        return f"{self.member}:{self.id}" if self.member else self.id

    @property
    def display_title(self) -> str:
        return self.title or self.id

    @property
    def lead(self) -> Organisation | None:
        return next((o for o in self.organisations if o.role == "lead"), None)

    @property
    def lead_name(self) -> str:
        lead = self.lead
        return lead.name if lead else ""

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def retired(self) -> bool:
        return self.status == "retired"

    @property
    def published(self) -> bool:
        """Agreed or retired: drafts never reach the site, exports or letters."""
        return self.status in ("agreed", "retired")

    @property
    def overall(self) -> str | None:
        """The overall CERQual confidence, or None before it is judged."""
        return self.confidence.overall if self.confidence and self.confidence.overall else None

    def past_review_by(self, as_of: str) -> bool:
        return self.review_by is not None and self.review_by < as_of

    def evidence_key(self, evidence: Evidence) -> str:
        """The fully qualified finding an evidence entry names (a member's plain id is its own)."""
        if evidence.member or not self.member:
            return evidence.finding
        return f"{self.member}:{evidence.finding}"


def listed(engagements: Iterable[Engagement], include_withdrawn: bool = False) -> list[Engagement]:
    """The engagements a view lists or gathers: a withdrawn record only when asked for.

    Contract v3: a withdrawn record stays in the archive for the history, but
    search, findings, themes, similar, stats, review, reports across records,
    ``new``'s "asked before?", exports and the site leave it out unless
    ``--status withdrawn`` or ``--include-withdrawn`` asks for it.
    """
    return [e for e in engagements if include_withdrawn or not e.withdrawn]
