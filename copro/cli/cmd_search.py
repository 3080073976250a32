"""``copro index``, ``copro search`` and ``copro show``."""

import re
from typing import Annotated

import typer

from copro.cli.app import app, root_of
from copro.cli.completion import (
    complete_methods,
    complete_places,
    complete_populations,
    complete_topics,
)
from copro.cli.output import emit_json, err, escape, handle_errors, out, progress_bar, wants_json

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
FormatOption = Annotated[str | None, typer.Option("--format", help="text or json.")]


@app.command("index")
@handle_errors
def index_command(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild from scratch.")] = False,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Bring the search index up to date, touching only records that changed."""
    from copro.index import refresh

    root = root_of(ctx)
    with progress_bar("Indexing") as progress:
        report = refresh(root, progress, rebuild=rebuild)
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
def search(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Argument(help="Words, a vocabulary term, or Whoosh query syntax.")
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            help="Topic id (repeatable; narrower terms included).",
            autocompletion=complete_topics,
        ),
    ] = None,
    population: Annotated[
        list[str] | None,
        typer.Option(
            "--population", help="Population id (repeatable).", autocompletion=complete_populations
        ),
    ] = None,
    place: Annotated[
        list[str] | None,
        typer.Option("--place", help="Place id (repeatable).", autocompletion=complete_places),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option("--method", help="Method id (repeatable).", autocompletion=complete_methods),
    ] = None,
    ladder: Annotated[
        str | None, typer.Option("--ladder", help="Rung of the ladder of co-production.")
    ] = None,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Organisation name contains TEXT (any case).")
    ] = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="planned, active, completed or withdrawn.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Started on or after DATE (YYYY-MM-DD).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Started on or before DATE.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most N results.")] = 20,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Search the archive: ranked records with a snippet showing why each matched."""
    from copro.search import search as run_search

    root = root_of(ctx)
    as_json = wants_json(json_flag, fmt)
    with progress_bar("Building the search index", enabled=not as_json) as progress:
        result = run_search(
            root,
            query,
            topics=topic or (),
            populations=population or (),
            places=place or (),
            methods=method or (),
            ladder=ladder,
            orgs=org or (),
            statuses=status or (),
            since=since,
            until=until,
            limit=limit,
            progress=progress,
        )
    if not result.matched_all_words:
        err().print("[dim]No record matched every word; showing records that match some.[/dim]")
    if as_json:
        emit_json(result.to_json())
    else:
        _render_hits(result)
    if result.total == 0:
        raise typer.Exit(1)


def _bold(snippet: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"[bold yellow]\1[/bold yellow]", escape(snippet))


def _render_hits(result) -> None:  # noqa: ANN001
    from rich.table import Table

    if not result.results:
        err().print("No records matched.")
        return
    table = Table(show_lines=True, expand=True)
    longest = min(45, max(len(hit.id) for hit in result.results))
    table.add_column("id", style="cyan", overflow="fold", ratio=2, min_width=longest)
    table.add_column("date", no_wrap=True, min_width=10)
    table.add_column("title", style="bold", ratio=3)
    table.add_column("populations", ratio=2)
    table.add_column("topics", ratio=2)
    table.add_column("snippet", ratio=5)
    for hit in result.results:
        table.add_row(
            escape(hit.id),
            hit.date,
            escape(hit.title),
            escape(", ".join(hit.populations)),
            escape(", ".join(hit.topics)),
            _bold(hit.snippet),
        )
    out().print(table)
    shown = len(result.results)
    err().print(f"{shown} of {result.total} record(s) shown.")


@app.command()
@handle_errors
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record id.")],
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Show one record."""
    from copro.show import show as load_view

    view = load_view(root_of(ctx), record_id)
    if wants_json(json_flag, fmt):
        emit_json(view.to_json())
        return
    _render_record(view)


def _render_record(view) -> None:  # noqa: ANN001
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.table import Table

    meta = view.front_matter
    vocab = view.vocab
    console = out()
    console.print(
        Panel(
            f"[bold]{escape(str(meta.get('title', view.id)))}[/bold]\n"
            f"[dim]{view.id} · {view.path}[/dim]"
        )
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()

    def labels(field: str) -> str:
        values = meta.get(field) or []
        return ", ".join(vocab[field].label(v) for v in values if isinstance(v, str))

    dates = str(meta.get("date", "")) + (f" to {meta['end_date']}" if meta.get("end_date") else "")
    for name, value in (
        ("status", meta.get("status")),
        ("dates", dates),
        ("ladder", meta.get("ladder")),
        (
            "organisations",
            "; ".join(
                f"{o.get('name')} ({o.get('sector')}, {o.get('role')})"
                for o in meta.get("organisations") or []
                if isinstance(o, dict)
            ),
        ),
        ("places", labels("places")),
        ("methods", labels("methods")),
        ("populations", labels("populations")),
        ("participants", meta.get("participants")),
        ("topics", labels("topics")),
        ("review by", meta.get("review_by")),
    ):
        if value not in (None, ""):
            grid.add_row(name, escape(str(value)))
    for name in ("related", "supersedes"):
        ids = meta.get(name)
        for linked in ids if isinstance(ids, list) else ([ids] if ids else []):
            title = view.linked_titles.get(linked, "")
            grid.add_row(name, escape(f"{linked} {('· ' + title) if title else ''}"))
    console.print(grid)
    if meta.get("asked"):
        console.print("\n[bold]We asked[/bold]")
        for question in meta["asked"]:
            console.print(f"  • {escape(str(question))}")
    actions = [a for a in meta.get("we_did") or [] if isinstance(a, dict)]
    if meta.get("you_said"):
        console.print("\n[bold]You said, we did[/bold]")
        for finding in meta["you_said"]:
            if not isinstance(finding, dict):
                continue
            console.print(
                f"  [cyan]{escape(str(finding.get('id')))}[/cyan] "
                f"{escape(str(finding.get('text', '')))}"
            )
            answers = [a for a in actions if finding.get("id") in (a.get("responds_to") or [])]
            for action in answers:
                status = escape(f"[{action.get('status')}]")
                console.print(f"      → {status} {escape(str(action.get('text', '')))}")
            if not answers:
                console.print("      → [red]no response yet[/red]")
    if view.body.strip():
        console.print()
        console.print(Markdown(view.body))
