"""The output folder: built aside, switched in whole, and never one that copro did not write.

A build writes into a temporary folder beside the output folder and only
renames it into place once every page and the search index are complete, so a
failed build leaves the old site as it was and nothing stale survives a good
one. Because switching in deletes the old folder, copro only ever replaces a
folder that is absent, empty, or carries copro's marker file:
``copro site --output .`` must never delete an archive.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from copro.core.errors import CoproError

MARKER = ".copro-site"
MARKER_TEXT = "This folder was written by `copro site`; the next build replaces it whole.\n"


def check_replaceable(output: Path, root: Path) -> None:
    """Refuse (exit 1, nothing touched) an output folder copro may not replace.

    ``output`` is the path as given: a symbolic link is refused before anything
    resolves it (resolving first would build into the link's target).
    """
    if output.is_symlink():
        raise CoproError(
            f"{output} is a symbolic link; copro site writes only into a real folder, "
            "and nothing was touched",
            "give the folder itself, or a new folder, with --output DIR",
        )
    output, root = output.resolve(), root.resolve()
    if output == root or output in root.parents:
        raise CoproError(
            f"{output} holds the archive; copro site never replaces it, and nothing was touched",
            "give a folder of its own, for example --output site",
        )
    for kept in ("archive", "schemas", ".git"):
        if output == root / kept or root / kept in output.parents:
            raise CoproError(
                f"{output} is inside the archive's {kept}/ folder; copro site never writes "
                "there, and nothing was touched",
                "give a folder of its own, for example --output site",
            )
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise CoproError(f"{output} exists and is not a folder; nothing was touched")
    if output.is_dir() and any(output.iterdir()) and not is_copro_site(output):
        raise CoproError(
            f"{output} is not empty and was not written by copro site; nothing was touched",
            "choose an empty or new folder with --output DIR",
        )


def is_copro_site(folder: Path) -> bool:
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


@contextlib.contextmanager
def building(output: Path) -> Iterator[Path]:
    """A temporary folder beside ``output``; switched in when the block ends without error."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    temporary = output.parent / f".{output.name}.building-{token}"
    temporary.mkdir()
    try:
        yield temporary
        (temporary / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        switch_in(temporary, output, token)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def switch_in(new: Path, output: Path, token: str) -> None:
    """Put ``new`` where ``output`` is, with at most a moment in which neither is there."""
    old = output.parent / f".{output.name}.old-{token}"
    had_old = output.exists()
    if had_old:
        os.rename(output, old)
    try:
        os.rename(new, output)
    except OSError:
        if had_old:
            os.rename(old, output)
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)
