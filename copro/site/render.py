"""Render the site's views to HTML files, escaped exactly as the HTML report is.

The Jinja2 environment, autoescape, and the Markdown pipeline (markdown-it in
``js-default`` mode, then nh3) are the report's own (``copro.views.report_render``).
Every page carries a Content-Security-Policy that allows only the site's own
scripts, styles and requests, plus ``'wasm-unsafe-eval'`` because Pagefind's
search runs as WebAssembly. Links are relative, so the site works in any folder
of any web server (GitHub Pages project sites live under ``/<repo>/``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.resources import files
from itertools import chain
from pathlib import Path
from typing import Any

from markupsafe import Markup

from copro.core.parallel import worker_count
from copro.site.consensus_pages import STANCE_HEADINGS
from copro.site.pages import FILTER_GROUPS, RecordPage, SiteData
from copro.store.standing import NOT_REVISITED, STANDINGS
from copro.views.report_render import environment

CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'"
)
KIND_WORDS = {"topics": "Topics", "populations": "Populations", "places": "Places"}
KIND_ONE = {"topics": "Topic", "populations": "Population", "places": "Place"}
STANDING_SECTIONS = (
    ("still-holds", "Still holds", "People were asked again and said it still holds."),
    ("changed", "Changed", "People were asked again and said things have changed."),
    ("no-longer-holds", "No longer holds", "People were asked again and said it no longer holds."),
    ("unclear", "Unclear", "People were asked again, and the answer was unclear."),
    (NOT_REVISITED, "Nobody has checked", "Nobody has gone back to ask whether these still hold."),
)
assert {s[0] for s in STANDING_SECTIONS} == set(STANDINGS)

PROGRESS_EVERY = 250
"""Pages between two reports to the progress bar."""
PARALLEL_FROM = 1000
"""Engagements from which a second rendering process pays for its start (about a second)."""
FINDINGS_LISTED = 1000
"""Findings listed per standing on findings/ (the oldest unchecked first); a page of
tens of thousands would not load on a phone, and every finding is on its own page."""

Page = tuple[str, str, dict[str, Any]]
"""(path under the site, template, context)."""


def static_files() -> Any:
    return files("copro.site") / "static"


def pages(data: SiteData) -> Iterator[Page]:
    """Every page of the site: where it goes, which template, what it shows."""
    yield from first_pages(data)
    for page in data.records:
        yield record_page(page)
    yield from other_pages(data)


def first_pages(data: SiteData) -> Iterator[Page]:
    """The home page and the list of records."""
    yield "index.html", "home.html.j2", {"section": "home", "data": data, "groups": FILTER_GROUPS}
    yield "records/index.html", "records.html.j2", {"section": "records", "data": data}


def record_page(page: RecordPage) -> Page:
    return f"{page.link.url}index.html", "record.html.j2", {"section": "records", "page": page}


def other_pages(data: SiteData) -> Iterator[Page]:
    """The pages after the records: terms, findings, coverage, credits, consensus."""
    for kind, term_pages in data.terms.items():
        yield (
            f"{kind}/index.html",
            "terms.html.j2",
            {"section": kind, "kind": kind, "terms": term_pages},
        )
        for term_page in term_pages:
            yield (
                f"{term_page.term.url}index.html",
                "term.html.j2",
                {"section": kind, "kind": kind, "page": term_page},
            )
    yield (
        "findings/index.html",
        "findings.html.j2",
        {
            "section": "findings",
            "limit": FINDINGS_LISTED,
            "grouped": data.findings_by_standing(),
            "sections": STANDING_SECTIONS,
        },
    )
    yield (
        "coverage/index.html",
        "coverage.html.j2",
        {"section": "coverage", "coverage": data.coverage},
    )
    yield "credits/index.html", "credits.html.j2", {"section": "credits", "data": data}
    yield (
        "accessibility/index.html",
        "accessibility.html.j2",
        {"section": "accessibility", "data": data},
    )
    yield (
        "consensus/index.html",
        "consensus.html.j2",
        {"section": "consensus", "statements": data.statements},
    )
    for statement_page in data.statements:
        yield (
            f"{statement_page.link.url}index.html",
            "statement.html.j2",
            {"section": "consensus", "page": statement_page, "stance_headings": STANCE_HEADINGS},
        )


def page_shared(identity: Any, generated: str) -> dict[str, Any]:
    """What every page of a site shares (the site's name, its CSP, the words for terms)."""
    return {
        "csp": CSP,
        "site_name": identity.title,
        "identity": identity,
        "generated": generated,
        "kind_words": KIND_WORDS,
        "kind_one": KIND_ONE,
    }


class PageWriter:
    """Renders pages from the values every page shares, and writes each one at once
    (``copro serve`` renders with one for as long as it runs: ``env`` keeps the compiled
    templates)."""

    def __init__(self, shared: dict[str, Any], folder: Path, env: Any = None) -> None:
        self.env = env or environment(True)
        self.folder = folder
        self.shared = shared

    def render(self, template: str, base: str, context: dict[str, Any], path: str = "") -> str:
        """One page; ``path`` (under the site) gives its canonical address when the site has one."""
        page_url = path.removesuffix("index.html")
        return self.env.get_template(f"site/{template}").render(
            **self.shared, **context, base=base, page_url=page_url
        )

    def write(self, page: Page) -> None:
        """Render one page and write it at once (no page is held after it is written)."""
        path, template, context = page
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        html = self.render(template, "../" * path.count("/"), context, path)
        target.write_text(html, encoding="utf-8", newline="\n")


class Renderer(PageWriter):
    """Renders the pages of one site (``copro site`` and ``copro serve`` alike)."""

    def __init__(self, data: SiteData, folder: Path, env: Any = None) -> None:
        shared = page_shared(data.identity, data.generated)
        shared["page_total"] = sum(1 for _ in pages(data))
        super().__init__(shared, folder, env)
        self.record_shared = dict(self.shared)
        """What a record page needs besides its own view (term pages also need the findings)."""
        self.shared["finding_html"] = FindingSnippets(self, data)


class FindingSnippets(dict[str, Markup]):
    """A finding as term pages show it, rendered once however many terms it carries."""

    def __init__(self, renderer: Renderer, data: SiteData) -> None:
        super().__init__()
        self.renderer = renderer
        self.findings = {f.key: f for page in data.records for f in page.findings}

    def __missing__(self, key: str) -> Markup:
        # Term pages all sit two folders down, so one rendering serves every one of them.
        html = Markup(self.renderer.render("finding.html.j2", "../../", {"f": self.findings[key]}))
        self[key] = html
        return html


_HELPER: PageWriter | None = None


def _start_helper(shared: dict[str, Any], folder: Path) -> None:
    global _HELPER
    _HELPER = PageWriter(shared, folder)


def _write_in_helper(batch: list[Page]) -> int:
    assert _HELPER is not None
    for page in batch:
        _HELPER.write(page)
    return len(batch)


def _helper(renderer: Renderer, records: int, parallel_from: int) -> ProcessPoolExecutor | None:
    """A second process for half of each shard's record pages, on a machine with two cores
    or more and a site big enough to pay for starting it. It is started afresh (not
    forked), and is sent only the record pages it writes: a forked copy would carry the
    views of the whole site."""
    if records < parallel_from or worker_count() < 2:
        return None
    return ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_helper,
        initargs=(renderer.record_shared, renderer.folder),
    )


