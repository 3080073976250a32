"""Rules a JSON Schema cannot express, for one record and across the archive."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from copro.core.paths import YEAR_DIR
from copro.core.pii import shown
from copro.core.placeholders import placeholder_problems
from copro.core.problems import ERROR, WARNING, Problem
from copro.core.records import ID_PATTERN, Record
from copro.core.vocab import VOCAB_NAMES, Vocabularies


@dataclass(frozen=True)
class RecordRefs:
    """What a record says about other records, kept for the cross-record pass."""

    relpath: str
    id: str
    related: tuple[tuple[str, int], ...]
    supersedes: tuple[str, int] | None
    date: str | None = None
    finding_ids: frozenset[str] = frozenset()
    revisits: tuple[RevisitRef, ...] = ()


@dataclass(frozen=True)
class RevisitRef:
    """One ``revisits`` entry: the finding it names and the file line of that entry."""

    finding: str
    line: int


def _items(value: object) -> list:
    """A field that should be a list, or an empty one (the record may be invalid: the
    schema reports that; the checks here must not stop on it)."""
    return value if isinstance(value, list) else []


def check_lead_count(record: Record, add: Callable[[int, str, str], None]) -> None:
    """Exactly one lead organisation, when organisations are given: a record and a
    statement are both owned by one organisation, whoever else took part."""
    organisations = [o for o in _items(record.meta.get("organisations")) if isinstance(o, dict)]
    if organisations:
        leads = [o for o in organisations if o.get("role") == "lead"]
        if len(leads) != 1:
            add(
                record.line_of("organisations"),
                "lead-count",
                f"exactly one organisation must have role `lead` (found {len(leads)})",
            )


def check_record(record: Record, vocab: Vocabularies) -> list[Problem]:
    """Id and location, findings and actions, organisations, dates, vocabularies, ladder."""
    problems: list[Problem] = []

    def add(line: int, code: str, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(record.relpath, line, severity, code, message))

    meta = record.meta
    _check_location(record, add)
    _check_findings_and_actions(record, add)
    check_lead_count(record, add)
    start, end = meta.get("date"), meta.get("end_date")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        add(record.line_of("end_date"), "end-date-before-date", "`end_date` is before `date`")
    _check_vocabulary(record, vocab, add)
    problems.extend(placeholder_problems(record))
    if meta.get("ladder") == "co-production":
        decisions = _items(meta.get("decisions"))
        joint = [d for d in decisions if isinstance(d, dict) and d.get("made_by") == "joint"]
        if not joint:
            add(
                record.line_of("ladder"),
                "ladder-honesty",
                "`ladder: co-production` but no decision is recorded as `made_by: joint`; "
                "record the joint decisions or choose the rung that fits",
                WARNING,
            )
    return problems


def _check_location(record: Record, add) -> None:
    record_id = record.meta.get("id")
    if not isinstance(record_id, str):
        return
    stem = record.path.stem
    if record_id != stem:
        add(
            record.line_of("id"),
            "id-mismatch",
            f"`id` must equal the file name: rename the file to "
            f"{shown(record_id, 'the id')}.md or change the id",
        )
    parts = record.relpath.split("/")
    folder = parts[-2] if len(parts) >= 3 else ""
    if len(parts) != 3 or not YEAR_DIR.fullmatch(folder) or folder != record_id[:4]:
        add(
            record.line_of("id"),
            "wrong-folder",
            f"the record belongs in archive/{record_id[:4]}/ (the first four characters of its id)",
        )


def _check_findings_and_actions(record: Record, add) -> None:
    meta = record.meta
    findings = [f for f in _items(meta.get("you_said")) if isinstance(f, dict)]
    actions = [a for a in _items(meta.get("we_did")) if isinstance(a, dict)]
    for field, items in (("you_said", findings), ("we_did", actions)):
        counts = Counter(str(i.get("id")) for i in items if i.get("id") is not None)
        for index, item in enumerate(items):
            if counts.get(str(item.get("id")), 0) > 1:
                add(
                    record.line_of(field, index, "id"),
                    "duplicate-item-id",
                    f"{field} id `{shown(item.get('id'))}` is used more than once in this file",
                )
    finding_ids = {str(f.get("id")) for f in findings}
    for index, action in enumerate(actions):
        targets = action.get("responds_to")
        if not isinstance(targets, list):
            continue
        for position, target in enumerate(targets):
            if str(target) not in finding_ids:
                add(
                    record.line_of("we_did", index, "responds_to", position),
                    "responds-to-unknown",
                    f"we_did `{shown(action.get('id'))}` responds to "
                    f"`{shown(target)}`, which is not a you_said id of this record",
                )


def _check_vocabulary(record: Record, vocab: Vocabularies, add) -> None:
    meta = record.meta
    uses: list[tuple[str, tuple[str | int, ...], object]] = []
    for name in VOCAB_NAMES:  # each vocabulary is named after its field
        values = meta.get(name)
        if isinstance(values, list):
            uses.extend((name, (name, i), v) for i, v in enumerate(values))
    for index, finding in enumerate(_items(meta.get("you_said"))):
        if isinstance(finding, dict) and isinstance(finding.get("topics"), list):
            uses.extend(
                ("topics", ("you_said", index, "topics", i), v)
                for i, v in enumerate(finding["topics"])
            )
    for name, path, value in uses:
        if not isinstance(value, str) or value in vocab[name]:
            continue
        echoed = shown(value, "")
        closest = vocab[name].closest(value) if echoed else []
        suggestion = f"; closest: {', '.join(closest)}" if closest else ""
        add(
            record.line_of(*path),
            "vocab-unknown",
            f"unknown {name} id `{echoed or '(not shown)'}`{suggestion}. If the term is really "
            f"new, add it to schemas/vocab/{name}.yml in the same change",
        )


def record_refs(record: Record) -> RecordRefs:
    meta = record.meta
    related = tuple(
        (r, record.line_of("related", i))
        for i, r in enumerate(_items(meta.get("related")))
        if isinstance(r, str)
    )
    supersedes = meta.get("supersedes")
    date = meta.get("date")
    findings = [f for f in _items(meta.get("you_said")) if isinstance(f, dict)]
    revisits = tuple(
        RevisitRef(entry["finding"], record.line_of("you_said", i, "revisits", j, "finding"))
        for i, finding in enumerate(_items(meta.get("you_said")))
        if isinstance(finding, dict) and isinstance(finding.get("revisits"), list)
        for j, entry in enumerate(finding["revisits"])
        if isinstance(entry, dict)
        and isinstance(entry.get("finding"), str)
        and FINDING_REF.fullmatch(entry["finding"])
    )
    return RecordRefs(
        record.relpath,
        record.id,
        related,
        (supersedes, record.line_of("supersedes")) if isinstance(supersedes, str) else None,
        date if isinstance(date, str) else None,
        frozenset(str(f.get("id")) for f in findings if isinstance(f.get("id"), str)),
        revisits,
    )


FINDING_REF = re.compile(
    r"(?:(?P<member>[a-z0-9]+(?:-[a-z0-9]+)*):)?"
    "(?P<record>" + ID_PATTERN.pattern + r")#(?P<finding>S[0-9]+)"
)
"""``<record-id>#S<n>``, or in a hub ``<member>:<record-id>#S<n>`` (contract section 6)."""


