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

from copro.core import pii
from copro.core.errors import EXIT_USAGE, CoproError, UsageError
from copro.core.paths import ARCHIVE_DIR, CONSENSUS_DIR, record_path, relpath
from copro.core.problems import ERROR, Problem
from copro.core.records import BODY_ALLOW_MARKER, FM_ALLOW_MARKER, archive_ids, unknown_record

_HUNK = re.compile(r"(@@+) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? \1")
_OLD_RANGE = re.compile(r"-\d+(?:,(\d+))?")
_HASH = re.compile(r"[0-9a-f]{40,64}")

# Settings of the user's or the repository's git config that change what git
# prints; each is pinned so that nothing in a config file can hide or reshape
# an added line or a file name from the scan.
PINNED_CONFIG = (
    "core.quotePath=false",  # non-ASCII file names as they are, not "caf\303\251"
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "color.ui=never",
    "log.showSignature=false",
    "i18n.logOutputEncoding=UTF-8",
)
# Patches are read with explicit prefixes, as text, with no textconv filter and
# no external diff: a committed `.gitattributes` (`archive/** -diff`) or a
# diff driver cannot turn added lines into "Binary files differ" or nothing.
PATCH_OPTIONS = (
    "-p",
    "--cc",  # a merge shows the lines it adds beyond every parent (an "evil merge")
    "-U0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--text",
    "--no-renames",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


@dataclass(frozen=True)
class Commit:
    hash: str
    author: str
    date: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


class GitRefused(CoproError):
    """git would not work in the repository (e.g. owned by another user): exit 2."""


def run_git(root: Path, *args: str) -> str:
    """Run git in ``root``; a failure becomes a CoproError with git's own words.

    Output is read as bytes and decoded here, so no newline translation changes
    a file name or a patch line.
    """
    pinned = [arg for setting in PINNED_CONFIG for arg in ("-c", setting)]
    try:
        done = subprocess.run(
            ["git", "--no-replace-objects", *pinned, "-C", str(root), *args],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise CoproError("git is not installed", "install git to use history features") from exc
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        if "dubious ownership" in stderr:
            raise _ownership_refused(root, stderr)
        first = (stderr.splitlines() or ["git failed"])[0]
        raise CoproError(f"git: {first}")
    return done.stdout.decode("utf-8", "replace")


def _ownership_refused(root: Path, stderr: str) -> GitRefused:
    said = next((line for line in stderr.splitlines() if "dubious ownership" in line), stderr)
    return GitRefused(
        f"git refused to work in {root}: {said.removeprefix('fatal: ')}",
        "the repository belongs to another user (common in CI containers); if you trust it, "
        f"run: git config --global --add safe.directory {root}",
        EXIT_USAGE,
    )


def is_repository(root: Path) -> bool:
    """Whether ``root`` is inside a git work tree; git refusing it is said, not hidden."""
    try:
        return run_git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitRefused:
        raise
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
    if run_git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
        raise UsageError(
            f"this clone is shallow, so the history since {rev} may be cut short and "
            "personal data added in one commit and removed in a later one would be missed",
            "fetch the whole history: in GitHub Actions give actions/checkout "
            "fetch-depth: 0; elsewhere run git fetch --unshallow",
        )
    try:
        run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except CoproError as exc:
        raise UsageError(
            f"unknown revision {rev}", "in CI, fetch the base branch first (fetch-depth: 0)"
        ) from exc


def changed_records(root: Path, rev: str) -> set[str]:
    """Files under archive/ and consensus/ added or changed since ``rev`` (committed or not),
    root-relative.

    Every file, not only ``*.md`` (a stray file is an error too); names are read
    NUL-separated, so no name is quoted or split.
    """
    _verify_rev(root, rev)
    changed = run_git(
        root, "diff", "--name-only", "-z", "--no-relative", "--diff-filter=ACMRT",
        "--no-renames", rev, "--", ARCHIVE_DIR, CONSENSUS_DIR,
    )  # fmt: skip
    prefix = run_git(root, "rev-parse", "--show-prefix").strip()
    names = {
        name[len(prefix) :] if prefix and name.startswith(prefix) else name
        for name in changed.split("\0")
        if name
    }
    untracked = run_git(
        root, "ls-files", "-z", "--others", "--exclude-standard", "--", ARCHIVE_DIR, CONSENSUS_DIR
    )
    return names | {name for name in untracked.split("\0") if name}  # relative to root already


def scan_history(root: Path, rev: str) -> list[Problem]:
    """Personal data in any line added, or any commit message written, in ``rev..HEAD``."""
    _verify_rev(root, rev)
    problems: list[Problem] = []
    messages = run_git(root, "log", "-z", "--format=%H%x00%B", f"{rev}..HEAD").split("\0")
    for commit, message in zip(messages[0::2], messages[1::2], strict=False):
        short = commit.strip()[:10]
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
    patches = run_git(root, "log", *PATCH_OPTIONS, "--format=%x00%H", f"{rev}..HEAD")
    for short, added in _added_lines(patches):
        problems.extend(_scan_added(short, added))
    return problems


def _added_lines(patches: str) -> list[tuple[str, dict[str, list[tuple[int, str]]]]]:
    """Per commit, the lines each file gained, with their line numbers in that commit.

    Inside a hunk the header's counts say how many lines follow, so a content
    line is content whatever it starts with (``++ x`` shows as ``+++ x``); a
    commit starts at a line of NUL and its hash, which no patch line can be
    (every patch line starts with a prefix character). A merge's combined
    hunk (``@@@``) has a prefix column per parent; a line is added when every
    column says ``+`` (it is in none of the parents).
    """
    commits: list[tuple[str, dict[str, list[tuple[int, str]]]]] = []
    added: dict[str, list[tuple[int, str]]] = {}
    path, hunk = "(unknown file)", None
    for line in patches.split("\n"):
        if hunk is not None and hunk.open:
            content = hunk.take(line)
            if content is not None:
                added.setdefault(path, []).append(content)
            continue
        if line.startswith("\0") and _HASH.fullmatch(line[1:]):
            added = {}
            commits.append((line[1:11], added))
        elif line.startswith(("diff --git ", "diff --cc ", "diff --combined ")):
            path = "(unknown file)"
        elif line.startswith("+++ "):
            path = _patch_path(line[4:]) or path
        elif header := _HUNK.match(line):
            hunk = _Hunk(header)
    return commits


class _Hunk:
    """The lines still to come in one hunk: per parent, and in the result."""

    def __init__(self, header: re.Match[str]) -> None:
        self.parents = [int(count or 1) for count in _OLD_RANGE.findall(header.group(2))]
        self.line_no = int(header.group(3))
        self.result_left = int(header.group(4) or 1)

    @property
    def open(self) -> bool:
        return self.result_left > 0 or any(left > 0 for left in self.parents)

    def take(self, line: str) -> tuple[int, str] | None:
        """Count one hunk line; the (line number, text) of a line every parent lacks."""
        width = len(self.parents)
        columns = line[:width]
        if len(columns) < width or any(c not in "+- " for c in columns):
            return None  # "\ No newline at end of file"
        removed = "-" in columns
        for index, column in enumerate(columns):
            if column == "-" or (column == " " and not removed):
                self.parents[index] -= 1
        if removed:
            return None
        self.result_left -= 1
        self.line_no += 1
        return (self.line_no - 1, line[width:]) if columns == "+" * width else None


def _patch_path(target: str) -> str | None:
    """``b/path`` or git's C-quoted ``"b/pa\\tth"`` as the path; None for /dev/null."""
    if target.startswith('"') and target.endswith('"') and len(target) > 1:
        target = _unquote_c(target[1:-1])
    return target[2:] if target.startswith("b/") else None


_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote_c(text: str) -> str:
    """Undo git's C-style quoting of a path (escapes and octal bytes)."""
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "01234567" and re.fullmatch(r"[0-7]{3}", text[i + 1 : i + 4]):
                out.append(int(text[i + 1 : i + 4], 8))
                i += 4
                continue
            if nxt in _C_ESCAPES:
                out.append(_C_ESCAPES[nxt])
                i += 2
                continue
        out += char.encode("utf-8")
        i += 1
    return out.decode("utf-8", "replace")


def _scan_added(short: str, added: dict[str, list[tuple[int, str]]]) -> list[Problem]:
    problems: list[Problem] = []
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
    """The newest commit that touched ``path``, or None outside git, untracked, or refused."""
    try:
        if not is_repository(root):
            return None
        out = run_git(root, "log", "-z", "-1", COMMIT_FORMAT, "--", relpath(root, path))
    except CoproError:
        return None
    commits = _commits(out)
    return commits[0] if commits else None
