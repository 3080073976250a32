"""Changed records: checked by the gate as a set, then written all together or not at all.

Writers (``add``, ``update``, ``import``) build the new bytes of each record
they change; this module reads them back with the strict reader, runs the same
per-record checks as ``copro validate`` plus the references of those records
(not the whole archive: one record and what it names), and writes them under
one lock per archive, refusing any record that changed on disk since it was
read. A write either replaces every file or, on failure, restores every file
already replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.edit import Edited
from copro.core.errors import CoproError
from copro.core.paths import RecordFile, relpath
from copro.core.problems import Problem
from copro.core.records import ID_PATTERN, Record, locate_record, read_record, unreadable
from copro.core.vocab import Vocabularies


@dataclass
class Opened:
    """A record as read for editing: its bytes (to detect later changes) and values."""

    path: Path
    relpath: str
    data: bytes
    record: Record


@dataclass
class Change:
    """One record's edit: bytes before and after, the values it must read back as."""

    opened: Opened
    edited: Edited
    expected: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    """What changed, in words, for the plan printed before writing."""

    @property
    def record_id(self) -> str:
        return self.opened.record.id

    @property
    def relpath(self) -> str:
        return self.opened.relpath

    @property
    def changed(self) -> bool:
        return self.edited.data != self.opened.data


