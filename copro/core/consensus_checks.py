"""The gate for consensus statements (contract section 8): what a schema cannot say.

A statement file is read, scanned for personal data and checked against its
own JSON Schema exactly as a record is (``copro.validate`` does that); the
rules here are the ones that need code: where the file lives, one lead
organisation, vocabulary ids, and, across the archive, the evidence (each
finding exists, in a record dated on or before the statement, once) and the
shared id space of records and statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from copro.core.checks import FINDING_REF, RecordRefs, check_lead_count
from copro.core.pii import scan_value, shown
from copro.core.problems import ERROR, WARNING, Problem
from copro.core.records import Record
from copro.core.vocab import Vocabularies

SCOPE_VOCABULARIES = ("topics", "populations", "places")
"""A statement's scope: the vocabularies its own fields use."""

MIN_EVIDENCE = 2


@dataclass(frozen=True)
class StatementRefs:
    """What a statement names, kept for the cross-archive pass (picklable for workers)."""

    relpath: str
    id: str
    date: str | None
    evidence: tuple[tuple[str, int], ...]
    """(``finding`` as written, its file line) of every well-formed evidence entry."""
    names: tuple[tuple[str, str, int], ...] = ()
    """(field, id, line) of ``related`` and ``supersedes``."""


def _named(text: str) -> str:
    """An id or ``ID#SN`` that matched its pattern, as written unless it reads as personal data."""
    return "(not shown)" if scan_value(text) else text


def _items(value: object) -> list:
    return value if isinstance(value, list) else []


def check_statement(record: Record, vocab: Vocabularies) -> list[Problem]:
    """Per-file rules: location, one lead, vocabulary ids, each finding once."""
    problems: list[Problem] = []

    def add(line: int, code: str, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(record.relpath, line, severity, code, message))

    meta = record.meta
    statement_id = meta.get("id")
    if isinstance(statement_id, str) and statement_id != record.path.stem:
        add(
            record.line_of("id"),
            "id-mismatch",
            f"`id` must equal the file name: rename the file to "
            f"{shown(statement_id, 'the id')}.md or change the id",
        )
    check_lead_count(record, add)
    uses: list[tuple[str, tuple[str | int, ...], object]] = [
        (name, (name, i), value)
        for name in SCOPE_VOCABULARIES
        for i, value in enumerate(_items(meta.get(name)))
    ]
    for index, agreed in enumerate(_items(meta.get("agreed_with"))):
        if isinstance(agreed, dict):
            uses.extend(
                ("populations", ("agreed_with", index, "populations", i), value)
                for i, value in enumerate(_items(agreed.get("populations")))
            )
    for name, path, value in uses:
        if isinstance(value, str) and value not in vocab[name]:
            echoed = shown(value, "")
            closest = vocab[name].closest(value) if echoed else []
            suggestion = f"; closest: {', '.join(closest)}" if closest else ""
            add(
                record.line_of(*path),
                "vocab-unknown",
                f"unknown {name} id `{echoed or '(not shown)'}`{suggestion}. If the term is "
                f"really new, add it to schemas/vocab/{name}.yml in the same change",
            )
    seen: set[str] = set()
    for index, entry in enumerate(_items(meta.get("evidence"))):
        finding = entry.get("finding") if isinstance(entry, dict) else None
        if not isinstance(finding, str):
            continue
        if finding in seen:
            add(
                record.line_of("evidence", index, "finding"),
                "consensus-evidence-duplicate",
                f"`{_named(finding)}` is already in the evidence; "
                "a finding appears once (give it one stance)",
            )
        seen.add(finding)
    return problems


def statement_refs(record: Record) -> StatementRefs:
    meta = record.meta
    evidence = tuple(
        (entry["finding"], record.line_of("evidence", i, "finding"))
        for i, entry in enumerate(_items(meta.get("evidence")))
        if isinstance(entry, dict)
        and isinstance(entry.get("finding"), str)
        and FINDING_REF.fullmatch(entry["finding"])
    )
    names = [
        ("related", target, record.line_of("related", i))
        for i, target in enumerate(_items(meta.get("related")))
        if isinstance(target, str)
    ]
    supersedes = meta.get("supersedes")
    if isinstance(supersedes, str):
        names.append(("supersedes", supersedes, record.line_of("supersedes")))
    date = meta.get("date")
    return StatementRefs(
        record.relpath, record.id, date if isinstance(date, str) else None, evidence, tuple(names)
    )


