"""The search index: Pagefind over the written pages, in shards of bounded size.

Pagefind ships its binary inside the ``pagefind[bin]`` wheel (copro's ``site``
extra), so nothing is downloaded at run time. Each run indexes a whole folder:
a call per page costs a round trip to the binary each (1,000 pages: about
100 s against 1.5 s). Only record pages carry ``data-pagefind-body``, so only
engagements are found by search, and only they are read.

Pagefind holds every page of a run in memory (about 170 KB a record page: 1.7
GB at 10,000, 7.4 GB at 50,000), so a large site is indexed in shards of at
most ``SHARD_RECORDS`` record pages, one run each, and the search page merges
them in the browser with Pagefind's own ``mergeIndex``. The first shard is
``pagefind/`` itself (a small site has only that one, exactly as before); the
others are ``pagefind/shard-N/``, listed in ``pagefind/shards.json`` (always
written, so the search page never asks for a file that is not there). Shards
hold records by date, newest first: Pagefind concatenates merged results
before sorting them by score, so a search without words (filters only) still
lists the newest engagements first.

Each shard is indexed from a folder of hard links to its record pages (at
their paths under the site, so every result's address is the page's own),
removed once its run is over.

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
"""Record pages per Pagefind run: about 700 MB of Pagefind at most (measured in
``benchmarks/README.md``), and few enough shards for the browser to merge quickly
(12 at 50,000 records)."""
SHARD_ENV = "COPRO_SITE_SHARD_RECORDS"
"""Overrides ``SHARD_RECORDS``: the tests set it low to build a small site in shards."""
STAGING = ".pagefind-shard"


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


def index_site(folder: Path, shards: Sequence[Sequence[str]] | None = None) -> int:
    """Index the engagement pages under ``folder`` into ``folder/pagefind``; returns how many.

    ``shards`` lists each shard's record pages (paths under ``folder``); without
    it, every record page is one shard.
    """
    shards = list(shards) if shards else [[]]
    index = folder / INDEX_DIR
    merged: list[str] = []
    for number, pages in enumerate(shards, start=1):
        if number == 1:
            output = index
            site = folder if len(shards) == 1 else _staging(folder, pages)
        else:
            merged.append(f"shard-{number}/")
            output = index / f"shard-{number}"
            site = _staging(folder, pages)
        try:
            _run_pagefind(site, output)
        finally:
            if site != folder:
                shutil.rmtree(site, ignore_errors=True)
    (index / SHARDS_FILE).write_text(json.dumps({"merge": merged}), encoding="utf-8", newline="\n")
    return len(list(index.glob("fragment/*"))) + len(list(index.glob("shard-*/fragment/*")))


def _staging(folder: Path, pages: Sequence[str]) -> Path:
    """A folder holding only ``pages``, at their paths under ``folder``, as hard links
    (copies where the file system has none)."""
    staging = folder / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    for page in pages:
        target = staging / page
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(folder / page, target)
        except OSError:
            shutil.copyfile(folder / page, target)
    return staging


def _run_pagefind(site: Path, output: Path) -> None:
    """One Pagefind run over the record pages of ``site``, written into ``output``."""
    command = [
        str(pagefind_binary()),
        "--site", str(site),
        "--glob", "records/**/*.html",
        "--force-language", "en",
        "--output-path", str(output),
        "--silent",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise CoproError(f"Pagefind could not run: {exc.strerror}", INSTALL_HINT) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        raise CoproError(f"Pagefind could not index the site: {detail[0]}")
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)
    shutil.rmtree(output / "playground", ignore_errors=True)
