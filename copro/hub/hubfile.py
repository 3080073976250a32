"""The hub's two files: ``hub.yml`` (what to read) and ``hub.lock`` (what was read).

``hub.yml`` names each member archive by a git URL or local path and a ``rev``.
A URL ends up on git's command line, so it is checked here before git ever sees
it: no leading ``-`` (it would be read as an option), no ``<transport>::``
address (``ext::`` runs a command), and only the transports a member can
sensibly live on (a local path, ``file://``, ``https://``, ``ssh://`` or
``user@host:path``). ``hub.lock`` is written by ``copro hub sync`` in a fixed
shape, so running it again with nothing changed leaves the file byte for byte
as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.paths import HUB_FILE

LOCK_FILE = "hub.lock"
MEMBER_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_NAME = 60
MEMBER_KEYS = ("name", "url", "rev")
_SCHEMES = ("https://", "ssh://", "file://")
_TRANSPORT = re.compile(r"^[A-Za-z0-9+.-]+::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"^(?:[^@/:]+@)?([^/:]+):")
_REV = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f]")
LOCK_HEADER = "# Written by `copro hub sync`: the commit of each member the hub reads.\n"


@dataclass(frozen=True)
class Member:
    """One member archive as ``hub.yml`` names it; ``line`` is its line in hub.yml."""

    name: str
    url: str
    rev: str
    line: int

    def location(self, hub_root: Path) -> str:
        """What git is given: a URL as written, a local path made absolute.

        A relative path is relative to the folder holding hub.yml, as the
        contract says, not to wherever copro was started.
        """
        if is_remote_url(self.url):
            return self.url
        path = Path(self.url).expanduser()
        return str(path if path.is_absolute() else (hub_root / path).resolve())


@dataclass(frozen=True)
class HubConfig:
    root: Path
    members: tuple[Member, ...]

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)


@dataclass(frozen=True)
class LockEntry:
    """One member in ``hub.lock``: ``commit`` is what the hub reads (None: never passed)."""

    name: str
    url: str
    rev: str
    commit: str | None
    passed: bool
    problems: int


class HubFileError(CoproError):
    """``hub.yml`` cannot be used: the message names the file and the line."""


def is_hub_root(folder: Path) -> bool:
    return (folder / HUB_FILE).is_file()


def refuse_hub_writes(root: Path, command: str) -> None:
    """Refuse (exit 2) a command that writes records in a hub root holding no archive/.

    Contract section 7: writes never go through the hub. Every writing command
    (``new``, ``revisit``, ``add``, ``update``, ``import``, ``remove``, ``vocab
    add``, ``consensus draft``, the web app's forms) calls this first; the
    message names each member's own root, where the write belongs.
    """
    from copro.core.errors import UsageError
    from copro.core.paths import ARCHIVE_DIR

    if not is_hub_root(root) or (root / ARCHIVE_DIR).is_dir():
        return
    try:
        members = load_hub(root).members
    except CoproError:
        members = ()
    roots = [f"{m.name} ({shown_location(m, root)})" for m in members]
    raise UsageError(
        f"{root} is a hub root: it reads its members' archives and writes to none of them, "
        f"so `copro {command}` does nothing here",
        (
            f"run it in a member's own root: {'; '.join(roots)}"
            if roots
            else "run it in a member's own archive root (hub.yml names them)"
        ),
    )


def shown_location(member: Member, hub_root: Path) -> str:
    """Where a member lives, fit to print: a local path made absolute, a URL without any
    user name or password."""
    location = member.location(hub_root)
    scheme = _SCHEME.match(location)
    if scheme:
        rest = location[scheme.end() :]
        host, slash, path = rest.partition("/")
        return location[: scheme.end()] + host.rpartition("@")[2] + slash + path
    return location


def is_remote_url(url: str) -> bool:
    return url.startswith(_SCHEMES) or _SCP.match(url) is not None


def check_url(url: str) -> str | None:
    """Why ``url`` is refused, or None when git may be given it."""
    if _UNPRINTABLE.search(url):
        return "a url may not contain spaces or control characters"
    if url.startswith("-"):
        return "a url may not start with `-` (git would read it as an option)"
    if _TRANSPORT.match(url):
        return (
            "`<transport>::` addresses are refused: they make git run a command "
            "(use a local path, file://, https:// or ssh://)"
        )
    scheme = _SCHEME.match(url)
    if scheme:
        if not url.startswith(_SCHEMES):
            return (
                f"the `{scheme.group(1)}://` transport is not allowed "
                "(use a local path, file://, https:// or ssh://)"
            )
        host = url.split("://", 1)[1]
        host = host.split("@", 1)[1] if "@" in host.split("/", 1)[0] else host
        if host.startswith("-"):
            return "a host name may not start with `-` (ssh would read it as an option)"
        return None
    scp = _SCP.match(url)
    if scp and scp.group(1).startswith("-"):
        return "a host name may not start with `-` (ssh would read it as an option)"
    return None


def check_rev(rev: str) -> str | None:
    """Why ``rev`` is refused: it must read as a branch, tag or commit, never an option."""
    if not _REV.fullmatch(rev) or ".." in rev or rev.endswith((".lock", "/", ".")):
        return (
            "`rev` must be a branch, tag or full commit hash (letters, digits, `-`, `_`, `.`, `/`)"
        )
    return None


def load_hub(root: Path) -> HubConfig:
    """Read and check ``hub.yml``; every problem names the file and its line."""
    from copro.core import yamlstrict

    path = root / HUB_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise HubFileError(f"cannot read {HUB_FILE}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise HubFileError(f"{HUB_FILE} is not UTF-8 text", "save it as UTF-8") from None
    loaded = yamlstrict.load(text.replace("\r\n", "\n"))
    problems: list[tuple[int, str]] = [(i.line, i.message) for i in loaded.issues]
    members: list[Member] = []
    data = loaded.value
    if not problems:
        if isinstance(data, dict) and "members" in data and data["members"] is None:
            data["members"] = []  # `members:` with only commented examples under it
        if not isinstance(data, dict) or not isinstance(data.get("members"), list):
            problems.append((1, "hub.yml has one key, `members`, holding a list of members"))
        else:
            for key in sorted(set(data) - {"members"}):
                problems.append((loaded.lines.get((key,), 1), f"unknown key `{key}`"))
            members = _members(data["members"], loaded.lines, problems)
    if problems:
        problems.sort()
        lines = "; ".join(f"{HUB_FILE}:{line}: {message}" for line, message in problems)
        raise HubFileError(
            lines,
            "each member is `{name: kebab-case-name, url: git URL or local path, "
            "rev: branch, tag or commit}`",
        )
    return HubConfig(root, tuple(members))


def _members(
    items: list[object], lines: dict[tuple[str | int, ...], int], problems: list[tuple[int, str]]
) -> list[Member]:
    members: list[Member] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = lines.get(("members", index), 1)
        if not isinstance(item, dict):
            problems.append((line, "each member is a mapping with name, url and rev"))
            continue

        def at(key: str, index: int = index, line: int = line) -> int:
            return lines.get(("members", index, key), line)

        for key in sorted(set(item) - set(MEMBER_KEYS)):
            problems.append((at(key), f"unknown member key `{key}` (a member has name, url, rev)"))
        values: dict[str, str] = {}
        for key in MEMBER_KEYS:
            value = item.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                problems.append((line, f"member {index + 1} has no `{key}`"))
            elif not isinstance(value, str):
                problems.append((at(key), f"`{key}` must be text"))
            else:
                values[key] = value.strip()
        name = values.get("name")
        if name is not None:
            if not MEMBER_NAME.fullmatch(name) or len(name) > MAX_NAME:
                problems.append(
                    (
                        at("name"),
                        "member `name` must be kebab-case (lower-case letters, digits and "
                        f"single hyphens, at most {MAX_NAME} characters), e.g. islington-council",
                    )
                )
            elif name in seen:
                problems.append(
                    (at("name"), f"member name `{name}` is also used on line {seen[name]}")
                )
            else:
                seen[name] = at("name")
        if "url" in values:
            why = check_url(values["url"])
            if why:
                problems.append((at("url"), why))
        if "rev" in values:
            why = check_rev(values["rev"])
            if why:
                problems.append((at("rev"), why))
        if len(values) == len(MEMBER_KEYS):
            members.append(Member(values["name"], values["url"], values["rev"], line))
    return members


def is_full_commit(rev: str) -> bool:
    return _HEX40.fullmatch(rev) is not None


# ---------------------------------------------------------------- hub.lock


def read_lock(root: Path) -> dict[str, LockEntry]:
    """The last ``hub.lock`` by member name; a missing or unreadable lock is empty.

    The lock is copro's own output: an unreadable one only means every member
    is treated as never synced before.
    """
    from copro.core import yamlstrict

    try:
        text = (root / LOCK_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    loaded = yamlstrict.load(text)
    data = loaded.value
    if loaded.issues or not isinstance(data, dict) or not isinstance(data.get("members"), list):
        return {}
    entries: dict[str, LockEntry] = {}
    for item in data["members"]:
        if not isinstance(item, dict):
            continue
        name, commit = item.get("name"), item.get("commit")
        if not isinstance(name, str) or not (commit is None or is_full_commit(str(commit))):
            continue
        count = item.get("problems")
        entries[name] = LockEntry(
            name,
            str(item.get("url", "")),
            str(item.get("rev", "")),
            commit,
            item.get("passed") is True,
            count if isinstance(count, int) else 0,
        )
    return entries


def render_lock(entries: list[LockEntry]) -> str:
    """``hub.lock`` text: the contract's shape, always in the same form for the same values."""
    import yaml

    document = {
        "members": [
            {
                "name": e.name,
                "url": e.url,
                "rev": e.rev,
                "commit": e.commit,
                "passed": e.passed,
                "problems": e.problems,
            }
            for e in entries
        ]
    }
    body = yaml.safe_dump(
        document, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000
    )
    return LOCK_HEADER + body


def write_lock(root: Path, entries: list[LockEntry]) -> bool:
    """Write ``hub.lock`` atomically, only when its content changes; True when written."""
    from copro.core.fileio import write_atomic

    text = render_lock(entries)
    path = root / LOCK_FILE
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return True
