"""``copro consensus draft`` and ``copro consensus agree``: writing statements (section 8).

A draft gathers the findings a statement rests on (chosen ``ID#SN``, or the
findings a theme's filters select, withdrawn records left out), writes the
evidence facts as comments beside them and the GRADE-CERQual components as
commented prompts, and is valid as written. Agreeing records the CERQual
judgement, how people checked it (groups, never names) and sets ``status:
agreed``; every other byte of the file stays as it was. Both go through the
same gate as ``copro validate`` before anything is written; the web app
(``copro serve``) calls these same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.checks import FINDING_REF, RecordRefs
from copro.core.errors import CoproError, UsageError
from copro.core.model import (
    CERQUAL_COMPONENTS,
    CONCERNS,
    CONFIDENCE_LEVELS,
    SECTORS,
    Engagement,
    Statement,
)
from copro.core.paths import CONSENSUS_DIR
from copro.core.problems import Problem
from copro.core.vocab import Vocabularies
from copro.store.catalog import Catalog
from copro.store.standing import StandingTable, month_year, standings
from copro.write.newrecord import (
    Created,
    check_choice,
    check_date,
    check_id,
    check_text,
    make_id,
    yaml_text,
)

PROMPTS_START = "# --- GRADE-CERQual: how sure are we? (copro consensus agree fills this in)"
PROMPTS_END = "# --- end of the GRADE-CERQual prompts"
COMPONENT_HELP = {
    "methodological_limitations": "how well were the engagements behind it done?",
    "coherence": "how well do the findings fit together? who disagreed, and how much?",
    "adequacy": "is there enough, rich enough, from enough people?",
    "relevance": "do the engagements fit the statement's scope (people, place, topic)?",
}
"""One line explaining each CERQual component: prompts, comments and the web form use it."""
OVERALL_HELP = (
    "high: very likely a reasonable account of what people told us; moderate: likely; "
    "low: possibly; very-low: not clear"
)
MAX_STATEMENT = 1000


@dataclass(frozen=True)
class Chosen:
    """A finding chosen as evidence: its record, and where it stands now."""

    key: str
    engagement: Engagement
    finding_id: str
    text: str


@dataclass
class DraftRequest:
    """What ``consensus draft`` was given (the web form fills the same fields)."""

    findings: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    title: str | None = None
    statement: str | None = None
    lead: str | None = None
    lead_sector: str | None = None
    id: str | None = None
    date: str | None = None


@dataclass
class Drafted:
    created: Created
    chosen: list[Chosen]


# ------------------------------------------------------------------ draft


def draft_statement(root: Path, request: DraftRequest, dry_run: bool = False) -> Drafted:
    """Check the request, render the draft and (unless ``dry_run``) create it."""
    from copro.core.vocab import load_vocabularies
    from copro.store.catalog import load_catalog

    root = Path(root).resolve()
    if not request.findings and not request.topics and not request.populations:
        raise UsageError(
            "say which findings the statement rests on",
            "give --from ID#SN (repeatable), or --topic / --population to take the findings "
            "`copro findings` selects",
        )
    vocab, _ = load_vocabularies(root)
    catalog = load_catalog(root)
    table = standings(catalog.engagements)
    chosen = choose_findings(root, catalog, request)
    if len(chosen) < 2:
        raise CoproError(
            f"a statement rests on at least 2 findings; {len(chosen)} matched, so nothing "
            "was written",
            "add findings with --from ID#SN, or widen the filters (`copro findings` shows them)",
        )
    when = check_date(request.date) if request.date else dt.date.today().isoformat()
    title = check_text(request.title, "--title") if request.title else None
    text = (
        check_text(request.statement, "--statement", MAX_STATEMENT) if request.statement else None
    )
    if title is None and text is None:
        raise UsageError("give the statement a --title (or the --statement itself)")
    title = title or _title_from(text or "")
    statement_id = check_id(request.id) if request.id else make_id(when, title)
    refuse_taken_id(root, statement_id)
    lead, sector = _lead(root, request, chosen)
    rendered = render_draft(
        statement_id, title, text or title, when, lead, sector, chosen, table, catalog
    )
    gate_statement(root, catalog, statement_id, rendered.encode("utf-8"), vocab)
    return Drafted(write_new_statement(root, statement_id, rendered, dry_run), chosen)


def _title_from(text: str) -> str:
    return text if len(text) <= 200 else text[:199].rsplit(" ", 1)[0] + "\u2026"


def choose_findings(root: Path, catalog: Catalog, request: DraftRequest) -> list[Chosen]:
    """The findings named with ``--from`` (in order), then those the filters select."""
    chosen: dict[str, Chosen] = {}
    for given in request.findings:
        parts = FINDING_REF.fullmatch(given)
        if parts is None:
            raise UsageError(
                f"--from {given!r} does not name a finding"
                if len(given) < 80
                else "--from does not name a finding",
                "write it as <record-id>#S<n>, e.g. 2019-03-somali-mothers-parenting#S2",
            )
        record_key = given.partition("#")[0]
        engagement = catalog.find(record_key)
        finding = engagement.finding(parts["finding"])
        if finding is None:
            raise CoproError(f"{engagement.key} has no finding {parts['finding']}")
        if engagement.withdrawn:
            raise CoproError(
                f"{engagement.key} is withdrawn; a statement does not rest on it",
                "choose findings of records that stand",
            )
        key = f"{engagement.key}#{finding.id}"
        chosen.setdefault(key, Chosen(key, engagement, finding.id, finding.text))
    if request.topics or request.populations:
        from copro.views.findings import list_findings

        result = list_findings(root, topics=request.topics, populations=request.populations)
        for row in sorted(result.findings, key=lambda r: (r.record.date, r.record.key)):
            if row.record.withdrawn:
                continue
            key = f"{row.record.key}#{row.finding.id}"
            chosen.setdefault(key, Chosen(key, row.record, row.finding.id, row.finding.text))
    return list(chosen.values())


def _lead(root: Path, request: DraftRequest, chosen: list[Chosen]) -> tuple[str, str]:
    """``--lead``, else the settings' organisation, else the most recent cited record's lead."""
    if request.lead:
        name = check_text(request.lead, "--lead")
        if not request.lead_sector:
            raise UsageError("--lead needs --lead-sector", "one of: " + ", ".join(SECTORS))
        return name, check_choice(request.lead_sector, SECTORS, "--lead-sector")
    organisation = _settings_organisation(root)
    if organisation is not None:
        return organisation
    latest = max(chosen, key=lambda c: (c.engagement.date, c.engagement.key)).engagement
    lead = latest.lead
    if lead is None:
        raise UsageError("say who holds the statement: --lead NAME --lead-sector SECTOR")
    return lead.name, lead.sector


def _settings_organisation(root: Path) -> tuple[str, str] | None:
    """The settings' organisation (``copro.yml``), when the settings module is there."""
    import importlib

    try:
        settings = importlib.import_module("copro.core.settings")
    except ImportError:  # archive settings land with another change
        return None
    organisation = settings.load_settings(root).organisation
    return (organisation.name, organisation.sector) if organisation else None


