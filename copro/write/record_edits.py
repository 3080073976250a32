"""``copro add`` and ``copro update``: change one record without editing YAML by hand.

Each function checks its option values (a bad value is a usage error, exit 2),
makes a byte-preserving edit (``copro.edit``), checks the result with the
gate for that one record and what it names (``copro.changes``), and writes it
atomically. A change that fails the gate exits 1 and leaves the file as it was.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core import pii, values
from copro.core.edit import RecordText, Value
from copro.core.errors import CoproError, UsageError
from copro.core.fileio import archive_lock
from copro.core.problems import Problem
from copro.core.records import as_dicts, not_utf8, not_utf8_error
from copro.core.vocab import Vocabularies
from copro.store.archive import Archive
from copro.write.changes import (
    Change,
    check_changes,
    named_finding_numbers,
    next_number,
    open_record,
    write_changes,
)

ACTION_STATUSES = values.ACTION_STATUSES
MADE_BY = values.MADE_BY
CREDITS = values.CREDITS
OUTCOMES = values.OUTCOMES


@dataclass
class EditResult:
    """What ``add`` or ``update`` did; ``item_id`` is the new finding's or action's id."""

    record_id: str
    relpath: str
    item_id: str | None
    changed: list[str] = field(default_factory=list)
    written: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "path": self.relpath,
            "id": self.item_id,
            "changed": self.changed,
            "written": self.written,
        }


# ------------------------------------------------------------------ option values


def clean_text(value: str | None, option: str) -> str:
    """Text from an option: required, one line of words (inner white space kept single)."""
    text = " ".join((value or "").split())
    if not text:
        raise UsageError(f"{option} must not be empty")
    if not_utf8(text):
        raise not_utf8_error(option)
    pii.refuse_in_value(text, option)
    return text


def clean_date(value: str, option: str) -> str:
    from copro.write.newrecord import check_date

    return check_date(value.strip(), option)


def clean_word(value: str, option: str) -> str:
    """An id or address from an option, trimmed; refused (exit 2) when a byte of it was
    not UTF-8, which a record cannot hold, before it is looked up or written."""
    if not_utf8(value):
        raise not_utf8_error(option)
    return value.strip()


def clean_choice(value: str, choices: tuple[str, ...], option: str) -> str:
    """A status or similar: the id itself, or its words (``in progress`` -> ``in-progress``)."""
    what = option.lstrip("-").replace("-", " ")
    return values.for_option(option, lambda text: values.parse_choice(text, choices, what), value)


def clean_topics(vocab: Vocabularies, given: list[str], option: str = "--topic") -> list[str]:
    """Topic ids from ids, labels or synonyms, each once, in the order given."""
    from copro.core.vocab import resolve_term

    out: list[str] = []
    for value in given:
        if value.strip():
            term = resolve_term(vocab, "topics", value.strip(), option)
            if term not in out:
                out.append(term)
    return out


# ------------------------------------------------------------------ running one edit


def _apply(
    archive: Archive | Path,
    record_id: str,
    build: Any,
    vocab: Vocabularies | None,
    dry_run: bool,
) -> EditResult:
    """Open the record, let ``build(opened, editor, expected)`` edit it, gate it, write it."""
    archive = Archive.of(archive)
    root = archive.root
    if vocab is None:
        vocab = archive.vocab
    guard = contextlib.nullcontext() if dry_run else archive_lock(root)
    with guard:  # read, edit, check and write as one: an addition sees the file as it is
        opened = open_record(root, record_id)
        editor = RecordText(opened.data, opened.relpath)
        expected = copy.deepcopy(opened.record.meta)
        item_id, lines = build(opened, editor, expected)
        change = Change(opened, editor.result(), expected, lines)
        refuse_if_invalid(root, [change], vocab)
        result = EditResult(opened.record.id, opened.relpath, item_id, lines)
        if not dry_run and change.changed:
            write_changes(root, [change])
            result.written = True
    return result


def refuse_if_invalid(root: Path, changes: list[Change], vocab: Vocabularies) -> None:
    """Exit 1, nothing written, listing every problem (never a personal-data value)."""
    found = check_changes(root, changes, vocab)
    if not found:
        return
    raise CoproError(
        "the change would make the record invalid; nothing was written:\n"
        + "\n".join(_problem_line(p) for problems in found.values() for p in problems),
        "fix the values given and try again",
    )


def _problem_line(problem: Problem) -> str:
    return f"  {problem.path}:{problem.line}: {problem.message} [{problem.code}]"


# ------------------------------------------------------------------ add


def add_finding(
    archive: Archive | Path,
    record_id: str,
    text: str,
    topics: list[str] | None = None,
    revisits: str | None = None,
    outcome: str | None = None,
    note: str | None = None,
    vocab: Vocabularies | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Add a finding with the next free ``S`` id (also above ids revisits elsewhere name)."""
    archive = Archive.of(archive)
    root = archive.root
    vocab = vocab or archive.vocab
    text = clean_text(text, "--text")
    topic_ids = clean_topics(vocab, topics or [])
    if bool(revisits) != bool(outcome):
        raise UsageError("--revisits and --outcome go together", "give both, or neither")
    revisit: dict[str, Any] | None = None
    if revisits and outcome:
        revisit = {
            "finding": clean_word(revisits, "--revisits"),
            "outcome": clean_choice(outcome, OUTCOMES, "--outcome"),
        }
        if note:
            revisit["note"] = clean_text(note, "--note")

    def build(opened: Any, editor: RecordText, expected: dict[str, Any]) -> tuple[str, list[str]]:
        existing = as_dicts(opened.record.meta.get("you_said"))
        floor = named_finding_numbers(root, [opened.record.id]).get(opened.record.id, 0)
        new_id = f"S{next_number((f.get('id') for f in existing), 'S', floor)}"
        item: dict[str, Value] = {"id": new_id, "text": text}
        if topic_ids:
            item["topics"] = topic_ids
        if revisit:
            item["revisits"] = [revisit]
        editor.append_item("you_said", item)
        expected.setdefault("you_said", []).append(_plain(item))
        return new_id, [f"finding {new_id} added"]

    return _apply(archive, record_id, build, vocab, dry_run)


