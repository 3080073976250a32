"""Section 6 rules of ``copro validate``: revisits name earlier findings, once, with an outcome."""

from __future__ import annotations

import json

from revisit_helpers import finding_yaml as f
from revisit_helpers import revisit_record

OLD = "2019-03-old"


def _problems(cli, root, *paths):
    result = cli("--root", str(root), "validate", "--json", *paths)
    return result, json.loads(result.stdout)["problems"]


def _old(root):
    revisit_record(root, OLD, "2019-03-01", [f(1, "First thing."), f(2, "Second thing.")])


def test_valid_revisits_pass(empty_root, cli):
    _old(empty_root)
    revisit_record(
        empty_root,
        "2024-04-new",
        "2024-04-01",
        [
            f(1, "Still so.", [(f"{OLD}#S1", "still-holds")]),
            f(2, "Now other.", [(f"{OLD}#S2", "changed")]),
        ],
    )
    result, problems = _problems(cli, empty_root)
    assert result.exit_code == 0, problems
    assert problems == []


def test_each_broken_revisit_names_its_line_and_code(empty_root, cli):
    _old(empty_root)
    revisit_record(
        empty_root,
        "2024-04-new",
        "2024-04-01",
        [
            # each block is 5 lines from line 16; `finding:` is its 4th, `outcome:` its 5th
            f(1, "a", [(f"{OLD}#S9", "still-holds")]),  # finding missing
            f(2, "b", [("2019-01-renamed-away#S1", "changed")]),  # record missing (renamed)
            f(3, "c", [("2024-04-new#S1", "changed")]),  # itself
            f(4, "d", [(f"{OLD}#S1", "maybe")]),  # bad outcome
            f(5, "e", [(f"{OLD}#S1", "unclear")]),  # second revisit of S1 in this record
            f(6, "f", [("hiddo:2019-03-x#S1", "unclear")]),  # another member: a warning
        ],
    )
    result, problems = _problems(cli, empty_root)
    assert result.exit_code == 1
    got = {(p["line"], p["code"], p["severity"]) for p in problems}
    assert got == {
        (19, "revisit-unknown", "error"),
        (24, "revisit-unknown", "error"),
        (29, "revisit-self", "error"),
        (35, "revisit-outcome", "error"),
        (39, "revisit-duplicate", "error"),
        (44, "revisit-outside-hub", "warning"),
    }, problems
    renamed = next(p for p in problems if p["line"] == 24)
    assert "2019-01-renamed-away" in renamed["message"]
    assert "S9" in next(p for p in problems if p["line"] == 19)["message"]


def test_a_revisit_must_name_an_earlier_record_and_a_tie_is_not_earlier(empty_root, cli):
    _old(empty_root)
    revisit_record(
        empty_root, "2019-03-same-day", "2019-03-01", [f(1, "a", [(f"{OLD}#S1", "changed")])]
    )
    revisit_record(
        empty_root, "2018-01-before", "2018-01-01", [f(1, "a", [(f"{OLD}#S2", "changed")])]
    )
    result, problems = _problems(cli, empty_root)
    assert result.exit_code == 1
    assert sorted((p["path"], p["code"]) for p in problems) == [
        ("archive/2018/2018-01-before.md", "revisit-not-earlier"),
        ("archive/2019/2019-03-same-day.md", "revisit-not-earlier"),
    ]


def test_checking_one_file_still_reads_the_record_it_revisits(empty_root, cli):
    _old(empty_root)
    path = revisit_record(
        empty_root, "2024-04-new", "2024-04-01", [f(1, "a", [(f"{OLD}#S3", "changed")])]
    )
    result, problems = _problems(cli, empty_root, str(path))
    assert result.exit_code == 1
    assert [p["code"] for p in problems] == ["revisit-unknown"]


def test_a_malformed_reference_is_a_schema_error(empty_root, cli):
    _old(empty_root)
    revisit_record(empty_root, "2024-04-new", "2024-04-01", [f(1, "a", [(f"{OLD}-S1", "changed")])])
    _, problems = _problems(cli, empty_root)
    assert [(p["code"], p["line"]) for p in problems] == [("schema-invalid", 19)]
    assert "<record-id>#S<n>" in problems[0]["message"]


def test_feedback_given_and_aim_are_checked_and_pass_the_personal_data_gate(empty_root, cli):
    ok = "aim: To shape the parenting course.\nfeedback_given:\n  - date: 2019-06-01\n    channel: community meeting\n"
    revisit_record(empty_root, OLD, "2019-03-01", [f(1, "a")], extra=ok)
    result, problems = _problems(cli, empty_root)
    assert result.exit_code == 0, problems
    bad = (
        "feedback_given:\n  - date: 2019-06-01\n    channel: letter to parent.person@example.org\n"
        "  - channel: text message\n"
    )
    revisit_record(empty_root, OLD, "2019-03-01", [f(1, "a")], extra=bad)
    result, problems = _problems(cli, empty_root)
    assert result.exit_code == 1
    assert {(p["code"], p["line"]) for p in problems} == {
        ("pii-email", 20),
        ("schema-required", 21),
    }
    assert "example.org" not in result.stdout
