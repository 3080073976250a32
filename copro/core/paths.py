"""Where an archive lives: its root, its record files, copro's shipped data, the cache.

The root is found from an explicit path, else ``COPRO_ROOT``, else by walking up
from the current directory to the first folder that holds ``archive/``.
Derived data never lives in the archive: it goes to the user's cache folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import EXIT_USAGE, CoproError, UsageError
from copro.core.folders import ARCHIVE_DIR, HUB_FILE

CONSENSUS_DIR = "consensus"
"""Consensus statements (contract section 8): ``consensus/<id>.md`` beside archive/."""
VOCAB_DIR = Path("schemas") / "vocab"
YEAR_DIR = re.compile(r"[0-9]{4}")

ROOT_HINT = (
    "copro finds the archive root from --root PATH, else the COPRO_ROOT environment "
    "variable, else the first folder above the current one that holds archive/ "
    "(or a hub's hub.yml). Start a new archive with `copro init PATH`."
)


def is_root(folder: Path) -> bool:
    """An archive root holds archive/; a hub root holds hub.yml (and maybe archive/ too)."""
    return (folder / ARCHIVE_DIR).is_dir() or (folder / HUB_FILE).is_file()


def shipped_schemas_dir() -> Path:
    """The JSON Schema and default vocabularies that ship with copro.

    In a wheel they are copied into the package; in a source checkout (an
    editable install) they are the repository's own ``schemas/``.
    """
    packaged = Path(__file__).resolve().parent.parent / "_shipped" / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "schemas"


def find_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The archive root, or a UsageError that says how the root is found."""
    if explicit is not None and str(explicit) != "":
        root = Path(explicit).expanduser()
        if not is_root(root):
            raise UsageError(f"{root} is no archive root (it has no archive/ folder)", ROOT_HINT)
        return root.resolve()
    env = os.environ.get("COPRO_ROOT")
    if env:
        root = Path(env).expanduser()
        if not is_root(root):
            raise UsageError(
                f"COPRO_ROOT={env} is no archive root (it has no archive/ folder)", ROOT_HINT
            )
        return root.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if is_root(folder):
            return folder
    raise UsageError("this folder is not inside an archive (no archive/ folder found)", ROOT_HINT)


def cache_unusable(folder: Path, what: str, exc: OSError) -> CoproError:
    """The usage error (exit 2) for a cache folder that cannot be created or written,
    naming the variable that chose it; ``what`` says what could not be done."""
    _, variable = cache_setting()
    return CoproError(
        f"cannot {what} in {folder}: {exc.strerror or exc}",
        f"the cache folder comes from {variable}; free some space or make it writable, "
        "or set COPRO_CACHE_DIR to a writable absolute folder",
        EXIT_USAGE,
    )


def cache_setting() -> tuple[Path, str]:
    """The top cache folder for copro and the environment variable that chose it.

    ``COPRO_CACHE_DIR`` wins and must be absolute (a relative one would follow the
    current folder, into the archive); a relative ``XDG_CACHE_HOME`` is ignored,
    as the XDG spec says, for ``~/.cache``.
    """
    base = os.environ.get("COPRO_CACHE_DIR")
    if base:
        top = Path(base).expanduser()
        if not top.is_absolute():
            raise UsageError(
                f"COPRO_CACHE_DIR={base} is a relative path",
                "set COPRO_CACHE_DIR to an absolute folder outside the archive "
                "(derived data never lives in the archive), or unset it",
            )
        return top, "COPRO_CACHE_DIR"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "copro", "XDG_CACHE_HOME"
    try:
        return Path.home() / ".cache" / "copro", "HOME"
    except RuntimeError:
        raise UsageError(
            "cannot tell where the user cache is (HOME is not set)",
            "set COPRO_CACHE_DIR to an absolute folder for copro's index",
        ) from None


def cache_dir(root: Path) -> Path:
    """This archive's own folder in the user's cache (one folder per archive root)."""
    top, _ = cache_setting()
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return top / f"{root.name or 'root'}-{digest}"


RECORD = "record"
SYMLINK = "symlink"
NOT_A_RECORD = "not-a-record"
UNREADABLE = "unreadable"
KEEP_FILE = ".gitkeep"


@dataclass(frozen=True)
class RecordFile:
    """A file under archive/ as found on disk, before anything is read.

    ``kind`` says what it is: a record (``<name>.md`` outside hidden folders),
    a symlink, anything else (``NOT_A_RECORD``: ``*.MD``, hidden files, files in
    hidden folders, ``contacts.txt``), or a folder that cannot be listed.
    """

    abspath: str
    relpath: str
    is_symlink: bool
    size: int = 0
    mtime_ns: int = 0
    kind: str = RECORD

    @property
    def path(self) -> Path:
        return Path(self.abspath)


