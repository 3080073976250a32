"""Every writing form: its fields, and its write through the command line's own writers.

Each ``apply_*`` takes the submitted values, refuses personal data and missing
answers before any writer runs, calls the same library function as the
matching command (``add``, ``update``, ``new``, ``revisit``, ``import``), and
returns what it wrote: the page to show next, the files for the commit, and
the commit message. A writer's refusal becomes form problems (422); a
replacing edit whose record changed since the form was built is refused (409).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copro.core.errors import CoproError
from copro.core.model import LADDER, SECTORS, STATUSES
from copro.core.vocab import Vocabularies
from copro.web.forms import (
    Field,
    FormRefused,
    Problem,
    first,
    many,
    refuse_personal_data,
    refused_by_library,
    require,
)
from copro.write.update import SECTIONS

ACTION_STATUSES = ("planned", "in-progress", "done", "not-doing")
OUTCOMES = ("still-holds", "changed", "no-longer-holds", "unclear")
WORDS = {
    "in-progress": "In progress",
    "not-doing": "Not doing",
    "still-holds": "Still holds",
    "no-longer-holds": "No longer holds",
    "local-authority": "Local authority",
    "co-design": "Co-design",
    "co-production": "Co-production",
    "nhs": "NHS",
}
ID_HINT = "Leave empty to make it from the date and title."
"""A new record's or statement's id field: made for it unless one is typed."""


@dataclass(frozen=True)
class Written:
    """What a write did: the record or statement to show, files to commit, the message."""

    page: str
    paths: tuple[str, ...]
    message: str
    url: str | None = None
    """Where to go next when it is not the record ``page``'s page."""

    @property
    def next_url(self) -> str:
        return self.url or f"/records/{self.page}/"


@dataclass(frozen=True)
class Context:
    root: Path
    vocab: Vocabularies


def words(value: str) -> str:
    return WORDS.get(value, value.replace("-", " ").capitalize())


