"""All git access: runs the ``git`` executable with explicit arguments, never a shell.

Git history is the archive's provenance trail, and it is also permanent:
personal data added in one commit and removed in the next is still in what a
merge publishes, so ``validate --changed-since`` scans every added line and
commit message in the range, not just the final files.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from copro import pii
from copro.archive import ARCHIVE_DIR, record_path, relpath
from copro.errors import CoproError, UsageError
from copro.problems import ERROR, Problem
from copro.records import BODY_ALLOW_MARKER, FM_ALLOW_MARKER, archive_ids, unknown_record

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class Commit:
    hash: str
    author: str
    date: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def run_git(root: Path, *args: str) -> str:
    """Run git in ``root``; a failure becomes a CoproError with git's own words."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError as exc:
        raise CoproError("git is not installed", "install git to use history features") from exc
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["git failed"])[0]
        raise CoproError(f"git: {first}")
    return done.stdout


def is_repository(root: Path) -> bool:
    try:
        return run_git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except CoproError:
        return False


def _verify_rev(root: Path, rev: str) -> None:
    if rev.startswith("-"):
        raise UsageError(f"not a revision: {rev}")
    if not is_repository(root):
        raise UsageError(
            "--changed-since needs the archive to be a git repository",
            "run it inside a clone of the archive",
        )
    try:
        run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except CoproError as exc:
        raise UsageError(
            f"unknown revision {rev}", "in CI, fetch the base branch first (fetch-depth: 0)"
        ) from exc


def changed_records(root: Path, rev: str) -> set[str]:
    """Record files added or changed since ``rev`` (committed or not), archive-relative."""
    _verify_rev(root, rev)
    out = run_git(
        root, "diff", "--name-only", "--diff-filter=ACMRT", "--no-renames", rev, "--", ARCHIVE_DIR
    )
    untracked = run_git(root, "ls-files", "--others", "--exclude-standard", "--", ARCHIVE_DIR)
    names = {line for line in (out + untracked).splitlines() if line.endswith(".md")}
    prefix = run_git(root, "rev-parse", "--show-prefix").strip()
    return {name[len(prefix) :] if prefix and name.startswith(prefix) else name for name in names}


def scan_history(root: Path, rev: str) -> list[Problem]:
    """Personal data in any line added, or any commit message written, in ``rev..HEAD``."""
    _verify_rev(root, rev)
    log = run_git(
        root,
        "log",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--format=%x01%H%x02%B%x03",
        f"{rev}..HEAD",
    )
    problems: list[Problem] = []
    for chunk in log.split("\x01")[1:]:
        commit, _, rest = chunk.partition("\x02")
        message, _, patch = rest.partition("\x03")
        short = commit[:10]
        for finding in pii.scan_text(message):
            problems.append(
                Problem(
                    f"<commit {short} message>",
                    finding.line,
                    ERROR,
                    "pii-in-history",
                    f"commit {short}: its message contains {pii.KINDS[finding.code]} (not shown); "
                    "rewrite the branch's history before merging",
                )
            )
        problems.extend(_scan_patch(short, patch))
    return problems


def _scan_patch(short: str, patch: str) -> list[Problem]:
    problems: list[Problem] = []
    added: dict[str, list[tuple[int, str]]] = {}
    path, line_no = None, 0
    for line in patch.split("\n"):
        if line.startswith("+++ "):
            target = line[4:]
            path = target[2:] if target.startswith("b/") else None
            continue
        if line.startswith("--- ") or line.startswith("diff --git"):
            continue
        hunk = _HUNK.match(line)
        if hunk:
            line_no = int(hunk.group(1))
            continue
        if path and line.startswith("+"):
            added.setdefault(path, []).append((line_no, line[1:]))
            line_no += 1
    for path, lines in added.items():
        text = "\n".join(content for _, content in lines)
        allowed = {
            index + 1
            for index, (_, content) in enumerate(lines)
            if FM_ALLOW_MARKER in content or BODY_ALLOW_MARKER in content
        }
        for finding in pii.scan_text(text, allowed):
            real_line = lines[finding.line - 1][0]
            problems.append(
                Problem(
                    path,
                    real_line,
                    ERROR,
                    "pii-in-history",
                    f"commit {short} adds {pii.KINDS[finding.code]} (not shown) at line "
                    f"{real_line}; it stays in the history even if a later commit removes it: "
                    "rewrite the branch's history before merging",
                )
            )
    return problems


def history(root: Path, record_id: str) -> list[Commit]:
    """Every commit that touched the record, newest first, following renames."""
    path = record_path(root, record_id)
    if not is_repository(root):
        raise CoproError(
            f"{root} is not a git repository, so there is no history to show",
            "history comes from git: keep the archive in a git repository",
        )
    if not path.exists():
        raise unknown_record(record_id, archive_ids(root))
    out = run_git(root, "log", "-z", "--follow", COMMIT_FORMAT, "--", relpath(root, path))
    return _commits(out)


COMMIT_FORMAT = "--format=%H%x00%an%x00%aI%x00%s"
"""Fields separated by NUL and, with ``-z``, commits too: git never puts NUL in a message."""


def _commits(out: str) -> list[Commit]:
    fields = out.split("\0")
    return [Commit(*fields[i : i + 4]) for i in range(0, len(fields) - 3, 4)]


def last_commit(root: Path, path: Path) -> Commit | None:
    """The newest commit that touched ``path``, or None outside git or when untracked."""
    if not is_repository(root):
        return None
    try:
        out = run_git(root, "log", "-z", "-1", COMMIT_FORMAT, "--", relpath(root, path))
    except CoproError:
        return None
    commits = _commits(out)
    return commits[0] if commits else None


def inside_work_tree(path: Path) -> bool:
    return is_repository(path)
