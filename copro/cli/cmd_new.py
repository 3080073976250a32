"""``copro new``: prompts at a terminal, options and ``--yes`` for scripts."""

import datetime as dt
import sys
from typing import Annotated, Any

import typer

from copro.cli.app import app, writable_archive_of
from copro.cli.completion import (
    complete_methods,
    complete_places,
    complete_populations,
    complete_topics,
)
from copro.cli.output import err, escape, handle_errors, out
from copro.cli.prompts import ask, choose_one, choose_terms

ListOption = list[str] | None


@app.command()
@handle_errors
def new(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option("--title", help="What the engagement is.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Start date: YYYY-MM-DD, D/M/YYYY or D Month YYYY.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="planned, active, completed, withdrawn.")
    ] = "planned",
    lead: Annotated[
        str | None,
        typer.Option("--lead", help="Lead organisation (default: copro.yml's organisation)."),
    ] = None,
    lead_sector: Annotated[
        str | None, typer.Option("--lead-sector", help="Lead organisation's sector.")
    ] = None,
    place: Annotated[
        ListOption,
        typer.Option(
            "--place", help="Place id or label (repeatable).", autocompletion=complete_places
        ),
    ] = None,
    method: Annotated[
        ListOption,
        typer.Option(
            "--method", help="Method id or label (repeatable).", autocompletion=complete_methods
        ),
    ] = None,
    ladder: Annotated[
        str | None, typer.Option("--ladder", help="Rung of the ladder of co-production.")
    ] = None,
    population: Annotated[
        ListOption,
        typer.Option(
            "--population",
            help="Population id or label (repeatable).",
            autocompletion=complete_populations,
        ),
    ] = None,
    topic: Annotated[
        ListOption,
        typer.Option(
            "--topic", help="Topic id or label (repeatable).", autocompletion=complete_topics
        ),
    ] = None,
    recontact_via: Annotated[
        str | None,
        typer.Option(
            "--recontact-via", help="Organisational route for recontact (sets recontact: true)."
        ),
    ] = None,
    quotes: Annotated[
        bool, typer.Option("--quotes/--no-quotes", help="Participants agreed to direct quotation.")
    ] = False,
    record_id: Annotated[
        str | None, typer.Option("--id", help="Record id (default: from date and title).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="No questions: list earlier engagements and write.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the file instead of writing it.")
    ] = False,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Prompt for what is missing (default: when at a terminal).",
        ),
    ] = None,
) -> None:
    """Record a new engagement, after showing who was already asked about the same thing."""
    from copro.write.newrecord import (
        NewRecord,
        asked_before,
        create_record,
        id_taken,
        normalise_request,
    )

    archive = writable_archive_of(ctx, "new")
    vocab = archive.vocab
    lead, lead_sector = default_lead(archive.settings, lead, lead_sector)
    request = NewRecord(
        title=title,
        date=date,
        status=status,
        lead=lead,
        lead_sector=lead_sector,
        places=list(place or []),
        methods=list(method or []),
        ladder=ladder,
        populations=list(population or []),
        topics=list(topic or []),
        recontact_via=recontact_via,
        quotes=quotes,
        id=record_id,
    )
    prompting = sys.stdin.isatty() if interactive is None else interactive
    if prompting and not yes:
        _prompt_missing(request, vocab)
    clean = normalise_request(request, vocab, id_taken(archive.root))
    earlier = asked_before(archive, clean, vocab)
    _show_earlier(earlier)
    if earlier and prompting and not yes and not dry_run:
        if not typer.confirm("Go on and create the new record?", default=True, err=True):
            err().print("Nothing was written.")
            raise typer.Exit(1)
    created = create_record(archive, clean, dry_run=dry_run, vocab=vocab)
    if dry_run:
        sys.stdout.write(created.text)
        err().print(f"[dim](dry run: would write {escape(created.relpath)})[/dim]")
        return
    out().print(escape(created.relpath))
    err().print(
        f"Created {escape(created.relpath)}: record what people said with "
        f"`copro add finding {escape(created.id)}`, then run `copro validate`."
    )
    if created.git_add:
        err().print(f"Stage it with: {escape(created.git_add)}")


