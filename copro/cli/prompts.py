"""Questions at a terminal: free text, one of a few choices, vocabulary terms.

Shared by every command that prompts (``new``, ``add``): the same numbered
choices, the same re-asking until an answer is valid. A list of terms fits the
screen, so its question never scrolls it away: one term a line when they fit,
else in columns (labels only), else none shown and the answer filters them.
"""

from collections.abc import Callable
from typing import Any

import typer

from copro.cli.output import err, escape, print_wrapped
from copro.core import pii
from copro.core.errors import CoproError, UsageError


class AskAgain(Exception):
    """Raised by a check that has shown something instead (a list): ask again, no error."""


def ask(question: str, check: Callable[[str], Any], default: str | None = None) -> Any:
    """Ask until ``check`` accepts the answer; its usage errors are shown, not raised."""
    while True:
        answer = typer.prompt(question, default=default, err=True)
        try:
            return check(answer)
        except AskAgain:
            continue
        except CoproError as exc:
            print_wrapped("", exc.message, style="red")
            if exc.hint:
                print_wrapped("hint: ", exc.hint, style="dim")


def choose_one(label: str, choices: tuple[str, ...], default: str | None = None) -> str:
    """Numbered choices; the answer is a number or the choice itself."""
    for number, choice in enumerate(choices, start=1):
        err().print(f"  {number:>2}. {choice}")

    def check(answer: str) -> str:
        from copro.core.values import ValueProblem, parse_choice

        answer = answer.strip()
        if answer.isdigit() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1]
        try:
            return parse_choice(answer, choices, "choice")  # words too: "in progress"
        except ValueProblem:
            raise UsageError(
                f"{pii.quoted(answer)} is not one of the choices", "type a number or a name"
            ) from None

    return ask(label, check, default)


def choose_terms(label: str, vocab: Any, name: str, required: bool = True) -> list[str]:
    """Numbered vocabulary terms; answers are numbers, ids, labels or synonyms, comma-separated.

    An answer that is part of a name (``lond``) lists the terms it matches, with
    their numbers, and ``?`` lists them all; either way the question is asked again.
    """
    from copro.core.vocab import resolve_term

    terms = list(vocab[name].terms.values())
    numbered = list(enumerate(terms, start=1))
    if not _show_terms(numbered, fit=True, digits=len(str(len(terms)))):
        print_wrapped(
            "",
            f"{len(terms)} {name}: type a number or a name, or part of a name to list the "
            f"{name} it matches; ? lists them all.",
            style="dim",
        )

    def check(answer: str) -> list[str]:
        if answer.strip() == "?":
            _show_terms(numbered, fit=False, digits=len(str(len(terms))))
            raise AskAgain
        chosen: list[str] = []
        for part in (p.strip() for p in answer.split(",")):
            if not part:
                continue
            if part.isdigit() and 1 <= int(part) <= len(terms):
                term_id = terms[int(part) - 1].id
            else:
                term_id = _resolve_or_filter(vocab, name, part, label, numbered, resolve_term)
            if term_id not in chosen:
                chosen.append(term_id)
        if not chosen and required:
            raise UsageError("choose at least one", "numbers or names, separated by commas")
        return chosen

    question = f"{label} (numbers or names, comma-separated"
    question += ")" if required else "; Enter for none)"
    return ask(question, check, None if required else "")


def _resolve_or_filter(
    vocab: Any, name: str, part: str, label: str, numbered: list[tuple[int, Any]], resolve: Any
) -> str:
    """The term ``part`` names; when it names none but is part of some, those are listed."""
    try:
        return str(resolve(vocab, name, part, label.lower()))
    except UsageError:
        matching = _matching(vocab[name], part, numbered)
        if not matching:
            raise
    _show_terms(matching, fit=False, digits=len(str(len(numbered))))
    raise AskAgain


def _matching(vocabulary: Any, part: str, numbered: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """The numbered terms whose id, label or a synonym contains ``part`` (case ignored)."""
    from copro.core.vocab import normalise

    wanted = normalise(part)
    if len(wanted) < 2:
        return []
    hit = {term_id for phrase, term_id in vocabulary.phrases().items() if wanted in phrase}
    hit |= {term.id for _, term in numbered if wanted in term.id}
    return [(number, term) for number, term in numbered if term.id in hit]


def _show_terms(numbered: list[tuple[int, Any]], fit: bool, digits: int) -> bool:
    """Print the numbered terms: one a line (``label (id)``, wrapped under the label) when
    they fit the screen, else labels in columns, else (with ``fit``) in two columns with
    long labels shortened. With ``fit``, print nothing and say False when not even those
    fit (the question would scroll them away)."""
    from copro.cli.wrap import height

    room = height() - 2  # the question, and one line above it
    console = err()
    one_a_line = [
        line for number, term in numbered for line in _one_a_line(number, term, digits, console)
    ]
    if len(one_a_line) <= room:
        for line in one_a_line:
            console.print(line, soft_wrap=True)
        return True
    entries = [f"{number:>{digits}}. {term.label}" for number, term in numbered]
    in_columns = columns_of(entries, console.width)
    if fit and len(in_columns) > room:
        in_columns = _two_shortened_columns(entries, console.width)
        if len(in_columns) > room:
            return False
    for line in in_columns:
        console.print(line, markup=False, soft_wrap=True)
    return True


def _two_shortened_columns(entries: list[str], columns: int) -> list[str]:
    """``entries`` in two columns, each entry cut to its half of the width with ``…``."""
    half = max((columns - 2 - 2) // 2, 10)
    cut = [entry if len(entry) <= half else entry[: half - 1].rstrip() + "…" for entry in entries]
    lines = columns_of(cut, columns, most=2)
    if cut != entries:
        lines.append("  (a label cut short with … is listed whole by ?)")
    return lines


def _one_a_line(number: int, term: Any, digits: int, console: Any) -> list[str]:
    """``  12. Label (id)`` as markup lines, wrapped under the label, the id dimmed."""
    from copro.cli.wrap import wrap

    lead = f"  {number:>{digits}}. "
    lines = wrap(f"{term.label} ({term.id})", lead, " " * len(lead), console.width)
    shown = [escape(line) for line in lines]
    tail = escape(f"({term.id})")
    if shown[-1].endswith(tail):
        shown[-1] = shown[-1][: -len(tail)] + f"[dim]{tail}[/dim]"
    return shown


def columns_of(
    entries: list[str], columns: int, indent: int = 2, gap: int = 2, most: int = 0
) -> list[str]:
    """``entries`` in as few lines as fit ``columns`` (in at ``most`` columns when given),
    read down then across (as ``ls`` lays out names): each column as wide as its widest."""
    for across in range(min(len(entries), most or len(entries)), 0, -1):
        down = -(-len(entries) // across)
        stacks = [entries[start : start + down] for start in range(0, len(entries), down)]
        widths = [max(map(len, stack)) for stack in stacks]
        if indent + sum(widths) + gap * (len(stacks) - 1) <= columns or across == 1:
            break
    lines = []
    for row in range(down):
        cells = [
            stack[row].ljust(widths[at]) if at < len(stacks) - 1 else stack[row]
            for at, stack in enumerate(stacks)
            if row < len(stack)
        ]
        lines.append((" " * indent + (" " * gap).join(cells)).rstrip())
    return lines
