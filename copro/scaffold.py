"""``copro init``: a new archive root, ready for pull requests, in one command.

Every file is checked for a clash before anything is written, so a refusal
touches nothing; existing files are only ever kept (``skip``), never replaced.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from copro import __version__
from copro.archive import ARCHIVE_DIR, VOCAB_DIR, shipped_schemas_dir
from copro.errors import CoproError

GITIGNORE = """\
# copro keeps its search index in your user cache, never here.
.venv/
__pycache__/
.DS_Store
"""

GITATTRIBUTES = """\
*.md text eol=lf
*.yml text eol=lf
"""

CONTRIBUTING = """\
# {name}: a co-production archive

One engagement per file in `archive/<YYYY>/<id>.md`, checked by `copro validate`
on every commit (pre-commit) and pull request (GitHub Actions).

## Add a record

    pip install copro            # or as your organisation installs it
    copro new                    # asks for each field and shows who was asked before
    copro validate               # names the file, the line and what to fix

Fill in `asked`, `you_said` and `we_did` as the engagement goes on. A finding
without a response shows up in `copro review` until someone answers it.

## Never write

This repository and its history are permanent and may be public. Never write a
person's name (unless they agreed to be credited, as a `named` contributor),
e-mail address, phone number, postal address or postcode, NHS number or date of
birth: not in records, not in commit messages. `copro validate` refuses them;
data added in one commit and removed in the next is still in the history, so
the pull-request check scans every commit.

## Vocabularies

Places, populations, topics and methods come from `schemas/vocab/*.yml`. If a
term is missing, add it to the vocabulary file in the same pull request.
"""

WORKFLOW = """\
name: validate
on:
  pull_request:
  push:
    branches: [main]
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # --changed-since scans every commit of the pull request
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install {install}
      - name: copro validate (the pull request's records and every commit in it)
        if: github.event_name == 'pull_request'
        run: copro validate --changed-since "origin/${{{{ github.base_ref }}}}" --format github
      - name: copro validate (the whole archive)
        if: github.event_name != 'pull_request'
        run: copro validate --format github
"""


def precommit_config(hook_repo: str | None, hook_rev: str) -> str:
    """Use copro's own ``copro-validate`` hook; ``local`` when no repository is given."""
    if hook_repo:
        return (
            "repos:\n"
            f"  - repo: {hook_repo}\n"
            f"    rev: {hook_rev}\n"
            "    hooks:\n"
            "      - id: copro-validate\n"
        )
    return (
        "# copro-validate checks the staged records with the copro installed here.\n"
        "# To pin copro's own hook repository instead: copro init --hook-repo URL --hook-rev TAG\n"
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: copro-validate\n"
        "        name: copro validate\n"
        "        entry: copro validate\n"
        "        language: system\n"
        "        files: ^archive/.*\\.md$\n"
    )


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    git_initialised: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "root": str(self.root),
            "written": self.written,
            "skipped": self.skipped,
            "git_initialised": self.git_initialised,
        }


def planned_files(
    name: str, hook_repo: str | None, hook_rev: str, install: str
) -> dict[str, str | Path]:
    """Relative path -> text, or -> a shipped file to copy."""
    files: dict[str, str | Path] = {
        f"{ARCHIVE_DIR}/.gitkeep": "",
        "README.md": CONTRIBUTING.format(name=name),
        ".gitignore": GITIGNORE,
        ".gitattributes": GITATTRIBUTES,
        ".pre-commit-config.yaml": precommit_config(hook_repo, hook_rev),
        ".github/workflows/validate.yml": WORKFLOW.format(install=install),
    }
    for source in sorted((shipped_schemas_dir() / "vocab").glob("*.yml")):
        files[(VOCAB_DIR / source.name).as_posix()] = source
    return files


def init_archive(
    path: Path,
    skip: Iterable[str] = (),
    hook_repo: str | None = None,
    hook_rev: str = f"v{__version__}",
    install: str = "copro",
) -> InitResult:
    """Create an archive root at ``path`` (and a git repository if it is none)."""
    from copro.gitrepo import is_repository, run_git

    root = Path(path).expanduser().resolve()
    if (root / ARCHIVE_DIR).exists():
        raise CoproError(
            f"{root} already holds an archive (it has {ARCHIVE_DIR}/); nothing was touched",
            "run copro commands there, or choose another folder",
        )
    if root.exists() and not root.is_dir():
        raise CoproError(f"{root} exists and is not a folder; nothing was touched")
    files = planned_files(root.name or "archive", hook_repo, hook_rev, install)
    skipped = {s.strip("/") for s in skip}
    clashes = [rel for rel in files if (root / rel).exists() and rel not in skipped]
    if clashes:
        raise CoproError(
            f"{len(clashes)} file(s) already exist in {root}: {', '.join(clashes)}; "
            "nothing was touched",
            "keep them with --skip FILE (repeatable); copro never overwrites",
        )
    result = InitResult(root)
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        if target.exists():
            result.skipped.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            with open(content, "rb") as source, open(target, "xb") as handle:
                shutil.copyfileobj(source, handle)
        else:
            with open(target, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
        result.written.append(rel)
    if not is_repository(root):
        run_git(root, "init", "-q")
        result.git_initialised = True
    return result
