"""A hub that reads no member yet says so where nothing matched (hub.yml, hub sync),
instead of looking like an empty archive."""

from __future__ import annotations

import pytest


@pytest.fixture
def new_hub(tmp_path, cli):
    hub = tmp_path / "hub"
    assert cli("hub", "init", str(hub)).exit_code == 0
    return hub


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["search", "parenting"], 1),
        (["search", "--json"], 1),
        (["findings"], 1),
        (["themes"], 1),
        (["consensus", "list"], 1),
        (["report", "--topic", "parenting"], 1),
        (["review"], 0),
        (["stats"], 0),
        (["export"], 0),
    ],
)
def test_an_empty_hub_points_to_hub_yml_and_hub_sync(new_hub, cli, args, code):
    done = cli("--root", str(new_hub), *args)
    assert done.exit_code == code, done.stderr
    said = " ".join(done.stderr.split())
    assert "no members yet" in said and "hub.yml" in said and "`copro hub sync`" in said
    if "--json" in args:
        assert done.stdout.startswith("{") and "hub.yml" not in done.stdout


def test_a_member_named_but_not_synced_is_named(new_hub, cli):
    (new_hub / "hub.yml").write_text(
        "members:\n- name: leeds-carers\n  url: ../leeds\n  rev: main\n"
    )
    done = cli("--root", str(new_hub), "findings")
    assert done.exit_code == 1
    said = " ".join(done.stderr.split())
    assert "1 of the 1 members hub.yml names (leeds-carers)" in said
    assert "run `copro hub sync`" in said


def test_a_plain_archive_that_matches_nothing_says_only_that(sample_root, cli):
    done = cli("--root", str(sample_root), "search", "zebra crossings")
    assert done.exit_code == 1
    assert "hub" not in done.stderr
