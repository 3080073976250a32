"""Adoption kit end to end: init, the real pre-commit framework, history scans, export, stats."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, VALID_RECORD, git, git_init, run_cli, write_record

BIN = Path(sys.executable).parent


# ---- init ---------------------------------------------------------------------


def test_init_creates_a_working_archive(tmp_path, cli):
    root = tmp_path / "trust-archive"
    result = cli("init", str(root))
    assert result.exit_code == 0, result.stderr
    for rel in (
        "archive",
        "schemas/vocab/topics.yml",
        "schemas/vocab/places.yml",
        "README.md",
        ".gitignore",
        ".gitattributes",
        ".pre-commit-config.yaml",
        ".github/workflows/validate.yml",
        ".git",
    ):
        assert (root / rel).exists(), rel
    assert "*.md text eol=lf" in (root / ".gitattributes").read_text()
    assert "id: copro-validate" in (root / ".pre-commit-config.yaml").read_text()
    workflow = (root / ".github" / "workflows" / "validate.yml").read_text()
    assert "copro validate --changed-since" in workflow and "--format github" in workflow
    assert "fetch-depth: 0" in workflow
    assert "Never write" in (root / "README.md").read_text()
    assert cli("--root", str(root), "validate").exit_code == 0
    write_record(root, "2026-01-first")
    assert cli("--root", str(root), "validate").exit_code == 0


def test_init_refuses_an_existing_archive_and_touches_nothing(sample_root, cli):
    before = sorted(p.relative_to(sample_root) for p in sample_root.rglob("*"))
    result = cli("init", str(sample_root))
    assert result.exit_code == 1
    assert sorted(p.relative_to(sample_root) for p in sample_root.rglob("*")) == before


def test_init_never_overwrites_unless_told_to_skip(tmp_path, cli):
    root = tmp_path / "hub"
    root.mkdir()
    (root / "README.md").write_text("our own readme")
    refused = cli("init", str(root))
    assert refused.exit_code == 1 and "README.md" in refused.stderr
    assert sorted(p.name for p in root.iterdir()) == ["README.md"]  # nothing touched
    kept = cli("init", str(root), "--skip", "README.md")
    assert kept.exit_code == 0
    assert (root / "README.md").read_text() == "our own readme"
    assert (root / ".pre-commit-config.yaml").exists()


def test_init_inside_an_existing_repository_does_not_reinit(tmp_path, cli):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "notes.txt").write_text("x")
    git(root, "add", "notes.txt")
    git(root, "commit", "-qm", "first")
    result = cli("init", str(root))
    assert result.exit_code == 0
    assert git(root, "log", "--format=%s").strip() == "first"


def test_init_hook_repo_pins_copros_own_hook(tmp_path, cli):
    root = tmp_path / "hub"
    cli("init", str(root), "--hook-repo", "https://example.invalid/copro", "--hook-rev", "v9.9.9")
    config = (root / ".pre-commit-config.yaml").read_text()
    assert "repo: https://example.invalid/copro" in config and "rev: v9.9.9" in config


def test_this_repository_ships_the_hook_definition():
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "copro-validate")
    assert hook["entry"] == "copro validate" and hook["language"] == "python"
    assert hook["files"] == "^archive/"  # every staged file under archive/, not only *.md


# ---- the real pre-commit framework ------------------------------------------------


def commit_env(tmp_path: Path, path: str) -> dict[str, str]:
    """Environment of a committer: this PATH, no active venv, a private pre-commit home."""
    env = dict(
        os.environ,
        PATH=path,
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="author@example.invalid",
        GIT_COMMITTER_NAME="Test Author",
        GIT_COMMITTER_EMAIL="author@example.invalid",
    )
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.mark.skipif(
    shutil.which("pre-commit", path=str(BIN)) is None, reason="pre-commit is not installed"
)
def test_pre_commit_blocks_a_bad_staged_record_and_accepts_a_good_one(tmp_path, cli):
    root = tmp_path / "hub"
    assert cli("init", str(root)).exit_code == 0
    env = commit_env(tmp_path, f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Start the archive")
    subprocess.run(
        [str(BIN / "pre-commit"), "install"], cwd=root, env=env, check=True, capture_output=True
    )

    bad = write_record(
        root,
        "2026-01-bad",
        VALID_RECORD.format(id="2026-01-bad").replace(
            "A small test engagement.", "Ring the organiser on 07911 123456."
        ),
    )
    subprocess.run(["git", "add", str(bad)], cwd=root, env=env, check=True)
    blocked = subprocess.run(
        ["git", "commit", "-m", "Add a record"], cwd=root, env=env, capture_output=True, text=True
    )
    assert blocked.returncode != 0
    assert "pii-phone" in blocked.stdout + blocked.stderr
    assert "07911 123456" not in blocked.stdout + blocked.stderr

    subprocess.run(["git", "reset", "-q", str(bad)], cwd=root, env=env, check=True)
    bad.unlink()
    good = write_record(root, "2026-01-good")
    subprocess.run(["git", "add", str(good)], cwd=root, env=env, check=True)
    accepted = subprocess.run(
        ["git", "commit", "-m", "Add a record"], cwd=root, env=env, capture_output=True, text=True
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    both = accepted.stdout + accepted.stderr
    assert "copro validate" in both and "Passed" in both


@pytest.mark.skipif(
    shutil.which("pre-commit", path=str(BIN)) is None, reason="pre-commit is not installed"
)
def test_pre_commit_hook_without_an_active_venv(tmp_path, cli):
    """A GUI git client has no venv on PATH: the hook says what to do, or finds ./.venv."""
    root = tmp_path / "hub"
    assert cli("init", str(root)).exit_code == 0
    # No copro on PATH: the hook must not depend on an active venv.
    env = commit_env(tmp_path, "/usr/bin:/bin")
    subprocess.run(
        [str(BIN / "pre-commit"), "install"], cwd=root, env=env, check=True, capture_output=True
    )
    record = write_record(root, "2026-01-good")
    subprocess.run(["git", "add", "-A"], cwd=root, env=env, check=True)
    commit = ["git", "commit", "-qm", "Add a record"]
    missing = subprocess.run(commit, cwd=root, env=env, capture_output=True, text=True)
    assert missing.returncode != 0
    said = missing.stdout + missing.stderr
    assert "copro is not installed for this shell" in said and "pipx" in said
    assert "Executable `copro` not found" not in said
    # An archive-local .venv (a relative path, nothing machine-specific) is found.
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "copro").symlink_to(BIN / "copro")
    found = subprocess.run(commit, cwd=root, env=env, capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr
    assert record.exists() and str(tmp_path) not in (root / ".pre-commit-config.yaml").read_text()


# ---- --changed-since ------------------------------------------------------------


def test_changed_since_scans_history_for_data_added_then_removed(sample_root, cli):
    git_init(sample_root)
    base = git(sample_root, "rev-parse", "HEAD").strip()
    path = write_record(sample_root, "2026-01-new")
    git(sample_root, "add", "-A")
    git(sample_root, "commit", "-qm", "Add a record")
    path.write_text(
        path.read_text().replace("A small test engagement.", "Call 07911 123456 for details.")
    )
    git(sample_root, "commit", "-qam", "Add contact")
    path.write_text(
        path.read_text().replace("Call 07911 123456 for details.", "A small test engagement.")
    )
    git(sample_root, "commit", "-qam", "Remove contact")
    git(sample_root, "commit", "-q", "--allow-empty", "-m", "Spoke to jo@example.org about it")

    final = cli(
        "--root", str(sample_root), "validate", "--json", str(sample_root / "archive" / "2026")
    )
    assert final.exit_code == 0  # the final file is clean ...
    result = cli("--root", str(sample_root), "validate", "--changed-since", base, "--json")
    assert result.exit_code == 1  # ... but the history is not
    document = json.loads(result.stdout)
    assert document["files_checked"] == 1  # only the changed record
    history = [p for p in document["problems"] if p["code"] == "pii-in-history"]
    paths = {p["path"] for p in history}
    assert "archive/2026/2026-01-new.md" in paths
    assert any(p.startswith("<commit ") and p.endswith(" message>") for p in paths)
    in_file = next(p for p in history if p["path"] == "archive/2026/2026-01-new.md")
    assert in_file["line"] == 31 and "a phone number" in in_file["message"]
    commit = git(sample_root, "log", "--format=%H", "-1", "--skip=2", "HEAD").strip()[
        :10
    ]  # "Add contact"
    assert commit in in_file["message"]  # names the commit that added it
    assert any("message contains an e-mail address" in p["message"] for p in history)
    output = result.stdout + result.stderr
    assert "07911" not in output and "jo@example.org" not in output


def test_changed_since_github_format_and_clean_range(sample_root, cli):
    git_init(sample_root)
    base = git(sample_root, "rev-parse", "HEAD").strip()
    write_record(sample_root, "2026-01-new")
    git(sample_root, "add", "-A")
    git(sample_root, "commit", "-qm", "Add a clean record")
    result = cli(
        "--root", str(sample_root), "validate", "--changed-since", base, "--format", "github"
    )
    assert result.exit_code == 0
    assert "1 record(s) checked: 0 error(s)" in result.stdout


def test_changed_since_bad_revision_or_no_git(sample_root, cli):
    assert cli("--root", str(sample_root), "validate", "--changed-since", "main").exit_code == 2
    git_init(sample_root)
    bad = cli("--root", str(sample_root), "validate", "--changed-since", "no-such-branch")
    assert bad.exit_code == 2 and "unknown revision" in bad.stderr
    assert (
        cli(
            "--root", str(sample_root), "validate", "--changed-since", "--upload-pack=evil"
        ).exit_code
        == 2
    )


# ---- export -------------------------------------------------------------------------


def test_export_csv_has_the_contract_columns(sample_root, cli):
    result = cli("--root", str(sample_root), "export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    for column in (
        "record_id",
        "date",
        "places",
        "populations",
        "topics",
        "finding_id",
        "finding",
        "quotable",
        "responses",
    ):
        assert column in rows[0]
    assert len(rows) == 36  # one per finding (of records not withdrawn)
    s3 = next(
        r
        for r in rows
        if r["record_id"] == "2019-03-somali-mothers-parenting" and r["finding_id"] == "S3"
    )
    assert s3["responses"] == "" and s3["quotable"] == "false"
    s1 = next(
        r
        for r in rows
        if r["record_id"] == "2018-05-peer-coaching-programme" and r["finding_id"] == "S4"
    )
    assert s1["responses"] == "not-doing" and s1["quotable"] == "true"


def test_export_csv_is_safe_for_spreadsheets(empty_root, cli):
    text = (
        VALID_RECORD.format(id="2024-03-x")
        .replace(
            "    text: Groups at school pick-up time do not work.",
            '    text: "=HYPERLINK(\\"http://evil.example\\")"',
        )
        .replace("title: Test engagement about parenting", "title: '@SUM(1+1)'")
    )
    write_record(empty_root, "2024-03-x", text)
    rows = list(csv.DictReader(io.StringIO(cli("--root", str(empty_root), "export").stdout)))
    assert rows[0]["finding"].startswith("'=")
    assert rows[0]["title"].startswith("'@")


def test_export_jsonl_keeps_anonymity_and_writes_atomically(empty_root, cli, tmp_path):
    text = VALID_RECORD.format(id="2024-03-x").replace(
        "consent:",
        "contributors:\n  - {role: member, credit: anonymous, name: Hidden Person}\n  - {role: chair, credit: named, name: Oriel Quince}\nconsent:",
    )
    write_record(empty_root, "2024-03-x", text)
    target = tmp_path / "out.jsonl"
    result = cli("--root", str(empty_root), "export", "--format", "jsonl", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    lines = target.read_text().splitlines()
    record = json.loads(lines[0])
    assert record["id"] == "2024-03-x" and record["path"] == "archive/2024/2024-03-x.md"
    assert "Hidden Person" not in target.read_text()
    assert "Oriel Quince" in target.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ---- stats ----------------------------------------------------------------------------


def test_stats_json(sample_root, cli):
    result = cli("--root", str(sample_root), "stats", "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert set(stats) >= {
        "records",
        "by_year",
        "by_ladder",
        "by_sector",
        "by_status",
        "findings",
        "findings_with_response",
        "response_share",
        "past_review_by",
        "due_for_review",
        "coverage",
    }
    assert stats["records"] == 15  # the withdrawn record is left out
    assert sum(stats["by_year"].values()) == 15 and stats["by_year"]["2019"] == 2
    assert stats["by_status"] == {"active": 3, "completed": 10, "planned": 2}
    assert stats["findings"] == 36
    assert 0 < stats["response_share"] < 1
    assert stats["coverage"]["parenting"]["somali-women"] == 2
    assert stats["coverage"]["parenting"]["older-people"] == 0  # a gap: nobody asked


def test_stats_text(sample_root, cli):
    result = cli("--root", str(sample_root), "stats")
    assert (
        result.exit_code == 0 and "15 records" in result.stdout and "never heard" in result.stdout
    )


def test_stats_never_heard_wraps_at_80_columns_sorted_by_label(sample_root):
    """The list of groups never heard was one line of hundreds of characters."""
    env = dict(os.environ, COLUMNS="80")
    done = subprocess.run(
        [sys.executable, "-m", "copro", "--root", str(sample_root), "stats"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Never heard"))
    block = [lines[start]] + [line for line in lines[start + 1 :] if line.startswith("  ")]
    assert len(block) > 1 and all(len(line) <= 80 for line in block)
    shown = " ".join(" ".join(block).split(": ", 1)[1].split())
    root = ["--root", str(sample_root)]
    never = json.loads(run_cli(*root, "stats", "--json").stdout)["never_heard"]
    terms = json.loads(run_cli(*root, "vocab", "list", "populations", "--json").stdout)["terms"]
    label = {term["id"]: term["label"] for term in terms}
    assert shown == "; ".join(sorted((label[i] for i in never), key=str.casefold))


# ---- completion and the CLI reference ----------------------------------------------------


def test_completion_offers_vocabulary_ids(sample_root):
    env = dict(
        os.environ,
        COPRO_ROOT=str(sample_root),
        _COPRO_COMPLETE="complete_zsh",
        _TYPER_COMPLETE_ARGS="copro search --place isl",
    )
    done = subprocess.run([sys.executable, "-m", "copro"], env=env, capture_output=True, text=True)
    assert '"islington":"Islington"' in done.stdout
    env["_TYPER_COMPLETE_ARGS"] = "copro new --topic peer-"
    done = subprocess.run([sys.executable, "-m", "copro"], env=env, capture_output=True, text=True)
    assert "peer-support" in done.stdout and "peer-worker-wellbeing" in done.stdout


def test_cli_reference_matches_the_code(tmp_path):
    generated = tmp_path / "cli.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "copro.cli",
            "utils",
            "docs",
            "--name",
            "copro",
            "--output",
            str(generated),
        ],
        check=True,
        capture_output=True,
    )
    assert generated.read_text() == (REPO / "docs" / "cli.md").read_text(), (
        "docs/cli.md is out of date: python -m typer copro.cli utils docs --name copro --output docs/cli.md"
    )


def test_stats_and_review_agree_on_what_is_due(cli, sample_root):
    """stats counts records past review_by and, like review, which of them are still due:
    the 2019 Somali mothers' findings were all revisited in 2024, so it is no longer due."""
    stats = json.loads(cli("--root", str(sample_root), "stats", "--json").stdout)
    review = json.loads(cli("--root", str(sample_root), "review", "--json").stdout)
    due = {i["record_id"] for i in review["items"] if i["kind"] == "review-due"}
    assert "2019-03-somali-mothers-parenting" in stats["past_review_by"]
    assert "2019-03-somali-mothers-parenting" not in stats["due_for_review"]
    assert set(stats["due_for_review"]) == due


