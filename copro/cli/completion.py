"""Shell completion for vocabulary ids (Typer's completion calls these)."""

from __future__ import annotations

from typing import Any

import typer


def _complete(name: str, incomplete: str) -> list[tuple[str, str]]:
    try:
        from copro.core.paths import find_root
        from copro.core.vocab import load_vocabularies

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


def complete_record_ids(incomplete: str) -> list[str]:
    """Record ids of the archive (file names, no file is read)."""
    try:
        from pathlib import Path

        from copro.core.paths import find_root, iter_record_files

        root = find_root(None)
        stems = (Path(f.relpath).stem for f in iter_record_files(root))
        return [s for s in stems if s.startswith(incomplete)]
    except Exception:
        return []


def complete_finding_ids(
    ctx: typer.Context, args: list[str], incomplete: str
) -> list[tuple[str, str]]:
    """Finding ids of the record named earlier on the command line, with their text."""
    try:
        import re

        from copro.core.paths import find_root
        from copro.core.records import as_dicts, load_record

        # While an option is completed, Click leaves the record id unparsed: Typer
        # passes no words either, so look in the words each context kept aside.
        words = list(args)
        context: Any = ctx
        while context is not None:
            words.extend(context.args)
            context = context.parent
        record_id = (ctx.params or {}).get("record_id") or next(
            (a for a in words if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[a-z0-9-]+", a)), None
        )
        if not record_id:
            return []
        record = load_record(find_root(None), record_id)
        findings = as_dicts(record.meta.get("you_said"))
        return [
            (str(f.get("id")), str(f.get("text", ""))[:60])
            for f in findings
            if str(f.get("id")).startswith(incomplete.upper())
        ]
    except Exception:
        return []
