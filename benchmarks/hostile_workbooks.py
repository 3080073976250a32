"""Hostile workbooks against ``copro import --dry-run`` (issue 18, item 10; never a test).

Usage: python benchmarks/hostile_workbooks.py [--runs 3]

Each case is a small file built to make a spreadsheet reader work hard: one row
of 2,000,000 cells (about 230 KB), the same with 3,000,000, a sheet of 1,000,001
rows, a row numbered 1,048,576, and a stated dimension of a whole sheet.
Goal: every one refused in under 2 s and under 200 MiB (whole process, peak
memory of the process tree as ``scale.py`` measures it). The sample archive is
the target; nothing is written (``--dry-run``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import COPRO, WORK  # noqa: E402
from scale import load, measure  # noqa: E402

NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
CASES = {
    "one row of 2,000,000 cells": b"<sheetData><row>" + b"<c><v>1</v></c>" * 2_000_000,
    "one row of 3,000,000 cells": b"<sheetData><row>" + b"<c><v>1</v></c>" * 3_000_000,
    "1,000,001 rows": b"<sheetData>"
    + b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_000_001,
    "a row numbered 1,048,576": b'<sheetData><row r="1"/><row r="1048576"><c r="A1048576"/>',
    "dimension A1:XFD1048576": b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"/>',
}


def build(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for number, (name, body) in enumerate(CASES.items()):
        path = folder / f"hostile-{number}.xlsx"
        if not path.exists():
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("[Content_Types].xml", "<Types/>")
                archive.writestr("xl/workbook.xml", "<workbook/>")
                archive.writestr(
                    "xl/worksheets/sheet1.xml", NS + body + b"</sheetData></worksheet>"
                )
        out[name] = path
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = WORK / "hostile-sample"
    if not root.is_dir():
        shutil.copytree(HERE.parent / "archive", root / "archive")
        shutil.copytree(HERE.parent / "schemas" / "vocab", root / "schemas" / "vocab")
    env = dict(os.environ, COPRO_CACHE_DIR=str(WORK / "hostile-cache"))
    print(f"import --dry-run of hostile workbooks, median of {args.runs} ({load()})")
    for name, path in build(WORK / "hostile").items():
        samples = [
            measure([*COPRO, "--root", str(root), "import", str(path), "--dry-run"], env)
            for _ in range(args.runs)
        ]
        seconds = statistics.median(s for s, _ in samples)
        peak = max(p for _, p in samples)
        size = path.stat().st_size / 1024
        print(f"  {name:<30} {size:8.0f} KB {seconds:7.3f} s {peak:6.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
