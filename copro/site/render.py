"""Render the site's views to HTML files, escaped exactly as the HTML report is.

The Jinja2 environment, autoescape, and the Markdown pipeline (markdown-it in
``js-default`` mode, then nh3) are the report's own (``copro.report_render``).
Every page carries a Content-Security-Policy that allows only the site's own
scripts, styles and requests, plus ``'wasm-unsafe-eval'`` because Pagefind's
search runs as WebAssembly. Links are relative, so the site works in any folder
of any web server (GitHub Pages project sites live under ``/<repo>/``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from copro.report import MADE_BY_WORDS
from copro.report_render import _environment
from copro.site.pages import FILTER_GROUPS, SiteData
from copro.standing import NOT_REVISITED, STANDINGS

SITE_NAME = "Co-production archive"
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
            f"records/{page.id}/index.html",
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


def write_pages(
    data: SiteData, folder: Path, progress: Callable[[int, int], None] | None = None
) -> int:
    """Render every page into ``folder`` (plus the stylesheet and scripts); returns the count."""
    env = _environment(True)
    shared = {
        "csp": CSP,
        "site_name": SITE_NAME,
        "generated": data.generated,
        "kind_words": KIND_WORDS,
        "kind_one": KIND_ONE,
        "made_by_words": MADE_BY_WORDS,
    }
    all_pages = list(pages(data))
    for done, (path, template, context) in enumerate(all_pages, start=1):
        base = "../" * path.count("/")
        html = env.get_template(f"site/{template}").render(**shared, **context, base=base)
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", newline="\n")
        if progress and (done % 500 == 0 or done == len(all_pages)):
            progress(done, len(all_pages))
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    for item in static_files().iterdir():
        if item.is_file() and not item.name.startswith("."):
            with item.open("rb") as source, open(assets / item.name, "wb") as handle:
                shutil.copyfileobj(source, handle)
    return len(all_pages)
