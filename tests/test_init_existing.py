"""``copro init --install SPEC`` / ``--hook-repo URL`` on the archive init made.

A local install leaves CI's install line failing on purpose and says how to
set it; that advice has to work, as printed, on the archive it just made:
only the install lines (resp. the pre-commit hook) change, every other byte
is kept, and a failure part-way leaves every file as it was.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

from conftest import run_as_nobody

SPEC = "copro-hub @ git+https://example.org/copro.git@v0.3.0"
WORKFLOWS = (".github/workflows/validate.yml", ".github/workflows/site.yml")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }


def install_steps(root: Path, rel: str) -> list[dict]:
    workflow = yaml.safe_load((root / rel).read_text())
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("name", "").startswith("Install copro")
    ]


def without_install_step(text: str) -> list[str]:
    """The workflow's lines outside the ``Install copro`` step."""
    kept, inside = [], False
    for line in text.splitlines():
        if re.match(r"\s*- name: Install copro", line):
            inside = True
            continue
        if inside and re.match(r"\s{0,6}- ", line):
            inside = False
        if not inside:
            kept.append(line)
    return kept


def advice(stderr: str) -> list[str]:
    """The command init prints to set the install line, as a shell would split it."""
    line = next(line for line in stderr.splitlines() if line.strip().startswith("copro init "))
    return shlex.split(line.strip())


def test_the_printed_advice_sets_the_install_lines_and_keeps_every_other_byte(tmp_path, cli):
    root = tmp_path / "trust"
    made = cli("init", str(root))  # the test's copro comes from a local folder
    assert made.exit_code == 0, made.stderr
    command = advice(made.stderr)
    assert command == ["copro", "init", str(root), "--install", "SPEC"]
    before = snapshot(root)

    done = cli(*command[1:-1], SPEC)
    assert done.exit_code == 0, done.stderr
    after = snapshot(root)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert changed == {*WORKFLOWS, "README.md"}
    for rel in WORKFLOWS:
        assert [s["run"].strip() for s in install_steps(root, rel)] == [
            f"python -m pip install {shlex.quote(SPEC)}"
        ]
        old, new = before[rel].decode(), after[rel].decode()
        assert without_install_step(new) == without_install_step(old)
    old_lines = before["README.md"].decode().splitlines()
    new_lines = after["README.md"].decode().splitlines()
    readme = [(old, new) for old, new in zip(old_lines, new_lines, strict=True) if old != new]
    assert len(readme) == 1 and readme[0][1].strip() == f"pipx install {shlex.quote(SPEC)}"
    said = " ".join(done.stderr.split())
    assert "changed .github/workflows/validate.yml" in said and f"CI installs {SPEC}" in said
    assert done.stdout.strip() == str(root)

    again = cli("init", str(root), "--install", SPEC)
    assert again.exit_code == 0 and "Nothing to change" in again.stderr
    assert snapshot(root) == after


def test_hook_repo_on_the_archive_pins_only_the_copro_validate_entry(tmp_path, cli):
    root = tmp_path / "trust"
    assert cli("init", str(root)).exit_code == 0
    config = root / ".pre-commit-config.yaml"
    assert "copro init . --hook-repo URL --hook-rev TAG" in config.read_text()
    ours = config.read_text().split("repos:\n", 1)[1]
    others = (
        "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        "    rev: v4.6.0   # our own pin\n"
        "    hooks:\n"
        "      - id: trailing-whitespace\n"
    )
    config.write_text("# our archive's hooks\nrepos:\n" + others + ours + "\n# the end\n")
    before = snapshot(root)

    done = cli(
        "init", str(root), "--hook-repo", "file:///srv/git/copro.git", "--hook-rev", "v0.3.0"
    )
    assert done.exit_code == 0, done.stderr
    after = snapshot(root)
    assert {rel for rel in after if after[rel] != before[rel]} == {".pre-commit-config.yaml"}
    assert config.read_text() == (
        "# our archive's hooks\nrepos:\n" + others + "  - repo: file:///srv/git/copro.git\n"
        "    rev: v0.3.0\n    hooks:\n      - id: copro-validate\n\n# the end\n"
    )
    said = " ".join(done.stderr.split())
    assert "copro-validate from file:///srv/git/copro.git at v0.3.0" in said


def test_crlf_workflow_keeps_its_line_endings(tmp_path, cli):
    root = tmp_path / "trust"
    assert cli("init", str(root)).exit_code == 0
    validate = root / WORKFLOWS[0]
    validate.write_bytes(validate.read_bytes().replace(b"\n", b"\r\n"))
    assert cli("init", str(root), "--install", "copro-hub==0.3.0").exit_code == 0
    data = validate.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"python -m pip install copro-hub==0.3.0\r\n" in data


def test_nothing_to_do_or_nothing_to_find_touches_nothing(tmp_path, cli):
    root = tmp_path / "trust"
    assert cli("init", str(root)).exit_code == 0
    before = snapshot(root)
    bare = cli("init", str(root))
    assert bare.exit_code == 1 and "--install SPEC" in " ".join(bare.stderr.split())
    (root / WORKFLOWS[1]).unlink()
    validate = root / WORKFLOWS[0]
    validate.write_text(validate.read_text().replace("Install copro", "Set up the tools"))
    before = snapshot(root)
    lost = cli("init", str(root), "--install", SPEC, "--name", "Our archive")
    said = " ".join(lost.stderr.split())
    assert lost.exit_code == 1 and "nothing was touched" in said and "Install copro" in said
    assert snapshot(root) == before  # not even copro.yml
    bad = cli("init", str(root), "--hook-repo", "https://example.org/a b")
    assert bad.exit_code == 2 and snapshot(root) == before
    (root / ".pre-commit-config.yaml").write_text("repos: []\n")
    before = snapshot(root)
    no_hook = cli("init", str(root), "--hook-repo", "https://example.org/copro.git")
    assert no_hook.exit_code == 1 and "copro-validate" in no_hook.stderr
    assert snapshot(root) == before


def test_a_write_that_fails_part_way_puts_back_what_it_changed(world_dir, cli):
    root = world_dir / "trust"
    assert cli("init", str(root)).exit_code == 0
    for folder in (root / ".github", root / ".github" / "workflows", root / ".git"):
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, 65534, 65534)  # the workflows can be replaced, README.md cannot
    before = snapshot(root)
    done = run_as_nobody("init", str(root), "--install", SPEC, env={"HOME": str(world_dir)})
    assert done.returncode == 1, done.stderr
    assert "README.md" in done.stderr and "nothing was changed" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize("typed", ["SPEC", "requests", "requests==2.32.0"])
def test_a_requirement_that_is_not_copro_is_refused_and_nothing_changes(tmp_path, cli, typed):
    """The advice's SPEC typed as printed, or another project, would make CI install
    something that is not copro: refused before anything is written."""
    root = tmp_path / "trust"
    assert cli("init", str(root)).exit_code == 0
    before = snapshot(root)
    refused = cli("init", str(root), "--install", typed)
    assert refused.exit_code == 2, refused.stderr
    assert "does not install copro" in " ".join(refused.stderr.split())
    assert snapshot(root) == before
