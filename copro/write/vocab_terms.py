"""``copro vocab add``: a new term in a vocabulary file, without opening it in an editor.

The term goes at the end of the file's ``terms`` list as new lines; every other
byte of the file (its comments, order, quoting, line ends) stays as it was, so
the change reviews as a few added lines. The id is made from the label
(kebab-case); a term whose id, label or one of whose synonyms already names a
term of that vocabulary is refused (exit 1, nothing written), since two terms
that answer to the same words would split the archive's search and reports.
An archive still using the shipped vocabularies gets its own copy of all four
first (in the same change), since the archive now extends them.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from copro.core import pii, values
from copro.core.edit import scalar
from copro.core.errors import CoproError, UsageError
from copro.core.fileio import archive_lock, replace_atomic
from copro.core.paths import VOCAB_DIR, shipped_schemas_dir
from copro.core.records import control_characters
from copro.core.vocab import (
    KEBAB,
    VOCAB_NAMES,
    Term,
    Vocabulary,
    normalise,
    parse_vocabulary,
    resolve_term,
)
from copro.core.yamlstrict import Loader
from copro.write.newrecord import slugify

MAX_LABEL = 100
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class AddedTerm:
    """What ``vocab add`` did: the new term, the file, and any files copied in first."""

    kind: str
    term: Term
    relpath: str
    copied: list[str] = field(default_factory=list)
    written: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.term.id,
            "label": self.term.label,
            "synonyms": list(self.term.synonyms),
            "broader": self.term.broader,
            "in_sentence": getattr(self.term, "in_sentence", None),
            "path": self.relpath,
            "copied": self.copied,
            "written": self.written,
        }


def check_kind(kind: str) -> str:
    if kind not in VOCAB_NAMES:
        raise UsageError(
            f"{pii.quoted(kind)} is not a vocabulary", "choose one of: " + ", ".join(VOCAB_NAMES)
        )
    return kind


def term_text(value: str, option: str, limit: int = MAX_LABEL) -> str:
    """One line of words for a label, synonym or in-sentence form (checked like any value)."""
    text = " ".join(values.for_option(option, values.utf8_text, str(value)).split())
    if not text:
        raise UsageError(f"{option} must not be empty")
    if len(text) > limit:
        raise UsageError(f"{option} is longer than {limit} characters")
    if control_characters(text):
        raise UsageError(f"{option} contains an invisible or control character; type it again")
    found = pii.scan_value(text)
    if found:
        raise UsageError(
            f"{option} contains {pii.KINDS[found[0].code]} (not shown)",
            "vocabularies are published with the archive: name groups and places, never people",
        )
    return text


def add_term(
    root: Path,
    kind: str,
    label: str,
    synonyms: list[str] | None = None,
    broader: str | None = None,
    in_sentence: str | None = None,
    term_id: str | None = None,
    dry_run: bool = False,
) -> AddedTerm:
    """Add a term to ``schemas/vocab/<kind>.yml``; see the module docstring."""
    root = Path(root).resolve()
    kind = check_kind(kind)
    label = term_text(label, "--label")
    words = [term_text(s, "--synonym") for s in synonyms or []]
    sentence = term_text(in_sentence, "--in-sentence") if in_sentence is not None else None
    new_id = term_id.strip() if term_id else slugify(label)
    if not new_id or not KEBAB.fullmatch(new_id) or len(new_id) > 80:
        raise UsageError(
            "no id can be made from this label (it needs letters a-z or digits)",
            "give one with --id, in kebab-case (e.g. childrens-centres)",
        )
    folder = root / VOCAB_DIR
    path = folder / f"{kind}.yml"
    rel = f"{VOCAB_DIR.as_posix()}/{kind}.yml"
    with contextlib.nullcontext() if dry_run else archive_lock(root):
        copies = _shipped_copies(folder)
        data = copies.get(f"{kind}.yml") or _read(path, rel)
        vocabulary = _parse(kind, data, rel)
        parent = (
            resolve_term(_as_vocab(kind, vocabulary), kind, broader, "--broader")
            if broader
            else None
        )
        _refuse_clash(vocabulary, new_id, label, words)
        item: dict[str, Any] = {"id": new_id, "label": label}
        if words:
            item["synonyms"] = words
        if parent:
            item["broader"] = parent
        if sentence:
            item["in_sentence"] = sentence
        new_data = append_term(data, item, rel)
        added = _parse(kind, new_data, rel).terms.get(new_id)
        if added is None:
            raise CoproError(f"{rel} could not be extended safely; nothing was written")
        result = AddedTerm(kind, added, rel, sorted(f"{VOCAB_DIR.as_posix()}/{n}" for n in copies))
        if dry_run:
            return result
        _write(folder, copies, path, new_data)
        result.written = True
    return result


def _as_vocab(kind: str, vocabulary: Vocabulary) -> Any:
    """A one-vocabulary stand-in for ``resolve_term`` (which looks terms up by kind)."""
    return {kind: vocabulary}


def _read(path: Path, rel: str) -> bytes:
    if path.is_symlink():
        raise CoproError(f"{rel} is a symbolic link; copro does not write through links")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CoproError(f"cannot read {rel}: {exc.strerror}") from None


def _parse(kind: str, data: bytes, rel: str) -> Vocabulary:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CoproError(f"{rel} is not UTF-8 text; nothing was written") from None
    vocabulary, problems = parse_vocabulary(kind, text.replace("\r\n", "\n"), rel)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise CoproError(
            f"{rel} has problems; nothing was written: "
            + "; ".join(f"line {p.line}: {p.message}" for p in errors[:5]),
            "run `copro validate` and fix the vocabulary first",
        )
    return vocabulary


def _refuse_clash(vocabulary: Vocabulary, new_id: str, label: str, synonyms: list[str]) -> None:
    """Exit 1 when the id exists or a label or synonym already names another term."""
    if new_id in vocabulary.terms:
        existing = vocabulary.terms[new_id]
        raise CoproError(
            f"the {vocabulary.name} vocabulary has a term `{new_id}` already "
            f"({pii.shown(existing.label)}); nothing was written",
            "use that term, or add this one with a different --label (or --id)",
        )
    for words in (label, *synonyms):
        named = vocabulary.resolve(words)
        if named is not None:
            raise CoproError(
                f"{pii.quoted(words)} already names the term `{named}` of the "
                f"{vocabulary.name} vocabulary; nothing was written",
                "use that term, or choose words that name no other term",
            )
    seen: set[str] = set()
    for words in (label, *synonyms):
        if normalise(words) in seen:
            raise UsageError(f"{pii.quoted(words)} is given twice (as the label or a synonym)")
        seen.add(normalise(words))


def append_term(data: bytes, item: dict[str, Any], rel: str) -> bytes:
    """``data`` with ``item`` as the last item of its ``terms`` list; nothing else changes."""
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    match = _LINE_END.search(text)
    newline = match.group(0) if match else "\n"
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    try:
        node = yaml.compose(text.replace("\r\n", "\n"), Loader=Loader)
    except yaml.YAMLError:
        raise CoproError(f"{rel} is not valid YAML; nothing was written") from None
    terms = _terms_node(node)
    if terms is None:
        raise CoproError(
            f"{rel} cannot be extended safely (its `terms` list has an unusual layout); "
            "nothing was written",
            "add the term by hand, as a `- id: ...` item at the end of `terms`",
        )
    key_node, seq = terms
    if seq.value:
        first = seq.value[0]
        assert isinstance(first, yaml.MappingNode)
        key_col = first.value[0][0].start_mark.column
        dash = key_col - 2
        after = _last_line(seq)
    else:
        dash = key_node.start_mark.column
        after = key_node.start_mark.line
        if isinstance(seq, yaml.SequenceNode) and seq.flow_style:
            raise CoproError(f"{rel} writes `terms` on one line; nothing was written")
        lines[after] = lines[after].split("#", 1)[0].rstrip().removesuffix("[]").rstrip()
    new_lines = term_lines(item, max(dash, 0))
    out = lines[: after + 1] + new_lines + lines[after + 1 :]
    body = newline.join(out) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")


def term_lines(item: dict[str, Any], dash: int) -> list[str]:
    """A term as the shipped files write one: ``- id: ...``, lists as ``- item`` lines."""
    pad = " " * (dash + 2)
    lines = []
    for number, (key, value) in enumerate(item.items()):
        lead = " " * dash + "- " if number == 0 else pad
        if isinstance(value, list):
            lines.append(f"{lead}{key}:")
            lines += [f"{pad}- {scalar(v)}" for v in value]
        else:
            lines.append(f"{lead}{key}: {scalar(value)}")
    return lines


def _terms_node(node: yaml.Node | None) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "terms":
            if isinstance(value, yaml.SequenceNode) and not value.flow_style:
                if all(isinstance(v, yaml.MappingNode) and not v.flow_style for v in value.value):
                    return key, value
            if isinstance(value, yaml.SequenceNode) and not value.value:
                return key, value
            return None
    return None


def _last_line(node: yaml.Node) -> int:
    """The 0-based line holding the last character of ``node`` (not trailing comments)."""
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            children += [key, value]
    else:
        children = list(node.value)
    if not children:
        return node.start_mark.line
    return max(_last_line(child) for child in children)


def _shipped_copies(folder: Path) -> dict[str, bytes]:
    """The shipped vocabularies to copy in, when the archive has no ``schemas/vocab/``."""
    if folder.exists() or folder.is_symlink():
        return {}
    shipped = shipped_schemas_dir() / "vocab"
    return {name: (shipped / name).read_bytes() for name in (f"{n}.yml" for n in VOCAB_NAMES)}


def _write(folder: Path, copies: dict[str, bytes], path: Path, data: bytes) -> None:
    """Write the new file (and the copies), or nothing: copies go in a new folder only."""
    import shutil

    try:
        if copies:
            folder.mkdir(parents=True)
            try:
                for name, content in copies.items():
                    if folder / name != path:
                        replace_atomic(folder / name, content)
                replace_atomic(path, data)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            return
        replace_atomic(path, data)
    except OSError as exc:
        raise CoproError(f"cannot write {path.name}: {exc.strerror}; nothing was written") from None


def list_terms(vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """Every term of a vocabulary, in file order, as ``vocab list --json`` prints them."""
    return [
        {
            "id": t.id,
            "label": t.label,
            "synonyms": list(t.synonyms),
            "broader": t.broader,
            "in_sentence": getattr(t, "in_sentence", None),
        }
        for t in vocabulary.terms.values()
    ]
