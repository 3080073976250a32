"""Render a Report as Markdown or as one self-contained, printable, accessible HTML page.

HTML safety: every value from a record is escaped by Jinja2 autoescape; the
Markdown body is rendered by markdown-it-py in its ``js-default`` mode (raw
HTML off, unsafe links refused) and then sanitised by nh3 (links limited to
http, https and mailto; no images, scripts, styles or event handlers); and a
strict Content-Security-Policy forbids scripts and every external asset.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from copro.core.errors import UsageError

if TYPE_CHECKING:  # kept out of the import so the CLI can read RENDERERS cheaply
    from copro.views.report import Report

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code",
    "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_SCHEMES = {"http", "https", "mailto"}
STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 46rem; margin: 2rem auto;
  padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #ddd; }
.meta { color: #444; } .status { font-weight: 600; }
.none { color: #8a1c1c; font-weight: 600; }
blockquote { border-left: 4px solid #888; margin: 0.5rem 0; padding: 0.2rem 0.8rem;
  font-style: italic; }
li.finding { margin-bottom: 1rem; } footer { margin-top: 3rem; font-size: 0.9rem; color: #555; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
""".strip()


@functools.cache
def environment(autoescape: bool) -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("copro", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = markdown_to_safe_html
    env.filters["demote"] = demote_headings
    from copro.core.words import ACTION_LABELS, and_list, date_words, decision_sentence, sentence

    env.filters["and_list"] = and_list
    env.filters["status_words"] = lambda status: ACTION_LABELS.get(status, status)
    env.filters["date_words"] = date_words
    env.filters["sentence"] = sentence
    env.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]
    env.filters["url"] = valid_url
    env.filters["decision"] = lambda d: decision_sentence(d.text, d.made_by, d.date)
    return env


def valid_url(url: str) -> str:
    """``url`` with every character a URL may not hold percent-encoded (a quote, a space,
    ``<``): a link as typed in a record is still a valid address in the page."""
    from urllib.parse import quote

    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def demote_headings(text: str, by: int) -> str:
    """Push the record body's headings below the report's own (``##`` -> ``####``)."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, hashes + by) + line[hashes:]
        out.append(line)
    return "\n".join(out)


@functools.cache
def _markdown_parser() -> Any:
    """One parser per process: building one costs more than rendering a record's body."""
    from markdown_it import MarkdownIt

    return MarkdownIt("js-default")


def markdown_to_safe_html(text: str, quotes: bool = True) -> Any:
    """Record Markdown -> sanitised HTML, marked safe for the template.

    With ``quotes`` false (the group did not agree to quotations) blockquotes
    lose their quotation styling: their words stay, as plain paragraphs.
    """
    import nh3
    from markupsafe import Markup

    html = _markdown_parser().render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS if quotes else ALLOWED_TAGS - {"blockquote"},
        attributes={"a": {"href", "title"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def render_markdown(report: Report) -> str:
    return environment(False).get_template("report.md.j2").render(report=report)


def render_html(report: Report) -> str:
    return (
        environment(True)
        .get_template("report.html.j2")
        .render(report=report, style=STYLE, csp=_csp())
    )


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def render_statement_letter(letter: Any, fmt: str) -> str:
    """A consensus statement's letter (``copro.views.consensus_letter``) as md or html."""
    if fmt not in RENDERERS:
        from copro.core import pii

        raise UsageError(f"--format {pii.quoted(fmt)} is not one of: {', '.join(RENDERERS)}")
    if fmt == "html":
        template = environment(True).get_template("statement.html.j2")
        return template.render(l=letter, style=STYLE, csp=_csp())
    return environment(False).get_template("statement.md.j2").render(l=letter)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "md": render_markdown,
    "markdown": render_markdown,  # an alias of md: what people type
    "html": render_html,
}
"""Report formats by name; the keys are the allowed values of ``report --format``."""


def render(report: Report, fmt: str) -> str:
    """The report in format ``fmt``; an unknown format is a usage error, never Markdown."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        from copro.core import pii

        raise UsageError(f"--format {pii.quoted(fmt)} is not one of: {', '.join(RENDERERS)}")
    return renderer(report)
