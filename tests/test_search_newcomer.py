"""Search as a newcomer types it: questions, several words, typos, and id prefixes."""

from __future__ import annotations

import json

import pytest

from conftest import VALID_RECORD, write_record

pytestmark = pytest.mark.usefixtures("search_backend")  # every test on every backend

DISCHARGE = "2025-02-hospital-discharge-carers"


def search_json(cli, root, *words):
    result = cli("--root", str(root), "search", *words, "--json")
    return result, json.loads(result.stdout)


def test_a_question_finds_its_subject_not_every_record(sample_root, cli):
    result, found = search_json(cli, sample_root, "what did carers say about discharge?")
    assert result.exit_code == 0, result.stderr
    assert found["results"][0]["id"] == DISCHARGE
    assert found["total"] < 16  # question words no longer pull in every record
    assert "match some" not in result.stderr


def test_several_words_without_quotes(sample_root, cli):
    result, found = search_json(cli, sample_root, "carers", "discharge")
    assert result.exit_code == 0, result.stderr
    assert found["query"] == "carers discharge"
    assert found["results"][0]["id"] == DISCHARGE


def test_a_misspelt_word_is_corrected_when_one_word_is_closest(sample_root, cli):
    result, found = search_json(cli, sample_root, "dischrage")
    assert result.exit_code == 0, result.stderr
    assert found["results"][0]["id"] == DISCHARGE
    assert "No record has 'dischrage': searched for 'discharge' instead." in result.stderr
    assert result.stdout.count("dischrage") == 1  # only the query as typed, in JSON


def test_a_misspelt_word_with_two_equally_close_words_is_only_a_suggestion(empty_root, cli):
    write_record(
        empty_root,
        "2024-03-parking",
        VALID_RECORD.format(id="2024-03-parking").replace(
            "A small test engagement.", "Parking near the clinic."
        ),
    )
    write_record(
        empty_root,
        "2024-03-parting",
        VALID_RECORD.format(id="2024-03-parting").replace(
            "A small test engagement.", "Parting words at the end."
        ),
    )
    result = cli("--root", str(empty_root), "search", "parling")
    assert result.exit_code == 1  # nothing was searched for instead
    assert "did you mean 'parking' or 'parting'?" in result.stderr


def test_show_of_an_id_prefix_suggests_the_full_id(sample_root, cli):
    for command in ("show", "report", "history"):
        result = cli("--root", str(sample_root), command, "2025-02-hospital-discharge")
        assert result.exit_code == 1
        assert "no record with id 2025-02-hospital-discharge" in result.stderr
        assert f"did you mean {DISCHARGE}?" in result.stderr


def test_a_snippet_is_the_matching_text_without_headings_title_or_guidance(sample_root, cli):
    """The title is shown beside every result, so a snippet never repeats it; a body's
    headings, list markers and the template's guidance comments are not text anyone wrote."""
    from conftest import NEW_OPTIONS

    made = cli("--root", str(sample_root), "new", "--title", "Evening drop-in", *NEW_OPTIONS,
               "--id", "2026-12-evening-drop-in", "--yes")  # fmt: skip
    assert made.exit_code == 0, made.stderr
    snippets = {}
    for words in ("workshops", "bilingual", "loneliness", "co-design"):
        result, found = search_json(cli, sample_root, words)
        assert result.exit_code == 0, result.stderr
        for hit in found["results"]:
            snippets[(words, hit["id"])] = (hit["title"], hit["snippet"])
    for (words, _), (title, snippet) in snippets.items():
        plain = snippet.replace("**", "")
        assert plain != title and not plain.startswith(title), (words, snippet)
        assert "##" not in plain and "<!--" not in plain and " - " not in plain, (words, snippet)
        assert not plain.startswith(("Summary", "What happened", "Reflections")), (words, snippet)
    gp = snippets[("workshops", "2021-02-gp-care-plan-co-design")][1]
    assert gp.startswith("Six co-design **workshops**"), gp
    # The template's guidance is not the record's text: nobody finds a record by it.
    result, found = search_json(cli, sample_root, "sentences")
    assert "2026-12-evening-drop-in" not in [hit["id"] for hit in found["results"]]