def check_revisits(
    refs: Iterable[RecordRefs], targets: Mapping[str, RecordRefs], in_hub: bool = False
) -> list[Problem]:
    """Section 6: a revisit names an existing finding of an earlier, other record, once.

    ``targets`` maps record ids to what each record says about itself (every
    record of the archive, not only the ones being checked). A ``<member>:``
    target can only be checked in a hub: outside one it is a warning, and in
    a hub the hub's own check (``hub sync``) resolves it, so it is skipped here.
    """
    problems = []
    for ref in refs:
        seen: set[str] = set()
        for revisit in ref.revisits:

            def add(code: str, message: str, severity: str = ERROR) -> None:
                problems.append(Problem(ref.relpath, revisit.line, severity, code, message))  # noqa: B023

            parts = FINDING_REF.fullmatch(revisit.finding)
            if parts is None:
                continue  # the schema reports the form
            if revisit.finding in seen:
                add(
                    "revisit-duplicate",
                    f"`{revisit.finding}` is already revisited by another finding of this "
                    "record; a record revisits each earlier finding at most once",
                )
                continue
            seen.add(revisit.finding)
            if parts["member"]:
                if not in_hub:
                    add(
                        "revisit-outside-hub",
                        f"`{revisit.finding}` names a finding of hub member "
                        f"`{parts['member']}`; it can only be checked in a hub (`copro hub sync`)",
                        WARNING,
                    )
                continue
            record_id, finding_id = parts["record"], parts["finding"]
            if record_id == ref.id:
                add("revisit-self", "a finding cannot revisit a finding of its own record")
                continue
            target = targets.get(record_id)
            if target is None:
                add(
                    "revisit-unknown",
                    f"`{revisit.finding}` names the record `{record_id}`, which is not in this "
                    "archive (was its id changed? use its current id)",
                )
                continue
            if finding_id not in target.finding_ids:
                add(
                    "revisit-unknown",
                    f"`{revisit.finding}`: the record `{record_id}` has no finding `{finding_id}`",
                )
                continue
            if ref.date and target.date and not target.date < ref.date:
                add(
                    "revisit-not-earlier",
                    f"`{revisit.finding}` is from a record dated {target.date}, not before this "
                    f"record's date {ref.date}; only earlier findings can be revisited",
                )
    return problems


def check_references(refs: Iterable[RecordRefs], known_ids: set[str]) -> list[Problem]:
    """``related`` and ``supersedes`` must name records of this archive, never themselves."""
    problems = []
    for ref in refs:
        targets = list(ref.related) + ([ref.supersedes] if ref.supersedes else [])
        for target, line in targets:
            field = (
                "supersedes" if ref.supersedes and (target, line) == ref.supersedes else "related"
            )
            if target == ref.id:
                problems.append(
                    Problem(
                        ref.relpath,
                        line,
                        ERROR,
                        "reference-self",
                        f"`{field}` names this record itself",
                    )
                )
            elif target not in known_ids:
                problems.append(
                    Problem(
                        ref.relpath,
                        line,
                        ERROR,
                        "reference-unknown",
                        f"`{field}` names `{shown(target)}`, which is not a record of this archive",
                    )
                )
    return problems


def check_duplicate_ids(files: Iterable[tuple[str, str]]) -> list[Problem]:
    """Two files whose ids differ only in case would collide on some file systems."""
    by_folded: dict[str, list[str]] = {}
    for relpath, stem in files:
        by_folded.setdefault(stem.casefold(), []).append(relpath)
    problems = []
    for paths in by_folded.values():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                problems.append(
                    Problem(path, 1, ERROR, "duplicate-id", f"the same id is also used by {others}")
                )
    return problems
