"""Small real archives for consensus statement tests: records and statements written as files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

CONFIDENCE = {
    "overall": "moderate",
    "methodological_limitations": {"concerns": "minor"},
    "coherence": {"concerns": "moderate", "note": "one group disagreed in part"},
    "adequacy": {"concerns": "minor"},
    "relevance": {"concerns": "none"},
    "explanation": "Several engagements over several years say the same.",
}


def write_yaml_file(path: Path, meta: dict, body: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
    path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")
    return path


def record(
    root: Path,
    record_id: str,
    date: str,
    findings: Sequence[str] = ("People want letters in their own language.",),
    populations: Sequence[str] = ("carers",),
    contributors: Sequence[dict] = (),
    status: str = "completed",
    revisits: dict[int, tuple[str, str]] | None = None,
    lead: str = "Test Trust",
    **extra: object,
) -> Path:
    """A valid record; ``revisits`` maps a finding number to (earlier ``ID#SN``, outcome)."""
    you_said = []
    for number, text in enumerate(findings, start=1):
        finding: dict = {"id": f"S{number}", "text": text}
        if revisits and number in revisits:
            target, outcome = revisits[number]
            finding["revisits"] = [{"finding": target, "outcome": outcome}]
        you_said.append(finding)
    meta: dict = {
        "id": record_id,
        "title": f"Engagement {record_id}",
        "status": status,
        "date": date,
        "organisations": [{"name": lead, "sector": "nhs", "role": "lead"}],
        "places": ["camden"],
        "methods": ["workshop"],
        "ladder": "consultation",
        "populations": list(populations),
        "topics": ["language-and-interpreting"],
        "you_said": you_said,
        "consent": {"quotes": False, "recontact": False},
    }
    if contributors:
        meta["contributors"] = list(contributors)
    meta.update(extra)
    return write_yaml_file(root / "archive" / record_id[:4] / f"{record_id}.md", meta)


def statement(
    root: Path,
    statement_id: str,
    date: str,
    evidence: Sequence[tuple[str, str] | str],
    status: str = "draft",
    confidence: dict | None = None,
    body: str = "\n## Why we think this\n\nSeveral groups told us so.\n",
    **extra: object,
) -> Path:
    """A statement file; evidence is ``ID#SN`` (stance supports) or (``ID#SN``, stance)."""
    items = [
        {"finding": e, "stance": "supports"}
        if isinstance(e, str)
        else {"finding": e[0], "stance": e[1]}
        for e in evidence
    ]
    meta: dict = {
        "id": statement_id,
        "title": f"Statement {statement_id}",
        "statement": "People want information in their own language and their own words.",
        "status": status,
        "date": date,
        "organisations": [{"name": "Test Trust", "sector": "nhs", "role": "lead"}],
        "topics": ["language-and-interpreting"],
        "populations": ["carers"],
        "places": ["camden"],
        "evidence": items,
    }
    if confidence is not None:
        meta["confidence"] = confidence
    elif status == "agreed":
        meta["confidence"] = CONFIDENCE
    meta.update(extra)
    return write_yaml_file(root / "consensus" / f"{statement_id}.md", meta, body)


def three_records(root: Path) -> Path:
    """An archive root holding three engagements (2019, 2021, 2023) about language, from
    different groups; returns the root."""
    (root / "archive").mkdir(parents=True, exist_ok=True)
    record(
        root,
        "2019-03-first",
        "2019-03-01",
        ["Letters only in English are missed.", "Interpreters should be women."],
        populations=["somali-community", "mothers"],
        contributors=[
            {"role": "community researcher", "credit": "named", "name": "Amina Testfield"},
            {"role": "participant", "credit": "anonymous"},
        ],
    )
    record(
        root,
        "2021-06-second",
        "2021-06-01",
        ["Translated leaflets use words nobody says."],
        populations=["older-people"],
        contributors=[
            {"role": "peer researcher", "credit": "named", "name": "Rafi Example"},
            {"role": "participant", "credit": "anonymous"},
            {"role": "participant", "credit": "anonymous"},
        ],
    )
    record(
        root,
        "2023-09-third",
        "2023-09-01",
        ["English is fine if it is plain English."],
        populations=["carers"],
    )
    return root
