"""``copro export``: findings as CSV rows, or records as JSON lines, for analysis.

CSV is made safe for spreadsheets: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is prefixed with ``'`` so it can never run as
a formula. Names of contributors who chose to stay anonymous are never exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copro.errors import UsageError
from copro.records import Record, as_dicts, as_list, iter_records, public_meta

CSV_COLUMNS = [
    "record_id",
    "date",
    "title",
    "status",
    "ladder",
    "places",
    "populations",
    "topics",
    "finding_id",
    "finding",
    "finding_topics",
    "quotable",
    "responses",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportResult:
    text: str
    records: int
    rows: int
    skipped: list[str]


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _finding_rows(record: Record) -> Iterator[dict[str, str]]:
    meta = record.meta
    consent = meta.get("consent") if isinstance(meta.get("consent"), dict) else {}
    actions = as_dicts(meta.get("we_did"))
    for finding in as_dicts(meta.get("you_said")):
        finding_id = str(finding.get("id", ""))
        statuses = [
            str(a.get("status")) for a in actions if finding_id in as_list(a.get("responds_to"))
        ]
        yield {
            "record_id": record.id,
            "date": str(meta.get("date", "")),
            "title": str(meta.get("title", "")),
            "status": str(meta.get("status", "")),
            "ladder": str(meta.get("ladder", "")),
            "places": ";".join(as_list(meta.get("places"))),
            "populations": ";".join(as_list(meta.get("populations"))),
            "topics": ";".join(as_list(meta.get("topics"))),
            "finding_id": finding_id,
            "finding": str(finding.get("text", "")),
            "finding_topics": ";".join(as_list(finding.get("topics"))),
            "quotable": "true" if consent.get("quotes") is True else "false",
            "responses": ";".join(statuses),
        }


def record_object(record: Record) -> dict[str, Any]:
    """The record as one JSON object (front-matter, path and body), anonymity kept."""
    return {**public_meta(record.meta), "path": record.relpath, "body": record.body}


def export_archive(root: Path, fmt: str = "csv") -> ExportResult:
    """The whole archive as CSV (one row per finding) or JSON lines (one per record)."""
    if fmt not in ("csv", "jsonl"):
        raise UsageError(f"--format {fmt!r} is not csv or jsonl")
    skipped: list[str] = []
    buffer = io.StringIO()
    records = rows = 0
    if fmt == "csv":
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in iter_records(Path(root), skipped):
            records += 1
            for row in _finding_rows(record):
                writer.writerow({k: safe_cell(v) for k, v in row.items()})
                rows += 1
    else:
        for record in iter_records(Path(root), skipped):
            records += 1
            rows += 1
            buffer.write(
                json.dumps(record_object(record), ensure_ascii=False, sort_keys=False) + "\n"
            )
    return ExportResult(buffer.getvalue(), records, rows, skipped)
