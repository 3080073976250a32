"""``copro validate``: the gate every record passes, locally and in CI.

Each file is read strictly, scanned for personal data, checked against the
JSON Schema and the rules in code; then references across records are checked.
Large archives are checked on both cores. The result is a value; rendering it
(text, JSON, GitHub annotations) is the command layer's job.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copro.core import checks, consensus_checks, parallel, records, schema
from copro.core.errors import UsageError
from copro.core.paths import (
    ARCHIVE_DIR,
    CONSENSUS_DIR,
    RECORD,
    SYMLINK,
    UNREADABLE,
    RecordFile,
    is_statement_path,
    iter_record_files,
    iter_statement_files,
    not_a_record_reason,
    relpath,
)
from copro.core.problems import ERROR, WARNING, Problem
from copro.core.settings import check_settings
from copro.core.vocab import Vocabularies, load_vocabularies

Progress = Callable[[int, int], None]


@dataclass
class ValidationResult:
    """What ``copro validate`` found; ``to_json`` is the contract's shape."""

    files_checked: int
    """Records and consensus statements read and checked. A stray file (a
    ``file-not-a-record`` error), a link or an unreadable folder is a problem, not a
    file checked, and a ``.gitkeep`` is neither."""
    problems: list[Problem] = field(default_factory=list)
    refs: list[checks.RecordRefs] = field(default_factory=list, repr=False)
    """What each readable record checked says about itself and others (the hub uses it)."""
    statement_refs: list[consensus_checks.StatementRefs] = field(default_factory=list, repr=False)
    """What each readable consensus statement checked cites (the hub uses it)."""

    statements_checked: int = 0
    """How many of ``files_checked`` are consensus statements."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, object]:
        return {
            "files_checked": self.files_checked,
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass
class FileOutcome:
    problems: list[Problem]
    refs: checks.RecordRefs | None
    statement: consensus_checks.StatementRefs | None = None


def check_file(path: Path, rel: str, vocab: Vocabularies, data: bytes | None = None) -> FileOutcome:
    """Every per-file check of one record file (or of ``data``, the bytes it would hold).

    A file under consensus/ is a consensus statement: the same reading and
    personal-data scan, its own schema and rules (contract section 8).
    """
    read = records.read_record(path, rel, data)
    problems = list(read.problems)
    if read.text is not None:
        found, allowed = read.personal_data()
        problems.extend(Problem(rel, f.line, ERROR, f.code, f.message) for f in found)
        problems.extend(
            Problem(
                rel,
                line,
                WARNING,
                "pii-allowed",
                "line marked `copro: allow pii` as a deliberate false positive; "
                "a reviewer should confirm it holds no personal data",
            )
            for line in sorted(allowed)
        )
    record = read.record
    if record is None:
        return FileOutcome(problems, None)
    statement = is_statement_path(rel)
    schema_name = schema.CONSENSUS_SCHEMA_FILE if statement else schema.SCHEMA_FILE
    for path_in_record, code, message in schema.schema_errors(record.meta, schema_name):
        if record.is_flawed(path_in_record):
            continue
        problems.append(Problem(rel, record.line_of(*path_in_record), ERROR, code, message))
    if statement:
        problems.extend(consensus_checks.check_statement(record, vocab))
        return FileOutcome(problems, None, consensus_checks.statement_refs(record))
    problems.extend(checks.check_record(record, vocab))
    return FileOutcome(problems, checks.record_refs(record))


def _check_chunk(vocab: Vocabularies, items: list[tuple[str, str]]) -> list[FileOutcome]:
    return [check_file(Path(p), rel, vocab) for p, rel in items]


def _check_all(
    items: list[tuple[str, str]], vocab: Vocabularies, progress: Progress | None
) -> list[FileOutcome]:
    """Every file's outcome, in order; a large archive's on every core (``core.parallel``)."""
    out: list[FileOutcome] = []
    for results in parallel.map_chunks(_check_chunk, items, vocab, chunk=100):
        out.extend(results)
        if progress:
            progress(len(out), len(items))
    return out


def validate_archive(
    root: Path,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    changed_since: str | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Check the whole archive, or only ``paths``, or what changed since ``changed_since``."""
    root = Path(root).resolve()
    vocab, problems = load_vocabularies(root)
    statement_files = list(iter_statement_files(root, every_file=True))
    every_file = list(iter_record_files(root, every_file=True)) + statement_files
    all_files = [
        f for f in every_file if f.kind in (RECORD, SYMLINK) and not is_statement_path(f.relpath)
    ]
    known_ids = {Path(f.relpath).stem for f in all_files}
    statement_ids = {Path(f.relpath).stem for f in statement_files if f.kind in (RECORD, SYMLINK)}
    if changed_since is not None:
        from copro.core import gitrepo

        changed = gitrepo.changed_records(root, changed_since)
        selected = [f for f in every_file if f.relpath in changed]
        problems.extend(gitrepo.scan_history(root, changed_since))
    elif paths:
        wanted = _resolve_paths(root, paths)
        selected = [f for f in every_file if any(_within(f.relpath, w) for w in wanted)]
    else:
        selected = every_file
    items = []
    for f in selected:
        if f.kind == RECORD:
            items.append((str(f.path), f.relpath))
        else:
            problems.append(_not_checkable(f))
    outcomes = _check_all(items, vocab, progress)
    for outcome in outcomes:
        problems.extend(outcome.problems)
    refs = [o.refs for o in outcomes if o.refs is not None]
    cited = [o.statement for o in outcomes if o.statement is not None]
    problems.extend(checks.check_references(refs, known_ids))
    problems.extend(checks.check_revisits(refs, revisit_targets(refs, all_files)))
    if cited:
        targets = revisit_targets(refs, all_files, consensus_checks.wanted_records(cited))
        problems.extend(consensus_checks.check_statements(cited, targets, known_ids, statement_ids))
    selected_paths = {f.relpath for f in selected}
    problems.extend(
        p
        for p in checks.check_duplicate_ids((f.relpath, Path(f.relpath).stem) for f in all_files)
        if p.path in selected_paths
    )
    if not paths:
        problems.extend(check_settings(root))
    problems.sort(key=lambda p: (p.path, p.line, p.severity != ERROR, p.code))
    statements = sum(1 for _, rel in items if is_statement_path(rel))
    return ValidationResult(len(items), problems, refs, cited, statements)


