"""The site's search, served live: Pagefind's index of the pages, rebuilt in the background.

The search box is the static site's own (Pagefind in the browser), so it finds
what ``copro site``'s search finds. Its index is made by ``copro site`` itself,
run as a separate process into the user cache whenever the archive changes
(one build at a time, at most one every 30 seconds; changes meanwhile start one
more after it), so the
server's own memory and response times are not touched by it. Until the first
build is done, and while the archive does not pass ``copro validate`` (which
``copro site`` requires), the search box says search is not ready and the
pages are read as usual. The build runs in its own process group, which the
server ends (and waits for) when it stops: no build outlives the server, nor
keeps writing into the cache after it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from copro.core.paths import cache_dir

MIN_GAP = 30.0
"""Seconds from the start of one index build to the start of the next."""
GRACE = 10.0
"""Seconds a build has to end after being asked to, before it is killed."""


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = cache_dir(root) / "serve-site"
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pagefind(self) -> Path:
        return self.folder / "pagefind"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="copro-search", daemon=True)
        self._thread.start()
        self.request()

    def request(self) -> None:
        """The archive changed: build the index again (after any build under way)."""
        self._wanted.set()

    def stop(self) -> None:
        """End a build under way, with every process it started, and wait for them."""
        with self._lock:  # no build starts after this
            self._stop.set()
            process = self._process
        self._wanted.set()
        if process is not None and process.poll() is None:
            end_group(process)
        if self._thread is not None:
            self._thread.join(timeout=GRACE)

    def file(self, name: str, folder: str = "pagefind") -> bytes | None:
        """A file of the index (``pagefind/<name>``, or the search's word lists in
        ``assets/``), never anything outside that folder."""
        base = (self.folder / folder).resolve()
        try:
            path = (base / name).resolve()
        except (OSError, ValueError):
            return None
        if base not in path.parents or not path.is_file():
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stop.is_set():
                return
            self._wanted.clear()
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "copro", "--root", str(self.root), "site",
                       "--output", str(self.folder), "--json"]  # fmt: skip
            started = time.monotonic()
            with self._lock:
                if self._stop.is_set():
                    return
                try:
                    self._process = subprocess.Popen(
                        command,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,  # its own group: stopped with its workers
                    )
                except OSError:
                    continue
            self._process.wait()
            # A busy afternoon of forms must not keep a second process indexing all day.
            self._stop.wait(max(0.0, MIN_GAP - (time.monotonic() - started)))


def end_group(process: subprocess.Popen[bytes]) -> None:
    """Ask a build's process group to end, kill it if it has not within ``GRACE``
    seconds, and reap it (its site workers are in the same group)."""
    for sig, wait in ((signal.SIGTERM, GRACE), (signal.SIGKILL, GRACE)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        break
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind by their parent
