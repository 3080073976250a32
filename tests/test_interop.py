"""Records copro reads and writes are ordinary front-matter documents for other tools.

python-frontmatter is what most of the ecosystem uses to read such files; a valid
record must load there with the same fields as in copro (dates aside: copro keeps
them as ISO text, python-frontmatter as date objects).
"""

from __future__ import annotations

import datetime as dt

import frontmatter

from conftest import NEW_OPTIONS, SAMPLE_ARCHIVE
from copro.core.records import read_record


def plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def test_sample_records_read_the_same_in_python_frontmatter():
    paths = sorted(SAMPLE_ARCHIVE.rglob("*.md"))
    assert len(paths) == 16
    for path in paths:
        ours = read_record(path, path.name).record
        assert ours is not None
        theirs = frontmatter.load(path)
        assert plain(theirs.metadata) == ours.meta, path.name
        assert theirs.content.strip() == ours.body.strip(), path.name


def test_new_records_read_the_same_in_python_frontmatter(sample_root, cli):
    result = cli(
        "--root",
        str(sample_root),
        "new",
        "--title",
        "Carers: evening drop-in",
        *NEW_OPTIONS,
        "--recontact-via",
        "Leeds Carers Together office",
        "--yes",
    )
    assert result.exit_code == 0, result.stderr
    path = sample_root / result.stdout.strip()
    ours = read_record(path, path.name).record
    assert plain(frontmatter.load(path).metadata) == ours.meta
    assert ours.meta["title"] == "Carers: evening drop-in"
