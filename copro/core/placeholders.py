"""Template guidance: the texts ``copro new`` writes, and finding them left in a record.

Guidance must never reach a report or the site. The template writes body
guidance as HTML comments (no renderer shows them; :func:`published_body`
drops them), and example field values as YAML comments. Where guidance text is
left in a record anyway (an older template wrote it as plain text; someone
uncommented an example), ``validate`` says so with ``placeholder-text``: a
warning, an error on a ``completed`` record, since that is what gets reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from copro.core.problems import ERROR, WARNING, Problem
from copro.core.records import Record

# Body sections of the template, with the guidance under each heading.
BODY_GUIDANCE: dict[str, str] = {
    "Summary": "What this engagement was for, in two or three sentences.",
    "What happened": "Who took part (groups and numbers, never names unless agreed), where, how.",
    "Reflections": "What went well, what did not, what we learned.",
}

# Example values the template offers in YAML comments.
FIELD_GUIDANCE: dict[str, str] = {
    "partner": "A partner organisation",
    "asked": 'The questions put to people ("we asked")',
    "finding": "What people told us, in their words where they agreed to quotes.",
    "action": "What we will do or did about it.",
    "decision": "A decision and who made it",
}

# Sections a completed record should have filled in (a warning otherwise), and what to write.
REQUIRED_WHEN_COMPLETED = {
    "Summary": "say what the engagement was for",
    "Reflections": "say what went well, what did not and what was learned",
}

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")


def _normal(text: str) -> str:
    """Case, spacing and final punctuation do not make guidance into content."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".").casefold()


GUIDANCE = frozenset(_normal(t) for t in (*BODY_GUIDANCE.values(), *FIELD_GUIDANCE.values()))


def blank_comments(text: str) -> str:
    """Replace HTML comments by as many newlines as they spanned (line numbers stay)."""
    return _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)


def published_body(body: str) -> str:
    """The body as reports and the site show it: no comments, no left-over blank runs."""
    text = _COMMENT.sub("", body)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_HEADING_LINE = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)| {0,3}(?:=+|-+|\*{3,}|_{3,})[ \t]*$")
_BLOCK_MARKER = re.compile(r"(?:[-+*]|\d{1,9}[.)]|>)[ \t]+")


def body_prose(body: str) -> str:
    """The body's own words, for search and its snippets: no guidance comments, no
    headings or rules, no list or quotation markers; a paragraph or an item a line. A
    heading is not what anyone said: a snippet read "Summary Six co-design workshops…"."""
    lines = []
    for line in published_body(body).split("\n"):
        if _HEADING_LINE.match(line):
            continue
        line = line.strip()
        while marker := _BLOCK_MARKER.match(line):  # "> - item" holds two
            line = line[marker.end() :]
        if line:
            lines.append(line)
    return "\n".join(lines)


def shown_body(body: str, leave_out: tuple[str, ...] = ()) -> str:
    """The published body without the sections named in ``leave_out`` (any heading level,
    case ignored) and without headings that have nothing under them (a template heading
    left empty, or one whose only content was left out), so no reader meets an empty heading.
    """
    lines = published_body(body).split("\n")
    headings = _heading_levels(lines)
    dropped = {name.casefold() for name in leave_out}
    keep = [True] * len(lines)
    for offset, level in headings.items():
        if _heading_title(lines[offset]) in dropped:
            for inside in range(offset, _section_end(headings, offset, level, len(lines))):
                keep[inside] = False
    for offset, level in sorted(headings.items(), reverse=True):
        end = _section_end(headings, offset, level, len(lines))
        if not any(keep[i] and lines[i].strip() for i in range(offset + 1, end)):
            keep[offset] = False
    kept = [line for line, wanted in zip(lines, keep, strict=True) if wanted]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _heading_title(line: str) -> str:
    heading = _HEADING.match(line)
    return heading.group(2).strip().casefold() if heading else ""


def _heading_levels(lines: list[str]) -> dict[int, int]:
    """Offsets of the Markdown headings outside code fences -> their level."""
    found: dict[int, int] = {}
    fenced = False
    for offset, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            found[offset] = len(heading.group(1))
    return found


def _section_end(headings: dict[int, int], start: int, level: int, total: int) -> int:
    """Where the section under the heading at ``start`` ends: the next heading as high."""
    later = [o for o, lv in headings.items() if o > start and lv <= level]
    return min(later, default=total)


@dataclass
class Section:
    """A top-level section of a body: its heading's offset and its lines, comments blanked."""

    heading: int
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(text.strip() for _, text in self.lines)


def sections(body: str) -> dict[str, Section]:
    """Casefolded heading text -> section (offsets are 0-based lines of ``body``)."""
    found: dict[str, Section] = {}
    current: Section | None = None
    level = 0
    fenced = False
    for offset, line in enumerate(blank_comments(body).split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading and (current is None or len(heading.group(1)) <= level):
            level = len(heading.group(1))
            current = found.setdefault(heading.group(2).strip().casefold(), Section(offset))
        elif current is not None:
            current.lines.append((offset, line))
    return found


def _strings(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def placeholder_problems(record: Record) -> list[Problem]:
    """``placeholder-text`` where guidance was left in; gaps in a completed record."""
    from copro.core.yamlstrict import describe_path  # names a field only if it is safe to repeat

    completed = record.meta.get("status") == "completed"
    severity = ERROR if completed else WARNING
    problems: list[Problem] = []

    def add(line: int, code: str, message: str, level: str) -> None:
        problems.append(Problem(record.relpath, line, level, code, message))

    for path, value in _strings(record.meta):
        if _normal(value) in GUIDANCE:
            add(
                record.line_of(*path),
                "placeholder-text",
                f"`{describe_path(path)}` still holds the template's example text; "
                "write what really happened or remove the entry",
                severity,
            )
    guidance_sections: set[str] = set()
    for offset, line in enumerate(blank_comments(record.body).split("\n")):
        if line.strip() and _normal(line.lstrip("-*> ")) in GUIDANCE:
            guidance_sections.add(_section_of(record.body, offset))
            add(
                record.body_line + offset,
                "placeholder-text",
                "the template's guidance is still here and would be published; "
                "replace it with what happened (or delete it)",
                severity,
            )
    if completed:
        problems.extend(_completed_gaps(record, guidance_sections))
    return problems


def _section_of(body: str, offset: int) -> str:
    for name, section in sections(body).items():
        if any(o == offset for o, _ in section.lines):
            return name
    return ""


def _completed_gaps(record: Record, already: set[str]) -> list[Problem]:
    """A completed record with no findings, or an empty Summary or Reflections: a warning."""
    problems = []
    if not record.meta.get("you_said"):
        problems.append(
            Problem(
                record.relpath,
                record.line_of("status"),
                WARNING,
                "completed-no-findings",
                "the record is `completed` but has no `you_said` findings: "
                "record what people said, so it can be answered and reported",
            )
        )
    # Only a heading left empty is flagged (what a `copro new` record marked completed
    # looks like); archives written by hand may well use headings of their own.
    found = sections(record.body)
    for name, ask in REQUIRED_WHEN_COMPLETED.items():
        section = found.get(name.casefold())
        if section is None or not section.empty or name.casefold() in already:
            continue
        problems.append(
            Problem(
                record.relpath,
                record.body_line + section.heading,
                WARNING,
                "completed-empty-section",
                f"the record is `completed` but its `## {name}` section is empty: {ask}",
            )
        )
    return problems
