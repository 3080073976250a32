"""``copro vocab add`` and ``copro vocab list``: the archive's vocabulary terms."""

from typing import Annotated

import typer

from copro.cli.app import archive_of, command_group
from copro.cli.output import (
    FormatOption,
    JsonFlag,
    emit_json,
    err,
    escape,
    handle_errors,
    out,
    wants_json,
)

vocab_app = command_group(
    "vocab",
    "The archive's vocabularies: list their terms, add a term.",
)

Kind = Annotated[
    str,
    typer.Argument(
        metavar="KIND", help="topics, populations, places or methods.", show_default=False
    ),
]


@vocab_app.command("add")
@handle_errors
def add_command(
    ctx: typer.Context,
    kind: Kind,
    label: Annotated[str, typer.Option("--label", help="The term as people say it.")],
    synonym: Annotated[
        list[str] | None,
        typer.Option("--synonym", help="Other words people use for it (repeatable)."),
    ] = None,
    broader: Annotated[
        str | None, typer.Option("--broader", help="The wider term it belongs under (id or label).")
    ] = None,
    in_sentence: Annotated[
        str | None,
        typer.Option("--in-sentence", help="How it reads inside a sentence, e.g. 'a focus group'."),
    ] = None,
    term_id: Annotated[
        str | None,
        typer.Option("--id", help="The term's id (default: made from the label, kebab-case)."),
    ] = None,
    json_flag: JsonFlag = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check it; write nothing.")] = False,
) -> None:
    """Add a term to a vocabulary; prints its new id."""
    from copro.write.hub_guard import refuse_hub_root
    from copro.write.vocab_terms import add_term

    root = archive_of(ctx).root
    refuse_hub_root(root, "vocab add")
    result = add_term(
        root, kind, label, list(synonym or []), broader, in_sentence, term_id, dry_run
    )
    if json_flag:
        emit_json(result.to_json())
        return
    out().print(escape(result.term.id))
    if result.copied:
        err().print(
            "Copied the shipped vocabularies into schemas/vocab/: the archive now keeps its own."
        )
    verb = "Added" if result.written else "Checked (nothing written)"
    err().print(
        f"{verb} {escape(result.term.id)} to {escape(result.relpath)}; "
        "commit it with the record that uses it."
    )


@vocab_app.command("list")
@handle_errors
def list_command(
    ctx: typer.Context, kind: Kind, json_flag: JsonFlag = False, fmt: FormatOption = None
) -> None:
    """Every term of a vocabulary: narrower terms under their broader one."""
    from copro.write.vocab_terms import check_kind, list_terms

    check_kind(kind)
    vocabulary = archive_of(ctx).vocab[kind]
    if wants_json(json_flag, fmt):
        emit_json({"vocabulary": kind, "terms": list_terms(vocabulary)})
        return
    from copro.cli.wrap import hanging

    children: dict[str | None, list[str]] = {}
    for term in vocabulary.terms.values():
        parent = term.broader if term.broader in vocabulary.terms else None
        children.setdefault(parent, []).append(term.id)

    def walk(parent: str | None, depth: int, seen: set[str]) -> None:
        for term_id in children.get(parent, []):
            if term_id in seen:
                continue
            seen.add(term_id)
            term = vocabulary.terms[term_id]
            also = f" (also: {', '.join(term.synonyms)})" if term.synonyms else ""
            hanging(f"{term.label} [{term.id}]{also}", "  " * depth, "  " * depth + "    ")
            walk(term_id, depth + 1, seen)

    walk(None, 0, set())
    err().print(f"{len(vocabulary.terms)} term(s); add one with: copro vocab add {kind} --label L")
