"""The reference table: one record's view reads the records that name it, kept fresh.

``show`` and ``report ID`` no longer read the whole archive: the records that
point at a record come from a table in the user cache. These tests change the
archive between commands (a revisit added, a link removed, a file deleted, an
edit that keeps size and mtime) and check the one-record views follow.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import VALID_RECORD, revisiting, write_record
from copro.store.references import REFERENCES_FILE, references

OLD = "2024-03-earlier"


def _standing(cli, root: Path) -> str:
    result = cli("--root", str(root), "show", OLD, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["standing"][0]["standing"]


def test_show_follows_revisits_added_changed_and_removed(empty_root: Path, cli) -> None:
    write_record(empty_root, OLD)
    assert _standing(cli, empty_root) == "not-revisited"
    later = write_record(empty_root, "2025-03-later", revisiting("2025-03-later"))
    assert _standing(cli, empty_root) == "changed"
    later.write_text(revisiting("2025-03-later", outcome="still-holds"), encoding="utf-8")
    assert _standing(cli, empty_root) == "still-holds"
    later.unlink()
    assert _standing(cli, empty_root) == "not-revisited"


def test_an_edit_keeping_size_and_mtime_is_seen(empty_root: Path, cli) -> None:
    write_record(empty_root, OLD)
    later = write_record(empty_root, "2025-03-later", revisiting("2025-03-later"))
    assert _standing(cli, empty_root) == "changed"
    info = later.stat()
    later.write_text(revisiting("2025-03-later", outcome="unclear"), encoding="utf-8")
    assert later.stat().st_size == info.st_size
    os.utime(later, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert _standing(cli, empty_root) == "unclear"


def test_related_from_and_report_come_from_the_table(empty_root: Path, cli) -> None:
    write_record(empty_root, OLD)
    write_record(
        empty_root,
        "2025-03-linked",
        VALID_RECORD.format(id="2025-03-linked").replace(
            "topics: [parenting]\n", f"topics: [parenting]\nrelated: [{OLD}]\n"
        ),
    )
    write_record(empty_root, "2025-04-unrelated")
    shown = json.loads(cli("--root", str(empty_root), "show", OLD, "--json").stdout)
    assert [link["id"] for link in shown["related_from"]] == ["2025-03-linked"]
    report = cli("--root", str(empty_root), "report", OLD)
    assert report.exit_code == 0, report.stderr


def test_the_table_names_only_files_that_name_the_record(empty_root: Path) -> None:
    write_record(empty_root, OLD)
    write_record(empty_root, "2025-03-later", revisiting("2025-03-later"))
    write_record(empty_root, "2025-04-unrelated")
    table = references(empty_root)
    try:
        assert table.naming(OLD) == ["archive/2025/2025-03-later.md"]
        assert table.highest_findings([OLD, "2025-04-unrelated"]) == {OLD: 1}
    finally:
        table.close()


def test_a_damaged_table_is_rebuilt(empty_root: Path, cli, private_cache: Path) -> None:
    write_record(empty_root, OLD)
    write_record(empty_root, "2025-03-later", revisiting("2025-03-later"))
    assert _standing(cli, empty_root) == "changed"
    (damaged,) = private_cache.rglob(REFERENCES_FILE)
    damaged.write_bytes(b"not a database at all" * 100)
    assert _standing(cli, empty_root) == "changed"
