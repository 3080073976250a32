"""The shipped JSON Schema (Draft 2020-12), checked with jsonschema-rs.

jsonschema-rs checks 10,000 records in about 0.1 s where the pure-Python
``jsonschema`` package takes 25 s, which keeps the pull-request gate fast.
Its messages repeat values (which could be personal data), so each error is
turned into copro's own wording from the schema itself, at the file line of
the field.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

from copro.core.paths import shipped_schemas_dir
from copro.core.pii import safe_echo
from copro.core.yamlstrict import describe_path

SCHEMA_FILE = "engagement.schema.json"
CONSENSUS_SCHEMA_FILE = "consensus.schema.json"
"""Consensus statements (contract section 8) ship their own schema beside the records'."""

# Why a conditional field is required, in words for the person fixing the record.
_WHY_REQUIRED = {
    ("we_did", "date"): "an action that is `done` needs the date it was done",
    ("we_did", "reason"): "an action marked `not-doing` needs a reason, so people hear why",
    ("contributors", "name"): "a contributor credited as `named` needs their name",
    ("consent", "recontact_via"): (
        "`recontact: true` needs an organisational route (a team, never a person's details)"
    ),
}
_PATTERN_WORDS = {
    "id": "must look like YYYY-MM-short-name (lower case, digits and hyphens, at most 80)",
    "url": "must be an http:// or https:// address",
}


def schema_path(name: str = SCHEMA_FILE) -> Path:
    return shipped_schemas_dir() / name


@functools.cache
def load_schema(name: str = SCHEMA_FILE) -> dict[str, Any]:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


@functools.cache
def validator(name: str = SCHEMA_FILE) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(load_schema(name), validate_formats=True)


def top_level_fields() -> list[str]:
    return list(load_schema()["properties"])


def schema_errors(
    meta: dict[str, Any], name: str = SCHEMA_FILE
) -> list[tuple[tuple[str | int, ...], str, str]]:
    """``(path, code, message)`` for every schema error in ``meta``, deduplicated.

    ``name`` is the schema file: records by default, ``CONSENSUS_SCHEMA_FILE``
    for consensus statements.
    """
    out: list[tuple[tuple[str | int, ...], str, str]] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for error in validator(name).iter_errors(meta):
        path = tuple(error.instance_path)
        for item in _describe(error, path, name):
            if (item[0], item[2]) not in seen:
                seen.add((item[0], item[2]))
                out.append(item)
    return out


def _subschema(schema_path: list[str | int], name: str = SCHEMA_FILE) -> dict[str, Any]:
    node: Any = load_schema(name)
    for part in schema_path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, dict) else {}


def _describe(
    error: Any, path: tuple[str | int, ...], name: str = SCHEMA_FILE
) -> list[tuple[tuple, str, str]]:
    kind = type(error.kind).__name__
    where = describe_path(path)
    spath = list(error.schema_path)
    if name == CONSENSUS_SCHEMA_FILE:
        special = _consensus_code(kind, error, path)
        if special is not None:
            return [special]
    if kind == "AdditionalProperties":
        allowed = list(_subschema(spath[:-1], name).get("properties", {}))
        out = []
        for key in error.kind.unexpected:
            guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean `{guess[0]}`?" if guess else f"; allowed: {', '.join(allowed)}"
            echoed = safe_echo(key)
            what = f"unknown field `{echoed}`" if echoed else "an unknown field (name not shown)"
            out.append((path + (key,), "schema-unknown-field", f"{what} in {where}{hint}"))
        return out
    if kind == "Required":
        prop = error.kind.property
        parent = next((p for p in reversed(path) if isinstance(p, str)), "")
        why = _WHY_REQUIRED.get((parent, prop))
        message = (
            f"missing required field `{prop}`"
            + (f" in {where}" if path else "")
            + (f": {why}" if why else "")
        )
        return [(path, "schema-required", message)]
    if kind == "Not" and "contributors" in path:
        return [
            (
                path + ("name",),
                "schema-anonymous-named",
                f"{where} is credited as `anonymous` but has a `name`: remove the name "
                "(only people who agreed to be credited are named)",
            )
        ]
    code = "revisit-outcome" if _is_revisit(path, "outcome") else "schema-invalid"
    return [(path, code, f"`{where}` {_rule_words(kind, error, spath, path, name)}")]


def _consensus_code(kind: str, error: Any, path: tuple) -> tuple[tuple, str, str] | None:
    """The stable section-8 codes for the two statement rules the schema itself states."""
    if kind == "MinItems" and path == ("evidence",):
        return (
            path,
            "consensus-too-little",
            "a consensus statement rests on at least 2 findings; add the findings it rests on "
            "(`finding: <record-id>#S<n>`)",
        )
    if kind == "Required" and not path and error.kind.property == "confidence":
        return (
            ("status",),
            "consensus-confidence-missing",
            "an `agreed` statement needs its `confidence` (GRADE-CERQual): record it with "
            "`copro consensus agree`, or keep `status: draft`",
        )
    return None


def _is_revisit(path: tuple[str | int, ...], field: str) -> bool:
    """Whether ``path`` is ``you_said[i].revisits[j].<field>``."""
    return len(path) == 5 and path[0] == "you_said" and path[2] == "revisits" and path[4] == field


def _rule_words(
    kind: str, error: Any, spath: list[str | int], path: tuple, name: str = SCHEMA_FILE
) -> str:
    sub = _subschema(spath[:-1], name)
    if kind == "Enum":
        return "must be one of: " + ", ".join(str(o) for o in sub.get("enum", []))
    if kind == "Type":
        wanted = sub.get("type", "another type")
        words = {
            "string": "text",
            "array": "a list",
            "object": "a mapping of fields",
            "integer": "a whole number",
            "boolean": "true or false",
        }
        return f"must be {words.get(wanted, wanted)}"
    if kind in ("Format", "Pattern"):
        last = next((p for p in reversed(path) if isinstance(p, str)), "")
        if sub.get("format") == "date" or "date" in last or last == "review_by":
            return "must be a real date written YYYY-MM-DD"
        if last == "id" and path[0] == "you_said":
            return "must be S followed by a number (S1, S2, ...)"
        if last == "id" and path[0] == "we_did":
            return "must be D followed by a number (D1, D2, ...)"
        if _is_revisit(path, "finding") or (path[0] == "evidence" and last == "finding"):
            return "must name an earlier finding as <record-id>#S<n> (2019-03-short-name#S2)"
        if last == "responds_to":
            return "must name findings by id (S1, S2, ...)"
        if last in ("supersedes", "related"):
            return _PATTERN_WORDS["id"]
        if last in _PATTERN_WORDS:
            return _PATTERN_WORDS[last]
        return "must be a kebab-case id (lower-case words joined by hyphens)"
    if kind == "MinItems":
        return "needs at least one entry"
    if kind == "MinLength":
        return "must not be empty"
    if kind == "MaxLength":
        return f"is too long (at most {sub.get('maxLength')} characters)"
    if kind == "Minimum":
        return "must be 0 or more"
    return "breaks a rule of the schema"