def write_pages(
    data: SiteData,
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    shards: Sequence[Sequence[str]] = (),
    shard_written: Callable[[], None] | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> int:
    """Render every page into ``folder`` (plus the stylesheet and scripts); returns the count.

    Each page is written as soon as it is rendered. The home page and the list of
    records come first, then the record pages shard by shard (``shards``: their
    paths, as ``search_index.shards_of`` cuts them), a large site's shared with a
    second process, calling ``shard_written`` after each, so Pagefind indexes one
    shard while the next is rendered; the other pages follow.
    """
    renderer = Renderer(data, folder)
    total = renderer.shared["page_total"]
    written = 0

    def count(more: int) -> None:
        nonlocal written
        before, written = written, written + more
        if progress and written // PROGRESS_EVERY > before // PROGRESS_EVERY:
            progress(written, total)

    by_path = {}
    for record in data.records:
        page = record_page(record)
        by_path[page[0]] = page
    helper = _helper(renderer, len(data.records), parallel_from)
    with helper or contextlib.nullcontext():
        for page in first_pages(data):
            renderer.write(page)
            count(1)
        for shard in shards:
            batch = [by_path.pop(path) for path in shard]
            half = len(batch) // 2 if helper else 0
            theirs = helper.submit(_write_in_helper, batch[:half]) if helper and half else None
            for page in batch[half:]:
                renderer.write(page)
                count(1)
            if theirs is not None:
                count(theirs.result())
            if shard_written:
                shard_written()
    for page in chain(by_path.values(), other_pages(data)):
        renderer.write(page)
        count(1)
    if progress:
        progress(written, total)
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    for item in static_files().iterdir():
        if item.is_file() and not item.name.startswith("."):
            with item.open("rb") as source, open(assets / item.name, "wb") as handle:
                shutil.copyfileobj(source, handle)
    return written
