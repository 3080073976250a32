"""A hub of real member repositories in tmp_path: sync, lock, fallback and hostile members."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conftest import VALID_RECORD, git, run_cli, write_record
from copro.hub.hubfile import load_hub

SECOND = VALID_RECORD.replace("2024-03-01", "2025-06-01")


def make_member(base: Path, name: str, *ids: str) -> Path:
    """A member archive: a git repository with one commit holding ``ids``."""
    root = base / name
    (root / "archive").mkdir(parents=True)
    for record_id in ids or ("2024-03-parenting-groups",):
        write_record(root, record_id)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "Initial archive")
    return root


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def write_hub(hub: Path, members: list[tuple[str, str, str]] | str) -> Path:
    hub.mkdir(parents=True, exist_ok=True)
    if isinstance(members, str):
        text = members
    else:
        text = "members:\n" + "".join(
            f"- name: {name}\n  url: {url}\n  rev: {rev}\n" for name, url, rev in members
        )
    (hub / "hub.yml").write_text(text, encoding="utf-8")
    return hub


def sync(hub: Path, *extra: str):
    return run_cli("--root", str(hub), "hub", "sync", "--json", *extra)


def lock_of(hub: Path) -> dict[str, dict]:
    import yaml

    data = yaml.safe_load((hub / "hub.lock").read_text(encoding="utf-8"))
    return {m["name"]: m for m in data["members"]}


@pytest.fixture
def area(tmp_path: Path) -> dict[str, Path]:
    """Two members (a council and a charity) and a hub naming them by relative path."""
    council = make_member(tmp_path, "council", "2019-03-somali-mothers-parenting")
    charity = make_member(tmp_path, "charity", "2024-03-parenting-groups")
    hub = write_hub(
        tmp_path / "hub",
        [("islington-council", "../council", "main"), ("hiddo", str(charity), "main")],
    )
    return {"council": council, "charity": charity, "hub": hub}


def test_sync_locks_every_member_and_is_byte_identical_when_nothing_changed(area):
    result = sync(area["hub"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["members"]
    assert [list(m) for m in document["members"]] == [["name", "commit", "passed", "problems"]] * 2
    head = git(area["council"], "rev-parse", "HEAD").strip()
    lock = lock_of(area["hub"])
    assert lock["islington-council"] == {
        "name": "islington-council",
        "url": "../council",
        "rev": "main",
        "commit": head,
        "passed": True,
        "problems": 0,
    }
    before = (area["hub"] / "hub.lock").read_bytes()
    os.utime(area["hub"] / "hub.lock", ns=(1, 1))
    assert sync(area["hub"]).exit_code == 0
    assert (area["hub"] / "hub.lock").read_bytes() == before
    assert (area["hub"] / "hub.lock").stat().st_mtime_ns == 1  # not even rewritten
    assert not (area["hub"] / "archive").exists()  # nothing fetched into the hub folder


def test_new_upstream_commit_is_picked_up_by_the_next_sync(area):
    from copro.hub.sync import member_files

    assert sync(area["hub"]).exit_code == 0
    files = member_files(area["hub"].resolve(), "islington-council")
    unchanged = files.current / "archive/2019/2019-03-somali-mothers-parenting.md"
    inode = unchanged.stat().st_ino
    follow_up = SECOND.format(id="2025-06-parenting-follow-up")
    write_record(area["council"], "2025-06-parenting-follow-up", follow_up)
    new = commit_all(area["council"], "Follow-up")
    assert sync(area["hub"]).exit_code == 0
    assert lock_of(area["hub"])["islington-council"]["commit"] == new
    assert files.commit() == new
    assert (files.current / "archive/2025/2025-06-parenting-follow-up.md").is_file()
    assert unchanged.stat().st_ino == inode  # unchanged files are not rewritten
    cache = Path(os.environ["COPRO_CACHE_DIR"])
    assert not list(cache.glob("staging-*")) and not list(files.base.glob("staging-*"))


def test_only_what_changed_is_checked_again_but_records_naming_it_are_too(area):
    """A commit removing a record another one names fails, though the namer did not change."""
    follow_up = SECOND.format(id="2025-06-parenting-follow-up").replace(
        "consent:", "related: [2019-03-somali-mothers-parenting]\nconsent:"
    )
    write_record(area["council"], "2025-06-parenting-follow-up", follow_up)
    good = commit_all(area["council"], "Follow-up")
    assert sync(area["hub"]).exit_code == 0
    git(area["council"], "rm", "-q", "archive/2019/2019-03-somali-mothers-parenting.md")
    commit_all(area["council"], "Remove the earlier record")
    result = sync(area["hub"])
    assert result.exit_code == 1
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert members["islington-council"]["commit"] == good
    assert [(p["path"], p["code"]) for p in members["islington-council"]["problems"]] == [
        ("archive/2025/2025-06-parenting-follow-up.md", "reference-unknown")
    ]


def test_a_member_failing_its_gate_is_read_at_its_last_passing_commit(area):
    assert sync(area["hub"]).exit_code == 0
    good = lock_of(area["hub"])["islington-council"]["commit"]
    path = area["council"] / "archive/2019/2019-03-somali-mothers-parenting.md"
    path.write_text(path.read_text().replace("A small test", "Call 07911 123456 for a small test"))
    bad = commit_all(area["council"], "Oops")
    write_record(
        area["charity"],
        "2025-06-parenting-follow-up",
        SECOND.format(id="2025-06-parenting-follow-up"),
    )
    charity_new = commit_all(area["charity"], "More")
    result = sync(area["hub"])
    assert result.exit_code == 1
    assert "not brought up to date: islington-council" in result.stderr
    assert "07911" not in result.stdout + result.stderr + (area["hub"] / "hub.lock").read_text()
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert members["islington-council"]["commit"] == good != bad
    assert members["islington-council"]["passed"] is False
    assert [p["code"] for p in members["islington-council"]["problems"]] == ["pii-phone"]
    lock = lock_of(area["hub"])
    assert lock["islington-council"]["commit"] == good
    assert lock["islington-council"]["problems"] == 1
    assert lock["hiddo"]["commit"] == charity_new  # the others keep working
    text = run_cli("--root", str(area["hub"]), "hub", "sync")
    assert "behind" in text.stdout and "pii-phone" in text.stdout


@pytest.mark.parametrize(
    ("hub_yml", "expected"),
    [
        (
            "members:\n- {name: a, url: ../a, rev: main}\n- {name: a, url: ../b, rev: main}\n",
            "hub.yml:3: member name `a` is also used on line 2",
        ),
        (
            "members:\n- {name: Islington_Council, url: ../a, rev: main}\n",
            "hub.yml:2: member `name` must be kebab-case",
        ),
        ("members:\n- {name: a, rev: main}\n", "hub.yml:2: member 1 has no `url`"),
        ("members:\n- {name: a, url: ../a}\n", "hub.yml:2: member 1 has no `rev`"),
        ("members:\n- {name: a, url: --upload-pack=touch, rev: main}\n", "may not start with `-`"),
        (
            "members:\n- {name: a, url: 'ext::sh -c touch% MARKER', rev: main}\n",
            "spaces or control",
        ),
        (
            "members:\n- {name: a, url: 'ext::sh', rev: main}\n",
            "`<transport>::` addresses are refused",
        ),
        (
            "members:\n- {name: a, url: 'fd::3', rev: main}\n",
            "`<transport>::` addresses are refused",
        ),
        (
            "members:\n- {name: a, url: 'ssh://-oProxyCommand=x/r', rev: main}\n",
            "host name may not start",
        ),
        ("members:\n- {name: a, url: ../a, rev: --orphan}\n", "`rev` must be a branch"),
    ],
)
def test_bad_hub_yml_is_refused_before_git_runs(tmp_path, hub_yml, expected):
    hub = write_hub(tmp_path / "hub", hub_yml)
    result = sync(hub)
    assert result.exit_code == 1
    assert "copro: error:" in result.stderr and expected in result.stderr
    assert result.stdout == ""
    assert not (hub / "hub.lock").exists()


def test_urls_a_member_can_live_on_are_accepted(tmp_path):
    text = "members:\n" + "".join(
        f"- {{name: m{i}, url: '{url}', rev: main}}\n"
        for i, url in enumerate(
            [
                "../a",
                "/srv/a",
                "file:///srv/a",
                "https://example.org/a.git",
                "ssh://git@example.org/a",
                "git@example.org:org/a.git",
            ]
        )
    )
    assert len(load_hub(write_hub(tmp_path / "hub", text)).members) == 6


def test_unreachable_unknown_rev_and_non_archive_members_are_named_and_others_continue(
    area, tmp_path
):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "README.md").write_text("not an archive\n")
    git(plain, "init", "-q", "-b", "main")
    commit_all(plain, "Just a readme")
    write_hub(
        area["hub"],
        [
            ("islington-council", "../council", "main"),
            ("gone", "../no-such-repository", "main"),
            ("hiddo", "../charity", "v9"),
            ("plain", "../plain", "main"),
        ],
    )
    result = sync(area["hub"])
    assert result.exit_code == 1
    assert "not brought up to date: gone, hiddo, plain" in result.stderr
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert members["islington-council"]["passed"] is True
    assert [p["code"] for p in members["gone"]["problems"]] == ["hub-fetch-failed"]
    assert [p["code"] for p in members["hiddo"]["problems"]] == ["hub-rev-unknown"]
    assert [p["code"] for p in members["plain"]["problems"]] == ["hub-not-an-archive"]
    assert members["gone"]["problems"][0]["line"] == 5  # its entry in hub.yml
    lock = lock_of(area["hub"])
    assert lock["gone"]["commit"] is None and lock["hiddo"]["commit"] is None


def test_tags_and_commits_resolve_to_the_commit_they_name(area):
    first = git(area["charity"], "rev-parse", "HEAD").strip()
    git(area["charity"], "tag", "-a", "v2026.11", "-m", "Release")
    write_record(
        area["charity"],
        "2025-06-parenting-follow-up",
        SECOND.format(id="2025-06-parenting-follow-up"),
    )
    commit_all(area["charity"], "After the tag")
    council_head = git(area["council"], "rev-parse", "HEAD").strip()
    write_hub(
        area["hub"], [("hiddo", "../charity", "v2026.11"), ("council", "../council", council_head)]
    )
    assert sync(area["hub"]).exit_code == 0
    lock = lock_of(area["hub"])
    assert lock["hiddo"]["commit"] == first and lock["council"]["commit"] == council_head


def test_a_member_vocabulary_cycle_fails_that_member_only(area):
    vocab = area["charity"] / "schemas/vocab"
    vocab.mkdir(parents=True)
    shipped = Path(__file__).resolve().parent.parent / "schemas/vocab"
    for name in ("populations", "places", "methods", "topics"):
        (vocab / f"{name}.yml").write_text((shipped / f"{name}.yml").read_text())
    (vocab / "topics.yml").write_text(
        (shipped / "topics.yml").read_text()
        + "- id: loop-a\n  label: Loop A\n  broader: loop-b\n- id: loop-b\n  label: Loop B\n  broader: loop-a\n"
    )
    commit_all(area["charity"], "Vocabulary with a cycle")
    result = sync(area["hub"])
    assert result.exit_code == 1
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert {p["code"] for p in members["hiddo"]["problems"]} == {"vocab-cycle"}
    assert members["hiddo"]["commit"] is None  # it never passed: left out
    assert members["islington-council"]["passed"] is True


def test_nothing_of_a_member_ever_runs(area, tmp_path, monkeypatch):
    """Hooks (committed, configured, global), submodules and filters of a member stay inert."""
    marker = tmp_path / "MARKER"
    script = f"#!/bin/sh\ntouch {marker}\n"
    sub = make_member(tmp_path, "sub", "2024-03-parenting-groups")
    member = area["charity"]
    hooks = ("post-checkout", "post-merge", "reference-transaction", "pre-auto-gc", "post-rewrite")

    def install(*folders: Path) -> None:
        for folder in folders:
            folder.mkdir(exist_ok=True)
            for hook in hooks:
                (folder / hook).write_text(script)
                (folder / hook).chmod(0o755)

    install(member / ".githooks", member / "hooks")  # committed hooks folders
    (member / ".gitattributes").write_text("* filter=evil\n")
    git(
        member,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(sub),
        "archive/2024/sub",
    )
    commit_all(member, "Hooks, a filter and a submodule")
    install(member / ".git/hooks", sub / ".git/hooks")  # the member's own, live hooks
    git(member, "config", "core.hooksPath", ".githooks")
    assert not marker.exists()
    global_config = tmp_path / "gitconfig"
    global_config.write_text(
        f'[core]\n\thooksPath = .githooks\n[filter "evil"]\n\tsmudge = touch {marker}\n\tclean = cat\n'
        "[submodule]\n\trecurse = true\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))
    result = sync(area["hub"])
    assert not marker.exists()
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert [(p["path"], p["code"]) for p in members["hiddo"]["problems"]] == [
        ("archive/2024/sub", "file-not-a-record")
    ]
    cache = Path(os.environ["COPRO_CACHE_DIR"])
    assert not [p for p in cache.rglob("*") if p.is_file() and p.stat().st_mode & stat.S_IXUSR]


def revisiting_the_council() -> str:
    """The charity's record whose finding revisits the council's S1."""
    return SECOND.format(id="2025-06-parenting-follow-up").replace(
        "    text: Groups at school pick-up time do not work.\n",
        "    text: Still true.\n    revisits:\n"
        "    - finding: islington-council:2019-03-somali-mothers-parenting#S1\n"
        "      outcome: still-holds\n",
    )


def test_cross_member_revisits_are_checked_at_sync(area):
    assert sync(area["hub"]).exit_code == 0
    text = revisiting_the_council()
    write_record(area["charity"], "2025-06-parenting-follow-up", text)
    good = commit_all(area["charity"], "Revisit the council's finding")
    result = sync(area["hub"])
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert members["hiddo"]["problems"] == [], members["hiddo"]["problems"]
    assert result.exit_code == 0, result.stdout
    assert members["hiddo"]["commit"] == good
    write_record(area["charity"], "2025-06-parenting-follow-up", text.replace("#S1", "#S7"))
    commit_all(area["charity"], "Broken revisit")
    result = sync(area["hub"])
    assert result.exit_code == 1
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert members["hiddo"]["commit"] == good
    assert [p["code"] for p in members["hiddo"]["problems"]] == ["revisit-unknown"]


def test_a_revisit_kept_from_an_earlier_sync_is_checked_against_the_other_members_new_commit(
    area,
):
    """A member that did not change is not checked again, but its revisits of another
    member are (the gate result kept in the cache holds them): when the member revisited
    drops the finding, the revisiting member fails at the next sync."""
    text = revisiting_the_council()
    write_record(area["charity"], "2025-06-parenting-follow-up", text)
    commit_all(area["charity"], "Revisit the council's finding")
    assert sync(area["hub"]).exit_code == 0
    again = sync(area["hub"])  # nothing changed: every gate result comes from the cache
    assert again.exit_code == 0, again.stdout
    record = area["council"] / "archive" / "2019" / "2019-03-somali-mothers-parenting.md"
    renumbered = record.read_text(encoding="utf-8").replace("id: S1", "id: S2")
    record.write_text(renumbered.replace("responds_to: [S1]", "responds_to: [S2]"))
    commit_all(area["council"], "Renumber the finding")
    result = sync(area["hub"])
    members = {m["name"]: m for m in json.loads(result.stdout)["members"]}
    assert result.exit_code == 1, result.stdout
    assert [p["code"] for p in members["hiddo"]["problems"]] == ["revisit-unknown"]
    assert members["islington-council"]["passed"] is True


def test_unmapped_member_terms_are_warned_about(area):
    vocab = area["charity"] / "schemas/vocab"
    vocab.mkdir(parents=True)
    shipped = Path(__file__).resolve().parent.parent / "schemas/vocab"
    for name in ("populations", "places", "methods"):
        (vocab / f"{name}.yml").write_text((shipped / f"{name}.yml").read_text())
    (vocab / "topics.yml").write_text(
        "terms:\n- id: parenting\n  label: Parenting\n"
        "- id: bringing-up-children\n  label: Bringing up children\n  same_as: parenting\n"
        "- id: school-run\n  label: The school run\n"
    )
    path = area["charity"] / "archive/2024/2024-03-parenting-groups.md"
    path.write_text(
        path.read_text().replace(
            "topics: [parenting]", "topics: [school-run, bringing-up-children]"
        )
    )
    commit_all(area["charity"], "Own terms")
    result = run_cli("--root", str(area["hub"]), "hub", "sync")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "school-run" in result.stderr and "hub-vocab-unmapped" in result.stderr
    assert "bringing-up-children" not in result.stderr


# ---------------------------------------------------------------- reading across members


@pytest.fixture
def synced(area):
    """The area hub synced, the charity's record led by the charity and revisiting the council."""
    text = (
        SECOND.format(id="2025-06-parenting-follow-up")
        .replace("Test Trust", "Hiddo Women's Association")
        .replace("sector: nhs", "sector: voluntary")
        .replace("title: Test engagement about parenting", "title: Somali parenting revisited")
        .replace("consent:", "review_by: 2025-12-01\nrelated: [2024-03-parenting-groups]\nconsent:")
        .replace(
            "    text: Groups at school pick-up time do not work.\n",
            "    text: Pick-up time groups still do not work.\n    revisits:\n"
            "    - finding: islington-council:2019-03-somali-mothers-parenting#S1\n"
            "      outcome: still-holds\n",
        )
    )
    write_record(area["charity"], "2025-06-parenting-follow-up", text)
    write_record(
        area["charity"], "2019-03-somali-mothers-parenting"
    )  # the same id as the council's
    commit_all(area["charity"], "Follow-up")
    assert sync(area["hub"]).exit_code == 0
    return area


