"""``copro update STATEMENT-ID``: the few fields of a consensus statement set without YAML.

Contract section 8: ``--title``, ``--statement``, ``--status`` and
``--review-by``. Everything else in a statement is a judgement made with
``copro consensus agree`` (the GRADE-CERQual confidence, how people agreed it)
or written in the file (evidence and stances, decisions, the body). The edit
keeps every byte it does not change, removes the commented placeholder of a
field it sets, passes the same gate as ``consensus draft`` and ``agree``, and
is read, checked and written under the archive's one writer lock.

Status: any of ``draft``, ``agreed``, ``retired``; ``agreed`` needs the
CERQual judgement already in the file (else ``consensus agree`` is the way,
exit 1). Going back to ``draft`` takes a statement off the site and out of
letters again; its judgement stays in the file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copro.core.edit import RecordText, Value
from copro.core.errors import CoproError, UsageError
from copro.core.fileio import archive_lock
from copro.core.model import STATEMENT_STATUSES
from copro.core.problems import Problem
from copro.core.records import Record
from copro.store.archive import Archive
from copro.write.consensus import MAX_STATEMENT, problems_among, refuse_problems, statement_rel
from copro.write.newrecord import check_choice, check_date, check_text
from copro.write.update import UpdateResult

STATEMENT_OPTIONS = ("--title", "--statement", "--status", "--review-by")
"""What ``update`` sets on a statement (contract section 8), in the order written."""


@dataclass
class StatementUpdate:
    """What ``update`` was given for a statement; None leaves a field as it is."""

    title: str | None = None
    statement: str | None = None
    status: str | None = None
    review_by: str | None = None

    def cleaned(self) -> dict[str, Value]:
        """Field -> checked value, in file order; a bad value is a usage error (exit 2)
        that never repeats what was typed when it looks like personal data."""
        fields: dict[str, Value] = {}
        if self.title is not None:
            fields["title"] = check_text(self.title, "--title")
        if self.statement is not None:
            fields["statement"] = check_text(self.statement, "--statement", MAX_STATEMENT)
        if self.status is not None:
            fields["status"] = check_choice(self.status, STATEMENT_STATUSES, "--status")
        if self.review_by is not None:
            fields["review_by"] = check_date(self.review_by, "--review-by")
        if not fields:
            raise UsageError(
                "nothing to update",
                "a statement takes " + ", ".join(STATEMENT_OPTIONS) + " (copro update --help)",
            )
        return fields


def update_statement(
    archive: Archive | Path, statement_id: str, request: StatementUpdate, dry_run: bool = False
) -> UpdateResult:
    """Set what ``request`` gives on ``consensus/<statement_id>.md`` (see the module)."""
    from copro.core.records import read_record, unreadable
    from copro.core.schema import CONSENSUS_SCHEMA_FILE, load_schema
    from copro.write.changes import Change, Opened, write_changes

    archive = Archive.of(archive)
    root = archive.root
    fields = request.cleaned()
    rel = statement_rel(statement_id)
    with contextlib.nullcontext() if dry_run else archive_lock(root):
        path = root / rel
        data = path.read_bytes()
        read = read_record(path, rel, data)
        if read.record is None:
            raise unreadable(read, "; nothing was written")
        meta = read.record.meta
        _refuse_unjudged_agreement(statement_id, meta, fields)
        order = list(load_schema(CONSENSUS_SCHEMA_FILE)["properties"])
        editor = RecordText(data, rel, order)
        expected: dict[str, Any] = dict(meta)
        said = []
        for key, value in fields.items():
            if meta.get(key) != value:
                editor.set_field(key, value)
                expected[key] = value
                said.append(f"{key} set")
        edited = editor.result()
        change = Change(
            Opened(path, rel, data, read.record), edited, expected, said or ["nothing to change"]
        )
        if change.changed:
            refuse_problems(_problems(archive, read.record, edited.data))
            _refuse_disturbed(path, rel, edited.data, expected)
        result = UpdateResult(statement_id, rel, None, change.lines)
        if not dry_run and change.changed:
            write_changes(root, [change])
            result.written = True
    return result


def _problems(archive: Archive, before: Record, data: bytes) -> list[Problem]:
    """What ``validate`` would say of the edited statement, reading only the records
    around its evidence (``update`` never changes the evidence) and the archive's ids
    from its file names, not every record."""
    from copro.core.model import Statement
    from copro.core.paths import iter_statement_files
    from copro.core.records import archive_ids

    statement = Statement.from_front_matter(before.meta, before.body, before.relpath)
    around = [e for e in archive.around_evidence(statement) if e.member is None]
    record_ids = set(archive_ids(archive.root))
    statement_ids = {Path(f.relpath).stem for f in iter_statement_files(archive.root)}
    return problems_among(
        archive.root, statement.id, data, archive.vocab, around, record_ids, statement_ids
    )


def _refuse_unjudged_agreement(
    statement_id: str, meta: dict[str, Any], fields: dict[str, Value]
) -> None:
    """``--status agreed`` on a statement without its CERQual judgement: exit 1."""
    if fields.get("status") == "agreed" and meta.get("status") != "agreed":
        if not isinstance(meta.get("confidence"), dict):
            raise CoproError(
                f"{statement_id} has no GRADE-CERQual judgement yet, so it cannot be agreed "
                "by `update`; nothing was written",
                f"record the judgement: copro consensus agree {statement_id} --overall ... "
                "(at a terminal it asks for each part)",
            )


def _refuse_disturbed(path: Path, rel: str, data: bytes, expected: dict[str, Any]) -> None:
    """The edited text must read back as exactly the values meant."""
    from copro.core.records import read_record

    reread = read_record(path, rel, data).record
    if reread is None or reread.meta != expected:
        raise CoproError(
            f"copro could not change {rel} without disturbing the rest of it (an unusual "
            "layout); nothing was written",
            "make the change by hand, then run `copro validate`",
        )


def names_statement(root: Path, given_id: str) -> bool:
    """Whether ``update`` of ``given_id`` is of a statement: a well-formed id whose
    ``consensus/<id>.md`` exists and that names no record (records come first, as
    they always did; a clash of the two is validate's ``consensus-id-taken``)."""
    from copro.core.paths import record_path, statement_path
    from copro.core.records import ID_PATTERN

    if not ID_PATTERN.fullmatch(given_id):
        return False
    path = statement_path(Path(root), given_id)
    return (
        path.is_file() and not path.is_symlink() and not record_path(Path(root), given_id).is_file()
    )
