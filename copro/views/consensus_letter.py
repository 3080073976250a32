"""``copro report ID`` of a consensus statement: a letter to everyone whose words it rests on.

The same plain, consent-respecting voice as the engagement letter
(``copro.views.report``): dates in words, no ids or paths, a finding styled
as a quotation only where its group agreed to quotes, contributors named only
where they agreed to be named. It says how many engagements and groups the
statement rests on and over which years, what we now think and how sure we
are, where people disagreed, what we are doing because of it, and thank you.
Drafts are never sent: ``report`` of a draft exits 1 unless ``--draft``, and
then every page says it is a draft.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.placeholders import published_body
from copro.core.vocab import Vocabularies
from copro.core.words import and_list, counted, decision_sentence, month_year, sentence
from copro.store.archive import Archive
from copro.views.consensus import Assessed, EvidenceItem, stale_causes

CONFIDENCE_WORDS = {
    "high": "We are confident that this is a fair account of what people told us.",
    "moderate": "We are fairly confident that this is a fair account of what people told us.",
    "low": "We are not very confident yet: this may be a fair account of what people told us, "
    "but we need to hear more.",
    "very-low": "We are not confident yet: it is not clear that this is a fair account of "
    "what people told us.",
}
BODY_SECTIONS = ("why we think this", "where people disagreed", "what we did with it")


@dataclass(frozen=True)
class Heard:
    """One finding as the letter shows it."""

    text: str
    quotable: bool
    when: str
    group: str
    standing: str
    note: str | None


@dataclass(frozen=True)
class Source:
    """One engagement the statement rests on, in words."""

    title: str
    when: str
    lead: str
    groups: str


@dataclass
class StatementLetter:
    title: str
    statement: str
    draft: bool
    retired: bool
    engagements: int
    groups: int
    years: str
    lead: str
    confidence: str | None
    explanation: str | None
    sources: list[Source]
    supports: list[Heard]
    partly: list[Heard]
    contradicts: list[Heard]
    stale: list[str]
    agreed_with: list[str]
    decisions: list[str]
    body: dict[str, str]
    thanks: str
    """The thank-you: who is named, how many more were not, and every group."""
    archive_name: str | None = None
    generated: str = field(default_factory=lambda: dt.date.today().isoformat())

    @property
    def quotes_everywhere(self) -> bool:
        return all(h.quotable for h in [*self.supports, *self.partly, *self.contradicts])

    @property
    def disagreed(self) -> bool:
        """Whether the letter has a "Where people disagreed" section."""
        return bool(self.partly or self.contradicts or self.body["where people disagreed"])

    @property
    def doing(self) -> bool:
        """Whether the letter has a "What we are doing because of it" section."""
        return bool(self.decisions or self.body["what we did with it"])

    @property
    def tells(self) -> str:
        """What the opening says the letter tells: only what it has a section for (people
        read "where people disagreed" as a promise, and looked for it)."""
        heard = (
            f"what we heard in {counted(self.engagements, 'engagement')}"
            f" with {counted(self.groups, 'group')}" + (f" {self.years}" if self.years else "")
        )
        parts = [heard, "what we now think"]
        if self.disagreed:
            parts.append("where people disagreed")
        if self.doing:
            parts.append("what we are doing because of it")
        if len(parts) == 2:
            return " and ".join(parts)
        return ", ".join(parts[:-1]) + ", and " + parts[-1]  # "2019 and 2025" holds an "and"


def years_words(first: int | None, last: int | None) -> str:
    """ "between 2019 and 2024", or "in 2021" for one year."""
    if first is None or last is None:
        return ""
    return f"in {first}" if first == last else f"between {first} and {last}"


def body_sections(body: str) -> dict[str, str]:
    """The three conventional body sections by casefolded heading ("" when empty or absent)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in published_body(body).split("\n"):
        heading = re.match(r"##\s+(.*)", line)
        if heading and not line.startswith("###"):
            name = heading.group(1).strip().casefold()
            current = found.setdefault(name, []) if name in BODY_SECTIONS else None
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(found.get(name, [])).strip() for name in BODY_SECTIONS}


