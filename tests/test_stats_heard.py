"""stats says who is least heard on each topic, ranked by each group's own records, in labels."""

from __future__ import annotations

import json

from conftest import VALID_RECORD, write_record


def record(record_id: str, populations: str, topics: str) -> str:
    text = VALID_RECORD.format(id=record_id)
    return text.replace("populations: [carers]", f"populations: [{populations}]").replace(
        "topics: [parenting]", f"topics: [{topics}]"
    )


def test_least_heard_is_ranked_by_the_groups_own_records(empty_root, cli, monkeypatch):
    # Carers: 3 records, none on housing; older people: 1 record, none on housing;
    # young people: heard on housing twice.
    write_record(empty_root, "2024-03-a", record("2024-03-a", "carers", "parenting"))
    write_record(empty_root, "2024-03-b", record("2024-03-b", "carers", "parenting"))
    write_record(empty_root, "2024-03-c", record("2024-03-c", "carers, young-people", "housing"))
    write_record(empty_root, "2024-03-d", record("2024-03-d", "young-people", "housing"))
    write_record(empty_root, "2024-03-e", record("2024-03-e", "older-people", "parenting"))
    document = json.loads(cli("--root", str(empty_root), "stats", "--json").stdout)
    housing = document["least_heard"]["housing"]
    assert [(h["population"], h["records_on_topic"], h["records"]) for h in housing] == [
        ("older-people", 0, 1),
        ("carers", 1, 3),
    ]
    assert "carers" not in document["never_heard"] and "young-people" not in document["never_heard"]
    assert "somali-women" in document["never_heard"]
    monkeypatch.setenv("COLUMNS", "200")
    text = cli("--root", str(empty_root), "stats").stdout
    housing = next(line for line in text.splitlines() if line.startswith(" Housing "))
    # never heard on housing: older people, with their one record elsewhere
    assert housing.split("   ")[-1].strip() == "Older people (1)"
    assert "older-people" not in text  # labels, not ids
