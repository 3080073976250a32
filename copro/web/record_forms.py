"""GET shows a form, POST applies it: the handlers behind every ``/edit/...`` address.

Every POST checks the CSRF token first (403, nothing written), then runs the
write (``writes``) under the server's write lock, commits it, and answers 303
to the page that shows the change; a refusal shows the form again with what
was typed and an error summary (422, or 409 with the record as it is now).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from copro.core.errors import CoproError
from copro.core.words import date_words
from copro.web import writes
from copro.web.forms import Field, Form, FormRefused, Problem, first
from copro.web.requests import FormHost, submit

TITLES = {
    "finding": ("Add a finding", "Save the finding"),
    "action": ("Add an action", "Save the action"),
    "decision": ("Add a decision", "Save the decision"),
    "contributor": ("Add a contributor", "Save the contributor"),
    "feedback": ("Record feedback to the people who took part", "Save the feedback"),
    "": ("Change this record", "Save the changes"),
}


def _opened(app: FormHost, record_id: str) -> Any:
    from copro.write.changes import open_record

    return open_record(app.root, record_id)


def _findings(opened: Any) -> tuple[tuple[str, str], ...]:
    from copro.core.records import as_dicts

    out = []
    for item in as_dicts(opened.record.meta.get("you_said")):
        text = " ".join(str(item.get("text", "")).split())
        short = text if len(text) <= 90 else text[:89].rsplit(" ", 1)[0] + "\u2026"
        out.append((str(item.get("id")), f"{item.get('id')}: {short}"))
    return tuple(out)


def _fields(app: FormHost, kind: str, opened: Any) -> list[Field]:
    vocab = app.load_vocab()
    return {
        "finding": lambda: writes.finding_fields(vocab),
        "action": lambda: writes.action_fields(_findings(opened)),
        "decision": writes.decision_fields,
        "contributor": writes.contributor_fields,
        "feedback": writes.feedback_fields,
        "": lambda: writes.update_fields(
            vocab, len(opened.record.meta.get("asked") or []), _others(opened)
        ),
    }[kind]()


def _others(opened: Any) -> int:
    """How many kinds of "other" recognition the record has (one box each)."""
    recognition = opened.record.meta.get("recognition")
    other = recognition.get("other") if isinstance(recognition, dict) else None
    return len(other) if isinstance(other, list) else 0


def _apply(app: FormHost, kind: str, record_id: str, values: dict[str, list[str]], opened: Any):
    ctx = app.context()
    if kind == "finding":
        return lambda: writes.apply_finding(ctx, record_id, values)
    if kind == "action":
        return lambda: writes.apply_action(ctx, record_id, values, _findings(opened))
    if kind == "decision":
        return lambda: writes.apply_decision(ctx, record_id, values)
    if kind == "contributor":
        return lambda: writes.apply_contributor(ctx, record_id, values)
    if kind == "feedback":
        return lambda: writes.apply_feedback(ctx, record_id, values)
    return lambda: writes.apply_update(ctx, record_id, values)


async def handle(app: FormHost, request: Request, record_id: str, kind: str) -> Response:
    if kind == "revisit":
        return await handle_revisit(app, request, record_id)
    if kind == "remove":
        return await handle_remove(app, request, record_id)
    try:
        opened = await run_in_threadpool(_opened, app, record_id)
    except CoproError as exc:
        return app.html(
            app.message(request, "This record cannot be changed here", exc.message), 422
        )
    title, submit = TITLES[kind]
    fields = await run_in_threadpool(_fields, app, kind, opened)
    record = app.record_link(record_id)
    replacing = kind == ""
    if request.method == "GET":
        values = writes.update_values(opened.record.meta, opened.record.body) if replacing else {}
        form = Form(title, fields, submit, values=values)
        version = writes.version_of(opened.data) if replacing else None
        return app.show_form(request, form, record=record, version=version)
    values, _ = await app.form_values(request)
    if not app.csrf_ok(request, first(values, "csrf") or ""):
        return app.forbidden(request)
    try:
        written = await app.write(request, _apply(app, kind, record_id, values, opened))
    except FormRefused as refused:
        version = first(values, "version")
        if refused.status == 409:
            opened = await run_in_threadpool(_opened, app, record_id)
            values = writes.update_values(opened.record.meta, opened.record.body)
            version = writes.version_of(opened.data)
        form = Form(title, fields, submit, values=values, problems=refused.problems)
        return app.show_form(
            request, form, refused.status, record=record, version=version if replacing else None
        )
    return await app.redirect_to(written)


# ------------------------------------------------------------- one finding, action, contributor


async def handle_item(
    app: FormHost, request: Request, record_id: str, kind: str, item: str
) -> Response:
    """``/edit/<id>/<kind>/<item>``: one finding, action or contributor, shown as the record
    has it, then ``copro update ID --finding SN`` (``--action DN``, ``--contributor N``)."""
    from copro.web.item_edits import (
        ITEM_KINDS,
        apply_item,
        item_fields,
        item_of,
        item_values,
        later_checks,
    )

    try:
        opened = await run_in_threadpool(_opened, app, record_id)
    except CoproError as exc:
        return app.html(
            app.message(request, "This record cannot be changed here", exc.message), 422
        )
    entry = item_of(opened.record.meta, kind, item)
    if entry is None:
        return app.not_found(request, "The record has no such item")
    title, submit_words = ITEM_KINDS[kind]
    ctx = await run_in_threadpool(app.context)
    later = await run_in_threadpool(later_checks, app.root, record_id, kind, item)
    fields = item_fields(kind, ctx.vocab, [_title_of(app, other) for other in later])
    record = app.record_link(record_id)
    if request.method == "GET":
        form = Form(title, fields, submit_words, values=item_values(kind, entry))
        return app.show_form(request, form, record=record, version=writes.version_of(opened.data))
    values, _ = await app.form_values(request)
    if not app.csrf_ok(request, first(values, "csrf") or ""):
        return app.forbidden(request)
    try:
        written = await app.write(request, lambda: apply_item(ctx, record_id, kind, item, values))
    except FormRefused as refused:
        version = first(values, "version")
        if refused.status == 409:
            opened = await run_in_threadpool(_opened, app, record_id)
            entry = item_of(opened.record.meta, kind, item)
            values = item_values(kind, entry) if entry is not None else {}
            version = writes.version_of(opened.data)
        form = Form(title, fields, submit_words, values=values, problems=refused.problems)
        return app.show_form(request, form, refused.status, record=record, version=version)
    return await app.redirect_to(written)


def _title_of(app: FormHost, record_id: str) -> str:
    link = app.record_link(record_id)
    return str(link.title) if link is not None else record_id


# ------------------------------------------------------------------ new engagement


async def handle_new(app: FormHost, request: Request) -> Response:
    ctx = await run_in_threadpool(app.context)
    fields = writes.new_fields(ctx.vocab)
    title = "Record a new engagement"
    intro = (
        "What the engagement is, who took part and what it was about. Before you save, "
        "check who was asked about the same things before."
    )
    if request.method == "GET":
        values = {"status": ["planned"]}
        form = Form(title, fields, "Save the new engagement", intro, values=values)
        return app.show_form(request, form, template="web/new.html.j2", earlier=None, script=True)
    values, _ = await app.form_values(request)
    if not app.csrf_ok(request, first(values, "csrf") or ""):
        return app.forbidden(request)
    form = Form(title, fields, "Save the new engagement", intro, values=values)
    if first(values, "check"):
        earlier = await run_in_threadpool(writes.asked_before, ctx, values)
        return app.show_form(
            request, form, template="web/new.html.j2", earlier=earlier, script=True
        )
    try:
        written = await app.write(request, lambda: writes.apply_new(ctx, values))
    except FormRefused as refused:
        form.problems = refused.problems
        earlier = await run_in_threadpool(writes.asked_before, ctx, values)
        return app.show_form(
            request, form, refused.status, template="web/new.html.j2", earlier=earlier, script=True
        )
    return await app.redirect_to(written)


# ------------------------------------------------------------------ revisit


async def handle_revisit(app: FormHost, request: Request, record_id: str) -> Response:
    from copro.web import revisits

    ctx = await run_in_threadpool(app.context)
    try:
        earlier = await run_in_threadpool(revisits.earlier_record, ctx, record_id)
    except CoproError as exc:
        return app.html(app.message(request, "This record cannot be revisited", exc.message), 422)
    form = revisits.revisit_form(earlier)
    record = app.record_link(record_id)
    context = {"template": "web/revisit.html.j2", "record": record, "rows": revisits.rows(earlier)}
    return await submit(
        app, request, form, lambda values: revisits.apply_revisit(ctx, earlier, values), **context
    )


# ------------------------------------------------------------------ import


async def handle_import(app: FormHost, request: Request) -> Response:
    from copro.web import uploads

    title = "Import a workbook"
    intro = (
        "Upload a workbook (.xlsx) or CSV in the layout copro export writes. You will see "
        "what it changes before anything is written."
    )
    fields = [Field("file", "Workbook or CSV file", "file", "At most 20 MB.", required=True)]
    form = Form(title, fields, "Upload and see the changes", intro, multipart=True)
    if request.method == "GET":
        return app.show_form(request, form, template="web/import.html.j2", plan=None)
    values, submitted = await app.form_values(request)
    if not app.csrf_ok(request, first(values, "csrf") or ""):
        return app.forbidden(request)
    ctx = await run_in_threadpool(app.context)
    token = first(values, "upload") or ""
    try:
        if token:
            written = await app.write(request, lambda: uploads.apply_upload(ctx, token))
            return app.html(app.message(request, "The workbook was imported", written.message), 200)
        upload = submitted.get("file")
        plan, token = await uploads.plan_upload(ctx, upload)
    except FormRefused as refused:
        form.problems = refused.problems
        return app.show_form(
            request, form, refused.status, template="web/import.html.j2", plan=None
        )
    if plan.problems or plan.nothing_to_change:
        problems = [Problem("file", str(p)) for p in plan.problems]
        form.problems = problems
        status = 422 if problems else 200
        return app.show_form(
            request, form, status, template="web/import.html.j2", plan=plan, token=None
        )
    return app.show_form(request, form, template="web/import.html.j2", plan=plan, token=token)


# ------------------------------------------------------------------ consensus


async def handle_draft(app: FormHost, request: Request) -> Response:
    from copro.web import consensus_forms

    ctx = await run_in_threadpool(app.context)
    fields = consensus_forms.draft_fields(ctx.vocab)
    form = Form(
        "Draft a consensus statement",
        fields,
        "Save the draft",
        "What many engagements say together. Name the findings it rests on (at least two), "
        "or choose topics and groups to take every finding on them. The draft is never "
        "published until it is agreed.",
    )
    return await submit(app, request, form, lambda values: consensus_forms.apply_draft(ctx, values))


async def handle_agree(app: FormHost, request: Request, statement_id: str) -> Response:
    from copro.views.consensus import load_assessed
    from copro.web import consensus_forms

    try:
        assessed = await run_in_threadpool(load_assessed, app.root, statement_id)
    except CoproError as exc:
        return app.html(app.message(request, "No statement with this id", exc.message), 404)
    ctx = await run_in_threadpool(app.context)
    form = Form(
        "Agree the consensus statement",
        consensus_forms.agree_fields(),
        "Agree the statement",
        "How sure are we that it holds (GRADE-CERQual), and how people who took part "
        "checked it. Agreed statements are published.",
    )
    context: dict[str, Any] = {"template": "web/agree.html.j2", "assessed": assessed}
    return await submit(
        app,
        request,
        form,
        lambda values: consensus_forms.apply_agree(ctx, statement_id, values),
        **context,
    )


# ------------------------------------------------------------------ remove, vocabulary


async def handle_remove(app: FormHost, request: Request, record_id: str) -> Response:
    """``/edit/<id>/remove``: what will be removed, a box to tick, then ``copro remove``."""
    try:
        opened = await run_in_threadpool(_opened, app, record_id)
    except CoproError as exc:
        return app.html(
            app.message(request, "This record cannot be removed here", exc.message), 422
        )
    ctx = await run_in_threadpool(app.context)
    form = Form(
        "Remove this record",
        writes.remove_fields(),
        "Remove the record",
        "Only for a record made by mistake. A record that another record or a consensus "
        "statement names cannot be removed.",
    )
    meta = opened.record.meta
    removing = {
        "title": str(meta.get("title") or record_id),
        "date_words": date_words(str(meta.get("date") or "")),
        "relpath": opened.relpath,
    }
    context = {
        "template": "web/remove.html.j2",
        "record": app.record_link(record_id),
        "record_id": record_id,
        "version": writes.version_of(opened.data),
        "removing": removing,
        "named_by": await run_in_threadpool(_named_by, app, record_id),
    }
    return await submit(
        app, request, form, lambda values: writes.apply_remove(ctx, record_id, values), **context
    )


HOW_NAMED = {
    "related": "links to it as a related engagement",
    "supersedes": "replaces it",
    "revisits": "goes back to what people said in it",
    "evidence": "rests on what people said in it",
    "unreadable": "could not be read, so it may name it",
}
"""How a record or statement names the record being removed, in the form's words."""


