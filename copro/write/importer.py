"""``copro import``: findings and actions typed into a spreadsheet, applied all or nothing.

Rows are matched to records and findings/actions by id. A row with an id
updates what changed (a finding's text and own topics; an action's answers,
status, text, date and reason); a row without one adds a finding or action
with the next free id. Nothing is ever deleted: a row removed from the sheet
changes nothing. Every problem is named by sheet and spreadsheet row, and when
there is any, or any changed record would fail the gate, no file is written.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core import pii, values
from copro.core.edit import RecordText, Value
from copro.core.errors import CoproError
from copro.core.records import as_dicts, as_list
from copro.core.vocab import Vocabularies
from copro.core.workbook import (
    ACTION_COLUMNS,
    ACTIONS,
    FINDING_COLUMNS,
    FINDINGS,
    Cell,
    action_cells,
    finding_cells,
    named_by_header,
    read_sheets,
    row_texts,
)
from copro.store.archive import Archive
from copro.write.changes import Change, Opened, check_changes, next_number, records_naming
from copro.write.changes import open_record as _open_record

FORGET_EVERY = 2000
"""Rows between letting go of the records no row changed (bounded memory)."""
_SPLIT = re.compile(r"[;,]")


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"sheet {self.sheet}, row {self.row}" if self.row else f"sheet {self.sheet}"
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "message": self.message}


@dataclass(frozen=True)
class Step:
    """One planned change: a finding or action added, or which of its fields changed."""

    sheet: str
    row: int
    kind: str
    id: str
    change: str
    fields: tuple[str, ...] = ()
    warning: str | None = None
    """Said in the plan: a reworded finding that later records revisited."""

    def words(self) -> str:
        what = f"{self.kind} {self.id} {self.change}"
        if self.fields:
            what += f" ({', '.join(self.fields)})"
        return f"{what} [{self.sheet} row {self.row}]"

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "kind": self.kind,
            "id": self.id,
            "change": self.change,
            "fields": list(self.fields),
            "warning": self.warning,
        }


@dataclass
class RecordPlan:
    record_id: str
    relpath: str
    steps: list[Step] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What an import would change, by record; ``problems`` empty means it can be applied."""

    file: str
    rows: int = 0
    records: list[RecordPlan] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = False

    @property
    def nothing_to_change(self) -> bool:
        return not self.problems and not any(r.steps for r in self.records)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "records": [
                {
                    "record_id": r.record_id,
                    "path": r.relpath,
                    "changes": [s.to_json() for s in r.steps],
                }
                for r in self.records
            ],
            "problems": [p.to_json() for p in self.problems],
            "applied": self.applied,
        }


# ------------------------------------------------------------------ cell values


def parse_date(text: str) -> str:
    """A date cell as people write it (``copro.core.values``), as ``YYYY-MM-DD``."""
    try:
        return values.parse_date_iso(text.strip())
    except values.ValueProblem:
        raise ValueError(
            f"is not a date: write it as {values.DATE_FORMS} ({values.DATE_EXAMPLE})"
        ) from None


