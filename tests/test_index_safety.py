"""The index survives being killed, two writers at once, and corrupted files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from conftest import REPO
from copro.core.paths import cache_dir
from copro.store.index import LOCK, IndexStore

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import generate  # noqa: E402


@pytest.fixture
def big_root(tmp_path) -> Path:
    root = tmp_path / "big"
    generate(root, 600)
    return root


EVERY_STATUS = [
    arg for s in ("planned", "active", "completed", "withdrawn") for arg in ("--status", s)
]


def search_total(cli, root, *args) -> int:
    """How many records the index answers for, withdrawn ones included (they are indexed)."""
    result = cli("--root", str(root), "search", *args, *EVERY_STATUS, "--json", "--limit", "1000")
    total = json.loads(result.stdout)["total"]
    assert result.exit_code == (0 if total else 1), result.stderr  # 1: none matched
    return total


def index_process(root: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen(
        [sys.executable, "-m", "copro", "--root", str(root), "index", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_a_build_killed_at_any_moment_leaves_a_working_index(big_root, cli, delay):
    process = index_process(big_root, "--rebuild")
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert search_total(cli, big_root) == 600  # opens and answers, or rebuilds


def test_an_update_killed_midway_leaves_a_working_index(big_root, cli):
    assert search_total(cli, big_root) == 600
    for path in sorted((big_root / "archive").rglob("*.md"))[:300]:
        path.write_text(path.read_text().replace("## Summary", "## Summary\n\nkiwifruit"))
    process = index_process(big_root)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert search_total(cli, big_root, "kiwifruit") == 300


def test_a_second_writer_waits_then_says_it_could_not_get_the_lock(sample_root, monkeypatch):
    folder = cache_dir(sample_root)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / LOCK)):
        env = dict(os.environ, COPRO_LOCK_TIMEOUT="0.5")
        done = subprocess.run(
            [sys.executable, "-m", "copro", "--root", str(sample_root), "index"],
            env=env,
            capture_output=True,
            text=True,
        )
    assert done.returncode == 1
    assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
    assert "updating the search index" in done.stderr


def test_two_builds_at_once_both_succeed(big_root, cli):
    first = index_process(big_root, "--rebuild")
    second = index_process(big_root, "--rebuild")
    assert first.wait(120) == 0, first.stderr.read()
    assert second.wait(120) == 0, second.stderr.read()
    assert search_total(cli, big_root) == 600
    generations = list(cache_dir(big_root).glob("gen-*"))
    assert len(generations) == 1


def _current(root: Path) -> Path:
    generation = IndexStore(root).current_generation()
    assert generation is not None
    return generation


@pytest.mark.parametrize(
    "damage", ["truncate-segment", "garbage-toc", "bad-manifest", "remove-generation", "old-format"]
)
def test_a_damaged_index_is_rebuilt_never_a_crash(sample_root, cli, damage):
    assert search_total(cli, sample_root) == 16
    generation = _current(sample_root)
    if damage == "truncate-segment":
        for segment in generation.glob("*.seg"):
            segment.write_bytes(segment.read_bytes()[:40])
    elif damage == "garbage-toc":
        for toc in generation.glob("_MAIN_*.toc"):
            toc.write_bytes(b"\x80\x04not a pickle at all")
    elif damage == "bad-manifest":
        (generation / "copro-manifest.json").write_text("{")
    elif damage == "remove-generation":
        import shutil

        shutil.rmtree(generation)
    elif damage == "old-format":
        manifest = json.loads((generation / "copro-manifest.json").read_text())
        manifest["stamp"]["format"] = -1
        (generation / "copro-manifest.json").write_text(json.dumps(manifest))
    assert search_total(cli, sample_root) == 16
    assert search_total(cli, sample_root, "parenting") >= 2
