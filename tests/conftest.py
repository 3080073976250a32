"""Shared fixtures: real archives in tmp_path, the CLI run end to end, a private cache."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Outside the README's virtual environment, collection would stop at a bare
# "No module named 'typer'" that does not say what to do: say it first.
_REQUIRED = ("typer", "rich", "yaml", "whoosh", "jsonschema_rs", "phonenumbers", "jinja2")
_MISSING = [name for name in _REQUIRED if importlib.util.find_spec(name) is None]
if _MISSING:
    raise pytest.UsageError(
        f"copro's dependencies are not installed for {sys.executable} "
        f"(missing: {', '.join(_MISSING)}). Run the README's first command, which makes "
        "a virtual environment and runs pip install -e '.[test]', then pytest inside it."
    )

# The tests set the width they check where it matters; a width the person running them
# exported (COLUMNS=80 in a narrow terminal's profile) would rewrap every letter the
# golden files hold, and fail 27 tests that have nothing wrong (a new user's trial).
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)

from typer.testing import CliRunner  # noqa: E402

from copro.cli import app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = REPO / "archive"
SAMPLE_VOCAB = REPO / "schemas" / "vocab"
SHARED = REPO.parent / "shared"

VALID_RECORD = """---
id: {id}
title: Test engagement about parenting
status: completed
date: 2024-03-01
organisations:
  - name: Test Trust
    sector: nhs
    role: lead
places: [camden]
methods: [workshop]
ladder: consultation
populations: [carers]
topics: [parenting]
you_said:
  - id: S1
    text: Groups at school pick-up time do not work.
we_did:
  - id: D1
    responds_to: [S1]
    status: done
    date: 2024-05-01
    text: Moved the group to mid-morning.
consent:
  quotes: false
  recontact: false
---

## Summary

A small test engagement.
"""

# Everything `copro new` needs apart from --title (a carers' drop-in in Leeds).
NEW_OPTIONS = [
    "--date",
    "2026-12-01",
    "--lead",
    "Leeds Carers Together",
    "--lead-sector",
    "voluntary",
    "--place",
    "leeds",
    "--method",
    "drop-in",
    "--ladder",
    "engagement",
    "--population",
    "carers",
    "--topic",
    "carers-support",
]


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own cache folder and no inherited COPRO_ROOT."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("COPRO_CACHE_DIR", str(cache))
    monkeypatch.delenv("COPRO_ROOT", raising=False)
    return cache


@pytest.fixture(params=["whoosh", "sqlite"])
def search_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test once per search backend: query behaviour is the same on every one."""
    from copro.store import index

    monkeypatch.setattr(index, "DEFAULT_BACKEND", request.param)
    return str(request.param)


@pytest.fixture
def sample_root(tmp_path: Path) -> Path:
    """A copy of the bundled sample archive, with its vocabularies."""
    root = tmp_path / "hub"
    shutil.copytree(SAMPLE_ARCHIVE, root / "archive")
    shutil.copytree(SAMPLE_VOCAB, root / "schemas" / "vocab")
    return root


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    """An archive root with no records (shipped vocabularies apply)."""
    root = tmp_path / "empty"
    (root / "archive").mkdir(parents=True)
    return root


def write_record(root: Path, record_id: str, text: str | bytes | None = None) -> Path:
    """Write a record file (the valid template unless text is given); returns its path."""
    path = root / "archive" / record_id[:4] / f"{record_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = VALID_RECORD.format(id=record_id)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def revisiting(
    record_id: str, finding: str = "2024-03-earlier#S1", outcome: str = "changed"
) -> str:
    """The valid template dated 2025, its finding S1 revisiting ``finding``."""
    return (
        VALID_RECORD.format(id=record_id)
        .replace("2024-03-01", "2025-03-01", 1)
        .replace(
            "    text: Groups at school pick-up time do not work.\n",
            "    text: Groups at school pick-up time still do not work.\n"
            f"    revisits:\n      - finding: {finding}\n        outcome: {outcome}\n",
        )
    )


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str, exception: BaseException | None):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.exception = exception


