"""copro serve's live views: after a change on disk, the pages it shows are the pages a
full build makes, although only the changed records and their neighbours were built again.

Real files in tmp_path, the real strict reader and record cache; every page of
the site rendered both ways and compared.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import REPO

pytest.importorskip("starlette")

if TYPE_CHECKING:
    from copro.web.live import Snapshot

EARLIER = "archive/2019/2019-03-somali-mothers-parenting.md"
FOLLOW_UP = "archive/2024/2024-04-somali-mothers-parenting-follow-up.md"
REFRESH = "archive/2025/2025-06-peer-coaching-programme-refresh.md"
SUPERSEDED = "archive/2018/2018-05-peer-coaching-programme.md"


@pytest.fixture
def root(sample_root: Path) -> Path:
    shutil.copytree(REPO / "consensus", sample_root / "consensus")
    return sample_root


def full_build(root: Path) -> dict[str, str]:
    """Every page of a site built from scratch, as the server would render it."""
    from copro.site.pages import build_site_data
    from copro.site.render import Renderer, pages

    data = build_site_data(root, dt.date.today())
    renderer = Renderer(data, root)
    return {
        path: renderer.render(template, "../" * path.count("/"), context)
        for path, template, context in pages(data)
    }


def served(snapshot: Snapshot) -> dict[str, str]:
    paths = snapshot.site()[1]
    return {path: snapshot.render(path, {}) or "" for path in paths}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    later = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(later, later))  # a clock too coarse must not hide the edit


def new_revisit(root: Path) -> None:
    text = (root / FOLLOW_UP).read_text(encoding="utf-8")
    text = text.replace("id: 2024-04-somali-mothers-parenting-follow-up", "id: 2025-01-third-visit")
    text = text.replace("date: 2024-04-13", "date: 2025-01-20")
    target = root / "archive" / "2025" / "2025-01-third-visit.md"
    target.write_text(text.replace("outcome: changed", "outcome: unclear"), encoding="utf-8")


def same_site(root: Path, snapshot: Snapshot) -> None:
    expected, shown = full_build(root), served(snapshot)
    assert sorted(shown) == sorted(expected)
    differ = [path for path in expected if shown[path] != expected[path]]
    assert not differ, differ[:5]


def test_every_page_after_each_change_is_the_full_builds(root: Path) -> None:
    from copro.web.live import Engagements, build_snapshot, next_snapshot

    known = Engagements(root)
    snapshot = build_snapshot(root, {}, known)
    same_site(root, snapshot)
    steps = [
        # the earlier record's title: the follow-up's "checked again" and links show it
        lambda: edit(root, EARLIER, "title: ", "title: Renamed, "),
        # a revisit's outcome: the earlier finding's standing changes
        lambda: edit(root, FOLLOW_UP, "outcome: changed", "outcome: no-longer-holds"),
        # a record withdrawn: its page goes, so do the links to it
        lambda: edit(root, SUPERSEDED, "status: completed", "status: withdrawn"),
        # a record that can no longer be read (a colon in a plain title), then mended
        lambda: edit(root, FOLLOW_UP, "title: ", "title: Broken: "),
        lambda: edit(root, FOLLOW_UP, "title: Broken: ", "title: Mended, "),
        # a new record revisiting an earlier finding
        lambda: new_revisit(root),
        # and a record removed outright
        lambda: (root / REFRESH).unlink(),
    ]
    for step in steps:
        step()
        following = next_snapshot(root, snapshot, {}, known)
        assert following is not None and following.views is not None
        snapshot = following
        same_site(root, snapshot)
    assert snapshot.record("2025-01-third-visit") is not None
    assert snapshot.record(Path(FOLLOW_UP).stem).title.startswith("Mended")


def test_only_the_changed_record_and_its_neighbours_are_built_again(root: Path) -> None:
    from copro.web.live import Engagements, build_snapshot, next_snapshot

    known = Engagements(root)
    snapshot = build_snapshot(root, {}, known)
    assert snapshot.views is not None
    before = dict(snapshot.views.pages)
    edit(root, EARLIER, "title: ", "title: Renamed, ")
    after = next_snapshot(root, snapshot, {}, known)
    assert after is not None and after.views is not None
    rebuilt = {key for key, page in after.views.pages.items() if page is not before.get(key)}
    earlier_id = Path(EARLIER).stem
    assert earlier_id in rebuilt and Path(FOLLOW_UP).stem in rebuilt
    naming = {k for k, page in before.items() if earlier_id in re.findall(r"[\w-]+", str(
        [page.engagement.related, [r.finding for f in page.engagement.findings
                                   for r in f.revisits]]))}  # fmt: skip
    assert rebuilt <= naming | {earlier_id}
    assert len(rebuilt) < len(before) / 2


def test_nothing_changed_means_no_new_snapshot(root: Path) -> None:
    from copro.web.live import Engagements, build_snapshot, next_snapshot

    known = Engagements(root)
    snapshot = build_snapshot(root, {}, known)
    assert next_snapshot(root, snapshot, {}, known) is None
