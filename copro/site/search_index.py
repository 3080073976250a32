"""The search index: Pagefind over the written pages, in one directory run.

Pagefind ships its binary inside the ``pagefind[bin]`` wheel (copro's ``site``
extra), so nothing is downloaded at run time. Indexing the whole folder in one
run is what makes it fast: a call per page costs a round trip to the binary
each (1,000 pages: about 100 s against 1.5 s). Only record pages carry
``data-pagefind-body``, so only engagements are found by search, and only they
are read.

The binary runs as its command line, not through the Python package's service
API: that API stops the binary as soon as it answers the write request, which
left index files truncated (an empty ``pagefind-entry.json`` at 10,000 pages,
and search failed); the command exits only when every file is written.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from copro.core.errors import CoproError

INSTALL_HINT = "install the site extra: pip install 'copro-hub[site]' (it brings pagefind[bin])"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")  # fmt: skip
"""Pagefind's own interfaces: the site has its own accessible one."""


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


def index_site(folder: Path) -> int:
    """Index the engagement pages under ``folder`` into ``folder/pagefind``; returns how many."""
    command = [
        str(pagefind_binary()),
        "--site", str(folder),
        "--glob", "records/**/*.html",
        "--force-language", "en",
        "--output-subdir", "pagefind",
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
        (folder / "pagefind" / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "pagefind" / "playground", ignore_errors=True)
    return len(list((folder / "pagefind" / "fragment").iterdir()))