def iter_record_files(
    root: Path, every_file: bool = False, folder_name: str = ARCHIVE_DIR
) -> Iterator[RecordFile]:
    """Every ``.md`` file (and every symlink) under archive/, sorted, never following links.

    With ``every_file`` (what validate checks: the archive is published whole)
    also every other file except ``.gitkeep``, hidden ones and those in hidden
    folders included, and every folder that cannot be listed.
    Paths stay strings here (10,000 Path objects cost more than the scan itself).
    """
    root_text = str(root)
    stack = [(os.path.join(root_text, folder_name), folder_name, False)]
    found: list[RecordFile] = []
    while stack:
        folder, rel_folder, hidden = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        except OSError:
            if every_file:
                found.append(RecordFile(folder, rel_folder, False, kind=UNREADABLE))
            continue
        for entry in entries:
            name = entry.name
            rel = f"{rel_folder}/{name}"
            if entry.is_symlink():
                found.append(RecordFile(entry.path, rel, True, kind=SYMLINK))
            elif entry.is_dir(follow_symlinks=False):
                if every_file or not name.startswith("."):
                    stack.append((entry.path, rel, hidden or name.startswith(".")))
            elif name.endswith(".md") and not name.startswith(".") and not hidden:
                found.append(RecordFile(entry.path, rel, False))
            elif every_file and name != KEEP_FILE:
                found.append(RecordFile(entry.path, rel, False, kind=NOT_A_RECORD))
    yield from sorted(found, key=lambda f: f.relpath)


def iter_statement_files(root: Path, every_file: bool = False) -> Iterator[RecordFile]:
    """Every statement file ``consensus/<id>.md``; with ``every_file`` every other file too.

    A ``.md`` file in a folder below consensus/ is no statement (statements
    live directly in consensus/), so it is listed as not a record.
    """
    for found in iter_record_files(root, every_file, CONSENSUS_DIR):
        if found.kind == RECORD and found.relpath.count("/") != 1:
            if every_file:
                yield RecordFile(found.abspath, found.relpath, False, kind=NOT_A_RECORD)
            continue
        yield found


def is_statement_path(relpath: str) -> bool:
    """Whether an archive-relative path is where a statement lives (``consensus/<id>.md``)."""
    return relpath.startswith(CONSENSUS_DIR + "/")


def statement_path(root: Path, statement_id: str) -> Path:
    """Where the statement ``statement_id`` belongs: consensus/<id>.md."""
    return root / CONSENSUS_DIR / f"{statement_id}.md"


def not_a_record_reason(relpath: str) -> str:
    """Why a file under archive/ is no record (never repeating its name: it may hold data)."""
    parts = relpath.split("/")
    if parts[0] == CONSENSUS_DIR and not any(part.startswith(".") for part in parts[1:]):
        return (
            "not a statement: only <id>.md consensus statements belong directly in "
            "consensus/ (it is published whole); move it out"
        )
    if any(part.startswith(".") for part in parts[1:]):
        return "not a record: hidden files and folders are published with archive/ too; move it out"
    if parts[-1].lower().endswith(".md"):
        return "not a record: a record's name ends in lower-case .md; rename it"
    return (
        "not a record: only <id>.md records and .gitkeep belong in archive/ "
        "(it is published whole); move it out"
    )


def record_path(root: Path, record_id: str) -> Path:
    """Where the record ``record_id`` belongs: archive/<YYYY>/<id>.md."""
    return root / ARCHIVE_DIR / record_id[:4] / f"{record_id}.md"


def relpath(root: Path, path: Path) -> str:
    """``path`` relative to the root, with forward slashes (as the contract shows)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def os_error(exc: OSError) -> CoproError:
    """An OSError nothing else caught, in copro's voice (never a traceback).

    One under the user cache is a usage problem (exit 2) whose hint names the
    variable that chose the folder; any other is a file copro could not use (exit 1).
    It lives beside :func:`cache_setting`, which it asks where the cache is.
    """
    reason = exc.strerror or exc.__class__.__name__
    filename = exc.filename if isinstance(exc.filename, str) else None
    where = f": {filename}" if filename else ""
    try:
        top, variable = cache_setting()
    except CoproError:
        top, variable = None, "COPRO_CACHE_DIR"
    in_cache = (
        filename is not None
        and top is not None
        and os.path.abspath(filename).startswith(os.path.abspath(top) + os.sep)
    )
    if in_cache or filename is None:
        hint = (
            f"if this is copro's cache (chosen by {variable}), make that folder writable "
            "or set COPRO_CACHE_DIR to a writable absolute folder"
        )
        if in_cache:
            return CoproError(f"cannot use copro's cache{where} ({reason})", hint, EXIT_USAGE)
        return CoproError(f"{reason}", hint)
    return CoproError(
        f"cannot use {filename} ({reason})",
        "check that it exists and that you may read it (and write, for commands that write); "
        "copro's own cache is set with COPRO_CACHE_DIR",
    )
