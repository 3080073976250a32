"""``copro index``, ``copro search`` and ``copro show``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer

from copro.cli.app import app, archive_of
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    emit_json,
    err,
    escape,
    handle_errors,
    hanging,
    id_and_path,
    note_skipped,
    nothing_matched,
    out,
    progress_bar,
    wants_json,
)
from copro.cli.selection import Chosen, selection_options

if TYPE_CHECKING:
    from copro.store.archive import Archive
    from copro.views.show import RecordView


@app.command("index")
@handle_errors
def index_command(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild from scratch.")] = False,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Bring the search index up to date, touching only records that changed."""
    archive = archive_of(ctx)
    with progress_bar("Indexing") as progress:
        report = archive.index.refresh(archive.vocab, progress, force=rebuild)
    note_skipped(report.skipped)
    if wants_json(json_flag, fmt):
        emit_json(report.to_json())
        return
    if report.rebuilt:
        err().print(f"Index built: {report.documents} record(s) ({report.reason}).")
    else:
        err().print(
            f"Index up to date: {report.added} added, {report.changed} changed, "
            f"{report.removed} removed; {report.documents} record(s)."
        )


@app.command()
@handle_errors
@selection_options(
    "topic", "population", "place", "method", "ladder", "org", "status", "since", "until", "member"
)
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[WORDS]...",
            help="Words (quotes not needed), a vocabulary term, or Whoosh query syntax.",
            show_default=False,
        ),
    ] = None,
    selection: Chosen = None,
    limit: Annotated[int, typer.Option("--limit", help="At most N results (0: all).")] = 20,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Search the archive: ranked records with a snippet showing why each matched."""
    from copro.core import pii
    from copro.views.search import search as run_search

    archive = archive_of(ctx)
    as_json = wants_json(json_flag, fmt)
    with progress_bar("Building the search index", enabled=not as_json) as progress:
        result = run_search(
            archive,
            " ".join(query) if query else None,
            limit=limit,
            progress=progress,
            **(selection or {}),
        )
    if result.refresh is not None:
        note_skipped(result.refresh.skipped)
    for typed, instead in result.corrections:
        err().print(
            f"No record has {pii.quoted(typed)}: searched for {pii.quoted(instead)} instead.",
            markup=False,
        )
    for typed, close in result.suggestions.items():
        options = " or ".join(pii.quoted(c) for c in close)
        err().print(f"No record has {pii.quoted(typed)}; did you mean {options}?", markup=False)
    if not result.matched_all_words:
        err().print("[dim]No record matched every word; showing records that match some.[/dim]")
    if as_json:
        emit_json(result.to_json())
    else:
        _render_hits(result)
    if result.total == 0:
        nothing_matched(archive, "No records matched.", to_screen=not as_json)
        raise typer.Exit(1)


def _bold(snippet: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"[bold yellow]\1[/bold yellow]", escape(snippet))


def _render_hits(result) -> None:
    """A table while the ids fit on one line with the title and snippet, else a list."""
    from rich.padding import Padding

    from copro.cli.layout import Column, table_or_list

    if not result.results:
        return
    longest = max(len(hit.id) for hit in result.results)
    columns = [
        Column("id", longest, no_wrap=True, style="cyan"),
        Column("date", 10, no_wrap=True),
        Column("title", 20, ratio=3, style="bold"),
        Column("populations", 14, ratio=2),
        Column("topics", 14, ratio=2),
        Column("snippet", 30, ratio=5),
    ]
    rows = [
        {
            "id": escape(hit.id),
            "date": hit.date,
            "title": ("Consensus: " if hit.kind == "consensus" else "") + escape(hit.title),
            "populations": escape(", ".join(hit.populations)),
            "topics": escape(", ".join(hit.topics)),
            "snippet": _bold(hit.snippet),
        }
        for hit in result.results
    ]

    def as_list(row: dict[str, str]) -> list[object]:
        lines: list[object] = [f"[cyan]{row['id']}[/cyan]  {row['date']}"]
        lines += [Padding(f"[bold]{row['title']}[/bold]", (0, 0, 0, 2))]
        if row["snippet"]:
            lines.append(Padding(row["snippet"], (0, 0, 0, 2)))
        return lines

    importance = ["id", "date", "title", "snippet", "topics", "populations"]
    table_or_list(out(), columns, importance, 4, rows, as_list, show_lines=True, expand=True)
    shown = len(result.results)
    more = "; --limit 0 shows all" if shown < result.total else ""
    err().print(f"{shown} of {result.total} record(s) shown{more}.")


@app.command()
@handle_errors
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record id.")],
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Show one record or consensus statement."""
    from copro.views.consensus import is_statement_id
    from copro.views.show import show as load_view

    archive = archive_of(ctx)
    if is_statement_id(archive, record_id):
        _show_statement(archive, record_id, wants_json(json_flag, fmt))
        return
    view = load_view(archive, record_id)
    if wants_json(json_flag, fmt):
        emit_json(view.to_json())
        return
    _render_record(view)


def _show_statement(archive: Archive, statement_id: str, as_json: bool) -> None:
    from copro.cli.cmd_consensus import render_statement
    from copro.views.consensus import load_assessed, statement_json

    assessed = load_assessed(archive, statement_id)
    if as_json:
        emit_json(statement_json(assessed))
    else:
        render_statement(assessed, archive.vocab)


