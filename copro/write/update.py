"""``copro update``: set any field of a record without editing YAML by hand.

Simple fields come from the one field table (``copro.core.fields``): a field
added there is settable here with no other change. Consent, recognition, the
body's sections and one finding, action or contributor have their own parts.
Every value is read with the parsers of ``copro.core.values``; the edit keeps
every byte it does not change (``copro.core.edit``), removes the template's
commented example of a field it sets, and passes the gate before it is written.

Rewording a finding that a later record revisits changes what that later
answer was an answer to: the revisiting records are named as a warning, and
the caller's ``confirm`` decides (at a terminal: ask; otherwise ``--yes``).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core import pii, values
from copro.core.edit import RecordText, Value
from copro.core.errors import CoproError, UsageError
from copro.core.fields import BY_KEY, TERMS, TEXTS, Field
from copro.core.fileio import archive_lock
from copro.core.records import as_dicts
from copro.core.vocab import Vocabularies, resolve_term
from copro.store.archive import Archive
from copro.write.changes import Change, open_record, records_naming, write_changes
from copro.write.record_edits import EditResult, refuse_if_invalid

SECTIONS = ("Summary", "What happened", "Reflections")
"""The body's conventional sections, in order (``--summary``, ``--what-happened``, ...)."""

Confirm = Callable[[list[str]], bool]


@dataclass
class FindingEdit:
    id: str
    text: str | None = None
    topics: list[str] | None = None


@dataclass
class ActionEdit:
    id: str
    text: str | None = None
    status: str | None = None
    date: str | None = None
    reason: str | None = None


@dataclass
class ContributorEdit:
    number: int
    credit: str
    name: str | None = None


@dataclass
class UpdateRequest:
    """Everything ``update`` can set; None (or empty) leaves a part as it is."""

    fields: dict[str, Any] = field(default_factory=dict)
    """Field-table key -> the value as given (text, or a list of texts for list fields)."""
    quotes: bool | None = None
    recontact_via: str | None = None
    no_recontact: bool = False
    payment: str | None = None
    rate: str | None = None
    other: list[str] | None = None
    sections: dict[str, str] = field(default_factory=dict)
    finding: FindingEdit | None = None
    action: ActionEdit | None = None
    contributor: ContributorEdit | None = None

    def is_empty(self) -> bool:
        given = [v for v in self.fields.values() if v not in (None, [], ())]
        return not (
            given
            or self.quotes is not None
            or self.recontact_via is not None
            or self.no_recontact
            or self.payment is not None
            or self.rate is not None
            or self.other
            or self.sections
            or self.finding
            or self.action
            or self.contributor
        )


@dataclass
class UpdateResult(EditResult):
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "warnings": self.warnings}


def update_record(
    archive: Archive | Path,
    record_id: str,
    request: UpdateRequest | dict[str, Any],
    vocab: Vocabularies | None = None,
    dry_run: bool = False,
    confirm: Confirm | None = None,
) -> UpdateResult:
    """Set what ``request`` gives; see the module docstring. ``confirm`` hears the
    warnings (a reworded finding that others revisit) and says whether to go on;
    without it such a change exits 1, nothing written."""
    if isinstance(request, dict):
        request = UpdateRequest(fields={k: v for k, v in request.items() if v is not None})
    if request.is_empty():
        raise UsageError(
            "nothing to update",
            "give a field to set, e.g. --end-date 15/6/2019, --payment vouchers or "
            "--summary TEXT (copro update --help lists them all)",
        )
    archive = Archive.of(archive)
    root = archive.root
    vocab = vocab or archive.vocab
    clean = _clean_fields(request.fields, vocab)
    warnings = _reword_warnings(root, record_id, request.finding)
    if warnings and not dry_run and (confirm is None or not confirm(warnings)):
        raise CoproError(
            "; ".join(warnings) + "; nothing was written",
            "give --yes to change the words anyway (the later answers were to the old "
            "words), or record the new words as a new finding",
        )
    with contextlib.nullcontext() if dry_run else archive_lock(root):
        opened = open_record(root, record_id)
        editor = RecordText(opened.data, opened.relpath)
        expected: dict[str, Any] = copy.deepcopy(opened.record.meta)
        said = _edit(opened, editor, expected, request, clean, vocab)
        change = Change(opened, editor.result(), expected, said or ["nothing to change"])
        refuse_if_invalid(root, [change], vocab)
        result = UpdateResult(
            opened.record.id, opened.relpath, None, change.lines, warnings=warnings
        )
        if not dry_run and change.changed:
            write_changes(root, [change])
            result.written = True
    return result


