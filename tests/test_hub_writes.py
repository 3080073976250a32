"""A hub reads its members and writes to none of them; what it shows names its members.

Real member repositories, a real ``hub sync``, the CLI end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_hub
from test_hub import SECOND, commit_all, lock_of, make_member, sync, write_hub

from conftest import NEW_OPTIONS, run_cli, write_record

area = test_hub.area  # the two members and the hub of the hub tests


def _hub_files(hub: Path) -> list[str]:
    return sorted(str(p.relative_to(hub)) for p in hub.rglob("*") if ".git" not in p.parts)


WRITES = [
    ["new", "--title", "Parenting again", *NEW_OPTIONS, "--yes"],
    ["revisit", "2019-03-somali-mothers-parenting", "--yes", "--date", "2025-01-01"],
    ["add", "finding", "2019-03-somali-mothers-parenting", "--text", "More was said."],
    [
        "add",
        "action",
        "2019-03-somali-mothers-parenting",
        "--responds-to",
        "S1",
        "--status",
        "planned",
        "--text",
        "Ask again.",
    ],  # fmt: skip
    ["update", "2019-03-somali-mothers-parenting", "--participants", "9"],
    ["import", "findings.csv", "--yes"],
    ["remove", "2019-03-somali-mothers-parenting", "--yes"],
    [
        "consensus",
        "draft",
        "--from",
        "2019-03-somali-mothers-parenting#S1",
        "--from",
        "2024-03-parenting-groups#S1",
        "--title",
        "Parenting",
    ],  # fmt: skip
]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: " ".join(a[:2]))
def test_writes_through_a_hub_root_are_refused_naming_the_members(
    area: dict[str, Path], args: list[str]
) -> None:
    hub = area["hub"]
    assert sync(hub).exit_code == 0
    (hub / "findings.csv").write_text("record_id,finding_id,finding\n", encoding="utf-8")
    before = _hub_files(hub)
    result = run_cli("--root", str(hub), *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    said = " ".join(result.stderr.split())
    assert "hub" in said
    assert f"islington-council ({area['council'].resolve()})" in said
    assert f"hiddo ({area['charity'].resolve()})" in said
    assert _hub_files(hub) == before
    assert not (hub / "archive").exists()


def test_a_hub_with_its_own_archive_still_writes_its_own_records(area: dict[str, Path]) -> None:
    hub = area["hub"]
    write_record(hub, "2025-02-hub-own-record")
    assert sync(hub).exit_code == 0
    result = run_cli("--root", str(hub), "update", "2025-02-hub-own-record", "--participants", "4")
    assert result.exit_code == 0, result.stderr


def test_a_hub_url_with_a_password_is_never_shown(tmp_path: Path) -> None:
    hub = write_hub(
        tmp_path / "hub",
        [("far", "https://someone:secret-token@git.example.org/far.git", "main")],
    )
    result = run_cli("--root", str(hub), "update", "2019-03-x", "--participants", "4")
    assert result.exit_code == 2
    assert "secret-token" not in result.stderr and "someone" not in result.stderr
    assert "https://git.example.org/far.git" in " ".join(result.stderr.split())


def test_a_topic_report_in_a_hub_names_the_member_of_every_record(
    area: dict[str, Path],
) -> None:
    assert sync(area["hub"]).exit_code == 0
    for fmt in ("md", "html"):
        result = run_cli(
            "--root", str(area["hub"]), "report", "--topic", "parenting", "--format", fmt
        )
        assert result.exit_code == 0, result.stderr
        text = " ".join(result.stdout.split())
        assert "hub member islington-council" in text
        assert "hub member hiddo" in text


def test_a_tampered_hub_lock_returns_to_the_last_passing_commit(area: dict[str, Path]) -> None:
    """hub.lock edited to pin a commit that failed the gate: the next sync goes back."""
    hub = area["hub"]
    assert sync(hub).exit_code == 0
    good = lock_of(hub)["islington-council"]["commit"]
    path = area["council"] / "archive/2019/2019-03-somali-mothers-parenting.md"
    path.write_text(path.read_text().replace("A small test", "Call 07911 123456 for a small test"))
    bad = commit_all(area["council"], "Oops")
    assert sync(hub).exit_code == 1
    assert lock_of(hub)["islington-council"]["commit"] == good
    lock = hub / "hub.lock"
    lock.write_text(lock.read_text().replace(good, bad), encoding="utf-8")
    result = sync(hub)
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert members["islington-council"]["commit"] == good, result.stdout
    assert lock_of(hub)["islington-council"]["commit"] == good
    assert "07911" not in result.stdout + result.stderr + lock.read_text()
    shown = run_cli(
        "--root", str(hub), "show", "islington-council:2019-03-somali-mothers-parenting"
    )
    assert shown.exit_code == 0 and "07911" not in shown.stdout


def test_a_hub_site_leaves_out_withdrawn_records_and_comments(tmp_path: Path) -> None:
    pytest.importorskip("pagefind", reason="copro site needs the site extra")
    council = make_member(tmp_path, "council", "2019-03-somali-mothers-parenting")
    guided = SECOND.format(id="2025-06-parenting-follow-up").replace(
        "---\n\n", "---\n\n<!-- Say what this engagement was for. -->\n\n", 1
    )
    write_record(council, "2025-06-parenting-follow-up", guided)
    gone = SECOND.format(id="2025-07-gone").replace("status: completed", "status: withdrawn")
    write_record(council, "2025-07-gone", gone)
    commit_all(council, "More")
    hub = write_hub(tmp_path / "hub", [("council", "../council", "main")])
    assert sync(hub).exit_code == 0
    result = run_cli("--root", str(hub), "site")
    assert result.exit_code == 0, result.stderr
    records = hub / "site" / "records" / "council"
    assert not (records / "2025-07-gone").exists()
    page = (records / "2025-06-parenting-follow-up" / "index.html").read_text()
    assert "Say what this engagement" not in page