def wanted_records(statements: Iterable[StatementRefs]) -> set[str]:
    """Ids of this archive's records that statements cite (to read those outside a selection)."""
    return {
        parts["record"]
        for ref in statements
        for finding, _ in ref.evidence
        if (parts := FINDING_REF.fullmatch(finding)) and not parts["member"]
    }


def check_statements(
    statements: Iterable[StatementRefs],
    targets: Mapping[str, RecordRefs],
    record_ids: set[str],
    statement_ids: set[str],
    in_hub: bool = False,
) -> list[Problem]:
    """Cross-archive rules: evidence exists and is not later, the id space, references.

    ``targets`` maps record ids to what each record says about itself;
    ``record_ids`` and ``statement_ids`` are every id of the archive. A
    ``member:`` finding is a warning outside a hub (``hub sync`` checks it)
    and skipped in one.
    """
    problems: list[Problem] = []
    for ref in statements:

        def add(line: int, code: str, message: str, severity: str = ERROR) -> None:
            problems.append(Problem(ref.relpath, line, severity, code, message))  # noqa: B023

        if ref.id in record_ids:
            add(
                1,
                "consensus-id-taken",
                f"`{_named(ref.id)}` is already the id of a record; records and statements share "
                "one id space: give the statement another id (and rename the file)",
            )
        records_cited: set[str] = set()
        for finding, line in ref.evidence:
            parts = FINDING_REF.fullmatch(finding)
            if parts is None:
                continue
            if parts["member"]:
                records_cited.add(parts["member"] + ":" + parts["record"])
                if not in_hub:
                    add(
                        line,
                        "consensus-evidence-outside-hub",
                        f"`{_named(finding)}` names a finding of hub member `{parts['member']}`; "
                        "it can only be checked in a hub (`copro hub sync`)",
                        WARNING,
                    )
                continue
            records_cited.add(parts["record"])
            problem = evidence_problem(finding, ref.date, targets.get(parts["record"]))
            if problem is not None:
                add(line, *problem)
        if len(records_cited) == 1 and len(ref.evidence) >= MIN_EVIDENCE:
            add(
                1,
                "consensus-one-source",
                "every finding comes from one engagement; a consensus usually rests on "
                "several (cite findings of other engagements, or keep it as that "
                "engagement's finding)",
                WARNING,
            )
        for field, target, line in ref.names:
            if target == ref.id:
                add(line, "reference-self", f"`{field}` names this statement itself")
            elif target not in record_ids and target not in statement_ids:
                add(
                    line,
                    "reference-unknown",
                    f"`{field}` names `{shown(target)}`, which is not a record or statement "
                    "of this archive",
                )
    return problems


def evidence_problem(
    finding: str, statement_date: str | None, target: RecordRefs | None
) -> tuple[str, str] | None:
    """(code, message) when ``finding`` does not name a finding the statement may rest on."""
    record_id, _, finding_id = finding.rpartition(":")[2].partition("#")
    if target is None:
        return (
            "consensus-evidence-unknown",
            f"`{_named(finding)}` names the record `{_named(record_id)}`, which is not in this "
            "archive (was its id changed? use its current id)",
        )
    if finding_id not in target.finding_ids:
        return (
            "consensus-evidence-unknown",
            f"`{_named(finding)}`: the record `{_named(record_id)}` has no finding `{finding_id}`",
        )
    if statement_date and target.date and target.date > statement_date:
        return (
            "consensus-evidence-later",
            f"`{_named(finding)}` is from a record dated {target.date}, after the statement's date "
            f"{statement_date}; a statement rests on what was said on or before its date",
        )
    return None
