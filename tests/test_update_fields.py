"""``copro update`` sets every field of a record without YAML (contract v3).

Each change is checked byte for byte: the lines of the fields set change (or
are written where the template's commented example stood) and nothing else.
"""

from __future__ import annotations

import difflib
import json
import os
import sys

import pytest

from conftest import NEW_OPTIONS
from copro.core.fields import FIELDS

OLD = "2019-03-somali-mothers-parenting"
LATER = "2024-04-somali-mothers-parenting-follow-up"


def record(root, record_id=OLD):
    return root / "archive" / record_id[:4] / f"{record_id}.md"


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two versions of a file."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.fixture
def new_record(empty_root, cli):
    result = cli("--root", str(empty_root), "new", "--title", "Evening drop-in for carers",
                 *NEW_OPTIONS, "--yes")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return empty_root, result.stdout.strip().rsplit("/", 1)[1].removesuffix(".md")


def test_every_field_of_the_table_is_an_option_of_update(cli):
    help_text = cli("update", "--help").stdout
    for spec in FIELDS:
        assert spec.option in help_text, spec.key


def test_each_option_sets_its_field_and_removes_the_template_example(new_record, cli):
    root, rid = new_record
    path = record(root, rid)
    before = path.read_text()
    result = cli("--root", str(root), "update", rid,
                 "--end-date", "15/12/2026", "--participants", "14",
                 "--review-by", "1 June 2027", "--asked", "What would help?",
                 "--asked", "What gets in the way?", "--status", "completed",
                 "--place", "Leeds", "--method", "drop-in", "--method", "workshop")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    after = path.read_text()
    removed, added = changed_lines(before, after)
    assert added == [
        "status: completed",
        "end_date: 2026-12-15",
        "methods: [drop-in, workshop]",
        "participants: 14",
        "asked:",
        '  - "What would help?"',
        '  - "What gets in the way?"',
        "review_by: 2027-06-01",
    ]
    assert "# end_date: YYYY-MM-DD" in removed and "# participants: 0" in removed
    assert "# asked:" in removed and not any(
        line.startswith("# review_by") for line in after.splitlines()
    )
    assert "# you_said:" in after  # examples of fields not set stay
    assert cli("--root", str(root), "validate").exit_code == 0


def test_title_date_ladder_and_aim(sample_root, cli):
    path = record(sample_root)
    before = path.read_text()
    result = cli("--root", str(sample_root), "update", OLD, "--title", "Somali mothers on parenting",
                 "--date", "2019-03-02", "--ladder", "co design", "--aim", "To shape family hubs")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    removed, added = changed_lines(before, path.read_text())
    assert added == [
        "title: Somali mothers on parenting",
        "aim: To shape family hubs",
        "date: 2019-03-02",
        "ladder: co-design",
    ]
    assert len(removed) == 5  # the aim was written over two lines


def test_consent_and_recognition(new_record, cli):
    root, rid = new_record
    path = record(root, rid)
    refused = cli("--root", str(root), "update", rid, "--rate", "£20")
    assert refused.exit_code == 2 and "--payment" in refused.stderr
    result = cli("--root", str(root), "update", rid, "--quotes", "--recontact-via",
                 "Leeds Carers Together office", "--payment", "vouchers", "--rate",
                 "£20 voucher per session", "--other", "training")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = path.read_text()
    assert 'recognition:\n  payment: vouchers\n  rate: "£20 voucher per session"\n' in text
    assert "  other: [training]\n" in text and "# recognition:" not in text
    assert (
        "  quotes: true\n  recontact: true\n  recontact_via: Leeds Carers Together office\n" in text
    )
    again = cli("--root", str(root), "update", rid, "--no-recontact", "--no-quotes")
    assert again.exit_code == 0, again.stderr
    text = path.read_text()
    assert "  quotes: false\n  recontact: false\n" in text and "recontact_via" not in text
    assert cli("--root", str(root), "validate").exit_code == 0


def test_body_sections_replace_the_guidance_and_keep_their_order(new_record, cli):
    root, rid = new_record
    path = record(root, rid)
    result = cli("--root", str(root), "update", rid, "--reflections", "Evenings work.",
                 "--summary", "An evening drop-in.\n\nTwo sessions.")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    body = path.read_text().split("\n---\n", 1)[1]
    assert "## Summary\n\nAn evening drop-in.\n\nTwo sessions.\n\n## What happened\n" in body
    assert body.endswith("## Reflections\n\nEvenings work.\n")
    assert "What went well, what did not" not in body  # the guidance comment went
    path.write_text(path.read_text().split("## Summary")[0])  # a record without sections
    cli("--root", str(root), "update", rid, "--reflections", "Evenings work.")
    cli("--root", str(root), "update", rid, "--summary", "An evening drop-in.")
    body = path.read_text().split("\n---\n", 1)[1]
    assert body.index("## Summary") < body.index("## Reflections")


def test_a_section_with_personal_data_is_refused_unechoed(new_record, cli):
    root, rid = new_record
    before = record(root, rid).read_bytes()
    result = cli("--root", str(root), "update", rid, "--summary", "Ring Jo on 07911 123456")
    assert result.exit_code == 1
    assert "07911" not in result.stderr and "phone" in result.stderr
    assert record(root, rid).read_bytes() == before


