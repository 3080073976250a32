"""Issue 24's table: copro at 1,000 / 10,000 / 50,000 records, time and peak memory per row.

Usage: python benchmarks/scale.py [--sizes 1000,10000,50000] [--runs 3]
       [--only validate,show,search,rebuild,readers,add,xlsx,site,hub]
       [--hub 10x5000] [--backend whoosh|sqlite] [--cache DIR]
       python benchmarks/scale.py --beside 1000,50000 [--runs 5]

Every figure is a whole process as a user runs it: the median wall time of
``--runs`` runs (full builds, the site and the workbook round trip: one run),
and the peak memory of the process tree: the larger of the biggest single
process (GNU time's ``%M``, which covers waited-for children such as
Pagefind) and the sum of the tree's resident sets sampled every 20 ms from
``/proc``. The archives come from ``synthetic.py`` (deterministic), the hub
from ``hub.py``'s members; ``uptime``'s load average is printed beside each
size, since the machine may be shared: read the ratios against ``validate``
and against N = 1,000 measured in the same minutes (``--beside`` runs the
one-record commands and warm search at each size by turns, for exactly that).
Never part of the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import COPRO, WORK  # noqa: E402
from synthetic import generate  # noqa: E402

SAMPLE_EVERY = 0.02


def load() -> str:
    """The load averages (1, 5, 15 minutes) as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant (0 for those already gone)."""
    total, stack, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str], env: dict[str, str], check: bool = True) -> tuple[float, float]:
    """(wall seconds, peak MiB of the process tree) of one run of ``cmd``.

    The largest single process comes from GNU time (``%M``, from ``wait4``): asking
    ``wait4`` here would count this benchmark's own memory, which a forked child
    carries until it runs ``exec``. The tree's sum is sampled from ``/proc``.
    """
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    report = WORK / f"time-{os.getpid()}.txt"
    prefix = ["/usr/bin/time", "-f", "%M", "-o", str(report)] if gnu_time else []
    started = time.perf_counter()
    process = subprocess.Popen(
        [*prefix, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_EVERY):
            peak[0] = max(peak[0], _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if check and process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {process.returncode}: {errors[-2000:]!r}")
    largest = usage.ru_maxrss * 1024
    if prefix:
        largest = int(report.read_text().split()[-1]) * 1024
        report.unlink()
    return elapsed, max(largest, peak[0]) / 2**20


def runs_of(
    cmd: list[str],
    env: dict[str, str],
    runs: int,
    before=None,  # noqa: ANN001
) -> tuple[float, float]:
    """Median wall seconds and the highest peak MiB over ``runs`` runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        elapsed, peak = measure(cmd, env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


class Table:
    """Rows of the issue's table: row name -> size -> (seconds, MiB)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[int, tuple[float, float]]] = {}
        self.sizes: list[int] = []

    def add(self, row: str, n: int, figure: tuple[float, float]) -> None:
        self.rows.setdefault(row, {})[n] = figure
        seconds, mib = figure
        print(f"  {row:<46} {seconds:8.3f} s {mib:7.0f} MiB", flush=True)

    def markdown(self) -> str:
        sizes = sorted({n for row in self.rows.values() for n in row})
        head = "| what | " + " | ".join(f"N = {n:,}" for n in sizes) + " |"
        lines = [head, "|---|" + "---|" * len(sizes)]
        for row, figures in self.rows.items():
            cells = [
                f"{figures[n][0]:.2f} s, {figures[n][1]:.0f} MiB" if n in figures else "-"
                for n in sizes
            ]
            lines.append(f"| {row} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def archive(n: int) -> Path:
    root = WORK / f"archive-{n}-v2"
    if not (root / "archive").is_dir():
        generate(root, n)
    return root


def drop_record_cache(root: Path, env: dict[str, str]) -> None:
    """Remove the archive's record cache, so the next command parses every record."""
    from copro.core.paths import cache_dir

    saved = os.environ.get("COPRO_CACHE_DIR")
    os.environ["COPRO_CACHE_DIR"] = env["COPRO_CACHE_DIR"]
    try:
        (cache_dir(root) / "records.sqlite").unlink(missing_ok=True)
    finally:
        if saved is None:
            os.environ.pop("COPRO_CACHE_DIR")
        else:
            os.environ["COPRO_CACHE_DIR"] = saved


def write_settings(root: Path, backend: str | None) -> None:
    """copro.yml naming the search backend (removed when none is asked for)."""
    settings = root / "copro.yml"
    if backend:
        settings.write_text(f"search:\n  backend: {backend}\n", encoding="utf-8")
    else:
        settings.unlink(missing_ok=True)


def one_size(n: int, args: argparse.Namespace, env: dict[str, str], table: Table) -> None:
    root = archive(n)
    write_settings(root, args.backend)
    copro = [*COPRO, "--root", str(root)]
    only = set(args.only.split(","))
    out = WORK / "scale-out"
    out.mkdir(parents=True, exist_ok=True)
    print(f"N = {n:,} ({load()})", flush=True)
    records = sorted((root / "archive").rglob("*.md"))
    target = records[len(records) // 3]
    if "rebuild" in only:
        rebuild = [*copro, "index", "--rebuild"]
        cold = runs_of(rebuild, env, 1, lambda: drop_record_cache(root, env))
        table.add("copro index --rebuild (record cache cold)", n, cold)
        table.add("copro index --rebuild (record cache warm)", n, runs_of(rebuild, env, 1))
    measure([*copro, "search", "parenting", "--json"], env)  # caches warm from here on
    if "validate" in only:
        table.add(
            "copro validate (the reference)", n, runs_of([*copro, "validate"], env, args.runs)
        )
    if "show" in only:
        table.add("copro show ID", n, runs_of([*copro, "show", target.stem], env, args.runs))
    if "search" in only:
        warm = [*copro, "search", "parenting", "--json"]
        table.add("copro search parenting --json, warm", n, runs_of(warm, env, args.runs))
    if "readers" in only:
        readers = {
            "review": ["review"],
            "stats": ["stats"],
            "findings --json": ["findings", "--json"],
            "themes --json": ["themes", "--json"],
            "report --topic housing": [
                "report",
                "--topic",
                "housing",
                "--output",
                str(out / "r.md"),
            ],
            "export --format csv": ["export", "--format", "csv", "--output", str(out / "x.csv")],
        }
        for name, command in readers.items():
            table.add(f"copro {name}, warm", n, runs_of([*copro, *command], env, args.runs))
    if "add" in only:
        original = target.read_bytes()

        def restore() -> None:
            target.write_bytes(original)

        add = [*copro, "add", "finding", target.stem, "--text", "One more finding"]
        table.add("copro add finding", n, runs_of(add, env, args.runs, restore))
        restore()
    if "xlsx" in only:
        book = out / f"all-{n}.xlsx"
        book.unlink(missing_ok=True)
        table.add(
            "copro export --format xlsx",
            n,
            runs_of([*copro, "export", "--format", "xlsx", "--output", str(book)], env, 1),
        )
        elapsed, peak = measure([*copro, "import", str(book), "--yes"], env, check=False)
        table.add("copro import of it, unchanged", n, (elapsed, peak))
    if "site" in only:
        site = out / f"site-{n}"
        command = [*copro, "site", "--output", str(site)]
        table.add("copro site", n, runs_of(command, env, 1, lambda: shutil.rmtree(site, True)))


def hub(spec: str, args: argparse.Namespace, table: Table) -> None:
    """``hub sync`` with nothing changed on a hub of members x records."""
    from hub import members

    count, records = (int(part) for part in spec.split("x"))
    repos = members(count, records)
    root = WORK / f"scale-hub-{spec}"
    root.mkdir(parents=True, exist_ok=True)
    (root / "hub.yml").write_text(
        "members:\n"
        + "".join(f"- name: member-{i}\n  url: {r}\n  rev: main\n" for i, r in enumerate(repos)),
        encoding="utf-8",
    )
    env = dict(os.environ, COPRO_CACHE_DIR=str(WORK / "scale-hub-cache"))
    sync = [*COPRO, "--root", str(root), "hub", "sync"]
    print(f"hub {spec} ({load()})", flush=True)
    measure(sync, env, check=False)  # the first sync fetches and checks every member
    table.add(f"hub sync, nothing changed ({spec})", 0, runs_of(sync, env, args.runs))


def beside(sizes: list[int], runs: int, env: dict[str, str]) -> None:
    """The one-record commands and warm search at each size, the sizes taking turns run by
    run (so a busy machine slows each alike), after one warm-up each; medians, the ratio
    to the smallest size, and the highest peak memory of the measured runs.

    The target record is written back after a run only when the command changed it
    (``add``): rewriting it after ``show`` would make every run one "just after an
    edit". That case has its own row: ``show`` with the target rewritten (same bytes,
    a new mtime) before each run.
    """
    commands: dict[str, dict[int, list[str]]] = {}
    restore: dict[int, tuple[Path, bytes]] = {}
    for n in sizes:
        root = archive(n)
        copro = [*COPRO, "--root", str(root)]
        target = sorted((root / "archive").rglob("*.md"))[n // 3]
        restore[n] = (target, target.read_bytes())
        commands.setdefault("copro show ID", {})[n] = [*copro, "show", target.stem]
        commands.setdefault("copro search parenting --json, warm", {})[n] = [
            *copro, "search", "parenting", "--json"
        ]  # fmt: skip
        commands.setdefault("copro add finding", {})[n] = [
            *copro, "add", "finding", target.stem, "--text", "One more finding"
        ]  # fmt: skip
        commands.setdefault("copro show ID, just after an edit", {})[n] = [
            *copro, "show", target.stem
        ]  # fmt: skip
    print(f"beside: {', '.join(f'{n:,}' for n in sizes)} taking turns ({load()})", flush=True)
    for name, by_size in commands.items():
        samples: dict[int, list[tuple[float, float]]] = {n: [] for n in sizes}
        for attempt in range(runs + 1):
            for n, command in by_size.items():
                path, original = restore[n]
                if "after an edit" in name:
                    path.write_bytes(original)
                figure = measure(command, env)
                if path.read_bytes() != original:
                    path.write_bytes(original)
                if attempt:  # the first run of each warms caches
                    samples[n].append(figure)
        smallest = statistics.median(s for s, _ in samples[sizes[0]])
        for n in sizes:
            seconds = statistics.median(s for s, _ in samples[n])
            peak = max(p for _, p in samples[n])
            print(
                f"  {name + f' at {n:,}':<52} {seconds:7.3f} s {peak:6.0f} MiB "
                f"({seconds / smallest:.2f}x {sizes[0]:,})",
                flush=True,
            )
    print(f"  ({load()})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="rebuild,validate,show,search,readers,add,xlsx,site,hub")
    parser.add_argument("--hub", default="10x5000")
    parser.add_argument("--backend", default=None, help="search: backend in copro.yml")
    parser.add_argument("--beside", default="", help="e.g. 1000,50000: one-record rows by turns")
    parser.add_argument(
        "--cache", default=str(WORK / "scale-cache"), help="COPRO_CACHE_DIR (a row of your own)"
    )
    args = parser.parse_args()
    env = dict(os.environ, COPRO_CACHE_DIR=args.cache)
    if args.beside:
        beside([int(s) for s in args.beside.split(",")], args.runs, env)
        return
    table = Table()
    for n in (int(s) for s in args.sizes.split(",") if s):
        one_size(n, args, env, table)
    if "hub" in args.only.split(","):
        hub(args.hub, args, table)
    print(f"\n{load()}\n{table.markdown()}")


if __name__ == "__main__":
    main()
