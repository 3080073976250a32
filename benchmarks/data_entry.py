"""Time ``copro import`` and ``copro add finding`` on a synthetic archive (never a test).

Usage: python benchmarks/data_entry.py [--size 10000] [--runs 3]

``import``: a workbook adding 1,000 findings and 500 actions across 200 records,
compared with ``copro validate`` of the same archive (goal: at most 2x).
``add finding``: one finding added to one record; ``update``: fields and a body
section set, and a finding reworded (which looks for records revisiting it); goal:
each under 0.5 s wall.
The changed records are put back before every run, so each run does the same work.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import COPRO, WORK, archive, line, timed  # noqa: E402

ACTION_COLUMNS = ["record_id", "action_id", "responds_to", "status", "text", "date", "reason"]


def make_workbook(root: Path, out: Path) -> list[Path]:
    """1,000 new findings (5 per record) and 500 new actions (answering S1) on 200 records."""
    import openpyxl

    from copro.core.workbook import findings_columns

    records = sorted((root / "archive").rglob("*.md"))[::50][:200]
    book = openpyxl.Workbook()
    findings = book.active
    findings.title = "findings"
    columns = findings_columns()
    findings.append(columns)
    actions = book.create_sheet("actions")
    actions.append(ACTION_COLUMNS)
    for number, path in enumerate(records):
        rid = path.stem
        for k in range(5):
            row = dict.fromkeys(columns, "")
            row.update(record_id=rid, finding=f"Benchmark finding {number} {k} about waiting times")
            findings.append(list(row.values()))
        for k in range(int(2.5 * (number + 1)) - int(2.5 * number)):
            actions.append([rid, "", "S1", "planned", f"Benchmark action {number} {k}", "", ""])
    book.save(out)
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = archive(args.size)
    env = {**os.environ, "COPRO_CACHE_DIR": str(WORK / "cache")}
    book = WORK / f"import-{args.size}.xlsx"
    changed = make_workbook(root, book)
    saved = {p: p.read_bytes() for p in changed}

    def restore() -> None:
        for path, data in saved.items():
            path.write_bytes(data)

    print(f"N = {args.size}, {args.runs} runs, median wall time")
    validate = timed([*COPRO, "--root", str(root), "validate"], args.runs, env)
    line("copro validate", validate)
    imported = timed(
        [*COPRO, "--root", str(root), "import", str(book), "--yes"], args.runs, env, restore
    )
    line("copro import (1,000 findings + 500 actions)", imported, validate, "validate")
    target = changed[0].stem
    add = timed(
        [*COPRO, "--root", str(root), "add", "finding", target, "--text", "One more finding"],
        args.runs,
        env,
        restore,
    )
    line("copro add finding", add)
    for label, options in (
        ("copro update (--participants, --summary)", ["--participants", "12", "--summary", "Met."]),
        ("copro update --finding S1 --text (reword)", ["--finding", "S1", "--text", "Reworded"]),
    ):
        update = timed(
            [*COPRO, "--root", str(root), "update", target, *options, "--yes"],
            args.runs,
            env,
            restore,
        )
        line(label, update)
    restore()


if __name__ == "__main__":
    main()
