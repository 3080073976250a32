"""copro: a searchable, git-versioned co-production hub.

The package is usable without the command line: every command has a one-call
Python equivalent (``copro.validate_archive``, ``copro.search``, ...). Names are
imported lazily so that ``import copro`` (and ``copro --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

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
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(name)
    module, attribute = target if isinstance(target, tuple) else (target, name)
    return getattr(importlib.import_module(module), attribute)
