"""``copro init``, ``copro export`` and ``copro stats``."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from copro.cli.app import app, archive_of
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    OutputOption,
    choice_option,
    emit_json,
    err,
    escape,
    escape_printable,
    handle_errors,
    hanging,
    note_skipped,
    nothing_matched,
    out,
    wants_json,
    write_or_print,
)
from copro.cli.selection import Chosen, selection_options
from copro.core.errors import UsageError
from copro.core.values import SECTORS, for_option, parse_sector, parse_text
from copro.views.export import EXPORTERS

if TYPE_CHECKING:
    from copro.views.stats import ArchiveStats
    from copro.write.scaffold import InitResult, InitSettings


@app.command()
@handle_errors
def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new archive (created if missing).")],
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Keep this existing file (repeatable).")
    ] = None,
    hook_repo: Annotated[
        str | None,
        typer.Option(
            "--hook-repo",
            help="Pin copro's pre-commit hook repository (default: the installed copro).",
        ),
    ] = None,
    hook_rev: Annotated[
        str | None, typer.Option("--hook-rev", help="Tag of --hook-repo to use.")
    ] = None,
    install: Annotated[
        str | None,
        typer.Option(
            "--install",
            metavar="SPEC",
            help="The pip requirement CI installs copro with (default: where this copro "
            "came from, if CI can reach it).",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The archive's name (letters, page footers, the site)."),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation", help="Your organisation: the lead of new records (needs --sector)."
        ),
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option("--sector", help="Its sector: " + ", ".join(SECTORS) + "."),
    ] = None,
) -> None:
    """Create a new archive root: folders, vocabularies, git, pre-commit and CI.

    With --name, --organisation and --sector it also writes copro.yml (the
    archive's settings). On an existing archive root it changes only what it is
    given: copro.yml (when there is none), what CI installs (--install: the
    workflows' install step) or the pre-commit hook (--hook-repo).
    """
    from copro.write.scaffold import init_archive

    settings = init_settings(name, organisation, sector)
    result = init_archive(path, skip or (), hook_repo, hook_rev, install, settings)
    if result.existing:
        _report_existing(result)
        return
    for rel in result.written:
        err().print(f"  wrote   {escape(rel)}")
    for rel in result.skipped:
        err().print(f"  kept    {escape(rel)}")
    if result.git_initialised:
        err().print("  git init")
    out().print(escape_printable(result.root))
    if result.install is None:
        _advise_install(result)
    else:
        err().print(f"  CI installs {escape(result.install)}")
    hanging(
        "",
        "Next: cd there, `pre-commit install` (once per computer first: "
        "`pipx install pre-commit`), then `copro new` to record the first engagement.",
        console=err(),
    )


def _report_existing(result: InitResult) -> None:
    """What init changed in an archive that was there already (stdout: its root)."""
    for rel in result.written:
        err().print(f"  wrote   {escape(rel)}")
    for rel, what in result.changed:
        err().print(f"  changed {escape(rel)} ({escape(what)})")
    if not result.written and not result.changed:
        err().print("Nothing to change: the archive already says so.")
    if result.install is not None:
        hanging("CI installs ", result.install, console=err(), rest="  ")
    if result.hook_repo is not None:
        hanging(
            "pre-commit runs copro-validate from ",
            f"{result.hook_repo} at {result.hook_rev}",
            console=err(),
            rest="  ",
        )
    out().print(escape_printable(result.root))


def _advise_install(result: InitResult) -> None:
    """Why CI's install line fails on purpose, and the command that sets it."""
    from copro.write.install_lines import SPEC_EXAMPLE

    command = f"copro init {shlex.quote(str(result.root))} --install "
    hanging(
        "",
        f"CI install line left failing on purpose: {result.why_unknown}. "
        + (
            "If CI can reach it, set it with:"
            if result.suggested
            else "Set it with the pip requirement CI can install (SPEC), for example "
            f"'{SPEC_EXAMPLE}':"
        ),
        style="yellow",
        console=err(),
    )
    spec = shlex.quote(result.suggested) if result.suggested else "SPEC"
    err().print(f"  {escape(command + spec)}", soft_wrap=True)


def init_settings(name: str | None, organisation: str | None, sector: str | None) -> InitSettings:
    """The settings ``init`` was given, each value read as everywhere else."""
    from copro.core.settings import Organisation
    from copro.write.scaffold import InitSettings

    if (organisation is None) != (sector is None):
        raise UsageError(
            "--organisation and --sector go together",
            "e.g. --organisation 'Hiddo Women's Association' --sector voluntary",
        )
    lead = None
    if organisation is not None and sector is not None:
        lead = Organisation(
            for_option("--organisation", parse_text, organisation),
            for_option("--sector", parse_sector, sector),
        )
    named = for_option("--name", parse_text, name) if name is not None else None
    return InitSettings(named, lead)


@app.command()
@handle_errors
@selection_options("member", "include_withdrawn")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        choice_option(
            EXPORTERS,
            "csv (a row per finding), jsonl (an object per record), xlsx (a workbook of "
            "findings and actions to fill in and import; needs --output), gripp2 "
            "(the GRIPP2 short-form report of each record, Markdown) or soqf (the GRADE-CERQual "
            "Summary of Qualitative Findings of the agreed consensus statements, CSV)",
            default="csv",
        ),
    ] = "csv",
    output: OutputOption = None,
    selection: Chosen = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="CSV for Excel: UTF-8 with a byte order mark (the default is plain UTF-8, "
            "which other readers expect).",
        ),
    ] = False,
) -> None:
    """Export findings (CSV), records (JSON lines) or GRIPP2 reports for journals."""
    from copro.views.export import EXCEL_BOM, export_archive

    if fmt == "xlsx" and output is None:
        raise UsageError("--format xlsx needs --output FILE", "e.g. -o findings.xlsx")
    if excel and fmt not in ("csv", "soqf"):
        raise UsageError("--excel applies to --format csv and soqf only")
    archive = archive_of(ctx)
    result = export_archive(archive, fmt, **(selection or {}))
    if excel:
        result.text = EXCEL_BOM + result.text
    what = (
        f"{result.records} record(s)"
        if fmt == "gripp2"
        else f"{result.rows} agreed statement(s)"
        if fmt == "soqf"
        else f"{result.rows} row(s) from {result.records} record(s)"
    )
    write_or_print(result.text if result.data is None else result.data, output, what)
    note_skipped(len(result.skipped))
    if not result.records and not result.rows:
        nothing_matched(archive)


