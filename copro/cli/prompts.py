"""Questions at a terminal: free text, one of a few choices, vocabulary terms.

Shared by every command that prompts (``new``, ``add``): the same numbered
choices, the same re-asking until an answer is valid.
"""

from collections.abc import Callable
from typing import Any

import typer

from copro.cli.output import err, escape, print_wrapped
from copro.core import pii
from copro.core.errors import CoproError, UsageError


def ask(question: str, check: Callable[[str], Any], default: str | None = None) -> Any:
    """Ask until ``check`` accepts the answer; its usage errors are shown, not raised."""
    while True:
        answer = typer.prompt(question, default=default, err=True)
        try:
            return check(answer)
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
    """Numbered vocabulary terms; answers are numbers, ids, labels or synonyms, comma-separated."""
    from copro.core.vocab import resolve_term

    terms = list(vocab[name].terms.values())
    for number, term in enumerate(terms, start=1):
        err().print(f"  {number:>2}. {escape(term.label)} [dim]({escape(term.id)})[/dim]")

    def check(answer: str) -> list[str]:
        chosen: list[str] = []
        for part in (p.strip() for p in answer.split(",")):
            if not part:
                continue
            if part.isdigit() and 1 <= int(part) <= len(terms):
                term_id = terms[int(part) - 1].id
            else:
                term_id = resolve_term(vocab, name, part, label.lower())
            if term_id not in chosen:
                chosen.append(term_id)
        if not chosen and required:
            raise UsageError("choose at least one", "numbers or names, separated by commas")
        return chosen

    question = f"{label} (numbers or names, comma-separated"
    question += ")" if required else "; Enter for none)"
    return ask(question, check, None if required else "")
