"""One --format/--json option layer: every command checks --format against its registry."""

from __future__ import annotations

import json

import pytest

from copro.views.export import EXPORTERS
from copro.views.report_render import RENDERERS


@pytest.mark.parametrize(
    ("command", "allowed"),
    [
        (["stats"], "text, json"),
        (["review"], "text, json"),
        (["search", "parenting"], "text, json"),
        (["validate"], "text, json, github"),
        (["export"], ", ".join(EXPORTERS)),
        (["report", "2019-03-somali-mothers-parenting"], ", ".join(RENDERERS)),
    ],
)
def test_an_unknown_format_is_a_usage_error_naming_the_allowed_values(
    sample_root, cli, command, allowed
):
    result = cli("--root", str(sample_root), *command, "--format", "yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'yaml' is not one of" in " ".join(result.stderr.split())
    assert allowed in " ".join(result.stderr.split())


def test_format_is_not_case_sensitive_and_json_means_one_document(sample_root, cli):
    result = cli("--root", str(sample_root), "stats", "--format", "JSON")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["records"] > 0


def test_no_silent_fallback_to_markdown_in_the_library():
    from copro.core.errors import UsageError
    from copro.views.report import Report
    from copro.views.report_render import render

    with pytest.raises(UsageError):
        render(Report("t", "s", False, "2026-01-01", []), "pdf")


@pytest.mark.parametrize("count", [0, 1, 1000, 2501])
def test_a_long_json_list_is_written_in_pieces_as_the_same_text(capsys, count):
    """``findings --json`` streams its list; what comes out is what one dump would give."""
    from copro.cli.output import emit_json_list

    items = [{"id": f"S{n}", "text": 'Ünïcode, "quoted"\n'} for n in range(count)]
    emit_json_list({"total": count}, "findings", iter(items))
    written = capsys.readouterr().out
    assert written == json.dumps({"total": count, "findings": items}, ensure_ascii=False) + "\n"


def test_findings_json_is_one_document_with_every_finding(sample_root, cli):
    result = cli("--root", str(sample_root), "findings", "--json")
    document = json.loads(result.stdout)
    assert document["total"] == len(document["findings"]) > 0
    assert list(document) == ["total", "findings"]


def test_a_large_text_is_written_whole_a_megabyte_at_a_time(tmp_path):
    """Outputs are encoded in pieces (no second copy of a large export); the bytes are
    those of the whole text, characters of every width across the cuts."""
    from copro.core.fileio import replace_atomic

    text = ("ab\u00e9\u4e2d\U0001f600," * 400_000)[: (1 << 20) * 2 + 7]
    assert len(text) > 2 << 20
    target = tmp_path / "out.csv"
    replace_atomic(target, text)
    assert target.read_bytes() == text.encode("utf-8")
    replace_atomic(target, b"\x00bytes as given")
    assert target.read_bytes() == b"\x00bytes as given"
