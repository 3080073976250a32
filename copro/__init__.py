"""copro: a searchable, git-versioned co-production hub.

The package is usable without the command line: every command has a one-call
Python equivalent (``copro.validate_archive``, ``copro.search``, ...). Names are
imported lazily so that ``import copro`` (and ``copro --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "CoproError": "copro.errors",
    "Archive": "copro.archive",
    "find_root": "copro.archive",
    "validate_archive": "copro.validate",
    "ValidationResult": "copro.validate",
    "Problem": "copro.problems",
    "load_vocabularies": "copro.vocab",
    "search": "copro.search",
    "update_index": "copro.index",
    "create_record": "copro.newrecord",
    "build_report": "copro.report",
    "review": "copro.review",
    "history": "copro.gitrepo",
    "init_archive": "copro.scaffold",
    "export_archive": "copro.export",
    "archive_stats": "copro.stats",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module), name)
