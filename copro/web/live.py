"""The site's pages, rendered on request from the record cache: no build step.

One ``Snapshot`` holds every page's view (``copro.site.pages``) and the map from
address to template, built at start and again whenever the archive changes.
A watcher thread looks at the record files' sizes and times once a second
(the freshness scan the index uses) and at the vocabularies and settings, so a
change on disk shows within two seconds; a write through the forms asks for a
rebuild at once. Requests read whichever snapshot is current: a rebuild never
blocks them, except that a page asked for right after a write waits for the
snapshot that holds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copro.core.model import Engagement
from copro.core.paths import HUB_FILE
from copro.site.pages import SiteData, build_site_data
from copro.site.render import Renderer
from copro.store.freshness import Scan

POLL_SECONDS = 1.0
WATCHED_FILES = ("copro.yml", "hub.yml", "hub.lock")
WATCHED_FOLDERS = ("schemas/vocab", "consensus")


@dataclass
class Snapshot:
    """Every page of the site as of one moment: views, templates, and the renderer."""

    data: SiteData
    renderer: Renderer
    paths: dict[str, tuple[str, dict[str, Any]]]
    fingerprint: str
    record_ids: frozenset[str] = field(default_factory=frozenset)

    def render(self, path: str, extra: dict[str, Any]) -> str | None:
        """The page at ``path`` (``records/x/index.html``), or None when there is none."""
        found = self.paths.get(path)
        if found is None:
            return None
        template, context = found
        return self.renderer.render(template, "../" * path.count("/"), {**context, **extra})


class Engagements:
    """Every readable engagement of an archive, kept between snapshots: a file is read
    again only when its size or time changed (the record cache's rules: a record the
    strict reader refuses, or that holds personal data, is left out)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.known: dict[str, tuple[int, int, Engagement | None]] = {}

    def update(self, found: Scan) -> list[Engagement]:
        from copro.store.recordcache import parse_record

        if not self.known:
            self._seed(found)
        fresh: dict[str, tuple[int, int, Engagement | None]] = {}
        for rel, (size, mtime, path) in found.files.items():
            kept = self.known.get(rel)
            if kept is not None and kept[:2] == (size, mtime):
                fresh[rel] = kept
                continue
            try:
                data = Path(path).read_bytes()
            except OSError:
                continue
            parsed = parse_record(path, rel, data)
            engagement = Engagement.from_front_matter(parsed[0], parsed[1], rel) if parsed else None
            fresh[rel] = (size, mtime, engagement)
        self.known = fresh
        return [e for rel in sorted(fresh) if (e := fresh[rel][2]) is not None]

    def _seed(self, found: Scan) -> None:
        """The first read goes through the record cache (parsed records kept between runs)."""
        from copro.store.catalog import load_catalog

        by_path = {e.path: e for e in load_catalog(self.root)}
        for rel, (size, mtime, _) in found.files.items():
            self.known[rel] = (size, mtime, by_path.get(rel))


def fingerprint(root: Path) -> tuple[str, Scan]:
    """What the pages depend on, cheaply: every record file's size and time, the
    vocabularies, the settings and (in a hub) the lock of its members; and the scan."""
    from copro.store.freshness import scan

    digest = hashlib.sha256()
    found = scan(root)
    for rel in sorted(found.files):
        size, mtime, _ = found.files[rel]
        digest.update(f"{rel}\0{size}\0{mtime}\n".encode())
    for name in WATCHED_FILES:
        digest.update(_stat_line(root / name))
    for folder in WATCHED_FOLDERS:
        try:
            entries = sorted(os.scandir(root / folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            digest.update(_stat_line(Path(entry.path)))
    return digest.hexdigest(), found


def _stat_line(path: Path) -> bytes:
    try:
        info = path.stat()
    except OSError:
        return f"{path.name}\0-\n".encode()
    return f"{path.name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode()


def build_snapshot(
    root: Path, shared: dict[str, Any], known: Engagements | None = None
) -> Snapshot:
    """Read the archive and map every address of the site to its page (``known`` keeps
    an archive's engagements between snapshots; a hub reads its catalog whole)."""
    from copro.site.render import pages

    mark, found = fingerprint(root)
    catalog = None
    if known is not None:
        from copro.store.catalog import Catalog, Source

        catalog = Catalog(tuple(known.update(found)), (), (Source(root),))
    data = build_site_data(root, dt.date.today(), catalog=catalog)
    renderer = Renderer(data, root)
    renderer.shared.update(shared)
    paths = {path: (template, context) for path, template, context in pages(data)}
    ids = frozenset(page.id for page in data.records)
    return Snapshot(data, renderer, paths, mark, ids)


class LiveSite:
    """The current snapshot, and the watcher that replaces it when the archive changes."""

    def __init__(
        self,
        root: Path,
        shared: dict[str, Any],
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.root = root
        self.shared = shared
        self.on_change = on_change
        self._lock = threading.Lock()
        self._rebuilt = threading.Condition(self._lock)
        self._wanted = 0
        self._built = 0
        self._stop = threading.Event()
        self.known = None if (root / HUB_FILE).is_file() else Engagements(root)
        self.snapshot = build_snapshot(root, shared, self.known)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="copro-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def changed(self) -> None:
        """A write just happened: the next snapshot must hold it."""
        with self._lock:
            self._wanted += 1

    def current(self, wait: float = 60.0) -> Snapshot:
        """The snapshot; after a write, the one built since (waiting up to ``wait`` s)."""
        with self._lock:
            if self._built < self._wanted:
                self._rebuilt.wait_for(lambda: self._built >= self._wanted, timeout=wait)
            return self.snapshot

    def refresh(self) -> bool:
        """Rebuild when the archive changed; True when a new snapshot was made.

        Whatever happens, a write's waiters are released (a page that cannot be
        rebuilt shows the last good snapshot rather than hanging).
        """
        with self._lock:
            wanted = self._wanted
        rebuilt: Snapshot | None = None
        try:
            if fingerprint(self.root)[0] != self.snapshot.fingerprint:
                rebuilt = build_snapshot(self.root, self.shared, self.known)
        finally:
            with self._lock:
                if rebuilt is not None:
                    self.snapshot = rebuilt
                self._built = max(self._built, wanted)
                self._rebuilt.notify_all()
        return rebuilt is not None

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS if self._built >= self._wanted else 0.02):
            try:
                changed = self.refresh()
            except Exception:  # noqa: BLE001 - a broken record must not stop the watcher
                changed = False
            if changed and self.on_change is not None:
                self.on_change()
