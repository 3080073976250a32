"""Plain HTML forms as values: fields named as the contract names them, and their problems.

A field's ``name`` is the long option of the matching command with the dashes
dropped (``--responds-to`` -> ``responds_to``); a repeatable option repeats the
field. Problems are kept per field so the page can start with an error summary
linking to each one (the GOV.UK / NHS.UK pattern). A value that holds personal
data is refused before any writer sees it: the message names the field and the
kind of data, and the value appears nowhere but in its own field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from copro.core import pii
from copro.core.errors import CoproError

TEXT_KINDS = ("text", "textarea", "date", "number")
_OPTION = re.compile(r"--([a-z][a-z-]*)")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    """text, textarea, date, number, select, radios, checkboxes, checkbox, hidden, file;
    yesno: a checkbox sent with a hidden ``no`` first, so that unticking it is a change
    and a form without the field leaves it as it is."""
    hint: str = ""
    """What to type, in plain words; what is typed exactly (an id) is written in backticks
    and shown as code, kept whole on a line. An optional field's label says "(optional)",
    so its hint never says it again."""
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    autocomplete: str = "off"
    index: int = 0
    """Which of a repeated field's values this input holds (``synonym``, ``from``)."""

    @property
    def id(self) -> str:
        return f"field-{self.name}" if not self.index else f"field-{self.name}-{self.index + 1}"

    @property
    def hint_parts(self) -> list[tuple[str, bool]]:
        """The hint as (words, is_code) pieces: odd pieces between backticks are code."""
        pieces = self.hint.split("`")
        return [(words, index % 2 == 1) for index, words in enumerate(pieces) if words]

    @property
    def first_id(self) -> str:
        """Where an error summary link lands: the field, or a group's first option."""
        return f"{self.id}-1" if self.kind in ("radios", "checkboxes") else self.id


@dataclass
class Problem:
    field: str | None
    message: str
    anchor: str | None = None
    """Where the summary links when not the field itself (a row of repeated fields)."""


class FormRefused(Exception):
    """The form's values cannot be written: every problem, nothing written."""

    def __init__(self, problems: list[Problem], status: int = 422) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
        self.status = status


@dataclass
class Form:
    """One form as the page shows it: fields, what was typed, and its problems."""

    title: str
    fields: list[Field]
    submit: str
    intro: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    multipart: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def value(self, name: str, index: int = 0) -> str:
        given = self.values.get(name) or []
        return given[index] if index < len(given) else ""

    def chosen(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def problem(self, name: str) -> str | None:
        return next((p.message for p in self.problems if p.field == name), None)

    def problem_for(self, spec: Field) -> str | None:
        """A field's problem, shown once: at the first input of a repeated field."""
        return None if spec.index else self.problem(spec.name)

    def problem_at(self, anchor: str) -> str | None:
        return next((p.message for p in self.problems if p.anchor == anchor), None)

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def summary(self) -> list[tuple[str | None, str]]:
        """(anchor, message) for the error summary, in the order of the fields."""
        order = {f.name: i for i, f in enumerate(self.fields)}
        ranked = sorted(self.problems, key=lambda p: order.get(p.field or "", -1))
        out = []
        for problem in ranked:
            found = self.field_named(problem.field) if problem.field else None
            anchor = problem.anchor or (found.first_id if found else None)
            out.append((anchor, problem.message))
        return out


def values_of(items: Iterable[tuple[str, object]]) -> dict[str, list[str]]:
    """Submitted fields as lists of strings (uploads are left to the caller)."""
    values: dict[str, list[str]] = {}
    for key, value in items:
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def first(values: dict[str, list[str]], name: str) -> str | None:
    """The field's first value, stripped; None when empty or absent."""
    given = [v.strip() for v in values.get(name, []) if v.strip()]
    return given[0] if given else None


def many(values: dict[str, list[str]], name: str) -> list[str]:
    return [v.strip() for v in values.get(name, []) if v.strip()]


def personal_data(value: str) -> str | None:
    """The kind of personal data ``value`` holds ("an e-mail address"), or None."""
    found = pii.scan_value(value) or pii.scan_text(value)
    return pii.KINDS.get(found[0].code, "personal data") if found else None


def personal_data_problem(label: str, kind: str, name: str, anchor: str | None = None) -> Problem:
    return Problem(
        name,
        f"{label} contains {kind}. Personal data never enters the archive: take it out "
        "and try again.",
        anchor,
    )


def refuse_personal_data(
    fields: Sequence[Field], values: dict[str, list[str]], rows: bool = False
) -> None:
    """Refuse (422) every typed field that holds personal data, naming field and kind only.

    With ``rows``, repeated fields are rows of one table: the summary links each row.
    """
    problems = []
    for spec in fields:
        if spec.kind not in TEXT_KINDS:
            continue
        for index, value in enumerate(values.get(spec.name, []), start=1):
            kind = personal_data(value)
            if kind:
                anchor = f"{spec.id}-{index}" if rows else None
                problems.append(personal_data_problem(spec.label, kind, spec.name, anchor))
                if not rows:
                    break
    if problems:
        raise FormRefused(problems)


def require(fields: Sequence[Field], values: dict[str, list[str]]) -> None:
    missing = [
        Problem(f.name, f"Enter {f.label[:1].lower()}{f.label[1:]}"
                if f.kind in TEXT_KINDS else f"Choose {f.label[:1].lower()}{f.label[1:]}")
        for f in fields
        if f.required and not many(values, f.name)
    ]  # fmt: skip
    if missing:
        raise FormRefused(missing)


def refused_by_library(exc: CoproError, fields: Sequence[Field]) -> FormRefused:
    """A writer's refusal as form problems: an ``--option`` it names becomes that field,
    written with the field's label; the rest is a problem of the whole form."""
    by_option = {f.name.replace("_", "-"): f for f in fields}
    named = [by_option[m] for m in _OPTION.findall(exc.message) if m in by_option]
    named = named or [by_option[m] for m in _OPTION.findall(exc.hint) if m in by_option]
    message, hint = exc.message, exc.hint
    for option, spec in by_option.items():
        message = message.replace(f"--{option}", f"\u201c{spec.label}\u201d")
        hint = hint.replace(f"--{option}", f"\u201c{spec.label}\u201d")
    message = message.strip().replace("\n  ", " ").replace("\n", " ")
    if hint:
        message = f"{message[:1].upper()}{message[1:]}. {hint[:1].upper()}{hint[1:]}."
    else:
        message = f"{message[:1].upper()}{message[1:]}."
    return FormRefused([Problem(named[0].name if named else None, message.replace("..", "."))])
