"""One place that prints: JSON documents on stdout, messages and progress on stderr."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from copro.core.errors import CoproError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def out() -> Any:
    """Rich console for data (stdout); Rich is imported only when something prints."""
    from rich.console import Console

    trimmed: Any = _TrimmedWhenPiped("stdout")  # a text stream in all Rich uses
    return Console(file=trimmed, highlight=False, soft_wrap=True)


class _TrimmedWhenPiped:
    """Standard output or error (whatever ``sys.stdout`` or ``sys.stderr`` is at the
    time) with each line's trailing spaces dropped when it is not a terminal: Rich pads
    tables and Markdown to the width, and a line it wraps keeps the space it broke at,
    which at a terminal shows nothing but in a pipe, a log, a file or a diff is noise."""

    def __init__(self, name: str) -> None:
        self._name = name  # "stdout" or "stderr": looked up at each write (tests swap them)
        self._pending = ""

    @property
    def _stream(self) -> Any:
        """The stream itself, also while a progress bar is live: Rich then puts a proxy
        in ``sys.stdout`` and ``sys.stderr`` that writes into the bar's console, whose
        file is this object; written to, it would write back here without end."""
        stream = getattr(sys, self._name)
        return getattr(stream, "rich_proxied_file", stream)

    def write(self, text: str) -> int:
        stream = self._stream
        if stream.isatty():
            stream.write(text)
            return len(text)
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            stream.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:  # a line printed without its end: written as it is
            self._stream.write(self._pending)
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(self._stream.isatty())

    def fileno(self) -> int:
        return int(self._stream.fileno())

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"


@functools.cache
def err() -> Any:
    """Rich console for chatter (stderr): progress, notes, errors."""
    from rich.console import Console

    trimmed: Any = _TrimmedWhenPiped("stderr")
    return Console(file=trimmed, highlight=False)


def escape(text: str) -> str:
    """Escape Rich markup in text that came from a record."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def escape_printable(text: object) -> str:
    """Text copro did not check itself (a path, a hub member's name or file, a message
    naming one) for Rich: control characters written as escapes, then markup escaped,
    so a file name can never send an escape sequence to the terminal."""
    from copro.core.records import printable

    return escape(printable(str(text)))


def _printable_lines(text: str) -> str:
    """A message's own lines kept; any control character within a line escaped."""
    from copro.core.records import printable

    return "\n".join(printable(line) for line in text.split("\n"))


def indented(markup: str, indent: int) -> None:
    """Print wrapped to the terminal's width with every line indented (Rich markup)."""
    from rich.padding import Padding

    out().print(Padding(markup, (0, 0, 0, indent), expand=False), soft_wrap=False)


def hanging(
    lead: str, text: str, style: str | None = None, console: Any = None, rest: str | None = None
) -> None:
    """Print ``lead`` (markup) then ``text`` (plain, from a record) wrapped at word
    boundaries to the terminal's width (``COLUMNS`` when set, also when piped), later
    lines indented under the text (or by ``rest``); no line is longer than the width."""
    from rich.markup import render

    from copro.cli.wrap import wrap

    console = console or out()
    width = len(render(lead).plain)
    indent = " " * width if rest is None else rest
    lines = wrap(text, "\0" * width, indent, console.width)
    for number, line in enumerate(lines):
        words = escape(line[width:] if number == 0 else line[len(indent) :])
        if style:
            words = f"[{style}]{words}[/{style}]"
        console.print((lead if number == 0 else indent) + words, soft_wrap=True)


def id_and_path(key: str, path: str) -> str:
    """A record's or statement's id and path under its title (markup): joined by `` · ``
    when both are there and fit the panel, else one per line, never a dot with nothing
    after it."""
    parts = [escape(str(part)) for part in (key, path) if part]
    joined = " · ".join(parts)
    room = out().width - 4  # the panel's border and padding
    return joined if len(joined) <= room else "\n".join(parts)


def print_error(exc: CoproError) -> None:
    """``copro: error: message`` and ``hint: hint``, each wrapped to the terminal's width
    with a hanging indent; a `command in backticks` is never broken across lines."""
    print_wrapped("copro: error: ", exc.message)
    if exc.hint:
        print_wrapped("hint: ", exc.hint, style="dim")


def print_wrapped(lead: str, text: str, style: str | None = None) -> None:
    """``text`` after ``lead``, wrapped; a later line of its own (a listed problem) keeps
    its indentation and hangs two columns further."""
    from copro.cli.wrap import wrap

    console = err()
    first, *more = _printable_lines(text).split("\n")
    lines = wrap(first, lead, " " * len(lead), console.width, keep_code=True)
    for line in more:
        indent = " " * (len(line) - len(line.lstrip(" ")))
        lines += wrap(line, indent, indent + "  ", console.width, keep_code=True)
    for line in lines:
        console.print(line, markup=False, highlight=False, style=style, soft_wrap=True)


