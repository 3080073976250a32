"""Usage errors from the option parser speak in copro's voice, like every other error."""

from __future__ import annotations

import pytest

RECORD = "2019-03-somali-mothers-parenting"


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ("report", RECORD, "--format", "pdf"),
            "copro: error: invalid value for --format: 'pdf' is not one of",
            "hint: see `copro report --help`",
        ),
        (("bogus",), "copro: error: no such command 'bogus'", "hint: see `copro --help`"),
        (
            ("search", "--limit", "x", "parenting"),
            "copro: error: invalid value for --limit: 'x' is not a valid int",
            "hint: see `copro search --help`",
        ),
        (
            ("validate", "--no-such-option"),
            "copro: error: no such option: --no-such-option",
            "hint: see `copro validate --help`",
        ),
    ],
    ids=["bad-choice", "unknown-command", "bad-int", "unknown-option"],
)
def test_parser_errors_in_copros_voice(sample_root, cli, args, message, hint):
    result = cli("--root", str(sample_root), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert hint in result.stderr
    assert "Usage:" not in result.stderr and "Error:" not in result.stderr
    assert result.stdout == ""


def test_markdown_is_an_alias_of_md(sample_root, cli):
    md = cli("--root", str(sample_root), "report", RECORD, "--format", "md")
    markdown = cli("--root", str(sample_root), "report", RECORD, "--format", "markdown")
    assert markdown.exit_code == 0, markdown.stderr
    assert markdown.stdout == md.stdout and markdown.stdout.startswith("# ")


def test_copro_alone_still_shows_the_help(cli):
    result = cli()
    assert "Usage: copro" in result.stdout + result.stderr
