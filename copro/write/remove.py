"""``copro remove ID``: delete a record made by mistake (git keeps it in history).

A record that another record (or a consensus statement) names is never
removed: the references would dangle and ``validate`` would fail. The check
is made again under the archive's writer lock, together with "the file is
byte for byte what was read", so a reference or an edit that lands between
the question and the answer is never lost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.fileio import archive_lock
from copro.core.paths import relpath
from copro.core.records import locate_record
from copro.store.naming import NamedBy, who_names

__all__ = ["Removal", "plan_removal", "remove_record"]


@dataclass(frozen=True)
class Removal:
    """A record about to be removed: its id, file and the bytes that were read."""

    record_id: str
    path: Path
    relpath: str
    data: bytes

    def to_json(self) -> dict[str, str]:
        return {"removed": self.record_id, "path": self.relpath}


def _refuse_if_named(record_id: str, naming: list[NamedBy]) -> None:
    if naming:
        by_source: dict[str, list[str]] = {}
        for named in naming:
            by_source.setdefault(named.source, []).append(named.how)
        listed = "; ".join(f"{source} ({', '.join(hows)})" for source, hows in by_source.items())
        raise CoproError(
            f"{record_id} is named by {listed}; nothing was removed",
            "take those references out of the records first, then run copro remove again",
        )


def plan_removal(root: Path, record_id: str) -> Removal:
    """Check that ``record_id`` exists and that nothing names it (else a CoproError, exit 1)."""
    root = Path(root).resolve()
    path = locate_record(root, record_id)
    rel = relpath(root, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CoproError(f"cannot read {rel}: {exc.strerror}; nothing was removed") from None
    _refuse_if_named(record_id, who_names(root, record_id))
    return Removal(record_id, path, rel, data)


def remove_record(root: Path, removal: Removal) -> None:
    """Delete the planned record under the writer lock, if it is unchanged and still unnamed."""
    root = Path(root).resolve()
    with archive_lock(root):
        try:
            now = removal.path.read_bytes()
        except OSError:
            now = None
        if now != removal.data:
            raise CoproError(
                f"{removal.relpath} changed on disk since copro read it; nothing was removed",
                "run the command again",
            )
        _refuse_if_named(removal.record_id, who_names(root, removal.record_id))
        try:
            os.unlink(removal.path)
        except OSError as exc:
            raise CoproError(
                f"cannot remove {removal.relpath}: {exc.strerror}; nothing was removed"
            ) from None


def git_rm_hint(root: Path, rel: str) -> str | None:
    """How to stage the removal, when git knows the file (else None: a record that was
    never added to git leaves nothing to stage and nothing in history)."""
    from copro.core.gitrepo import is_repository, run_git

    if not is_repository(root):
        return None
    known = run_git(root, "ls-files", "-z", "--", rel).strip("\0")
    return f"git rm --cached --quiet {rel}" if known else None
