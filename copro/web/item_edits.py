"""One finding, action or contributor changed from the browser, as ``copro update ID
--finding SN`` / ``--action DN`` / ``--contributor N`` change it from the command line.

The form shows the item as the record has it; only what was changed is sent, the rest of
the file stays byte for byte; a record changed since the form was shown is refused (409)
and the form shows it as it is now. Rewording a finding that a later record checked again
needs its box ticked, as the command line needs ``--yes``: the box is on the form only
for such a finding (the same records ``update`` would warn of), so it works without any
script, and a rewording sent without it ticked is refused on the box.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from copro.core.records import as_dicts
from copro.core.vocab import Vocabularies
from copro.web.forms import Field, FormRefused, Problem, first, many
from copro.web.writes import (
    Context,
    Written,
    action_fields,
    checked,
    guarded,
    terms,
    version_of,
)

ITEM_KINDS = {
    "finding": ("Change this finding", "Save the finding"),
    "action": ("Change this action", "Save the action"),
    "contributor": ("Change this contributor's credit", "Save the credit"),
}
"""The items of a record that have a form of their own (``/edit/<id>/<kind>/<item>``)."""


def item_fields(kind: str, vocab: Vocabularies, checked_in: Sequence[str] = ()) -> list[Field]:
    """The item's fields; a finding ``checked_in`` later records (their titles) also has
    the box that lets its words change."""
    if kind == "finding":
        reword = [
            Field(
                "reword",
                "Change the words even though a later record checked this finding again",
                "checkbox",
                _reword_hint(checked_in),
            )
        ]
        return [
            Field("text", "What people said", "textarea", "In plain words, as a group said it; "
                  "never a person's name or contact details.", required=True),
            *(reword if checked_in else []),
            Field("topic", "Topics of this finding", "checkboxes",
                  "Leave empty to use the record's topics.", terms(vocab, "topics")),
        ]  # fmt: skip
    if kind == "action":
        return action_fields(())[1:]  # add action's form, less which findings it answers
    return [
        Field("credit", "Credit", "radios", "Name people only when they agreed to be credited; "
              "anonymous takes the name out of the record.",
              (("named", "Named (they agreed)"), ("anonymous", "Anonymous")), required=True),
        Field("name", "Name", hint="Only when credited by name."),
    ]  # fmt: skip


def _reword_hint(checked_in: Sequence[str]) -> str:
    titles = " and ".join(f"\u201c{title}\u201d" for title in checked_in)
    return (
        f"{titles} went back to this finding, and the answers there were to these words. "
        "Tick this only to change them anyway; to keep those answers true, record the new "
        "words as a new finding instead."
    )


def later_checks(root: Path, record_id: str, kind: str, item: str) -> list[str]:
    """Ids of the later records that checked this finding again (none for other items):
    those whose answers a rewording would leave answering other words."""
    from copro.write.changes import records_naming

    return records_naming(root, record_id, item) if kind == "finding" else []


def item_of(meta: dict[str, Any], kind: str, item: str) -> dict[str, Any] | None:
    """The finding (``S2``), action (``D1``) or contributor (``1``, the first) the form
    changes, as the record holds it; None when the record has no such item."""
    if kind == "contributor":
        people = as_dicts(meta.get("contributors"))
        number = int(item) if item.isdigit() else 0
        return people[number - 1] if 1 <= number <= len(people) else None
    listed = as_dicts(meta.get("you_said" if kind == "finding" else "we_did"))
    return next((entry for entry in listed if str(entry.get("id")) == item), None)


def item_values(kind: str, entry: dict[str, Any]) -> dict[str, list[str]]:
    """The form's values as the record has the item."""
    if kind == "finding":
        topics = entry.get("topics")
        return {"text": [_words(entry.get("text"))],
                "topic": [str(t) for t in topics] if isinstance(topics, list) else []}  # fmt: skip
    if kind == "action":
        return {name: [_words(entry.get(name))] for name in ("status", "text", "date", "reason")}
    named = entry.get("credit") == "named" and bool(entry.get("name"))
    # an anonymous contributor's name is never put in a page, even one for staff
    return {"credit": ["named" if named else "anonymous"],
            "name": [_words(entry.get("name")) if named else ""]}  # fmt: skip


def _words(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def apply_item(
    ctx: Context, record_id: str, kind: str, item: str, values: dict[str, list[str]]
) -> Written:
    """``copro update ID`` with the one item's changed parts; refused when the record
    changed since the form was shown (409) or nothing was changed."""
    from copro.write.changes import open_record
    from copro.write.update import update_record

    fields = item_fields(kind, ctx.vocab)
    checked(fields, values)
    opened = guarded(fields, lambda: open_record(ctx.root, record_id))
    entry = item_of(opened.record.meta, kind, item)
    if entry is None or first(values, "version") != version_of(opened.data):
        raise FormRefused(
            [Problem(None, "This record was changed since the form was shown, so nothing was "
                     "written. The form now shows the record as it is: make the change again.")],
            409,
        )  # fmt: skip
    request = _request(kind, item, values, item_values(kind, entry))
    if request is None:
        raise FormRefused([Problem(None, "Nothing was changed: change a field, then save.")])
    result = guarded(
        fields,
        lambda: update_record(
            ctx.root, record_id, request, vocab=ctx.vocab,
            confirm=lambda warnings: _reword_ticked(values),
        ),
    )  # fmt: skip
    said = "; ".join(result.changed)
    return Written(record_id, (result.relpath,), f"Update {record_id}: {said}")


def _reword_ticked(values: dict[str, list[str]]) -> bool:
    """A rewording of a finding that later records checked again goes on only with the
    box ticked; without it, the box is the problem (not ``--yes``, which the form has not)."""
    if first(values, "reword"):
        return True
    raise FormRefused(
        [Problem("reword", "A later record checked this finding again: tick the box to "
                 "change its words anyway, or record the new words as a new finding")]
    )  # fmt: skip


def _request(kind: str, item: str, values: dict[str, list[str]], now: dict[str, list[str]]) -> Any:
    """``update``'s request for what the form changed, or None when nothing was."""
    from copro.write.update import ActionEdit, ContributorEdit, FindingEdit, UpdateRequest

    def changed(name: str) -> str | None:
        typed = _words(first(values, name))
        return typed if typed and [typed] != now[name] else None

    if kind == "finding":
        topics = many(values, "topic")
        new_topics = topics if set(topics) != set(now["topic"]) and topics else None
        if changed("text") is None and new_topics is None:
            return None
        return UpdateRequest(finding=FindingEdit(item, changed("text"), new_topics))
    if kind == "action":
        parts = [changed(name) for name in ("text", "status", "date", "reason")]
        if not any(parts):
            return None
        return UpdateRequest(action=ActionEdit(item, *parts))
    credit = first(values, "credit") or ""
    name = changed("name") if credit == "named" else None
    if [credit] == now["credit"] and name is None:
        return None
    return UpdateRequest(contributor=ContributorEdit(int(item), credit, name))
