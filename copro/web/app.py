"""The Starlette application: read pages, the letter, and the writing forms.

Writes run one at a time in this process (a lock around write, commit and
push), and each also takes the archive's own writer lock inside the library,
so a command run beside the server never interleaves with it. Every answer to
a refused form is the form again with an error summary: 403 for a missing or
wrong CSRF token, 409 for a stale version, 422 for values that cannot be
written, and nothing written in each case.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from html import unescape
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from copro.core.errors import CoproError
from copro.core.records import ID_PATTERN
from copro.site.pages import moved_term_path
from copro.web import writes
from copro.web.config import ServeConfig
from copro.web.guard import Guard
from copro.web.live import LiveSite
from copro.web.requests import FormHost
from copro.web.search import SearchIndex

ASSET_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".pf_meta": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}
RECORD_FORMS = {
    "finding": "Add a finding",
    "action": "Add an action",
    "decision": "Add a decision",
    "contributor": "Add a contributor",
    "feedback": "Record feedback to the people who took part",
    "revisit": "Go back to the people: record a revisit",
    "remove": "Remove this record",
}
"""The forms of one record (``/edit/<id>/<form>``), and their titles."""
RECORD_LINKS = (
    ("/finding", "Add a finding (what people said)"),
    ("/action", "Add an action (what was done)"),
    ("/decision", "Add a decision"),
    ("/contributor", "Add a contributor"),
    ("/feedback", "Record feedback to the people who took part"),
    ("", "Change its title, dates, status, places, people, topics or questions"),
    ("/revisit", "Go back to the people: record a revisit"),
    ("/remove", "Remove this record (made by mistake)"),
)


class Serving:
    """What the templates need to know about the server (``serving`` in their context)."""

    record_links = RECORD_LINKS


class CoproApp(FormHost):
    """One archive served: the live site, the write lock, and the handlers."""

    def __init__(self, config: ServeConfig, search: bool = True) -> None:
        from copro.core.vocab import load_vocabularies
        from copro.store.archive import Archive

        self.config = config
        self.root = config.root
        self.hub = Archive(self.root).hub
        self.write_lock = threading.Lock()
        self.push_problem: str | None = None
        self.search = SearchIndex(self.root) if search else None
        self.live = LiveSite(
            self.root, {"serving": Serving()}, self.search.request if self.search else None
        )
        self.load_vocab = lambda: load_vocabularies(self.root)[0]
        self.assets = self._assets()

    @staticmethod
    def _assets() -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for package in ("copro.site", "copro.web"):
            folder = files(package) / "static"
            for item in folder.iterdir():
                if item.is_file() and not item.name.startswith("."):
                    found[item.name] = item.read_bytes()
        return found

    # ------------------------------------------------------------------ reading

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        data = self.assets.get(name)
        if data is None and self.search is not None:
            data = self.search.file(name, "assets")  # the search's word lists, built with it
        if data is None:
            return self.not_found(request)
        kind = ASSET_TYPES.get(Path(name).suffix, "application/octet-stream")
        return Response(data, media_type=kind, headers={"cache-control": "no-cache"})

    async def pagefind(self, request: Request) -> Response:
        name = request.path_params["name"]
        data = self.search.file(name) if self.search else None
        if data is None:
            return PlainTextResponse("Search is not ready yet.", 404)
        kind = ASSET_TYPES.get(Path(name).suffix, "application/octet-stream")
        return Response(data, media_type=kind, headers={"cache-control": "no-cache"})

    async def read(self, request: Request) -> Response:
        path = request.url.path.lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        snapshot = await run_in_threadpool(self.live.current)
        extra = {"notice": self.notice()}
        html = await run_in_threadpool(snapshot.render, path, extra)
        if html is None:
            if await run_in_threadpool(snapshot.has, f"{path}/index.html"):
                return RedirectResponse(request.url.path + "/", 308)
            moved = moved_term_path(request.url.path)
            if moved is not None:  # a member's term page at its address before the slug
                return RedirectResponse("/" + quote(moved), 301)
            return self.not_found(request)
        return HTMLResponse(html)

    async def letter(self, request: Request) -> Response:
        record_id = request.path_params["record_id"]
        if not ID_PATTERN.fullmatch(record_id):
            return self.not_found(request)
        from copro.core.paths import statement_path

        statement = statement_path(self.root, record_id)
        is_statement = statement.is_file() and not statement.is_symlink()
        if not is_statement and not self._exists(record_id):
            return self.not_found(request)

        def build() -> str:
            from copro.views.report import build_report
            from copro.views.report_render import render_html

            if is_statement:
                from copro.views.consensus_letter import statement_report

                # staff read a draft's letter marked as a draft on every page; the
                # site never shows it
                return statement_report(self.root, record_id, "html", draft=True)
            return render_html(build_report(self.root, record_id))

        try:
            html = await run_in_threadpool(build)
        except CoproError as exc:
            return self.html(self.message(request, "No letter for this record", exc.message), 404)
        # The letter carries its own, stricter policy (a hash for its one style block):
        # sent as the header, where frame-ancestors counts, instead of in the page.
        head, found, rest = html.partition('<meta http-equiv="Content-Security-Policy" content="')
        if not found:
            return HTMLResponse(html)
        meta, _, tail = rest.partition('">')
        return HTMLResponse(
            head + tail.lstrip("\n"), headers={"content-security-policy": unescape(meta)}
        )

    def _exists(self, record_id: str) -> bool:
        from copro.core.paths import record_path

        path = record_path(self.root, record_id)
        return path.is_file() and not path.is_symlink()

    # ------------------------------------------------------------------ writing

    def hub_refusal(self, request: Request) -> Response | None:
        """In a hub root, writes go to the members' own archives: say which."""
        if self.hub is None or self.hub.has_own_archive:
            return None
        from copro.hub.hubfile import load_hub, shown_location

        try:
            members = [(m.name, shown_location(m, self.root)) for m in load_hub(self.root).members]
        except CoproError:
            members = [(name, "") for name in self.hub.names]
        body = self.render(request, "web/hub.html.j2", {"section": "edit", "members": members})
        return self.html(body, 403)

    def withheld(self, request: Request, record_id: str) -> Response | None:
        """A record every view withholds (unreadable, or holding personal data) is not
        shown in a form either: say what to do instead."""
        from copro.core.paths import record_path, relpath
        from copro.store.recordcache import parse_record

        path = record_path(self.root, record_id)
        try:
            data = path.read_bytes()
        except OSError:
            return self.not_found(request, "No record with this id")
        if parse_record(str(path), relpath(self.root, path), data) is not None:
            return None
        text = (
            "This record cannot be read or holds personal data, so it is not shown here. "
            "Run copro validate, which names the line, and correct the file."
        )
        return self.html(self.message(request, "This record cannot be changed here", text), 422)

    async def record_form(self, request: Request) -> Response:
        from copro.web import record_forms

        record_id = request.path_params["record_id"]
        kind = request.path_params.get("form", "")
        if kind and kind not in RECORD_FORMS:
            return self.not_found(request)
        if not ID_PATTERN.fullmatch(record_id) or not self._exists(record_id):
            return self.not_found(request, "No record with this id")
        refused = self.hub_refusal(request) or await run_in_threadpool(
            self.withheld, request, record_id
        )
        if refused is not None:
            return refused
        return await record_forms.handle(self, request, record_id, kind)

    async def item_form(self, request: Request) -> Response:
        """``/edit/<id>/<kind>/<item>``: one finding, action or contributor of a record."""
        from copro.web import record_forms
        from copro.web.item_edits import ITEM_KINDS

        record_id, kind = request.path_params["record_id"], request.path_params["form"]
        if kind not in ITEM_KINDS or not ID_PATTERN.fullmatch(record_id):
            return self.not_found(request)
        if not self._exists(record_id):
            return self.not_found(request, "No record with this id")
        refused = self.hub_refusal(request) or await run_in_threadpool(
            self.withheld, request, record_id
        )
        if refused is not None:
            return refused
        item = request.path_params["item"]
        return await record_forms.handle_item(self, request, record_id, kind, item)

    async def new_form(self, request: Request) -> Response:
        from copro.web import record_forms

        refused = self.hub_refusal(request)
        if refused is not None:
            return refused
        return await record_forms.handle_new(self, request)

    async def asked_before(self, request: Request) -> Response:
        """The "Asked before?" panel alone, for the new-engagement form's script."""
        from copro.web.forms import values_of

        if self.hub_refusal(request) is not None:
            return self.not_found(request)
        ctx = await run_in_threadpool(self.context)
        values = values_of(request.query_params.multi_items())
        earlier = await run_in_threadpool(writes.asked_before, ctx, values)
        body = self.render(request, "web/asked_before.html.j2", {"earlier": earlier, "base": "../"})
        return HTMLResponse(body)

    async def edit_index(self, request: Request) -> Response:
        """Every writing form that is not about one record, and the drafts to agree."""
        refused = self.hub_refusal(request)
        if refused is not None:
            return refused

        def drafts() -> list[Any]:
            from copro.store.catalog import load_catalog

            found = load_catalog(self.root).statements
            return [s for s in found if s.status == "draft" and s.member is None]

        context = {"section": "edit", "drafts": await run_in_threadpool(drafts), "vocab": True}
        return HTMLResponse(self.render(request, "web/index.html.j2", context))

    async def draft_form(self, request: Request) -> Response:
        from copro.web import record_forms

        refused = self.hub_refusal(request)
        if refused is not None:
            return refused
        return await record_forms.handle_draft(self, request)

    async def agree_form(self, request: Request) -> Response:
        from copro.web import record_forms

        statement_id = request.path_params["statement_id"]
        refused = self.hub_refusal(request)
        if refused is not None:
            return refused
        if not ID_PATTERN.fullmatch(statement_id):
            return self.not_found(request, "No statement with this id")
        return await record_forms.handle_agree(self, request, statement_id)

    async def vocab_form(self, request: Request) -> Response:
        from copro.web import record_forms

        refused = self.hub_refusal(request)
        if refused is not None:
            return refused
        return await record_forms.handle_vocab(self, request)

    async def import_form(self, request: Request) -> Response:
        from copro.web import record_forms

        refused = self.hub_refusal(request)
        if refused is not None:
            return refused
        return await record_forms.handle_import(self, request)


