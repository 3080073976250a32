"""Ids people can type, and the organisation set once in copro.yml."""

from __future__ import annotations

import pytest

from conftest import NEW_OPTIONS
from copro.write.newrecord import make_id

WITHOUT_LEAD = [
    value
    for index, value in enumerate(NEW_OPTIONS)
    if value not in ("--lead", "--lead-sector")
    and NEW_OPTIONS[index - 1] not in ("--lead", "--lead-sector")
]


@pytest.mark.parametrize(
    ("title", "made"),
    [
        ("Evening drop-in for carers", "2026-12-evening-drop-in-for-carers"),
        (
            "Does it still hold? Somali mothers on parenting and access to children's centres",
            "2026-12-somali-mothers-on-parenting-and",
        ),
        ("Parenting", "2026-12-parenting"),
        ("Über-große Ärztehäuser", "2026-12-uber-grosse-arztehauser"),
        ("!!!", "2026-12-engagement"),
        ("a" * 60, "2026-12-" + "a" * 32),
    ],
)
def test_made_ids_are_short(title, made):
    assert make_id("2026-12-01", title) == made
    assert len(made) <= 40


def test_a_made_id_that_exists_gets_a_number_within_40_characters():
    taken = {"2026-12-somali-mothers-on-parenting-and"}
    made = make_id("2026-12-01", "Somali mothers on parenting and schools", taken.__contains__)
    assert made == "2026-12-somali-mothers-on-parenting-2"
    assert len(made) <= 40


def test_new_adds_a_number_instead_of_refusing_a_made_id(empty_root, cli):
    first = cli(
        "--root", str(empty_root), "new", "--title", "Carers drop-in", *NEW_OPTIONS, "--yes"
    )
    second = cli(
        "--root", str(empty_root), "new", "--title", "Carers drop-in", *NEW_OPTIONS, "--yes"
    )
    assert first.exit_code == 0 and second.exit_code == 0, second.stderr
    assert first.stdout.strip() == "archive/2026/2026-12-carers-drop-in.md"
    assert second.stdout.strip() == "archive/2026/2026-12-carers-drop-in-2.md"
    explicit = cli("--root", str(empty_root), "new", "--title", "Carers drop-in", *NEW_OPTIONS,
                   "--id", "2026-12-carers-drop-in", "--yes")  # fmt: skip
    assert explicit.exit_code == 1  # --id never gets a number: it exists


def test_new_takes_the_lead_from_the_settings(empty_root, cli):
    (empty_root / "copro.yml").write_text(
        "organisation:\n  name: Leeds Carers Together\n  sector: voluntary\n"
    )
    result = cli("--root", str(empty_root), "new", "--title", "Drop-in", *WITHOUT_LEAD, "--yes")
    assert result.exit_code == 0, result.stderr
    text = (empty_root / result.stdout.strip()).read_text()
    assert "- name: Leeds Carers Together\n    sector: voluntary\n    role: lead" in text
    other = cli("--root", str(empty_root), "new", "--title", "Other", *WITHOUT_LEAD,
                "--lead", "Leeds City Council", "--yes")  # fmt: skip
    assert other.exit_code == 2 and "--lead-sector" in other.stderr  # another lead, no sector


def test_without_settings_the_lead_is_still_required(empty_root, cli):
    result = cli("--root", str(empty_root), "new", "--title", "Drop-in", *WITHOUT_LEAD, "--yes")
    assert result.exit_code == 2
    assert "--lead" in result.stderr


@pytest.mark.parametrize("date", ["1/12/2026", "1 December 2026", "2026-12-01"])
def test_new_reads_dates_as_people_write_them(empty_root, cli, date):
    options = list(NEW_OPTIONS)
    options[options.index("--date") + 1] = date
    result = cli("--root", str(empty_root), "new", "--title", "Drop-in", *options, "--yes")
    assert result.exit_code == 0, result.stderr
    assert "date: 2026-12-01" in (empty_root / result.stdout.strip()).read_text()