def _render_record(view: RecordView) -> None:
    from rich.markdown import Markdown
    from rich.panel import Panel

    from copro.core.placeholders import shown_body

    e = view.engagement
    console = out()
    if e.withdrawn:
        console.print(
            "[bold red]Withdrawn:[/bold red] kept for the history, left out of every view "
            "unless asked for (--include-withdrawn, search --status withdrawn).",
            soft_wrap=False,
        )
    console.print(
        Panel(
            f"[bold]{escape(e.display_title)}[/bold]\n[dim]{id_and_path(view.id, view.path)}[/dim]"
        ),
        soft_wrap=False,
    )
    rows = record_rows(view)
    width = max(len(name) for name, _ in rows) + 2
    for name, text in rows:
        hanging(f"[bold]{escape(name.ljust(width))}[/bold]", text)
    if e.asked:
        console.print("\n[bold]We asked[/bold]")
        for question in e.asked:
            hanging("  • ", question)
    if e.findings:
        console.print("\n[bold]You said, we did[/bold]")
        for finding in e.findings:
            hanging(f"  [cyan]{escape(finding.id)}[/cyan] ", finding.text, rest="     ")
            for action in e.responses(finding.id):
                hanging(f"      → {escape(_action_state(action))} ", _action_words(action))
            if not e.answered(finding.id):
                console.print("      → [red]no response yet[/red]")
            standing = view.table.of(e, finding.id)
            style = "green" if standing.standing == "still-holds" else "yellow"
            hanging("      ", standing.words(), style)
    if e.decisions:
        from copro.core.words import decision_line

        console.print("\n[bold]Decided[/bold]")
        for decision in e.decisions:
            hanging("  • ", decision_line(decision.text, decision.made_by, decision.date))
    checked = view.table.checked_again(e)
    if checked:
        from copro.core.words import month_year

        console.print("\n[bold]What we checked again[/bold]")
        for item in checked:
            earlier = item.earlier_finding.text if item.earlier_finding else "(not in this archive)"
            when = f" ({month_year(item.earlier.date)})" if item.earlier else ""
            outcome = item.outcome.replace("-", " ")
            note = f" ({item.note})" if item.note else ""
            hanging(
                f"  [cyan]{escape(item.own.id)}[/cyan] ",
                f"went back to {item.target}{when}: {earlier} → {outcome}{note}",
                rest="     ",
            )
    body = shown_body(e.body)
    if body.strip():
        console.print()
        console.print(Markdown(body), soft_wrap=False)


def record_rows(view: RecordView) -> list[tuple[str, str]]:
    """What ``show`` lists about a record, as (name, text): every field that may be shown
    (contributors by name only where they agreed, the others counted)."""
    from copro.core.words import organisation_words

    e = view.engagement
    vocab = view.vocab

    def labels(name: str, ids: tuple[str, ...]) -> str:
        return ", ".join(vocab[name].label(v) for v in ids)

    one_day = not e.end_date or e.end_date == e.date
    rows: list[tuple[str, object]] = [
        ("status", e.status),
        ("date", e.date) if one_day else ("dates", f"{e.date} to {e.end_date}"),
        *((label.lower(), text) for label, text in e.details()),
        ("ladder", e.ladder),
        ("organisations", "; ".join(map(organisation_words, e.organisations))),
        ("places", labels("places", e.places)),
        ("methods", labels("methods", e.methods)),
        ("populations", labels("populations", e.populations)),
        ("participants", e.participants),
        ("topics", labels("topics", e.topics)),
        ("contributors", _contributors(e)),
        ("recognition", _recognition(e)),
        ("consent", _consent(e)),
        ("review by", e.review_by),
    ]
    shown = [(name, str(value)) for name, value in rows if value not in (None, "")]
    links = [("related to", i, view.linked_titles.get(i, "")) for i in e.related]
    if e.supersedes:
        links.append(("supersedes", e.supersedes, view.linked_titles.get(e.supersedes, "")))
    words = {"related": "related from", "supersedes": "superseded by"}
    links += [(words[link.how], link.id, link.title) for link in view.linked_from]
    shown += [(name, linked + (f" · {title}" if title else "")) for name, linked, title in links]
    return shown


def _contributors(e: Any) -> str:
    named = [f"{c.name} ({c.role})" for c in e.named_contributors]
    others = e.anonymous_contributors
    if others:
        named.append(f"{others} {'more' if named else ''} not named".replace("  ", " "))
    return "; ".join(named)


def _recognition(e: Any) -> str:
    given = e.recognition
    if given is None:
        return ""
    words = given.payment.replace("-", " ") + (f" ({given.rate})" if given.rate else "")
    return words + (f"; also {', '.join(given.other)}" if given.other else "")


def _consent(e: Any) -> str:
    quotes = "may be quoted" if e.consent.quotes else "not to be quoted directly"
    route = e.recontact_route
    again = f"may be contacted again via {route}" if route else "not to be contacted again"
    return f"{quotes}; {again}"


def _action_state(action: Any) -> str:
    from copro.core.words import month_year

    when = f", {month_year(action.date)}" if action.status == "done" and action.date else ""
    return f"[{action.status.replace('-', ' ')}{when}]"


def _action_words(action: Any) -> str:
    why = f" (why not: {action.reason})" if action.status == "not-doing" and action.reason else ""
    return action.text + why