def add_action(
    archive: Archive | Path,
    record_id: str,
    responds_to: list[str],
    status: str,
    text: str,
    date: str | None = None,
    reason: str | None = None,
    vocab: Vocabularies | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Add an action answering findings of the record, with the next free ``D`` id."""
    text = clean_text(text, "--text")
    status = clean_choice(status, ACTION_STATUSES, "--status")
    targets = [clean_word(t, "--responds-to").upper() for t in responds_to if t.strip()]
    if not targets:
        raise UsageError("missing --responds-to", "name the finding(s) it answers, e.g. S2")
    when = clean_date(date, "--date") if date else None
    why = clean_text(reason, "--reason") if reason else None

    def build(opened: Any, editor: RecordText, expected: dict[str, Any]) -> tuple[str, list[str]]:
        findings = {str(f.get("id")) for f in as_dicts(opened.record.meta.get("you_said"))}
        unknown = [t for t in targets if t not in findings]
        if unknown:
            raise CoproError(
                f"{opened.record.id} has no finding "
                f"{', '.join(pii.shown(t, '(value not shown)') for t in unknown)}; "
                "nothing was written",
                "its findings: " + (", ".join(sorted(findings)) or "none yet (add one first)"),
            )
        actions = as_dicts(opened.record.meta.get("we_did"))
        new_id = f"D{next_number((a.get('id') for a in actions), 'D')}"
        item: dict[str, Value] = {
            "id": new_id,
            "responds_to": targets,
            "status": status,
            "text": text,
            "date": when,
            "reason": why,
        }
        editor.append_item("we_did", item)
        expected.setdefault("we_did", []).append(_plain(item))
        return new_id, [f"action {new_id} added"]

    return _apply(archive, record_id, build, vocab, dry_run)


def add_decision(
    archive: Archive | Path,
    record_id: str,
    text: str,
    made_by: str,
    date: str | None = None,
    vocab: Vocabularies | None = None,
    dry_run: bool = False,
) -> EditResult:
    item: dict[str, Value] = {
        "text": clean_text(text, "--text"),
        "made_by": clean_choice(made_by, MADE_BY, "--made-by"),
        "date": clean_date(date, "--date") if date else None,
    }
    return _append(archive, record_id, "decisions", item, "decision added", vocab, dry_run)


def add_contributor(
    archive: Archive | Path,
    record_id: str,
    role: str,
    credit: str,
    name: str | None = None,
    vocab: Vocabularies | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Add a contributor; a name only with ``named`` credit (never kept for the anonymous)."""
    credit = clean_choice(credit, CREDITS, "--credit")
    if credit == "anonymous" and name:
        raise UsageError(
            "--name is only for contributors credited as named",
            "an anonymous contributor's name never enters the archive",
        )
    if credit == "named" and not (name or "").strip():
        raise UsageError("missing --name", "a contributor credited as named needs their name")
    item: dict[str, Value] = {
        "role": clean_text(role, "--role"),
        "credit": credit,
        "name": clean_text(name, "--name") if credit == "named" else None,
    }
    return _append(archive, record_id, "contributors", item, "contributor added", vocab, dry_run)


def add_feedback(
    archive: Archive | Path,
    record_id: str,
    date: str,
    channel: str,
    note: str | None = None,
    vocab: Vocabularies | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Record when and how the people who took part were told what was done."""
    item: dict[str, Value] = {
        "date": clean_date(date, "--date"),
        "channel": clean_text(channel, "--channel"),
        "note": clean_text(note, "--note") if note else None,
    }
    return _append(archive, record_id, "feedback_given", item, "feedback added", vocab, dry_run)


def _append(
    archive: Archive | Path,
    record_id: str,
    key: str,
    item: dict[str, Value],
    said: str,
    vocab: Vocabularies | None,
    dry_run: bool,
) -> EditResult:
    def build(opened: Any, editor: RecordText, expected: dict[str, Any]) -> tuple[None, list[str]]:
        editor.append_item(key, item)
        expected.setdefault(key, []).append(_plain(item))
        return None, [said]

    return _apply(archive, record_id, build, vocab, dry_run)


def _plain(item: dict[str, Value]) -> dict[str, Any]:
    """The values an item reads back as (fields left out when None)."""
    return {k: v for k, v in item.items() if v is not None}