def _not_checkable(found: RecordFile) -> Problem:
    """The error for a symlink, a file that is no record, or a folder that cannot be read."""
    if found.kind == SYMLINK:
        code, message = (
            "file-symlink",
            "symbolic links are not allowed in archive/; copy the file instead",
        )
    elif found.kind == UNREADABLE:
        code, message = (
            "file-unreadable",
            "cannot read this folder, so its files cannot be checked; fix its permissions",
        )
    else:
        code, message = "file-not-a-record", not_a_record_reason(found.relpath)
    return Problem(found.relpath, 1, ERROR, code, message)


def revisit_targets(
    refs: list[checks.RecordRefs],
    all_files: Sequence[RecordFile],
    wanted: set[str] | None = None,
) -> dict[str, checks.RecordRefs]:
    """What each record that a revisit (or ``wanted`` names) says about itself (id, date,
    finding ids).

    Records checked in this run are already read; a named record outside the
    selection (``validate archive/2024``) is read here, only for this.
    """
    targets = {ref.id: ref for ref in refs}
    if wanted is not None:
        return _read_targets(targets, wanted, all_files)
    wanted = {
        parts["record"]
        for ref in refs
        for revisit in ref.revisits
        if (parts := checks.FINDING_REF.fullmatch(revisit.finding)) and not parts["member"]
    }
    return _read_targets(targets, wanted, all_files)


def _read_targets(
    targets: dict[str, checks.RecordRefs], wanted: set[str], all_files: Sequence[RecordFile]
) -> dict[str, checks.RecordRefs]:
    for found in all_files:
        stem = Path(found.relpath).stem
        if stem in wanted and stem not in targets and not found.is_symlink:
            record = records.read_record(found.path, found.relpath).record
            if record is not None:
                targets[stem] = checks.record_refs(record)
    return targets


def _resolve_paths(root: Path, paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Paths given on the command line, as archive-relative prefixes."""
    wanted = []
    for given in paths:
        path = Path(given)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or folder: {given}")
        rel = (
            relpath(root, path.parent) + "/" + path.name
            if path.is_symlink()
            else relpath(root, path)
        )
        tops = (ARCHIVE_DIR, CONSENSUS_DIR)
        inside = any(rel == top or rel.startswith(top + "/") for top in tops)
        if not inside and rel != ".":
            raise UsageError(
                f"{given} is not inside {root / ARCHIVE_DIR}",
                "validate checks records under the archive root's archive/ folder "
                "and consensus statements under consensus/",
            )
        wanted.append("" if rel == "." else rel)
    return wanted


def _within(candidate: str, prefix: str) -> bool:
    return prefix == "" or candidate == prefix or candidate.startswith(prefix.rstrip("/") + "/")
