"""``copro consensus draft|agree|list``, and ``show`` of a statement (contract section 8)."""

from typing import TYPE_CHECKING, Annotated

import typer

from copro.cli.app import app, root_of
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    emit_json,
    err,
    escape,
    handle_errors,
    indented,
    out,
    wants_json,
)

if TYPE_CHECKING:
    from copro.core.vocab import Vocabularies
    from copro.views.consensus import Assessed

consensus_app = typer.Typer(
    help="Consensus statements: what many engagements say together, how sure we are, "
    "and who to thank.",
    no_args_is_help=True,
)
app.add_typer(consensus_app, name="consensus")


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

    chosen = list_statements(root_of(ctx), query, status, stale)
    if wants_json(json_flag, fmt):
        emit_json({"statements": [a.summary_json() for a in chosen]})
    elif not chosen:
        err().print("No statements matched.")
    else:
        _render_list(chosen)
    if not chosen:
        raise typer.Exit(1)


def _render_list(chosen: "list[Assessed]") -> None:
    console = out()
    for assessed in chosen:
        s, facts = assessed.statement, assessed.facts
        confidence = (
            f"{s.confidence.overall_words} confidence"
            if s.overall and s.confidence
            else ("confidence not yet judged")
        )
        console.print(f"[cyan]{escape(s.key)}[/cyan] [dim]({escape(s.status)}, {s.date})[/dim]")
        indented(escape(s.statement), 2)
        years = _years(facts.first_year, facts.last_year)
        indented(
            f"[dim]{confidence}; {facts.findings} finding(s) from {facts.records} "
            f"engagement(s), {facts.groups} group(s){years}[/dim]",
            2,
        )
        if assessed.currency.stale:
            indented("[yellow]stale: its evidence has changed since it was agreed[/yellow]", 2)
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

    from copro.views.consensus import STANCE_WORDS

    s = assessed.statement
    console = out()
    console.print(
        Panel(f"[bold]{escape(s.display_title)}[/bold]\n[dim]{s.key} · {s.path}[/dim]"),
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
        ("organisations", "; ".join(f"{o.name} ({o.sector}, {o.role})" for o in s.organisations)),
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
        for name, concern in s.confidence.components():
            label = name.replace("_", " ").capitalize()
            amount = "no" if concern.concerns == "none" else concern.concerns
            note = f": {concern.note}" if concern.note else ""
            indented(f"{escape(label)}: {escape(amount)} concerns{escape(note)}", 2)
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
        indented(f"{agreed.date}: {escape(agreed.how)}{people}", 2)
    if s.decisions:
        console.print("\n[bold]Decided because of it[/bold]")
        for decision in s.decisions:
            when = f" ({decision.date})" if decision.date else ""
            indented(f"• {escape(decision.text)} [dim][{escape(decision.made_by)}]{when}[/dim]", 2)
    thanks = assessed.thanks
    if thanks.named or thanks.anonymous:
        console.print("\n[bold]Thanks[/bold]")
        for credit in thanks.named:
            indented(
                f"{escape(credit.name)} ({escape(credit.role)}), {escape(credit.record_title)}", 2
            )
        if thanks.anonymous:
            indented(f"and {thanks.anonymous} more who took part without being named", 2)
    if s.body.strip():
        console.print()
        console.print(Markdown(s.body), soft_wrap=False)
