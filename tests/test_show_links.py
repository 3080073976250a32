"""`show` connects records both ways: related to, related from, supersedes, superseded by."""

from __future__ import annotations

import json

from conftest import VALID_RECORD, write_record


def record_with(record_id: str, extra: str) -> str:
    text = VALID_RECORD.format(id=record_id)
    return text.replace("---\n\n## Summary", f"{extra}---\n\n## Summary")


def test_show_lists_links_in_both_directions(empty_root, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    write_record(empty_root, "2024-03-first")
    write_record(
        empty_root,
        "2025-03-follow-up",
        record_with("2025-03-follow-up", "related: [2024-03-first]\n").replace(
            "date: 2024-03-01", "date: 2025-03-01"
        ),
    )
    write_record(
        empty_root,
        "2026-03-replacement",
        record_with("2026-03-replacement", "supersedes: 2024-03-first\n").replace(
            "date: 2024-03-01", "date: 2026-03-01"
        ),
    )
    shown = cli("--root", str(empty_root), "show", "2024-03-first")
    assert shown.exit_code == 0, shown.stderr
    lines = [" ".join(line.split()) for line in shown.stdout.splitlines()]
    assert any(line.startswith("related from 2025-03-follow-up") for line in lines), lines
    assert any(line.startswith("superseded by 2026-03-replacement") for line in lines), lines
    document = json.loads(cli("--root", str(empty_root), "show", "2024-03-first", "--json").stdout)
    assert [(link["id"], link["how"]) for link in document["related_from"]] == [
        ("2025-03-follow-up", "related"),
        ("2026-03-replacement", "supersedes"),
    ]
    back = cli("--root", str(empty_root), "show", "2025-03-follow-up")
    assert any(
        " ".join(line.split()).startswith("related to 2024-03-first")
        for line in back.stdout.splitlines()
    )
    assert (
        json.loads(cli("--root", str(empty_root), "show", "2025-03-follow-up", "--json").stdout)[
            "related_from"
        ]
        == []
    )
