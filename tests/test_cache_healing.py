"""The index cache heals itself, and a cache that cannot work says so (exit 2), never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE_ARCHIVE, SAMPLE_VOCAB, limit_file_size, run_as_nobody
from copro.core.paths import cache_dir
from copro.store.index import MANIFEST, IndexStore


def search_json(cli, root: Path, *args: str) -> dict:
    result = cli("--root", str(root), "search", *args, "--json")
    document = json.loads(result.stdout)
    assert result.exit_code == (0 if document["total"] else 1), result.stderr  # 1: none matched
    return document


def generation(root: Path) -> Path:
    found = IndexStore(root).current_generation()
    assert found is not None
    return found


def test_current_copied_as_a_folder_heals(sample_root, cli):
    """``cp -rL`` of the cache (or a file system without symlinks) turns ``current`` into a folder."""
    assert search_json(cli, sample_root)["total"] == 15
    current = cache_dir(sample_root) / "current"
    target = generation(sample_root)
    current.unlink()
    shutil.copytree(target, current)
    for command in (("search", "parenting"), ("show", "2019-03-somali-mothers-parenting")):
        result = cli("--root", str(sample_root), *command)
        assert result.exit_code == 0, result.stderr
    assert not current.is_dir()
    assert search_json(cli, sample_root, "parenting")["total"] >= 2


@pytest.mark.parametrize(
    "shape",
    ["a-list", "no-files", "files-a-list", "entry-a-string", "entry-too-short", "built-at-text"],
)
def test_a_manifest_of_the_wrong_shape_means_rebuild(sample_root, cli, shape):
    assert search_json(cli, sample_root)["total"] == 15
    path = generation(sample_root) / MANIFEST
    manifest = json.loads(path.read_text())
    first = next(iter(manifest["files"]))
    if shape == "a-list":
        manifest = [manifest]
    elif shape == "no-files":
        del manifest["files"]
    elif shape == "files-a-list":
        manifest["files"] = list(manifest["files"])
    elif shape == "entry-a-string":
        manifest["files"][first] = "abc"
    elif shape == "entry-too-short":
        manifest["files"][first] = [1]
    elif shape == "built-at-text":
        manifest["built_at"] = "yesterday"
    path.write_text(json.dumps(manifest))
    (sample_root / "archive" / first.split("/", 1)[1]).touch()  # force a look at the entries
    assert search_json(cli, sample_root)["total"] == 15
    assert search_json(cli, sample_root, "parenting")["total"] >= 2


def test_a_cache_folder_that_cannot_be_created_exits_2(sample_root, cli, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COPRO_CACHE_DIR", str(blocker / "cache"))
    for command in (("search", "parenting"), ("show", "2019-03-somali-mothers-parenting")):
        result = cli("--root", str(sample_root), *command)
        assert result.exit_code == 2, result.stderr
        assert "COPRO_CACHE_DIR" in result.stderr and "copro: error:" in result.stderr


def test_a_bad_lock_timeout_names_the_variable(sample_root, cli, monkeypatch):
    for value in ("abc", "-1", "nan"):
        monkeypatch.setenv("COPRO_LOCK_TIMEOUT", value)
        result = cli("--root", str(sample_root), "index", "--rebuild")
        assert result.exit_code == 2, (value, result.stderr)
        assert "COPRO_LOCK_TIMEOUT" in result.stderr


def test_a_relative_cache_setting_never_puts_the_index_in_the_archive(
    sample_root, cli, tmp_path, monkeypatch
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("COPRO_CACHE_DIR")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    monkeypatch.chdir(sample_root)
    assert search_json(cli, sample_root, "parenting")["total"] >= 2
    assert not (sample_root / "relative-cache").exists()
    assert list((home / ".cache" / "copro").iterdir())  # the spec's default instead
    monkeypatch.setenv("COPRO_CACHE_DIR", "relative-cache")
    result = cli("search", "parenting")
    assert result.exit_code == 2 and "COPRO_CACHE_DIR" in result.stderr
    assert not (sample_root / "relative-cache").exists()


def test_a_build_that_runs_out_of_space_leaves_no_half_built_generation(sample_root, cli):
    """RLIMIT_FSIZE makes writes fail as a full disk does (a tmpfs needs root to mount)."""
    assert search_json(cli, sample_root)["total"] == 15
    kept = generation(sample_root)
    stale = cache_dir(sample_root) / "gen-0-dead00"  # left by a build killed earlier
    stale.mkdir()
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "copro", "--root", str(sample_root), "index", "--rebuild"],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            preexec_fn=limit_file_size(2048),
        )
        assert done.returncode == 2, done.stderr
        assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
        assert "COPRO_CACHE_DIR" in done.stderr
        assert sorted(cache_dir(sample_root).glob("gen-*")) == [kept]
    assert search_json(cli, sample_root, "parenting")["total"] >= 2


def test_a_read_only_cache_still_answers_and_says_why_it_cannot_update(world_dir):
    root = world_dir / "hub"
    shutil.copytree(SAMPLE_ARCHIVE, root / "archive")
    shutil.copytree(SAMPLE_VOCAB, root / "schemas" / "vocab")
    cache = world_dir / "cache"
    env = {"COPRO_CACHE_DIR": str(cache)}
    built = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(root), "index"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert built.returncode == 0, built.stderr  # built by root: read-only for user 65534
    done = run_as_nobody("--root", str(root), "search", "parenting", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] >= 2
    record = next((root / "archive").rglob("*.md"))
    record.write_text(record.read_text().replace("## Summary", "## Summary\n\nkiwifruit"))
    done = run_as_nobody("--root", str(root), "search", "kiwifruit", env=env)
    assert done.returncode == 2, done.stderr
    assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
    assert "COPRO_CACHE_DIR" in done.stderr


def test_a_word_repeated_a_thousand_times_is_no_index_damage(sample_root, cli):
    assert search_json(cli, sample_root)["total"] == 15
    before = generation(sample_root)
    result = search_json(cli, sample_root, " ".join(["parenting"] * 1000))
    assert result["total"] >= 2
    assert generation(sample_root) == before  # the query was answered, nothing rebuilt


def test_a_query_too_deep_for_whoosh_is_a_usage_error_not_a_rebuild(sample_root, cli):
    assert search_json(cli, sample_root)["total"] == 15
    before = generation(sample_root)
    result = cli("--root", str(sample_root), "search", "(" * 1000 + "parenting" + ")" * 1000)
    assert result.exit_code == 2, result.stderr
    assert "copro: error:" in result.stderr and "too many words" in result.stderr
    assert generation(sample_root) == before