def _edit(
    opened: Any,
    editor: RecordText,
    expected: dict[str, Any],
    request: UpdateRequest,
    clean: dict[str, Value],
    vocab: Vocabularies,
) -> list[str]:
    """Every edit the request asks for; what changed, in words."""
    said: list[str] = []
    for key, value in clean.items():
        if opened.record.meta.get(key) == value:
            continue
        editor.set_field(key, value, block=BY_KEY[key].kind == TEXTS)
        expected[key] = value
        said.append(f"{key} set")
    said += _consent(request, editor, expected)
    said += _recognition(request, editor, expected)
    for heading, text in request.sections.items():
        editor.set_section(heading, _section_text(text, heading), SECTIONS)
        said.append(f"{heading} written")
    if request.finding:
        said += _finding(request.finding, vocab, editor, expected)
    if request.action:
        said += _action(request.action, editor, expected)
    if request.contributor:
        said += _contributor(request.contributor, editor, expected)
    return said


def _reword_warnings(root: Path, record_id: str, edit: FindingEdit | None) -> list[str]:
    """The later records that revisited a finding whose words this edit changes."""
    if edit is None or edit.text is None:
        return []
    opened = open_record(root, record_id)
    finding_id = values.for_option("--finding", values.parse_finding_id, edit.id)
    text = _text(edit.text, "--text")
    for item in as_dicts(opened.record.meta.get("you_said")):
        if (
            str(item.get("id")) == finding_id
            and " ".join(str(item.get("text", "")).split()) != text
        ):
            later = records_naming(root, opened.record.id, finding_id)
            if later:
                return [
                    f"{finding_id} was revisited by {', '.join(later)}: "
                    "the answer there was to the old words"
                ]
    return []


# ------------------------------------------------------------------ values


def _clean_fields(given: dict[str, Any], vocab: Vocabularies) -> dict[str, Value]:
    clean: dict[str, Value] = {}
    for key, value in given.items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        spec = BY_KEY.get(key)
        if spec is None:
            raise UsageError(f"copro update cannot set {key}")
        clean[key] = _clean(spec, value, vocab)
    return clean


def _clean(spec: Field, value: Any, vocab: Vocabularies) -> Value:
    if spec.kind == TERMS:
        assert spec.vocabulary
        ids: list[str] = []
        for given in value:
            term = resolve_term(vocab, spec.vocabulary, str(given).strip(), spec.option)
            if term not in ids:
                ids.append(term)
        return ids
    if spec.kind == TEXTS:
        texts = [values.for_option(spec.option, spec.parse, str(v)) for v in value]
        for text in texts:
            _personal_refused(text, spec.option)
        return texts
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _personal_refused(values.for_option(spec.option, spec.parse, str(value)), spec.option)


def _personal_refused(value: Value, option: str) -> Value:
    """The value, unless it is text holding personal data (exit 1, nothing written)."""
    if isinstance(value, str):
        pii.refuse_in_value(value, option)
    return value


def _text(value: str, option: str) -> str:
    text = values.for_option(option, values.parse_text, value)
    pii.refuse_in_value(text, option)
    return text


def _section_text(text: str, heading: str) -> str:
    option = "--" + heading.lower().replace(" ", "-")
    text = values.for_option(option, values.utf8_text, text)
    pii.refuse_in_value(text, option)
    lines = [line.rstrip() for line in str(text).replace("\r\n", "\n").split("\n")]
    body = "\n".join(lines).strip("\n")
    if not body.strip():
        raise UsageError(f"{option} must not be empty")
    if any(line.startswith("#") for line in lines):
        raise UsageError(
            f"{option} may not contain headings (lines starting with #)",
            "each section is set on its own",
        )
    return body


# ------------------------------------------------------------------ consent and recognition


def _consent(request: UpdateRequest, editor: RecordText, expected: dict[str, Any]) -> list[str]:
    changes: dict[str, Value] = {}
    if request.quotes is not None:
        changes["quotes"] = request.quotes
    if request.recontact_via is not None and request.no_recontact:
        raise UsageError("--recontact-via and --no-recontact contradict each other")
    if request.recontact_via is not None:
        changes["recontact"] = True
        changes["recontact_via"] = _text(request.recontact_via, "--recontact-via")
    if request.no_recontact:
        changes["recontact"] = False
        changes["recontact_via"] = None
    consent = expected.get("consent") if isinstance(expected.get("consent"), dict) else {}
    assert isinstance(consent, dict)
    changes = {k: v for k, v in changes.items() if consent.get(k) != v}
    if not changes:
        return []
    editor.set_in_mapping("consent", changes)
    for name, value in changes.items():
        if value is None:
            consent.pop(name, None)
        else:
            consent[name] = value
    expected["consent"] = consent
    return ["consent set"]