def handle_errors(func: F) -> F:
    """Turn CoproError into the documented message and exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CoproError as exc:
            print_error(exc)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE (atomically) instead of stdout.", dir_okay=False
    ),
]


def write_or_print(text: str | bytes, output: Path | None, what: str = "") -> None:
    """Documents go to stdout, or atomically to ``output`` with a note on stderr."""
    if output is None:
        sys.stdout.write(text) if isinstance(text, str) else sys.stdout.buffer.write(text)
        return
    if output.name in ("", ".", "..") or output.is_dir():  # Path("") is "."
        raise UsageError(
            f"--output needs a file name, not {str(output)!r}", "e.g. --output findings.csv"
        )
    from copro.core.fileio import write_atomic

    write_atomic(output, text)
    err().print(f"Wrote {what + ' to ' if what else ''}{escape_printable(output)}")


def create_planned(
    planned: Any, create: Callable[[], Any], prompting: bool, dry_run: bool, next_step: str
) -> None:
    """The end of a command that drafts a new file (``revisit``, ``consensus draft``):
    ``planned`` is the draft made with ``dry_run=True`` (a ``Created``). A dry run
    prints it; at a terminal the person is asked; then ``create()`` writes it, its path
    goes to stdout and ``next_step`` (what to do with the draft) and the ``git add``
    line to stderr."""
    relpath = planned.relpath
    if dry_run:
        sys.stdout.write(planned.text)
        err().print(f"[dim](dry run: would write {escape(relpath)})[/dim]")
        return
    if prompting and not typer.confirm(f"Create {relpath}?", default=True, err=True):
        err().print("Nothing was written.")
        raise typer.Exit(1)
    created = create()
    out().print(escape(created.relpath))
    err().print(escape(f"Created {created.relpath}: {next_step}"))
    if created.git_add:
        err().print(f"Stage it with: {escape(created.git_add)}")


def nothing_matched(archive: Any, what: str = "", to_screen: bool = True) -> None:
    """``what`` ("No records matched.") on stderr when ``to_screen``; in a hub that reads
    some of its members not yet, why, so an empty hub is not taken for an empty archive."""
    if what and to_screen:
        err().print(what)
    unread = archive.unread_members()
    if unread:
        print_wrapped("Note: ", unread, style="yellow")


def note_skipped(count: int) -> None:
    """One line on stderr when the reader refused some records (they are left out)."""
    from copro.store.catalog import skipped_note

    note = skipped_note(count)
    if note:
        err().print(f"[yellow]{escape(note)}[/yellow]")


def emit_json(document: Any) -> None:
    """Exactly one JSON document on stdout, nothing else.

    Indented for a person at a terminal; compact when piped, which lets the
    json module use its C encoder (about 4x faster on 25,000 findings).
    """
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")
    sys.stdout.flush()


def emit_json_list(head: dict[str, Any], key: str, items: Iterable[Any]) -> None:
    """Like :func:`emit_json` of ``{**head, key: [*items]}`` (``key`` last), the same
    text, but the list encoded a thousand items at a time when piped: at 50,000
    records the whole document as one string cost hundreds of MiB."""
    if sys.stdout.isatty():
        emit_json({**head, key: list(items)})
        return
    opening = json.dumps({**head, key: []}, ensure_ascii=False)
    assert opening.endswith("[]}")
    sys.stdout.write(opening[:-2])
    first = True
    for chunk in _chunks(items, 1000):
        text = json.dumps(chunk, ensure_ascii=False)[1:-1]
        sys.stdout.write(text if first else ", " + text)
        first = False
    sys.stdout.write("]}\n")
    sys.stdout.flush()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    from itertools import islice

    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


VIEW_FORMATS = ("text", "json")
"""How a command that lists or reports prints: a table or lines for people, or JSON."""


def choice_option(
    choices: Iterable[str],
    help_text: str,
    name: str = "--format",
    default: str | None = None,
    metavar: str = "FORMAT",
) -> Any:
    """A typer option whose allowed values are ``choices`` (a registry's keys).

    An unknown value is a usage error (exit 2) that names the allowed values;
    case does not matter. The help text and shell completion list the same keys,
    so a format added to a registry appears everywhere at once.
    """
    allowed = tuple(choices)

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        lowered = value.lower()
        if lowered not in allowed:
            from copro.core import pii

            raise typer.BadParameter(f"{pii.quoted(value)} is not one of: {', '.join(allowed)}")
        return lowered

    return typer.Option(
        name,
        help=f"{help_text} ({', '.join(allowed)}).",
        callback=check,
        autocompletion=lambda: list(allowed),
        show_default=default is not None,
        metavar=metavar,
    )


YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Write without asking at a terminal.")]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the draft instead of writing it.")
]
"""The options every command that drafts a new file takes (revisit, consensus draft)."""
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON document (same as --format json).")
]
FormatOption = Annotated[str | None, choice_option(VIEW_FORMATS, "Output format")]


def wants_json(json_flag: bool, fmt: str | None) -> bool:
    """``--json`` or ``--format json`` (already checked against VIEW_FORMATS)."""
    return json_flag or fmt == "json"


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on stderr at a terminal; a no-op callback elsewhere."""
    if not enabled or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
