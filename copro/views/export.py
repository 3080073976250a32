"""``copro export``: findings as CSV rows, or records as JSON lines, for analysis.

CSV is made safe for spreadsheets: a ``'`` goes before ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or a ``'`` wherever one begins the cell or
follows a ``;`` or ``,`` in it (``copro.core.workbook.guard_cell``), so no cell
can run as a formula, however a spreadsheet splits it. Names of contributors
who chose to stay anonymous are never exported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copro.core.columns import CSV_COLUMNS
from copro.core.errors import UsageError

if TYPE_CHECKING:  # kept out of the import so the CLI can read EXPORTERS cheaply
    from copro.core.model import Engagement
    from copro.store.archive import Archive
    from copro.store.catalog import Catalog, EngagementStream
    from copro.store.selection import Selection
    from copro.store.standing import StandingTable

# Beyond the contract's columns, for people reading the CSV: what was done (the actions'
# own words, not only their statuses), who led, and how to reach the group again (only
# where consent.recontact allows). Not in the xlsx findings sheet: import reads that.
CSV_EXTRA_COLUMNS = ["actions", "lead_organisation", "recontact_via"]
EXCEL_BOM = "\ufeff"
"""Excel reads a CSV as UTF-8 only when it starts with a byte order mark (``--excel``)."""


@dataclass
class ExportResult:
    text: str
    records: int
    rows: int
    skipped: list[str]
    data: bytes | None = None
    """A binary document (xlsx) instead of ``text``: it needs ``--output``."""


def safe_cell(value: object) -> str:
    from copro.core.workbook import guard_cell

    return guard_cell("" if value is None else str(value))


def _finding_rows(engagement: Engagement) -> Iterator[dict[str, str]]:
    for finding in engagement.findings:
        yield {
            "record_id": engagement.key,
            "date": engagement.date,
            "title": engagement.title,
            "status": engagement.status,
            "ladder": engagement.ladder,
            "places": ";".join(engagement.places),
            "populations": ";".join(engagement.populations),
            "topics": ";".join(engagement.topics),
            "finding_id": finding.id,
            "finding": finding.text,
            "finding_topics": ";".join(finding.topics),
            "quotable": "true" if engagement.quotable else "false",
            "responses": ";".join(a.status for a in engagement.responses(finding.id)),
        }


def _reader_cells(engagement: Engagement, finding_id: str) -> dict[str, str]:
    """The CSV's extra cells for one finding: actions' text, lead, recontact route."""
    return {
        "actions": ";".join(a.text for a in engagement.responses(finding_id)),
        "lead_organisation": engagement.lead_name,
        "recontact_via": engagement.consent.route or "",
    }


def record_object(engagement: Engagement, with_member: bool = False) -> dict[str, Any]:
    """The record as one JSON object (front-matter, path and body), anonymity kept;
    in a hub also its ``member`` (null for the hub's own)."""
    out = {**engagement.public_front_matter(), "path": engagement.path, "body": engagement.body}
    if with_member:
        out["member"] = engagement.member
    return out


def _csv(catalog: Catalog, archive: Archive) -> ExportResult:
    """One row per finding; in a hub a last column ``member`` names each row's member."""
    text, rows = _csv_text(catalog, archive.in_hub)
    return ExportResult(text, len(catalog), rows, list(catalog.skipped))


_ANY_TRIGGER = re.compile(r"(?:^|[;,])(?=[=+\-@\t\r'])", re.MULTILINE)
"""Where ``guard_cell`` could put a `'` in any cell of a row joined by newlines (a
superset: a row it finds is guarded cell by cell, the rest, nearly all, written as is)."""


def _csv_text(engagements: Iterable[Engagement], in_hub: bool) -> tuple[str, int]:
    """The CSV of the findings of ``engagements`` (read once, in order), and its rows."""
    buffer = io.StringIO()
    columns = [*CSV_COLUMNS, *CSV_EXTRA_COLUMNS, *(["member"] if in_hub else [])]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    rows = 0
    for engagement in engagements:
        for row in _finding_rows(engagement):
            row.update(_reader_cells(engagement, row["finding_id"]))
            if in_hub:
                row["member"] = engagement.member or ""
            cells = [row[column] for column in columns]
            if _ANY_TRIGGER.search("\n".join(cells)) is not None:
                cells = [safe_cell(cell) for cell in cells]
            writer.writerow(cells)
            rows += 1
    return buffer.getvalue(), rows


class _Kept:
    """The engagements of a stream that a selection keeps, counted as they pass."""

    def __init__(self, stream: EngagementStream, wanted: Selection) -> None:
        self.stream, self.wanted, self.records = stream, wanted, 0

    def __iter__(self) -> Iterator[Engagement]:
        for engagement in self.stream:
            if self.wanted.keeps_record(engagement):
                self.records += 1
                yield engagement


def _csv_streamed(archive: Archive, wanted: Selection) -> ExportResult:
    """``_csv`` over the record cache a row at a time (no catalog held)."""
    with archive.engagement_stream() as stream:
        skipped = list(stream.skipped)
        kept = _Kept(stream, wanted)
        text, rows = _csv_text(kept, archive.in_hub)
    return ExportResult(text, kept.records, rows, skipped)


def _jsonl(catalog: Catalog, archive: Archive) -> ExportResult:
    in_hub = archive.in_hub
    lines = [json.dumps(record_object(e, in_hub), ensure_ascii=False) + "\n" for e in catalog]
    return ExportResult("".join(lines), len(lines), len(lines), list(catalog.skipped))


def _gripp2(catalog: Catalog, archive: Archive) -> ExportResult:
    from copro.views.gripp2 import gripp2_markdown

    text, records = gripp2_markdown(catalog.engagements, archive.vocab)
    return ExportResult(text, records, records, list(catalog.skipped))


def _xlsx(catalog: Catalog, archive: Archive) -> ExportResult:
    """A workbook to fill in and ``copro import``: findings (with standing) and actions."""
    from copro.store.standing import standings

    data, rows = _workbook(catalog, standings(catalog.engagements))
    return ExportResult("", len(catalog), rows, list(catalog.skipped), data)


def _xlsx_streamed(archive: Archive, wanted: Selection) -> ExportResult:
    """``_xlsx`` over the record cache a row at a time (no catalog held): the findings
    go into their sheet as they are read, the actions are kept for theirs."""
    with archive.engagement_stream() as stream:
        skipped = list(stream.skipped)
        kept = _Kept(stream, wanted)
        data, rows = _workbook(kept, stream.standings())
    return ExportResult("", kept.records, rows, skipped, data)


def _workbook(engagements: Iterable[Engagement], table: StandingTable) -> tuple[bytes, int]:
    """The xlsx of ``engagements`` (read once, in order) and the rows it holds."""
    from copro.core.workbook import (
        ACTION_COLUMNS,
        ACTIONS,
        FINDINGS,
        action_cells,
        findings_columns,
        write_workbook,
    )

    actions: list[Sequence[object]] = []
    findings = [0]

    def finding_rows() -> Iterator[list[object]]:
        for engagement in engagements:
            for row in _finding_rows(engagement):
                row["standing"] = table.of(engagement, row["finding_id"]).standing
                findings[0] += 1
                yield list(row.values())
            for a in engagement.actions:
                cells = (a.id, a.responds_to, a.status, a.text, a.date, a.reason)
                actions.append(action_cells(engagement.key, *cells))

    data = write_workbook(
        [(FINDINGS, findings_columns(), finding_rows()), (ACTIONS, ACTION_COLUMNS, actions)]
    )
    return data, findings[0] + len(actions)


SOQF_COLUMNS = ["id", "statement", "confidence", "explanation", "engagements", "groups", "stale"]


def _soqf(catalog: Catalog, archive: Archive) -> ExportResult:
    """The GRADE-CERQual Summary of Qualitative Findings: one row per agreed statement.

    ``engagements`` are the cited records' ids joined with ``;``, ``groups``
    the number of groups they heard, ``stale`` true or false. Drafts and
    retired statements are left out; in a hub a last column names the member.
    """
    from copro.views.consensus import assess_all

    in_hub = archive.in_hub
    agreed = [s for s in catalog.statements if s.status == "agreed"]
    buffer = io.StringIO()
    columns = [*SOQF_COLUMNS, *(["member"] if in_hub else [])]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for assessed in assess_all(catalog, statements=agreed) if agreed else []:
        s = assessed.statement
        row = {
            "id": s.key,
            "statement": s.statement,
            "confidence": s.overall or "",
            "explanation": s.confidence.explanation if s.confidence else "",
            "engagements": ";".join(e.key for e in assessed.cited_records()),
            "groups": assessed.facts.groups,
            "stale": "true" if assessed.currency.stale else "false",
        }
        if in_hub:
            row["member"] = s.member or ""
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return ExportResult(buffer.getvalue(), len(agreed), len(agreed), list(catalog.skipped))


EXPORTERS: dict[str, Callable[[Catalog, Archive], ExportResult]] = {
    "csv": _csv,
    "jsonl": _jsonl,
    "xlsx": _xlsx,
    "gripp2": _gripp2,
    "soqf": _soqf,
}
"""Export formats by name; the keys are the allowed values of ``export --format``."""
FORMATS = tuple(EXPORTERS)


def export_archive(
    archive: Archive | Path,
    fmt: str = "csv",
    members: Sequence[str] = (),
    include_withdrawn: bool = False,
) -> ExportResult:
    """The whole archive as CSV (one row per finding), JSON lines (one per record) or GRIPP2.

    In a hub every member is exported, each row or object naming its member;
    ``members`` narrows to some of them. Withdrawn records only when
    ``include_withdrawn`` (GRIPP2 never reports them).
    """
    from copro.core import pii
    from copro.store.archive import Archive
    from copro.store.catalog import Catalog
    from copro.store.selection import Selection

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise UsageError(f"--format {pii.quoted(fmt)} is not one of: {', '.join(EXPORTERS)}")
    archive = Archive.of(archive)
    wanted = Selection.parse(archive, members=members, include_withdrawn=include_withdrawn)
    if exporter is _csv:
        return _csv_streamed(archive, wanted)
    if exporter is _xlsx:
        return _xlsx_streamed(archive, wanted)
    catalog = archive.catalog
    if wanted.members is not None or not wanted.withdrawn_wanted:
        kept = tuple(e for e in catalog if wanted.keeps_record(e))
        catalog = Catalog(kept, catalog.skipped, catalog.sources)
    return exporter(catalog, archive)