def scope_of(chosen: Sequence[Chosen]) -> tuple[list[str], list[str], list[str]]:
    """Topics of the cited findings (their own, else their record's), and their records'
    populations and places, each once, in the order met."""
    topics: dict[str, None] = {}
    populations: dict[str, None] = {}
    places: dict[str, None] = {}
    for item in chosen:
        finding = item.engagement.finding(item.finding_id)
        if finding is not None:
            topics.update(dict.fromkeys(item.engagement.finding_topics(finding)))
        populations.update(dict.fromkeys(item.engagement.populations))
        places.update(dict.fromkeys(item.engagement.places))
    return list(topics), list(populations), list(places)


def render_draft(
    statement_id: str,
    title: str,
    text: str,
    date: str,
    lead: str,
    sector: str,
    chosen: Sequence[Chosen],
    table: StandingTable,
    catalog: Catalog,
) -> str:
    """The draft file: front-matter with the facts as comments and the CERQual prompts."""
    from copro.views.consensus import facts_of, resolve

    topics, populations, places = scope_of(chosen)
    probe = Statement(statement_id, title, text, "draft", date, "")
    items = [resolve(probe, _evidence(c.key), catalog, table) for c in chosen]
    facts = facts_of(items)
    years = (
        f"{facts.first_year}"
        if facts.first_year == facts.last_year
        else f"{facts.first_year} to {facts.last_year}"
    )
    lines = [
        "---",
        f"id: {statement_id}",
        f"title: {yaml_text(title)}",
        f"statement: {yaml_text(text)}",
        "status: draft",
        f"date: {date}",
        "organisations:",
        f"- name: {yaml_text(lead)}",
        f"  sector: {sector}",
        "  role: lead",
        *_list_lines("topics", topics),
        *_list_lines("populations", populations),
        *_list_lines("places", places),
        "# Evidence facts when drafted (copro works them out again on every reading):",
        f"# {facts.findings} findings from {facts.records} engagements with {facts.groups} "
        f"groups and {facts.organisations} organisations, {years}.",
        "# Stance: supports, partly or contradicts. Consensus is not unanimity: keep the",
        '# findings that disagree, and say so under "Where people disagreed".',
        "evidence:",
    ]
    for item, resolved in zip(chosen, items, strict=True):
        standing = resolved.standing.words() if resolved.standing else ""
        said = " ".join(item.text.split())
        lines += [
            f"# {month_year(item.engagement.date)}: {said}"[:200],
            f"# {standing}",
            f"- finding: {item.key}",
            "  stance: supports",
        ]
    lines += [PROMPTS_START, "# confidence:", f"#   overall:    # {OVERALL_HELP}"]
    for name in CERQUAL_COMPONENTS:
        lines += [
            f"#   {name}:    # {COMPONENT_HELP[name]}",
            "#     concerns:    # none, minor, moderate or serious",
            "#     note:",
        ]
    lines += [
        "#   explanation:    # why this overall confidence, in a sentence or two",
        "# agreed_with:    # how people who took part checked it: groups, never names",
        "# - date:",
        "#   how:",
        "#   participants:",
        PROMPTS_END,
        "---",
        "",
        "## Why we think this",
        "",
        "## Where people disagreed",
        "",
        "## What we did with it",
        "",
    ]
    return "\n".join(lines)


