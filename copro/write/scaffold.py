"""``copro init``: a new archive root, ready for pull requests, in one command.

Every file is checked for a clash before anything is written, so a refusal
touches nothing; existing files are only ever kept (``skip``), never replaced.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.fileio import create_new
from copro.core.paths import ARCHIVE_DIR, VOCAB_DIR, shipped_schemas_dir
from copro.core.settings import SETTINGS_FILE, Organisation, render_settings, settings_path
from copro.core.version import VERSION
from copro.write.install_lines import (
    PRECOMMIT_LOCAL_COMMENT,
    install_step,
    pipx_line,
)
from copro.write.install_source import InstallSource, from_spec, installed_source

GITIGNORE = """\
# copro keeps its search index in your user cache, never here.
.venv/
__pycache__/
.DS_Store
# copro site writes the web site here; CI builds and publishes it.
/site/
# copro's writer lock, when the archive is not at the top of a git repository.
/.copro.lock
"""

GITATTRIBUTES = """\
*.md text eol=lf
*.yml text eol=lf
"""

CONTRIBUTING = """\
# {name}: a co-production archive

One engagement per file in `archive/<YYYY>/<id>.md`, checked by `copro validate`
on every commit (pre-commit) and pull request (GitHub Actions).

## Install copro once, for every shell

