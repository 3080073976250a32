"""``copro hub init [DIR]``: a hub root written for you, ready for members."""

from __future__ import annotations

import subprocess

from conftest import git_init, write_record


def test_hub_init_writes_a_hub_that_syncs_and_a_member_can_be_added(tmp_path, cli, empty_root):
    hub = tmp_path / "ncl-hub"
    result = cli("hub", "init", str(hub))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(hub)
    assert "/site/" in (hub / ".gitignore").read_text()
    assert sorted(p.name for p in (hub / "schemas" / "vocab").iterdir()) == [
        "methods.yml", "places.yml", "populations.yml", "topics.yml",
    ]  # fmt: skip
    assert (hub / ".git").is_dir()
    text = (hub / "hub.yml").read_text()
    assert "# - name: islington-council" in text
    empty = cli("--root", str(hub), "hub", "sync")
    assert empty.exit_code == 0  # no members yet: fine, and it says what to do
    said = " ".join(empty.stderr.split())
    assert "no members yet" in said and "hub.yml" in said and "Fetching 0" not in said
    write_record(empty_root, "2024-03-carers-drop-in")
    git_init(empty_root)
    member = f"- name: leeds-carers\n  url: {empty_root}\n  rev: main\n"
    (hub / "hub.yml").write_text(text.replace("members:\n", "members:\n" + member, 1))
    synced = cli("--root", str(hub), "hub", "sync", "--json")
    assert synced.exit_code == 0, synced.stderr
    import json

    (member_state,) = json.loads(synced.stdout)["members"]
    assert member_state["name"] == "leeds-carers" and member_state["passed"] is True


def test_hub_init_refuses_an_existing_hub_and_keeps_an_archives_files(tmp_path, cli, sample_root):
    hub = tmp_path / "hub2"
    assert cli("hub", "init", str(hub)).exit_code == 0
    before = (hub / "hub.yml").read_bytes()
    again = cli("hub", "init", str(hub))
    assert again.exit_code == 1 and "hub.yml" in again.stderr
    assert (hub / "hub.yml").read_bytes() == before
    vocab = (sample_root / "schemas" / "vocab" / "places.yml").read_bytes()
    in_archive = cli("hub", "init", str(sample_root))
    assert in_archive.exit_code == 0, in_archive.stderr
    assert (sample_root / "schemas" / "vocab" / "places.yml").read_bytes() == vocab
    assert "kept    schemas/vocab/places.yml" in in_archive.stderr


def test_hub_init_defaults_to_the_current_folder(tmp_path):
    import os
    import sys

    folder = tmp_path / "here"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "copro", "hub", "init"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    assert (folder / "hub.yml").is_file()