def run_cli(*args: str, input: str | None = None) -> Result:
    """Run copro end to end through Typer's runner; a traceback fails the test."""
    runner = CliRunner()
    result = runner.invoke(app, list(args), input=input, catch_exceptions=True)
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"copro crashed: {exc!r}\n{result.output}") from exc
    return Result(result.exit_code, result.stdout, result.stderr, exc)


@pytest.fixture
def cli():
    return run_cli


def git(root: Path, *args: str) -> str:
    """Run git with a fixed identity (tests use real repositories)."""
    env = {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.invalid",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.invalid",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(root),
    }
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def git_init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial archive")


# ---------------------------------------------------------------- as an unprivileged user

NOBODY = 65534
SETPRIV = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"]


def run_as_nobody(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run copro as user 65534 (CI runs as root, where chmod 000 denies nothing)."""
    import os
    import sys

    return subprocess.run(
        [*SETPRIV, sys.executable, "-m", "copro", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


@pytest.fixture
def world_dir():
    """A folder user 65534 can reach (pytest's tmp_path is private to root), or a skip."""
    import os
    import sys
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run copro as an unprivileged user")
    probe = subprocess.run(
        [*SETPRIV, sys.executable, "-c", "import copro"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        pytest.skip(f"copro cannot run as user {NOBODY} here: {probe.stderr.strip()[-200:]}")
    folder = Path(tempfile.mkdtemp(prefix="copro-nobody-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


SITE_SHARD_RECORDS = 6
"""The shared site's shard bound: its 18 engagements make three shards."""


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(archive root, site folder): the sample archive plus the XSS and privacy records,
    built once per session by ``copro site`` end to end (needs the ``site`` extra), its
    search index in shards of at most ``SITE_SHARD_RECORDS`` records, as a large
    archive's is, so every search test also searches across merged shards."""
    pytest.importorskip(
        "pagefind", reason="copro site needs the site extra: pip install -e '.[site]'"
    )
    from sitekit import make_site_archive

    root = make_site_archive(tmp_path_factory.mktemp("site-archive") / "root", REPO)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPRO_CACHE_DIR", str(tmp_path_factory.mktemp("site-cache")))
        patch.setenv("COPRO_SITE_SHARD_RECORDS", str(SITE_SHARD_RECORDS))
        result = run_cli("--root", str(root), "site", "--json")
    assert result.exit_code == 0, result.stderr
    return root, root / "site"


@pytest.fixture(scope="session")
def built_hub_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(hub root, site folder): a hub of two members, the sample archive (a council) and a
    one-record charity, synced and built once per session by the CLI end to end."""
    pytest.importorskip(
        "pagefind", reason="copro site needs the site extra: pip install -e '.[site]'"
    )
    base = tmp_path_factory.mktemp("hub-site")
    council = base / "council"
    shutil.copytree(SAMPLE_ARCHIVE, council / "archive")
    shutil.copytree(SAMPLE_VOCAB, council / "schemas" / "vocab")
    git_init(council)
    charity = base / "charity"
    write_record(charity, "2024-03-parenting-groups")
    git_init(charity)
    hub = base / "hub"
    hub.mkdir()
    (hub / "hub.yml").write_text(
        "members:\n- name: council\n  url: ../council\n  rev: main\n"
        "- name: hiddo\n  url: ../charity\n  rev: main\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPRO_CACHE_DIR", str(tmp_path_factory.mktemp("hub-site-cache")))
        synced = run_cli("--root", str(hub), "hub", "sync")
        assert synced.exit_code == 0, synced.stderr
        result = run_cli("--root", str(hub), "site", "--json")
    assert result.exit_code == 0, result.stderr
    return hub, hub / "site"


def limit_file_size(limit: int):  # noqa: ANN201
    """A ``preexec_fn``: writes past ``limit`` bytes fail (EFBIG) as on a full disk.

    Mounting a tiny tmpfs needs privileges CI may lack; RLIMIT_FSIZE makes a
    real write fail the same way, with SIGXFSZ ignored so it is an error, not a kill.
    """
    import resource
    import signal

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply
