"""No OSError ever ends in a traceback: the cache boundary and main()'s last resort."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import SAMPLE_ARCHIVE, SAMPLE_VOCAB, run_as_nobody

RECORD = "2019-03-somali-mothers-parenting"


def copro(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed entry point (main()), as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "copro", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_a_cache_that_is_not_a_folder_or_cannot_exist_is_an_error_naming_the_variable(
    sample_root, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for cache in ("/proc/nope", str(blocker)):
        for command in (("search", "x"), ("show", RECORD)):
            done = copro("--root", str(sample_root), *command, env={"COPRO_CACHE_DIR": cache})
            assert done.returncode == 2, (cache, command, done.stderr)
            assert done.stderr.startswith("copro: error:") and "Traceback" not in done.stderr
            assert "COPRO_CACHE_DIR" in done.stderr


def test_an_unreadable_record_folder_is_an_error_not_a_traceback(world_dir):
    root = world_dir / "hub"
    shutil.copytree(SAMPLE_ARCHIVE, root / "archive")
    shutil.copytree(SAMPLE_VOCAB, root / "schemas" / "vocab")
    (root / "archive" / "2019").chmod(0o000)
    env = {"COPRO_CACHE_DIR": str(world_dir / "cache")}
    (world_dir / "cache").mkdir(mode=0o777)
    (world_dir / "cache").chmod(0o777)
    done = run_as_nobody("--root", str(root), "show", RECORD, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("copro: error:") and "Traceback" not in done.stderr
    assert f"{RECORD}.md" in done.stderr and "Permission denied" in done.stderr
    assert "hint:" in done.stderr
