"""``copro add ...`` and ``copro update``: record what people said, and what was done.

At a terminal, what is missing is asked for (numbered choices for statuses and
vocabularies, today's date as the default where it makes sense); elsewhere a
missing value exits 2 naming every missing option.
"""

import datetime as dt
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from copro.cli.app import app, command_group, writable_archive_of
from copro.cli.completion import complete_finding_ids, complete_record_ids, complete_topics
from copro.cli.field_options import field_options
from copro.cli.output import emit_json, err, escape, handle_errors, out
from copro.cli.prompts import ask, choose_one, choose_terms
from copro.core.errors import UsageError

add_app = command_group(
    "add",
    "Add a finding, action, decision, contributor or feedback to a record.",
)

RecordId = Annotated[
    str,
    typer.Argument(
        help="Record id (e.g. 2026-01-young-people-mental-health-design-sprint).",
        autocompletion=complete_record_ids,
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print what was done as one JSON document.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check the change; write nothing.")]
Interactive = Annotated[
    bool | None,
    typer.Option(
        "--interactive/--no-interactive",
        help="Prompt for what is missing (default: when at a terminal).",
    ),
]


def _prompting(interactive: bool | None) -> bool:
    return sys.stdin.isatty() if interactive is None else interactive


def _require(missing: list[str], command: str) -> None:
    if missing:
        raise UsageError(
            "missing " + ", ".join(missing),
            f"give them as options, or run `copro {command}` at a terminal",
        )


def _text(label: str) -> Callable[[str], str]:
    from copro.write.record_edits import clean_text

    return lambda value: clean_text(value, label)


def _date_check(value: str) -> str:
    from copro.write.record_edits import clean_date

    return clean_date(value, "date")


def _optional_date(value: str) -> str:
    return _date_check(value) if value.strip() else ""


def _report(result: Any, json_flag: bool) -> None:
    if json_flag:
        emit_json(result.to_json())
        return
    if result.item_id:
        out().print(escape(result.item_id))
    verb = "Changed" if result.written else "Checked (nothing written)"
    err().print(f"{verb} {escape(result.relpath)}: {escape('; '.join(result.changed))}")


# ------------------------------------------------------------------ add finding


@add_app.command("finding")
@handle_errors
def add_finding(
    ctx: typer.Context,
    record_id: RecordId,
    text: Annotated[str | None, typer.Option("--text", help="What people said.")] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            help="Topic id, label or synonym (repeatable).",
            autocompletion=complete_topics,
        ),
    ] = None,
    revisits: Annotated[
        str | None,
        typer.Option("--revisits", help="An earlier finding this one checks again: ID#SN."),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", help="still-holds, changed, no-longer-holds or unclear."),
    ] = None,
    json_flag: Json = False,
    dry_run: DryRun = False,
    interactive: Interactive = None,
) -> None:
    """Add a finding (what people said); prints its new id, e.g. S5."""
    from copro.write import record_edits

    archive = writable_archive_of(ctx, "add finding")
    vocab = archive.vocab
    prompting = _prompting(interactive)
    if not prompting:
        _require(["--text"] if not text else [], "add finding")
    while True:
        if not text:
            text = ask("What did people say", _text("text"))
            if not topic:
                topic = choose_terms("Topics of this finding", vocab, "topics", required=False)
        result = record_edits.add_finding(
            archive,
            record_id,
            text,
            list(topic or []),
            revisits,
            outcome,
            vocab=vocab,
            dry_run=dry_run,
        )
        _report(result, json_flag)
        if not prompting or json_flag:
            return
        if not typer.confirm("Add another finding?", default=False, err=True):
            return
        text, topic, revisits, outcome = None, None, None, None


# ------------------------------------------------------------------ add action


