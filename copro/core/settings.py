"""Archive settings: the optional ``copro.yml`` at the archive root.

Set once, used everywhere: the archive's name (letters, page footers), the
organisation that leads new records by default, the site's title, description,
public address, contact route and privacy page, and the search backend. Every
key is checked (an unknown key is an error, as in records, so a typo never
passes silently); ``copro validate`` reports problems with the code
``settings-invalid`` at their line, and commands that read the settings refuse
an invalid file (exit 1) naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copro.core import yamlstrict
from copro.core.errors import CoproError
from copro.core.pii import KINDS, quoted, scan_text, shown
from copro.core.problems import ERROR, Problem
from copro.core.values import SECTORS, ValueProblem, parse_sector

SETTINGS_FILE = "copro.yml"
DEFAULT_TITLE = "Co-production archive"
CODE = "settings-invalid"
MAX_TEXT = 300
SEARCH_BACKENDS = ("sqlite", "whoosh")
"""The search backends copro has (the keys of ``copro.store.index.BACKENDS``): validate
refuses any other name in copro.yml, as every command that searches would."""
_URL = re.compile(r"https?://[^\s<>\"']+")

Report = Callable[[int, str], None]
"""Hears one fault: its line in copro.yml and a message that echoes no personal data."""

TOP_KEYS = ("name", "organisation", "site", "search")
ORGANISATION_KEYS = ("name", "sector")
SITE_KEYS = ("title", "description", "url", "contact", "privacy_url")
SEARCH_KEYS = ("backend",)
URL_KEYS = ("url", "privacy_url")
PERSONAL_DATA_ALLOWED = (("site", "contact"),)
"""``site.contact`` may be a shared inbox (an organisational route the contract allows)."""


@dataclass(frozen=True)
class Organisation:
    name: str
    sector: str


@dataclass(frozen=True)
class SiteSettings:
    title: str | None = None
    description: str | None = None
    url: str | None = None
    contact: str | None = None
    privacy_url: str | None = None


@dataclass(frozen=True)
class Settings:
    """What ``copro.yml`` says; every value None when the file is absent."""

    name: str | None = None
    organisation: Organisation | None = None
    site: SiteSettings = SiteSettings()
    search_backend: str | None = None

    @property
    def site_title(self) -> str:
        """The site's and web app's title: ``site.title``, else ``name``, else a default."""
        return self.site.title or self.name or DEFAULT_TITLE


NO_SETTINGS = Settings()


def settings_path(root: Path) -> Path:
    return Path(root) / SETTINGS_FILE


def load_settings(root: Path) -> Settings:
    """The archive's settings; a missing ``copro.yml`` gives all None, an invalid one
    raises CoproError (exit 1) naming each problem's line."""
    settings, problems = _read(Path(root))
    if problems:
        where = "; ".join(f"{p.path}:{p.line}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise CoproError(
            f"{SETTINGS_FILE} cannot be used: {where}{more}",
            "fix it (see README, Archive settings) and run `copro validate`",
        )
    return settings


def check_settings(root: Path) -> list[Problem]:
    """``copro validate``'s check of ``copro.yml``: code ``settings-invalid`` at the line."""
    return _read(Path(root))[1]


def _read(root: Path) -> tuple[Settings, list[Problem]]:
    path = settings_path(root)
    if not path.exists() and not path.is_symlink():
        return NO_SETTINGS, []
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(SETTINGS_FILE, line, ERROR, CODE, message))

    if path.is_symlink() or not path.is_file():
        problem(1, f"{SETTINGS_FILE} must be a plain file (not a link or a folder)")
        return NO_SETTINGS, problems
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem(1, f"cannot read {SETTINGS_FILE} ({exc.strerror})")
        return NO_SETTINGS, problems
    if len(data) > 64 * 1024:
        problem(1, f"{SETTINGS_FILE} is larger than 64 KB; it holds a few settings only")
        return NO_SETTINGS, problems
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        problem(1, f"{SETTINGS_FILE} is not UTF-8 text; save it as UTF-8")
        return NO_SETTINGS, problems
    settings = parse_settings(text, problem)
    return (settings if not problems else NO_SETTINGS), sorted(problems)


def parse_settings(text: str, problem: Report) -> Settings:
    """Settings from the text of ``copro.yml``; ``problem(line, message)`` hears each fault."""
    loaded = yamlstrict.load(text)
    for issue in loaded.issues:
        problem(issue.line, issue.message)
    if loaded.issues:
        return NO_SETTINGS
    _personal_data(text, loaded.lines, problem)
    data = loaded.value
    if data is None:
        return NO_SETTINGS
    if not isinstance(data, dict):
        problem(1, f"{SETTINGS_FILE} is a mapping of settings: {', '.join(TOP_KEYS)}")
        return NO_SETTINGS
    reader = _Reader(loaded.lines, problem)
    reader.unknown_keys(data, (), TOP_KEYS)
    organisation = reader.section(data, "organisation", ORGANISATION_KEYS)
    site = reader.section(data, "site", SITE_KEYS)
    search = reader.section(data, "search", SEARCH_KEYS)
    return Settings(
        name=reader.text(data, ("name",)),
        organisation=reader.organisation(organisation),
        site=SiteSettings(
            title=reader.text(site, ("site", "title")),
            description=reader.text(site, ("site", "description")),
            url=reader.url(site, ("site", "url")),
            contact=reader.text(site, ("site", "contact")),
            privacy_url=reader.url(site, ("site", "privacy_url")),
        ),
        search_backend=reader.backend(search),
    )