def _named_by(app: FormHost, record_id: str) -> list[dict[str, str | None]]:
    """What names the record, so that the form says it is kept before anyone ticks the box
    (GOV.UK: never offer what will be refused): each record or statement once, its title
    linked to its page, and how it names the record."""
    from copro.store.catalog import load_catalog
    from copro.store.naming import who_names
    from copro.views.report import and_list

    catalog = load_catalog(app.root)
    statements = {f"consensus/{s.id}": s for s in catalog.statements if s.member is None}
    hows: dict[str, list[str]] = {}
    for named in who_names(app.root, record_id, catalog):
        hows.setdefault(named.source, []).append(HOW_NAMED.get(named.how, named.how))
    listed: list[dict[str, str | None]] = []
    for source, said in hows.items():
        title, url = source, None
        if source in statements:
            statement = statements[source]
            title = f"Consensus statement: {statement.display_title}"
            url = f"consensus/{statement.id}/" if statement.published else None
        elif (link := app.record_link(source)) is not None:
            title, url = link.title, link.url
        listed.append({"title": title, "url": url, "how": and_list(said)})
    return listed


async def handle_vocab(app: FormHost, request: Request) -> Response:
    """``/edit/vocab``: ``copro vocab add``; after adding, the form again, saying so."""
    ctx = await run_in_threadpool(app.context)
    form = Form(
        "Add a vocabulary term",
        writes.vocab_fields(),
        "Add the term",
        "A new topic, group of people, place or way of meeting, so that records can use it. "
        "Check the lists first: a term that other words already name is refused.",
    )
    added = None
    kind, _, term_id = request.query_params.get("added", "").partition("/")
    if kind in dict(writes.VOCAB_KINDS) and term_id in ctx.vocab[kind].terms:
        words = dict(writes.VOCAB_KINDS)[kind].split(" (")[0].lower()
        added = {"id": term_id, "label": ctx.vocab[kind].label(term_id), "kind_words": words}
    context = {"template": "web/vocab.html.j2", "added": added}
    return await submit(
        app, request, form, lambda values: writes.apply_vocab(ctx, values), **context
    )