def _evidence(key: str) -> Any:
    from copro.core.model import Evidence

    return Evidence(key, "supports")


def _list_lines(name: str, values: list[str]) -> list[str]:
    return [f"{name}:", *(f"- {v}" for v in values)]


def statement_rel(statement_id: str) -> str:
    return f"{CONSENSUS_DIR}/{statement_id}.md"


def gate_statement(
    root: Path, catalog: Catalog, statement_id: str, data: bytes, vocab: Vocabularies
) -> None:
    """The statement as it would be written passes validate's checks, or nothing is written."""
    refuse_problems(statement_problems(root, catalog, statement_id, data, vocab))


def refuse_problems(problems: list[Problem]) -> None:
    """Exit 1 naming each problem's line and code (never a value: it may be personal)."""
    if problems:
        where = "; ".join(f"line {p.line}: {p.code}" for p in problems[:5])
        raise CoproError(
            f"the statement would not pass `copro validate` ({where}); nothing was written",
            "change the values given (personal data never enters the archive)",
        )


def statement_problems(
    root: Path, catalog: Catalog, statement_id: str, data: bytes, vocab: Vocabularies
) -> list[Problem]:
    """Errors ``validate`` would report for ``data`` as ``consensus/<id>.md``."""
    own = [e for e in catalog.engagements if e.member is None]
    statement_ids = {s.id for s in catalog.statements if s.member is None}
    return problems_among(root, statement_id, data, vocab, own, {e.id for e in own}, statement_ids)


