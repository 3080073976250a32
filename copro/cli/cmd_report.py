"""``copro report``, ``copro review`` and ``copro history``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from copro.views.review import ReviewResult

from copro.cli.app import app, archive_of
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    OutputOption,
    choice_option,
    emit_json,
    err,
    escape,
    handle_errors,
    indented,
    note_skipped,
    nothing_matched,
    out,
    print_error,
    wants_json,
    write_or_print,
)
from copro.cli.selection import Chosen, selection_options
from copro.core.errors import CoproError
from copro.views.report_render import RENDERERS

AUDIENCES = ("participants", "staff")  # copro.views.report.AUDIENCES, without importing the core


@app.command()
@handle_errors
@selection_options("topic", "population", "place", "since", "until", "member", "include_withdrawn")
def report(
    ctx: typer.Context,
    record_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="One engagement.")] = None,
    selection: Chosen = None,
    fmt: Annotated[str, choice_option(RENDERERS, "Report format", default="md")] = "md",
    audience: Annotated[
        str,
        choice_option(
            AUDIENCES,
            "participants: a letter to the people who took part; staff: with ids, path and commit",
            name="--audience",
            default="participants",
            metavar="AUDIENCE",
        ),
    ] = "participants",
    with_reflections: Annotated[
        bool,
        typer.Option(
            "--with-reflections",
            help="Keep the record's Reflections in the participants' letter "
            "(the staff audience always keeps them).",
        ),
    ] = False,
    output: OutputOption = None,
    draft: Annotated[
        bool,
        typer.Option("--draft", help="A draft statement's letter, every page marked as a draft."),
    ] = False,
) -> None:
    """The "You said, we did" report, for one engagement (ID) or across engagements (the
    filters); of a consensus statement, a letter to everyone whose words it rests on."""
    from copro.views.report import build_report
    from copro.views.report_render import render

    if record_id is not None:
        from copro.views.consensus import is_statement_id

        archive = archive_of(ctx)
        if is_statement_id(archive, record_id):
            from copro.views.consensus_letter import statement_report

            _print_report(statement_report(archive, record_id, fmt, draft), fmt, output)
            return

    archive = archive_of(ctx)
    try:
        built = build_report(
            archive,
            record_id,
            **(selection or {}),
            audience=audience,
            with_reflections=with_reflections,
        )
    except CoproError as exc:
        print_error(exc)
        if record_id is None:
            nothing_matched(archive)
        raise typer.Exit(exc.exit_code) from None
    note_skipped(built.skipped)
    _print_report(render(built, fmt), fmt, output)


def _print_report(text: str, fmt: str, output: Path | None) -> None:
    """The report to ``output``, or to stdout: Markdown there is wrapped to the terminal's
    width (``COLUMNS`` when set, also when piped); piped without ``COLUMNS`` it stays as
    written, a document like a file."""
    import os
    import sys

    if fmt == "md" and output is None and (sys.stdout.isatty() or os.environ.get("COLUMNS")):
        from copro.cli.wrap import wrap_markdown

        text = wrap_markdown(text)
    write_or_print(text, output)


@app.command("review")
@handle_errors
@selection_options("member", "org", "include_withdrawn")
def review_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date to review on (default today).")
    ] = None,
    selection: Chosen = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=0,
            help="At most N items of each kind in the text (0: all); --json lists every item.",
        ),
    ] = 10,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """What is owed: reviews due, findings without a response, stalled actions, feedback."""
    from copro.views.review import review

    archive = archive_of(ctx)
    result = review(archive, as_of, **(selection or {}))
    note_skipped(result.skipped)
    if wants_json(json_flag, fmt):
        emit_json(result.to_json())
        return
    if not result.items:
        nothing_matched(archive, f"Nothing is due on {result.as_of}.")
        return
    for kind, heading in REVIEW_HEADINGS.items():
        _render_review_kind(result, kind, heading, limit)
    err().print(
        f"As of {result.as_of}: {result.count('review-due')} review(s) due, "
        f"{result.count('no-response')} finding(s) without a response, "
        f"{result.count('stalled-action')} stalled action(s), "
        f"{result.count('feedback-owed')} record(s) owing feedback"
        + (
            f", {result.count('consensus-stale')} stale statement(s), "
            f"{result.count('consensus-review-due')} statement(s) past review_by."
            if result.count("consensus-stale") or result.count("consensus-review-due")
            else "."
        )
    )


REVIEW_HEADINGS = {
    "review-due": "Past review_by: go back and ask whether it still holds",
    "no-response": "Findings without any response",
    "stalled-action": "Actions planned or in progress for over a year",
    "feedback-owed": "Completed, but nobody told the people who took part what was done",
    "consensus-stale": "Consensus statements whose evidence has changed since they were agreed",
    "consensus-review-due": "Consensus statements past review_by: does each still stand?",
}
SHOWN_ORGANISATIONS = 5


def _render_review_kind(result: ReviewResult, kind: str, heading: str, limit: int) -> None:
    """One kind of debt: the oldest ``limit`` items, then counts per lead organisation.

    Each item is a short block (record and item, then the text, then the route)
    rather than a table row, so it reads at 80 columns and lays out fast.
    """
    items = result.of_kind(kind)
    if not items:
        return
    shown = items if limit == 0 else items[:limit]
    console = out()
    console.print(f"[bold]{escape(heading)} ({len(items)})[/bold]")
    for item in shown:
        where = escape(item.record_id + (f" {item.item_id}" if item.item_id else ""))
        console.print(f"  [cyan]{where}[/cyan]  [dim]since {item.since}[/dim]")
        _indented(escape(item.text), 4)
        if kind.startswith("consensus-"):
            continue  # a statement has no group of its own to recontact
        route = item.recontact_via
        _indented(
            f"[dim]recontact via: {escape(route)}[/dim]"
            if route
            else "[dim]no recontact agreed[/dim]",
            4,
        )
    hidden = len(items) - len(shown)
    if not hidden:
        console.print()
        return
    leads = result.by_lead(kind)
    counts = ", ".join(f"{name or '(no lead)'} {n}" for name, n in leads[:SHOWN_ORGANISATIONS])
    more = len(leads) - SHOWN_ORGANISATIONS
    counts += f", and {more} more organisation(s)" if more > 0 else ""
    _indented(f"{hidden} more. By lead organisation: {escape(counts)}.", 2)
    _indented(
        "[dim]See them all with --limit 0, one organisation's with --org NAME, "
        "or everything with --json.[/dim]",
        2,
    )
    console.print()


_indented = indented


@app.command()
@handle_errors
def history(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record id.")],
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """The record's provenance from git: every commit that touched it, newest first."""
    from copro.core.gitrepo import history as git_history
    from copro.core.paths import record_path, relpath
    from copro.core.records import load_record

    root = archive_of(ctx).root
    load_record(root, record_id)  # checks the id and that the record exists
    commits = git_history(root, record_id)
    if wants_json(json_flag, fmt):
        emit_json(
            {
                "id": record_id,
                "path": relpath(root, record_path(root, record_id)),
                "commits": [c.to_json() for c in commits],
            }
        )
        return
    if not commits:  # a table with no rows says nothing the sentence does not
        err().print("No commit has touched this record yet (it is not committed).")
        return
    from rich.table import Table

    table = Table(title=f"History of {escape(record_id)}", title_justify="left")
    table.add_column("commit", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("author")
    table.add_column("message")
    for commit in commits:
        table.add_row(
            commit.hash[:10], commit.date[:10], escape(commit.author), escape(commit.message)
        )
    out().print(table)