def _personal_data(text: str, lines: dict[yamlstrict.YamlPath, int], problem: Report) -> None:
    allowed = {lines[key] for key in PERSONAL_DATA_ALLOWED if key in lines}
    for found in scan_text(text, allowed):
        problem(
            found.line,
            f"personal data: {KINDS[found.code]} (not shown); the settings are published "
            "with the archive: name a team or route, never a person",
        )


class _Reader:
    """Reads one value at a time, reporting each fault at its line."""

    def __init__(self, lines: dict[yamlstrict.YamlPath, int], problem: Report) -> None:
        self.lines = lines
        self.problem = problem

    def line(self, path: tuple[str, ...]) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def unknown_keys(
        self, data: dict[str, Any], path: tuple[str, ...], known: tuple[str, ...]
    ) -> None:
        for key in data:
            if key not in known:
                where = ".".join((*path, shown(key, "(a key)")))
                self.problem(
                    self.line((*path, key)),
                    f"unknown setting `{where}`; "
                    f"{'.'.join(path) or SETTINGS_FILE} holds {', '.join(known)}",
                )

    def section(self, data: dict[str, Any], key: str, known: tuple[str, ...]) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(self.line((key,)), f"`{key}` is a mapping of {', '.join(known)}")
            return {}
        self.unknown_keys(value, (key,), known)
        return value

    def text(self, data: dict[str, Any], path: tuple[str, ...]) -> str | None:
        value = data.get(path[-1])
        if value is None:
            return None
        where = ".".join(path)
        if not isinstance(value, str):
            self.problem(self.line(path), f"`{where}` must be text")
            return None
        value = " ".join(value.split())
        if not value:
            self.problem(self.line(path), f"`{where}` is empty: leave it out instead")
            return None
        if len(value) > MAX_TEXT:
            self.problem(self.line(path), f"`{where}` is longer than {MAX_TEXT} characters")
            return None
        return value

    def url(self, data: dict[str, Any], path: tuple[str, ...]) -> str | None:
        value = self.text(data, path)
        if value is not None and not _URL.fullmatch(value):
            self.problem(
                self.line(path), f"`{'.'.join(path)}` must be an http:// or https:// address"
            )
            return None
        return value

    def organisation(self, data: dict[str, Any]) -> Organisation | None:
        if not data:
            return None
        name = self.text(data, ("organisation", "name"))
        sector_text = self.text(data, ("organisation", "sector"))
        if name is None or sector_text is None:
            missing = "name" if name is None else "sector"
            if ("organisation", missing) not in self.lines:
                self.problem(
                    self.line(("organisation",)),
                    f"`organisation` needs both name and sector (it has no {missing})",
                )
            return None
        try:
            return Organisation(name, parse_sector(sector_text))
        except ValueProblem:
            self.problem(
                self.line(("organisation", "sector")),
                f"`organisation.sector` must be one of {', '.join(SECTORS)}",
            )
            return None

    def backend(self, data: dict[str, Any]) -> str | None:
        value = self.text(data, ("search", "backend"))
        if value is not None and value not in SEARCH_BACKENDS:
            self.problem(
                self.line(("search", "backend")),
                f"`search.backend` {quoted(value)} is not one copro has:"
                f" one of {', '.join(SEARCH_BACKENDS)}"
                " (or leave it out: copro chooses by the archive's size)",
            )
            return None
        return value


def render_settings(name: str | None, organisation: Organisation | None) -> str:
    """The text ``copro init --name --organisation --sector`` writes: the values given, and
    the other settings as commented examples so nobody has to look them up."""
    lines = ["# Archive settings (README: Archive settings). `copro validate` checks them."]
    lines.append(f"name: {_yaml_text(name)}" if name else "# name: Our co-production archive")
    if organisation is not None:
        lines += [
            "organisation:        # the lead of `copro new` unless --lead is given",
            f"  name: {_yaml_text(organisation.name)}",
            f"  sector: {organisation.sector}",
        ]
    else:
        lines += ["# organisation:", "#   name: Example Trust", "#   sector: nhs"]
    lines += [
        "# site:",
        "#   title: What people told us       # default: name",
        "#   description: One sentence for search engines and link previews",
        "#   url: https://example.org/archive/",
        "#   contact: Patient experience team, via the trust's web form",
        "#   privacy_url: https://example.org/privacy",
        "",
    ]
    return "\n".join(lines)


def _yaml_text(value: str) -> str:
    """``value`` as one YAML scalar (quoted when plain YAML would read it otherwise)."""
    import json

    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ()'.,&/-]*", value) and not value.endswith(" ")
    if plain and value.lower() not in ("yes", "no", "true", "false", "null", "on", "off"):
        return value
    return json.dumps(value, ensure_ascii=False)