def _heard(item: EvidenceItem, vocab: Vocabularies) -> Heard:
    engagement = item.engagement
    assert engagement is not None and item.finding is not None
    groups = and_list([_in_sentence(vocab, "populations", p) for p in engagement.populations])
    return Heard(
        " ".join(item.finding.text.split()),
        engagement.quotable,
        month_year(engagement.date),
        groups,
        item.standing.words().partition(": see ")[0] if item.standing else "",
        item.evidence.note,
    )


def _in_sentence(vocab: Vocabularies, name: str, term: str) -> str:
    """How a vocabulary term reads inside a sentence (``in_sentence``, else its label)."""
    return vocab[name].in_sentence(term)


def build_letter(assessed: Assessed, vocab: Vocabularies, draft: bool = False) -> StatementLetter:
    """The letter's content; a draft is refused (exit 1) unless ``draft`` asks for it."""
    s = assessed.statement
    if s.draft and not draft:
        raise CoproError(
            f"{s.key} is a draft: drafts are never sent",
            "agree it first (`copro consensus agree`), or add --draft to read it marked as a draft",
        )
    facts = assessed.facts
    sources = [
        Source(
            e.display_title,
            month_year(e.date),
            e.lead_name,
            and_list([_in_sentence(vocab, "populations", p) for p in e.populations]),
        )
        for e in assessed.cited_records()
    ]
    by_stance = {
        stance: [_heard(i, vocab) for i in assessed.by_stance(stance)]
        for stance in ("supports", "partly", "contradicts")
    }
    agreed = [
        a.how
        + (f" ({a.participants} people)" if a.participants else "")
        + f", {month_year(a.date)}"
        for a in s.agreed_with
    ]
    decisions = [decision_sentence(d.text, d.made_by, d.date) for d in s.decisions]
    confidence = s.confidence
    return StatementLetter(
        title=s.display_title,
        statement=s.statement,
        draft=s.draft,
        retired=s.retired,
        engagements=facts.records,
        groups=facts.groups,
        years=years_words(facts.first_year, facts.last_year),
        lead=s.lead_name,
        confidence=CONFIDENCE_WORDS.get(confidence.overall) if confidence else None,
        explanation=confidence.explanation if confidence and confidence.explanation else None,
        sources=sources,
        supports=by_stance["supports"],
        partly=by_stance["partly"],
        contradicts=by_stance["contradicts"],
        stale=stale_words(assessed),
        agreed_with=agreed,
        decisions=decisions,
        body=body_sections(s.body),
        thanks=assessed.thanks.sentence(
            [f"{c.name} ({c.role}, {c.record_title})" for c in assessed.thanks.named]
        ),
    )


def stale_words(assessed: Assessed) -> list[str]:
    """Why the statement may no longer stand, in words without ids."""
    withdrawn, revisits = stale_causes(assessed.statement, assessed.items)
    out = [f"The engagement \u201c{e.display_title}\u201d was withdrawn." for e in withdrawn]
    for item, revisit in revisits:
        said = month_year(item.engagement.date) if item.engagement else "earlier"
        outcome = "has changed" if revisit.outcome == "changed" else "no longer holds"
        out.append(
            f"In {month_year(revisit.date)} people told us that what was said in {said} "
            f"{outcome}. They said: {sentence(' '.join(revisit.text.split()))}"
        )
    return out


def statement_report(
    archive: Archive | Path, statement_id: str, fmt: str, draft: bool = False
) -> str:
    """``copro report ID`` of a statement, rendered in ``fmt`` (md or html)."""
    from copro.views.consensus import load_assessed
    from copro.views.report_render import render_statement_letter

    archive = Archive.of(archive)
    letter = build_letter(load_assessed(archive, statement_id), archive.vocab, draft)
    return render_statement_letter(letter, fmt)