def problems_among(
    root: Path,
    statement_id: str,
    data: bytes,
    vocab: Vocabularies,
    engagements: Sequence[Engagement],
    record_ids: set[str],
    statement_ids: set[str],
) -> list[Problem]:
    """Errors ``validate`` would report for ``data`` as ``consensus/<id>.md``, given the
    records its evidence may name (``engagements``) and every record and statement id."""
    from copro.core import consensus_checks
    from copro.core.validate import check_file

    rel = statement_rel(statement_id)
    outcome = check_file(root / rel, rel, vocab, data)
    problems = [p for p in outcome.problems if p.is_error]
    if outcome.statement is not None:
        targets = {
            e.id: RecordRefs(e.path, e.id, (), None, e.date, frozenset(f.id for f in e.findings))
            for e in engagements
        }
        problems += [
            p
            for p in consensus_checks.check_statements(
                [outcome.statement], targets, record_ids, statement_ids | {statement_id}
            )
            if p.is_error
        ]
    return problems


def write_new_statement(root: Path, statement_id: str, text: str, dry_run: bool) -> Created:
    """Create ``consensus/<id>.md``, never replacing a statement or reusing a record's id."""
    from copro.core.fileio import create_new
    from copro.core.paths import statement_path

    rel = statement_rel(statement_id)
    path = statement_path(root, statement_id)
    refuse_taken_id(root, statement_id)
    if dry_run:
        return Created(statement_id, path, rel, text, False, None)
    create_new(root, rel, text)
    from copro.core.gitrepo import is_repository

    return Created(
        statement_id, path, rel, text, True, f"git add {rel}" if is_repository(root) else None
    )


def refuse_taken_id(root: Path, statement_id: str) -> None:
    """Exit 1 when a record or statement already has this id (in any case)."""
    from copro.write.newrecord import existing_id

    clash = existing_id(root, statement_id) or _existing_statement(root, statement_id)
    if clash:
        raise CoproError(
            f"the id {statement_id} is already taken ({clash}); nothing was written",
            "records and statements share one id space: choose another --id",
        )


def _existing_statement(root: Path, statement_id: str) -> str | None:
    from copro.core.paths import iter_statement_files

    folded = statement_id.casefold()
    for found in iter_statement_files(root):
        if Path(found.relpath).stem.casefold() == folded:
            return found.relpath
    return None


# ------------------------------------------------------------------ agree


@dataclass
class AgreeRequest:
    """The CERQual judgement and how people agreed it (the web form fills the same fields)."""

    overall: str | None = None
    concerns: dict[str, str] = field(default_factory=dict)
    """CERQual component (``methodological_limitations``...) -> none/minor/moderate/serious."""
    notes: dict[str, str] = field(default_factory=dict)
    explanation: str | None = None
    agreed_with: list[str] = field(default_factory=list)
    """``"DATE; HOW; N"`` as typed (N, the number of people, may be left out)."""
    date: str | None = None

    def missing(self) -> list[str]:
        """Options still without a value, in the order a person would answer them."""
        options = {
            "methodological_limitations": "--limitations",
            "coherence": "--coherence",
            "adequacy": "--adequacy",
            "relevance": "--relevance",
        }
        found = [] if self.overall else ["--overall"]
        found += [option for name, option in options.items() if not self.concerns.get(name)]
        return found + ([] if self.explanation else ["--explanation"])


def parse_agreed_with(text: str) -> dict[str, Any]:
    """``"2025-01-20; reference group of Somali mothers; 9"`` as an ``agreed_with`` entry."""
    parts = [p.strip() for p in text.split(";")]
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise UsageError(
            '--agreed-with needs "DATE; HOW" or "DATE; HOW; NUMBER OF PEOPLE"',
            'e.g. --agreed-with "2025-01-20; reference group of Somali mothers; 9"',
        )
    entry: dict[str, Any] = {
        "date": check_date(parts[0], "--agreed-with"),
        "how": check_text(parts[1], "--agreed-with", 300),
    }
    if len(parts) == 3 and parts[2]:
        if not parts[2].isdigit() or len(parts[2]) > 6:
            raise UsageError("--agreed-with: the number of people must be a whole number")
        entry["participants"] = int(parts[2])
    return entry


