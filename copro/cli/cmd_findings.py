"""``copro findings``, ``copro themes``, ``copro similar`` and ``copro revisit``."""

from typing import Annotated

import typer

from copro.cli.app import app, archive_of, writable_archive_of
from copro.cli.output import (
    DryRunOption,
    FormatOption,
    JsonFlag,
    YesOption,
    create_planned,
    emit_json,
    emit_json_list,
    err,
    escape,
    handle_errors,
    hanging,
    note_skipped,
    nothing_matched,
    out,
    wants_json,
)
from copro.cli.selection import Chosen, selection_options
from copro.cli.withdrawn_option import IncludeWithdrawnOption

STANDING_SHORT = {  # (one, several)
    "still-holds": ("still holds", "still hold"),
    "changed": ("changed", "changed"),
    "no-longer-holds": ("no longer holds", "no longer hold"),
    "unclear": ("unclear", "unclear"),
    "not-revisited": ("not checked", "not checked"),
}


def _standing_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {STANDING_SHORT[s][n != 1]}" for s, n in counts.items() if n)


@app.command()
@handle_errors
@selection_options(
    "topic", "population", "place", "standing", "said_before", "member", "include_withdrawn"
)
def findings(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Argument(help="Words the finding's text must contain.")
    ] = None,
    selection: Chosen = None,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Every finding that matches, newest first, with its standing: does it still hold?"""
    from copro.views.findings import list_findings

    archive = archive_of(ctx)
    result = list_findings(archive, query, **(selection or {}))
    note_skipped(len(result.skipped))
    as_json = wants_json(json_flag, fmt)
    if as_json:
        emit_json_list({"total": result.total}, "findings", result.findings_json())
    elif result.findings:
        _render_findings(result.findings)
    if not result.findings:
        nothing_matched(archive, "No findings matched.", to_screen=not as_json)
        raise typer.Exit(1)


def heading(finding: str, after: str) -> None:
    """A finding's id (never broken: it is copied into other commands) and what follows
    it, on one line when both fit the width, else on the next line, indented."""
    console = out()
    if len(finding) + 1 + len(after) <= console.width:
        console.print(f"[cyan]{escape(finding)}[/cyan] [dim]{escape(after)}[/dim]", soft_wrap=True)
        return
    console.print(f"[cyan]{escape(finding)}[/cyan]", soft_wrap=True)
    hanging("  ", after, "dim")


def _render_findings(rows) -> None:
    from collections import Counter

    from copro.core.words import month_year

    for row in rows:
        heading(f"{row.record.key}#{row.finding.id}", f"({month_year(row.record.date)})")
        hanging("  ", row.finding.text)
        style = "green" if row.standing.standing == "still-holds" else "yellow"
        hanging("  ", row.standing.words(), style)
        responses = ", ".join(row.responses) or "no response yet"
        hanging("  ", f"responses: {responses}", "dim")
    counts = Counter(row.standing.standing for row in rows)
    from copro.store.standing import STANDINGS

    err().print(
        f"{len(rows)} finding(s): " + _standing_counts({s: counts[s] for s in STANDINGS}) + "."
    )


@app.command()
@handle_errors
@selection_options("topic", "population", "member", "include_withdrawn")
def themes(
    ctx: typer.Context,
    selection: Chosen = None,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """What people keep saying, per topic: how often, by whom, and whether it still holds."""
    from copro.views.themes import archive_themes

    archive = archive_of(ctx)
    result = archive_themes(archive, **(selection or {}))
    note_skipped(len(result.skipped))
    as_json = wants_json(json_flag, fmt)
    if as_json:
        emit_json(result.to_json())
    elif result.themes:
        from rich.table import Table

        table = Table(expand=True)
        table.add_column("topic", style="bold", ratio=3)
        table.add_column("findings (records)", justify="right", ratio=2)
        table.add_column("years", no_wrap=True)
        table.add_column("answered", justify="right")
        table.add_column("does it still hold?", ratio=4)
        for theme in result.themes:
            data = theme.to_json()
            years = (
                str(data["first_year"])
                if data["first_year"] == data["last_year"]
                else f"{data['first_year']}-{data['last_year']}"
            )
            table.add_row(
                escape(theme.label),
                f"{theme.findings} ({data['records']})",
                years,
                str(theme.answered),
                escape(_standing_counts(theme.standing)),
            )
        out().print(table)
    if not result.themes:
        nothing_matched(archive, "No findings matched.", to_screen=not as_json)
        raise typer.Exit(1)


@app.command()
@handle_errors
def similar(
    ctx: typer.Context,
    finding: Annotated[
        str, typer.Argument(metavar="ID#SN", help="A finding: record id, #, finding id.")
    ],
    limit: Annotated[int, typer.Option("--limit", help="At most N findings.")] = 10,
    include_withdrawn: IncludeWithdrawnOption = False,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """Findings of other records most like this one: recurring findings, revisit candidates."""
    from copro.views.similar import similar_findings

    result = similar_findings(archive_of(ctx), finding, limit, include_withdrawn)
    if wants_json(json_flag, fmt):
        emit_json(result.to_json())
    elif not result.results:
        err().print("No similar findings in other records.")
    else:
        err().print(f"Findings most like {escape(result.finding)}: {escape(result.text)}")
        from copro.core.words import month_year

        for item in result.results:
            heading(item.finding, f"({month_year(item.date)}, score {item.score:.2f})")
            hanging("  ", item.text)
    if not result.results:
        raise typer.Exit(1)


@app.command()
@handle_errors
def revisit(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The earlier record.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Date of the return visit (default today).")
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help='Title (default "Does it still hold? " + the title).'),
    ] = None,
    new_id: Annotated[
        str | None, typer.Option("--id", help="Id of the new record (default from date, title).")
    ] = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Draft a record for going back to the people of ID: does what they said still hold?"""
    import sys

    from copro.write.revisit import draft_revisit

    archive = writable_archive_of(ctx, "revisit")
    prompting = sys.stdin.isatty() and not yes and not dry_run
    planned = draft_revisit(archive, record_id, date, title, new_id, dry_run=True)
    earlier = planned.earlier
    err().print(
        f"Going back to {escape(earlier.id)}: {len(earlier.findings)} finding(s) to ask about."
    )
    if planned.recontact_via:
        err().print(f"They agreed to be contacted again, via: {escape(planned.recontact_via)}")
    else:
        err().print(
            "The people who took part did not agree to be contacted again: invite the same "
            "community afresh (through the organisations that led it), not the same people."
        )
    create_planned(
        planned.created,
        lambda: draft_revisit(archive, record_id, date, title, new_id).created,
        prompting,
        dry_run,
        "after the visit, uncomment each finding's block, write what people said and "
        "choose its outcome, then run `copro validate`.",
    )
