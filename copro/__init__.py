"""copro: a searchable, git-versioned co-production hub.

The package is usable without the command line: every command has a one-call
Python equivalent (``copro.validate_archive``, ``copro.views.search``, ...). Names are
imported lazily so that ``import copro`` (and ``copro --help``) stays fast.
"""

from __future__ import annotations

import importlib

from copro.core.version import VERSION as __version__

TYPE_CHECKING = False  # not typing's: the command line forks before anything imports typing
if TYPE_CHECKING:  # what editors and mypy see; at run time the names load on first use
    from typing import Any

    from copro.core.errors import CoproError
    from copro.core.gitrepo import history as record_history
    from copro.core.model import Engagement
    from copro.core.paths import find_root
    from copro.core.problems import Problem
    from copro.core.validate import ValidationResult, validate_archive
    from copro.core.vocab import load_vocabularies
    from copro.store.archive import Archive
    from copro.store.catalog import Catalog, Source, load_catalog, load_engagement
    from copro.store.index import refresh as update_index
    from copro.store.standing import standings
    from copro.views.export import export_archive
    from copro.views.findings import list_findings
    from copro.views.report import build_report
    from copro.views.review import review as review_archive
    from copro.views.search import search as search_archive
    from copro.views.show import show as show_record
    from copro.views.similar import similar_findings
    from copro.views.stats import archive_stats
    from copro.views.themes import archive_themes
    from copro.write.newrecord import create_record
    from copro.write.revisit import draft_revisit
    from copro.write.scaffold import init_archive

# Names never clash with submodules (``copro.views.search`` is a module, so the
# search function is ``copro.search_archive``).
_LAZY: dict[str, str | tuple[str, str]] = {
    "Archive": "copro.store.archive",
    "CoproError": "copro.core.errors",
    "find_root": "copro.core.paths",
    "validate_archive": "copro.core.validate",
    "ValidationResult": "copro.core.validate",
    "Problem": "copro.core.problems",
    "load_vocabularies": "copro.core.vocab",
    "search_archive": ("copro.views.search", "search"),
    "update_index": ("copro.store.index", "refresh"),
    "create_record": "copro.write.newrecord",
    "build_report": "copro.views.report",
    "review_archive": ("copro.views.review", "review"),
    "record_history": ("copro.core.gitrepo", "history"),
    "show_record": ("copro.views.show", "show"),
    "init_archive": "copro.write.scaffold",
    "export_archive": "copro.views.export",
    "archive_stats": "copro.views.stats",
    "Engagement": "copro.core.model",
    "Catalog": "copro.store.catalog",
    "Source": "copro.store.catalog",
    "load_catalog": "copro.store.catalog",
    "load_engagement": "copro.store.catalog",
    "standings": "copro.store.standing",
    "list_findings": "copro.views.findings",
    "archive_themes": "copro.views.themes",
    "similar_findings": "copro.views.similar",
    "draft_revisit": "copro.write.revisit",
}


__all__ = [
    "__version__",
    "Archive",
    "Catalog",
    "CoproError",
    "Engagement",
    "Problem",
    "Source",
    "ValidationResult",
    "archive_stats",
    "archive_themes",
    "build_report",
    "create_record",
    "draft_revisit",
    "export_archive",
    "find_root",
    "init_archive",
    "list_findings",
    "load_catalog",
    "load_engagement",
    "load_vocabularies",
    "record_history",
    "review_archive",
    "search_archive",
    "show_record",
    "similar_findings",
    "standings",
    "update_index",
    "validate_archive",
]
"""The public names (tests/test_model.py ties them to the lazy table)."""


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(name)
    module, attribute = target if isinstance(target, tuple) else (target, name)
    return getattr(importlib.import_module(module), attribute)