def _split(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def _file_bytes(path: str) -> bytes | None:
    """The file's bytes, or None when it cannot be read or is a symbolic link (never
    followed: ``locate_record`` refuses one too)."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    parts = []
    try:
        while part := os.read(handle, 1 << 16):
            parts.append(part)
    except OSError:
        return None
    finally:
        os.close(handle)
    return b"".join(parts)


def _same_text(a: object, b: str) -> bool:
    return " ".join(str(a or "").split()) == " ".join(b.split())


_ACTION_KEYS = ("responds_to", "status", "text", "date", "reason")
"""The fields of an action a row of the actions sheet sets, in the order they are written."""


def _same_value(key: str, old: object, new: Value) -> bool:
    """Whether an action's field already holds what the row says (spacing aside)."""
    if key == "responds_to":
        return as_list(old) == new
    if new is not None and old is not None:
        return _same_text(old, str(new))
    return old == new


# ------------------------------------------------------------------ planning


@dataclass
class _Cached:
    """A record's values from the record cache, for the rows that change nothing in it
    (most rows of a workbook copro exported): no YAML parsed. A row that edits the
    record reads it properly first (:meth:`_Planner.editor`)."""

    key: str
    """The id the rows name it by (its file's name)."""
    path: Path
    relpath: str
    data: bytes
    meta: dict[str, Any]

    @property
    def record(self) -> _Cached:
        return self  # read like an Opened's record: ``.meta``, ``.id``

    @property
    def id(self) -> str:
        return str(self.meta.get("id", self.path.stem))


Read = Opened | _Cached


def _cache_path(record_id: str) -> str:
    """The record's path as the record cache's scan names it (archive/<YYYY>/<id>.md)."""
    from copro.core.paths import ARCHIVE_DIR

    return f"{ARCHIVE_DIR}/{record_id[:4]}/{record_id}.md"


class _Planner:
    """Reads the sheets row by row, building each record's edits and the plan."""

    def __init__(self, root: Path, vocab: Vocabularies, plan: ImportPlan) -> None:
        self.root = root
        self.vocab = vocab
        self.plan = plan
        self.opened: dict[str, Read | None] = {}
        self.editors: dict[str, RecordText] = {}
        self.expected: dict[str, dict[str, Any]] = {}
        self.steps: dict[str, list[Step]] = {}
        self.next_finding: dict[str, int] = {}
        self.next_action: dict[str, int] = {}
        self._references: Any = None
        self._cache: Any = False  # the record cache, opened on first use (None: none)
        self._exported: dict[str, frozenset[int]] = {}
        """Hashes of the rows export writes now, by record id (see :meth:`as_exported`)."""

    def revisit_floor(self, record_id: str) -> int:
        """The highest ``S`` number other records name for ``record_id`` (never reused)."""
        if self._references is None:
            from copro.store.references import references

            self._references = references(self.root)
        return int(self._references.highest_findings([record_id]).get(record_id, 0))

    def close(self) -> None:
        if self._references is not None:
            self._references.close()
        if self._cache:
            self._cache.close()

    def _record_cache(self) -> Any:
        """The record cache as it is (each use checks a file's content hash), or None."""
        if self._cache is False:
            from copro.store.recordcache import cache_as_is

            self._cache = cache_as_is(self.root)
        return self._cache

    def _read(self, record_id: str) -> Read:
        """The record from the record cache when it holds exactly the file's bytes, else
        read for editing (an unknown id exits 1, a malformed one 2, as ``open_record``)."""
        from copro.core.records import locate_record

        cache = self._record_cache()
        path = locate_record(self.root, record_id)  # archive/<YYYY>/<id>.md, not a symlink
        rel = _cache_path(record_id)
        try:
            data = path.read_bytes()
        except OSError:
            return _open_record(self.root, record_id)  # says why, as every writer does
        parsed = cache.parsed_for(rel, data) if cache else None
        if parsed is None:
            return _open_record(self.root, record_id)
        return _Cached(record_id, path, rel, data, parsed[0])

    def as_exported(
        self, kind: str, row: int, cells: Mapping[str, Cell], seen: dict[tuple[str, str], int]
    ) -> bool:
        """Whether the row holds exactly what export writes now for the record it names,
        in every column import reads (most rows of a workbook just exported): then it
        changes nothing and is read no further. What the archive holds is validate's to
        check; a row that differs in any cell gets every check, the personal-data scan
        included."""
        texts = row_texts(cells, FINDING_COLUMNS if kind == FINDINGS else ACTION_COLUMNS)
        if texts is None:
            return False  # a formula: the full check says so
        record_id, item_id = texts[0], texts[1]
        if (record_id, item_id.upper()) in seen:
            return False  # the full check names both rows
        exported = self._exported.get(record_id)
        if exported is None:
            exported = self._exported[record_id] = self._exported_rows(record_id)
        if hash((kind, *texts)) not in exported:
            return False
        if item_id:
            seen[(record_id, item_id.upper())] = row
        return True

    def _exported_rows(self, record_id: str) -> frozenset[int]:
        """Hashes of the rows export writes now for ``record_id`` (each of a tuple of its
        cells: a changed row would be taken for unchanged only if its 64-bit hash, salted
        per process, matched one of its record's few rows), from the record cache when it
        holds exactly the file's bytes (else none: its rows are read in full)."""
        from copro.core.model import action_parts, finding_parts
        from copro.core.records import ID_PATTERN

        cache = self._record_cache()
        if cache is None or not ID_PATTERN.fullmatch(record_id):
            return frozenset()
        rel = _cache_path(record_id)
        data = _file_bytes(os.path.join(self.root, rel))  # archive/<YYYY>/<id>.md
        parsed = None if data is None else cache.parsed_for(rel, data)
        if parsed is None:
            return frozenset()
        meta = parsed[0]
        rows = [
            *(
                hash((FINDINGS, *finding_cells(record_id, *finding_parts(raw))))
                for raw in as_dicts(meta.get("you_said"))
            ),
            *(
                hash((ACTIONS, *action_cells(record_id, *action_parts(raw))))
                for raw in as_dicts(meta.get("we_did"))
            ),
        ]
        return frozenset(rows)

    def forget_unchanged(self) -> None:
        """Let go of records no row has changed so far (a row naming one again reopens it):
        an import of a workbook just exported keeps a few records in memory, not all."""
        for rid in [r for r, opened in self.opened.items() if opened and not self.steps.get(r)]:
            for held in (self.opened, self.editors, self.expected, self.steps):
                held.pop(rid, None)

    def problem(self, sheet: str, row: int | None, message: str) -> None:
        self.plan.problems.append(RowProblem(sheet, row, message))

    def record(self, sheet: str, row: int, record_id: str) -> Read | None:
        from copro.core import pii

        if record_id not in self.opened:
            try:
                self.opened[record_id] = self._read(record_id)
            except CoproError as exc:
                self.opened[record_id] = None
                if "no record" in exc.message or "not a record id" in exc.message:
                    self.problem(sheet, row, f"no record with id {pii.shown(record_id)}")
                else:
                    self.problem(sheet, row, exc.message)
                return None
        return self.opened[record_id]

    def editor(self, opened: Read) -> RecordText:
        rid = opened.record.id
        if isinstance(opened, _Cached):  # a row edits it: read it properly from here on
            full = _open_record(self.root, opened.key)
            if full.data != opened.data:
                raise CoproError(
                    f"{opened.relpath} changed while the workbook was being read",
                    "run the import again",
                )
            self.opened[opened.key] = full
            opened = full
        if rid not in self.editors:
            self.editors[rid] = RecordText(opened.data, opened.relpath)
            self.expected[rid] = copy.deepcopy(opened.record.meta)
            self.steps[rid] = []
        return self.editors[rid]

    def text_cell(self, sheet: str, row: int, cells: Mapping[str, Cell], column: str) -> str | None:
        """A cell's text, or None after reporting a formula or personal data in it."""
        from copro.core import pii

        cell = cells.get(column, Cell(""))
        if cell.formula:
            self.problem(
                sheet,
                row,
                f"column {column} holds a formula; type the value itself (copro "
                "never works out formulas)",
            )
            return None
        text = " ".join(cell.text.split())
        found = pii.scan_text(text)
        if found:
            self.problem(
                sheet,
                row,
                f"column {column} holds {pii.KINDS[found[0].code]} (not shown); "
                "personal data never enters the archive",
            )
            return None
        return text

    def topics(self, sheet: str, row: int, text: str) -> list[str] | None:
        from copro.core.vocab import resolve_term

        out: list[str] = []
        for part in _split(text):
            try:
                term = resolve_term(self.vocab, "topics", part, "finding_topics")
            except CoproError as exc:
                self.problem(sheet, row, exc.message + (f" ({exc.hint})" if exc.hint else ""))
                return None
            if term not in out:
                out.append(term)
        return out

    def cells(
        self, sheet: str, row: int, cells: Mapping[str, Cell], columns: list[str]
    ) -> dict[str, str] | None:
        """The row's cells as text (ids upper-cased), or None after reporting a bad cell."""
        values = {c: self.text_cell(sheet, row, cells, c) for c in columns}
        if any(v is None for v in values.values()):
            return None
        out = {k: str(v) for k, v in values.items()}
        for key in ("finding_id", "action_id"):
            if key in out:
                out[key] = out[key].upper()
        return out

    def row_record(
        self,
        sheet: str,
        row: int,
        record_id: str,
        item_id: str,
        kind: str,
        seen: dict[tuple[str, str], int],
    ) -> Read | None:
        """The row's record, once per (record, id) in a sheet; None after reporting why not."""
        if not record_id:
            self.problem(sheet, row, "record_id is empty")
            return None
        opened = self.record(sheet, row, record_id)
        if opened is None or not item_id:
            return opened
        if (record_id, item_id) in seen:
            self.problem(
                sheet,
                row,
                f"{kind} {item_id} of {record_id} is also on row "
                f"{seen[(record_id, item_id)]}; keep one row per {kind}",
            )
            return None
        seen[(record_id, item_id)] = row
        return opened

    # -------------------------------------------------------------- findings

    def finding_row(
        self, row: int, cells: Mapping[str, Cell], seen: dict[tuple[str, str], int]
    ) -> None:
        sheet = FINDINGS
        values = self.cells(sheet, row, cells, FINDING_COLUMNS)
        if values is None:
            return
        finding_id, text, topic_text = (
            values["finding_id"],
            values["finding"],
            values["finding_topics"],
        )
        record_id = values["record_id"]
        opened = self.row_record(sheet, row, record_id, finding_id, "finding", seen)
        if opened is None:
            return
        if not text:
            self.problem(sheet, row, "finding is empty: type what people said")
            return
        topics = self.topics(sheet, row, topic_text)
        if topics is None:
            return
        existing = as_dicts(opened.record.meta.get("you_said"))
        if not finding_id:
            if not any(_same_text(f.get("text"), text) for f in existing):
                self.add_finding(opened, row, text, topics)  # else: imported before
            return
        index = next((i for i, f in enumerate(existing) if str(f.get("id")) == finding_id), None)
        if index is None:
            self.problem(
                sheet,
                row,
                f"{record_id} has no finding {finding_id}; leave finding_id empty "
                "to add a new finding",
            )
            return
        self.update_finding(opened, row, index, text, topics)

    def add_finding(self, opened: Read, row: int, text: str, topics: list[str]) -> None:
        rid = opened.record.id
        editor = self.editor(opened)
        if rid not in self.next_finding:
            used = (f.get("id") for f in as_dicts(opened.record.meta.get("you_said")))
            self.next_finding[rid] = next_number(used, "S", self.revisit_floor(rid))
        new_id = f"S{self.next_finding[rid]}"
        self.next_finding[rid] += 1
        item: dict[str, Value] = {"id": new_id, "text": text}
        if topics:
            item["topics"] = topics
        editor.append_item("you_said", item, (FINDINGS, row))
        self.expected[rid].setdefault("you_said", []).append(dict(item))
        self.steps[rid].append(Step(FINDINGS, row, "finding", new_id, "added"))

    def update_finding(
        self, opened: Read, row: int, index: int, text: str, topics: list[str]
    ) -> None:
        rid = opened.record.id
        current = as_dicts(opened.record.meta.get("you_said"))[index]
        changed: list[str] = []
        if not _same_text(current.get("text"), text):
            changed.append("text")
        if as_list(current.get("topics")) != topics:
            changed.append("topics")
        if not changed:
            return  # the common case: no editor, no copy of the record
        editor = self.editor(opened)
        target = self.expected[rid]["you_said"][index]
        if "text" in changed:
            editor.set_item_field("you_said", index, "text", text, (FINDINGS, row))
            target["text"] = text
        if "topics" in changed:
            editor.set_item_field("you_said", index, "topics", topics or None, (FINDINGS, row))
            if topics:
                target["topics"] = topics
            else:
                target.pop("topics", None)
        if changed:
            finding_id = str(current.get("id"))
            later = records_naming(self.root, rid, finding_id) if "text" in changed else []
            warning = (
                f"{finding_id} was revisited by {', '.join(later)}: "
                "the answer there was to the old words"
                if later
                else None
            )
            self.steps[rid].append(
                Step(FINDINGS, row, "finding", finding_id, "changed", tuple(changed), warning)
            )

    # -------------------------------------------------------------- actions

    def action_row(
        self, row: int, cells: Mapping[str, Cell], seen: dict[tuple[str, str], int]
    ) -> None:
        from copro.write.record_edits import ACTION_STATUSES, clean_choice

        sheet = ACTIONS
        v = self.cells(sheet, row, cells, ACTION_COLUMNS)
        if v is None:
            return
        record_id, action_id = v["record_id"], v["action_id"]
        opened = self.row_record(sheet, row, record_id, action_id, "action", seen)
        if opened is None:
            return
        item: dict[str, Value] = {}
        answers = [t.upper() for t in _split(v["responds_to"])]
        findings = {str(f.get("id")) for f in as_dicts(opened.record.meta.get("you_said"))}
        missing = [t for t in answers if t not in findings]
        ok = True
        if not answers:
            self.problem(
                sheet, row, "responds_to is empty: name the finding(s) it answers, e.g. S2"
            )
            ok = False
        elif missing:
            self.problem(
                sheet,
                row,
                f"responds_to names {', '.join(missing)}, which {record_id} does not "
                "have; an action can answer only findings that already have ids (import the "
                "new findings first)",
            )
            ok = False
        try:
            status = clean_choice(v["status"], ACTION_STATUSES, "status")
        except CoproError as exc:
            self.problem(sheet, row, f"{exc.message} ({exc.hint})")
            ok = False
            status = ""
        date = None
        if v["date"]:
            try:
                date = parse_date(v["date"])
            except ValueError as exc:
                self.problem(sheet, row, f"date {pii.quoted(v['date'])} {exc}")
                ok = False
        if not v["text"]:
            self.problem(sheet, row, "text is empty: say what was (or will be) done")
            ok = False
        if not ok:
            return
        item = {
            "id": action_id or None,
            "responds_to": answers,
            "status": status,
            "text": v["text"],
            "date": date,
            "reason": v["reason"] or None,
        }
        actions = as_dicts(opened.record.meta.get("we_did"))
        if not action_id:
            if not any(_same_text(a.get("text"), v["text"]) for a in actions):
                self.add_action(opened, row, item)  # else: imported before
            return
        index = next((i for i, a in enumerate(actions) if str(a.get("id")) == action_id), None)
        if index is None:
            self.problem(
                sheet,
                row,
                f"{record_id} has no action {action_id}; leave action_id empty to add a new action",
            )
            return
        self.update_action(opened, row, index, item)

    def add_action(self, opened: Read, row: int, item: dict[str, Value]) -> None:
        rid = opened.record.id
        editor = self.editor(opened)
        if rid not in self.next_action:
            used = (a.get("id") for a in as_dicts(opened.record.meta.get("we_did")))
            self.next_action[rid] = next_number(used, "D")
        new_id = f"D{self.next_action[rid]}"
        self.next_action[rid] += 1
        item = {**item, "id": new_id}
        editor.append_item("we_did", item, (ACTIONS, row))
        self.expected[rid].setdefault("we_did", []).append(
            {k: x for k, x in item.items() if x is not None}
        )
        self.steps[rid].append(Step(ACTIONS, row, "action", new_id, "added"))

    def update_action(self, opened: Read, row: int, index: int, item: dict[str, Value]) -> None:
        rid = opened.record.id
        current = as_dicts(opened.record.meta.get("we_did"))[index]
        changed = [key for key in _ACTION_KEYS if not _same_value(key, current.get(key), item[key])]
        if not changed:
            return  # the common case: no editor, no copy of the record
        editor = self.editor(opened)  # also when no findings row opened the record first
        target = self.expected[rid]["we_did"][index]
        for key in changed:
            new = item[key]
            editor.set_item_field("we_did", index, key, new, (ACTIONS, row))
            if new is None:
                target.pop(key, None)
            else:
                target[key] = new
        if changed:
            self.steps[rid].append(
                Step(ACTIONS, row, "action", str(current.get("id")), "changed", tuple(changed))
            )


# ------------------------------------------------------------------ plan and apply


def plan_import(
    archive: Archive | Path, file: Path, vocab: Vocabularies | None = None
) -> ImportPlan:
    """Read ``file`` and work out every change; nothing is written."""
    archive = Archive.of(archive)
    root = archive.root
    vocab = vocab or archive.vocab
    plan = ImportPlan(str(file))
    read = read_sheets(Path(file))
    one_table = len(read) == 1
    sheets = {sheet.name: sheet for sheet in named_by_header(read)}
    wanted = {FINDINGS: FINDING_COLUMNS, ACTIONS: ACTION_COLUMNS}
    for name, columns in wanted.items():
        sheet = sheets.get(name)
        if sheet is None:
            if not one_table:
                plan.problems.append(
                    RowProblem(
                        name,
                        None,
                        f"the workbook has no sheet named {name!r} "
                        f"(it has: {', '.join(sheets) or 'none'})",
                    )
                )
            continue
        lacking = [c for c in columns if c not in sheet.columns]
        if lacking:
            plan.problems.append(
                RowProblem(
                    name,
                    1,
                    "missing column(s) "
                    + ", ".join(lacking)
                    + "; the header row must hold the column names export writes",
                )
            )
    if plan.problems:
        return plan
    planner = _Planner(root, vocab, plan)
    finding_sheet, action_sheet = sheets.get(FINDINGS), sheets.get(ACTIONS)
    try:
        for kind, sheet, handle in (
            (FINDINGS, finding_sheet, planner.finding_row),
            (ACTIONS, action_sheet, planner.action_row),
        ):
            if sheet is None:
                continue
            seen: dict[tuple[str, str], int] = {}
            for row, cells in sheet.rows:  # read as they come, not all at once
                plan.rows += 1
                if not planner.as_exported(kind, row, cells, seen):
                    handle(row, cells, seen)
                if plan.rows % FORGET_EVERY == 0:
                    planner.forget_unchanged()
    finally:
        planner.close()
    for rid, editor in planner.editors.items():
        opened = planner.opened[rid]
        assert isinstance(opened, Opened), "a record with an editor was read for editing"
        steps = planner.steps[rid]
        if not steps:
            continue
        plan.records.append(RecordPlan(rid, opened.relpath, steps))
        plan.changes.append(Change(opened, editor.result(), planner.expected[rid]))
    if plan.problems:
        return plan
    _gate(root, plan, vocab)
    return plan


def _gate(root: Path, plan: ImportPlan, vocab: Vocabularies) -> None:
    """Run every changed record through the gate; name each problem by sheet and row."""
    try:
        found = check_changes(root, plan.changes, vocab)
    except CoproError as exc:
        plan.problems.append(RowProblem("-", None, exc.message))
        return
    by_id = {c.record_id: c for c in plan.changes}
    for rid, problems in found.items():
        change = by_id[rid]
        for problem in problems:
            tag = change.edited.tag_of_line(problem.line)
            if isinstance(tag, tuple):
                plan.problems.append(RowProblem(tag[0], tag[1], f"{rid}: {problem.message}"))
            else:
                plan.problems.append(
                    RowProblem("-", None, f"{change.relpath}:{problem.line}: {problem.message}")
                )


def apply_import(archive: Archive | Path, plan: ImportPlan) -> None:
    """Write every changed record, or none (see ``copro.write.changes.write_changes``)."""
    from copro.write.changes import write_changes

    if plan.problems:
        raise CoproError("the import has problems; nothing was written")
    write_changes(Archive.of(archive).root, plan.changes)
    plan.applied = True