def open_record(root: Path, record_id: str) -> Opened:
    """Read ``record_id`` for editing; an unknown id exits 1, a malformed one exits 2."""
    path = locate_record(root, record_id)
    rel = relpath(root, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CoproError(f"cannot read {rel}: {exc.strerror}") from None
    read = read_record(path, rel, data)
    if read.record is None:
        raise unreadable(read, "; nothing was written")
    return Opened(path, rel, data, read.record)


def named_finding_numbers(root: Path, record_ids: Iterable[str]) -> dict[str, int]:
    """For each record id, the highest ``S`` number any file of the archive names for it.

    Revisits name findings of other records as ``<id>#S<n>``; such a number must
    never be given to a new finding, even after the finding was removed. The
    reference table (``copro.store.references``, kept in the user cache with the
    freshness rule of the record cache and the index) answers without reading
    more than the files that changed.
    """
    from copro.store.references import references

    table = references(root)
    try:
        return table.highest_findings(record_ids)
    finally:
        table.close()


def records_naming(root: Path, record_id: str, finding_id: str) -> list[str]:
    """Ids of the other records with a finding that revisits ``record_id#finding_id``.

    The reference table (``copro.store.references``) names the few files that
    mention it; only those are read, to keep the ones whose ``revisits`` name it.
    """
    from copro.core.paths import ARCHIVE_DIR
    from copro.core.records import as_dicts
    from copro.store.references import references

    number = int(finding_id[1:]) if finding_id[1:].isdigit() else -1
    table = references(root)
    try:
        candidates = table.naming_finding(record_id, number)
    finally:
        table.close()
    wanted = f"{record_id}#{finding_id}"
    found = set()
    for rel in candidates:
        if not rel.startswith(ARCHIVE_DIR + "/"):
            continue
        record = read_record(root / rel, rel).record
        if record is None or record.id == record_id:
            continue
        for finding in as_dicts(record.meta.get("you_said")):
            if any(r.get("finding") == wanted for r in as_dicts(finding.get("revisits"))):
                found.add(record.id)
    return sorted(found)


def next_number(used: Iterable[object], prefix: str, floor: int = 0) -> int:
    """One above the highest ``S``/``D`` number used (and above ``floor``); gaps stay gaps."""
    numbers = [floor]
    for value in used:
        text = str(value)
        if text.startswith(prefix) and text[1:].isdigit():
            numbers.append(int(text[1:]))
    return max(numbers) + 1


# ------------------------------------------------------------------ the gate


def check_changes(
    root: Path, changes: list[Change], vocab: Vocabularies
) -> dict[str, list[Problem]]:
    """Errors the edited records would have, by record id (empty when all pass).

    The same per-record checks as ``validate`` (schema, rules, vocabularies,
    personal data) and the references those records make to the archive.
    """
    from copro.core import checks
    from copro.core.validate import check_file, revisit_targets

    outcomes = [
        (change, check_file(change.opened.path, change.relpath, vocab, change.edited.data))
        for change in changes
    ]
    refs = [outcome.refs for _, outcome in outcomes if outcome.refs is not None]
    named = _named_files(root, refs)  # only what these records name, not the archive
    known = {Path(f.relpath).stem for f in named} | {ref.id for ref in refs}
    cross = checks.check_references(refs, known)
    cross += checks.check_revisits(refs, revisit_targets(refs, named))
    found: dict[str, list[Problem]] = {}
    for change, outcome in outcomes:
        problems = [p for p in outcome.problems if p.is_error]
        problems += [p for p in cross if p.is_error and p.path == change.relpath]
        if outcome.refs is not None and _date_changed(change):
            problems += _revisits_of(root, outcome.refs)
            problems += _evidence_of(root, outcome.refs)
        if not problems:
            problems += _read_back_mismatch(change)
        if problems:
            found[change.record_id] = problems
    return found


def _date_changed(change: Change) -> bool:
    return change.expected.get("date") != change.opened.record.meta.get("date")


def _revisits_of(root: Path, edited: Any) -> list[Problem]:
    """Errors that records revisiting findings of the edited record would have against
    its new values (a new date must stay before theirs), reported on the edited record."""
    from copro.core import checks
    from copro.core.paths import record_path

    naming = sorted({rid for f in edited.finding_ids for rid in records_naming(root, edited.id, f)})
    refs = []
    for other in naming:
        path = record_path(root, other)
        record = read_record(path, relpath(root, path)).record if path.is_file() else None
        if record is not None:
            refs.append(checks.record_refs(record))
    if not refs:
        return []
    targets = {edited.id: edited}
    found = checks.check_revisits(refs, targets)
    broken = sorted(
        {
            p.path
            for p in found
            if p.code == "revisit-not-earlier" and p.message.startswith(f"`{edited.id}#")
        }
    )
    return [
        Problem(
            edited.relpath,
            1,
            "error",
            "revisit-not-earlier",
            f"{Path(rel).stem} revisits findings of this record; its date must stay before "
            "that record's date",
        )
        for rel in broken
    ]


def _evidence_of(root: Path, edited: Any) -> list[Problem]:
    """Errors that consensus statements resting on findings of the edited record would
    have against its new date (it must stay on or before theirs), reported on the record."""
    from copro.core.consensus_checks import evidence_problem, statement_refs
    from copro.core.paths import RECORD, iter_statement_files

    # Statements are few beside records, and the reference table holds records only:
    # their bytes are searched for the id, and only those naming it are read.
    needle = f"{edited.id}#".encode()
    candidates = []
    for found in iter_statement_files(root):
        if found.kind != RECORD:
            continue
        try:
            if needle in found.path.read_bytes():
                candidates.append(found.relpath)
        except OSError:
            continue
    problems = []
    for rel in candidates:
        statement = read_record(root / rel, rel).record
        if statement is None:
            continue
        ref = statement_refs(statement)
        later = [
            finding
            for finding, _ in ref.evidence
            if finding.partition("#")[0] == edited.id
            and (evidence_problem(finding, ref.date, edited) or ("",))[0]
            == "consensus-evidence-later"
        ]
        if later:
            problems.append(
                Problem(
                    edited.relpath,
                    1,
                    "error",
                    "consensus-evidence-later",
                    f"the consensus statement {ref.id} (dated {ref.date}) rests on "
                    f"{', '.join(f.partition('#')[2] for f in later)} of this record; its date "
                    "must stay on or before the statement's date",
                )
            )
    return problems


def _named_files(root: Path, refs: list[Any]) -> list[RecordFile]:
    """The record files that ``refs`` name (related, supersedes, revisits) and that exist."""
    from copro.core.checks import FINDING_REF
    from copro.core.paths import record_path

    ids = {target for ref in refs for target, _ in ref.related}
    ids |= {ref.supersedes[0] for ref in refs if ref.supersedes}
    for ref in refs:
        for revisit in ref.revisits:
            parts = FINDING_REF.fullmatch(revisit.finding)
            if parts and not parts["member"]:
                ids.add(parts["record"])
    found = []
    for record_id in sorted(ids):
        if not ID_PATTERN.fullmatch(record_id):
            continue
        path = record_path(root, record_id)
        if path.is_file() and not path.is_symlink():
            found.append(RecordFile(str(path), relpath(root, path), False))
    return found


def _read_back_mismatch(change: Change) -> list[Problem]:
    """The edited text must read back as exactly the values meant: else refuse it."""
    read = read_record(change.opened.path, change.relpath, change.edited.data)
    if read.record is not None and read.record.meta == change.expected:
        return []
    return [
        Problem(
            change.relpath,
            1,
            "error",
            "edit-not-safe",
            "copro could not make this change without disturbing the rest of the record "
            "(an unusual layout); make it by hand",
        )
    ]


# ------------------------------------------------------------------ writing


def write_changes(root: Path, changes: list[Change]) -> None:
    """Write every changed record, or none: under the archive's writer lock.

    A record whose bytes on disk differ from those read is never overwritten;
    the check and the replace are one critical section, and success means the
    new bytes are what the file holds when the lock is let go.
    """
    from copro.core.fileio import archive_lock

    todo = [c for c in changes if c.changed]
    if not todo:
        return
    with archive_lock(root):
        for change in todo:
            if _on_disk(change.opened.path) != change.opened.data:
                raise CoproError(
                    f"{change.relpath} changed on disk since copro read it; nothing was written",
                    "run the command again to apply it to the new version",
                )
        _replace_all(todo)
        for change in todo:
            if _on_disk(change.opened.path) != change.edited.data:
                raise CoproError(
                    f"{change.relpath} was changed by another program while copro wrote it; "
                    "the change may not be in it",
                    "check the record (`git diff`), then run the command again if needed",
                )


def _on_disk(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _replace_all(todo: list[Change]) -> None:
    """Replace every record, or (on any failure) put back those already replaced.

    Every temp name is noted before its file is written, so a write that
    fails half-way (a full disk) leaves no `.<record>.md.<hex>.tmp` behind.
    The records about to be replaced are hard-linked aside first: putting one
    back is then a rename, which needs no space on a full disk.
    """
    made: list[Path] = []
    try:
        staged = [(change, _stage(change, made)) for change in todo]
        kept = [_keep_aside(change.opened.path, made) for change in todo]
        done: list[int] = []
        try:
            for number, (change, tmp) in enumerate(staged):
                os.replace(tmp, change.opened.path)
                done.append(number)
        except OSError:
            for number in done:  # put back what was already replaced
                _put_back(todo[number], kept[number])
            raise
    except OSError as exc:
        raise CoproError(f"cannot write the records: {exc.strerror}; nothing was changed") from None
    finally:
        for path in made:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _temp_beside(path: Path, made: list[Path]) -> Path:
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    made.append(tmp)
    return tmp


def _stage(change: Change, made: list[Path]) -> Path:
    """The new bytes in a temp file beside the record, synced, with the record's mode."""
    path = change.opened.path
    tmp = _temp_beside(path, made)
    with open(tmp, "xb") as handle:
        handle.write(change.edited.data)
        handle.flush()
        os.fsync(handle.fileno())
    with contextlib.suppress(OSError):
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    return tmp


def _keep_aside(path: Path, made: list[Path]) -> Path | None:
    """A hard link to the record as it is (None where links are not possible)."""
    aside = _temp_beside(path, made)
    try:
        os.link(path, aside)
    except OSError:
        return None
    return aside


def _put_back(change: Change, aside: Path | None) -> None:
    if aside is not None:
        os.replace(aside, change.opened.path)
    else:
        change.opened.path.write_bytes(change.opened.data)
