"""Reading statements: ``consensus list``, ``show``, evidence facts, currency and thanks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from consensus_kit import record, statement, three_records

from conftest import run_cli

GOOD = ["2019-03-first#S1", ("2021-06-second#S1", "partly"), ("2023-09-third#S1", "contradicts")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return three_records(tmp_path / "archive-root")


def listed(root: Path, *options: str) -> tuple[int, list[dict]]:
    result = run_cli("--root", str(root), "consensus", "list", "--json", *options)
    return result.exit_code, json.loads(result.stdout)["statements"]


def shown(root: Path, statement_id: str) -> dict:
    result = run_cli("--root", str(root), "show", statement_id, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_gives_the_contract_keys_and_the_evidence_facts(root: Path) -> None:
    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed")
    code, statements = listed(root)
    assert code == 0
    assert statements == [
        {
            "id": "2024-01-own-language",
            "title": "Statement 2024-01-own-language",
            "statement": "People want information in their own language and their own words.",
            "status": "agreed",
            "date": "2024-01-10",
            "confidence": "moderate",
            "findings": 3,
            "records": 3,
            "groups": 4,
            "first_year": 2019,
            "last_year": 2023,
            "stale": False,
            "member": None,
        }
    ]


def test_list_filters_by_words_status_and_staleness(root: Path) -> None:
    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed")
    statement(root, "2024-02-draft", "2024-02-10", GOOD[:2], title="Plain English drafts")
    assert [s["id"] for s in listed(root)[1]] == ["2024-01-own-language", "2024-02-draft"]
    assert [s["id"] for s in listed(root, "--status", "draft")[1]] == ["2024-02-draft"]
    assert [s["id"] for s in listed(root, "plain english")[1]] == ["2024-02-draft"]
    assert listed(root, "--stale") == (1, [])
    bad = run_cli("--root", str(root), "consensus", "list", "--status", "done")
    assert bad.exit_code == 2
    assert "draft, agreed, retired" in bad.stderr


def test_list_with_no_statements_exits_1(root: Path) -> None:
    result = run_cli("--root", str(root), "consensus", "list")
    assert result.exit_code == 1
    assert "No statements matched." in result.stderr


def test_a_revisit_after_the_statement_makes_it_stale(root: Path) -> None:
    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed")
    record(
        root,
        "2025-05-revisit",
        "2025-05-01",
        ["Letters in English are fine now that the app translates them."],
        revisits={1: ("2019-03-first#S1", "no-longer-holds")},
    )
    code, statements = listed(root, "--stale")
    assert code == 0
    assert [s["id"] for s in statements] == ["2024-01-own-language"]
    document = shown(root, "2024-01-own-language")
    assert document["stale"] is True
    assert "2019-03-first#S1" in document["stale_because"][0]
    assert "May 2025" in document["stale_because"][0]


def test_a_revisit_before_the_statement_or_still_holding_keeps_it_current(root: Path) -> None:
    record(
        root,
        "2023-12-earlier-revisit",
        "2023-12-01",
        ["Still missed."],
        revisits={1: ("2019-03-first#S1", "changed")},
    )
    record(
        root,
        "2025-05-revisit",
        "2025-05-01",
        ["Still true."],
        revisits={1: ("2021-06-second#S1", "still-holds")},
    )
    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed")
    assert listed(root)[1][0]["stale"] is False


def test_a_withdrawn_cited_record_makes_it_stale_and_leaves_the_facts(root: Path) -> None:
    record(
        root,
        "2020-02-withdrawn",
        "2020-02-01",
        populations=["young-carers"],
        status="withdrawn",
        contributors=[{"role": "advisor", "credit": "named", "name": "Withdrawn Person"}],
    )
    statement(root, "2024-01-own-language", "2024-01-10", [*GOOD, "2020-02-withdrawn#S1"])
    document = shown(root, "2024-01-own-language")
    assert document["stale"] is True
    assert "2020-02-withdrawn" in document["stale_because"][0]
    assert document["facts"]["records"] == 3
    assert "Withdrawn Person" not in json.dumps(document["thanks"])


def test_thanks_name_only_who_agreed_and_count_the_rest(root: Path) -> None:
    record(
        root,
        "2022-04-fourth",
        "2022-04-01",
        populations=["carers"],
        contributors=[
            {"role": "participant", "credit": "anonymous"},
            {"role": "co-facilitator", "credit": "named", "name": "Sam Placeholder"},
        ],
    )
    statement(root, "2024-01-own-language", "2024-01-10", [*GOOD, "2022-04-fourth#S1"])
    thanks = shown(root, "2024-01-own-language")["thanks"]
    assert thanks["named"] == [
        {"name": "Amina Testfield", "role": "community researcher", "record_id": "2019-03-first"},
        {"name": "Rafi Example", "role": "peer researcher", "record_id": "2021-06-second"},
        {"name": "Sam Placeholder", "role": "co-facilitator", "record_id": "2022-04-fourth"},
    ]
    assert thanks["anonymous"] == 4
    assert thanks["groups"] == 4


def test_an_anonymous_contributors_name_never_shows(root: Path) -> None:
    """A record that (wrongly) keeps a name for an anonymous contributor: never shown."""
    record(
        root,
        "2022-04-fourth",
        "2022-04-01",
        contributors=[{"role": "participant", "credit": "anonymous", "name": "Hidden Person"}],
    )
    statement(root, "2024-01-own-language", "2024-01-10", [*GOOD, "2022-04-fourth#S1"])
    for args in (("show", "2024-01-own-language"), ("show", "2024-01-own-language", "--json")):
        result = run_cli("--root", str(root), *args)
        assert "Hidden Person" not in result.stdout + result.stderr


def test_show_of_a_statement_reads_at_80_columns(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    statement(
        root,
        "2024-01-own-language",
        "2024-01-10",
        GOOD,
        status="agreed",
        agreed_with=[{"date": "2024-01-10", "how": "Reference group of carers", "participants": 9}],
        decisions=[{"text": "Letters go out in the language people ask for.", "made_by": "joint"}],
    )
    result = run_cli("--root", str(root), "show", "2024-01-own-language")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    text = " ".join(result.stdout.split())  # the Confidence grid pads its labels
    for expected in (
        "People want information in their own language",
        "3 finding(s) from 3 engagement(s), 4 group(s)",
        "Coherence: moderate concerns: one group disagreed in part",
        "2023-09-third#S1 contradicts it",
        "English is fine if it is plain English.",
        "Reference group of carers (9 people)",
        "Letters go out in the language people ask for.",
        "Amina Testfield (community researcher)",
        "and 3 more who took part without being named",
    ):
        assert expected in text


def test_show_of_an_unknown_id_still_says_no_record(root: Path) -> None:
    result = run_cli("--root", str(root), "show", "2024-01-nothing")
    assert result.exit_code == 1
    assert "no record" in result.stderr


def test_list_reads_at_80_columns(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    long = "People want information in their own language and their own words. " * 4
    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed", statement=long)
    result = run_cli("--root", str(root), "consensus", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line.startswith("  ") for line in lines[1:])  # hanging indent under the id
    assert "moderate confidence; 3 finding(s) from 3 engagement(s), 4 group(s), 2019 to" in (
        result.stdout
    )


def test_show_and_report_read_only_the_records_around_the_evidence(
    root: Path, private_cache: Path
) -> None:
    """The statement's file, its cited records and those naming the cited findings are
    read (no record cache is built), and what they say is what the whole archive says."""
    from copro.store.catalog import load_catalog
    from copro.store.recordcache import CACHE_FILE
    from copro.store.standing import standings
    from copro.views.consensus import assess, find_statement, statement_json

    statement(root, "2024-01-own-language", "2024-01-10", GOOD, status="agreed")
    record(root, "2019-01-withdrawn", "2019-01-05", status="withdrawn")
    record(
        root,
        "2025-05-revisit",
        "2025-05-01",
        ["Letters in English are fine now.", "Leaflets still use odd words."],
        revisits={1: ("2019-03-first#S1", "changed"), 2: ("2021-06-second#S1", "still-holds")},
    )
    record(root, "2025-06-unrelated", "2025-06-01", revisits={1: ("2019-03-first#S2", "changed")})
    statement(
        root,
        "2024-02-with-withdrawn",
        "2024-02-10",
        ["2019-01-withdrawn#S1", "2023-09-third#S1", "2019-03-first#S9"],
        status="agreed",
    )
    ids = ("2024-01-own-language", "2024-02-with-withdrawn")
    documents = [shown(root, statement_id) for statement_id in ids]
    for statement_id in ids:
        assert run_cli("--root", str(root), "report", statement_id).exit_code == 0
    assert not list(private_cache.rglob(CACHE_FILE))  # no record was read through it
    catalog = load_catalog(root)
    for statement_id, document in zip(ids, documents, strict=True):
        whole = assess(find_statement(catalog, statement_id), catalog, standings(catalog))
        assert document == json.loads(json.dumps(statement_json(whole), default=str))
    assert shown(root, "2024-01-own-language")["stale"] is True
    assert shown(root, "2024-02-with-withdrawn")["stale"] is True