def default_lead(
    settings: Any, lead: str | None, lead_sector: str | None
) -> tuple[str | None, str | None]:
    """The settings' organisation leads unless ``--lead`` names another (whose sector
    then comes from ``--lead-sector``, or from the settings when it is the same name)."""
    own = settings.organisation
    if own is None:
        return lead, lead_sector
    if lead is None:
        return own.name, lead_sector or own.sector
    if lead_sector is None and " ".join(lead.split()).casefold() == own.name.casefold():
        return lead, own.sector
    return lead, lead_sector


def _show_earlier(earlier: list[Any]) -> None:
    """Earlier engagements with these people on these topics, each as a coordinator
    recognises it: its id, with its title, date and lead under it (a row of ids alone
    said nothing at 80 columns), then how many of its findings are unanswered and
    whether the group agreed to be contacted again. A list where even that does not fit."""
    from copro.cli.wrap import wrap

    console = err()
    if not earlier:
        console.print("Asked before? No earlier engagement with these people on these topics.")
        return
    from copro.cli.layout import Column, table_or_list

    columns = [
        Column("engagement", max(len(e.id) for e in earlier), ratio=1),
        Column("unanswered", len("unanswered"), justify="right"),
        Column("recontact", len("recontact"), no_wrap=True),
    ]
    rows = [_earlier_row(item) for item in earlier]
    heading = "Asked before? Earlier engagements with similar people on similar topics"
    console.print(escape("\n".join(wrap(heading))))
    # What matters before asking again: which engagement, what is still unanswered,
    # and whether the group agreed to be contacted again.
    importance = ["engagement", "unanswered", "recontact"]
    table_or_list(
        console, columns, importance, 3, rows, lambda row: [row["listed"]], show_lines=True
    )


def _earlier_row(item: Any) -> dict[str, str]:
    """One earlier engagement as a table row (``engagement``: its id, then its title,
    date and lead, wrapped by the table) and as a list block (``listed``: the same, and
    its unanswered findings and recontact, indented and wrapped here, a date never split)."""
    from copro.cli.wrap import wrap
    from copro.core.words import date_words, number_of

    about = [item.title, f"{date_words(item.date)}, {item.lead}"]
    recontact = "agreed" if item.recontact else "no"
    said = f"{number_of(item.unanswered, 'finding')} unanswered; recontact: {recontact}"
    listed = [escape(line) for text in (*about, said) for line in wrap(text, "  ")]
    return {
        "engagement": f"[bold]{escape(item.id)}[/bold]\n" + escape("\n".join(about)),
        "unanswered": str(item.unanswered),
        "recontact": recontact,
        "listed": "\n".join([f"[bold]{escape(item.id)}[/bold]", *listed]),
    }


# ------------------------------------------------------------------ prompting


def _prompt_missing(request: Any, vocab: Any) -> None:
    from copro.core.model import LADDER, SECTORS, STATUSES
    from copro.write.newrecord import check_choice, check_date, check_text

    if not request.title:
        request.title = ask("Title", lambda v: check_text(v, "title"))
    if not request.date:
        request.date = ask("Start date (e.g. 12/11/2019)", check_date, dt.date.today().isoformat())
    if request.status == "planned":
        request.status = ask(
            f"Status ({', '.join(STATUSES)})",
            lambda v: check_choice(v, STATUSES, "status"),
            "planned",
        )
    if not request.lead:
        request.lead = ask("Lead organisation", lambda v: check_text(v, "lead"))
    if not request.lead_sector:
        request.lead_sector = choose_one("Lead organisation's sector", SECTORS)
    for field, name, label in (
        ("places", "places", "Places"),
        ("methods", "methods", "Methods"),
        ("populations", "populations", "Who took part (groups, never individuals)"),
        ("topics", "topics", "Topics"),
    ):
        if not getattr(request, field):
            setattr(request, field, choose_terms(label, vocab, name))
    if not request.ladder:
        request.ladder = choose_one("Rung of the ladder of co-production", LADDER)
    if request.recontact_via is None and typer.confirm(
        "Did people agree to be contacted again?", default=False, err=True
    ):
        request.recontact_via = ask(
            "Recontact route (a team or service, never a person's contact details)",
            lambda v: check_text(v, "recontact route"),
        )
    if not request.quotes:
        request.quotes = typer.confirm(
            "Did people agree that their words may be quoted directly?", default=False, err=True
        )
