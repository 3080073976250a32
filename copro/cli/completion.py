"""Shell completion for vocabulary ids (Typer's completion calls these)."""

from __future__ import annotations


def _complete(name: str, incomplete: str) -> list[tuple[str, str]]:
    try:
        from copro.archive import find_root
        from copro.vocab import load_vocabularies

        try:
            root = find_root(None)
        except Exception:
            root = None
        vocab, _ = load_vocabularies(root)
        terms = vocab[name].terms.values()
        return [(t.id, t.label) for t in terms if t.id.startswith(incomplete)]
    except Exception:  # completion must never print a traceback into the shell
        return []


def complete_topics(incomplete: str) -> list[tuple[str, str]]:
    return _complete("topics", incomplete)


def complete_populations(incomplete: str) -> list[tuple[str, str]]:
    return _complete("populations", incomplete)


def complete_places(incomplete: str) -> list[tuple[str, str]]:
    return _complete("places", incomplete)


def complete_methods(incomplete: str) -> list[tuple[str, str]]:
    return _complete("methods", incomplete)
