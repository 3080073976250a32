"""``copro report``, ``copro review`` and ``copro history``."""

from typing import Annotated

import typer

from copro.cli.app import app, root_of
from copro.cli.completion import complete_places, complete_populations, complete_topics
from copro.cli.member_option import MemberOption
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    OutputOption,
    choice_option,
    emit_json,
    err,
    escape,
    handle_errors,
    note_skipped,
    out,
    wants_json,
    write_or_print,
)
from copro.report_render import RENDERERS

AUDIENCES = ("participants", "staff")  # copro.report.AUDIENCES, without importing the core


@app.command()
@handle_errors
def report(
    ctx: typer.Context,
    record_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="One engagement.")] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            help="Across engagements: findings on this topic (narrower included).",
            autocompletion=complete_topics,
        ),
    ] = None,
    population: Annotated[
        list[str] | None,
        typer.Option(
            "--population",
            help="Across engagements: records with this population.",
            autocompletion=complete_populations,
        ),
    ] = None,
    place: Annotated[
        list[str] | None,
        typer.Option(
            "--place",
            help="Across engagements: records in this place.",
            autocompletion=complete_places,
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Engagements started on or after DATE.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Engagements started on or before DATE.")
    ] = None,
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
    output: OutputOption = None,
    member: MemberOption = None,
) -> None:
    """The "You said, we did" report, for one engagement or across engagements."""
    from copro.report import build_report
    from copro.report_render import render

    built = build_report(
        root_of(ctx),
        record_id,
        topics=topic or (),
        populations=population or (),
        places=place or (),
        since=since,
        until=until,
        members=member or (),
        audience=audience,
    )
    note_skipped(built.skipped)
    write_or_print(render(built, fmt), output)


@app.command("review")
@handle_errors
def review_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date to review on (default today).")
    ] = None,
    member: MemberOption = None,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """What is owed: reviews due, findings without a response, stalled actions."""
    from copro.review import review

    result = review(root_of(ctx), as_of, members=member or ())
    note_skipped(result.skipped)
    if wants_json(json_flag, fmt):
        emit_json(result.to_json())
        return
    if not result.items:
        err().print(f"Nothing is due on {result.as_of}.")
        return
    from rich.table import Table

    headings = {
        "review-due": "Past review_by: go back and ask whether it still holds",
        "no-response": "Findings without any response",
        "stalled-action": "Actions planned or in progress for over a year",
        "feedback-owed": "Completed, but nobody told the people who took part what was done",
    }
    for kind, heading in headings.items():
        items = [i for i in result.items if i.kind == kind]
        if not items:
            continue
        table = Table(title=f"{heading} ({len(items)})", title_justify="left", show_lines=False)
        table.add_column("record", overflow="fold")
        table.add_column("item")
        table.add_column("what")
        table.add_column("since", no_wrap=True)
        table.add_column("recontact via")
        for item in items:
            table.add_row(
                escape(item.record_id),
                escape(item.item_id or ""),
                escape(item.text),
                item.since,
                escape(item.recontact_via or "no recontact agreed"),
            )
        out().print(table)
    err().print(
        f"As of {result.as_of}: {result.count('review-due')} review(s) due, "
        f"{result.count('no-response')} finding(s) without a response, "
        f"{result.count('stalled-action')} stalled action(s), "
        f"{result.count('feedback-owed')} record(s) owing feedback."
    )


@app.command()
@handle_errors
def history(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record id.")],
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
) -> None:
    """The record's provenance from git: every commit that touched it, newest first."""
    from copro.archive import record_path, relpath
    from copro.gitrepo import history as git_history
    from copro.records import load_record

    root = root_of(ctx)
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
