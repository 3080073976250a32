"""Consensus statements in the browser: draft one from findings, then agree it.

Same rules as ``writes``: the values checked first, then ``copro consensus
draft`` and ``copro consensus agree``'s own functions, one commit of the file
written. The field names are those commands' long options (``from``, ``topic``,
``population``, ``overall``, ``limitations``, ``note_limitations``,
``agreed_with``, ...).
"""

from __future__ import annotations

from copro.core.model import SECTORS
from copro.core.vocab import Vocabularies
from copro.web.forms import Field, first, many
from copro.web.writes import (
    ID_HINT,
    Context,
    Written,
    checked,
    choices,
    finding_id_hint,
    guarded,
    terms,
)

OVERALL = ("high", "moderate", "low", "very-low")
CONCERNS = ("none", "minor", "moderate", "serious")
COMPONENTS = (
    ("limitations", "methodological_limitations", "Methodological limitations",
     "How well the engagements that found it were run."),
    ("coherence", "coherence", "Coherence",
     "How clearly the findings support the statement, and how well they fit together."),
    ("adequacy", "adequacy", "Adequacy", "How much there is: how many people, how rich."),
    ("relevance", "relevance", "Relevance",
     "How well the engagements fit the statement's people, places and topics."),
)  # fmt: skip


# ------------------------------------------------------------------ consensus


def draft_fields(vocab: Vocabularies) -> list[Field]:
    return [
        Field("title", "Title", hint="What the statement is about, in a few words.",
              required=True),
        Field("statement", "What we now believe people have told us", "textarea",
              "In plain words; up to 1,000 characters."),
        Field("from", "A finding it rests on", hint=finding_id_hint(
              "; or leave these empty and choose topics and populations below")),
        Field("from", "Another finding", index=1),
        Field("from", "Another finding", index=2),
        Field("topic", "Or every finding on these topics", "checkboxes",
              choices=terms(vocab, "topics")),
        Field("population", "And from these groups", "checkboxes",
              choices=terms(vocab, "populations")),
        Field("lead", "Lead organisation", hint="Leave empty for the archive's own organisation."),
        Field("lead_sector", "Its sector", "select", choices=(("", "Choose a sector"),
              *choices(SECTORS))),
        Field("id", "Statement id", hint=ID_HINT),
    ]  # fmt: skip


def apply_draft(ctx: Context, values: dict[str, list[str]]) -> Written:
    from copro.write.consensus import DraftRequest, draft_statement

    fields = draft_fields(ctx.vocab)
    checked(fields, values)
    request = DraftRequest(
        findings=many(values, "from"),
        topics=many(values, "topic"),
        populations=many(values, "population"),
        title=first(values, "title"),
        statement=first(values, "statement"),
        lead=first(values, "lead"),
        lead_sector=first(values, "lead_sector"),
        id=first(values, "id"),
    )
    drafted = guarded(fields, lambda: draft_statement(ctx.root, request))
    created = drafted.created
    return Written(
        created.id,
        (created.relpath,),
        f"Draft a consensus statement: {created.id}",
        f"/edit/consensus/{created.id}",
    )


def agree_fields() -> list[Field]:
    concern = choices(CONCERNS)
    fields = [
        Field("overall", "How sure are we, overall (GRADE-CERQual)", "radios",
              choices=choices(OVERALL), required=True),
    ]  # fmt: skip
    for name, _, label, hint in COMPONENTS:
        fields.append(Field(name, f"{label}: concerns", "radios", hint, concern, required=True))
        fields.append(Field(f"note_{name}", f"{label}: note"))
    fields += [
        Field("explanation", "Why we are this sure", "textarea", required=True),
        Field("agreed_with", "How people checked it", hint="The date, how, and how many "
              "people, with semicolons between; groups, never names. For example, "
              "`2025-01-20; reference group of Somali mothers; 9`"),
        Field("date", "Date it was agreed", "date", "Leave empty for today."),
    ]  # fmt: skip
    return fields


def apply_agree(ctx: Context, statement_id: str, values: dict[str, list[str]]) -> Written:
    from copro.write.consensus import AgreeRequest, agree_statement

    fields = agree_fields()
    checked(fields, values)
    request = AgreeRequest(
        overall=first(values, "overall"),
        concerns={key: first(values, name) or "" for name, key, _, _ in COMPONENTS},
        notes={key: note for name, key, _, _ in COMPONENTS
               if (note := first(values, f"note_{name}"))},
        explanation=first(values, "explanation"),
        agreed_with=many(values, "agreed_with"),
        date=first(values, "date"),
    )  # fmt: skip
    path = guarded(fields, lambda: agree_statement(ctx.root, statement_id, request))
    rel = path.relative_to(ctx.root).as_posix()
    return Written(
        statement_id,
        (rel,),
        f"Agree the consensus statement {statement_id}",
        f"/consensus/{statement_id}/",
    )
