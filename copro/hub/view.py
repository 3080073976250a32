"""A synced hub as sources of records: its own ``archive/`` plus every member at its locked commit.

The hub provides sources and knows nothing of the catalog, the index or the
views (``copro.store`` reads the sources this module names):

- :func:`open_hub` is None for a plain archive root; for a hub root it lists
  the members ``hub.lock`` pins, with their files ready in the cache (written
  from git objects by ``copro.hub.hubtree``, never read from the hub folder). The
  parsed lock is kept in the cache by content hash, so a warm search never
  imports PyYAML.
- A member's record paths are written ``<member>:archive/...`` wherever the hub
  is read as one archive (the record cache and the search index hold every
  member in one place, keyed by that path); :func:`split_path` turns such a
  path back into (member, path).
- :meth:`HubView.term_maps` maps member vocabulary ids to hub ids (same id, or
  ``same_as``), others kept as ``<member>:<id>`` (contract section 7).
- :func:`member_filter` checks ``--member`` values: an unknown name exits 2
  (``copro.store.selection`` asks it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.errors import CoproError, UsageError
from copro.core.paths import ARCHIVE_DIR, HUB_FILE
from copro.core.version import VERSION
from copro.core.vocab import VOCAB_NAMES, Vocabularies

VIEW_FILE = "view.json"
LOCK_FILE = "hub.lock"
MEMBER_SEPARATOR = ":"

TermMaps = Mapping[str, Mapping[str, Mapping[str, str]]]
"""member -> vocabulary name -> member term id -> the id the hub uses."""


@dataclass(frozen=True)
class LockedMember:
    """A member as the hub reads it: its name, locked commit and files in the cache."""

    name: str
    commit: str
    tree: Path


@dataclass
class HubView:
    root: Path
    members: tuple[LockedMember, ...]
    names: tuple[str, ...]
    """Every member hub.yml names (also those not yet synced), in hub.yml order."""
    _maps: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def has_own_archive(self) -> bool:
        return (self.root / ARCHIVE_DIR).is_dir()

    def unread(self) -> str | None:
        """Why some or all of the members are not read (None when every one is): said
        where nothing matched, since an empty hub otherwise looks like an empty archive."""
        if not self.names:
            return (
                f"this hub has no members yet: add each member's name, url and rev to "
                f"{HUB_FILE} (its comments show how), then run `copro hub sync`"
            )
        read = {member.name for member in self.members}
        waiting = [name for name in self.names if name not in read]
        if not waiting:
            return None
        return (
            f"{len(waiting)} of the {len(self.names)} members {HUB_FILE} names "
            f"({', '.join(waiting)}) have not been read yet: run `copro hub sync`"
        )

    def term_maps(self, hub_vocab: Vocabularies) -> TermMaps:
        """Member term id -> hub id, per member and vocabulary (kept in the cache)."""
        key = hub_vocab.fingerprint
        if key in self._maps:
            return self._maps[key]
        cache = _view_cache(self.root)
        stamp = _maps_stamp(self.members, key)
        try:
            stored = json.loads(cache.with_name("terms.json").read_text(encoding="utf-8"))
            if stored.get("stamp") == stamp:
                self._maps[key] = stored["maps"]
                return stored["maps"]
        except (OSError, ValueError, AttributeError):
            pass
        from copro.core.vocab import load_vocabularies

        maps = {
            m.name: member_term_map(load_vocabularies(m.tree)[0], hub_vocab, m.name)
            for m in self.members
        }
        from copro.core.fileio import write_cache_json

        write_cache_json(cache.with_name("terms.json"), {"stamp": stamp, "maps": maps})
        self._maps[key] = maps
        return maps


def split_path(path: str) -> tuple[str | None, str]:
    """``islington-council:archive/2019/x.md`` -> (``islington-council``, ``archive/2019/x.md``)."""
    head, sep, rest = path.partition(MEMBER_SEPARATOR)
    if sep and "/" not in head:
        return head, rest
    return None, path


def member_term_map(
    member_vocab: Vocabularies, hub_vocab: Vocabularies, member: str
) -> dict[str, dict[str, str]]:
    """Each member term id -> the hub term it means, else ``<member>:<id>``."""
    out: dict[str, dict[str, str]] = {}
    for name in VOCAB_NAMES:
        hub_terms = hub_vocab[name]
        mapping: dict[str, str] = {}
        for term in member_vocab[name].terms.values():
            if term.id in hub_terms:
                mapping[term.id] = term.id
            elif term.same_as and term.same_as in hub_terms:
                mapping[term.id] = term.same_as
            else:
                mapping[term.id] = f"{member}{MEMBER_SEPARATOR}{term.id}"
        out[name] = mapping
    return out


def with_member_terms(hub_vocab: Vocabularies, members: Iterable[Any]) -> Vocabularies:
    """The hub's vocabularies plus each member term the hub keeps as ``<member>:<id>``,
    under the member's own label: otherwise letters, ``show`` and the site would print
    the internal id where the member wrote "Chapeltown". A member label that already
    names a hub term is shown with the member's name (the hub's own term keeps its words)."""
    from dataclasses import replace

    from copro.core.vocab import Term, Vocabulary, load_vocabularies, normalise

    by_name = {name: Vocabulary(name, dict(hub_vocab[name].terms)) for name in VOCAB_NAMES}
    added = False
    for member in members:
        member_vocab = load_vocabularies(member.tree)[0]
        maps = member_term_map(member_vocab, hub_vocab, member.name)
        for name in VOCAB_NAMES:
            taken = {normalise(t.label) for t in hub_vocab[name].terms.values()}
            for term in member_vocab[name].terms.values():
                kept = maps[name][term.id]
                if kept in hub_vocab[name]:
                    continue
                broader = maps[name].get(term.broader) if term.broader else None
                clash = normalise(term.label) in taken
                by_name[name].terms[kept] = Term(
                    kept,
                    f"{term.label} ({member.name})" if clash else term.label,
                    broader=broader,
                    in_sentence=None if clash else term.in_sentence,
                )
                added = True
    if not added:
        return hub_vocab
    for vocabulary in by_name.values():
        vocabulary.reindex()
    return replace(hub_vocab, by_name=by_name)


def map_front_matter(
    meta: Mapping[str, Any], maps: Mapping[str, Mapping[str, str]], member: str
) -> dict[str, Any]:
    """A member record's front-matter with its vocabulary ids written as the hub's."""
    out = dict(meta)

    def mapped(name: str, values: object) -> object:
        if not isinstance(values, list):
            return values
        table = maps.get(name, {})
        return [
            table.get(v, f"{member}{MEMBER_SEPARATOR}{v}") if isinstance(v, str) else v
            for v in values
        ]

    for name in VOCAB_NAMES:
        if name in out:
            out[name] = mapped(name, out[name])
    findings = out.get("you_said")
    if isinstance(findings, list):
        out["you_said"] = [
            {**f, "topics": mapped("topics", f["topics"])}
            if isinstance(f, dict) and "topics" in f
            else f
            for f in findings
        ]
    return out


def is_hub(root: Path) -> bool:
    return (root / HUB_FILE).is_file()


def open_hub(root: Path) -> HubView | None:
    """The hub at ``root`` as its lock pins it, or None when ``root`` is a plain archive."""
    if not is_hub(root):
        return None
    root = root.resolve()
    pinned, names = _pinned(root)
    members = tuple(_ready(root, name, commit) for name, commit in pinned)
    return HubView(root, members, names)


def member_filter(view: HubView | None, given: Sequence[str] | None) -> frozenset[str] | None:
    """The checked ``--member`` values (None: every member); unknown names exit 2."""
    if not given:
        return None
    if view is None:
        raise UsageError(
            "--member only applies in a hub root (a folder with hub.yml)",
            "run the command in the hub's folder, or leave --member out",
        )
    unknown = [name for name in given if name not in view.names]
    if unknown:
        raise UsageError(
            f"--member {unknown[0]!r} is not a member of this hub",
            "members: " + (", ".join(view.names) or "(none)"),
        )
    return frozenset(given)


def record_source(view: HubView, record_id: str) -> tuple[str | None, Path, str]:
    """Where the record ``record_id`` of a hub is: (member or None, folder holding its
    ``archive/``, plain id). ``member:id``, the hub's own, or a plain id that exactly
    one member has (in two or more it is an error listing them, exit 1)."""
    from copro.core.paths import record_path

    head, sep, plain = record_id.partition(MEMBER_SEPARATOR)
    trees = {m.name: m.tree for m in view.members}
    if sep:
        if head not in view.names:
            raise CoproError(
                f"no record with id {record_id}: `{head}` is not a member of this hub"
                if _SAFE_NAME.fullmatch(head)
                else "no record with that id: it names no member of this hub",
                "members: " + (", ".join(view.names) or "(none)"),
            )
        if head not in trees:
            raise CoproError(f"member {head} has not been synced yet", "run `copro hub sync`")
        where: list[tuple[str | None, Path]] = [(head, trees[head])]
    else:
        plain = record_id
        candidates: list[tuple[str | None, Path]] = (
            [(None, view.root)] if view.has_own_archive else []
        )
        candidates += list(trees.items())
        where = [(m, t) for m, t in candidates if record_path(t, plain).is_file()]
        if len(where) > 1:
            raise CoproError(
                f"{plain} is the id of records in several members: "
                + ", ".join(f"{m}:{plain}" if m else plain for m, _ in where),
                "write the id with its member, as member:id",
            )
        if not where:
            where = [(None, view.root)]
    member, tree = where[0]
    return member, tree, plain


_SAFE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def member_commit(root: Path, member: str) -> tuple[str, str]:
    """The commit of ``member`` the hub reads, and that commit's date (YYYY-MM-DD)."""
    view = open_hub(root)
    commit = next((m.commit for m in (view.members if view else ()) if m.name == member), "")
    return commit, _commit_date(root, member, commit) if commit else ""


