"""``copro review`` v2: revisited records are no longer due; completed records owe feedback."""

from __future__ import annotations

import json

from revisit_helpers import finding_yaml as f
from revisit_helpers import revisit_record

OLD = "2019-03-somali-mothers-parenting"


def _items(cli, root, as_of):
    result = cli("--root", str(root), "review", "--as-of", as_of, "--json")
    assert result.exit_code == 0
    return {(i["kind"], i["record_id"]) for i in json.loads(result.stdout)["items"]}


def test_a_record_whose_findings_were_all_revisited_is_no_longer_due(sample_root, cli):
    # The 2024 follow-up revisited all four 2019 findings; before it happened, 2019 was due.
    assert ("review-due", OLD) not in _items(cli, sample_root, "2026-11-28")
    assert ("review-due", OLD) in _items(cli, sample_root, "2024-04-12")
    # The 2025 refresh went back to three of the four 2018 findings: 2018 stays due.
    assert ("review-due", "2018-05-peer-coaching-programme") in _items(
        cli, sample_root, "2026-11-28"
    )


def test_withdrawn_revisits_and_records_without_findings(empty_root, cli):
    review_by = "review_by: 2020-01-01\n"
    revisit_record(empty_root, "2019-03-old", "2019-03-01", [f(1, "a"), f(2, "b")], extra=review_by)
    revisit_record(empty_root, "2019-04-empty", "2019-04-01", [], extra=review_by)
    revisit_record(
        empty_root,
        "2021-05-withdrawn",
        "2021-05-01",
        [f(1, "x", [("2019-03-old#S1", "changed")]), f(2, "y", [("2019-03-old#S2", "changed")])],
        status="withdrawn",
    )
    items = _items(cli, empty_root, "2026-01-01")
    assert ("review-due", "2019-03-old") in items  # a withdrawn record's revisits do not count
    assert ("review-due", "2019-04-empty") in items  # no findings: stays due
    revisit_record(
        empty_root,
        "2021-06-back",
        "2021-06-01",
        [
            f(1, "x", [("2019-03-old#S1", "still-holds")]),
            f(2, "y", [("2019-03-old#S2", "unclear")]),
        ],
        status="active",
    )
    assert ("review-due", "2019-03-old") not in _items(cli, empty_root, "2026-01-01")


def test_completed_records_with_actions_but_no_feedback_owe_it(sample_root, cli):
    result = cli("--root", str(sample_root), "review", "--as-of", "2026-11-28", "--json")
    items = json.loads(result.stdout)["items"]
    owed = {i["record_id"]: i for i in items if i["kind"] == "feedback-owed"}
    assert "2019-10-young-carers-survey" in owed
    assert OLD not in owed  # feedback_given recorded
    assert "2022-07-housing-benefits-drop-in" not in owed  # completed, but no actions
    assert "2024-04-somali-mothers-parenting-follow-up" not in owed  # still active
    assert owed["2019-10-young-carers-survey"]["item_id"] is None
    text = cli("--root", str(sample_root), "review", "--as-of", "2026-11-28")
    assert "nobody told the people who took part" in text.stdout