def _recognition(request: UpdateRequest, editor: RecordText, expected: dict[str, Any]) -> list[str]:
    changes: dict[str, Value] = {}
    if request.payment is not None:
        changes["payment"] = values.for_option("--payment", values.parse_payment, request.payment)
    if request.rate is not None:
        changes["rate"] = _text(request.rate, "--rate")
    if request.other:
        changes["other"] = [_text(o, "--other") for o in request.other]
    if not changes:
        return []
    current = expected.get("recognition")
    if not isinstance(current, dict):
        if "payment" not in changes:
            raise UsageError(
                "this record has no recognition yet: give --payment too",
                "e.g. --payment vouchers --rate '£20 voucher per session'",
            )
        current = {}
    changes = {k: v for k, v in changes.items() if current.get(k) != v}
    if not changes:
        return []
    editor.set_in_mapping("recognition", changes)
    current.update(changes)
    expected["recognition"] = current
    return ["recognition set"]


# ------------------------------------------------------------------ one item


def _index(items: list[dict[str, Any]], item_id: str, what: str, record_id: str) -> int:
    for index, item in enumerate(items):
        if str(item.get("id")) == item_id:
            return index
    ids = ", ".join(str(i.get("id")) for i in items) or "none yet"
    raise CoproError(
        f"{record_id} has no {what} {item_id}; nothing was written", f"its {what}s: {ids}"
    )


def _finding(
    edit: FindingEdit, vocab: Vocabularies, editor: RecordText, expected: dict[str, Any]
) -> list[str]:
    finding_id = values.for_option("--finding", values.parse_finding_id, edit.id)
    if edit.text is None and edit.topics is None:
        raise UsageError("--finding needs --text or --finding-topic", "say what to change")
    items = as_dicts(expected.get("you_said"))
    index = _index(items, finding_id, "finding", str(expected.get("id")))
    said = []
    if edit.text is not None:
        text = _text(edit.text, "--text")
        if " ".join(str(items[index].get("text", "")).split()) != text:
            editor.set_item_field("you_said", index, "text", text, None)
            items[index]["text"] = text
            said.append(f"finding {finding_id} reworded")
    if edit.topics is not None:
        topics = _clean(BY_KEY["topics"], edit.topics, vocab)
        if items[index].get("topics") != topics:
            editor.set_item_field("you_said", index, "topics", topics, None)
            items[index]["topics"] = topics
            said.append(f"finding {finding_id} topics set")
    return said


def _action(edit: ActionEdit, editor: RecordText, expected: dict[str, Any]) -> list[str]:
    action_id = values.for_option("--action", values.parse_action_id, edit.id)
    changes: dict[str, Value] = {}
    if edit.text is not None:
        changes["text"] = _text(edit.text, "--text")
    if edit.status is not None:
        changes["status"] = values.for_option(
            "--action-status", values.parse_action_status, edit.status
        )
    if edit.date is not None:
        changes["date"] = values.for_option("--action-date", values.parse_date_iso, edit.date)
    if edit.reason is not None:
        changes["reason"] = _text(edit.reason, "--action-reason")
    if not changes:
        raise UsageError(
            "--action needs --text, --action-status, --action-date or --action-reason",
            "say what to change",
        )
    items = as_dicts(expected.get("we_did"))
    index = _index(items, action_id, "action", str(expected.get("id")))
    changes = {k: v for k, v in changes.items() if items[index].get(k) != v}
    for name, value in changes.items():
        editor.set_item_field("we_did", index, name, value, None)
        items[index][name] = value
    return [f"action {action_id} {', '.join(changes)} set"] if changes else []


def _contributor(edit: ContributorEdit, editor: RecordText, expected: dict[str, Any]) -> list[str]:
    credit = values.for_option("--credit", values.parse_credit, edit.credit)
    items = as_dicts(expected.get("contributors"))
    if not 1 <= edit.number <= len(items):
        raise CoproError(
            f"{expected.get('id')} has no contributor {edit.number}; nothing was written",
            f"it has {len(items)} (counted from 1 in file order; `copro show` lists them)",
        )
    item = items[edit.number - 1]
    if credit == "anonymous":
        if edit.name:
            raise UsageError(
                "--name is only for contributors credited as named",
                "an anonymous contributor's name never enters the archive",
            )
        changes: dict[str, Value] = {"credit": "anonymous", "name": None}
    else:
        name = _text(edit.name, "--name") if edit.name else item.get("name")
        if not name:
            raise UsageError("missing --name", "a contributor credited as named needs their name")
        changes = {"credit": "named", "name": name}
    changes = {k: v for k, v in changes.items() if item.get(k) != v}
    if "name" in changes and changes["name"] is None and "name" not in item:
        changes.pop("name")
    for name_key, value in changes.items():
        editor.set_item_field("contributors", edit.number - 1, name_key, value, None)
        if value is None:
            item.pop(name_key, None)
        else:
            item[name_key] = value
    return [f"contributor {edit.number} credited as {credit}"] if changes else []
