"""``copro hub init [DIR]``: a hub root, so nobody writes ``hub.yml`` from memory.

A hub root holds ``hub.yml`` (its members, here as commented examples), a
``.gitignore`` for the site it builds, and the shared vocabularies (copies of
the shipped ones) that members' terms are mapped to. Like ``copro init`` it
checks every file before writing any, never overwrites, and makes the folder a
git repository (``hub.lock`` is committed so everyone reads the same commits).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from copro.core.errors import CoproError
from copro.core.fileio import create_new
from copro.core.paths import HUB_FILE, VOCAB_DIR, shipped_schemas_dir

HUB_YML = """\
# A hub joins several organisations' archives into one view: each member keeps
# its own repository and its own `copro validate` gate. Add a member as in the
# examples below (remove the `#`), then run `copro hub sync`.
members:
# - name: islington-council          # kebab-case, unique: the member's namespace
#   url: https://example.org/islington/coproduction.git   # a git URL or a local path
#   rev: main                        # branch, tag or commit
# - name: hiddo-womens-association
#   url: ../hiddo-archive            # relative to this folder
#   rev: v2026.11
"""

HUB_GITIGNORE = """\
# copro site writes the hub's web site here; members are read from the user cache.
/site/
.DS_Store
"""


@dataclass
class HubInitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    git_initialised: bool = False


def init_hub(path: Path) -> HubInitResult:
    """Create a hub root at ``path`` (exit 1, nothing written, when one is there)."""
    from copro.core.gitrepo import is_repository, run_git

    root = Path(path).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise CoproError(f"{root} exists and is not a folder; nothing was touched")
    files: dict[str, str | bytes] = {HUB_FILE: HUB_YML, ".gitignore": HUB_GITIGNORE}
    for vocab_file in sorted((shipped_schemas_dir() / "vocab").glob("*.yml")):
        files[(VOCAB_DIR / vocab_file.name).as_posix()] = vocab_file.read_bytes()
    if os.path.lexists(root / HUB_FILE):
        raise CoproError(
            f"{root} already holds {HUB_FILE}; nothing was touched",
            "a hub root is set up once: edit hub.yml to add members",
        )
    result = HubInitResult(root)
    root.mkdir(parents=True, exist_ok=True)
    try:
        for rel, content in files.items():
            if os.path.lexists(root / rel):
                result.kept.append(rel)  # an archive's own .gitignore and vocabularies
                continue
            create_new(root, rel, content)
            result.written.append(rel)
        if not is_repository(root):
            run_git(root, "init", "-q", "--initial-branch=main")
            result.git_initialised = True
    except BaseException:
        for rel in result.written:
            (root / rel).unlink(missing_ok=True)
        raise
    return result
