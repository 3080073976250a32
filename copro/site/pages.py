"""What the site shows, as values: one view per page, built from the whole archive at once.

Nothing here renders HTML. Privacy rules are applied while the views are built,
so no template can show what other outputs withhold: contributors are only
named when they agreed (``credit: named``), the recontact route only appears
where consent allows it, and ``quotable`` is carried on every finding so that
quotation styling is used only where the group agreed to quotes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.model import Action, Engagement, Recognition, listed
from copro.core.vocab import Vocabularies
from copro.core.words import (
    ACTION_LABELS,
    LADDER_LABELS,
    PAYMENT_WORDS,
    RECORD_STATUS_LABELS,
    SECTOR_LABELS,
    STANDING_LABELS,
    date_words,
)
from copro.store.archive import Archive
from copro.store.catalog import Catalog, Source, load_catalog
from copro.store.standing import Standing, StandingTable, standings, target_key
from copro.views.report import date_span, engagement_thanks, responses_sentence

TERM_KINDS = ("topics", "populations", "places")
_SEE = "\x00"
"""Vocabularies that get a page per term in use."""

FILTER_GROUPS = (
    ("population", "Population"),
    ("topic", "Topic"),
    ("place", "Place"),
    ("member", "Member of the hub"),
    ("organisation", "Organisation"),
    ("sector", "Sector"),
    ("year", "Year"),
    ("ladder", "Ladder rung"),
    ("status", "Status"),
    ("standing", "Standing of findings"),
)
"""Search filter groups in the order the home page shows them (key, legend)."""


def finding_anchor(record_key: str, finding_id: str) -> str:
    """The id of a finding's element: the record (and hub member) in it, so a page that
    lists findings of several records never repeats an id."""
    return f"finding-{record_key.replace(':', '-')}-{finding_id}"


@dataclass(frozen=True)
class TermLink:
    kind: str
    id: str
    label: str

    @property
    def url(self) -> str:
        return f"{self.kind}/{term_slug(self.id)}/"


def term_slug(term_id: str) -> str:
    """A term's folder: a hub member's own term (kept as ``member:id``) as ``member--id``,
    since a colon cannot be in a file name on a Windows share or in many zip tools. A term
    id is kebab-case, so ``--`` never occurs in one and no two terms share a folder."""
    return term_id.replace(":", "--")


_OLD_TERM_PATH = re.compile(r"(?P<kind>topics|populations|places)/(?P<member>[^/:]+):(?P<rest>.*)")


def moved_term_path(path: str) -> str | None:
    """Where an older address of a member's term page (``places/member:id/``, as sites
    before the slug wrote it) now is, so links made to it still lead there; else None."""
    old = _OLD_TERM_PATH.fullmatch(path.lstrip("/"))
    if old is None:
        return None
    return f"{old.group('kind')}/{old.group('member')}--{old.group('rest')}"


@dataclass(frozen=True)
class RecordLink:
    id: str
    """The record's key: its id, or ``member:id`` for a hub member's record."""
    title: str
    date: str

    @property
    def url(self) -> str:
        return f"records/{self.id.replace(':', '/')}/"

    @property
    def date_words(self) -> str:
        """ "9 March 2019": the site says dates as the letters do."""
        return date_words(self.date)

    @property
    def member(self) -> str | None:
        """The hub member the record belongs to (None outside a hub, or the hub's own)."""
        head, sep, _ = self.id.partition(":")
        return head if sep else None


@dataclass(frozen=True)
class ActionView:
    id: str
    status: str
    status_words: str
    text: str
    date: str | None
    reason: str | None

    @property
    def date_words(self) -> str:
        return date_words(self.date)


@dataclass(frozen=True)
class CheckView:
    """What a finding of this record said about an earlier finding (a revisit)."""

    finding: str
    record: RecordLink | None
    text: str
    outcome_words: str
    note: str | None
    quotable: bool = False
    """Whether the earlier record's group agreed to quotes (else no quotation marks)."""

    @property
    def anchor(self) -> str | None:
        """The earlier finding's element id on its record's page (None outside the site)."""
        if self.record is None:
            return None
        return finding_anchor(self.record.id, self.finding.partition("#")[2])


@dataclass
class FindingView:
    record: RecordLink
    id: str
    text: str
    quotable: bool
    topics: list[TermLink]
    actions: list[ActionView]
    standing: Standing
    later: RecordLink | None = None
    """The record of the latest revisit, which set the standing."""
    checks: list[CheckView] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.standing.standing

    @property
    def standing_words(self) -> tuple[str, bool]:
        """The standing in the contract's words, and whether they end "see" the later finding."""
        text = self.standing.words(see=_SEE)
        return text.partition(_SEE)[0], _SEE in text

    @property
    def later_finding(self) -> str | None:
        latest = self.standing.latest
        return latest.finding.partition("#")[2] if latest else None

    @property
    def key(self) -> str:
        return f"{self.record.id}#{self.id}"

    @property
    def anchor(self) -> str:
        return finding_anchor(self.record.id, self.id)

    @property
    def later_anchor(self) -> str | None:
        """The element id of the finding whose revisit set the standing."""
        finding = self.later_finding
        return finding_anchor(self.later.id, finding) if self.later and finding else None


@dataclass
class RecordPage:
    """One engagement's page: the model's values plus what the whole archive adds to them."""

    engagement: Engagement
    link: RecordLink
    places: list[TermLink]
    populations: list[TermLink]
    topics: list[TermLink]
    methods: list[str]
    findings: list[FindingView]
    related: list[RecordLink] = field(default_factory=list)
    revisits: list[RecordLink] = field(default_factory=list)
    revisited_by: list[RecordLink] = field(default_factory=list)
    supersedes: RecordLink | None = None
    superseded_by: list[RecordLink] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    cited_by: list[Any] = field(default_factory=list)
    """Published consensus statements resting on a finding of this record (StatementLink)."""

    @property
    def id(self) -> str:
        return self.link.id

    @property
    def title(self) -> str:
        return self.link.title

    @property
    def date(self) -> str:
        return self.link.date

    @property
    def when(self) -> str:
        """ "from 9 March to 25 May 2019", "on 9 March 2019": the dates in words."""
        return date_span(self.engagement.date, self.engagement.end_date)

    @property
    def thanks(self) -> str:
        """The page's thank-you, worded as the record's letter words it."""
        e = self.engagement
        named = [(c.name or "", c.role) for c in e.named_contributors]
        return engagement_thanks(named, e.anonymous_contributors)

    @property
    def status_words(self) -> str:
        return RECORD_STATUS_LABELS.get(self.engagement.status, self.engagement.status)

    @property
    def ladder_words(self) -> str:
        return LADDER_LABELS.get(self.engagement.ladder, self.engagement.ladder)

    @property
    def recognition(self) -> str | None:
        return recognition_words(self.engagement.recognition)

    @property
    def body(self) -> str:
        """The record's body as reports show it: template guidance (HTML comments) removed."""
        from copro.core.placeholders import published_body

        return published_body(self.engagement.body)

    @property
    def answered(self) -> int:
        return sum(1 for f in self.findings if f.actions)

    @property
    def findings_json(self) -> str:
        """The findings as the search shows them (its snippet is the finding that matched)."""
        return json.dumps(
            [{"text": f.text, "topics": [t.label for t in f.topics]} for f in self.findings],
            ensure_ascii=False,
        )

    @property
    def responses(self) -> str:
        """ "So far 3 of the 4 things people told us have had a response." """
        return responses_sentence(self.answered, len(self.findings), "people")


@dataclass
class TermPage:
    term: TermLink
    broader: list[TermLink]
    narrower: list[TermLink]
    records: list[RecordLink]
    findings: list[FindingView]


@dataclass
class Credit:
    name: str
    roles: list[str]
    records: list[RecordLink]


@dataclass
class Coverage:
    """Records per population (rows) x topic (columns); ``level`` shades 0..4."""

    populations: list[TermLink]
    topics: list[TermLink]
    counts: dict[tuple[str, str], int]
    top: int
    with_pages: frozenset[str] = frozenset()
    """Populations that have a page (the others were never heard at all)."""

    def count(self, population: str, topic: str) -> int:
        return self.counts.get((population, topic), 0)

    def level(self, population: str, topic: str) -> int:
        return self.level_of(self.count(population, topic))

    def level_of(self, n: int) -> int:
        """0 for never; 1 (fewest) to 4 (most) spread evenly up to the busiest cell."""
        if n <= 0:
            return 0
        if self.top <= 1:
            return 4
        return 1 + (3 * (n - 1)) // (self.top - 1)

    def legend(self) -> list[tuple[int, int, int]]:
        """(level, lowest count, highest count) for each shade in use."""
        spans: dict[int, tuple[int, int]] = {}
        for n in range(1, self.top + 1):
            low, _ = spans.get(self.level_of(n), (n, n))
            spans[self.level_of(n)] = (low, n)
        return [(level, low, high) for level, (low, high) in sorted(spans.items())]

    @property
    def never(self) -> int:
        return sum(1 for p in self.populations for t in self.topics if not self.count(p.id, t.id))


DEFAULT_TITLE = "Co-production archive"


@dataclass(frozen=True)
class SiteIdentity:
    """Who publishes the site and how to reach them, from the archive's ``copro.yml``."""

    title: str = DEFAULT_TITLE
    description: str | None = None
    url: str | None = None
    """The public address (ends with ``/``), for canonical links; None when not set."""
    contact: str | None = None
    """An organisational route for reporting a problem with the site (never a person)."""
    privacy_url: str | None = None
    publisher: str | None = None
    """The organisation (else the archive's name) that runs the site."""


def site_identity(root: Path) -> SiteIdentity:
    """The site's title, description, address and contact routes from ``copro.yml``."""
    settings = _load_settings(root)
    if settings is None:
        return SiteIdentity()
    site = settings.site
    url = site.url if site.url and site.url.startswith(("https://", "http://")) else None
    privacy = site.privacy_url
    organisation = settings.organisation.name if settings.organisation else None
    return SiteIdentity(
        title=settings.site_title,
        description=site.description,
        url=(url.rstrip("/") + "/") if url else None,
        contact=site.contact,
        privacy_url=privacy if privacy and privacy.startswith(("https://", "http://")) else None,
        publisher=organisation or settings.name,
    )


def _load_settings(root: Path) -> Any:
    """The archive settings (``copro.core.settings``), or None before that module exists."""
    import importlib

    try:
        module = importlib.import_module("copro.core.settings")
    except ImportError:
        return None
    return module.load_settings(root)


@dataclass
class SiteData:
    """Every page of the site as values."""

    records: list[RecordPage]
    terms: dict[str, list[TermPage]]
    credits: list[Credit]
    credited_anonymously: int
    coverage: Coverage
    filter_values: list[tuple[str, str, list[tuple[str, int]]]]
    generated: str
    identity: SiteIdentity = field(default_factory=SiteIdentity)

    @property
    def findings(self) -> int:
        return sum(len(page.findings) for page in self.records)

    statements: list[Any] = field(default_factory=list)
    """Agreed and retired consensus statements (``copro.site.consensus_pages``)."""

    def findings_by_standing(self) -> dict[str, list[FindingView]]:
        grouped: dict[str, list[FindingView]] = defaultdict(list)
        for page in self.records:
            for finding in page.findings:
                grouped[finding.outcome].append(finding)
        return grouped


def build_site_data(
    archive: Archive | Path,
    today: dt.date | None = None,
    sources: Sequence[Source] | None = None,
    members: frozenset[str] | None = None,
    catalog: Catalog | None = None,
    include_withdrawn: bool = False,
) -> SiteData:
    """Read every engagement once (of ``sources``, else the root's: in a hub its own and
    every member's) and build every page's view; the vocabularies are the root's (a hub's
    are shared by its members). ``members`` keeps only those members' records (standing
    still counts every member's revisits); withdrawn records only when ``include_withdrawn``.
    ``catalog``, when given, is used as read (``copro serve`` keeps its engagements between
    changes and re-reads only changed files)."""
    archive = Archive.of(archive)
    vocab = archive.vocab
    if catalog is None:
        catalog = load_catalog(list(sources)) if sources is not None else archive.catalog
    everything = sorted(catalog, key=lambda e: (e.date, e.key))
    table = standings(everything)
    shown = [
        e for e in listed(everything, include_withdrawn) if members is None or e.member in members
    ]
    links = {e.key: RecordLink(e.key, e.display_title, e.date) for e in shown}
    pages = [build_record_page(e, vocab, links, table) for e in shown]
    _link_both_ways(pages, links)
    for page in pages:
        page.filters = record_filters(page)
    from copro.site.consensus_pages import citing, statement_pages

    statements = statement_pages(catalog, table, vocab, members)
    cited = citing(statements)
    for page in pages:
        page.cited_by = cited.get(page.id, [])
    return assemble(archive.root, vocab, pages, statements, today)


def assemble(
    root: Path,
    vocab: Vocabularies,
    pages: list[RecordPage],
    statements: list[Any],
    today: dt.date | None = None,
) -> SiteData:
    """The whole site's views from its record pages (oldest first) and statement pages:
    the pages that gather many records (terms, coverage, credits, the filters)."""
    terms = {kind: _term_pages(kind, pages, vocab) for kind in TERM_KINDS}
    coverage = _coverage(pages, vocab)
    coverage.with_pages = frozenset(t.term.id for t in terms["populations"])
    return SiteData(
        records=pages,
        terms=terms,
        credits=_credits(pages),
        credited_anonymously=sum(p.engagement.anonymous_contributors for p in pages),
        coverage=coverage,
        filter_values=_filter_values(pages),
        generated=(today or dt.date.today()).isoformat(),
        identity=site_identity(root),
        statements=statements,
    )


def recognition_words(recognition: Recognition | None) -> str | None:
    """``vouchers (a voucher per session), certificates``: how people were recognised."""
    if recognition is None:
        return None
    first = PAYMENT_WORDS.get(recognition.payment, recognition.payment)
    if recognition.rate:
        first += f" ({recognition.rate})"
    return ", ".join(p for p in (first, *recognition.other) if p)


def _terms(vocab: Vocabularies, kind: str, ids: Iterable[str]) -> list[TermLink]:
    return [TermLink(kind, i, vocab[kind].label(i)) for i in dict.fromkeys(ids)]


def build_record_page(
    e: Engagement, vocab: Vocabularies, links: dict[str, RecordLink], table: StandingTable
) -> RecordPage:
    """One record's page as the record and the standing table make it: the links other
    records make to it (revisited by, superseded by, related back) are added after."""
    link = links[e.key]
    checked = table.checked_again(e)
    findings = []
    for f in e.findings:
        standing = table.of(e, f.id)
        findings.append(
            FindingView(
                record=link,
                id=f.id,
                text=f.text,
                quotable=e.quotable,
                topics=_terms(vocab, "topics", e.finding_topics(f)),
                actions=[_action(a) for a in e.responses(f.id)],
                standing=standing,
                later=links.get(standing.latest.record.key) if standing.latest else None,
                checks=[
                    CheckView(
                        finding=c.target,
                        record=links.get(c.earlier.key) if c.earlier else None,
                        text=c.earlier_finding.text if c.earlier_finding else "",
                        outcome_words=c.outcome.replace("-", " "),
                        note=c.note,
                        quotable=bool(c.earlier and c.earlier.quotable),
                    )
                    for c in checked
                    if c.own.id == f.id
                ],
            )
        )
    return RecordPage(
        engagement=e,
        link=link,
        places=_terms(vocab, "places", e.places),
        populations=_terms(vocab, "populations", e.populations),
        topics=_terms(vocab, "topics", e.topics),
        methods=[vocab["methods"].label(m) for m in e.methods],
        findings=findings,
        related=own_related(e, links),
        supersedes=links.get(_within(e, e.supersedes or "")),
    )


def own_related(e: Engagement, links: dict[str, RecordLink]) -> list[RecordLink]:
    """The shown records ``e`` itself names as related."""
    return [links[k] for k in (_within(e, i) for i in e.related) if k in links]


def named_records(e: Engagement) -> set[str]:
    """Keys of the records ``e`` names: those its findings revisit, related, superseded.

    A record's page changes when one of these changes (their titles, the
    earlier findings it checked) and theirs when it changes (the standing it
    gave, "revisited by", "superseded by", related back).
    """
    named = {_within(e, i) for i in e.related}
    if e.supersedes:
        named.add(_within(e, e.supersedes))
    for finding in e.findings:
        for revisit in finding.revisits:
            named.add(target_key(e, revisit).partition("#")[0])
    named.discard(e.key)
    return named


def _within(e: Engagement, record_id: str) -> str:
    """A record id named in ``e`` as a key: a member's plain ids name the member's records."""
    return f"{e.member}:{record_id}" if e.member and ":" not in record_id else record_id


def _action(action: Action) -> ActionView:
    return ActionView(
        id=action.id,
        status=action.status,
        status_words=ACTION_LABELS.get(action.status, action.status),
        text=action.text,
        date=action.date,
        reason=action.reason,
    )


def link_back(page: RecordPage, naming: Iterable[RecordPage]) -> None:
    """Fill in one page's links from the pages that name it (``naming``, oldest first):
    the links :func:`_link_both_ways` makes for every page at once, for one page."""
    page.revisits = sorted(
        {c.record for f in page.findings for c in f.checks if c.record}, key=lambda link: link.id
    )
    page.revisited_by, page.superseded_by = [], []
    for other in naming:
        if any(c.record and c.record.id == page.id for f in other.findings for c in f.checks):
            page.revisited_by.append(other.link)
        if other.supersedes is not None and other.supersedes.id == page.id:
            page.superseded_by.append(other.link)
        names_it = own_related(other.engagement, {page.id: page.link})
        if names_it and other.id != page.id and other.link not in page.related:
            page.related.append(other.link)


def _link_both_ways(pages: list[RecordPage], links: dict[str, RecordLink]) -> None:
    """Fill in the links a record cannot hold itself: who revisits it, who supersedes it."""
    by_id = {p.id: p for p in pages}
    for page in pages:
        earlier = {c.record.id for f in page.findings for c in f.checks if c.record}
        page.revisits = [links[i] for i in sorted(earlier)]
        for record_id in sorted(earlier):
            if page.link not in by_id[record_id].revisited_by:
                by_id[record_id].revisited_by.append(page.link)
        if page.supersedes and page.supersedes.id in by_id:
            by_id[page.supersedes.id].superseded_by.append(page.link)
        for other in page.related:
            back = by_id[other.id]
            if page.link not in back.related and other.id != page.id:
                back.related.append(page.link)


def record_filters(page: RecordPage) -> dict[str, list[str]]:
    """Search filter values of one record (OR within a group, AND across groups)."""
    return {
        "population": [t.label for t in page.populations],
        "topic": list(
            dict.fromkeys(
                [t.label for t in page.topics] + [t.label for f in page.findings for t in f.topics]
            )
        ),
        "place": [t.label for t in page.places],
        "method": list(page.methods),
        "member": [page.engagement.member] if page.engagement.member else [],
        "organisation": list(dict.fromkeys(o.name for o in page.engagement.organisations)),
        "sector": sorted(SECTOR_LABELS.get(s, s) for s in page.engagement.sectors),
        "year": [page.engagement.year],
        "ladder": [page.ladder_words],
        "status": [page.status_words],
        "standing": list(dict.fromkeys(STANDING_LABELS[f.outcome] for f in page.findings)),
    }


def _filter_values(pages: list[RecordPage]) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """Every filter group with its values and how many records have each."""
    out = []
    for key, legend in FILTER_GROUPS:
        counts: Counter[str] = Counter(v for p in pages for v in p.filters.get(key, []))
        if key == "year":
            values = sorted(counts.items(), reverse=True)
        else:
            values = sorted(counts.items(), key=lambda kv: kv[0].casefold())
        if values:
            out.append((key, legend, values))
    return out


def _term_pages(kind: str, pages: list[RecordPage], vocab: Vocabularies) -> list[TermPage]:
    """A page for every term in use (and each term above one), with what is tagged with it.

    A term's page holds the records and findings tagged with that term itself and
    links its narrower terms, so each finding appears once per term it carries
    (a page for a wide term such as a whole region would otherwise repeat most of
    the archive).
    """
    vocabulary = vocab[kind]
    records: dict[str, dict[str, RecordLink]] = defaultdict(dict)  # in order, each once
    findings: dict[str, list[FindingView]] = defaultdict(list)
    for page in pages:
        own = [t.id for t in getattr(page, kind)]
        for term_id in own:
            records[term_id][page.id] = page.link
        for finding in page.findings:
            for term_id in [t.id for t in finding.topics] if kind == "topics" else own:
                findings[term_id].append(finding)
                records[term_id][page.id] = page.link
    used = set(records)
    for term_id in list(used):
        used.update(vocabulary.broader_chain(term_id))
    out = []
    for term_id in sorted(used, key=lambda i: vocabulary.label(i).casefold()):
        term = vocabulary.terms.get(term_id)
        below = vocabulary.narrower(term_id) - {term_id}
        out.append(
            TermPage(
                term=TermLink(kind, term_id, vocabulary.label(term_id)),
                broader=_terms(vocab, kind, [term.broader] if term and term.broader else []),
                narrower=_terms(vocab, kind, sorted(i for i in below if i in used)),
                records=list(records[term_id].values())[::-1],
                findings=findings[term_id][::-1],
            )
        )
    return out


def _credits(pages: list[RecordPage]) -> list[Credit]:
    by_name: dict[str, Credit] = {}
    for page in pages:
        for contributor in page.engagement.named_contributors:
            name, role = contributor.name or "", contributor.role
            credit = by_name.setdefault(name, Credit(name, [], []))
            if role and role not in credit.roles:
                credit.roles.append(role)
            if page.link not in credit.records:
                credit.records.append(page.link)
    return sorted(by_name.values(), key=lambda c: c.name.casefold())


def _coverage(pages: list[RecordPage], vocab: Vocabularies) -> Coverage:
    counts: Counter[tuple[str, str]] = Counter()
    topics_used: dict[str, TermLink] = {}
    for page in pages:
        for topic in page.topics:
            topics_used[topic.id] = topic
        for population in page.populations:
            for topic in page.topics:
                counts[(population.id, topic.id)] += 1
    populations = _terms(vocab, "populations", vocab["populations"].terms)
    topics = sorted(topics_used.values(), key=lambda t: t.label.casefold())
    return Coverage(populations, topics, dict(counts), max(counts.values(), default=0))