@add_app.command("action")
@handle_errors
def add_action(
    ctx: typer.Context,
    record_id: RecordId,
    responds_to: Annotated[
        list[str] | None,
        typer.Option(
            "--responds-to",
            help="Finding id it answers, e.g. S4 (repeatable).",
            autocompletion=complete_finding_ids,
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="planned, in-progress, done or not-doing.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="What was (or will be) done.")] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="When it was done, e.g. 12/11/2019 (needed for done)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why not (needed for not-doing).")
    ] = None,
    json_flag: Json = False,
    dry_run: DryRun = False,
    interactive: Interactive = None,
) -> None:
    """Add an action (what was done about findings); prints its new id, e.g. D3."""
    from copro.write import record_edits

    archive = writable_archive_of(ctx, "add action")
    if _prompting(interactive):
        record = _record(archive, record_id)
        if not responds_to:
            _list_findings(record)
            responds_to = ask(
                "Which finding(s) does it answer (e.g. S1, S3)",
                lambda v: [p.strip() for p in v.split(",") if p.strip()] or _none("a finding id"),
            )
        if not status:
            status = choose_one("Status", record_edits.ACTION_STATUSES)
        if not text:
            text = ask("What was (or will be) done", _text("text"))
        if status == "done" and not date:
            date = ask("Date it was done (e.g. 12/11/2019)", _date_check, _day_of(record))
        if status == "not-doing" and not reason:
            reason = ask("Why it is not being done", _text("reason"))
    missing = [
        option
        for option, value in (
            ("--responds-to", responds_to),
            ("--status", status),
            ("--text", text),
        )
        if not value
    ]
    if (status or "").strip().lower() == "done" and not date:
        missing.append("--date (an action that is done needs the date it was done)")
    if (status or "").strip().lower() == "not-doing" and not reason:
        missing.append("--reason (people hear why it is not being done)")
    _require(missing, "add action")
    assert status and text
    result = record_edits.add_action(
        archive, record_id, list(responds_to or []), status, text, date, reason, dry_run=dry_run
    )
    _report(result, json_flag)


def _record(archive: Any, record_id: str) -> Any:
    """The record being added to (prompts list its findings and default to its dates)."""
    return archive.engagement(record_id)


def _day_of(record: Any) -> str:
    """The default date of something done for a record: its end date, else its date,
    never after today (a 2019 record's action was not done today)."""
    today = dt.date.today().isoformat()
    return min(record.end_date or record.date or today, today)


def _list_findings(record: Any) -> None:
    """The record's findings, so a person answering "which finding" can see them."""
    from copro.cli.output import hanging

    if not record.findings:
        err().print("This record has no findings yet: add one with `copro add finding`.")
        return
    err().print("Its findings:")
    for finding in record.findings:
        hanging(f"  [cyan]{escape(finding.id)}[/cyan] ", finding.text, console=err())


def _none(what: str) -> Any:
    raise UsageError(f"give {what}")


# ------------------------------------------------------------------ decision, contributor, feedback


@add_app.command("decision")
@handle_errors
def add_decision(
    ctx: typer.Context,
    record_id: RecordId,
    text: Annotated[str | None, typer.Option("--text", help="The decision.")] = None,
    made_by: Annotated[
        str | None, typer.Option("--made-by", help="joint, organisation or community.")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="When, YYYY-MM-DD.")] = None,
    json_flag: Json = False,
    dry_run: DryRun = False,
    interactive: Interactive = None,
) -> None:
    """Add a decision and who made it."""
    from copro.write import record_edits

    if _prompting(interactive):
        if not text:
            text = ask("The decision", _text("text"))
        if not made_by:
            made_by = choose_one("Made by", record_edits.MADE_BY)
        if date is None:
            date = ask("Date (e.g. 12/11/2019; Enter for none)", _optional_date, "") or None
    _require([o for o, v in (("--text", text), ("--made-by", made_by)) if not v], "add decision")
    assert text and made_by
    result = record_edits.add_decision(
        writable_archive_of(ctx, "add decision"), record_id, text, made_by, date, dry_run=dry_run
    )
    _report(result, json_flag)


@add_app.command("contributor")
@handle_errors
def add_contributor(
    ctx: typer.Context,
    record_id: RecordId,
    role: Annotated[
        str | None, typer.Option("--role", help="Their part, e.g. co-facilitator.")
    ] = None,
    credit: Annotated[str | None, typer.Option("--credit", help="named or anonymous.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Only with --credit named, with their agreement.")
    ] = None,
    json_flag: Json = False,
    dry_run: DryRun = False,
    interactive: Interactive = None,
) -> None:
    """Add a contributor, credited by name only where they agreed to it."""
    from copro.write import record_edits

    if _prompting(interactive):
        if not role:
            role = ask("Their part (role)", _text("role"))
        if not credit:
            credit = choose_one("Credit", record_edits.CREDITS)
        if credit == "named" and not name:
            name = ask("Name (they agreed to be credited)", _text("name"))
    _require([o for o, v in (("--role", role), ("--credit", credit)) if not v], "add contributor")
    assert role and credit
    result = record_edits.add_contributor(
        writable_archive_of(ctx, "add contributor"), record_id, role, credit, name, dry_run=dry_run
    )
    _report(result, json_flag)


