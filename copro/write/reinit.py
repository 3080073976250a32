"""``copro init --install SPEC`` / ``--hook-repo URL`` on an archive that exists.

``init`` on a new folder cannot always tell where CI should install copro from
(a local install), and says to set it with ``--install``. Run on the archive it
made, the same command rewrites only the lines that install copro: the install
step of each workflow init wrote and the contributors' README's ``pipx`` line
while it is still init's placeholder; ``--hook-repo`` rewrites only the
``copro-validate`` entry of ``.pre-commit-config.yaml``. Every other byte is
kept. Every new text is worked out and checked before any file is replaced,
and a failure part-way puts back the files already replaced.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from copro.core.errors import CoproError, UsageError
from copro.write.install_lines import (
    PRECOMMIT_LOCAL_COMMENTS,
    install_step,
    pipx_line,
    placeholder_pipx_line,
)
from copro.write.install_source import InstallSource

VALIDATE_WORKFLOW = ".github/workflows/validate.yml"
WORKFLOWS = (VALIDATE_WORKFLOW, ".github/workflows/site.yml")
PRECOMMIT = ".pre-commit-config.yaml"
CONTRIBUTORS_README = "README.md"

_INSTALL_STEP = re.compile(r"^(?P<indent>[ ]*)- name: Install copro\b")
_HOOK_ID = re.compile(r"^[ ]*-?[ ]*id:[ ]*['\"]?copro-validate['\"]?[ ]*(#.*)?$")
_ANY_HOOK_ID = re.compile(r"^[ ]*-[ ]*id:")
_REPO_ITEM = re.compile(r"^(?P<indent>[ ]*)-[ ]+repo:")
_SAFE_HOOK_WORD = re.compile(r"[^\s'\"#`\\]+")


@dataclass(frozen=True)
class Change:
    """One file rewritten: its path from the root, the old and new text, and why."""

    rel: str
    old: str
    new: str
    what: str


def install_changes(root: Path, source: InstallSource) -> list[Change]:
    """The install step of each workflow (and the README's placeholder pipx line)."""

    assert source.spec is not None
    changes = []
    workflows = steps = 0
    for rel in WORKFLOWS:
        text = _read(root, rel)
        workflows += text is not None
        new = _replace_install_steps(text or "", install_step(source, Path(rel).name))
        if text is None or new is None:
            continue
        steps += 1
        _check_workflow(rel, new, source.spec)
        if new != text:
            changes.append(Change(rel, text, new, "its install step"))
    if not steps:
        raise CoproError(
            f"no workflow in {root} has copro's install step (a step named 'Install copro'); "
            "nothing was touched"
            if workflows
            else f"{root} has no {VALIDATE_WORKFLOW} to set the install line in; "
            "nothing was touched",
            f"set the pip install line in {VALIDATE_WORKFLOW} by hand"
            if workflows
            else "copy it from a new archive (copro init NEW-FOLDER --install SPEC)",
        )
    readme = _read(root, CONTRIBUTORS_README)
    placeholder = placeholder_pipx_line()
    if readme is not None and placeholder in readme:
        new_readme = readme.replace(placeholder, pipx_line(source))
        changes.append(Change(CONTRIBUTORS_README, readme, new_readme, "its pipx line"))
    return changes


def hook_change(root: Path, hook_repo: str, rev: str) -> Change:
    """The ``copro-validate`` entry of ``.pre-commit-config.yaml`` pinned to ``hook_repo``."""

    for option, value in (("--hook-repo", hook_repo), ("--hook-rev", rev)):
        if not _SAFE_HOOK_WORD.fullmatch(value):
            raise UsageError(
                f"{option} needs one word: no spaces, quotes, backslashes or '#'",
                "e.g. --hook-repo https://example.org/copro.git --hook-rev v0.3.0",
            )
    text = _read(root, PRECOMMIT)
    if text is None:
        raise CoproError(
            f"{root} has no {PRECOMMIT}; nothing was touched",
            "copy it from a new archive (copro init NEW-FOLDER --hook-repo URL) into this one",
        )
    lines = text.splitlines(keepends=True)
    start, end = _hook_entry(lines)
    indent = _REPO_ITEM.match(lines[start]).group("indent")  # type: ignore[union-attr]
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    entry = [
        f"{indent}- repo: {hook_repo}",
        f"{indent}  rev: {rev}",
        f"{indent}  hooks:",
        f"{indent}    - id: copro-validate",
    ]
    new = "".join(lines[:start]) + newline.join(entry) + newline + "".join(lines[end:])
    for comment in PRECOMMIT_LOCAL_COMMENTS:
        new = new.replace(comment.replace("\n", newline), "", 1)
    _check_hook(new, hook_repo, rev)
    return Change(PRECOMMIT, text, new, "the copro-validate hook")


def _read(root: Path, rel: str) -> str | None:
    """A file init wrote, as text; None when it is not there. A link is refused: the
    file would be replaced by a copy and its target left as it was."""
    path = root / rel
    if path.is_symlink():
        raise CoproError(
            f"{rel} in {root} is a symbolic link; nothing was touched",
            "edit the file it points to by hand",
        )
    if not path.is_file():
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CoproError(f"cannot read {rel} in {root}: {exc}; nothing was touched") from None


def _step_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the step (or list item) that begins at ``start``: the lines
    indented deeper than its ``-``, trailing blank lines left outside."""
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
            break
        end += 1
        if line.strip():
            last = end
    return last


def _replace_install_steps(text: str, step: str) -> str | None:
    """``text`` with each ``Install copro`` step replaced by ``step`` (re-indented to
    where it stands), or None when it has none."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    index, found = 0, False
    while index < len(lines):
        match = _INSTALL_STEP.match(lines[index])
        if not match:
            out.append(lines[index])
            index += 1
            continue
        found = True
        indent = match.group("indent")
        newline = "\r\n" if lines[index].endswith("\r\n") else "\n"
        end = _step_end(lines, index, len(indent))
        block = textwrap.indent(textwrap.dedent(step), indent).rstrip("\n")
        out.append(block.replace("\n", newline) + newline)
        index = end
    return "".join(out) if found else None


def _hook_entry(lines: list[str]) -> tuple[int, int]:
    """Where the ``repos`` item holding the ``copro-validate`` hook begins and ends."""
    hook = next((i for i, line in enumerate(lines) if _HOOK_ID.match(line.rstrip("\r\n"))), None)
    start = (
        next((i for i in range(hook, -1, -1) if _REPO_ITEM.match(lines[i])), None)
        if hook is not None
        else None
    )
    if hook is None or start is None:
        raise CoproError(
            f"{PRECOMMIT} has no copro-validate hook to pin; nothing was touched",
            "add the entry by hand: - repo: URL / rev: TAG / hooks: [{id: copro-validate}]",
        )
    indent = len(_REPO_ITEM.match(lines[start]).group("indent"))  # type: ignore[union-attr]
    end = _step_end(lines, start, indent)
    others = [i for i in range(start, end) if _ANY_HOOK_ID.match(lines[i]) and i != hook]
    if others:
        raise CoproError(
            f"the copro-validate hook in {PRECOMMIT} shares its repo entry with other "
            "hooks; nothing was touched",
            "move copro-validate to an entry of its own, or pin it by hand",
        )
    return start, end


def _check(rel: str, text: str, holds: Callable[[object], bool]) -> None:
    """The rewritten file must still read as YAML and say what was asked."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        document = None
    if not holds(document):
        raise CoproError(
            f"{rel} could not be rewritten safely (its layout is not the one copro init "
            "writes); nothing was touched",
            "set the line by hand",
        )


def _check_workflow(rel: str, text: str, spec: str) -> None:
    def installs(document: object) -> bool:
        steps = [
            step
            for job in (document or {}).get("jobs", {}).values()  # type: ignore[attr-defined]
            for step in job.get("steps", [])
            if str(step.get("name", "")).startswith("Install copro")
        ]
        return bool(steps) and all(spec in str(step.get("run", "")) for step in steps)

    _check(rel, text, lambda document: isinstance(document, dict) and installs(document))


def _check_hook(text: str, hook_repo: str, rev: str) -> None:
    def pinned(document: object) -> bool:
        repos = document.get("repos") if isinstance(document, dict) else None
        return isinstance(repos, list) and any(
            isinstance(repo, dict)
            and repo.get("repo") == hook_repo
            and str(repo.get("rev")) == rev
            and repo.get("hooks") == [{"id": "copro-validate"}]
            for repo in repos
        )

    _check(PRECOMMIT, text, pinned)


def apply_changes(root: Path, changes: list[Change]) -> None:
    """Replace each file atomically; if one fails, put back those already replaced."""
    from copro.core.fileio import replace_atomic

    done: list[Change] = []
    try:
        for change in changes:
            replace_atomic(root / change.rel, change.new.encode("utf-8"))
            done.append(change)
    except OSError as exc:
        for change in reversed(done):
            replace_atomic(root / change.rel, change.old.encode("utf-8"))
        raise CoproError(
            f"cannot write {changes[len(done)].rel} in {root}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from None
