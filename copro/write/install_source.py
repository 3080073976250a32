"""Where this copro came from, and a line that installs the same copro elsewhere.

``copro init`` writes a CI workflow and a pre-commit hook for a new archive.
Both must install *this* project: the bare name ``copro`` on PyPI belongs to an
unrelated package, so a bare name would run someone else's code. The
distribution is published as ``copro-hub`` (the command and the import package
stay ``copro``). PEP 610's ``direct_url.json`` says whether copro was installed
from a VCS URL, an archive URL or a local folder; no ``direct_url.json`` means
it came from a package index, i.e. a published version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import urlsplit, urlunsplit

from copro.core import pii
from copro.core.errors import UsageError

DIST_NAME = "copro-hub"
# Names that resolve to other projects on PyPI (normalised as in PEP 503).
FOREIGN_NAMES = frozenset({"copro"})
_VCS_SPEC = re.compile(r"git\+(?P<url>https://[^\s@#]+)@(?P<rev>[^\s#]+)")


@dataclass(frozen=True)
class InstallSource:
    """How to install this copro elsewhere; ``spec`` is None when nobody can tell."""

    spec: str | None
    hook_repo: str | None = None
    hook_rev: str | None = None
    why_unknown: str = ""
    suggested: str | None = None
    """When ``spec`` is None: a requirement that may work if CI can reach it."""


def normalise(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _public_https(url: str) -> str | None:
    """The URL without credentials when it is https (CI can fetch it), else None."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def from_direct_url(direct_url: dict[str, object] | None, version: str) -> InstallSource:
    """Read a PEP 610 record (None: installed from an index) into an install line."""
    if direct_url is None:
        return InstallSource(f"{DIST_NAME}=={version}")
    url = str(direct_url.get("url", ""))
    public = _public_https(url)
    subdirectory = direct_url.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and public and vcs.get("commit_id"):
        commit = str(vcs["commit_id"])
        spec = f"{DIST_NAME} @ git+{public}@{commit}{fragment}"
        return InstallSource(spec, None if subdirectory else public, commit)
    archive = direct_url.get("archive_info")
    if isinstance(archive, dict) and public:
        hashes = archive.get("hashes")
        sha = hashes.get("sha256") if isinstance(hashes, dict) else None
        return InstallSource(f"{DIST_NAME} @ {public}" + (f"#sha256={sha}" if sha else ""))
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        shown = _without_credentials(url)
        spec = f"{DIST_NAME} @ git+{shown}@{vcs['commit_id']}{fragment}"
        return InstallSource(
            None,
            why_unknown=f"this copro was installed from {shown}, which CI may not reach",
            suggested=spec,
        )
    where = "a local folder" if "dir_info" in direct_url else "a location CI cannot reach"
    return InstallSource(None, why_unknown=f"this copro was installed from {where}")


def _without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed (it would end up in a public workflow)."""
    parts = urlsplit(url)
    if not parts.netloc or "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, ""))


def installed_source() -> InstallSource:
    """What the running copro's distribution metadata says about its source."""
    try:
        dist = metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError:
        return InstallSource(None, why_unknown=f"no installed {DIST_NAME} distribution was found")
    text = dist.read_text("direct_url.json")
    try:
        direct_url = json.loads(text) if text else None
    except json.JSONDecodeError:
        return InstallSource(None, why_unknown="its direct_url.json is unreadable")
    return from_direct_url(direct_url, dist.version)


def from_spec(spec: str) -> InstallSource:
    """An ``--install`` value: one pip requirement that must not name a foreign project."""
    spec = spec.strip()
    if not spec or any(ch in spec for ch in "\n\r\0'"):
        raise UsageError(
            "--install needs one pip requirement on one line (no quotes)",
            f"for example --install '{DIST_NAME}==0.1.0' or "
            f"--install '{DIST_NAME} @ git+https://example.org/copro.git@v0.1.0'",
        )
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
    if name and normalise(name.group()) in FOREIGN_NAMES and "://" not in spec:
        raise UsageError(
            f"--install {spec!r} would install an unrelated project: "
            f"the name {name.group()!r} on PyPI is not copro",
            f"copro is published as {DIST_NAME}: use --install '{DIST_NAME}' with a version, "
            "or a git URL",
        )
    if name and "/" not in spec and normalise(name.group()) != normalise(DIST_NAME):
        raise UsageError(
            f"--install {pii.quoted(spec)} does not install copro: "
            f"give the pip requirement of {DIST_NAME} itself",
            f"for example --install '{DIST_NAME}==0.1.0' or "
            f"--install '{DIST_NAME} @ git+https://example.org/copro.git@v0.1.0' "
            "(SPEC in init's advice stands for that requirement)",
        )
    vcs = _VCS_SPEC.search(spec)
    if vcs and "#subdirectory=" not in spec:
        return InstallSource(spec, vcs.group("url"), vcs.group("rev"))
    return InstallSource(spec)
