"""``copro consensus draft|agree|list``, and ``show`` of a statement (contract section 8)."""

from typing import TYPE_CHECKING, Annotated

import typer

from copro.cli.app import archive_of, command_group, writable_archive_of
from copro.cli.output import (
    DryRunOption,
    FormatOption,
    JsonFlag,
    YesOption,
    create_planned,
    emit_json,
    err,
    escape,
    handle_errors,
    hanging,
    id_and_path,
    indented,
    nothing_matched,
    out,
    wants_json,
)

if TYPE_CHECKING:
    from copro.core.vocab import Vocabularies
    from copro.views.consensus import Assessed

consensus_app = command_group(
    "consensus",
    "Consensus statements: what many engagements say together, how sure we are, and who to thank.",
)


@consensus_app.command("list")
@handle_errors
def list_command(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Argument(help="Words the statement or its title must contain.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="draft, agreed or retired.")
    ] = None,
    stale: Annotated[
        bool,
        typer.Option("--stale", help="Only statements whose evidence has changed since."),
    ] = False,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Statements with their status, confidence, evidence facts and currency."""
    from copro.views.consensus import list_statements

    archive = archive_of(ctx)
    chosen = list_statements(archive, query, status, stale)
    as_json = wants_json(json_flag, fmt)
    if as_json:
        emit_json({"statements": [a.summary_json() for a in chosen]})
    elif chosen:
        _render_list(chosen)
    if not chosen:
        nothing_matched(archive, "No statements matched.", to_screen=not as_json)
        raise typer.Exit(1)


def _render_list(chosen: "list[Assessed]") -> None:
    """Every statement as a short block, wrapped once here with hanging indents and
    printed in one call (hundreds of statements print as fast as a few)."""
    import textwrap

    console = out()
    width = max(console.width, 40)

    def block(text: str, style: str = "") -> str:
        lines = textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")
        body = "\n".join(escape(line) for line in lines)
        return f"[{style}]{body}[/{style}]" if style and body else body

    parts = []
    for assessed in chosen:
        s, facts = assessed.statement, assessed.facts
        confidence = (
            f"{s.confidence.overall_words} confidence"
            if s.overall and s.confidence
            else "confidence not yet judged"
        )
        years = _years(facts.first_year, facts.last_year)
        parts.append(f"[cyan]{escape(s.key)}[/cyan] [dim]({escape(s.status)}, {s.date})[/dim]")
        parts.append(block(s.statement))
        parts.append(
            block(
                f"{confidence}; {facts.findings} finding(s) from {facts.records} "
                f"engagement(s), {facts.groups} group(s){years}",
                "dim",
            )
        )
        if assessed.currency.stale:
            parts.append(block("stale: its evidence has changed since it was agreed", "yellow"))
    console.print("\n".join(parts), soft_wrap=True)
    stale = sum(1 for a in chosen if a.currency.stale)
    err().print(f"{len(chosen)} statement(s), {stale} stale.")


def _years(first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return ""
    return f", {first}" if first == last else f", {first} to {last}"


def render_statement(assessed: "Assessed", vocab: "Vocabularies") -> None:
    """``copro show`` of a statement at a terminal: as written, then what follows from it."""
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.table import Table

    from copro.core.words import decision_line, organisation_words
    from copro.views.consensus import STANCE_WORDS

    s = assessed.statement
    console = out()
    console.print(
        Panel(f"[bold]{escape(s.display_title)}[/bold]\n[dim]{id_and_path(s.key, s.path)}[/dim]"),
        soft_wrap=False,
    )
    console.print(f"[bold]{escape(s.statement)}[/bold]", soft_wrap=False)

    def labels(name: str, ids: tuple[str, ...]) -> str:
        return ", ".join(vocab[name].label(v) for v in ids)

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    facts = assessed.facts
    rows = [
        ("status", s.status),
        ("date", s.date),
        ("confidence", s.confidence.overall_words if s.overall and s.confidence else None),
        ("organisations", "; ".join(map(organisation_words, s.organisations))),
        ("topics", labels("topics", s.topics)),
        ("populations", labels("populations", s.populations)),
        ("places", labels("places", s.places)),
        (
            "evidence",
            f"{facts.findings} finding(s) from {facts.records} engagement(s), "
            f"{facts.groups} group(s), {facts.organisations} organisation(s)"
            + _years(facts.first_year, facts.last_year),
        ),
        ("currency", "stale" if assessed.currency.stale else "current"),
        ("review by", s.review_by),
    ]
    for name, value in rows:
        if value not in (None, ""):
            grid.add_row(name, escape(str(value)))
    console.print(grid)
    for reason in assessed.currency.reasons:
        indented(f"[yellow]stale: {escape(reason)}[/yellow]", 2)
    if s.confidence is not None:
        console.print("\n[bold]Confidence (GRADE-CERQual)[/bold]")
        components = [
            (f"{name.replace('_', ' ').capitalize()}:", concern)
            for name, concern in s.confidence.components()
        ]
        label_width = max(len(label) for label, _ in components)
        for label, concern in components:
            amount = "no" if concern.concerns == "none" else concern.concerns
            note = f": {concern.note}" if concern.note else ""
            _item(f"  {escape(label.ljust(label_width))} ", f"{amount} concerns{note}")
        if s.confidence.explanation:
            indented(escape(s.confidence.explanation), 2)
    console.print("\n[bold]What it rests on[/bold]")
    for item in assessed.items:
        stance = STANCE_WORDS.get(item.evidence.stance, item.evidence.stance)
        indented(f"[cyan]{escape(item.key)}[/cyan] {escape(stance)}", 2)
        if item.finding is not None:
            indented(escape(item.finding.text), 6)
        else:
            indented("[red](this finding is not in the archive)[/red]", 6)
        if item.evidence.note:
            indented(f"[dim]{escape(item.evidence.note)}[/dim]", 6)
        if item.standing is not None:
            style = "green" if item.standing.standing == "still-holds" else "yellow"
            indented(f"[{style}]{escape(item.standing.words())}[/{style}]", 6)
    if s.agreed_with:
        console.print("\n[bold]Checked with[/bold]")
    for agreed in s.agreed_with:
        people = f" ({agreed.participants} people)" if agreed.participants else ""
        _item(f"  {agreed.date}: ", f"{agreed.how}{people}")
    if s.decisions:
        console.print("\n[bold]Decided because of it[/bold]")
        for decision in s.decisions:
            _item("  • ", decision_line(decision.text, decision.made_by, decision.date))
    thanks = assessed.thanks
    if thanks.named or thanks.anonymous:
        console.print("\n[bold]Thanks[/bold]")
        for credit in thanks.named:
            _item("  ", f"{credit.name} ({credit.role}), {credit.record_title}", rest="    ")
        if thanks.anonymous:
            _item("  ", f"and {thanks.anonymous} more who took part without being named")
    from copro.core.placeholders import shown_body

    body = shown_body(s.body)  # a heading the drafter left empty is not shown
    if body:
        console.print()
        console.print(Markdown(body), soft_wrap=False)


def _item(lead: str, text: str, rest: str | None = None) -> None:
    """``text`` (plain) after ``lead`` (markup), wrapped under the text as show of a record
    wraps its fields; four columns in when the lead would leave too narrow a column."""
    from rich.markup import render

    if rest is None and len(render(lead).plain) > out().width // 2:
        rest = "    "
    hanging(lead, text, rest=rest)


@consensus_app.command("draft")
@handle_errors
def draft_command(
    ctx: typer.Context,
    findings: Annotated[
        list[str] | None,
        typer.Option("--from", help="A finding it rests on, ID#SN (repeatable)."),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="Take the findings on this topic (repeatable)."),
    ] = None,
    population: Annotated[
        list[str] | None,
        typer.Option("--population", help="Take the findings of this group (repeatable)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="A short title.")] = None,
    statement: Annotated[
        str | None,
        typer.Option("--statement", help="What we now think, in plain words (default: the title)."),
    ] = None,
    lead: Annotated[
        str | None,
        typer.Option("--lead", help="Who holds it (default: the settings' organisation)."),
    ] = None,
    lead_sector: Annotated[
        str | None, typer.Option("--lead-sector", help="The lead's sector.")
    ] = None,
    new_id: Annotated[
        str | None, typer.Option("--id", help="Id of the statement (default from date, title).")
    ] = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Draft a statement from chosen findings, or from a theme's findings."""
    import sys

    from copro.write.consensus import DraftRequest, draft_statement

    root = writable_archive_of(ctx, "consensus draft").root
    request = DraftRequest(
        list(findings or []),
        list(topic or []),
        list(population or []),
        title,
        statement,
        lead,
        lead_sector,
        new_id,
    )
    planned = draft_statement(root, request, dry_run=True)
    records = len({c.engagement.key for c in planned.chosen})
    err().print(f"{len(planned.chosen)} finding(s) from {records} engagement(s).")
    create_planned(
        planned.created,
        lambda: draft_statement(root, request).created,
        sys.stdin.isatty() and not yes,
        dry_run,
        "set each finding's stance, write why we think this and where people disagreed, "
        "check it with the people who took part, then "
        f"`copro consensus agree {planned.created.id}`.",
    )


ConcernOption = Annotated[str | None, typer.Option(help="none, minor, moderate or serious.")]
NoteOption = Annotated[str | None, typer.Option(help="Why (optional).")]


@consensus_app.command("agree")
@handle_errors
def agree_command(
    ctx: typer.Context,
    statement_id: Annotated[str, typer.Argument(metavar="ID", help="The statement.")],
    overall: Annotated[
        str | None, typer.Option("--overall", help="high, moderate, low or very-low.")
    ] = None,
    limitations: ConcernOption = None,
    coherence: ConcernOption = None,
    adequacy: ConcernOption = None,
    relevance: ConcernOption = None,
    explanation: Annotated[
        str | None, typer.Option("--explanation", help="Why this overall confidence.")
    ] = None,
    note_limitations: NoteOption = None,
    note_coherence: NoteOption = None,
    note_adequacy: NoteOption = None,
    note_relevance: NoteOption = None,
    agreed_with: Annotated[
        list[str] | None,
        typer.Option(
            "--agreed-with",
            help='How people checked it: "DATE; HOW; N" (groups, never names; repeatable).',
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Date it was agreed (default today).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="No questions: fail on what is missing.")
    ] = False,
) -> None:
    """Record the GRADE-CERQual judgement and mark the statement agreed."""
    import sys

    from copro.write.consensus import AgreeRequest, agree_statement

    root = writable_archive_of(ctx, "consensus agree").root
    request = AgreeRequest(
        overall=overall,
        concerns={
            k: v
            for k, v in (
                ("methodological_limitations", limitations),
                ("coherence", coherence),
                ("adequacy", adequacy),
                ("relevance", relevance),
            )
            if v
        },
        notes={
            k: v
            for k, v in (
                ("methodological_limitations", note_limitations),
                ("coherence", note_coherence),
                ("adequacy", note_adequacy),
                ("relevance", note_relevance),
            )
            if v
        },
        explanation=explanation,
        agreed_with=list(agreed_with or []),
        date=date,
    )
    if sys.stdin.isatty() and not yes:
        _prompt_judgement(request)
    path = agree_statement(root, statement_id, request)
    out().print(escape(str(path.relative_to(root))))
    err().print(f"Agreed: {escape(statement_id)} now carries its confidence.")


def _prompt_judgement(request) -> None:
    """Ask for what is missing, one line explaining each CERQual component."""
    from copro.cli.prompts import ask, choose_one
    from copro.core.model import CONCERNS, CONFIDENCE_LEVELS
    from copro.write.consensus import COMPONENT_HELP, OVERALL_HELP

    for name, help_text in COMPONENT_HELP.items():
        if not request.concerns.get(name):
            err().print(f"[bold]{name.replace('_', ' ').capitalize()}[/bold]: {escape(help_text)}")
            request.concerns[name] = choose_one("Concerns", CONCERNS)
    if not request.overall:
        err().print(f"[bold]Overall confidence[/bold]: {escape(OVERALL_HELP)}")
        request.overall = choose_one("Overall", CONFIDENCE_LEVELS)
    if not request.explanation:
        request.explanation = ask("Why this confidence (one or two sentences)", str)