def test_one_finding_action_and_contributor(sample_root, cli):
    path = record(sample_root, LATER)
    before = path.read_text()
    result = cli("--root", str(sample_root), "update", LATER, "--action", "D2",
                 "--action-status", "in progress")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    removed, added = changed_lines(before, path.read_text())
    assert [line.strip() for line in added] == ["status: in-progress"]
    done = cli("--root", str(sample_root), "update", LATER, "--action", "d2",
               "--action-status", "done", "--action-date", "3/2/2025")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "date: 2025-02-03" in path.read_text()
    topics = cli("--root", str(sample_root), "update", LATER, "--finding", "S1",
                 "--finding-topic", "parenting")  # fmt: skip
    assert topics.exit_code == 0, topics.stderr
    unknown = cli("--root", str(sample_root), "update", LATER, "--finding", "S99", "--text", "x")
    assert unknown.exit_code == 1 and "S99" in unknown.stderr


def test_a_contributor_who_asks_is_no_longer_named(sample_root, cli):
    path = record(sample_root)
    result = cli("--root", str(sample_root), "update", OLD, "--contributor", "1",
                 "--credit", "anonymous")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = path.read_text()
    assert "Warsame-Ellery" not in text + result.stdout + result.stderr
    assert "- role: community researcher\n  credit: anonymous\n- role: participant" in text
    shown = cli("--root", str(sample_root), "show", OLD)
    assert "Warsame-Ellery" not in shown.stdout
    assert cli("--root", str(sample_root), "update", OLD, "--contributor", "9",
               "--credit", "anonymous").exit_code == 1  # fmt: skip


def test_rewording_a_revisited_finding_needs_yes(sample_root, cli):
    path = record(sample_root)
    before = path.read_bytes()
    result = cli("--root", str(sample_root), "update", OLD, "--finding", "S3", "--text",
                 "Fear of social services keeps families away")  # fmt: skip
    assert result.exit_code == 1
    assert LATER in " ".join(result.stderr.split())
    assert path.read_bytes() == before
    done = cli("--root", str(sample_root), "update", OLD, "--finding", "S3", "--text",
               "Fear of social services keeps families away", "--yes")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "text: Fear of social services keeps families away" in path.read_text()
    # a finding nobody revisited is reworded without a question
    new = cli("--root", str(sample_root), "add", "finding", OLD, "--text", "Evenings are better")
    finding_id = new.stdout.strip()
    quiet = cli("--root", str(sample_root), "update", OLD, "--finding", finding_id, "--text",
                "Evening groups are better")  # fmt: skip
    assert quiet.exit_code == 0, quiet.stderr


def test_at_a_terminal_rewording_asks(sample_root, private_cache):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, COPRO_CACHE_DIR=str(private_cache), COLUMNS="80", TERM="dumb")
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "copro",
            "--root",
            str(sample_root),
            "update",
            OLD,
            "--finding",
            "S3",
            "--text",
            "Fear of social services keeps families away",
        ],  # fmt: skip
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("revisited by")
    child.expect(LATER[:20])
    child.expect("Change the words anyway")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Fear of social services keeps families away" not in record(sample_root).read_text()


def test_a_new_date_that_breaks_a_later_revisit_is_refused(sample_root, cli):
    before = record(sample_root).read_bytes()
    result = cli("--root", str(sample_root), "update", OLD, "--date", "2025-01-01")
    assert result.exit_code == 1
    assert LATER in result.stderr
    assert record(sample_root).read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], 2),
        (["--date", "31/02/2019"], 2),
        (["--status", "finished"], 2),
        (["--participants", "lots"], 2),
        (["--topic", "nonsense-topic"], 2),
        (["--text", "x"], 2),
        (["--credit", "anonymous"], 2),
        (["--recontact-via", "x", "--no-recontact"], 2),
        (["--end-date", "2018-01-01"], 1),
    ],
)
def test_bad_values_write_nothing(sample_root, cli, args, code):
    before = record(sample_root).read_bytes()
    result = cli("--root", str(sample_root), "update", OLD, *args)
    assert result.exit_code == code, result.stderr
    assert record(sample_root).read_bytes() == before


def test_json_says_what_changed(sample_root, cli):
    result = cli("--root", str(sample_root), "update", OLD, "--participants", "40", "--json")
    document = json.loads(result.stdout)
    assert document["changed"] == ["participants set"] and document["written"] is True
    assert document["warnings"] == []


def test_a_new_date_after_a_statement_that_cites_the_record_is_refused(sample_root, cli):
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "consensus", sample_root / "consensus")
    rid = "2019-03-somali-mothers-parenting"  # S2 is evidence of a statement of 2022-11-14
    path = record(sample_root, rid)
    before = path.read_bytes()
    late = cli("--root", str(sample_root), "update", rid, "--date", "2023-01-01",
               "--end-date", "2023-02-01")  # fmt: skip
    assert late.exit_code == 1
    said = " ".join(late.stderr.split())
    assert "2022-11-women-interpreters-plain-letters" in said and "S2" in said
    assert "consensus-evidence-later" in said
    assert path.read_bytes() == before
    same_day = cli("--root", str(sample_root), "update", rid, "--date", "14 November 2022",
                   "--end-date", "2023-02-01")  # fmt: skip
    assert same_day.exit_code == 0, same_day.stderr
    assert cli("--root", str(sample_root), "validate").exit_code == 0
