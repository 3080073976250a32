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