def create_app(config: ServeConfig, *, watch: bool = True, search: bool = True) -> Any:
    """The ASGI application for ``config`` (wrapped in the guard); ``search`` builds the
    site's search index in the background."""
    served = CoproApp(config, search)

    routes = [
        Route("/healthz", served.healthz),
        Route("/assets/{name}", served.asset),
        Route("/pagefind/{name:path}", served.pagefind),
        Route("/letters/{record_id}/", served.letter),
        Route("/edit/", served.edit_index),
        Route("/edit/new", served.new_form, methods=["GET", "POST"]),
        Route("/edit/new/asked-before", served.asked_before),
        Route("/edit/import", served.import_form, methods=["GET", "POST"]),
        Route("/edit/vocab", served.vocab_form, methods=["GET", "POST"]),
        Route("/edit/consensus", served.draft_form, methods=["GET", "POST"]),
        Route("/edit/consensus/{statement_id}", served.agree_form, methods=["GET", "POST"]),
        Route("/edit/{record_id}", served.record_form, methods=["GET", "POST"]),
        Route("/edit/{record_id}/{form}", served.record_form, methods=["GET", "POST"]),
        Route("/edit/{record_id}/{form}/{item}", served.item_form, methods=["GET", "POST"]),
        Route("/{path:path}", served.read),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if watch:
            served.live.start()
        if served.search:
            served.search.start()
        yield
        served.live.stop()
        if served.search:
            served.search.stop()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.copro = served
    return Guard(app, config)
