"""The shipped JSON Schema and copro agree: the reference validator sees what copro sees.

copro checks records with jsonschema-rs for speed; this test runs the pure-Python
reference implementation (``jsonschema``, Draft 2020-12 with formats) on every
fixture and demands the same verdict at the same places.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from test_validate_cli import RULES

from conftest import SAMPLE_ARCHIVE, VALID_RECORD
from copro.core.records import read_record
from copro.core.schema import load_schema, schema_errors, schema_path


def fixtures() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted(SAMPLE_ARCHIVE.rglob("*.md")):
        record = read_record(path, path.name).record
        assert record is not None
        docs.append((path.name, record.meta))
    base = VALID_RECORD.format(id="2024-03-rules")
    tmp = Path(__file__).parent / "_tmp_schema_fixture.md"
    try:
        for index, (old, new, _code, _line) in enumerate(RULES):
            tmp.write_text(base.replace(old, new, 1), encoding="utf-8")
            record = read_record(tmp, tmp.name).record
            if record is not None:
                docs.append((f"rule-{index}", record.meta))
    finally:
        tmp.unlink(missing_ok=True)
    extra = [
        {"id": "x"},
        {},
        {"consent": {"quotes": True, "recontact": True, "recontact_via": "Team"}},
        {"we_did": [{"id": "D1", "responds_to": ["S1"], "status": "done", "text": "t"}]},
        {"contributors": [{"role": "r", "credit": "anonymous", "name": "n"}]},
        {"date": "2023-02-30"},
        {"links": [{"title": "t", "url": "ftp://x"}]},
    ]
    docs.extend((f"extra-{i}", doc) for i, doc in enumerate(extra))
    return docs


def reference_error_paths(meta: dict) -> set[tuple]:
    validator = jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return {tuple(e.absolute_path) for e in validator.iter_errors(meta)}


def test_schema_file_is_valid_draft_2020_12():
    schema = json.loads(schema_path().read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name,meta", fixtures(), ids=lambda v: v if isinstance(v, str) else "")
def test_copro_and_the_reference_validator_agree(name, meta):
    ours = {path for path, _code, _message in schema_errors(meta)}
    # copro reports an unknown field at the field itself; the reference at its parent.
    ours_at_parent = {
        p[:-1] if code == "schema-unknown-field" else p for p, code, _m in schema_errors(meta)
    }
    theirs = reference_error_paths(meta)
    assert bool(ours) == bool(theirs), (name, ours, theirs)
    assert (
        ours_at_parent == theirs
        or {p[:-1] if p and p[-1] == "name" else p for p in ours_at_parent} == theirs
    ), (name, ours, theirs)
