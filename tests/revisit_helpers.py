"""Small records for revisit tests: dated, with findings, optionally revisiting others."""

from __future__ import annotations

from pathlib import Path

from conftest import write_record


def finding_yaml(number: int, text: str, revisits: list[tuple[str, str]] = ()) -> str:
    lines = [f"  - id: S{number}", f"    text: {text}"]
    if revisits:
        lines.append("    revisits:")
        for target, outcome in revisits:
            lines += [f"      - finding: {target}", f"        outcome: {outcome}"]
    return "\n".join(lines)


def revisit_record(
    root: Path,
    record_id: str,
    date: str,
    findings: list[str],
    *,
    status: str = "completed",
    extra: str = "",
) -> Path:
    """A valid record dated ``date`` whose ``you_said`` is the given finding blocks."""
    said = "you_said:\n" + "\n".join(findings) + "\n" if findings else ""
    text = f"""---
id: {record_id}
title: Engagement {record_id}
status: {status}
date: {date}
organisations:
  - name: Test Trust
    sector: nhs
    role: lead
places: [camden]
methods: [workshop]
ladder: consultation
populations: [somali-women]
topics: [parenting]
{said}{extra}consent:
  quotes: false
  recontact: false
---

## Summary

A test engagement.
"""
    return write_record(root, record_id, text)
