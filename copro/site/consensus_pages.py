"""The site's consensus pages: a Summary of Qualitative Findings and a page per statement.

``consensus/`` lists every agreed statement as GRADE-CERQual publishes a
Summary of Qualitative Findings (the statement, the confidence, why, and the
engagements it rests on); each agreed or retired statement has its own page
with its evidence (each finding's standing), how it was checked, what was
decided and who to thank. Drafts are never published. Record pages link the
statements that cite them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copro.core.model import Statement
from copro.core.vocab import Vocabularies
from copro.store.catalog import Catalog
from copro.store.standing import StandingTable, month_year
from copro.views.consensus import STANCE_WORDS, Assessed, assess_all
from copro.views.consensus_letter import body_sections, stale_words

STANCE_HEADINGS = {
    "supports": "Supports it",
    "partly": "Partly supports it",
    "contradicts": "Says something else",
}


@dataclass(frozen=True)
class StatementLink:
    id: str
    """The statement's key: its id, or ``member:id`` for a hub member's statement."""
    title: str
    status: str

    @property
    def url(self) -> str:
        return f"consensus/{self.id.replace(':', '/')}/"


@dataclass(frozen=True)
class EvidenceView:
    stance: str
    stance_words: str
    text: str
    quotable: bool
    record_url: str
    record_title: str
    when: str
    anchor: str
    standing: str
    note: str | None


@dataclass
class StatementPage:
    assessed: Assessed
    link: StatementLink
    confidence_words: str
    evidence: list[EvidenceView]
    engagements: list[tuple[str, str, str]]
    """(url, title, year) of each cited engagement, oldest first."""
    groups: list[str]
    body: dict[str, str]
    stale: list[str] = field(default_factory=list)

    @property
    def statement(self) -> Statement:
        return self.assessed.statement

    def by_stance(self, stance: str) -> list[EvidenceView]:
        return [e for e in self.evidence if e.stance == stance]


def statement_pages(
    catalog: Catalog,
    table: StandingTable,
    vocab: Vocabularies,
    members: frozenset[str] | None = None,
) -> list[StatementPage]:
    """A page for every agreed or retired statement (drafts are never published)."""
    published = [
        s for s in catalog.statements if s.published and (members is None or s.member in members)
    ]
    if not published:
        return []
    pages = [_page(a, vocab) for a in assess_all(catalog, table, published)]
    return sorted(
        pages, key=lambda p: (p.statement.status != "agreed", p.statement.date, p.link.id)
    )


def _page(assessed: Assessed, vocab: Vocabularies) -> StatementPage:
    s = assessed.statement
    evidence = []
    for item in assessed.items:
        engagement, finding = item.engagement, item.finding
        if not item.counts or engagement is None or finding is None:
            continue
        standing = item.standing.words().partition(": see ")[0] if item.standing else ""
        evidence.append(
            EvidenceView(
                stance=item.evidence.stance,
                stance_words=STANCE_WORDS.get(item.evidence.stance, item.evidence.stance),
                text=finding.text,
                quotable=engagement.quotable,
                record_url=f"records/{engagement.key.replace(':', '/')}/",
                record_title=engagement.display_title,
                when=month_year(engagement.date),
                anchor=f"finding-{finding.id}",
                standing=standing,
                note=item.evidence.note,
            )
        )
    engagements = [
        (f"records/{e.key.replace(':', '/')}/", e.display_title, e.year)
        for e in assessed.cited_records()
    ]
    confidence = s.confidence
    words = confidence.overall_words.capitalize() if confidence and confidence.overall else ""
    return StatementPage(
        assessed=assessed,
        link=StatementLink(s.key, s.display_title, s.status),
        confidence_words=words,
        evidence=evidence,
        engagements=engagements,
        groups=[vocab["populations"].label(p) for p in assessed.facts.populations],
        body=body_sections(s.body),
        stale=stale_words(assessed),
    )


def citing(pages: list[StatementPage]) -> dict[str, list[StatementLink]]:
    """Record key -> the published statements that cite one of its findings."""
    out: dict[str, list[StatementLink]] = {}
    for page in pages:
        for record in page.assessed.cited_records():
            out.setdefault(record.key, []).append(page.link)
    return out
