"""A write that fails for lack of space leaves the archive exactly as it was.

RLIMIT_FSIZE makes a real write fail as a full disk does (mounting a tiny
tmpfs needs root): the record files keep their bytes, no `.<record>.md.<hex>.tmp`
stays beside them (it would fail `validate` with file-not-a-record), and the
message says nothing was changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NEW_OPTIONS, limit_file_size

RID = "2019-03-somali-mothers-parenting"
LIMIT = 1000
"""Bytes a file may grow to: less than any sample record, more than nothing."""

WRITES = {
    "add finding": ["add", "finding", RID, "--text", "Said on a full disk"],
    "add action": ["add", "action", RID, "--responds-to", "S1", "--status", "planned",
                   "--text", "Planned on a full disk"],
    "update": ["update", RID, "--participants", "31"],
    "import": ["import", "{csv}", "--yes"],
    "new": ["new", "--title", "Full disk drop-in", *NEW_OPTIONS, "--yes"],
    "revisit": ["revisit", RID, "--date", "2026-12-01", "--yes"],
}  # fmt: skip


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "archive").rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("command", list(WRITES))
def test_a_full_disk_leaves_no_temp_file_and_no_change(sample_root, tmp_path, cli, command):
    sheet = tmp_path / "rows.csv"
    sheet.write_text(
        f"record_id,finding_id,finding,finding_topics\n{RID},,From the sheet on a full disk,\n",
        encoding="utf-8",
    )
    assert cli("--root", str(sample_root), "index").exit_code == 0  # the cache is warm
    before = _snapshot(sample_root)
    args = [a.format(csv=sheet) for a in WRITES[command]]
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(sample_root), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        preexec_fn=limit_file_size(LIMIT),
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
    assert "nothing was" in " ".join(done.stderr.split())
    assert _snapshot(sample_root) == before  # no temp file, no record touched
    checked = cli("--root", str(sample_root), "validate")
    assert checked.exit_code == 0, checked.stdout
