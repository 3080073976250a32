"""Time ``copro site`` against its parts, and one search in the browser (never part of the tests).

Usage: python benchmarks/site_bench.py [--sizes 1000,10000] [--runs 3] [--browser 10000]

For each size: ``copro validate``, a bare ``python -m pagefind --site`` over the
built site (its output written elsewhere), and the whole ``copro site`` build,
each a whole process (median of --runs), with the peak resident memory of the
whole process tree of one run (Pagefind included; ``scale.measure``). The goal:
the build within 1.5x of validate + bare Pagefind. Then, on the --browser size,
served on 127.0.0.1 and driven by Debian's Chromium: the time from typing a
query to the results shown (it includes the form's 150 ms pause after typing)
and the requests and bytes that one search fetches on a fresh page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import COPRO, PY, WORK, archive, line, timed  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def peak_mib(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory (MiB) of the whole process tree of ``cmd`` (Pagefind included):
    ``scale.measure``'s, the larger of GNU time's %M and the tree's sampled sum."""
    from scale import measure

    return measure(cmd, env)[1]


def build(n: int, runs: int, env: dict[str, str]) -> Path:
    root = archive(n)
    out = WORK / f"site-{n}"
    site = [*COPRO, "--root", str(root), "site", "--output", str(out)]
    subprocess.run(site, check=True, env=env, capture_output=True)  # warm caches, one site
    print(f"N = {n:,}", flush=True)
    validate = timed([*COPRO, "--root", str(root), "validate"], runs, env)
    line("copro validate", validate)
    bare_out = WORK / f"bare-pagefind-{n}"
    bare_cmd = [PY, "-m", "pagefind", "--site", str(out), "--output-path", str(bare_out)]
    bare = timed(bare_cmd, runs, env)
    line("python -m pagefind --site (bare)", bare)
    bare_peak = peak_mib(bare_cmd, env)
    print(f"  {'peak memory of bare Pagefind (process tree)':<44} {bare_peak:8.0f} MiB")
    shutil.rmtree(bare_out, ignore_errors=True)
    whole = timed(site, runs, env)
    line("copro site", whole, validate + bare, "validate + bare Pagefind")
    print(f"  {'peak memory of copro site (process tree)':<44} {peak_mib(site, env):8.0f} MiB")
    return out


QUERIES = ("parenting", "what did somali mums say about childrens centres?", "somlai mothers")
"""Typed into the site search: a plain word, the question of issue 21 (question words,
a synonym, several concepts ranked) and a misspelling (loads the site's word list)."""


def browser_search(site: Path, queries: tuple[str, ...] = QUERIES) -> None:
    from playwright.sync_api import sync_playwright

    from copro.site.serve import make_server, url_of

    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=CHROMIUM_ARGS,
            )
            for query in queries:
                samples, fetched = [], []
                for _ in range(3):
                    page = browser.new_context().new_page()
                    page.goto(url_of(server))
                    page.wait_for_load_state("networkidle")
                    sizes: list[int] = []
                    page.on(
                        "requestfinished",
                        lambda r, s=sizes: s.append(r.sizes()["responseBodySize"]),
                    )
                    started = time.perf_counter()
                    page.fill("#search-input", query)
                    page.wait_for_function(  # results of these words shown, search done
                        "() => document.getElementById('result-count').textContent !== '' && "
                        "!document.getElementById('results').hasAttribute('aria-busy')"
                    )
                    samples.append(time.perf_counter() - started)
                    page.wait_for_load_state("networkidle")
                    fetched.append((len(sizes), sum(sizes)))
                    page.context.close()
                samples.sort()
                requests, size = fetched[len(fetched) // 2]
                print(
                    f"  browser: {query!r} typed to results shown {samples[1] * 1000:.0f} ms "
                    f"(median of 3; {size / 1024:.0f} KiB in {requests} requests)"
                )
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browser", type=int, default=10000, help="size to search in (0: none)")
    args = parser.parse_args()
    env = dict(os.environ, COPRO_CACHE_DIR=str(WORK / "cache"))
    sites = {n: build(n, args.runs, env) for n in map(int, args.sizes.split(","))}
    if args.browser:
        browser_search(sites.get(args.browser) or build(args.browser, 1, env))


if __name__ == "__main__":
    main()
