"""``new`` and ``init`` never write through a link, never leave half a result, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SAMPLE_ARCHIVE, SAMPLE_VOCAB, limit_file_size, run_as_nobody

NEW = [
    "new", "--title", "Evening drop-in for carers", "--lead", "Leeds Carers Together",
    "--lead-sector", "voluntary", "--place", "leeds", "--method", "drop-in",
    "--ladder", "engagement", "--population", "carers", "--topic", "carers-support", "--yes",
]  # fmt: skip


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_new_never_writes_through_a_symlinked_year_folder(sample_root, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (sample_root / "archive" / "2027").symlink_to(elsewhere, target_is_directory=True)
    result = cli("--root", str(sample_root), *NEW, "--date", "2027-01-05")
    assert result.exit_code == 1, result.stderr
    assert "symbolic link" in result.stderr and "archive/2027" in result.stderr
    assert files_under(elsewhere) == []


def test_new_never_writes_through_a_symlinked_archive_folder(tmp_path, cli):
    real = tmp_path / "real-archive"
    shutil.copytree(SAMPLE_ARCHIVE, real)
    root = tmp_path / "root"
    root.mkdir()
    (root / "archive").symlink_to(real, target_is_directory=True)
    before = files_under(real)
    result = cli("--root", str(root), *NEW, "--date", "2026-01-05")
    assert result.exit_code == 1, result.stderr
    assert "symbolic link" in result.stderr
    assert files_under(real) == before


def test_new_when_the_year_is_a_file(sample_root, cli):
    (sample_root / "archive" / "2031").write_text("not a folder\n")
    result = cli("--root", str(sample_root), *NEW, "--date", "2031-01-05")
    assert result.exit_code == 1, result.stderr
    assert "archive/2031" in result.stderr and "not a folder" in result.stderr


def test_new_in_a_read_only_folder(world_dir):
    root = world_dir / "hub"
    shutil.copytree(SAMPLE_ARCHIVE, root / "archive")
    shutil.copytree(SAMPLE_VOCAB, root / "schemas" / "vocab")
    (root / "archive" / "2031").mkdir()
    env = {"COPRO_CACHE_DIR": str(world_dir / "cache"), "HOME": str(world_dir)}
    (world_dir / "cache").mkdir()
    os.chown(world_dir / "cache", 65534, 65534)
    done = run_as_nobody("--root", str(root), *NEW, "--date", "2031-01-05", env=env)
    assert done.returncode == 1, done.stderr
    assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
    assert "Permission denied" in done.stderr
    assert files_under(root / "archive" / "2031") == []


def test_new_on_a_full_disk_writes_nothing(sample_root, cli):
    """RLIMIT_FSIZE makes the write fail as a full disk does (mounting a tiny tmpfs needs root)."""
    assert cli("--root", str(sample_root), "index").exit_code == 0  # the cache is warm
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(sample_root), *NEW, "--date", "2031-01-05"],
        capture_output=True, text=True, env=dict(os.environ), preexec_fn=limit_file_size(300),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
    assert "nothing was written" in " ".join(done.stderr.split())
    assert not (sample_root / "archive" / "2031").exists()  # not even the folder it made


def test_init_with_a_dangling_gitignore_symlink_touches_nothing(tmp_path, cli):
    root = tmp_path / "new-archive"
    root.mkdir()
    (root / ".gitignore").symlink_to(tmp_path / "nowhere")
    result = cli("init", str(root))
    assert result.exit_code == 1, result.stderr
    said = " ".join(result.stderr.split())
    assert ".gitignore" in said and "nothing was touched" in said
    assert files_under(root) == [".gitignore"]
    assert not (tmp_path / "nowhere").exists()
    (root / ".gitignore").unlink()
    assert cli("init", str(root)).exit_code == 0  # and it can then be finished
    assert (root / "archive").is_dir() and (root / ".gitignore").is_file()


def test_init_when_a_folder_it_needs_is_a_file_touches_nothing(tmp_path, cli):
    root = tmp_path / "new-archive"
    root.mkdir()
    (root / ".github").write_text("a file where a folder goes\n")
    result = cli("init", str(root))
    assert result.exit_code == 1, result.stderr
    assert ".github" in result.stderr and "nothing was touched" in result.stderr
    assert files_under(root) == [".github"]


def test_init_that_fails_midway_rolls_back(world_dir):
    root = world_dir / "new-archive"
    (root / ".github" / "workflows").mkdir(parents=True)
    os.chown(root, 65534, 65534)
    done = run_as_nobody("init", str(root), env={"HOME": str(world_dir)})
    assert done.returncode == 1, done.stderr
    assert "copro: error:" in done.stderr and "Traceback" not in done.stderr
    assert files_under(root) == [".github", ".github/workflows"]
    assert json.dumps(files_under(root))
    assert REPO.exists()
