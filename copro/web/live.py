"""The site's pages, rendered on request from the record cache: no build step.

A ``Snapshot`` holds the views of every page as of one moment. In an archive
they are kept up to date record by record (``copro.site.incremental``): a
watcher thread looks at the record files' sizes and times once a second (the
freshness scan the index uses), re-reads only the files that changed, and
builds again only their pages and those of the records linked with them; the
pages that gather every record (home, terms, coverage, credits, findings) are
assembled when one of them is asked for, once per change. A change of the
vocabularies or settings, or in a hub, builds every view again. A write
through the forms asks for a refresh at once. Requests read whichever snapshot
is current: a refresh never blocks them, except that a page asked for right
after a write waits for the snapshot that holds it. No rendered page is kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from copro.core.model import Engagement
from copro.core.paths import HUB_FILE
from copro.site.incremental import RecordViews
from copro.site.pages import SiteData, build_site_data, site_identity
from copro.site.render import PageWriter, Renderer, page_shared
from copro.store.freshness import Scan

POLL_SECONDS = 1.0
WATCHED_FILES = ("copro.yml", "hub.yml", "hub.lock")
WATCHED_FOLDERS = ("schemas/vocab", "consensus")
RECORD_PAGE = "records/{}/index.html"


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Build many long-lived objects without the cycle collector walking all of them again
    and again (it doubles the time of a build at 10,000 records); it runs again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Snapshot:
    """Every page of the site as of one moment: record pages straight from ``views``, the
    pages that gather all records assembled on first request (or a hub's whole site)."""

    def __init__(
        self,
        renderer: PageWriter,
        marks: tuple[str, str],
        views: RecordViews | None = None,
        data: SiteData | None = None,
    ) -> None:
        self.renderer = renderer
        self.marks = marks
        """(what the records depend on, what everything else depends on)"""
        self.views = views
        self._data = data
        self._site: tuple[Renderer, dict[str, tuple[str, dict[str, Any]]]] | None = None
        self._lock = threading.Lock()

    def site(self) -> tuple[Renderer, dict[str, tuple[str, dict[str, Any]]]]:
        """The whole site's renderer and the map from address to template and view."""
        with self._lock:
            if self._site is None:
                from copro.site.render import pages

                with paused_gc():
                    data = self._data if self._data is not None else self.views.site_data()  # type: ignore[union-attr]
                    renderer = Renderer(data, Path(), self.renderer.env)
                renderer.shared.update(
                    {k: v for k, v in self.renderer.shared.items() if k not in renderer.shared}
                )
                self._site = renderer, {path: (t, c) for path, t, c in pages(data)}
            return self._site

    def record(self, record_id: str) -> Any:
        """The view of a record's page (``RecordPage``), or None when the site shows none."""
        if self.views is not None:
            return self.views.pages.get(record_id)
        found = self.site()[1].get(RECORD_PAGE.format(record_id.replace(":", "/")))
        return found[1]["page"] if found else None

    def has(self, path: str) -> bool:
        if self.views is not None and path.startswith("records/") and path.count("/") == 2:
            return self.record(path.split("/")[1]) is not None
        return path in self.site()[1]

    def render(self, path: str, extra: dict[str, Any]) -> str | None:
        """The page at ``path`` (``records/x/index.html``), or None when there is none."""
        base = "../" * path.count("/")
        if self.views is not None and path.startswith("records/") and path.count("/") == 2:
            page = self.views.pages.get(path.split("/")[1])
            if page is None:
                return None
            context = {"section": "records", "page": page, **extra}
            return self.renderer.render("record.html.j2", base, context)
        renderer, paths = self.site()
        found = paths.get(path)
        if found is None:
            return None
        template, context = found
        return renderer.render(template, base, {**context, **extra})


class Engagements:
    """Every readable engagement of an archive, kept between snapshots: a file is read
    again only when its size or time changed (the record cache's rules: a record the
    strict reader refuses, or that holds personal data, is left out)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.known: dict[str, tuple[int, int, Engagement | None]] = {}

    def update(self, found: Scan) -> dict[str, Engagement | None]:
        """Read the files that changed since the last call; what changed, by record key
        (None: the record is gone or can no longer be read)."""
        from copro.store.recordcache import parse_record

        if not self.known:
            self._seed(found)
        fresh: dict[str, tuple[int, int, Engagement | None]] = {}
        gone: dict[str, Engagement | None] = {}
        now: dict[str, Engagement | None] = {}
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
            if kept is not None and kept[2] is not None:
                gone[kept[2].key] = None
            if engagement is not None:
                now[engagement.key] = engagement
        for rel, kept in self.known.items():
            if rel not in fresh and kept[2] is not None:
                gone[kept[2].key] = None
        self.known = fresh
        return {**gone, **now}

    def all(self) -> list[Engagement]:
        return [e for rel in sorted(self.known) if (e := self.known[rel][2]) is not None]

    def _seed(self, found: Scan) -> None:
        """The first read goes through the record cache (parsed records kept between runs)."""
        from copro.store.catalog import load_catalog

        by_path = {e.path: e for e in load_catalog(self.root)}
        for rel, (size, mtime, _) in found.files.items():
            self.known[rel] = (size, mtime, by_path.get(rel))


def fingerprint(root: Path) -> tuple[tuple[str, str], Scan]:
    """What the pages depend on, cheaply: every record file's size and time; and apart,
    the vocabularies, the settings, the statements and (in a hub) the lock of its
    members; and the scan."""
    from copro.store.freshness import scan

    records, others = hashlib.sha256(), hashlib.sha256()
    found = scan(root)
    for rel in sorted(found.files):
        size, mtime, _ = found.files[rel]
        records.update(f"{rel}\0{size}\0{mtime}\n".encode())
    for name in WATCHED_FILES:
        others.update(_stat_line(root / name))
    for folder in WATCHED_FOLDERS:
        try:
            entries = sorted(os.scandir(root / folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            others.update(_stat_line(Path(entry.path)))
    return (records.hexdigest(), others.hexdigest()), found


def _stat_line(path: Path) -> bytes:
    try:
        info = path.stat()
    except OSError:
        return f"{path.name}\0-\n".encode()
    return f"{path.name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode()


def build_snapshot(
    root: Path, shared: dict[str, Any], known: Engagements | None = None
) -> Snapshot:
    """Read the archive and build every record's view (``known`` keeps an archive's
    engagements between snapshots; a hub reads its catalog whole and builds every page)."""
    from copro.core.vocab import load_vocabularies

    marks, found = fingerprint(root)
    today = dt.date.today()
    renderer = PageWriter(page_shared(site_identity(root), today.isoformat()), root)
    renderer.shared.update(shared)
    with paused_gc():
        if known is None:
            data = build_site_data(root, today)
            return Snapshot(renderer, marks, data=data)
        known.update(found)
        vocab = load_vocabularies(root)[0]
        views = RecordViews.build(root, vocab, known.all(), today)
    return Snapshot(renderer, marks, views=views)


def next_snapshot(
    root: Path, current: Snapshot, shared: dict[str, Any], known: Engagements | None
) -> Snapshot | None:
    """The snapshot after what changed on disk, or None when nothing did: only changed
    records are read again and only the pages they touch built again."""
    marks, found = fingerprint(root)
    if marks == current.marks:
        return None
    if known is None or current.views is None or marks[1] != current.marks[1]:
        return build_snapshot(root, shared, known)
    if current.views.today != dt.date.today():
        return build_snapshot(root, shared, known)
    with paused_gc():
        views = current.views.changed(known.update(found))
    return Snapshot(current.renderer, marks, views=views)


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
        self._poke = threading.Event()
        self.known = None if (root / HUB_FILE).is_file() else Engagements(root)
        self.snapshot = build_snapshot(root, shared, self.known)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="copro-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def changed(self) -> None:
        """A write just happened: the next snapshot must hold it."""
        with self._lock:
            self._wanted += 1
        self._poke.set()

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
            rebuilt = next_snapshot(self.root, self.snapshot, self.shared, self.known)
        finally:
            with self._lock:
                if rebuilt is not None:
                    self.snapshot = rebuilt
                self._built = max(self._built, wanted)
                self._rebuilt.notify_all()
        return rebuilt is not None

    def _warm(self) -> None:
        """Bring the reference table up to date now, not in the first write (which asks it
        for the finding numbers in use: seconds at 10,000 records when it is cold)."""
        if self.known is None:
            return
        from copro.store.references import references

        with contextlib.suppress(Exception):  # only speed is at stake
            references(self.root).close()

    def _watch(self) -> None:
        """Look once a second, and at once when a write asks (``changed``)."""
        self._warm()
        while not self._stop.is_set():
            self._poke.wait(POLL_SECONDS)
            self._poke.clear()
            if self._stop.is_set():
                return
            try:
                changed = self.refresh()
            except Exception:  # noqa: BLE001 - a broken record must not stop the watcher
                changed = False
            if changed and self.on_change is not None:
                self.on_change()