@app.command()
@handle_errors
@selection_options("member", "include_withdrawn")
def stats(
    ctx: typer.Context,
    json_flag: JsonFlag = False,
    fmt: FormatOption = None,
    selection: Chosen = None,
) -> None:
    """An overview: records by year, rung, sector and status; responses; coverage gaps."""
    from copro.views.stats import archive_stats

    archive = archive_of(ctx)
    result = archive_stats(archive, **(selection or {}))
    note_skipped(result.skipped)
    if not result.records:
        nothing_matched(archive)
    if wants_json(json_flag, fmt):
        emit_json(result.to_json())
        return
    _print_stats(out(), result)


def _print_stats(console: Any, result: ArchiveStats) -> None:
    """The overview at the terminal's width: the counts side by side, one row a topic
    (who is most heard, who never), and the groups never heard at all, listed once."""
    from rich import box
    from rich.columns import Columns
    from rich.table import Table

    from copro.cli.wrap import wrap
    from copro.views.stats import LABEL_SEPARATOR

    console.print(escape(result.summary), soft_wrap=False)
    console.print()
    counts = []
    for title, rows in result.counts:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        table.add_column(title, no_wrap=True)
        table.add_column("records", justify="right")
        for label, count in rows:
            table.add_row(escape(label), str(count))
        counts.append(table)
    console.print(Columns(counts, padding=(1, 4)))
    console.print()
    table = Table(
        title="Who has been heard on each topic",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        expand=True,
    )
    table.add_column("topic", ratio=2)
    table.add_column("most heard (records)", ratio=3)
    table.add_column("never heard on it\n(records elsewhere)", ratio=4)
    for topic in result.topics_by_label:
        table.add_row(
            escape(result.topic_labels.get(topic, topic)),
            escape(result.most_heard_words(topic)),
            escape(result.never_heard_words(topic)),
        )
    console.print(table)
    never = result.never_heard_labels
    if never:
        console.print()
        intro = f"Never heard in this archive ({len(never)}): "
        lines = wrap(LABEL_SEPARATOR.join(never), intro, rest="  ")
        console.print(escape("\n".join(lines)), soft_wrap=True)
