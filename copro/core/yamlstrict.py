"""Strict YAML: load front-matter into plain values, every value with its file line.

PyYAML's own constructors silently change values (``yes`` -> True, ``010`` -> 8,
``12:30`` -> 750), keep the last of two duplicate keys, raise ValueError for
``2023-02-30`` and expand alias bombs. So copro only lets libyaml *compose*
nodes (with the C parser, fast and non-recursive: it refuses nesting past its
own limit) and builds values itself, refusing each hazard with the real line.
Anchors, aliases and explicit tags are refused from the event stream before
any node is built, so an alias bomb never expands.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from copro.core.pii import safe_echo, shown

try:  # the C loader: 8x faster, and one loader everywhere so local runs and CI agree
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - only on a PyYAML built without libyaml
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

WITH_LIBYAML = Loader.__name__.startswith("C")

MAX_DEPTH = 8
"""Records nest at most four levels deep (we_did[].responds_to[]); twice that is plenty."""

_T = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TS = (
    _T + "str",
    _T + "null",
    _T + "bool",
    _T + "int",
    _T + "float",
    _T + "timestamp",
)
_SEQ, _MAP, _MERGE = _T + "seq", _T + "map", _T + "merge"
_EXPLICIT_TAGS_ALLOWED = {_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP, _TS}

_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

MAX_NUMBER = 10**9
"""No count or rate in a record comes near this; beyond it a number is a typo or an attack
(5,001 digits exceed Python's int conversion limit, 400 make a float infinite)."""
_TOO_LARGE = (
    "`{where}`: this number is too large (more than 10^9, or not finite); "
    "check it, or quote it if it is not a number"
)

YamlPath = tuple[str | int, ...]


@dataclass
class YamlIssue:
    """A problem in the YAML text; ``line`` is already a line of the file."""

    line: int
    code: str
    message: str
    path: YamlPath | None = None
    """Set for value-level issues: the rest of the document is still usable."""


@dataclass(frozen=True)
class DecodedText:
    """A text scalar (key or value) whose value differs from its raw lines: quoted with
    escapes, folded or spread over several lines. The gate scans these values too,
    since ``"jane\\x40example.com"`` or a folded number only exists once decoded."""

    line: int
    """The file line where the scalar starts (where a finding in it is reported)."""
    end_line: int
    value: str


@dataclass
class Loaded:
    """Values built from YAML plus where each came from.

    ``lines`` maps a path such as ``("we_did", 2, "status")`` to the file line of
    that key or item, so schema errors can point at the right line.
    """

    value: Any = None
    lines: dict[YamlPath, int] = field(default_factory=dict)
    issues: list[YamlIssue] = field(default_factory=list)
    decoded: list[DecodedText] = field(default_factory=list)


def describe_path(path: YamlPath) -> str:
    """``("we_did", 2, "status")`` -> ``we_did[3].status`` (items counted from 1).

    A key that is not plain or looks like personal data is written ``(a field)``.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + shown(part, "(a field)")
    return out or "front-matter"


def load(text: str, first_line: int = 1) -> Loaded:
    """Load YAML ``text`` whose first line is line ``first_line`` of the file."""
    result = Loaded()
    offset = first_line
    if not text.strip():
        result.value = None
        return result
    if _has_marks(text) and _refuse_anchors_and_tags(text, offset, result):
        return result
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + (mark.line if mark else 0)
        what = exc.problem or "not valid YAML"
        context = f" ({exc.context})" if exc.context else ""
        result.issues.append(YamlIssue(line, "yaml-syntax", f"YAML syntax: {what}{context}"))
        return result
    except yaml.YAMLError as exc:  # e.g. a stray second document
        result.issues.append(YamlIssue(offset, "yaml-syntax", f"YAML: {type(exc).__name__}"))
        return result
    except (RecursionError, ValueError, MemoryError) as exc:
        result.issues.append(
            YamlIssue(offset, "yaml-syntax", f"YAML could not be read ({type(exc).__name__})")
        )
        return result
    if node is None:
        return result
    builder = _Builder(offset, result)
    result.value = builder.build(node, (), 0)
    return result


def _has_marks(text: str) -> bool:
    return "&" in text or "*" in text or "!" in text


def _refuse_anchors_and_tags(text: str, offset: int, result: Loaded) -> bool:
    """Walk the event stream (never expanded) and refuse anchors, aliases and tags.

    Returns True when the text must not be composed (an alias was found, or the
    stream itself is broken: composing would report the same syntax error).
    """
    found_alias = False
    try:
        for event in yaml.parse(text, Loader=Loader):
            line = offset + (event.start_mark.line if event.start_mark else 0)
            if isinstance(event, yaml.AliasEvent):
                found_alias = True
                result.issues.append(
                    YamlIssue(line, "yaml-alias", "YAML aliases (*name) are not allowed in records")
                )
                continue
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                result.issues.append(
                    YamlIssue(line, "yaml-alias", "YAML anchors (&name) are not allowed in records")
                )
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _EXPLICIT_TAGS_ALLOWED and tag != "!":
                if isinstance(event, yaml.ScalarEvent) and event.implicit[0]:
                    continue
                if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                    if event.implicit:
                        continue
                result.issues.append(
                    YamlIssue(
                        line,
                        "yaml-tag",
                        "YAML tags such as !!python/... or !custom are not allowed; "
                        "write plain values",
                    )
                )
            if len(result.issues) > 50:
                break
    except yaml.YAMLError:
        return False  # let compose report the syntax error with its line
    except (RecursionError, ValueError, MemoryError):
        return False
    return found_alias or bool(result.issues)


class _Builder:
    """Builds plain Python values from composed nodes, recording lines and issues."""

    def __init__(self, offset: int, result: Loaded) -> None:
        self.offset = offset
        self.result = result

    def line(self, node: yaml.Node) -> int:
        return self.offset + node.start_mark.line

    def note_text(self, node: yaml.ScalarNode) -> None:
        """Keep a text scalar whose decoded value is not simply its raw text."""
        start, end = node.start_mark.line, node.end_mark.line
        if node.style is not None or start != end:
            self.result.decoded.append(
                DecodedText(self.offset + start, self.offset + end, node.value)
            )

    def issue(self, node: yaml.Node, code: str, message: str, path: YamlPath | None = None) -> None:
        self.result.issues.append(YamlIssue(self.line(node), code, message, path))

    def build(self, node: yaml.Node, path: YamlPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.issue(node, "yaml-too-deep", f"nested more than {MAX_DEPTH} levels deep")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.issue(node, "yaml-tag", "YAML tags are not allowed; write a plain list")
                return None
            items = []
            for index, item in enumerate(node.value):
                self.result.lines[path + (index,)] = self.line(item)
                items.append(self.build(item, path + (index,), depth + 1))
            return items
        assert isinstance(node, yaml.ScalarNode)  # mappings and sequences returned above
        before = len(self.result.issues)
        value = self.scalar(node, path)
        for issue in self.result.issues[before:]:
            issue.path = path
        return value

    def mapping(self, node: yaml.MappingNode, path: YamlPath, depth: int) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self.issue(node, "yaml-tag", "YAML tags are not allowed; write a plain mapping")
            return None
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = self.line(key_node)
            if key_node.tag == _MERGE:
                self.issue(
                    key_node, "yaml-merge-key", "merge keys (<<) are not allowed in records", path
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                echoed = safe_echo(getattr(key_node, "value", ""))
                self.issue(
                    key_node,
                    "yaml-non-string-key",
                    f"key {echoed!r} is not text to YAML; field names must be plain words"
                    if echoed
                    else "a key that is not text; field names must be plain words",
                    path,
                )
                continue
            key = key_node.value
            self.note_text(key_node)
            if key in seen:
                echoed = shown(key, "a key")
                self.issue(
                    key_node,
                    "yaml-duplicate-key",
                    f"duplicate key `{echoed}` at lines {seen[key]} and {key_line}; "
                    "YAML would silently keep only the last one",
                    path + (key,),
                )
                continue
            seen[key] = key_line
            self.result.lines[path + (key,)] = key_line
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR:
            self.note_text(node)
            return text
        if tag == _NULL:
            return None
        where = describe_path(path)
        if tag == _BOOL:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            self.issue(
                node,
                "yaml-ambiguous-value",
                f"`{where}`: YAML reads `{text}` as true/false; write true or false, "
                f"or quote it ('{text}') if you mean the word",
            )
            return None
        if tag == _INT:
            if _PLAIN_INT.fullmatch(text):
                if len(text.lstrip("+-")) > 10 or abs(int(text)) > MAX_NUMBER:
                    self.issue(node, "number-too-large", _TOO_LARGE.format(where=where))
                    return None
                return int(text)
            self.issue(
                node,
                "yaml-ambiguous-value",
                f"`{where}`: YAML changes this number when it reads it (a leading zero, "
                "underscores, or a time like 12:30 become another number); quote it",
            )
            return None
        if tag == _FLOAT:
            if _PLAIN_FLOAT.fullmatch(text):
                number = float(text)
                if not math.isfinite(number):
                    self.issue(node, "number-too-large", _TOO_LARGE.format(where=where))
                    return None
                return number
            self.issue(
                node,
                "yaml-ambiguous-value",
                f"`{where}`: YAML changes this number when it reads it (1.10 becomes 1.1, "
                ".inf and 1e3 are numbers); quote it",
            )
            return None
        if tag == _TS:
            if not _ISO_DATE.fullmatch(text):
                self.issue(
                    node, "yaml-invalid-date", f"`{where}`: write a date only, as YYYY-MM-DD"
                )
                return None
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                self.issue(
                    node,
                    "yaml-invalid-date",
                    f"`{where}`: {text} is not a real date (check the day and month)",
                )
                return None
        self.issue(node, "yaml-tag", "YAML tags are not allowed; write a plain value")
        return None
