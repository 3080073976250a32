"""`copro init` never makes a new archive install someone else's software.

The name `copro` on PyPI is an unrelated project; copro is published as
`copro-hub`. The CI workflow installs what this copro was installed from (PEP
610 `direct_url.json`), or `--install SPEC`, or fails saying what to put there.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def install_step(root: Path) -> dict:
    workflow = yaml.safe_load((root / ".github/workflows/validate.yml").read_text())
    steps = workflow["jobs"]["validate"]["steps"]
    return next(s for s in steps if s.get("name", "").startswith("Install copro"))


def hook(root: Path) -> dict:
    return yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]


def no_bare_copro(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="replace")
            assert not re.search(r"pip install copro\b(?!-)", text), path
            assert not re.search(r"pipx install copro\b(?!-)", text), path


def test_distribution_name_is_ours_and_the_command_stays_copro():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == "copro-hub"
    assert project["scripts"] == {"copro": "copro.cli:main"}


def test_unknown_source_writes_a_step_that_fails_saying_what_to_put_there(tmp_path, cli):
    # The test environment installs copro from a local folder (pip install -e .):
    # CI cannot reach that, so the workflow must fail loudly, never install a bare name.
    root = tmp_path / "trust"
    result = cli("init", str(root))
    assert result.exit_code == 0, result.stderr
    assert "--install" in result.stderr
    no_bare_copro(root)
    script = install_step(root)["run"]
    ran = subprocess.run(["bash", "-e", "-c", script], capture_output=True, text=True)
    assert ran.returncode == 1
    assert "::error" in ran.stdout and "copro-hub" in ran.stdout and "--install" in ran.stdout
    readme = (root / "README.md").read_text()
    assert "pipx install" in readme and "copro-hub" in readme


def test_install_spec_is_used_and_a_vcs_url_pins_the_hook(tmp_path, cli):
    root = tmp_path / "trust"
    spec = "copro-hub @ git+https://example.org/copro.git@v0.2.0"
    assert cli("init", str(root), "--install", spec).exit_code == 0
    assert install_step(root)["run"].strip() == f"python -m pip install '{spec}'"
    assert hook(root) == {
        "repo": "https://example.org/copro.git",
        "rev": "v0.2.0",
        "hooks": [{"id": "copro-validate"}],
    }
    assert f"pipx install '{spec}'" in (root / "README.md").read_text()


def test_install_naming_the_foreign_project_is_refused(tmp_path, cli):
    root = tmp_path / "trust"
    result = cli("init", str(root), "--install", "copro==2.0.2")
    assert result.exit_code == 2
    assert result.stderr.startswith("copro: error: --install")
    assert "copro-hub" in result.stderr
    assert not root.exists()


def fake_distribution(site: Path, direct_url: dict | None) -> Path:
    """A real dist-info folder for copro-hub, found before the test's own install."""
    info = site / "copro_hub-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: copro-hub\nVersion: 0.1.0\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    return site


@pytest.mark.parametrize(
    ("direct_url", "expected_install", "expected_hook"),
    [
        (
            {
                "url": "https://example.org/copro.git",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            },
            f"copro-hub @ git+https://example.org/copro.git@{COMMIT}",
            {"repo": "https://example.org/copro.git", "rev": COMMIT},
        ),
        (None, "copro-hub==0.1.0", None),
        ({"url": "file:///home/someone/copro", "dir_info": {"editable": True}}, None, None),
    ],
    ids=["vcs", "index", "local-folder"],
)
def test_pep610_direct_url_decides_the_install_line(
    tmp_path, direct_url, expected_install, expected_hook
):
    site = fake_distribution(tmp_path / "site", direct_url)
    root = tmp_path / "trust"
    env = dict(os.environ, PYTHONPATH=str(site))
    done = subprocess.run(
        [sys.executable, "-m", "copro", "init", str(root)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    run = install_step(root)["run"].strip()
    if expected_install:
        assert run == f"python -m pip install {shlex.quote(expected_install)}"
    else:
        assert run.endswith("exit 1") and "local folder" in run
    config = hook(root)
    if expected_hook:
        assert {k: config[k] for k in ("repo", "rev")} == expected_hook
    else:
        assert config["repo"] == "local" and config["hooks"][0]["language"] == "system"
    no_bare_copro(root)
    assert "/home/someone" not in (root / ".pre-commit-config.yaml").read_text()
