"""Read one engagement file strictly: bytes -> text -> front-matter + body.

python-frontmatter silently returns empty metadata for a BOM, an unclosed or
indented fence or a leading blank line, and reports YAML lines relative to the
front-matter. A gate cannot let those pass as "no front-matter", so the split
is done here, exactly as the contract words it (first line ``---``, the next
line ``---`` closes), and every problem carries the real line of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copro.core.errors import CoproError, UsageError
from copro.core.problems import ERROR, Problem

if TYPE_CHECKING:
    from copro.core.errors import CoproError
    from copro.core.yamlstrict import DecodedText

YamlPath = tuple[str | int, ...]

ID_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*")
"""A record id (the schema's ``id`` pattern): ``fullmatch`` it."""

MAX_RECORD_BYTES = 128 * 1024
"""Refused before parsing; a real engagement write-up is a few kilobytes."""

BOM = "\ufeff"
FM_ALLOW_MARKER = "# copro: allow pii"
BODY_ALLOW_MARKER = "<!-- copro: allow pii -->"

_CONTROL_CHARS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
)
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
_DECODED_CONTROL = re.compile(f"[{_CONTROL_CHARS}\r]")
"""After decoding, a carriage return too: it lets a value overwrite its own line on a terminal."""
_CONTROL_WORDS = (
    "invisible control character U+{code:04X} (such as NUL, an escape sequence or a "
    "right-to-left override)"
)
_UNPRINTABLE = re.compile(f"[{_CONTROL_CHARS}\t\n\r]")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """``text`` with every control or bidi character written as an escape.

    For paths and other text that copro did not check (a file's name, a hub
    member's file names) on its way to a terminal: an ESC sequence there could
    set the clipboard (OSC 52), clear the screen or recolour what follows, and
    a newline could split a line into two that look like copro's own. Shown as
    ``\\x1b``, ``\\n`` or ``\\u202e``; JSON output keeps the text itself.
    """
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(_escape_one, text)


