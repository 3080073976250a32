"""``copro stats`` at an ordinary terminal: compact, in labels, its lists unambiguous.

A new user's trial at 80 columns read some 290 lines: every topic's row listed each
group never heard on it on lines of its own ("Mothers: never heard on this topic (3
records elsewhere)", the same groups on nearly every row); sectors, rungs and
statuses showed as ids (``local-authority``), rungs in alphabetical order; and
lists joined by commas whose labels hold commas ("Black, Asian and minority ethnic
communities") did not say where one group ended. ``--json`` stays as the contract
gives it (ids, every group).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import VALID_RECORD, write_record


def stats(root: Path, columns: int, *args: str) -> str:
    env = dict(os.environ, COLUMNS=str(columns), TERM="xterm")
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), "stats", *args],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return done.stdout


@pytest.mark.parametrize("columns", [80, 120])
def test_stats_fits_the_terminal_and_says_each_topic_once(sample_root: Path, columns: int) -> None:
    lines = stats(sample_root, columns).splitlines()
    assert max(len(line) for line in lines) <= columns
    assert len(lines) < {80: 110, 120: 75}[columns]  # was some 290 lines at 80
    text = "\n".join(lines)
    assert "never heard on this topic" not in text
    assert "record(s)" not in text and "finding(s)" not in text
    assert " ".join(text.split()).startswith("15 records, 36 findings, 67% with a response;")


def row(text: str, first: str) -> list[str]:
    """The cells of the table row that starts with ``first`` (at a width where none wraps)."""
    line = next(line for line in text.splitlines() if line.startswith(f" {first}  "))
    return [cell.strip() for cell in line.split("   ") if cell.strip()]


def test_each_topic_is_one_row_naming_who_was_never_heard_on_it(sample_root: Path) -> None:
    text = stats(sample_root, 400)
    assert row(text, "Benefits") == [
        "Benefits",
        "People experiencing homelessness (1)",
        "Mothers (3); People who use mental health services (3); GP patients (2); and 15 more",
    ]
    assert row(text, "Parenting")[1] == "Mothers; Somali women (2 each)"


def test_stats_shows_labels_in_the_vocabularys_order(sample_root: Path) -> None:
    text = stats(sample_root, 120)
    for value in ("local-authority", "voluntary ", "nhs ", "co-design", "co-production "):
        assert value not in text, value
    for label in ("Local authority", "Voluntary sector", "NHS", "Community group", "Completed"):
        assert label in text, label
    rungs = ["Educating", "Informing", "Consultation", "Engagement", "Co-design", "Co-production"]
    lines = text.splitlines()
    rows = [next(i for i, line in enumerate(lines) if f" {rung} " in line) for rung in rungs]
    assert rows == sorted(rows), "rungs go up the ladder, not in alphabetical order"
    statuses = [
        next(i for i, line in enumerate(lines) if f" {s} " in line)
        for s in ("Planned", "Active", "Completed")
    ]
    assert statuses == sorted(statuses)


def test_lists_of_labels_holding_commas_say_where_each_ends(sample_root: Path) -> None:
    text = stats(sample_root, 400)
    assert row(text, "Crisis care")[1] == (
        "Black, Asian and minority ethnic communities; People who use mental health services"
        " (1 each)"
    )
    flat = " ".join(stats(sample_root, 80).split())
    assert "Fathers; Gypsy, Roma and Traveller communities; Health and care staff" in flat


def test_the_json_keeps_ids_and_every_group(sample_root: Path) -> None:
    document = json.loads(stats(sample_root, 80, "--json"))
    assert document["by_sector"]["local-authority"] == 5
    assert document["by_ladder"] == {
        "co-design": 3, "co-production": 2, "consultation": 4, "educating": 1,
        "engagement": 3, "informing": 2,
    }  # fmt: skip
    benefits = document["least_heard"]["benefits"]
    assert len(benefits) == 18 and benefits[0] == {
        "population": "mothers", "label": "Mothers", "records_on_topic": 0, "records": 3,
    }  # fmt: skip
    assert len(document["never_heard"]) == 11 and "fathers" in document["never_heard"]


def test_a_topic_every_group_was_heard_on_names_the_least_heard(empty_root: Path) -> None:
    for record_id in ("2024-03-a", "2024-03-b"):  # unpaid carers, on parenting
        write_record(empty_root, record_id, VALID_RECORD.format(id=record_id))
    older = VALID_RECORD.format(id="2024-03-c").replace("[carers]", "[older-people]")
    write_record(empty_root, "2024-03-c", older)
    assert row(stats(empty_root, 400), "Parenting")[1:] == [
        "Unpaid carers (2)",
        "none; least heard: Older people (1 on it)",
    ]
