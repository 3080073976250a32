"""``copro add`` and ``copro update``: byte-preserving edits, checked before they are written."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conftest import write_record
from copro.core.edit import RecordText
from copro.core.errors import CoproError
from copro.write.changes import open_record, write_changes
from copro.write.record_edits import add_finding

RID = "2019-03-somali-mothers-parenting"

# A hand-written record with everything a round-trip library would disturb:
# CRLF line ends, a BOM, comments, odd quoting, a long wrapped line, flow lists.
AWKWARD = (
    "\ufeff---\r\n"
    "id: 2024-03-awkward-layout   # the id\r\n"
    "title: 'Awkward: quoted title'\r\n"
    "status: planned\r\n"
    "date: 2024-03-01\r\n"
    "organisations:\r\n"
    '    -   name: "Test Trust"\r\n'
    "        sector: nhs\r\n"
    "        role: lead\r\n"
    "places: [camden]\r\n"
    "methods: [workshop]\r\n"
    "ladder: consultation\r\n"
    "populations: [carers]\r\n"
    "topics: [parenting]    # keep this comment\r\n"
    "you_said:\r\n"
    "    -   id: S1\r\n"
    "        text: >-\r\n"
    "          Groups at school pick-up\r\n"
    "          time do not work.\r\n"
    "    -   id: S3\r\n"
    "        text: A very long finding that goes on and on past the line width a dumper would\r\n"
    "          use, wrapped by hand.\r\n"
    "# a comment between fields\r\n"
    "consent: {quotes: false, recontact: false}\r\n"
    "---\r\n"
    "\r\n"
    "Body stays   exactly as   it was.\r\n"
)


def awkward_root(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "awk"
    (root / "archive").mkdir(parents=True)
    path = write_record(root, "2024-03-awkward-layout", AWKWARD.encode("utf-8"))
    return root, path


def test_add_finding_prints_next_id_and_only_inserts_lines(sample_root, cli):
    path = sample_root / "archive" / "2019" / f"{RID}.md"
    before = path.read_text(encoding="utf-8").split("\n")
    result = cli(
        "--root",
        str(sample_root),
        "add",
        "finding",
        RID,
        "--text",
        "We want to see the same worker each time",
        "--topic",
        "Mental health",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "S5"
    after = path.read_text(encoding="utf-8").split("\n")
    at = after.index("- id: S5")
    assert after[at : at + 3] == [
        "- id: S5",
        "  text: We want to see the same worker each time",
        "  topics: [mental-health]",
    ]
    assert after[:at] + after[at + 3 :] == before  # every other line kept, in order
    assert after[at + 3] == "we_did:"  # right after the last finding
    assert cli("--root", str(sample_root), "validate").exit_code == 0


def test_edits_keep_every_other_byte_of_an_awkward_file(tmp_path, cli):
    root, path = awkward_root(tmp_path)
    assert cli("--root", str(root), "validate").exit_code == 0
    steps = [
        ("add", "finding", "2024-03-awkward-layout", "--text", "Mornings suit us better: after 10"),
        ("update", "2024-03-awkward-layout", "--status", "completed", "--end-date", "2024-04-01"),
        (
            "add",
            "action",
            "2024-03-awkward-layout",
            "--responds-to",
            "S4",
            "--status",
            "not-doing",
            "--text",
            "Evening groups",
            "--reason",
            "No staff in the evening",
        ),
        (
            "add",
            "decision",
            "2024-03-awkward-layout",
            "--text",
            "Move the group",
            "--made-by",
            "joint",
        ),
    ]
    for step in steps:
        result = cli("--root", str(root), *step)
        assert result.exit_code == 0, result.stderr
    expected = (
        AWKWARD.replace("status: planned", "status: completed")
        .replace("date: 2024-03-01\r\n", "date: 2024-03-01\r\nend_date: 2024-04-01\r\n")
        .replace(
            "          use, wrapped by hand.\r\n",
            "          use, wrapped by hand.\r\n"
            "    -   id: S4\r\n"
            '        text: "Mornings suit us better: after 10"\r\n'
            "we_did:\r\n"
            "    - id: D1\r\n"
            "      responds_to: [S4]\r\n"
            "      status: not-doing\r\n"
            "      text: Evening groups\r\n"
            "      reason: No staff in the evening\r\n"
            "decisions:\r\n"
            "    - text: Move the group\r\n"
            "      made_by: joint\r\n",
        )
    )
    assert path.read_bytes() == expected.encode("utf-8")
    assert cli("--root", str(root), "validate").exit_code == 0


def test_next_finding_id_skips_gaps_and_ids_named_by_revisits(tmp_path):
    root, _ = awkward_root(tmp_path)  # has S1 and S3: the next is S4, never S2
    assert add_finding(root, "2024-03-awkward-layout", "First", dry_run=True).item_id == "S4"
    later = write_record(root, "2025-01-later-record")
    later.write_text(
        later.read_text(encoding="utf-8") + "\nWe went back to 2024-03-awkward-layout#S7.\n",
        encoding="utf-8",
    )
    assert add_finding(root, "2024-03-awkward-layout", "First", dry_run=True).item_id == "S8"


def test_personal_data_is_refused_not_echoed_and_nothing_written(sample_root, cli):
    path = sample_root / "archive" / "2019" / f"{RID}.md"
    before = path.read_bytes()
    result = cli(
        "--root",
        str(sample_root),
        "add",
        "finding",
        RID,
        "--text",
        "Ring Amina on 07911 123456 about it",
    )
    assert result.exit_code == 1
    assert "pii-phone" in result.stderr
    assert "07911" not in result.stdout + result.stderr
    assert path.read_bytes() == before


def test_invalid_change_exits_1_and_leaves_the_file(sample_root, cli):
    path = sample_root / "archive" / "2019" / f"{RID}.md"
    before = path.read_bytes()
    result = cli("--root", str(sample_root), "update", RID, "--end-date", "2001-01-01")
    assert result.exit_code == 1
    assert "end_date" in result.stderr
    assert path.read_bytes() == before


def test_missing_options_exit_2_naming_every_one(sample_root, cli):
    result = cli("--root", str(sample_root), "add", "action", RID, "--status", "done")
    assert result.exit_code == 2
    assert "--responds-to" in result.stderr and "--text" in result.stderr
    assert "--date" in result.stderr
    result = cli("--root", str(sample_root), "add", "contributor", RID)
    assert result.exit_code == 2
    assert "--role" in result.stderr and "--credit" in result.stderr
    bad = cli(
        "--root",
        str(sample_root),
        "add",
        "action",
        RID,
        "--responds-to",
        "S1",
        "--status",
        "finished",
        "--text",
        "x",
    )
    assert bad.exit_code == 2 and "planned" in bad.stderr


def test_unknown_record_exits_1(sample_root, cli):
    result = cli(
        "--root", str(sample_root), "update", "2019-03-no-such-record", "--status", "active"
    )
    assert result.exit_code == 1
    assert "no record" in result.stderr


def test_anonymous_contributor_name_is_refused(sample_root, cli):
    result = cli(
        "--root",
        str(sample_root),
        "add",
        "contributor",
        RID,
        "--role",
        "parent",
        "--credit",
        "anonymous",
        "--name",
        "Hodan Qorane",
    )
    assert result.exit_code == 2
    assert "Hodan" not in result.stderr


def test_a_record_changed_on_disk_since_read_is_never_overwritten(sample_root):
    import copy

    from copro.write.changes import Change

    opened = open_record(sample_root, RID)
    editor = RecordText(opened.data, opened.relpath)
    editor.set_field("status", "active")
    change = Change(opened, editor.result(), copy.deepcopy(opened.record.meta))
    elsewhere = opened.data.replace(b"## Summary", b"## Summary\n\nEdited by hand meanwhile.")
    opened.path.write_bytes(elsewhere)
    with pytest.raises(CoproError, match="changed on disk"):
        write_changes(sample_root, [change])
    assert opened.path.read_bytes() == elsewhere


def test_two_writers_wait_for_each_other(sample_root):
    from copro.core.fileio import archive_lock

    holder = archive_lock(sample_root.resolve())
    holder.__enter__()
    done: list[str] = []
    worker = threading.Thread(
        target=lambda: done.append(str(add_finding(sample_root, RID, "Waited").item_id))
    )
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive() and not done  # still waiting for the other writer
    holder.__exit__(None, None, None)
    worker.join(timeout=30)
    assert done == ["S5"]


def test_fresh_record_from_new_takes_findings_and_actions(sample_root, cli):
    created = cli(
        "--root",
        str(sample_root),
        "new",
        "--title",
        "Young people design sprint",
        "--date",
        "2026-01-20",
        "--lead",
        "Harbour Lane Trust",
        "--lead-sector",
        "nhs",
        "--place",
        "camden",
        "--method",
        "workshop",
        "--ladder",
        "co-design",
        "--population",
        "young-people",
        "--topic",
        "mental-health",
        "--yes",
    )
    assert created.exit_code == 0, created.stderr
    rid = "2026-01-young-people-design-sprint"
    path = sample_root / created.stdout.strip()
    before = path.read_text(encoding="utf-8").replace(
        "\nstatus: planned\n", "\nstatus: completed\n"
    )
    before = before.split("\n")
    assert (
        cli(
            "--root", str(sample_root), "add", "finding", rid, "--text", "Same worker each time"
        ).stdout.strip()
        == "S1"
    )
    action = cli(
        "--root",
        str(sample_root),
        "add",
        "action",
        rid,
        "--responds-to",
        "S1",
        "--status",
        "done",
        "--date",
        "2026-09-01",
        "--text",
        "Named worker for every young person",
    )
    assert action.stdout.strip() == "D1"
    assert (
        cli(
            "--root",
            str(sample_root),
            "update",
            rid,
            "--status",
            "completed",
            "--end-date",
            "2026-03-31",
            "--participants",
            "12",
        ).exit_code
        == 0
    )
    after = path.read_text(encoding="utf-8").split("\n")
    # every line of the template is kept, except the commented examples of the fields set
    examples = ["# end_date: YYYY-MM-DD", "# participants: 0"]
    assert [line for line in after if line in before] == [b for b in before if b not in examples]
    assert "# you_said:" in after  # the commented guidance of other fields is still there
    assert cli("--root", str(sample_root), "validate").exit_code == 0


def test_prompts_at_a_terminal_with_numbered_choices(sample_root, cli):
    result = cli(
        "--root",
        str(sample_root),
        "add",
        "action",
        RID,
        "--interactive",
        input="S1, s2\n3\nA weekly drop-in with a named worker\n\n",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "D4"
    text = (sample_root / "archive" / "2019" / f"{RID}.md").read_text(encoding="utf-8")
    assert "  responds_to: [S1, S2]\n  status: done\n" in text
    finding = cli(
        "--root",
        str(sample_root),
        "add",
        "finding",
        RID,
        "--interactive",
        input="Childcare during sessions\nparenting\nn\n",
    )
    assert finding.exit_code == 0, finding.stderr
    assert "S5" in finding.stdout.split()


def test_record_id_completion(sample_root, monkeypatch):
    from copro.cli.completion import complete_record_ids

    monkeypatch.chdir(sample_root)
    assert complete_record_ids("2019-03") == [RID]


def test_add_finding_revisiting_an_earlier_one_and_feedback(sample_root, cli):
    later = "2024-04-somali-mothers-parenting-follow-up"
    ok = cli(
        "--root",
        str(sample_root),
        "add",
        "finding",
        later,
        "--text",
        "Still true",
        "--revisits",
        "2019-10-young-carers-survey#S1",
        "--outcome",
        "still holds",
    )
    assert ok.exit_code == 0, ok.stderr
    text = (sample_root / "archive" / "2024" / f"{later}.md").read_text(encoding="utf-8")
    assert (
        '  revisits:\n  - finding: "2019-10-young-carers-survey#S1"\n    outcome: still-holds\n'
        in text
    )
    bad = cli(
        "--root",
        str(sample_root),
        "add",
        "finding",
        later,
        "--text",
        "Gone",
        "--revisits",
        f"{RID}#S99",
        "--outcome",
        "changed",
    )
    assert bad.exit_code == 1 and "revisit-unknown" in bad.stderr
    fed = cli(
        "--root",
        str(sample_root),
        "add",
        "feedback",
        RID,
        "--date",
        "2026-10-02",
        "--channel",
        "youth forum",
    )
    assert fed.exit_code == 0, fed.stderr
    assert cli("--root", str(sample_root), "validate").exit_code == 0
