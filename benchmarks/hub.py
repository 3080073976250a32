"""Time a hub of local member repositories against one archive holding the same records.

Usage: python benchmarks/hub.py [--members 10] [--records 1000] [--runs 3]

Figures are medians of whole processes, as a user runs them: the first
``hub sync`` and first search; ``hub sync`` with nothing changed; ``hub sync``
after one member changed one record, then a search; and a warm search on the
hub against ``copro search`` on a single archive of members x records.
Never part of the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import COPRO, WORK, line, timed  # noqa: E402
from synthetic import generate  # noqa: E402

QUERY = ["search", "parenting", "--json"]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env=dict(os.environ, **GIT_ENV),
    )


def members(n_members: int, n_records: int) -> list[Path]:
    """``n_members`` repositories of ``n_records`` synthetic records (distinct seeds)."""
    out = []
    for i in range(n_members):
        root = WORK / f"hub-member-{n_records}-{i}"
        if not (root / ".git").is_dir():
            shutil.rmtree(root, ignore_errors=True)
            generate(root, n_records, seed=100 + i)
            git(root, "init", "-q", "-b", "main")
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "Synthetic archive")
        out.append(root)
    return out


def single(n_members: int, n_records: int) -> Path:
    """One archive with the same records as the members (ids made unique per member)."""
    root = WORK / f"hub-single-{n_members}x{n_records}"
    if (root / "archive").is_dir():
        return root
    generate(root, n_records, seed=100)
    for i in range(1, n_members):
        part = WORK / f"hub-member-{n_records}-{i}"
        for path in (part / "archive").rglob("*.md"):
            stem = path.stem
            new = f"{stem}-m{i}"
            text = path.read_text(encoding="utf-8").replace(f"id: {stem}\n", f"id: {new}\n", 1)
            (root / "archive" / path.parent.name / f"{new}.md").write_text(text, encoding="utf-8")
    return root


def once(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    repos = members(args.members, args.records)
    hub = WORK / f"hub-{args.members}x{args.records}"
    shutil.rmtree(hub, ignore_errors=True)
    hub.mkdir(parents=True)
    (hub / "hub.yml").write_text(
        "members:\n"
        + "".join(f"- name: member-{i}\n  url: {r}\n  rev: main\n" for i, r in enumerate(repos)),
        encoding="utf-8",
    )
    cache = WORK / "hub-cache"
    env = dict(os.environ, COPRO_CACHE_DIR=str(cache))
    at = ["--root", str(hub)]
    print(f"hub of {args.members} members x {args.records} records; median of {args.runs} runs")
    firsts, first_searches = [], []
    for _ in range(1):  # a cold sync of every member is long: once is enough to see it
        shutil.rmtree(cache, ignore_errors=True)
        (hub / "hub.lock").unlink(missing_ok=True)
        firsts.append(once([*COPRO, *at, "hub", "sync"], env))
        first_searches.append(once([*COPRO, *at, *QUERY], env))
    line("first hub sync (cold cache, one run)", statistics.median(firsts))
    line("first search after it (builds the index)", statistics.median(first_searches))
    line("hub sync, nothing changed", timed([*COPRO, *at, "hub", "sync"], args.runs, env))

    victim_repo = repos[args.members // 2]
    victim = sorted((victim_repo / "archive").rglob("*.md"))[args.records // 2]
    original = victim.read_text(encoding="utf-8")
    syncs, searches = [], []
    for run in range(args.runs):
        edited = original + f"\nedited {run}\n"
        victim.write_text(edited, encoding="utf-8")
        git(victim_repo, "commit", "-qam", f"Edit {run}")
        syncs.append(once([*COPRO, *at, "hub", "sync"], env))
        searches.append(once([*COPRO, *at, *QUERY], env))
    line("hub sync after one member changed one record", statistics.median(syncs))
    line("search after that sync", statistics.median(searches))
    fetch_only = WORK / "hub-fetch-probe.git"
    shutil.rmtree(fetch_only, ignore_errors=True)
    subprocess.run(["git", "init", "-q", "--bare", str(fetch_only)], check=True)
    subprocess.run(
        ["git", "-C", str(fetch_only), "fetch", "-q", "--depth=1", str(victim_repo), "main"],
        check=True,
    )
    line(
        "that member's fetch alone (git fetch --depth=1)",
        timed(
            [
                "git",
                "-C",
                str(fetch_only),
                "fetch",
                "-q",
                "--depth=1",
                str(victim_repo),
                "+main:refs/x",
            ],
            args.runs,
        ),
    )

    one = single(args.members, args.records)
    single_env = dict(os.environ, COPRO_CACHE_DIR=str(WORK / "hub-single-cache"))
    subprocess.run([*COPRO, "--root", str(one), "index"], check=True, env=single_env)
    records = sorted((one / "archive").rglob("*.md"))
    target = records[len(records) // 2]
    base_text = target.read_text(encoding="utf-8")
    refreshes = []
    for run in range(args.runs):
        target.write_text(base_text + f"\nedited {run}\n", encoding="utf-8")
        refreshes.append(once([*COPRO, "--root", str(one), *QUERY], single_env))
    target.write_text(base_text, encoding="utf-8")
    line("single archive: search after one record changed", statistics.median(refreshes))
    warm_single = timed([*COPRO, "--root", str(one), *QUERY], args.runs, single_env)
    warm_hub = timed([*COPRO, *at, *QUERY], args.runs, env)
    line("warm search, single archive", warm_single)
    line("warm search, hub", warm_hub, warm_single, "single archive")


if __name__ == "__main__":
    main()
