"""``copro site``: a static, searchable, accessible web site of the archive.

Built only from an archive that passes ``copro validate``; written aside and
switched in whole (see ``folder``); pages from the views in ``pages``, rendered
and escaped in ``render``; searched in the browser with Pagefind
(``search_index``); served locally by ``serve``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.paths import ARCHIVE_DIR
from copro.store.archive import Archive

DEFAULT_OUTPUT = "site"


_UNREACHABLE = (
    "so the accessibility statement says that there is no way to report a problem or ask for "
    "another format"
)
NO_CONTACT = f"copro.yml sets no site.contact, {_UNREACHABLE}"
NO_CONTACT_HINT = "add site: {contact: ...} to copro.yml: a team, a web form or a shared inbox"
NO_SETTINGS = f"there is no copro.yml to set site.contact, {_UNREACHABLE}"
NO_SETTINGS_HINT = (
    "write copro.yml in the archive root with site: {contact: ...}: a team, a web form or a "
    "shared inbox"
)


def contact_warnings(root: Path, contact: str | None) -> list[tuple[str, str]]:
    """(message, hint) when the site gives no contact: whether ``copro.yml`` is missing
    or lacks ``site.contact`` changes what the publisher has to do."""
    from copro.core.settings import settings_path

    if contact:
        return []
    if settings_path(root).exists():
        return [(NO_CONTACT, NO_CONTACT_HINT)]
    return [(NO_SETTINGS, NO_SETTINGS_HINT)]


@dataclass
class SiteResult:
    output: Path
    pages: int
    records: int
    indexed: int
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """(message, hint): what the site lacks that its publisher should add."""

    def to_json(self) -> dict[str, object]:
        return {
            "output": str(self.output),
            "pages": self.pages,
            "records": self.records,
            "indexed": self.indexed,
            "warnings": [message for message, _ in self.warnings],
        }


def _check_hub(archive: Archive) -> bool:
    """Whether ``archive`` is a hub root; one with nothing synced and no records is an error.

    Members passed their own gate when ``copro hub sync`` locked them; the hub's
    own records are validated here like an archive's.
    """
    hub = archive.hub
    if hub is None:
        return False
    if not hub.members and not hub.has_own_archive:
        raise CoproError("no member of this hub has been synced yet", "run `copro hub sync`")
    return True


def build_site(
    archive: Archive | Path,
    output: Path | None = None,
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    members: Sequence[str] = (),
    include_withdrawn: bool = False,
) -> SiteResult:
    """Validate, render every page and the search index aside, then switch the site in.

    In a hub root the site holds every member (``members`` narrows to some). Withdrawn
    records are left out unless ``include_withdrawn``.
    """
    from copro.core.validate import validate_archive
    from copro.site.folder import building, check_replaceable
    from copro.site.pages import build_site_data
    from copro.site.render import write_pages
    from copro.site.search_data import write_search_data
    from copro.site.search_index import ShardedIndex, pagefind_binary, shard_bound, shards_of

    archive = Archive.of(archive)
    root = archive.root
    given = Path(output) if output is not None else root / DEFAULT_OUTPUT
    check_replaceable(given, root)
    output = given.resolve()
    pagefind_binary()
    bound = shard_bound()
    wanted = archive.members(members)
    in_hub = _check_hub(archive)
    if not in_hub or (root / ARCHIVE_DIR).is_dir():
        checked = validate_archive(root)
        if not checked.ok:
            raise CoproError(
                f"copro validate found {len(checked.errors)} error(s); the site was not built "
                "and nothing was written",
                "run `copro validate` and fix what it lists",
            )
    data = build_site_data(archive, today, members=wanted, include_withdrawn=include_withdrawn)
    newest_first = [f"{page.link.url}index.html" for page in reversed(data.records)]
    shards = shards_of(newest_first, bound)
    with building(output) as folder, ShardedIndex(folder, shards) as index:
        pages = write_pages(data, folder, progress, shards, index.shard_written)
        write_search_data(data, archive.vocab, folder)
        indexed = index.finish()
    warnings = contact_warnings(root, data.identity.contact)
    return SiteResult(output, pages, len(data.records), indexed, warnings)
