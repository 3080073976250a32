"""Writers act on an organisation's own archive, never through a hub (contract section 7)."""

from __future__ import annotations

from pathlib import Path

from copro.core.errors import UsageError
from copro.core.paths import ARCHIVE_DIR, HUB_FILE


def refuse_hub_root(root: Path, command: str) -> None:
    """Exit 2 in a hub root that holds no ``archive/``, naming the members' roots."""
    root = Path(root)
    if (root / ARCHIVE_DIR).is_dir() or not (root / HUB_FILE).is_file():
        return
    members = _member_locations(root)
    raise UsageError(
        f"{root} is a hub: `copro {command}` changes an organisation's own archive, "
        "never the hub's view of it",
        (
            "run it in the member's own archive: " + "; ".join(members)
            if members
            else "run it in a member's own archive (hub.yml names none yet)"
        ),
    )


def _member_locations(root: Path) -> list[str]:
    """The members hub.yml names (read through the store: writers never read the hub)."""
    from copro.core.errors import CoproError
    from copro.store.archive import Archive

    try:
        return [f"{name}'s own archive" for name in Archive(root).member_names]
    except CoproError:
        return []