def test_init_names_the_first_branch_main(tmp_path, cli):
    """The workflows init writes build on main and a hub's hub.yml says rev: main, so the
    new repository's branch is main whatever the user's init.defaultBranch says."""
    root = tmp_path / "ours"
    env_before = os.environ.get("GIT_CONFIG_PARAMETERS")
    os.environ["GIT_CONFIG_PARAMETERS"] = "'init.defaultbranch=master'"
    try:
        assert cli("init", str(root)).exit_code == 0
    finally:
        if env_before is None:
            del os.environ["GIT_CONFIG_PARAMETERS"]
        else:
            os.environ["GIT_CONFIG_PARAMETERS"] = env_before
    assert git(root, "symbolic-ref", "HEAD").strip() == "refs/heads/main"


def test_completion_offers_finding_ids_through_the_shell_protocol(sample_root):
    """`copro add action ID --responds-to <TAB>` offers that record's finding ids, end to
    end through Typer's completion protocol (Click leaves ID unparsed while completing)."""
    env = dict(
        os.environ,
        COPRO_ROOT=str(sample_root),
        _COPRO_COMPLETE="complete_bash",
        COMP_WORDS="copro add action 2019-03-somali-mothers-parenting --responds-to ",
        COMP_CWORD="5",
    )
    done = subprocess.run([sys.executable, "-m", "copro"], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["S1", "S2", "S3", "S4"]
