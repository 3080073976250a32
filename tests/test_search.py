"""Search end to end on a real index (each backend): words, facets, synonyms, hierarchy, freshness."""

from __future__ import annotations

import json
import os
import time

import pytest

from conftest import VALID_RECORD, write_record

pytestmark = pytest.mark.usefixtures("search_backend")  # every test on every backend


def ids(cli, root, *args: str) -> list[str]:
    result = cli("--root", str(root), "search", *args, "--json")
    document = json.loads(result.stdout)
    assert result.exit_code == (0 if document["total"] else 1), result.stderr  # 1: none matched
    return [hit["id"] for hit in document["results"]]


def test_json_keys_are_the_contract(sample_root, cli):
    result = cli("--root", str(sample_root), "search", "parenting", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == {"query", "total", "results"}
    assert document["query"] == "parenting"
    assert document["total"] == len(document["results"]) > 0
    assert set(document["results"][0]) == {
        "kind",
        "id",
        "title",
        "date",
        "path",
        "score",
        "snippet",
    }


def test_format_json_is_the_same_as_json(sample_root, cli):
    a = cli("--root", str(sample_root), "search", "housing", "--json")
    b = cli("--root", str(sample_root), "search", "housing", "--format", "json")
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_words_find_the_somali_mothers_engagements(sample_root, cli):
    found = ids(cli, sample_root, "somali women parenting")
    assert found[:2] == [
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",
    ] or set(found[:2]) == {
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",
    }


def test_facets_find_the_same(sample_root, cli):
    found = ids(cli, sample_root, "--population", "somali-women", "--topic", "parenting")
    assert set(found) == {
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",
    }


def test_synonym_mums_finds_records_tagged_mothers(sample_root, cli):
    found = ids(cli, sample_root, "mums")
    assert "2019-03-somali-mothers-parenting" in found
    assert "2026-03-maternity-experiences-refugee-women" in found  # tagged mothers, no word "mums"


def test_abbreviation_phb_finds_personal_health_budgets(sample_root, cli):
    assert ids(cli, sample_root, "PHB") == ["2021-09-phb-peer-network"]


def test_place_hierarchy_and_since(sample_root, cli):
    found = ids(cli, sample_root, "--place", "north-central-london", "--since", "2022-01-01")
    assert set(found) == {
        "2022-01-staff-co-production-training-module",
        "2024-04-somali-mothers-parenting-follow-up",
        "2025-06-peer-coaching-programme-refresh",
    }


def test_topic_hierarchy(sample_root, cli):
    found = ids(cli, sample_root, "--topic", "family-life")
    assert (
        "2019-03-somali-mothers-parenting" in found
    )  # tagged parenting, narrower than family-life
    assert "2026-03-maternity-experiences-refugee-women" in found  # maternity


def test_words_and_ladder(sample_root, cli):
    found = ids(cli, sample_root, "referrals", "--ladder", "co-production")
    assert set(found) == {
        "2018-05-peer-coaching-programme",
        "2025-06-peer-coaching-programme-refresh",
    }


def test_or_within_an_option_and_across_options(sample_root, cli):
    either = ids(cli, sample_root, "--place", "leeds", "--place", "manchester")
    assert set(either) == {"2025-02-hospital-discharge-carers", "2022-07-housing-benefits-drop-in"}
    both = ids(cli, sample_root, "--place", "leeds", "--topic", "housing")
    assert both == []


def test_org_is_case_insensitive_substring(sample_root, cli):
    found = ids(cli, sample_root, "--org", "HARBOUR lane")
    assert set(found) == {
        "2018-05-peer-coaching-programme",
        "2022-01-staff-co-production-training-module",
        "2025-06-peer-coaching-programme-refresh",
    }


def test_every_status_but_withdrawn_is_included_unless_asked(sample_root, cli):
    everything = ids(cli, sample_root, "--limit", "100")
    assert len(everything) == 15
    assert "2024-11-mandatory-employment-support-sessions" not in everything
    assert ids(cli, sample_root, "--status", "withdrawn") == [
        "2024-11-mandatory-employment-support-sessions"
    ]


def test_limit_0_shows_every_result_and_the_count_says_so(empty_root, cli):
    """ "20 of 25 record(s) shown." left a new user with no way to see the rest;
    ``--limit 0`` means all, as it does for ``review``."""
    for number in range(25):
        write_record(empty_root, f"2024-03-test-engagement-{number:02}")
    some = cli("--root", str(empty_root), "search", "parenting")
    assert some.exit_code == 0, some.stderr
    assert "20 of 25 record(s) shown; --limit 0 shows all." in some.stderr
    every = cli("--root", str(empty_root), "search", "parenting", "--limit", "0")
    assert every.exit_code == 0, every.stderr
    assert "25 of 25 record(s) shown." in every.stderr and "--limit 0" not in every.stderr
    assert len(ids(cli, empty_root, "parenting", "--limit", "0")) == 25
    document = json.loads(cli("--root", str(empty_root), "search", "--limit", "0", "--json").stdout)
    assert set(document) == {"query", "total", "results"}
    assert document["total"] == len(document["results"]) == 25


def test_label_is_accepted_for_a_facet(sample_root, cli):
    assert set(ids(cli, sample_root, "--population", "Somali women")) == {
        "2019-03-somali-mothers-parenting",
        "2024-04-somali-mothers-parenting-follow-up",
    }


def test_snippet_shows_why_it_matched(sample_root, cli):
    result = json.loads(cli("--root", str(sample_root), "search", "interpreters", "--json").stdout)
    assert any("**interpreters**" in hit["snippet"].lower() for hit in result["results"])


def test_title_hit_outranks_body_mention(empty_root, cli):
    write_record(
        empty_root,
        "2024-03-a",
        VALID_RECORD.format(id="2024-03-a").replace(
            "A small test engagement.", "We also mentioned gardening once."
        ),
    )
    write_record(
        empty_root,
        "2024-03-b",
        VALID_RECORD.format(id="2024-03-b").replace(
            "Test engagement about parenting", "Gardening together"
        ),
    )
    assert ids(cli, empty_root, "gardening") == ["2024-03-b", "2024-03-a"]


def test_nothing_matched_exits_1(sample_root, cli):
    result = cli("--root", str(sample_root), "search", "zeppelin", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"query": "zeppelin", "total": 0, "results": []}


@pytest.mark.parametrize(
    "args",
    [
        ["12:30"],
        ['"unbalanced'],
        ["(open"],
        ["x", "--since", "2024-13-01"],
        ["x", "--until", "yesterday"],
        ["--topic", "parentin"],
        ["--ladder", "tokenism"],
        ["--status", "done"],
        ["x", "--limit", "-1"],
    ],
)
def test_bad_queries_are_usage_errors(sample_root, cli, args):
    result = cli("--root", str(sample_root), "search", *args)
    assert result.exit_code == 2
    assert "copro: error:" in result.stderr


def test_unknown_topic_suggests_closest(sample_root, cli):
    result = cli("--root", str(sample_root), "search", "--topic", "parentin")
    assert "parenting" in result.stderr


def test_quoted_syntax_works(sample_root, cli):
    assert "2019-03-somali-mothers-parenting" in ids(cli, sample_root, '"parenting courses"')
    assert ids(cli, sample_root, "topics:parenting AND populations:somali-women")


def test_text_output_is_a_table_on_stdout(sample_root, cli):
    result = cli("--root", str(sample_root), "search", "parenting")
    assert result.exit_code == 0
    assert (
        "2019-03-somali-mothers-parenting"
        in result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
        or "2019-03" in result.stdout
    )


# ---- freshness -------------------------------------------------------------------


def test_first_search_builds_and_later_edits_are_seen(sample_root, cli):
    assert ids(cli, sample_root, "zeppelin") == []
    path = write_record(
        sample_root,
        "2024-03-zeppelin",
        VALID_RECORD.format(id="2024-03-zeppelin").replace(
            "A small test engagement.", "We met under a zeppelin."
        ),
    )
    assert ids(cli, sample_root, "zeppelin") == ["2024-03-zeppelin"]  # added
    path.write_text(path.read_text().replace("zeppelin.", "balloon."))
    assert ids(cli, sample_root, "zeppelin") == []  # changed (same second: content hash decides)
    assert ids(cli, sample_root, "balloon") == ["2024-03-zeppelin"]
    path.unlink()
    assert ids(cli, sample_root, "balloon") == []  # deleted


def test_edit_keeping_size_and_mtime_is_seen(sample_root, cli):
    path = write_record(
        sample_root,
        "2024-03-same",
        VALID_RECORD.format(id="2024-03-same").replace("A small test engagement.", "apples"),
    )
    assert ids(cli, sample_root, "apples") == ["2024-03-same"]
    info = path.stat()
    path.write_text(path.read_text().replace("apples", "pears "))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert ids(cli, sample_root, "pears") == ["2024-03-same"]


def test_index_command_reports_what_changed(sample_root, cli):
    first = json.loads(cli("--root", str(sample_root), "index", "--json").stdout)
    assert first["rebuilt"] and first["documents"] == 16
    again = json.loads(cli("--root", str(sample_root), "index", "--json").stdout)
    assert not again["rebuilt"] and again["added"] == again["changed"] == again["removed"] == 0
    path = sample_root / "archive" / "2019" / "2019-10-young-carers-survey.md"
    time.sleep(0.01)
    path.write_text(path.read_text().replace("young carers aged", "young carers, aged"))
    os.utime(path, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    report = json.loads(cli("--root", str(sample_root), "index", "--json").stdout)
    assert (report["added"], report["changed"], report["removed"]) == (0, 1, 0)
    rebuilt = json.loads(cli("--root", str(sample_root), "index", "--rebuild", "--json").stdout)
    assert rebuilt["rebuilt"]


def test_index_lives_in_the_cache_not_the_archive(sample_root, cli, private_cache):
    cli("--root", str(sample_root), "index")
    assert any(private_cache.rglob("copro-manifest.json"))
    assert not any(p.name.startswith("_MAIN") for p in sample_root.rglob("*"))


def test_vocabulary_change_rebuilds(sample_root, cli):
    cli("--root", str(sample_root), "index")
    places = sample_root / "schemas" / "vocab" / "places.yml"
    places.write_text(places.read_text() + "- id: york\n  label: York\n  broader: england\n")
    report = json.loads(cli("--root", str(sample_root), "index", "--json").stdout)
    assert report["rebuilt"]


# ---- show ------------------------------------------------------------------------


def test_show_json_and_text(sample_root, cli):
    result = cli(
        "--root", str(sample_root), "show", "2024-04-somali-mothers-parenting-follow-up", "--json"
    )
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == {
        "id",
        "path",
        "front_matter",
        "body",
        "standing",
        "checked_again",
        "related_from",
    }
    assert document["checked_again"][1] == {
        "finding_id": "S2",
        "revisits": "2019-03-somali-mothers-parenting#S3",
        "outcome": "still-holds",
        "note": None,
    }
    assert document["front_matter"]["related"] == ["2019-03-somali-mothers-parenting"]
    text = cli("--root", str(sample_root), "show", "2024-04-somali-mothers-parenting-follow-up")
    flat = " ".join(text.stdout.split())
    assert "2019-03-somali-mothers-parenting · Somali mothers on parenting" in flat  # related title
    assert "no response yet" in text.stdout


def test_show_unknown_and_malformed_ids(sample_root, cli):
    assert cli("--root", str(sample_root), "show", "2024-01-nowhere").exit_code == 1
    assert cli("--root", str(sample_root), "show", "../etc/passwd").exit_code == 2