@add_app.command("feedback")
@handle_errors
def add_feedback(
    ctx: typer.Context,
    record_id: RecordId,
    date: Annotated[
        str | None, typer.Option("--date", help="When people were told, YYYY-MM-DD.")
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel", help="How: a route such as 'youth forum', never contact details."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was said, briefly.")] = None,
    json_flag: Json = False,
    dry_run: DryRun = False,
    interactive: Interactive = None,
) -> None:
    """Record when and how the people who took part were told what was done."""
    from copro.write import record_edits

    if _prompting(interactive):
        if not date:
            record = _record(writable_archive_of(ctx, "add feedback"), record_id)
            date = ask("Date people were told (e.g. 12/11/2019)", _date_check, _day_of(record))
        if not channel:
            channel = ask("How (a route, never contact details)", _text("channel"))
    _require([o for o, v in (("--date", date), ("--channel", channel)) if not v], "add feedback")
    assert date and channel
    result = record_edits.add_feedback(
        writable_archive_of(ctx, "add feedback"), record_id, date, channel, note, dry_run=dry_run
    )
    _report(result, json_flag)


# ------------------------------------------------------------------ update


@app.command()
@handle_errors
@field_options
def update(
    ctx: typer.Context,
    record_id: RecordId,
    fields: dict[str, Any],
    quotes: Annotated[
        bool | None,
        typer.Option("--quotes/--no-quotes", help="Whether people agreed to be quoted directly."),
    ] = None,
    recontact_via: Annotated[
        str | None,
        typer.Option(
            "--recontact-via",
            help="The route by which people agreed to be contacted again (sets recontact).",
        ),
    ] = None,
    no_recontact: Annotated[
        bool, typer.Option("--no-recontact", help="People did not agree to be contacted again.")
    ] = False,
    payment: Annotated[
        str | None,
        typer.Option(
            "--payment", help="none, vouchers, hourly, sessional, salaried or expenses-only."
        ),
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", help="The rate, e.g. '£25 an hour'.")
    ] = None,
    other: Annotated[
        list[str] | None,
        typer.Option("--other", help="Other recognition, e.g. training (repeatable; replaces)."),
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help="The body's Summary section.")
    ] = None,
    what_happened: Annotated[
        str | None, typer.Option("--what-happened", help="The body's What happened section.")
    ] = None,
    reflections: Annotated[
        str | None, typer.Option("--reflections", help="The body's Reflections section.")
    ] = None,
    finding: Annotated[
        str | None,
        typer.Option(
            "--finding",
            help="A finding to change (e.g. S2), with --text and/or --finding-topic.",
            autocompletion=complete_finding_ids,
        ),
    ] = None,
    finding_topic: Annotated[
        list[str] | None,
        typer.Option(
            "--finding-topic",
            help="The finding's own topics (repeatable; replaces them).",
            autocompletion=complete_topics,
        ),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="An action to change (e.g. D1), with the options below."),
    ] = None,
    action_status: Annotated[
        str | None,
        typer.Option("--action-status", help="planned, in progress, done or not-doing."),
    ] = None,
    action_date: Annotated[
        str | None, typer.Option("--action-date", help="When the action was done.")
    ] = None,
    action_reason: Annotated[
        str | None, typer.Option("--action-reason", help="Why it is not being done.")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="New words for --finding or --action.")
    ] = None,
    contributor: Annotated[
        int | None,
        typer.Option(
            "--contributor", help="A contributor to change: 1 is the first in the record.", min=1
        ),
    ] = None,
    credit: Annotated[
        str | None,
        typer.Option("--credit", help="named or anonymous (anonymous removes the name)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="With --credit named: the name they agreed to.")
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Reword a finding even when a later record revisited it."),
    ] = False,
    statement: Annotated[
        str | None,
        typer.Option(
            "--statement", help="A consensus statement's words (with a statement id only)."
        ),
    ] = None,
    json_flag: Json = False,
    dry_run: DryRun = False,
) -> None:
    """Change any field of a record: its details, consent, recognition, body sections,
    or one finding, action or contributor. List options replace the list. Given a
    consensus statement's id, it sets --title, --statement, --status or --review-by."""
    from copro.write.consensus_update import names_statement

    archive = writable_archive_of(ctx, "update")
    if names_statement(archive.root, record_id):
        _update_statement(ctx, archive, record_id, {**fields, "statement": statement})
        return
    if statement is not None:
        raise UsageError(
            "--statement is for consensus statements; this is a record",
            "a record's words are its findings: --finding SN --text T",
        )
    from copro.write.update import (
        ActionEdit,
        ContributorEdit,
        FindingEdit,
        UpdateRequest,
        update_record,
    )

    if text is not None and (finding is None) == (action is None):
        raise UsageError("--text goes with one --finding or one --action")
    if finding_topic and finding is None:
        raise UsageError("--finding-topic goes with --finding SN")
    if (action_status or action_date or action_reason) and action is None:
        raise UsageError("--action-status, --action-date and --action-reason go with --action DN")
    if (credit is None) != (contributor is None):
        raise UsageError("--contributor N and --credit go together")
    if name is not None and contributor is None:
        raise UsageError("--name goes with --contributor N --credit named")
    sections = {
        heading: given
        for heading, given in (
            ("Summary", summary),
            ("What happened", what_happened),
            ("Reflections", reflections),
        )
        if given is not None
    }
    request = UpdateRequest(
        fields=fields,
        quotes=quotes,
        recontact_via=recontact_via,
        no_recontact=no_recontact,
        payment=payment,
        rate=rate,
        other=list(other or []),
        sections=sections,
        finding=FindingEdit(finding, text, list(finding_topic) if finding_topic else None)
        if finding
        else None,
        action=ActionEdit(action, text, action_status, action_date, action_reason)
        if action
        else None,
        contributor=ContributorEdit(contributor, credit, name)
        if contributor is not None and credit is not None
        else None,
    )
    result = update_record(
        archive,
        record_id,
        request,
        dry_run=dry_run,
        confirm=_confirm_rewording(yes),
    )
    _report(result, json_flag)