def test_search_reads_every_member_and_names_it(synced):
    hub = str(synced["hub"])
    write_record(synced["hub"], "2023-01-hub-own-parenting")  # the hub's own archive/
    result = run_cli("--root", hub, "search", "parenting", "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)["results"]
    assert {h["id"] for h in hits} == {
        "islington-council:2019-03-somali-mothers-parenting",
        "hiddo:2019-03-somali-mothers-parenting",
        "hiddo:2025-06-parenting-follow-up",
        "hiddo:2024-03-parenting-groups",
        "2023-01-hub-own-parenting",
    }
    assert all(
        list(h) == ["kind", "id", "title", "date", "path", "score", "snippet", "member"]
        for h in hits
    )
    assert {h["member"] for h in hits} == {"islington-council", "hiddo", None}
    assert all(h["path"].startswith("archive/") for h in hits)
    narrowed = json.loads(
        run_cli(
            "--root", hub, "search", "parenting", "--member", "islington-council", "--json"
        ).stdout
    )
    assert [h["member"] for h in narrowed["results"]] == ["islington-council"]
    unknown = run_cli("--root", hub, "search", "parenting", "--member", "nobody")
    assert unknown.exit_code == 2 and "not a member of this hub" in unknown.stderr


def test_an_id_in_two_members_must_be_qualified(synced):
    hub = str(synced["hub"])
    both = run_cli("--root", hub, "show", "2019-03-somali-mothers-parenting")
    assert both.exit_code == 1
    assert "islington-council:2019-03-somali-mothers-parenting" in both.stderr
    assert "hiddo:2019-03-somali-mothers-parenting" in both.stderr
    one = run_cli("--root", hub, "show", "hiddo:2019-03-somali-mothers-parenting", "--json")
    assert (
        one.exit_code == 0
        and json.loads(one.stdout)["id"] == "hiddo:2019-03-somali-mothers-parenting"
    )
    only_one = run_cli("--root", hub, "show", "2025-06-parenting-follow-up", "--json")
    assert json.loads(only_one.stdout)["id"] == "hiddo:2025-06-parenting-follow-up"
    text = run_cli("--root", hub, "show", "hiddo:2025-06-parenting-follow-up").stdout
    assert "Test engagement about parenting" in text  # the title of the member's own related
    named = json.loads(
        run_cli("--root", hub, "show", "hiddo:2024-03-parenting-groups", "--json").stdout
    )
    assert [r["id"] for r in named["related_from"]] == ["hiddo:2025-06-parenting-follow-up"]


def test_a_finding_revisited_by_another_member_names_who_checked_it(synced):
    hub = str(synced["hub"])
    result = run_cli("--root", hub, "findings", "--member", "islington-council", "--json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["findings"]
    assert row["record_id"] == "islington-council:2019-03-somali-mothers-parenting"
    assert row["member"] == "islington-council"
    assert row["standing"] == "still-holds"
    assert row["revisited_by"] == [
        {
            "finding": "hiddo:2025-06-parenting-follow-up#S1",
            "date": "2025-06-01",
            "outcome": "still-holds",
        }
    ]
    text = run_cli("--root", hub, "findings", "--member", "islington-council")
    assert "still holds, checked June 2025 by Hiddo Women's Association" in text.stdout
    alike = run_cli("--root", hub, "similar", "hiddo:2025-06-parenting-follow-up#S1", "--json")
    assert alike.exit_code == 0, alike.stderr
    found = {r["finding"] for r in json.loads(alike.stdout)["results"]}
    assert "islington-council:2019-03-somali-mothers-parenting#S1" in found
    assert not any(f.startswith("hiddo:2025-06-parenting-follow-up#") for f in found)


def test_reading_commands_narrow_to_members(synced):
    hub = str(synced["hub"])
    due = ["review", "--as-of", "2026-11-01", "--json", "--member"]
    review = json.loads(run_cli("--root", hub, *due, "hiddo").stdout)
    assert ("hiddo", "review-due") in [(i["member"], i["kind"]) for i in review["items"]]
    assert {i["member"] for i in review["items"]} == {"hiddo"}
    council = json.loads(run_cli("--root", hub, *due, "islington-council").stdout)["items"]
    assert {i["member"] for i in council} == {"islington-council"}
    stats = json.loads(
        run_cli("--root", hub, "stats", "--member", "islington-council", "--json").stdout
    )
    assert stats["records"] == 1
    csv_text = run_cli("--root", hub, "export", "--member", "hiddo").stdout
    header, *rows = csv_text.splitlines()
    assert header.endswith(",member") and rows and all(r.endswith(",hiddo") for r in rows)
    report = run_cli(
        "--root", hub, "report", "--topic", "parenting", "--member", "islington-council"
    )
    assert report.exit_code == 0 and "Pick-up time groups" not in report.stdout
    assert run_cli("--root", hub, "themes", "--member", "nobody").exit_code == 2
    one = run_cli(
        "--root",
        hub,
        "report",
        "islington-council:2019-03-somali-mothers-parenting",
        "--audience",
        "staff",  # the participants' letter leaves out paths and commits
    )
    pinned = lock_of(synced["hub"])["islington-council"]["commit"]
    source = "`islington-council:archive/2019/2019-03-somali-mothers-parenting.md`"
    assert f"Source: {source}, commit {pinned[:12]}" in one.stdout  # traceable to hub.lock


def test_member_terms_mean_hub_terms_and_only_a_changed_member_is_reindexed(synced):
    hub, charity = synced["hub"], synced["charity"]
    assert run_cli("--root", str(hub), "index").exit_code == 0
    vocab = charity / "schemas/vocab"
    vocab.mkdir(parents=True)
    shipped = Path(__file__).resolve().parent.parent / "schemas/vocab"
    for name in ("populations", "places", "methods"):
        (vocab / f"{name}.yml").write_text((shipped / f"{name}.yml").read_text())
    (vocab / "topics.yml").write_text(
        (shipped / "topics.yml").read_text()
        + "- id: bringing-up-children\n  label: Bringing up children\n  same_as: parenting\n"
        + "- id: school-run\n  label: The school run\n"
    )
    path = charity / "archive/2024/2024-03-parenting-groups.md"
    path.write_text(
        path.read_text().replace(
            "topics: [parenting]", "topics: [bringing-up-children, school-run]"
        )
    )
    commit_all(charity, "Own terms")
    assert sync(hub).exit_code == 0
    found = json.loads(
        run_cli("--root", str(hub), "search", "--topic", "parenting", "--json").stdout
    )
    assert "hiddo:2024-03-parenting-groups" in {h["id"] for h in found["results"]}
    shown = json.loads(
        run_cli("--root", str(hub), "show", "hiddo:2024-03-parenting-groups", "--json").stdout
    )
    assert shown["front_matter"]["topics"] == ["parenting", "hiddo:school-run"]
    # people read the member's own words, never the hub's internal id for them
    text = run_cli("--root", str(hub), "show", "hiddo:2024-03-parenting-groups").stdout
    assert "The school run" in text and "hiddo:school-run" not in text
    by_label = run_cli("--root", str(hub), "search", "--topic", "The school run", "--json")
    assert "hiddo:2024-03-parenting-groups" in {
        h["id"] for h in json.loads(by_label.stdout)["results"]
    }
    write_record(charity, "2025-07-one-more", SECOND.format(id="2025-07-one-more"))
    commit_all(charity, "One more")
    assert sync(hub).exit_code == 0
    refreshed = json.loads(run_cli("--root", str(hub), "index", "--json").stdout)
    assert refreshed["rebuilt"] is False and refreshed["added"] == 1 and refreshed["changed"] == 0


def test_the_users_own_git_config_decides_whether_local_members_may_be_fetched(area, monkeypatch):
    """copro never overrides protocol.file.allow: a user who forbids it gets a clear refusal."""
    config = area["hub"].parent / "gitconfig-no-file"
    config.write_text('[protocol "file"]\n\tallow = never\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    result = sync(area["hub"])
    assert result.exit_code == 1
    members = json.loads(result.stdout)["members"]
    assert {p["code"] for m in members for p in m["problems"]} == {"hub-fetch-failed"}
    assert all(m["commit"] is None for m in members)


def test_a_members_problem_is_wrapped_to_the_width_under_its_message(area):
    """hub sync's problem lines wrap like validate's: under the message, never past the width."""
    import subprocess
    import sys

    write_hub(
        area["hub"],
        [("islington-council", "../council", "main"), ("gone", "../no-such-repository", "main")],
    )
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(area["hub"]), "hub", "sync"],
        capture_output=True, text=True, env=dict(os.environ, COLUMNS="60"), timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 60 for line in lines), done.stdout
    first = next(i for i, line in enumerate(lines) if "hub-fetch-failed" in line)
    assert lines[first].startswith("  hub.yml:5  hub-fetch-failed"), lines
    assert lines[first + 1].startswith("      ") and lines[first + 1].strip(), lines
    assert all(len(line) <= 60 for line in done.stderr.splitlines()), done.stderr