def not_utf8(text: str) -> bool:
    """True when ``text`` holds a byte that was not UTF-8 where it came from (the
    terminal's arguments are decoded with surrogate escapes): it cannot be written."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def not_utf8_error(option: str) -> UsageError:
    return UsageError(
        f"{option} holds a byte that is not UTF-8 text; nothing was written",
        "type it again in a terminal set to UTF-8",
    )


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass
class Record:
    """One engagement as read from disk; ``meta`` holds plain JSON-like values."""

    path: Path
    relpath: str
    text: str
    meta: dict[str, Any]
    lines: dict[YamlPath, int]
    body: str
    body_line: int
    fm_end_line: int
    flawed: set[YamlPath] = field(default_factory=set)
    """Paths whose values YAML would have changed; already reported, so not re-checked."""

    def is_flawed(self, path: tuple[str | int, ...]) -> bool:
        return any(path[: len(flawed)] == flawed for flawed in self.flawed)

    @property
    def id(self) -> str:
        return str(self.meta.get("id", self.path.stem))

    def line_of(self, *path: str | int) -> int:
        """The file line of ``path`` or, failing that, of its nearest parent."""
        key: tuple[str | int, ...] = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


@dataclass
class ReadResult:
    """What reading produced: the text (for the personal-data scan) and the record."""

    relpath: str
    text: str | None = None
    record: Record | None = None
    problems: list[Problem] = field(default_factory=list)
    fm_end_line: int = 0
    decoded: list[DecodedText] = field(default_factory=list)
    """Front-matter texts as YAML decoded them (see ``yamlstrict.DecodedText``)."""

    def add(self, line: int, code: str, message: str) -> None:
        self.problems.append(Problem(self.relpath, line, ERROR, code, message))

    def personal_data(self) -> tuple[list[Any], set[int]]:
        """The gate's personal-data findings in this file, and the allowed lines.

        ``validate`` reports them; every reading view withholds a record that
        has any, so data the gate refuses is never shown, exported or indexed.
        """
        from copro.core import pii

        if self.text is None:
            return [], set()
        allowed = allowed_lines(self.text, self.fm_end_line or 0)
        decoded = ((d.line, d.end_line, d.value) for d in self.decoded)
        return pii.scan_document(self.text, decoded, allowed), allowed


def read_record(path: Path, relpath: str, data: bytes | None = None) -> ReadResult:
    """Read and parse ``path``; problems describe everything that stops a clean read.

    ``data`` is the file's bytes when the caller already read them (the index
    hashes them too), so the file is read once.
    """
    result = ReadResult(relpath)
    if data is not None:
        if len(data) > MAX_RECORD_BYTES:
            result.add(1, "file-too-large", "file is larger than records may be")
            return result
        text = decode(data, result)
        if text is not None:
            result.text = text
            parse_text(text, result, path)
        return result
    try:
        info = path.lstat()
    except OSError as exc:
        result.add(1, "file-unreadable", f"cannot read the file ({exc.strerror})")
        return result
    if path.is_symlink():
        result.add(1, "file-symlink", "symbolic links are not allowed in archive/; copy the file")
        return result
    if info.st_size > MAX_RECORD_BYTES:
        result.add(
            1,
            "file-too-large",
            f"file is {info.st_size // 1024} KiB; records are limited to "
            f"{MAX_RECORD_BYTES // 1024} KiB (move long material elsewhere and link it)",
        )
        return result
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.add(1, "file-unreadable", f"cannot read the file ({exc.strerror})")
        return result
    text = decode(data, result)
    if text is None:
        return result
    result.text = text
    parse_text(text, result, path)
    return result


def decode(data: bytes, result: ReadResult) -> str | None:
    """UTF-8 (a BOM allowed) with LF line ends, or a problem naming the line."""
    if not data.strip():
        result.add(1, "file-empty", "the file is empty; a record starts with a line `---`")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.add(
            line,
            "file-encoding",
            "bytes that are not UTF-8 (often text pasted from Word in another encoding); "
            "retype the accented characters and save the file as UTF-8",
        )
        return None
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = control_characters(text)
    for line, message in found:
        result.add(line, "file-control-character", message)
    return None if found else text


def split_fences(text: str) -> tuple[int, int] | str:
    """Index of the opening and closing fence lines, or why there are none."""
    lines = text.split("\n")
    first = lines[0]
    if first.rstrip() != "---":
        if first.strip() == "+++":
            return "TOML front-matter (+++) is not supported; use YAML between `---` lines"
        if first.strip() == "---":
            return "the opening `---` is indented; it must start at the beginning of line 1"
        if first.strip() == "" and any(line.rstrip() == "---" for line in lines[1:]):
            return "the file must start with `---` on line 1; remove the blank line(s) before it"
        if first.lstrip().startswith("{"):
            return "JSON front-matter is not supported; use YAML between `---` lines"
        return "no front-matter: the file must start with a line `---`"
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return 0, index
    return "the front-matter is not closed: add a line `---` after the last field"


def parse_text(text: str, result: ReadResult, path: Path) -> None:
    """Split fences, load YAML strictly and store a Record on ``result``."""
    fences = split_fences(text)
    if isinstance(fences, str):
        result.add(1, "frontmatter-missing", fences)
        return
    _, close = fences
    lines = text.split("\n")
    result.fm_end_line = close + 1
    yaml_text = "\n".join(lines[1:close])
    from copro.core import yamlstrict  # PyYAML is imported only when a record is parsed

    loaded = yamlstrict.load(yaml_text, first_line=2)
    for issue in loaded.issues:
        result.add(issue.line, issue.code, issue.message)
    result.decoded = loaded.decoded
    found = control_characters("", loaded.decoded)
    for line, message in found:
        result.add(line, "file-control-character", message)
    if found:
        return  # never hand a reader a value that would drive the terminal
    if any(issue.path is None for issue in loaded.issues):
        return  # a structural problem: nothing below it can be trusted
    meta = loaded.value
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        result.add(
            2,
            "frontmatter-not-mapping",
            "front-matter must be `field: value` lines, not a list or a single value",
        )
        return
    body_line = close + 2
    result.record = Record(
        path=path,
        relpath=result.relpath,
        text=text,
        meta=meta,
        lines=loaded.lines,
        body="\n".join(lines[close + 1 :]),
        body_line=body_line,
        fm_end_line=close + 1,
        flawed={issue.path for issue in loaded.issues if issue.path is not None},
    )


def control_characters(text: str, decoded: Iterable[DecodedText] = ()) -> list[tuple[int, str]]:
    """``(line, message)`` for control or bidi characters in ``text`` (the first) and in
    each decoded value: an escape such as ``\\e`` or ``\\u202e`` must not reach a terminal."""
    found = []
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        found.append((line, _CONTROL_WORDS.format(code=ord(bad.group())) + "; delete it"))
    for value in decoded:
        bad = _DECODED_CONTROL.search(value.value)
        if bad:
            words = _CONTROL_WORDS.format(code=ord(bad.group()))
            found.append(
                (value.line, f"an escape in this value decodes to {words}; write it plainly")
            )
    return found


def allowed_lines(text: str, fm_end_line: int) -> set[int]:
    """Lines carrying the contract's allow-pii marker for their section."""
    allowed: set[int] = set()
    if "copro: allow pii" not in text:
        return allowed
    for number, line in enumerate(text.split("\n"), start=1):
        in_front_matter = 1 < number < fm_end_line
        marker = FM_ALLOW_MARKER if in_front_matter else BODY_ALLOW_MARKER
        if marker in line:
            allowed.add(number)
    return allowed


