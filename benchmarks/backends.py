"""The search backends side by side on the same archive and query set (never part of the tests).

Usage: python benchmarks/backends.py [--sizes 10000,50000] [--runs 3]
       [--backends whoosh,sqlite]

For each size and backend (named in the archive's copro.yml): ``copro index
--rebuild`` (one run), then every query of :data:`QUERIES` warm (median of
--runs), each a whole process with its peak memory (as ``scale.py`` measures
it). The archive's copro.yml is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import COPRO, WORK  # noqa: E402
from scale import archive, load, measure, runs_of, write_settings  # noqa: E402

QUERIES = {
    "one word": ["parenting"],
    "several words": ["waiting lists letters"],
    "a question": ["what did carers say about interpreters?"],
    "a synonym (vocabulary)": ["mums"],
    "a facet": ["--topic", "housing"],
    "typed syntax": ["carers OR interpreters NOT budget"],
    "a phrase": ['"peer support"'],
    "a misspelt word": ["intepreters"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="whoosh,sqlite")
    args = parser.parse_args()
    env = dict(os.environ, COPRO_CACHE_DIR=str(WORK / "backends-cache"))
    for n in (int(s) for s in args.sizes.split(",")):
        root = archive(n)
        copro = [*COPRO, "--root", str(root)]
        for backend in args.backends.split(","):
            write_settings(root, backend)
            print(f"N = {n:,}, {backend} ({load()})", flush=True)
            seconds, mib = measure([*copro, "index", "--rebuild"], env)
            print(f"  {'index --rebuild':<40} {seconds:8.3f} s {mib:7.0f} MiB", flush=True)
            times = []
            for name, words in QUERIES.items():
                seconds, mib = runs_of([*copro, "search", *words, "--json"], env, args.runs)
                times.append(seconds)
                print(f"  {'search: ' + name:<40} {seconds:8.3f} s {mib:7.0f} MiB", flush=True)
            print(f"  {'median over the query set':<40} {statistics.median(times):8.3f} s")
        write_settings(root, None)


if __name__ == "__main__":
    main()
