"""``/edit/<id>/revisit``: go back to the people of an earlier record, and record what they said.

The new record is drafted by ``copro revisit``'s own function; then each earlier
finding given an outcome becomes a finding of the new record that revisits it
(``copro add finding --revisits ID#SN --outcome O``). All of it is one write and
one commit: when any finding is refused, the new record is removed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copro.core.errors import CoproError
from copro.core.model import Engagement
from copro.web.forms import Field, Form, FormRefused, Problem, first, refuse_personal_data
from copro.web.writes import ID_HINT, OUTCOMES, Context, Written, choices, guarded

ROW_FIELDS = ("revisits", "outcome", "text", "note")


@dataclass(frozen=True)
class Row:
    index: int
    finding: str
    ref: str
    text: str


def earlier_record(ctx: Context, record_id: str) -> Engagement:
    from copro.store.catalog import load_engagement

    earlier = load_engagement(ctx.root, record_id)
    if earlier.status == "withdrawn":
        raise CoproError(f"{record_id} was withdrawn: its findings are not revisited")
    return earlier


def revisit_fields() -> list[Field]:
    return [
        Field("date", "Date of the revisit", "date", "Leave empty for today; after the "
              "earlier engagement."),
        Field("title", "Title", hint="Leave empty for \u201cDoes it still hold?\u201d and "
              "the earlier title."),
        Field("id", "Record id", hint=ID_HINT),
        Field("outcome", "Does it still hold?", "select",
              choices=(("", "Not asked this time"), *choices(OUTCOMES))),
        Field("text", "What people said now", "textarea"),
        Field("note", "Note"),
    ]  # fmt: skip


def revisit_form(earlier: Engagement) -> Form:
    return Form(
        "Go back to the people: record a revisit",
        revisit_fields(),
        "Save the revisit",
        f"Record going back to the people of \u201c{earlier.display_title}\u201d to ask "
        "whether what they said still holds. For each finding you asked about, choose "
        "what people said.",
    )


def rows(earlier: Engagement) -> list[Row]:
    return [
        Row(i, f.id, f"{earlier.id}#{f.id}", f.text)
        for i, f in enumerate(earlier.findings, start=1)
    ]


def _row_values(values: dict[str, list[str]], count: int) -> list[dict[str, str]]:
    lists = {name: values.get(name, []) for name in ROW_FIELDS}
    out = []
    for i in range(count):
        out.append({name: (lists[name][i] if i < len(lists[name]) else "").strip()
                    for name in ROW_FIELDS})  # fmt: skip
    return out


def apply_revisit(ctx: Context, earlier: Engagement, values: dict[str, list[str]]) -> Written:
    from copro.write.record_edits import add_finding
    from copro.write.revisit import draft_revisit

    fields = revisit_fields()
    refuse_personal_data(fields[:3], values)
    refuse_personal_data(fields[3:], values, rows=True)
    known = {r.ref: r for r in rows(earlier)}
    answered = []
    problems = []
    for given in _row_values(values, len(known)):
        row = known.get(given["revisits"])
        if row is None or not given["outcome"]:
            continue
        if not given["text"]:
            problems.append(Problem("text", f"Enter what people said now about {row.finding}",
                                    f"field-text-{row.index}"))  # fmt: skip
        answered.append((row, given))
    if problems:
        raise FormRefused(problems)
    created = guarded(
        fields,
        lambda: (
            draft_revisit(
                ctx.root,
                earlier.id,
                first(values, "date"),
                first(values, "title"),
                first(values, "id"),
            ).created
        ),
    )
    try:
        for row, given in answered:
            _add(ctx, created.id, row, given, add_finding)
    except FormRefused:
        created.path.unlink(missing_ok=True)
        raise
    return Written(
        created.id, (created.relpath,), f"Record a revisit of {earlier.id}: {created.id}"
    )


def _add(ctx: Context, new_id: str, row: Row, given: dict[str, str], add_finding: Any) -> None:
    try:
        add_finding(
            ctx.root, new_id, given["text"], [], row.ref, given["outcome"],
            given["note"] or None, vocab=ctx.vocab,
        )  # fmt: skip
    except CoproError as exc:
        raise FormRefused(
            [Problem("text", f"{row.finding}: {exc.message}", f"field-text-{row.index}")]
        ) from None
