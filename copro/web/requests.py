"""What every page handler needs from the server: sessions, CSRF, pages, and one write.

``FormHost`` is the part of the application the form handlers (``record_forms``)
use: rendering a page or a form, checking a form's CSRF token, running a write
under the server's write lock and committing it, and the one shape of every
form (:func:`submit`: GET shows it; POST checks the token, writes, commits and
redirects, or shows it again with its problems). The application
(``app.CoproApp``) is a ``FormHost`` with its routes; the handlers import only
this module, so nothing imports back up to the application.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from copro.core.errors import CoproError
from copro.core.vocab import Vocabularies
from copro.web import writes
from copro.web.commit import commit_files, push
from copro.web.config import ServeConfig
from copro.web.forms import Form, FormRefused, Problem, first, values_of
from copro.web.live import LiveSite

SESSION_COOKIE = "copro_session"


class FormHost:
    """The server's state and helpers that pages and forms share."""

    config: ServeConfig
    root: Path
    hub: Any
    live: LiveSite
    write_lock: threading.Lock
    push_problem: str | None
    load_vocab: Callable[[], Vocabularies]

    # ------------------------------------------------------------------ pages

    def base(self, request: Request) -> str:
        return "../" * max(request.url.path.count("/") - 1, 0)

    def notice(self) -> str | None:
        if self.push_problem:
            return (
                f"The last change was committed but could not be pushed to "
                f"{self.config.push}: {self.push_problem}. It will be pushed with the next change."
            )
        return None

    def html(
        self, body: str, status: int = 200, session: tuple[str, bool] | None = None
    ) -> Response:
        response = HTMLResponse(body, status)
        if session and session[1]:
            response.set_cookie(
                SESSION_COOKIE, session[0], httponly=True, samesite="strict", path="/"
            )
        return response

    def render(self, request: Request, template: str, context: dict[str, Any]) -> str:
        snapshot = self.live.current()
        renderer = snapshot.renderer
        params = {**renderer.shared, "base": self.base(request), "notice": self.notice()}
        return str(renderer.env.get_template(template).render({**params, **context}))

    def message(self, request: Request, heading: str, text: str) -> str:
        """A page that only says something (what happened, or why not)."""
        return self.render(
            request, "web/message.html.j2", {"section": "", "heading": heading, "text": text}
        )

    def not_found(self, request: Request, what: str = "Page not found") -> Response:
        return self.html(self.message(request, what, "There is nothing at this address."), 404)

    def record_link(self, record_id: str) -> Any:
        page = self.live.current().record(record_id)
        return page.link if page is not None else None

    # ------------------------------------------------------------------ forms

    def session(self, request: Request) -> tuple[str, bool]:
        held = request.cookies.get(SESSION_COOKIE, "")
        if len(held) == 43:
            return held, False
        return secrets.token_urlsafe(32), True

    def csrf_for(self, session: str) -> str:
        return hmac.new(self.config.secret, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, request: Request, given: str) -> bool:
        held = request.cookies.get(SESSION_COOKIE, "")
        return bool(held) and hmac.compare_digest(self.csrf_for(held), given)

    def forbidden(self, request: Request) -> Response:
        body = self.message(
            request,
            "This form has expired",
            "Nothing was written. Go back, reload the form and send it again.",
        )
        return self.html(body, 403)

    async def form_values(self, request: Request) -> tuple[dict[str, list[str]], Any]:
        form = await request.form(max_files=1, max_fields=5000, max_part_size=1024 * 1024)
        return values_of(form.multi_items()), form

    def show_form(
        self,
        request: Request,
        form: Form,
        status: int = 200,
        template: str = "web/form.html.j2",
        **context: Any,
    ) -> Response:
        session = self.session(request)
        body = self.render(
            request,
            template,
            {"section": "edit", "form": form, "csrf": self.csrf_for(session[0]),
             "record": None, "version": None, "script": False, **context},
        )  # fmt: skip
        return self.html(body, status, session)

    def context(self) -> writes.Context:
        return writes.Context(self.root, self.load_vocab())

    # ------------------------------------------------------------------ writing

    def author(self, request: Request) -> str:
        user = request.scope.get("state", {}).get("user")
        if user:
            return str(user)
        assert self.config.author
        return self.config.author

    def commit(self, request: Request, written: writes.Written) -> None:
        """Commit exactly the files written; push when asked (a failed push keeps the commit)."""
        commit_files(self.root, list(written.paths), written.message, self.author(request))
        self.live.changed()
        if self.config.push:
            self.push_problem = push(self.root, self.config.push)

    async def write(self, request: Request, apply: Callable[[], writes.Written]) -> writes.Written:
        def run() -> writes.Written:
            with self.write_lock:
                written = apply()
                try:
                    self.commit(request, written)
                except CoproError as exc:
                    raise FormRefused(
                        [Problem(None, f"The change was written but not committed: {exc.message}")],
                        500,
                    ) from None
                return written

        return await run_in_threadpool(run)

    async def redirect_to(self, written: writes.Written) -> Response:
        return RedirectResponse(written.next_url, 303)


async def submit(
    host: FormHost,
    request: Request,
    form: Form,
    apply: Callable[[dict[str, list[str]]], writes.Written],
    **context: Any,
) -> Response:
    """The one shape of a form: GET shows ``form``; POST checks the CSRF token (403,
    nothing written), runs ``apply`` on the values under the write lock and commits
    what it wrote, then redirects (303) to the page that shows it; a refusal shows the
    form again with what was typed and its problems (422, or the refusal's status)."""
    if request.method == "GET":
        return host.show_form(request, form, **context)
    values, _ = await host.form_values(request)
    if not host.csrf_ok(request, first(values, "csrf") or ""):
        return host.forbidden(request)
    form.values = values
    try:
        written = await host.write(request, lambda: apply(values))
    except FormRefused as refused:
        form.problems = refused.problems
        return host.show_form(request, form, refused.status, **context)
    return await host.redirect_to(written)
