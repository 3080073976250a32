"""``copro export --format gripp2``: the GRIPP2 short-form report of each record.

GRIPP2 (Guidance for Reporting Involvement of Patients and the Public) is
what many journals ask research teams to report. Its short form has five
items; each is filled from the record, or marked ``Not recorded`` so the gap
is visible rather than papered over:

- Aim: ``aim``;
- Methods: methods, ladder, participants, populations, places, organisations,
  recognition;
- Results: the findings (with their standing);
- Outcomes: the actions and decisions, and when people were told;
- Reflections: the body's ``## Reflections`` section.

Withdrawn records are left out. Names of contributors never appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from copro.core.model import Engagement
from copro.core.vocab import Vocabularies
from copro.core.words import ACTION_WORDS, LADDER_WORDS, MADE_BY_WORDS, PAYMENT_WORDS, month_year
from copro.store.standing import StandingTable, standings

NOT_RECORDED = "Not recorded."

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def gripp2_markdown(
    engagements: Iterable[Engagement], vocab: Vocabularies, table: StandingTable | None = None
) -> tuple[str, int]:
    """The report for every record that is not withdrawn, oldest first; and how many."""
    everything = list(engagements)
    table = table if table is not None else standings(everything)
    kept = sorted((e for e in everything if not e.withdrawn), key=lambda e: (e.date, e.key))
    parts = ["# GRIPP2 short-form reports\n"]
    parts.extend(_section(e, vocab, table) for e in kept)
    return "\n".join(parts), len(kept)


def _labels(vocab: Vocabularies, name: str, ids: Iterable[str]) -> str:
    vocabulary = vocab[name]
    return ", ".join(vocabulary.label(i) if i in vocabulary else i for i in ids)


def _section(e: Engagement, vocab: Vocabularies, table: StandingTable) -> str:
    lines = [f"## {_one_line(e.display_title)} (`{e.key}`)", ""]
    lines += ["### Aim", "", _one_line(e.aim) if e.aim else NOT_RECORDED, ""]
    lines += ["### Methods", "", *_methods(e, vocab), ""]
    lines += ["### Results", "", *(_results(e, table) or [NOT_RECORDED]), ""]
    lines += ["### Outcomes", "", *(_outcomes(e) or [NOT_RECORDED]), ""]
    lines += ["### Reflections", "", reflections(e.body) or NOT_RECORDED, ""]
    return "\n".join(lines)


def _methods(e: Engagement, vocab: Vocabularies) -> list[str]:
    when = month_year(e.date) + (f" to {month_year(e.end_date)}" if e.end_date else "")
    who = _labels(vocab, "populations", e.populations)
    if e.participants is not None:
        who = f"{e.participants} people ({who})" if who else f"{e.participants} people"
    organisations = "; ".join(
        f"{_one_line(o.name)} ({o.sector}, {o.role})" for o in e.organisations
    )
    out = [
        f"- Methods: {_labels(vocab, 'methods', e.methods) or NOT_RECORDED}",
        f"- Level of involvement: {LADDER_WORDS.get(e.ladder, e.ladder) or NOT_RECORDED}",
        f"- Who took part: {who or NOT_RECORDED}",
        f"- Where and when: {_labels(vocab, 'places', e.places) or NOT_RECORDED}; {when}",
        f"- Organisations: {organisations or NOT_RECORDED}",
        f"- Recognition: {_recognition(e)}",
    ]
    return out


def _recognition(e: Engagement) -> str:
    r = e.recognition
    if r is None:
        return NOT_RECORDED
    words = PAYMENT_WORDS.get(r.payment, r.payment)
    if r.rate:
        words += f" ({_one_line(r.rate)})"
    if r.other:
        words += "; also " + ", ".join(_one_line(o) for o in r.other)
    return words


def _results(e: Engagement, table: StandingTable) -> list[str]:
    out = []
    for finding in e.findings:
        standing = table.of(e, finding.id)
        out.append(f"- {_one_line(finding.text)} ({standing.words()})")
    return out


def _outcomes(e: Engagement) -> list[str]:
    out = []
    for action in e.actions:
        status = ACTION_WORDS.get(action.status, action.status)
        if action.date:
            status += f", {month_year(action.date)}"
        line = f"- {_one_line(action.text)} ({status})"
        if action.reason:
            line += f": {_one_line(action.reason)}"
        out.append(line)
    for decision in e.decisions:
        made = MADE_BY_WORDS.get(decision.made_by, decision.made_by)
        when = f", {month_year(decision.date)}" if decision.date else ""
        out.append(f"- Decision: {_one_line(decision.text)} ({made}{when})")
    for told in e.feedback_given:
        note = f": {_one_line(told.note)}" if told.note else ""
        out.append(
            f"- People were told what was done ({month_year(told.date)}, "
            f"{_one_line(told.channel)}){note}"
        )
    return out


def reflections(body: str) -> str:
    """The text under the body's ``## Reflections`` heading (comments left out)."""
    lines = _COMMENT.sub("", body).split("\n")
    start = None
    for number, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        if start is not None and len(heading.group(1)) <= 2:
            return "\n".join(lines[start:number]).strip()
        if heading.group(2).strip().casefold() == "reflections":
            start = number + 1
    return "\n".join(lines[start:]).strip() if start is not None else ""


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
