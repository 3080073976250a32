"""Byte-preserving edits of a record's front-matter, made from the strict reader's positions.

A round-trip YAML library re-emits what it parsed (it reflows long lines,
re-indents and drops odd comments), so copro edits the text instead: libyaml
gives the line and column of every key and value, and an edit only inserts
lines (a new finding, a new field) or replaces the characters of the values it
sets. Every other byte, including comments, key order, quoting, line ends
(CRLF stays CRLF, a BOM stays), line width and the body, is copied as it was.

The edited text is read back strictly and its values must equal the values
the edit meant to produce; anything else (an unusual layout the editor did not
foresee) is refused rather than written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml

from copro.core.errors import CoproError
from copro.core.records import BOM, split_fences
from copro.core.yamlstrict import Loader

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_PLAIN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()/&-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECTION = re.compile(r"(#{1,2})[ \t]+(.*?)[ \t#]*$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}

Value = str | int | bool | list[str] | list[dict[str, Any]] | None
"""What an edit may set: plain text, a number, a flag or a list of ids (None removes)."""


# ------------------------------------------------------------------ rendering values


def scalar(value: str | int | bool, flow: bool = False) -> str:
    """A YAML scalar that reads back (strictly) as exactly ``value``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _DATE.fullmatch(value) or (
        _PLAIN_WORD.fullmatch(value) and value.lower() not in _YAML_WORDS
    ):
        return value
    if (
        not flow
        and _PLAIN_TEXT.fullmatch(value)
        and value.lower() not in _YAML_WORDS
        and ": " not in value
        and not value.endswith((" ", ":"))
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def item_lines(
    item: dict[str, Value], dash_indent: int, key_indent: int | None = None
) -> list[str]:
    """A block mapping as a sequence item: ``- key: value`` then keys aligned under the first."""
    lines = []
    key_indent = dash_indent + 2 if key_indent is None else key_indent
    pad = " " * key_indent
    first = " " * dash_indent + "-" + " " * (key_indent - dash_indent - 1)
    for number, (key, value) in enumerate(item.items()):
        if value is None:
            continue
        lead = first if number == 0 else pad
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{lead}{key}:")
            for sub in value:
                lines += item_lines(sub, dash_indent + 2)
        elif isinstance(value, list):
            lines.append(f"{lead}{key}: {flow_list(value)}")
        else:
            lines.append(f"{lead}{key}: {scalar(value)}")
    return lines


def field_lines(key: str, value: Value, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list):
        return [f"{pad}{key}: {flow_list(value)}"]
    assert value is not None
    return [f"{pad}{key}: {scalar(value)}"]


# ------------------------------------------------------------------ the document


@dataclass
class _Op:
    """Replace file text from (line, col) to (end_line, end_col) with ``text``; 0-based."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str
    tag: object = None
    order: int = 0


@dataclass
class Edited:
    """The edited file: its bytes, and which new lines each tagged change produced."""

    data: bytes
    text: str
    spans: list[tuple[int, int, object]] = field(default_factory=list)
    """``(first_line, last_line, tag)``, 1-based file lines of the edited text."""

    def tag_of_line(self, line: int) -> object:
        for first, last, tag in self.spans:
            if first <= line <= last:
                return tag
        return None


class RecordText:
    """One record's text, open for edits that keep every byte they do not change."""

    def __init__(self, data: bytes, relpath: str, fields: list[str] | None = None) -> None:
        """``fields`` is the top-level field order new fields follow (a consensus
        statement's schema order; a record's by default)."""
        self.data = data
        self.relpath = relpath
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            raise self._refuse("it is not UTF-8 text") from None
        self.bom = raw.startswith(BOM)
        self.raw_lines = _LINE.findall(raw[1:] if self.bom else raw)
        ends = [line[len(line.rstrip("\r\n")) :] for line in self.raw_lines]
        self.newline = ends[0] if ends and ends[0] else "\n"
        text = "".join(line.rstrip("\r\n") + "\n" for line in self.raw_lines)
        fences = split_fences(text)
        if isinstance(fences, str):
            raise self._refuse(fences)
        self.close = fences[1]
        front = "".join(line.rstrip("\r\n") + "\n" for line in self.raw_lines[1 : self.close])
        try:
            node = yaml.compose(front, Loader=Loader)
        except yaml.YAMLError:
            raise self._refuse("its front-matter is not valid YAML") from None
        if not isinstance(node, yaml.MappingNode) or node.flow_style:
            raise self._refuse("its front-matter is not a block of `field: value` lines")
        self.root = node
        self.ops: list[_Op] = []
        self.order = fields or _field_order()

    def _refuse(self, why: str) -> CoproError:
        return CoproError(
            f"{self.relpath} cannot be edited safely: {why}; nothing was written",
            "run `copro validate` and fix the record first",
        )

    # ---------------------------------------------------------------- positions

    @staticmethod
    def _line(mark: yaml.Mark) -> int:
        """File line index (0-based) of a front-matter mark (the fence is line 0)."""
        return mark.line + 1

    def _last_line(self, node: yaml.Node) -> int:
        """The file line index holding the last character of ``node``'s value."""
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark
            if end.column == 0 and end.line > node.start_mark.line:
                return self._line(end) - 1
            return self._line(end)
        if isinstance(node, yaml.CollectionNode) and node.flow_style:
            return self._line(node.end_mark)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                children += [key, value]
        else:
            children = list(node.value)
        if not children:
            return self._line(node.start_mark)
        return max(self._last_line(child) for child in children)

    def _find(self, mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        for key_node, value_node in mapping.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
        return None

    def _add(self, op: _Op) -> None:
        op.order = len(self.ops)
        self.ops.append(op)

    def _insert_after(self, line: int, lines: list[str], tag: object) -> None:
        """Insert whole lines after file line index ``line``."""
        text = "".join(f"{content}{self.newline}" for content in lines)
        self._add(_Op(line + 1, 0, line + 1, 0, text, tag))

    def _replace(self, node: yaml.Node, text: str, tag: object) -> None:
        start, end = node.start_mark, node.end_mark
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            raise self._refuse("a block text (`|` or `>`) would have to be rewritten")
        self._add(_Op(self._line(start), start.column, self._line(end), end.column, text, tag))

    # ---------------------------------------------------------------- top level

    def _insert_point(self, key: str) -> int:
        """The line after which a missing top-level ``key`` goes: after its predecessor."""
        present = {k.value: (k, v) for k, v in self.root.value if isinstance(k, yaml.ScalarNode)}
        rank = self.order.index(key) if key in self.order else len(self.order)
        before = [name for name in self.order[:rank] if name in present]
        if before:
            _, value = present[before[-1]]
            return self._last_line(value)
        return self.close - 1

    def _dash_indent(self) -> int:
        """Sequence item indent the file already uses (0 = `- ` under the key), else 0."""
        for key_node, value_node in self.root.value:
            if isinstance(value_node, yaml.SequenceNode) and not value_node.flow_style:
                if value_node.value:
                    try:
                        dash, _ = self._item_columns(value_node.value[0])
                    except CoproError:
                        continue
                    return max(dash - key_node.start_mark.column, 0)
        return 0

    def set_field(self, key: str, value: Value, tag: object = None, block: bool = False) -> None:
        """Set a top-level field: replace its value, or write it where the template's
        commented example of it stands (else after the field before it). ``block``
        writes a new list of texts as ``- item`` lines instead of ``[a, b]``. The
        template's commented example of a field that is set is removed."""
        found = self._find(self.root, key)
        placeholder = self._placeholder(key)
        if found is None:
            if value is None:
                return
            lines = self._new_field_lines(key, value, block)
            if placeholder is not None:
                first, last = placeholder
                self._add(_Op(first, 0, last + 1, 0, self._joined(lines), tag))
                return
            self._insert_after(self._insert_point(key), lines, tag)
            return
        key_node, value_node = found
        if value is None:
            raise self._refuse(f"removing `{key}` is not supported")
        self._drop(placeholder, tag)
        self._set_value(key_node, value_node, value, tag)

    def _new_field_lines(self, key: str, value: Value, block: bool) -> list[str]:
        if block and isinstance(value, list) and value:
            pad = " " * (self._dash_indent())
            return [f"{key}:"] + [f"{pad}- {scalar(cast('str | int | bool', v))}" for v in value]
        return field_lines(key, value, 0)

    def _joined(self, lines: list[str]) -> str:
        return "".join(f"{content}{self.newline}" for content in lines)

    def _drop(self, lines: tuple[int, int] | None, tag: object) -> None:
        if lines is not None:
            self._add(_Op(lines[0], 0, lines[1] + 1, 0, "", tag))

    def _placeholder(self, key: str) -> tuple[int, int] | None:
        """File lines (0-based, inclusive) of the template's commented example of a
        top-level ``key``: ``# key: ...`` at the start of a line and the deeper
        commented lines under it (``#   - ...``)."""
        opening = re.compile(rf"#\s?{re.escape(key)}:(\s|$)")
        for index in range(1, self.close):
            if opening.match(self.raw_lines[index]):
                last = index
                while last + 1 < self.close and re.match(r"#\s{2,}\S", self.raw_lines[last + 1]):
                    last += 1
                return index, last
        return None

    def set_in_mapping(self, key: str, changes: dict[str, Value], tag: object = None) -> None:
        """Set fields of a top-level mapping (consent, recognition): each replaces its
        value, inserts its line, or (None) removes it; a missing mapping is written
        where its commented example stands, else after the field before it."""
        found = self._find(self.root, key)
        placeholder = self._placeholder(key)
        if found is None:
            lines = [f"{key}:"]
            for name, value in changes.items():
                if value is not None:
                    lines += field_lines(name, value, 2)
            if len(lines) == 1:
                return
            if placeholder is not None:
                self._add(_Op(placeholder[0], 0, placeholder[1] + 1, 0, self._joined(lines), tag))
            else:
                self._insert_after(self._insert_point(key), lines, tag)
            return
        self._drop(placeholder, tag)
        mapping = found[1]
        if not isinstance(mapping, yaml.MappingNode) or not mapping.value:
            raise self._refuse(f"`{key}` is not a block of `field: value` lines")
        if mapping.flow_style:
            raise self._refuse(f"`{key}` is written on one line (`{{...}}`)")
        for name, value in changes.items():
            self._set_in(mapping, name, value, tag, f"`{key}`")

    def _set_in(
        self, node: yaml.MappingNode, name: str, value: Value, tag: object, where: str
    ) -> None:
        """Set ``name`` in the block mapping ``node``: replace, insert or (None) remove."""
        found = self._find(node, name)
        if found is None:
            if value is None:
                return
            if node.flow_style:
                raise self._refuse(f"{where} is written on one line")
            indent = node.value[0][0].start_mark.column
            self._insert_after(self._last_line(node), field_lines(name, value, indent), tag)
            return
        key_node, value_node = found
        if value is None:
            if node.flow_style or key_node is node.value[0][0]:
                raise self._refuse(f"removing `{name}` from {where}")
            first, last = self._line(key_node.start_mark), self._last_line(value_node)
            self._add(_Op(first, 0, last + 1, 0, "", tag))
            return
        self._set_value(key_node, value_node, value, tag)

    def set_block(self, key: str, lines: list[str], tag: object = None) -> None:
        """Set a top-level field to the whole lines given (a nested mapping such as a
        statement's ``confidence``): its old lines are replaced, or the lines inserted."""
        found = self._find(self.root, key)
        if found is None:
            self._insert_after(self._insert_point(key), lines, tag)
            return
        key_node, value_node = found
        if key_node.start_mark.column != 0:
            raise self._refuse(f"`{key}` is not at the start of its line")
        first, last = self._line(key_node.start_mark), self._last_line(value_node)
        text = "".join(f"{content}{self.newline}" for content in lines)
        self._add(_Op(first, 0, last + 1, 0, text, tag))

    def append_item(self, key: str, item: dict[str, Value], tag: object = None) -> None:
        """Add an item at the end of the top-level list ``key`` (creating the list)."""
        found = self._find(self.root, key)
        if found is None:
            indent = max(self._dash_indent(), 0)
            lines = [f"{key}:"] + item_lines(item, indent)
            self._insert_after(self._insert_point(key), lines, tag)
            return
        key_node, seq = found
        if isinstance(seq, yaml.ScalarNode) and seq.value == "" and seq.tag.endswith("null"):
            indent = max(self._dash_indent(), 0)
            self._insert_after(self._line(key_node.start_mark), item_lines(item, indent), tag)
            return
        if not isinstance(seq, yaml.SequenceNode):
            raise self._refuse(f"`{key}` is not a list")
        if seq.flow_style:
            pairs = ", ".join(
                f"{k}: {flow_list(v) if isinstance(v, list) else scalar(v, flow=True)}"
                for k, v in item.items()
                if v is not None
            )
            end = seq.end_mark
            at = (self._line(end), end.column - 1)
            text = ("{" if not seq.value else ", {") + pairs + "}"
            self._add(_Op(at[0], at[1], at[0], at[1], text, tag))
            return
        first = seq.value[0]
        dash, key_col = self._item_columns(first)
        self._insert_after(self._last_line(seq), item_lines(item, dash, key_col), tag)

    def _item_columns(self, first: yaml.Node) -> tuple[int, int]:
        """Where the dash and the keys of an existing block list item are."""
        if not isinstance(first, yaml.MappingNode) or first.flow_style or not first.value:
            raise self._refuse("a list has an unusual layout")
        key_col = first.value[0][0].start_mark.column
        line = self.raw_lines[self._line(first.start_mark)]
        dash = line.find("-")
        if dash < 0 or dash >= key_col or line[:dash].strip():
            raise self._refuse("a list has an unusual layout")
        return dash, key_col

    # ---------------------------------------------------------------- items

    def item(self, key: str, index: int) -> yaml.MappingNode:
        found = self._find(self.root, key)
        if found is None or not isinstance(found[1], yaml.SequenceNode):
            raise self._refuse(f"`{key}` is not a list")
        node = found[1].value[index]
        if not isinstance(node, yaml.MappingNode):
            raise self._refuse(f"`{key}` item {index + 1} is not a mapping")
        return node

    def set_item_field(self, key: str, index: int, name: str, value: Value, tag: object) -> None:
        """Set ``key[index].name``: replace its value, insert it, or (None) remove it."""
        self._set_in(self.item(key, index), name, value, tag, f"`{key}` item {index + 1}")

    def _set_value(self, key_node: yaml.Node, node: yaml.Node, value: Value, tag: object) -> None:
        assert value is not None
        if isinstance(node, yaml.ScalarNode):
            if isinstance(value, list):
                text = flow_list(value)
            else:
                text = scalar(value, flow=self._in_flow(key_node))
            if node.value == "" and node.start_mark.index == node.end_mark.index:
                text = " " + text if node.start_mark.column == key_node.end_mark.column else text
            self._replace(node, text, tag)
            return
        if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
            if node.flow_style:
                self._replace(node, flow_list(value), tag)
                return
            if not node.value:
                raise self._refuse("an empty list has an unusual layout")
            dash = node.value[0].start_mark.column - 2
            pad = " " * dash
            text = f"{self.newline}{pad}".join(
                f"- {scalar(cast('str | int | bool', v))}" for v in value
            )
            if not value:
                raise self._refuse("an empty block list")
            start = node.value[0].start_mark
            start_line, start_col = self._line(start), start.column - 2
            end_line = self._last_line(node)
            end_col = len(self.raw_lines[end_line].rstrip("\r\n"))
            end_node = node.value[-1]
            if isinstance(end_node, yaml.ScalarNode) and self._line(end_node.end_mark) == end_line:
                end_col = end_node.end_mark.column
            self._add(_Op(start_line, start_col, end_line, end_col, text, tag))
            return
        raise self._refuse("a field has a different shape than expected")

    def _in_flow(self, key_node: yaml.Node) -> bool:
        """Whether ``key_node`` sits inside a flow mapping (`{...}`)."""
        line = self.raw_lines[self._line(key_node.start_mark)]
        return "{" in line[: key_node.start_mark.column]

    # ---------------------------------------------------------------- body sections

    def set_section(
        self, heading: str, text: str, order: tuple[str, ...], tag: object = None
    ) -> None:
        """Replace the words under ``## heading`` of the body with ``text`` (the
        template's guidance comment there goes too), or add the section before the
        first section that ``order`` puts after it, else at the end."""
        start = self.close + 1
        headings = self._headings(start)
        words = [line.rstrip() for line in text.strip("\n").splitlines()]
        found = next((i for i, name in headings if name.casefold() == heading.casefold()), None)
        if found is not None:
            following = [i for i, _ in headings if i > found]
            end = following[0] if following else len(self.raw_lines)
            lines = ["", *words, *([""] if following else [])]
            self._add(_Op(found + 1, 0, end, 0, self._joined(lines), tag))
            return
        rank = order.index(heading) if heading in order else len(order)
        later = {name.casefold() for name in order[rank + 1 :]}
        before = next((i for i, name in headings if name.casefold() in later), None)
        lines = [f"## {heading}", "", *words, ""]
        if before is not None:
            self._add(_Op(before, 0, before, 0, self._joined(lines), tag))
            return
        last = len(self.raw_lines) - 1
        if last >= start and self.raw_lines[last].strip():
            lines.insert(0, "")
        if last >= 0 and not self.raw_lines[last].endswith(("\n", "\r")):
            self._add(_Op(last + 1, 0, last + 1, 0, self.newline, tag))
        self._add(_Op(last + 1, 0, last + 1, 0, self._joined(lines[:-1]), tag))

    def _headings(self, start: int) -> list[tuple[int, str]]:
        """``(line index, name)`` of each level-1 or level-2 heading of the body,
        outside fenced code blocks."""
        found = []
        fenced = False
        for index in range(start, len(self.raw_lines)):
            line = self.raw_lines[index].rstrip("\r\n")
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            match = _SECTION.match(line)
            if match and not fenced:
                found.append((index, match.group(2).strip()))
        return found

    # ---------------------------------------------------------------- result

    def result(self) -> Edited:
        """The edited bytes; line ends, BOM and everything not edited kept as they were."""
        ops = sorted(self.ops, key=lambda op: (op.line, op.col, op.order))
        out: list[str] = []
        spans: list[tuple[int, int, object]] = []
        line, col = 0, 0
        out_lines = 0  # complete lines already written to out
        for op in ops:
            if (op.line, op.col) < (line, col):
                raise self._refuse("two changes overlap")
            chunk = self._slice(line, col, op.line, op.col)
            out.append(chunk)
            out_lines += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
            first = out_lines + 1
            out.append(op.text)
            new_lines = op.text.count("\n") + op.text.count("\r") - op.text.count("\r\n")
            out_lines += new_lines
            if op.text:
                last = out_lines if op.text.endswith(("\n", "\r")) else out_lines + 1
                spans.append((first, max(first, last), op.tag))
            line, col = op.end_line, op.end_col
        out.append(self._slice(line, col, len(self.raw_lines), 0))
        text = "".join(out)
        data = ((BOM if self.bom else "") + text).encode("utf-8")
        return Edited(data, text, spans)

    def _slice(self, line: int, col: int, end_line: int, end_col: int) -> str:
        if line >= len(self.raw_lines):
            return ""
        if line == end_line:
            return self.raw_lines[line][col:end_col]
        parts = [self.raw_lines[line][col:]]
        parts += self.raw_lines[line + 1 : end_line]
        if end_line < len(self.raw_lines):
            parts.append(self.raw_lines[end_line][:end_col])
        return "".join(parts)


def _field_order() -> list[str]:
    from copro.core.schema import top_level_fields

    return top_level_fields()