def choices(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((v, words(v)) for v in values)


def terms(vocab: Vocabularies, kind: str) -> tuple[tuple[str, str], ...]:
    vocabulary = vocab[kind]
    return tuple(
        sorted(((i, vocabulary.label(i)) for i in vocabulary.terms), key=lambda t: t[1].casefold())
    )


def version_of(data: bytes) -> str:
    """A record's version: the hash of its bytes (what a replacing edit must still find)."""
    return hashlib.sha256(data).hexdigest()


def guarded(fields: list[Field], call: Callable[[], Any]) -> Any:
    """Run a writer; its refusal becomes problems of these fields."""
    try:
        return call()
    except CoproError as exc:
        raise refused_by_library(exc, fields) from None


def checked(fields: list[Field], values: dict[str, list[str]]) -> None:
    refuse_personal_data(fields, values)
    require(fields, values)


# ------------------------------------------------------------------ additions


def finding_id_hint(instead: str = "") -> str:
    """How to name a finding (``ID#SN``) in plain words, ending with an example; ``instead``
    is what may be done in place of naming one."""
    return (
        "The engagement's id, as in the address of its page, then #S and the number "
        f"of the finding{instead}. For example, for the second finding: "
        "`2019-03-somali-mothers-parenting#S2`"
    )


def finding_fields(vocab: Vocabularies) -> list[Field]:
    return [
        Field("text", "What people said", "textarea", "In plain words, as a group said it; "
              "never a person's name or contact details.", required=True),
        Field("topic", "Topics of this finding", "checkboxes",
              "Leave empty to use the record's topics.", terms(vocab, "topics")),
        Field("revisits", "Checks again an earlier finding", hint=finding_id_hint()),
        Field("outcome", "Does it still hold?", "select", "Only when it checks again an "
              "earlier finding.", (("", "Not a revisit"), *choices(OUTCOMES))),
        Field("note", "Note on the revisit"),
    ]  # fmt: skip


def apply_finding(ctx: Context, record_id: str, values: dict[str, list[str]]) -> Written:
    from copro.write.record_edits import add_finding

    fields = finding_fields(ctx.vocab)
    checked(fields, values)
    result = guarded(
        fields,
        lambda: add_finding(
            ctx.root,
            record_id,
            first(values, "text") or "",
            many(values, "topic"),
            first(values, "revisits"),
            first(values, "outcome"),
            first(values, "note"),
            vocab=ctx.vocab,
        ),
    )
    return Written(record_id, (result.relpath,), f"Add finding {result.item_id} to {record_id}")


def action_fields(findings: tuple[tuple[str, str], ...]) -> list[Field]:
    return [
        Field("responds_to", "Which findings it answers", "checkboxes", choices=findings,
              required=True),
        Field("status", "Status", "radios", choices=choices(ACTION_STATUSES), required=True),
        Field("text", "What was (or will be) done", "textarea", required=True),
        Field("date", "Date it was done", "date", "Needed when it is done. For example, "
              "1/6/2019 or 1 June 2019."),
        Field("reason", "Why it is not being done", "textarea",
              "Needed when it is not being done: people hear why."),
    ]  # fmt: skip


def apply_action(
    ctx: Context, record_id: str, values: dict[str, list[str]], findings: Any
) -> Written:
    from copro.write.record_edits import add_action

    fields = action_fields(findings)
    checked(fields, values)
    status = first(values, "status") or ""
    problems = []
    if status == "done" and not first(values, "date"):
        problems.append(Problem("date", "Enter the date it was done"))
    if status == "not-doing" and not first(values, "reason"):
        problems.append(Problem("reason", "Enter why it is not being done"))
    if problems:
        raise FormRefused(problems)
    result = guarded(
        fields,
        lambda: add_action(
            ctx.root,
            record_id,
            many(values, "responds_to"),
            status,
            first(values, "text") or "",
            first(values, "date"),
            first(values, "reason"),
            vocab=ctx.vocab,
        ),
    )
    return Written(record_id, (result.relpath,), f"Add action {result.item_id} to {record_id}")


def decision_fields() -> list[Field]:
    return [
        Field("text", "The decision", "textarea", required=True),
        Field("made_by", "Made by", "radios", choices=choices(("joint", "organisation",
              "community")), required=True),
        Field("date", "Date", "date", "For example, 1/6/2019 or 1 June 2019."),
    ]  # fmt: skip


def apply_decision(ctx: Context, record_id: str, values: dict[str, list[str]]) -> Written:
    from copro.write.record_edits import add_decision

    fields = decision_fields()
    checked(fields, values)
    result = guarded(
        fields,
        lambda: add_decision(
            ctx.root,
            record_id,
            first(values, "text") or "",
            first(values, "made_by") or "",
            first(values, "date"),
            vocab=ctx.vocab,
        ),
    )
    return Written(record_id, (result.relpath,), f"Add a decision to {record_id}")


def contributor_fields() -> list[Field]:
    return [
        Field("role", "Their part", hint="For example, co-facilitator or peer researcher.",
              required=True),
        Field("credit", "Credit", "radios", "Name people only when they agreed to be credited.",
              (("named", "Named (they agreed)"), ("anonymous", "Anonymous")), required=True),
        Field("name", "Name", hint="Only when credited by name."),
    ]  # fmt: skip


def apply_contributor(ctx: Context, record_id: str, values: dict[str, list[str]]) -> Written:
    from copro.write.record_edits import add_contributor

    fields = contributor_fields()
    checked(fields, values)
    if first(values, "credit") == "anonymous" and first(values, "name"):
        raise FormRefused(
            [Problem("name", "Leave the name empty: an anonymous contributor's name never "
                     "enters the archive")]
        )  # fmt: skip
    if first(values, "credit") == "named" and not first(values, "name"):
        raise FormRefused([Problem("name", "Enter the name of the contributor credited by name")])
    result = guarded(
        fields,
        lambda: add_contributor(
            ctx.root,
            record_id,
            first(values, "role") or "",
            first(values, "credit") or "",
            first(values, "name"),
            vocab=ctx.vocab,
        ),
    )
    return Written(record_id, (result.relpath,), f"Add a contributor to {record_id}")


def feedback_fields() -> list[Field]:
    return [
        Field("date", "Date people were told", "date", "For example, 20/11/2019 or "
              "20 November 2019.", required=True),
        Field("channel", "How they were told", hint="A route such as 'community meeting', "
              "never a person's contact details.", required=True),
        Field("note", "What was said", "textarea", "In a sentence or two."),
    ]  # fmt: skip


def apply_feedback(ctx: Context, record_id: str, values: dict[str, list[str]]) -> Written:
    from copro.write.record_edits import add_feedback

    fields = feedback_fields()
    checked(fields, values)
    result = guarded(
        fields,
        lambda: add_feedback(
            ctx.root,
            record_id,
            first(values, "date") or "",
            first(values, "channel") or "",
            first(values, "note"),
            vocab=ctx.vocab,
        ),
    )
    return Written(record_id, (result.relpath,), f"Add feedback to {record_id}")


# ------------------------------------------------------------------ update (a replacing edit)


UPDATE_WORDS = {
    "aim": ("Why the engagement was run", "textarea", ""),
    "participants": ("How many people took part", "number", ""),
    "review_by": ("Check the findings again by", "date", "For example, 1/3/2027 or 1 March 2027."),
    "end_date": ("End date", "date", "For example, 30/4/2019 or 30 April 2019."),
    "date": ("Start date", "date", "For example, 14/3/2019 or 14 March 2019."),
    "methods": ("How you met", "checkboxes", ""),
    "populations": ("Who took part", "checkboxes", "Groups, never individuals."),
    "ladder": ("Rung of the ladder of co-production", "radios", ""),
    "asked": ("What we asked", "text", "One question per box; empty boxes are left out."),
}
"""The update form's words for rows of the field table where the form says more."""
KIND_OF_FIELD = {"text": "text", "date": "date", "count": "number", "choice": "radios",
                 "terms": "checkboxes", "texts": "text"}  # fmt: skip
ASKED_BOXES = 2
"""Empty boxes for more questions, after the record's own."""


def update_fields(vocab: Vocabularies, asked: int = 0, other: int = 0) -> list[Field]:
    """Every field ``copro update`` sets from the field table (``copro.core.fields``): its
    form name, and a form control for its kind (``asked`` questions the record has now),
    then ``update``'s own options: consent, recognition (``other`` items now), the body."""
    from copro.core.fields import FIELDS

    out = []
    for row in FIELDS:
        label, kind, hint = UPDATE_WORDS.get(row.key, (row.label, KIND_OF_FIELD[row.kind], ""))
        if row.vocabulary:
            options = terms(vocab, row.vocabulary)
        else:
            options = choices(row.choices) if row.choices else ()
        if row.kind == "texts":
            for index in range(asked + ASKED_BOXES):
                number = f" ({index + 1})" if index else ""
                out.append(Field(row.form_name, f"{label}{number}", kind,
                                 hint if not index else "", index=index))  # fmt: skip
            continue
        out.append(Field(row.form_name, label, kind, hint, options))
    return out + part_fields(other)


def part_fields(other: int) -> list[Field]:
    """``update``'s own options (not rows of the field table), named as the options are:
    ``--quotes``, ``--recontact-via``, ``--no-recontact``, ``--payment``, ``--rate``,
    ``--other``, and one per body section (``--what-happened`` -> ``what_happened``)."""
    from copro.core.values import PAYMENTS

    out = [
        Field("quotes", "People agreed that their words may be quoted directly", "yesno"),
        Field("recontact_via", "Route for contacting people again", hint="Only if they agreed: "
              "a team or service, never a person's contact details."),
        Field("no_recontact", "People no longer agree to be contacted again (the route is "
              "removed)", "checkbox"),
        Field("payment", "How people were paid or thanked", "radios", choices=choices(PAYMENTS)),
        Field("rate", "Rate", hint="For example, £20 voucher per session."),
    ]  # fmt: skip
    for index in range(other + OTHER_BOXES):
        number = f" ({index + 1})" if index else ""
        hint = "For example, certificates or training; one per box." if not index else ""
        out.append(Field("other", f"Other recognition{number}", hint=hint, index=index))
    for heading in SECTIONS:
        out.append(Field(section_name(heading), heading, "textarea", SECTION_HINTS[heading]))
    return out


SECTION_HINTS = {
    "Summary": "A few lines: what it was, with whom, about what.",
    "What happened": "How and where you met; no names of people who took part.",
    "Reflections": "What went well, what did not, what you learned.",
}
OTHER_BOXES = 1
"""Empty boxes for more kinds of recognition, after the record's own."""


def section_name(heading: str) -> str:
    """The form field of a body section: its option without dashes (``what_happened``)."""
    return heading.lower().replace(" ", "_")


def update_values(meta: dict[str, Any], body: str = "") -> dict[str, list[str]]:
    """The form's values for a record as it is now (lists as one value per item)."""
    from copro.core.fields import FIELDS

    out: dict[str, list[str]] = {}
    for row in FIELDS:
        value = meta.get(row.key)
        if isinstance(value, list):
            out[row.form_name] = [str(v) for v in value]
        else:
            out[row.form_name] = [] if value is None else [str(value)]
    return out | part_values(meta, body)


def part_values(meta: dict[str, Any], body: str) -> dict[str, list[str]]:
    """Consent, recognition and the body's sections as the form shows them; a recontact
    route only while people agree to be contacted again."""
    from copro.core.placeholders import sections

    consent = meta.get("consent") if isinstance(meta.get("consent"), dict) else {}
    recognition = meta.get("recognition") if isinstance(meta.get("recognition"), dict) else {}
    assert isinstance(consent, dict) and isinstance(recognition, dict)
    route = consent.get("recontact_via") if consent.get("recontact") is True else None
    other = recognition.get("other")
    found = sections(body)
    out = {
        "quotes": ["yes"] if consent.get("quotes") is True else [],
        "recontact_via": [str(route)] if route else [],
        "no_recontact": [],
        "payment": [str(recognition["payment"])] if recognition.get("payment") else [],
        "rate": [str(recognition["rate"])] if recognition.get("rate") else [],
        "other": [str(o) for o in other] if isinstance(other, list) else [],
    }
    for heading in SECTIONS:
        section = found.get(heading.casefold())
        text = "\n".join(line for _, line in section.lines) if section else ""
        out[section_name(heading)] = [section_words(text)] if section_words(text) else []
    return out


def section_words(text: str) -> str:
    """A section's words as compared: line ends unified, lines' trailing spaces and the
    blank lines around it dropped (a browser sends a textarea back with CRLF)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def changed_parts(values: dict[str, list[str]], now: dict[str, list[str]], meta: Any) -> Any:
    """The consent, recognition and sections the form changed, as ``update``'s request
    takes them; what is left as the record has it (or emptied) is not sent."""
    from copro.write.update import UpdateRequest

    request = UpdateRequest()
    sent = values.get("quotes")  # the box's hidden "no" comes with the form; absent: kept
    if sent is not None:
        wanted = any(v.strip() not in ("", "no") for v in sent)
        if wanted != bool(now["quotes"]):
            request.quotes = wanted
    consent = meta.get("consent") if isinstance(meta.get("consent"), dict) else {}
    if first(values, "no_recontact") and (consent.get("recontact") or consent.get("recontact_via")):
        request.no_recontact = True
    for name in ("recontact_via", "payment", "rate"):
        typed = first(values, name)
        if typed and [typed] != now[name]:
            setattr(request, name, typed)
    if many(values, "other") and many(values, "other") != now["other"]:
        request.other = many(values, "other")
    for heading in SECTIONS:
        typed = section_words(first(values, section_name(heading)) or "")
        if typed and [typed] != now[section_name(heading)]:
            request.sections[heading] = typed
    return request


def apply_update(ctx: Context, record_id: str, values: dict[str, list[str]]) -> Written:
    """``copro update ID --field VALUE ...`` with every field the form changed: a field
    left as the record has it is not sent (its text stays byte for byte as it is)."""
    from copro.core.fields import FIELDS
    from copro.write.changes import open_record
    from copro.write.update import update_record

    asked, other = len(values.get("asked", [])), len(values.get("other", []))
    fields = update_fields(ctx.vocab, asked, max(other - OTHER_BOXES, 0))
    checked(fields, values)
    opened = guarded(fields, lambda: open_record(ctx.root, record_id))
    if first(values, "version") != version_of(opened.data):
        raise FormRefused(
            [Problem(None, "This record was changed since the form was shown, so nothing was "
                     "written. The form now shows the record as it is: make the change again.")],
            409,
        )  # fmt: skip
    now = update_values(opened.record.meta, opened.record.body)
    given: dict[str, Any] = {}
    for row in FIELDS:
        typed, held = many(values, row.form_name), now[row.form_name]
        if row.vocabulary:  # boxes come in the form's order: keep the record's, add after
            if set(typed) == set(held):
                continue
            typed = [v for v in held if v in typed] + [v for v in typed if v not in held]
        if typed == held or not typed:
            continue  # unchanged, or emptied (the command line cannot clear a field either)
        given[row.key] = typed if row.repeatable else typed[0]
    request = changed_parts(values, now, opened.record.meta)
    request.fields = given
    if request.is_empty():
        raise FormRefused([Problem(None, "Nothing was changed: change a field, then save.")])
    result = guarded(fields, lambda: update_record(ctx.root, record_id, request, vocab=ctx.vocab))
    said = "; ".join(result.changed)
    return Written(record_id, (result.relpath,), f"Update {record_id}: {said}")


# ------------------------------------------------------------------ new engagement


def new_fields(vocab: Vocabularies) -> list[Field]:
    return [
        Field("title", "Title", hint="What the engagement is, in a few words.", required=True),
        Field("date", "Start date", "date", "For example, 14/3/2019 or 14 March 2019.",
              required=True),
        Field("status", "Status", "radios", choices=choices(STATUSES), required=True),
        Field("lead", "Lead organisation", required=True, autocomplete="organization"),
        Field("lead_sector", "Lead organisation's sector", "select",
              choices=(("", "Choose a sector"), *choices(SECTORS)), required=True),
        Field("population", "Who took part", "checkboxes", "Groups, never individuals.",
              terms(vocab, "populations"), required=True),
        Field("topic", "Topics", "checkboxes", choices=terms(vocab, "topics"), required=True),
        Field("place", "Places", "checkboxes", choices=terms(vocab, "places"), required=True),
        Field("method", "How you met", "checkboxes", choices=terms(vocab, "methods"),
              required=True),
        Field("ladder", "Rung of the ladder of co-production", "radios", choices=choices(LADDER),
              required=True),
        Field("quotes", "People agreed that their words may be quoted directly", "checkbox"),
        Field("recontact_via", "Route for contacting people again", hint="Only if they agreed: "
              "a team or service, never a person's contact details."),
        Field("id", "Record id", hint=ID_HINT),
    ]  # fmt: skip


def new_request(values: dict[str, list[str]]) -> Any:
    from copro.write.newrecord import NewRecord

    return NewRecord(
        title=first(values, "title"),
        date=first(values, "date"),
        status=first(values, "status") or "planned",
        lead=first(values, "lead"),
        lead_sector=first(values, "lead_sector"),
        places=many(values, "place"),
        methods=many(values, "method"),
        ladder=first(values, "ladder"),
        populations=many(values, "population"),
        topics=many(values, "topic"),
        recontact_via=first(values, "recontact_via"),
        quotes=bool(first(values, "quotes")),
        id=first(values, "id"),
    )


def asked_before(ctx: Context, values: dict[str, list[str]]) -> list[Any]:
    """Earlier engagements with these people on these topics (the "asked before?" panel)."""
    from copro.write.newrecord import asked_before as earlier

    request = new_request(values)
    known = {
        "populations": [p for p in request.populations if p in ctx.vocab["populations"]],
        "topics": [t for t in request.topics if t in ctx.vocab["topics"]],
    }
    request.populations, request.topics = known["populations"], known["topics"]
    if not (request.populations and request.topics) and not request.title:
        return []
    try:
        return earlier(ctx.root, request, ctx.vocab)
    except CoproError:
        return []


def apply_new(ctx: Context, values: dict[str, list[str]]) -> Written:
    from copro.write.newrecord import create_record

    fields = new_fields(ctx.vocab)
    checked(fields, values)
    created = guarded(fields, lambda: create_record(ctx.root, new_request(values), vocab=ctx.vocab))
    return Written(created.id, (created.relpath,), f"Record a new engagement: {created.id}")


# ------------------------------------------------------------------ remove (a replacing edit)


def remove_fields() -> list[Field]:
    return [
        Field("yes", "Yes, remove this record: it was made by mistake", "checkbox",
              "Nothing is removed unless this is ticked."),
    ]  # fmt: skip


def apply_remove(ctx: Context, record_id: str, values: dict[str, list[str]]) -> Written:
    """``copro remove ID --yes``: refused while another record or statement names it, or
    when the record changed since the form was shown (409)."""
    from copro.write.remove import plan_removal, remove_record

    fields = remove_fields()
    if not first(values, "yes"):
        raise FormRefused([Problem("yes", "Tick the box to confirm that the record is removed")])
    try:
        removal = plan_removal(ctx.root, record_id)
    except CoproError as exc:  # named by other records: say so in the form's words
        said = exc.message[:1].upper() + exc.message[1:]
        raise FormRefused(
            [Problem(None, f"{said}. Take those references out of the records first; then "
                     "it can be removed.")]
        ) from None  # fmt: skip
    if first(values, "version") != version_of(removal.data):
        raise FormRefused(
            [Problem(None, "This record was changed since the form was shown, so nothing was "
                     "removed. Look at it again before removing it.")],
            409,
        )  # fmt: skip
    guarded(fields, lambda: remove_record(ctx.root, removal))
    return Written(record_id, (removal.relpath,), f"Remove {record_id}", "/records/")


# ------------------------------------------------------------------ vocabulary term


VOCAB_KINDS = (
    ("topics", "Topics"),
    ("populations", "Populations (who took part)"),
    ("places", "Places"),
    ("methods", "Methods (how you met)"),
)


def vocab_fields() -> list[Field]:
    return [
        Field("kind", "Which list it belongs to", "radios", choices=VOCAB_KINDS, required=True),
        Field("label", "The term, as people say it", hint="Groups and places, never people. "
              "For example, Children's centres.", required=True),
        Field("synonym", "Other words people use for it", hint="One per box."),
        Field("synonym", "Other words people use for it (2)", index=1),
        Field("synonym", "Other words people use for it (3)", index=2),
        Field("broader", "The wider term it belongs under", hint="The id or label of a term "
              "of the same list. For example, `family-support`"),
        Field("in_sentence", "How it reads inside a sentence", hint="For example, the label "
              "Focus group reads `a focus group`"),
        Field("id", "Term id", hint="Leave empty to make it from the label. For example, "
              "Bus passes makes `bus-passes`"),
    ]  # fmt: skip


def apply_vocab(ctx: Context, values: dict[str, list[str]]) -> Written:
    """``copro vocab add KIND --label L [--synonym S]... [--broader ID] [--in-sentence T]``."""
    from copro.write.vocab_terms import add_term

    fields = vocab_fields()
    checked(fields, values)
    kind = first(values, "kind") or ""
    if kind not in dict(VOCAB_KINDS):
        raise FormRefused([Problem("kind", "Choose which list the term belongs to")])
    try:
        added = guarded(
            fields,
            lambda: add_term(
                ctx.root,
                kind,
                first(values, "label") or "",
                many(values, "synonym"),
                first(values, "broader"),
                first(values, "in_sentence"),
                first(values, "id"),
            ),
        )
    except FormRefused as refused:
        for problem in refused.problems:  # a clash: with the words typed in which field
            if problem.field is None:
                problem.field = _clashing_field(values, problem.message)
        raise
    term = added.term
    return Written(
        term.id,
        (added.relpath, *added.copied),
        f"Add the term {term.id} to the {kind} vocabulary",
        f"/edit/vocab?added={kind}/{term.id}",
    )


def _clashing_field(values: dict[str, list[str]], message: str) -> str | None:
    """The field whose words clash with a term the vocabulary has (its message quotes
    them): a synonym, the id, else the label (the id is made from it)."""
    if "already" not in message:
        return None
    for name in ("synonym", "id"):
        if any(f"'{v}'" in message or f"`{v}`" in message for v in many(values, name)):
            return name
    return "label"