def _update_statement(
    ctx: typer.Context, archive: Any, statement_id: str, given: dict[str, Any]
) -> None:
    """``update`` of a consensus statement (contract section 8)."""
    from copro.write.consensus_update import StatementUpdate, update_statement

    _refuse_record_options(ctx)
    request = StatementUpdate(
        given.get("title"), given.get("statement"), given.get("status"), given.get("review_by")
    )
    result = update_statement(archive, statement_id, request, dry_run=ctx.params["dry_run"])
    _report(result, ctx.params["json_flag"])


def _refuse_record_options(ctx: typer.Context) -> None:
    """A statement takes the options of contract section 8 only: others exit 2, named."""
    from copro.write.consensus_update import STATEMENT_OPTIONS

    allowed = {*STATEMENT_OPTIONS, "--json", "--dry-run", "--yes"}
    given = [
        param.opts[0]
        for param in ctx.command.params
        if param.param_type_name == "option"
        and param.name
        and getattr(ctx.get_parameter_source(param.name), "name", "") == "COMMANDLINE"
        and not allowed.intersection(param.opts)
    ]
    if given:
        raise UsageError(
            f"a consensus statement takes {', '.join(STATEMENT_OPTIONS)}; not " + ", ".join(given),
            "its evidence, decisions and body are written in its file, its judgement with "
            "`copro consensus agree`",
        )


def _confirm_rewording(yes: bool) -> Callable[[list[str]], bool] | None:
    """``--yes`` goes on; at a terminal each warning is shown and the person asked."""
    if yes:
        return lambda warnings: True
    if not sys.stdin.isatty():
        return None

    def ask_person(warnings: list[str]) -> bool:
        for warning in warnings:
            err().print(f"[yellow]Warning: {escape(warning)}[/yellow]")
        return typer.confirm("Change the words anyway?", default=False, err=True)

    return ask_person
