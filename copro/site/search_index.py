"""The search index: Pagefind over the written pages, in shards of bounded size.

Pagefind ships its binary inside the ``pagefind[bin]`` wheel (copro's ``site``
extra), so nothing is downloaded at run time. Each run indexes a whole folder:
a call per page costs a round trip to the binary each (1,000 pages: about
100 s against 1.5 s). Only record pages carry ``data-pagefind-body``, so only
engagements are found by search, and only they are read.

Pagefind holds every page of a run in memory (about 150 KB a record page: 1.5
GB at 10,000 records, 7.4 GB at 50,000), so a large site is indexed in shards of at
most ``SHARD_RECORDS`` record pages, one run each, and the search page merges
them in the browser with Pagefind's own ``mergeIndex``. The first shard is
``pagefind/`` itself (a small site has only that one, exactly as before); the
others are ``pagefind/shard-N/``, listed in ``pagefind/shards.json`` (always
written, so the search page never asks for a file that is not there). Shards
hold records by date, newest first, and each answers to a filter of its own
(``shard``, set by the page): Pagefind orders merged results by score, so a
search without words (filters only) asks shard after shard to list the newest
engagements first.

Each shard is indexed as soon as its pages are written, in the background
while copro renders the next (``ShardedIndex``), from a folder of hard links
to its record pages (at their paths under the site, so every result's address
is the page's own), removed once its run is over.

The binary runs as its command line, not through the Python package's service
API: that API stops the binary as soon as it answers the write request, which
left index files truncated (an empty ``pagefind-entry.json`` at 10,000 pages,
and search failed); the command exits only when every file is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from copro.core.errors import CoproError, UsageError

INSTALL_HINT = "install the site extra: pip install 'copro-hub[site]' (it brings pagefind[bin])"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")  # fmt: skip
"""Pagefind's own interfaces: the site has its own accessible one."""
INDEX_DIR = "pagefind"
SHARDS_FILE = "shards.json"
SHARD_RECORDS = 4000
"""Record pages per Pagefind run: about 600 MiB of Pagefind at most (measured in
``benchmarks/README.md``), and few enough shards for the browser to merge quickly
(10 for the 37,500 engagements of the 50,000-record benchmark archive)."""
SHARD_ENV = "COPRO_SITE_SHARD_RECORDS"
"""Overrides ``SHARD_RECORDS``: the tests set it low to build a small site in shards."""
STAGING = ".pagefind-shard"
EMPTY_SITE_PAGE = "records/index.html"


def pagefind_binary() -> Path:
    """The Pagefind binary of the ``pagefind[bin]`` wheel; a CoproError saying how to
    install it when missing (checked before anything is written)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        missing = "copro site needs Pagefind, which is not installed"
        raise CoproError(missing, INSTALL_HINT) from None
    binary = get_executable()
    if binary is None:
        raise CoproError("Pagefind is installed without its binary", INSTALL_HINT)
    return Path(binary)


def shard_bound() -> int:
    """Record pages per shard: ``COPRO_SITE_SHARD_RECORDS`` when set, else ``SHARD_RECORDS``."""
    raw = os.environ.get(SHARD_ENV, "")
    if not raw:
        return SHARD_RECORDS
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(
            f"{SHARD_ENV}={raw!r} is not a number of records",
            f"set {SHARD_ENV} to a whole number of 1 or more, or unset it",
        )
    return int(raw)


def shards_of(pages: Sequence[str], bound: int | None = None) -> list[list[str]]:
    """``pages`` (record pages, newest first) cut into as few shards as the bound allows,
    of nearly equal size, keeping their order (so each shard is a span of dates)."""
    bound = bound or shard_bound()
    count = max(1, -(-len(pages) // bound))
    size, extra = divmod(len(pages), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(list(pages[start:end]))
        start = end
    return out


class ShardedIndex:
    """Pagefind over each shard as soon as its pages are written, beside the rendering.

    One run at a time, in the background: memory is bounded by the largest shard,
    and on two cores the index is built while copro renders the next shard, so the
    site takes about as long as the longer of the two, not their sum. Used as a
    context manager: a build that fails stops the run under way.
    """

    def __init__(self, folder: Path, shards: Sequence[Sequence[str]]) -> None:
        self.folder = folder
        self.shards = [list(pages) for pages in shards] or [[]]
        self.binary = pagefind_binary()
        self.started = 0
        self.running: tuple[subprocess.Popen[bytes], Path, Path] | None = None

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.running is not None:
            process, staging, _ = self.running
            self.running = None
            process.kill()
            process.wait()
            shutil.rmtree(staging, ignore_errors=True)

    def output(self, number: int) -> Path:
        index = self.folder / INDEX_DIR
        return index if number == 1 else index / f"shard-{number}"

    def shard_written(self) -> None:
        """The next shard's pages are all written: index them (after the run under way)."""
        self._wait()
        number = self.started + 1
        staging = _staging(self.folder, self.shards[number - 1], number)
        command = [
            str(self.binary),
            "--site", str(staging),
            "--glob", "records/**/*.html",
            "--force-language", "en",
            "--output-path", str(self.output(number)),
            "--silent",
        ]  # fmt: skip
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise CoproError(f"Pagefind could not run: {exc.strerror}", INSTALL_HINT) from None
        self.running = (process, staging, self.output(number))
        self.started = number

    def finish(self) -> int:
        """Index what is left, wait for it, list the shards; returns how many pages are indexed."""
        while self.started < len(self.shards):
            self.shard_written()
        self._wait()
        index = self.folder / INDEX_DIR
        merged = [f"shard-{n}/" for n in range(2, len(self.shards) + 1)]
        (index / SHARDS_FILE).write_text(
            json.dumps({"merge": merged}), encoding="utf-8", newline="\n"
        )
        return len(list(index.glob("fragment/*"))) + len(list(index.glob("shard-*/fragment/*")))

    def _wait(self) -> None:
        if self.running is None:
            return
        process, staging, output = self.running
        self.running = None
        try:
            out, err = process.communicate()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if process.returncode != 0:
            said = (err or out).decode("utf-8", "replace").strip().splitlines()[-1:]
            raise CoproError(f"Pagefind could not index the site: {(said or ['no message'])[0]}")
        for name in UNUSED:
            (output / name).unlink(missing_ok=True)
        shutil.rmtree(output / "playground", ignore_errors=True)


def _staging(folder: Path, pages: Sequence[str], number: int) -> Path:
    """A folder holding only ``pages``, at their paths under ``folder``, as hard links
    (copies where the file system has none)."""
    staging = folder / f"{STAGING}-{number}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    # Pagefind refuses to write an index of no page: a site without engagements indexes
    # its list of records (which says there are none), as a single run always did.
    for page in pages or [EMPTY_SITE_PAGE]:
        target = staging / page
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(folder / page, target)
        except OSError:
            shutil.copyfile(folder / page, target)
    return staging