The pre-commit hook also runs from a GUI git client or a terminal with no
virtual environment active, so install copro where every shell finds it, with
[pipx](https://pipx.pypa.io/):

    {pipx_line}

copro is published as `copro-hub`; the command is `copro`. Never `pip install
copro`: that name on PyPI is an unrelated project. Then, once per computer and once per clone:

    pipx install pre-commit      # once per computer
    pre-commit install           # once per clone

## Add a record

    copro new                    # asks for each field and shows who was asked before
    copro validate               # names the file, the line and what to fix

As the engagement goes on, record what people said and what was done with
`copro add finding ID`, `copro add action ID` and `copro update ID` (`--help`
lists every option): nobody has to edit the file. A finding without a response
shows up in `copro review` until someone answers it.

## Never write

This repository and its history are permanent and may be public. Never write a
person's name (unless they agreed to be credited, as a `named` contributor),
e-mail address, phone number, postal address or postcode, NHS number or date of
birth: not in records, not in commit messages. `copro validate` refuses them;
data added in one commit and removed in the next is still in the history, so
the pull-request check scans every commit.

## Vocabularies

Places, populations, topics and methods come from `schemas/vocab/*.yml`. If a
term is missing, add it in the same pull request as the record that uses it:

    copro vocab add places --label "Chapeltown" --broader leeds

## Change a record

    copro add finding ID --text "..."        # and action, decision, contributor, feedback
    copro update ID --help                   # every field: dates, consent, payment, sections
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
{install_step}
      - name: copro validate (the pull request's records and every commit in it)
        if: github.event_name == 'pull_request'
        run: copro validate --changed-since "origin/${{{{ github.base_ref }}}}" --format github
      - name: copro validate (the whole archive)
        if: github.event_name != 'pull_request'
        run: copro validate --format github
"""

SITE_WORKFLOW = """\
# Publishes the archive as a searchable web site (copro site) with GitHub Pages.
# Turn it on in Settings > Pages > Source: GitHub Actions; delete this file if unwanted.
name: site
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
{install_step}
      - name: Install Pagefind (the site's search; its binary ships in the wheel)
        run: python -m pip install "pagefind[bin]>=1.5,<2"
      - run: copro site --output _site
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

# Shown where copro cannot tell how this archive should install copro: the
# workflow fails on it with this message instead of installing a bare name.
# The ``system`` hook needs copro on PATH; a GUI git client or a shell without
# the venv has none, so the hook looks for it and says plainly what to do.
# Only relative paths: the config is committed and used on other machines.
SYSTEM_HOOK_SCRIPT = """\
sh -c '
if command -v copro >/dev/null 2>&1; then exec copro validate "$@"; fi
for copro in .venv/bin/copro .venv/Scripts/copro.exe; do
  if [ -x "$copro" ]; then exec "$copro" validate "$@"; fi
done
echo "copro-validate: copro is not installed for this shell" \\
  "(a GUI git client, or a terminal without the venv)." >&2
echo "Install it once for every shell with pipx, as README.md says, then commit again." >&2
exit 1
' copro-validate"""


def precommit_config(hook_repo: str | None, hook_rev: str | None) -> str:
    """copro's own hook pinned to its repository when known, else a guarded ``system`` hook."""
    if hook_repo and hook_rev:
        return (
            "repos:\n"
            f"  - repo: {hook_repo}\n"
            f"    rev: {hook_rev}\n"
            "    hooks:\n"
            "      - id: copro-validate\n"
        )
    entry = textwrap.indent(SYSTEM_HOOK_SCRIPT, " " * 10)
    return (
        PRECOMMIT_LOCAL_COMMENT + "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: copro-validate\n"
        "        name: copro validate\n"
        f"        entry: |-\n{entry}\n"
        "        language: system\n"
        "        files: ^archive/\n"
        "        require_serial: true\n"
    )


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    git_initialised: bool = False
    install: str | None = None
    why_unknown: str = ""
    hook_repo: str | None = None
    hook_rev: str | None = None
    existing: bool = False
    """True when ``root`` held an archive already: only ``written`` and ``changed`` apply."""
    changed: list[tuple[str, str]] = field(default_factory=list)
    """Files of an existing archive rewritten in place: (path, what changed)."""
    suggested: str | None = None
    """When ``install`` is None: a requirement that may work if CI can reach it."""

    def to_json(self) -> dict[str, object]:
        return {
            "root": str(self.root),
            "written": self.written,
            "skipped": self.skipped,
            "git_initialised": self.git_initialised,
            "changed": [rel for rel, _ in self.changed],
            "install": self.install,
            "hook_repo": self.hook_repo,
        }


def planned_files(
    name: str, hook_repo: str | None, hook_rev: str | None, source: InstallSource
) -> dict[str, str | Path]:
    """Relative path -> text, or -> a shipped file to copy."""
    files: dict[str, str | Path] = {
        f"{ARCHIVE_DIR}/.gitkeep": "",
        "README.md": CONTRIBUTING.format(name=name, pipx_line=pipx_line(source)),
        ".gitignore": GITIGNORE,
        ".gitattributes": GITATTRIBUTES,
        ".pre-commit-config.yaml": precommit_config(hook_repo, hook_rev),
        ".github/workflows/validate.yml": WORKFLOW.format(install_step=install_step(source)),
        ".github/workflows/site.yml": SITE_WORKFLOW.format(
            install_step=install_step(source, "site.yml")
        ),
    }
    for vocab_file in sorted((shipped_schemas_dir() / "vocab").glob("*.yml")):
        files[(VOCAB_DIR / vocab_file.name).as_posix()] = vocab_file
    return files


@dataclass(frozen=True)
class InitSettings:
    """What ``copro init --name --organisation --sector`` puts in ``copro.yml``."""

    name: str | None = None
    organisation: Organisation | None = None

    @property
    def given(self) -> bool:
        return self.name is not None or self.organisation is not None

    def text(self) -> str:
        """``copro.yml`` as written; personal data is refused before anything is written."""
        from copro.core.errors import UsageError
        from copro.core.pii import KINDS, scan_text

        text = render_settings(self.name, self.organisation)
        found = scan_text(text)
        if found:
            raise UsageError(
                f"--name or --organisation contains {KINDS[found[0].code]} (not shown)",
                "the settings are published with the archive: name the organisation, "
                "never a person's contact details",
            )
        return text


def init_archive(
    path: Path,
    skip: Iterable[str] = (),
    hook_repo: str | None = None,
    hook_rev: str | None = None,
    install: str | None = None,
    settings: InitSettings = InitSettings(),
) -> InitResult:
    """Create an archive root at ``path`` (and a git repository if it is none).

    ``install`` is the pip requirement CI installs; by default it is worked out
    from how this copro was installed (``InitResult.install`` is None when that
    cannot be told, and the workflow then fails saying what to put there).
    ``settings``, when given, are written to ``copro.yml``. On an existing
    archive root, ``settings`` (without a ``copro.yml`` there), ``install`` and
    ``hook_repo`` change only what they name (``_existing_archive``).
    """
    from copro.core.gitrepo import is_repository, run_git

    root = Path(path).expanduser().resolve()
    if os.path.lexists(root / ARCHIVE_DIR):
        return _existing_archive(root, settings, install, hook_repo, hook_rev)
    if root.exists() and not root.is_dir():
        raise CoproError(f"{root} exists and is not a folder; nothing was touched")
    source = from_spec(install) if install is not None else installed_source()
    if hook_repo:
        hook_rev = hook_rev or f"v{VERSION}"
    else:
        hook_repo, hook_rev = source.hook_repo, source.hook_rev
    files = planned_files(settings.name or root.name or "archive", hook_repo, hook_rev, source)
    if settings.given:
        files[SETTINGS_FILE] = settings.text()
    skipped = {s.strip("/") for s in skip}
    _check_nothing_in_the_way(root, files, skipped)
    result = InitResult(
        root, install=source.spec, why_unknown=source.why_unknown, suggested=source.suggested
    )
    result.hook_repo = hook_repo if hook_rev else None
    new_folders = _missing_folders(root, files)
    try:
        root.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            if os.path.lexists(root / rel):
                result.skipped.append(rel)
                continue
            create_new(root, rel, content.read_bytes() if isinstance(content, Path) else content)
            result.written.append(rel)
        if not is_repository(root):
            # main, whatever the user's init.defaultBranch: the workflows init
            # writes build the site on main, and a hub's members name rev: main.
            run_git(root, "init", "-q", "--initial-branch=main")
            result.git_initialised = True
    except BaseException:
        _roll_back(root, result.written, new_folders)
        raise
    return result


def _existing_archive(
    root: Path,
    settings: InitSettings,
    install: str | None,
    hook_repo: str | None,
    hook_rev: str | None,
) -> InitResult:
    """On an archive root: write ``copro.yml`` when asked and absent, rewrite the
    install lines for ``install`` and the pre-commit hook for ``hook_repo``;
    nothing else. Everything is checked before anything is written."""
    from copro.core.fileio import archive_lock
    from copro.write.reinit import apply_changes, hook_change, install_changes

    if not (settings.given or install is not None or hook_repo):
        raise CoproError(
            f"{root} already holds an archive (it has {ARCHIVE_DIR}/); nothing was touched",
            "run copro commands there, or choose another folder; on this archive, "
            "--install SPEC sets what CI installs and --hook-repo URL pins the pre-commit hook",
        )
    if settings.given and os.path.lexists(settings_path(root)):
        raise CoproError(
            f"{root} already holds an archive and its {SETTINGS_FILE}; nothing was touched",
            f"change {SETTINGS_FILE} in a text editor",
        )
    settings_text = settings.text() if settings.given else None
    result = InitResult(root, existing=True)
    with archive_lock(root):
        changes = []
        if install is not None:
            source = from_spec(install)
            changes += install_changes(root, source)
            result.install = source.spec
        if hook_repo:
            result.hook_repo, result.hook_rev = hook_repo, hook_rev or f"v{VERSION}"
            changes.append(hook_change(root, hook_repo, result.hook_rev))
        if settings_text is not None:
            create_new(root, SETTINGS_FILE, settings_text)
            result.written.append(SETTINGS_FILE)
        try:
            apply_changes(root, changes)
        except BaseException:
            _roll_back(root, result.written, [])
            raise
    result.changed = [(change.rel, change.what) for change in changes]
    return result


def _check_nothing_in_the_way(root: Path, files: dict[str, str | Path], skipped: set[str]) -> None:
    """Refuse before writing anything: an existing file (a dangling link counts), or a
    file or link where a folder must go."""
    clashes = [rel for rel in files if os.path.lexists(root / rel) and rel not in skipped]
    if clashes:
        raise CoproError(
            f"{len(clashes)} file(s) already exist in {root}: {', '.join(clashes)}; "
            "nothing was touched",
            "keep them with --skip FILE (repeatable); copro never overwrites",
        )
    for folder in sorted({parent for rel in files for parent in _parents(rel)}):
        target = root / folder
        if os.path.lexists(target) and (target.is_symlink() or not target.is_dir()):
            raise CoproError(
                f"{folder} in {root} is in the way (a file or link where copro needs a "
                "folder); nothing was touched",
                "move it aside and run copro init again",
            )


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _missing_folders(root: Path, files: dict[str, str | Path]) -> list[Path]:
    """Folders init will create (the root included), deepest first, for a roll-back."""
    wanted = {root / parent for rel in files for parent in _parents(rel)} | {root}
    wanted |= {p for p in root.parents if not p.exists()}
    return sorted((p for p in wanted if not os.path.lexists(p)), key=lambda p: -len(p.parts))


def _roll_back(root: Path, written: list[str], new_folders: list[Path]) -> None:
    """Remove what a failed init wrote, so it can be run again from the start."""
    for rel in written:
        with contextlib.suppress(OSError):
            (root / rel).unlink()
    for folder in new_folders:
        with contextlib.suppress(OSError):
            folder.rmdir()