@functools.cache
def _commit_date(root: Path, member: str, commit: str) -> str:
    from copro.hub.hubgit import GitFailed
    from copro.hub.sync import member_repo

    try:
        when = member_repo(root, member).git("log", "-1", "--format=%cs", commit, "--")
    except GitFailed:
        return ""
    return when.decode().strip()


def _view_cache(root: Path) -> Path:
    from copro.hub.sync import hub_cache

    return hub_cache(root) / VIEW_FILE


def _maps_stamp(members: Iterable[LockedMember], vocab_key: str) -> str:
    text = "\0".join(f"{m.name}={m.commit}" for m in members)
    return hashlib.sha256(f"{VERSION}\0{vocab_key}\0{text}".encode()).hexdigest()


def _pinned(root: Path) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """(name, commit) of each locked member in hub.yml order, and every member name.

    Kept in the cache by the content hash of hub.yml and hub.lock.
    """
    digest = hashlib.sha256(VERSION.encode())
    for name in (HUB_FILE, LOCK_FILE):
        try:
            digest.update(b"\0" + (root / name).read_bytes())
        except OSError:
            digest.update(b"\0-")
    key = digest.hexdigest()
    cache = _view_cache(root)
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["key"] == key:
            return [tuple(p) for p in stored["pinned"]], tuple(stored["names"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    from copro.core.fileio import write_cache_json
    from copro.hub.hubfile import load_hub, read_lock

    config = load_hub(root)
    lock = read_lock(root)
    pinned = [
        (m.name, entry.commit)
        for m in config.members
        if (entry := lock.get(m.name)) is not None and entry.commit is not None
    ]
    names = tuple(m.name for m in config.members)
    write_cache_json(cache, {"key": key, "pinned": pinned, "names": list(names)})
    return pinned, names


def _ready(root: Path, name: str, commit: str) -> LockedMember:
    """The member's files at ``commit``, written again from git objects when needed."""
    from copro.hub.sync import member_files

    files = member_files(root, name)
    if files.commit() != commit:
        from copro.hub.hubgit import GitFailed
        from copro.hub.sync import member_repo

        repo = member_repo(root, name)
        if not (repo.folder / "HEAD").is_file() or not repo.has_commit(commit):
            raise CoproError(
                f"member {name} is locked at {commit[:10]}, which is not in this machine's cache",
                f"run `copro hub sync` (it reads {LOCK_FILE} and fetches what is missing)",
            )
        try:
            files.ensure(repo, commit)
        except GitFailed as exc:
            raise CoproError(f"member {name}: {exc.message}") from None
    return LockedMember(name, commit, files.current)
