"""Standing of findings (contract section 6) through ``copro findings`` and ``themes`` on real files."""

from __future__ import annotations

import json

from revisit_helpers import finding_yaml as f
from revisit_helpers import revisit_record

A = "2019-03-first"


def _findings(cli, root, *args):
    result = cli("--root", str(root), "findings", "--json", *args)
    return result, json.loads(result.stdout)


def _by_ref(document):
    return {f"{row['record_id']}#{row['finding_id']}": row for row in document["findings"]}


def test_json_has_the_contract_keys(sample_root, cli):
    result, document = _findings(cli, sample_root, "--topic", "parenting")
    assert result.exit_code == 0
    assert set(document) == {"total", "findings"}
    assert document["total"] == len(document["findings"]) == 4
    assert set(document["findings"][0]) == {
        "record_id", "finding_id", "text", "date", "topics", "populations", "places",
        "standing", "standing_date", "revisited_by", "responses", "cited_by",
    }  # fmt: skip
    dates = [row["date"] for row in document["findings"]]
    assert dates == sorted(dates, reverse=True)  # newest record first
    old = _by_ref(document)["2019-03-somali-mothers-parenting#S1"]
    assert old["standing"] == "changed" and old["standing_date"] == "2024-04-13"
    assert old["revisited_by"] == [
        {
            "finding": "2024-04-somali-mothers-parenting-follow-up#S1",
            "date": "2024-04-13",
            "outcome": "changed",
        }
    ]
    assert old["responses"] == ["done"]


def test_a_chain_of_three_records_counts_only_direct_revisits(empty_root, cli):
    revisit_record(empty_root, A, "2019-03-01", [f(1, "Buses are too rare.")])
    revisit_record(
        empty_root,
        "2021-05-second",
        "2021-05-01",
        [f(1, "Buses come more often but late.", [(f"{A}#S1", "changed")])],
    )
    revisit_record(
        empty_root,
        "2023-07-third",
        "2023-07-01",
        [f(1, "Still late.", [("2021-05-second#S1", "still-holds")])],
    )
    _, document = _findings(cli, empty_root)
    rows = _by_ref(document)
    assert [r for r in rows] == ["2023-07-third#S1", "2021-05-second#S1", f"{A}#S1"]
    assert rows[f"{A}#S1"]["standing"] == "changed"
    assert rows["2021-05-second#S1"]["standing"] == "still-holds"
    assert rows["2021-05-second#S1"]["standing_date"] == "2023-07-01"
    assert rows["2023-07-third#S1"]["standing"] == "not-revisited"
    assert rows["2023-07-third#S1"]["standing_date"] is None


def test_a_finding_revisited_by_two_later_records_takes_the_latest(empty_root, cli):
    revisit_record(empty_root, A, "2019-03-01", [f(1, "Buses are too rare.")])
    revisit_record(
        empty_root,
        "2023-07-later",
        "2023-07-01",
        [f(1, "Fine now.", [(f"{A}#S1", "no-longer-holds")])],
    )
    revisit_record(
        empty_root, "2021-05-earlier", "2021-05-01", [f(1, "Same.", [(f"{A}#S1", "still-holds")])]
    )
    _, document = _findings(cli, empty_root, "--standing", "no-longer-holds")
    (row,) = document["findings"]
    assert row["standing_date"] == "2023-07-01"
    assert [r["finding"] for r in row["revisited_by"]] == ["2021-05-earlier#S1", "2023-07-later#S1"]


def test_on_the_same_date_the_id_that_sorts_last_is_later(empty_root, cli):
    revisit_record(empty_root, A, "2019-03-01", [f(1, "Buses are too rare.")])
    revisit_record(
        empty_root, "2021-05-b-visit", "2021-05-01", [f(1, "x", [(f"{A}#S1", "unclear")])]
    )
    revisit_record(
        empty_root, "2021-05-a-visit", "2021-05-01", [f(1, "y", [(f"{A}#S1", "still-holds")])]
    )
    _, document = _findings(cli, empty_root, "buses")
    (row,) = document["findings"]
    assert row["standing"] == "unclear"
    assert [r["finding"] for r in row["revisited_by"]] == [
        "2021-05-a-visit#S1",
        "2021-05-b-visit#S1",
    ]


def test_withdrawn_and_invalid_revisits_do_not_count(empty_root, cli):
    revisit_record(empty_root, A, "2019-03-01", [f(1, "Buses are too rare.")])
    revisit_record(
        empty_root,
        "2021-05-gone",
        "2021-05-01",
        [f(1, "x", [(f"{A}#S1", "changed")])],
        status="withdrawn",
    )
    revisit_record(
        empty_root, "2018-01-before", "2018-01-01", [f(1, "y", [(f"{A}#S1", "changed")])]
    )
    _, document = _findings(
        cli, empty_root, "--standing", "not-revisited", "--said-before", "2019-03-02"
    )
    assert {r["record_id"] for r in document["findings"]} == {A, "2018-01-before"}


def test_filters_bad_values_and_nothing_matched(sample_root, cli):
    result, document = _findings(
        cli, sample_root, "--standing", "not-revisited", "--said-before", "2023-01-01"
    )
    assert result.exit_code == 0
    assert all(
        r["date"] < "2023-01-01" and r["standing"] == "not-revisited" for r in document["findings"]
    )
    assert "2019-03-somali-mothers-parenting" not in {r["record_id"] for r in document["findings"]}
    result, document = _findings(cli, sample_root, "zebra crossings")
    assert result.exit_code == 1 and document == {"total": 0, "findings": []}
    for bad in (
        ["--standing", "holds"],
        ["--said-before", "2023-13-01"],
        ["--topic", "nonsense-term"],
    ):
        result = cli("--root", str(sample_root), "findings", *bad)
        assert result.exit_code == 2, bad
        assert "copro: error:" in result.stderr


def test_findings_text_says_the_standing_in_words(sample_root, cli):
    result = cli(
        "--root",
        str(sample_root),
        "findings",
        "--topic",
        "parenting",
        "--population",
        "somali-women",
    )
    assert result.exit_code == 0
    assert "changed, April 2024: see 2024-04-somali-mothers-parenting-follow-up#S1" in result.stdout
    assert "unclear, April 2024" in result.stdout
    assert "not checked since April 2024" in result.stdout


def test_themes_counts_per_topic_term(sample_root, cli):
    result = cli("--root", str(sample_root), "themes", "--json")
    assert result.exit_code == 0
    themes = json.loads(result.stdout)["themes"]
    counts = [t["findings"] for t in themes]
    assert counts == sorted(counts, reverse=True)
    parenting = next(t for t in themes if t["topic"] == "parenting")
    assert parenting == {
        "topic": "parenting",
        "label": "Parenting",
        "findings": 4,
        "records": 2,
        "populations": ["mothers", "somali-women"],
        "organisations": 2,
        "first_year": 2019,
        "last_year": 2024,
        "answered": 4,
        "standing": {
            "still-holds": 0,
            "changed": 1,
            "no-longer-holds": 0,
            "unclear": 1,
            "not-revisited": 2,
        },
    }
    result = cli("--root", str(sample_root), "themes", "--json", "--topic", "family-life")
    kept = {t["topic"] for t in json.loads(result.stdout)["themes"]}
    assert "parenting" in kept and "language-and-interpreting" not in kept
    result = cli("--root", str(sample_root), "themes", "--json", "--population", "young-people")
    assert result.exit_code == 1 and json.loads(result.stdout) == {"themes": []}
    assert cli("--root", str(sample_root), "themes", "--population", "martians").exit_code == 2
