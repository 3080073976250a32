"""One parser per kind of value a person types (options, prompts, cells, forms)."""

from __future__ import annotations

import datetime as dt

import pytest

from copro.core import values
from copro.core.errors import UsageError
from copro.core.values import ValueProblem


@pytest.mark.parametrize(
    "given",
    [
        "2019-11-12",
        "12/11/2019",
        "12.11.2019",
        "12 November 2019",
        "12 november 2019",
        "12 Nov 2019",
        "12th November 2019",
        "  12  November,  2019 ",
    ],
)
def test_every_written_form_of_a_date_reads_the_same(given):
    assert values.parse_date(given) == dt.date(2019, 11, 12)
    assert values.parse_date_iso(given) == "2019-11-12"


def test_day_first_is_day_first():
    assert values.parse_date("1/2/2020") == dt.date(2020, 2, 1)


@pytest.mark.parametrize("given", ["12/13/2019", "2019-02-30", "31 February 2020"])
def test_impossible_dates_say_so(given):
    with pytest.raises(ValueProblem, match="not a real date"):
        values.parse_date(given)


@pytest.mark.parametrize("given", ["tomorrow", "2019", "11/2019", "12 Novembre 2019", ""])
def test_what_is_no_date_names_the_forms(given):
    with pytest.raises(ValueProblem, match="D/M/YYYY"):
        values.parse_date(given)


def test_a_date_message_never_echoes_personal_data():
    with pytest.raises(ValueProblem) as caught:
        values.parse_date("ring 020 7946 0018")
    assert "7946" not in caught.value.message


@pytest.mark.parametrize("given", ["in progress", "in-progress", "In Progress", "in_progress"])
def test_action_status_in_words_or_as_the_id(given):
    assert values.parse_action_status(given) == "in-progress"


def test_a_wrong_choice_lists_the_choices():
    with pytest.raises(ValueProblem, match="planned, in-progress, done, not-doing"):
        values.parse_action_status("finished")


def test_other_choices():
    assert values.parse_sector("Local authority") == "local-authority"
    assert values.parse_ladder("co design") == "co-design"
    assert values.parse_payment("expenses only") == "expenses-only"
    assert values.parse_credit("Anonymous") == "anonymous"
    assert values.parse_made_by("joint") == "joint"
    assert values.parse_outcome("still holds") == "still-holds"
    assert values.parse_record_status("Completed") == "completed"


def test_counts_and_ids():
    assert values.parse_count("1,200") == 1200
    assert values.parse_count(" 0 ") == 0
    for bad in ("-1", "twelve", "1.5"):
        with pytest.raises(ValueProblem):
            values.parse_count(bad)
    with pytest.raises(ValueProblem, match="too large"):
        values.parse_count("99999999999")
    assert values.parse_finding_id("s3") == "S3"
    assert values.parse_finding_id("3") == "S3"
    assert values.parse_action_id("D12") == "D12"
    with pytest.raises(ValueProblem):
        values.parse_finding_id("D3")
    assert values.parse_yes_no("Yes") is True
    assert values.parse_yes_no("n") is False


def test_for_option_names_the_option_and_exits_2():
    with pytest.raises(UsageError) as caught:
        values.for_option("--date", values.parse_date_iso, "13/13/2019")
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith("--date: ")
