"""copro: a searchable, git-versioned co-production hub.

The package is usable without the command line: every command has a one-call
Python equivalent (``copro.validate_archive``, ``copro.search``, ...). Names are
imported lazily so that ``import copro`` (and ``copro --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what editors and mypy see; at run time the names load on first use
    from copro.archive import find_root
    from copro.catalog import Catalog, Source, load_catalog, load_engagement
    from copro.errors import CoproError
    from copro.export import export_archive
    from copro.findings import list_findings
    from copro.gitrepo import history as record_history
    from copro.index import refresh as update_index
    from copro.model import Engagement
    from copro.newrecord import create_record
    from copro.problems import Problem
    from copro.report import build_report
    from copro.review import review as review_archive
    from copro.revisit import draft_revisit
    from copro.scaffold import init_archive
    from copro.search import search as search_archive
    from copro.show import show as show_record
    from copro.similar import similar_findings
    from copro.standing import standings
    from copro.stats import archive_stats
    from copro.themes import archive_themes
    from copro.validate import ValidationResult, validate_archive
    from copro.vocab import load_vocabularies

# Names never clash with submodules (``copro.search`` is a module, so the
# search function is ``copro.search_archive``).
_LAZY: dict[str, str | tuple[str, str]] = {
    "CoproError": "copro.errors",
    "find_root": "copro.archive",
    "validate_archive": "copro.validate",
    "ValidationResult": "copro.validate",
    "Problem": "copro.problems",
    "load_vocabularies": "copro.vocab",
    "search_archive": ("copro.search", "search"),
    "update_index": ("copro.index", "refresh"),
    "create_record": "copro.newrecord",
    "build_report": "copro.report",
    "review_archive": ("copro.review", "review"),
    "record_history": ("copro.gitrepo", "history"),
    "show_record": ("copro.show", "show"),
    "init_archive": "copro.scaffold",
    "export_archive": "copro.export",
    "archive_stats": "copro.stats",
    "Engagement": "copro.model",
    "Catalog": "copro.catalog",
    "Source": "copro.catalog",
    "load_catalog": "copro.catalog",
    "load_engagement": "copro.catalog",
    "standings": "copro.standing",
    "list_findings": "copro.findings",
    "archive_themes": "copro.themes",
    "similar_findings": "copro.similar",
    "draft_revisit": "copro.revisit",
}


__all__ = [
    "__version__",
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
