"""The search index: Pagefind over the written pages, in one directory call.

Pagefind ships its binary inside the ``pagefind[bin]`` wheel (copro's ``site``
extra), so nothing is downloaded at run time. Indexing the whole folder in one
call is what makes it fast: a call per page costs a round trip to the binary
each (1,000 pages: about 100 s against 1.5 s). Only record pages carry
``data-pagefind-body``, so only engagements are found by search.
"""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from copro.errors import CoproError

INSTALL_HINT = "install the site extra: pip install 'copro[site]' (it brings pagefind[bin])"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")  # fmt: skip
"""Pagefind's own interfaces: the site has its own accessible one."""


def require_pagefind() -> None:
    """Fail early, before anything is written, when Pagefind or its binary is missing."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise CoproError(
            "copro site needs Pagefind, which is not installed", INSTALL_HINT
        ) from None
    if get_executable() is None:
        raise CoproError("Pagefind is installed without its binary", INSTALL_HINT)


def index_site(folder: Path) -> int:
    """Index every page under ``folder`` into ``folder/pagefind``; returns the pages indexed."""
    from pagefind.index import PagefindIndex

    async def run() -> int:
        config = {"force_language": "en", "output_path": str(folder / "pagefind")}
        async with PagefindIndex(config=config) as index:  # type: ignore[arg-type]
            # Only engagement pages are searchable: Pagefind need not parse the others.
            await index.add_directory(str(folder), glob="records/**/*.html")
        return len(list((folder / "pagefind" / "fragment").iterdir()))

    try:
        # A thread of its own, so that this works inside a running event loop too
        # (a notebook, Playwright's sync API), where asyncio.run is refused.
        with ThreadPoolExecutor(1) as pool:
            pages = pool.submit(asyncio.run, run()).result()
    except Exception as exc:  # the service reports its failures as bare exceptions
        raise CoproError(f"Pagefind could not index the site: {exc}") from None
    for name in UNUSED:
        (folder / "pagefind" / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "pagefind" / "playground", ignore_errors=True)
    return pages