def agree_statement(root: Path, statement_id: str, request: AgreeRequest) -> Path:
    """Record the CERQual judgement, set ``status: agreed``, and write it (all or nothing)."""
    from copro.core.edit import RecordText
    from copro.core.records import read_record
    from copro.core.schema import CONSENSUS_SCHEMA_FILE, load_schema
    from copro.core.vocab import load_vocabularies
    from copro.store.catalog import load_catalog
    from copro.views.consensus import find_statement
    from copro.write.changes import Change, Opened, write_changes

    root = Path(root).resolve()
    missing = request.missing()
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)}", "give them as options, or run it at a terminal"
        )
    catalog = load_catalog(root)
    statement = find_statement(catalog, statement_id)
    if statement.member is not None:
        raise UsageError(
            f"{statement.key} belongs to the member {statement.member}",
            "agree it in that member's own archive",
        )
    confidence = _confidence(request)
    entries = [parse_agreed_with(text) for text in request.agreed_with]
    when = check_date(request.date) if request.date else dt.date.today().isoformat()
    path = root / statement.path
    data = path.read_bytes()
    read = read_record(path, statement.path, data)
    if read.record is None:
        raise CoproError(f"{statement.path} cannot be read; run `copro validate`")
    cleaned = _without_prompts(data)
    text = RecordText(
        cleaned, statement.path, list(load_schema(CONSENSUS_SCHEMA_FILE)["properties"])
    )
    text.set_field("status", "agreed")
    text.set_field("date", when)
    text.set_block("confidence", _confidence_lines(confidence))
    for entry in entries:
        text.append_item("agreed_with", entry)
    edited = text.result()
    expected = dict(read.record.meta)
    expected.update(status="agreed", date=when, confidence=confidence)
    if entries:
        expected["agreed_with"] = [*expected.get("agreed_with", []), *entries]
    vocab, _ = load_vocabularies(root)
    gate_statement(root, catalog, statement.id, edited.data, vocab)
    reread = read_record(path, statement.path, edited.data).record
    if reread is None or reread.meta != expected:
        raise CoproError(
            f"copro could not record the judgement in {statement.path} without disturbing the "
            "rest of it (an unusual layout); nothing was written",
            "make the change by hand, then run `copro validate`",
        )
    change = Change(Opened(path, statement.path, data, read.record), edited, expected)
    write_changes(root, [change])
    return path


def _confidence(request: AgreeRequest) -> dict[str, Any]:
    assert request.overall and request.explanation
    confidence: dict[str, Any] = {
        "overall": check_choice(request.overall, CONFIDENCE_LEVELS, "--overall")
    }
    options = {
        "methodological_limitations": "--limitations",
        "coherence": "--coherence",
        "adequacy": "--adequacy",
        "relevance": "--relevance",
    }
    for name, option in options.items():
        component: dict[str, Any] = {
            "concerns": check_choice(request.concerns[name], CONCERNS, option)
        }
        note = request.notes.get(name)
        if note:
            component["note"] = check_text(note, f"--note-{option[2:]}", 500)
        confidence[name] = component
    confidence["explanation"] = check_text(request.explanation, "--explanation", 1000)
    return confidence


def _confidence_lines(confidence: dict[str, Any]) -> list[str]:
    from copro.core.edit import scalar

    lines = ["confidence:", f"  overall: {confidence['overall']}"]
    for name in CERQUAL_COMPONENTS:
        component = confidence[name]
        lines += [f"  {name}:", f"    concerns: {component['concerns']}"]
        if "note" in component:
            lines.append(f"    note: {scalar(component['note'])}")
    lines.append(f"  explanation: {scalar(confidence['explanation'])}")
    return lines


def _without_prompts(data: bytes) -> bytes:
    """The draft's commented CERQual prompts taken out (their answers are now fields)."""
    text = data.decode("utf-8")
    start = text.find(PROMPTS_START)
    end = text.find(PROMPTS_END)
    if start < 0 or end < start:
        return data
    end = text.index("\n", end) + 1 if "\n" in text[end:] else len(text)
    return (text[:start] + text[end:]).encode("utf-8")
