"""A report across engagements is titled and opened in English, whatever was selected.

A new user's trial of ``copro report --topic carers-support --place leeds --since
2024-01-01`` read "You said, we did: Support for carers, Leeds, 1 January 2024 to
today" and "What people told us on support for carers, Leeds and 1 January 2024 to
today, from 1 engagement, oldest first". Every combination the selection allows
(topics, populations, places, since, until; one term or several) is reported here by
the CLI end to end on the sample archive, and its title and opening read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CASES = [
    (
        ["--topic", "carers-support", "--place", "leeds", "--since", "2024-01-01"],
        "Support for carers in Leeds, since 1 January 2024",
        "What people in Leeds told us on support for carers since 1 January 2024,"
        " in one engagement.",
    ),
    (
        ["--topic", "parenting"],
        "Parenting",
        "What people told us on parenting, in 2 engagements, oldest first.",
    ),
    (
        ["--topic", "parenting", "--topic", "mental-health"],
        "Parenting and mental health",
        "What people told us on parenting and mental health, in 5 engagements, oldest first.",
    ),
    (
        ["--population", "mothers"],
        "Mothers",
        "What mothers told us, in 2 engagements, oldest first.",
    ),
    (
        ["--population", "carers", "--topic", "carers-support"],
        "Unpaid carers on support for carers",
        "What unpaid carers told us on support for carers, in 2 engagements, oldest first.",
    ),
    (
        ["--population", "carers", "--place", "leeds"],
        "Unpaid carers in Leeds",
        "What unpaid carers in Leeds told us, in one engagement.",
    ),
    (
        ["--place", "camden"],
        "Camden",
        "What people in Camden told us, in 3 engagements, oldest first.",
    ),
    (
        ["--place", "leeds", "--since", "2018-01-01"],
        "Leeds, since 1 January 2018",
        "What people in Leeds told us since 1 January 2018, in one engagement.",
    ),
    (
        ["--since", "2024-01-01"],
        "Since 1 January 2024",
        "What people told us since 1 January 2024, in 3 engagements, oldest first.",
    ),
    (
        ["--until", "2020-12-31"],
        "Up to 31 December 2020",
        "What people told us up to 31 December 2020, in 4 engagements, oldest first.",
    ),
    (
        ["--since", "2019-01-01", "--until", "2019-12-31"],
        "From 1 January to 31 December 2019",
        "What people told us from 1 January to 31 December 2019, in 2 engagements, oldest first.",
    ),
    (
        ["--since", "2019-03-09", "--until", "2019-03-09"],
        "On 9 March 2019",
        "What people told us on 9 March 2019, in one engagement.",
    ),
    (
        ["--topic", "parenting", "--since", "2019-01-01"],
        "Parenting, since 1 January 2019",
        "What people told us on parenting since 1 January 2019, in 2 engagements, oldest first.",
    ),
    (
        ["--topic", "parenting", "--population", "somali-women", "--population", "mothers"]
        + ["--place", "islington", "--since", "2019-01-01", "--until", "2024-12-31"],
        "Somali women and mothers in Islington on parenting, from 1 January 2019 to"
        " 31 December 2024",
        "What Somali women and mothers in Islington told us on parenting from 1 January 2019"
        " to 31 December 2024, in 2 engagements, oldest first.",
    ),
]


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("options", "title", "opening"), CASES, ids=["_".join(case[0]) for case in CASES]
)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_title_and_opening_read_as_english(
    sample_root: Path, cli, options: list[str], title: str, opening: str, fmt: str
) -> None:
    result = cli("--root", str(sample_root), "report", *options, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    text = one_line(result.stdout)
    if fmt == "md":
        assert text.startswith(f"# You said, we did: {title} {opening}")
    else:
        assert f"<title>You said, we did: {title}</title>" in text
        assert f"<h1>You said, we did: {title}</h1> <p>{opening}" in text
    assert "today" not in text and "the start" not in text
    assert "1 engagement" not in text


def test_a_long_title_wraps_at_80_columns_without_splitting_a_date(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    options = CASES[-1][0]
    lines = cli("--root", str(sample_root), "report", *options).stdout.splitlines()
    assert lines[:3] == [
        "You said, we did: Somali women and mothers in Islington on parenting, from",
        "1 January 2019 to 31 December 2024",
        "=" * 74,
    ]
    assert max(len(line) for line in lines) <= 80
