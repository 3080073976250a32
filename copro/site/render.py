"""Render the site's views to HTML files, escaped exactly as the HTML report is.

The Jinja2 environment, autoescape, and the Markdown pipeline (markdown-it in
``js-default`` mode, then nh3) are the report's own (``copro.views.report_render``).
Every page carries a Content-Security-Policy that allows only the site's own
scripts, styles and requests, plus ``'wasm-unsafe-eval'`` because Pagefind's
search runs as WebAssembly. Links are relative, so the site works in any folder
of any web server (GitHub Pages project sites live under ``/<repo>/``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from importlib.resources import files
from pathlib import Path
from typing import Any

from markupsafe import Markup

from copro.core.words import MADE_BY_WORDS
from copro.site.consensus_pages import STANCE_HEADINGS
from copro.site.pages import FILTER_GROUPS, SiteData
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

PARALLEL_FROM = 600
"""Pages from which a second process pays for itself."""
CHUNK = 250
FINDINGS_LISTED = 1000
"""Findings listed per standing on findings/ (the oldest unchecked first); a page of
tens of thousands would not load on a phone, and every finding is on its own page."""

Page = tuple[str, str, dict[str, Any]]
"""(path under the site, template, context)."""


def static_files() -> Any:
    return files("copro.site") / "static"


def pages(data: SiteData) -> Iterator[Page]:
    """Every page of the site: where it goes, which template, what it shows."""
    yield "index.html", "home.html.j2", {"section": "home", "data": data, "groups": FILTER_GROUPS}
    yield "records/index.html", "records.html.j2", {"section": "records", "data": data}
    for page in data.records:
        yield (
            f"{page.link.url}index.html",
            "record.html.j2",
            {"section": "records", "page": page},
        )
    for kind, term_pages in data.terms.items():
        yield (
            f"{kind}/index.html",
            "terms.html.j2",
            {"section": kind, "kind": kind, "terms": term_pages},
        )
        for term_page in term_pages:
            yield (
                f"{kind}/{term_page.term.id}/index.html",
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


class Renderer:
    """Renders pages of one site; each process of a parallel build has its own."""

    def __init__(self, data: SiteData, folder: Path) -> None:
        self.env = environment(True)
        self.folder = folder
        self.pages = list(pages(data))
        self.shared: dict[str, Any] = {
            "csp": CSP,
            "site_name": data.identity.title,
            "identity": data.identity,
            "page_total": len(self.pages),
            "generated": data.generated,
            "kind_words": KIND_WORDS,
            "kind_one": KIND_ONE,
            "made_by_words": MADE_BY_WORDS,
            "finding_html": FindingSnippets(self, data),
        }

    def render(self, template: str, base: str, context: dict[str, Any], path: str = "") -> str:
        """One page; ``path`` (under the site) gives its canonical address when the site has one."""
        page_url = path.removesuffix("index.html")
        return self.env.get_template(f"site/{template}").render(
            **self.shared, **context, base=base, page_url=page_url
        )

    def write(self, indices: Iterable[int]) -> int:
        count = 0
        for index in indices:
            path, template, context = self.pages[index]
            target = self.folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            html = self.render(template, "../" * path.count("/"), context, path)
            target.write_text(html, encoding="utf-8", newline="\n")
            count += 1
        return count


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


_WORKER: Renderer | None = None


def _start_worker(data: SiteData, folder: Path) -> None:
    global _WORKER
    _WORKER = Renderer(data, folder)


def _write_chunk(indices: range) -> int:
    assert _WORKER is not None
    return _WORKER.write(indices)


def write_pages(
    data: SiteData,
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> int:
    """Render every page into ``folder`` (plus the stylesheet and scripts); returns the count.

    Large sites are rendered by two processes (the machines copro runs on have
    two cores or more), each writing its share of the pages.
    """
    total = len(list(pages(data)))
    workers = min(2, os.cpu_count() or 1)
    if total < parallel_from or workers < 2:
        Renderer(data, folder).write(range(total))
        if progress:
            progress(total, total)
    else:
        chunks = [range(i, min(i + CHUNK, total)) for i in range(0, total, CHUNK)]
        done = 0
        with ProcessPoolExecutor(
            workers, initializer=_start_worker, initargs=(data, folder)
        ) as pool:
            for written in pool.map(_write_chunk, chunks):
                done += written
                if progress:
                    progress(done, total)
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    for item in static_files().iterdir():
        if item.is_file() and not item.name.startswith("."):
            with item.open("rb") as source, open(assets / item.name, "wb") as handle:
                shutil.copyfileobj(source, handle)
    return total