def iter_records(root: Path, skipped: list[str] | None = None) -> Iterator[Record]:
    """Every record under archive/ that can be read, in path order.

    Symlinks and files that cannot be parsed are left out (``validate`` reports
    them); their paths are added to ``skipped`` when a list is given.
    """
    from copro.core.paths import iter_record_files

    for found in iter_record_files(root):
        record = None if found.is_symlink else read_record(found.path, found.relpath).record
        if record is None:
            if skipped is not None:
                skipped.append(found.relpath)
            continue
        yield record


def as_list(value: object) -> list[str]:
    """A field that should be a list of text, defensively (records may be invalid)."""
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int))]
    if isinstance(value, str):
        return [value]
    return []


def as_dicts(value: object) -> list[dict[str, Any]]:
    """A field that should be a list of mappings, keeping only the mappings."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The front-matter as every output may show it: no name of an anonymous contributor.

    The schema forbids such a name, but readers also show records that fail
    validation, so each output that prints front-matter goes through here.
    """
    contributors = meta.get("contributors")
    if not isinstance(contributors, list):
        return meta
    public = dict(meta)
    public["contributors"] = [
        {k: v for k, v in c.items() if k != "name" or c.get("credit") == "named"}
        if isinstance(c, dict)
        else c
        for c in contributors
    ]
    return public


def archive_ids(root: Path) -> list[str]:
    """The ids of the record files of ``root`` (from file names; nothing is read)."""
    from copro.core.paths import iter_record_files

    return [Path(found.relpath).stem for found in iter_record_files(root)]


def unknown_record(record_id: str, known: Iterable[str]) -> CoproError:
    """``no record with id ...`` (exit 1), suggesting the ids it was most likely meant as.

    An id the given one begins (``2025-02-hospital-discharge`` for
    ``2025-02-hospital-discharge-carers``) comes first, then close spellings.
    """
    import difflib

    from copro.core import pii
    from copro.core.errors import CoproError

    ids = sorted(set(known))
    meant = [i for i in ids if i.startswith(record_id)] if record_id else []
    if not meant:
        meant = difflib.get_close_matches(record_id, ids, n=3, cutoff=0.8)
    hint = "find ids with `copro search`"
    if meant:
        hint = f"did you mean {' or '.join(meant[:3])}? ({hint})"
    return CoproError(f"no record with id {pii.shown(record_id)}", hint)


def locate_record(root: Path, record_id: str) -> Path:
    """The file of ``record_id``: a malformed id is a usage error, a missing one exits 1."""
    from copro.core import pii
    from copro.core.errors import UsageError
    from copro.core.paths import record_path

    if not ID_PATTERN.fullmatch(record_id):
        raise UsageError(
            f"not a record id: {pii.quoted(record_id)}", "ids look like 2024-03-short-name"
        )
    path = record_path(root, record_id)
    if not path.is_file() or path.is_symlink():
        raise unknown_record(record_id, archive_ids(root))
    return path


def unreadable(read: ReadResult, then: str = "") -> CoproError:
    """The error for a record that cannot be read, naming its first problem."""
    from copro.core.errors import CoproError

    first = read.problems[0] if read.problems else None
    where = f" (line {first.line}: {first.message})" if first else ""
    return CoproError(
        f"{read.relpath} cannot be read{where}{then}", "run `copro validate` to see every problem"
    )


def load_record(root: Path, record_id: str) -> Record:
    """The record ``record_id`` from its place in the archive, or a CoproError."""
    from copro.core.paths import relpath

    path = locate_record(root, record_id)
    read = read_record(path, relpath(root, path))
    if read.record is None:
        raise unreadable(read)
    if read.personal_data()[0]:
        raise CoproError(
            f"record {record_id} holds personal data, so it is withheld",
            hint="run `copro validate` to see where, and remove it",
        )
    return read.record
