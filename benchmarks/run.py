"""Time copro against its floors and peers on synthetic archives (never part of the tests).

Usage: python benchmarks/run.py [--sizes 1000,10000] [--runs 5]
       [--only validate,help,index,search,adversarial,standing,readers,consensus]

Each figure is the median wall time of whole processes, as a user would run
them. Archives are generated deterministically (benchmarks/synthetic.py) into
a temporary folder and reused between runs of this script.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from adversarial import write_cases  # noqa: E402
from synthetic import generate, generate_statements  # noqa: E402

PY = sys.executable
_SCRIPT = Path(PY).parent / "copro"  # the console script a user runs
COPRO = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "copro"]
WORK = Path(os.environ.get("COPRO_BENCH_DIR", Path(tempfile.gettempdir()) / "copro-bench"))


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None, before=None) -> float:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def timed_any(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Like ``timed`` for a command whose exit status is not the point (a gate may refuse)."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def archive(n: int) -> Path:
    root = WORK / f"archive-{n}-v2"  # v2: a third of records revisit an earlier finding
    if not (root / "archive").is_dir():
        generate(root, n)
    return root


def line(name: str, value: float, peer: float | None = None, peer_name: str = "") -> None:
    ratio = f"  ({value / peer:.2f}x {peer_name} {peer:.3f}s)" if peer else ""
    print(f"  {name:<44} {value:8.3f}s{ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="help,validate,index,search,adversarial,standing,readers")
    args = parser.parse_args()
    only = set(args.only.split(","))
    env = dict(os.environ, COPRO_CACHE_DIR=str(WORK / "cache"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}; median of {args.runs} runs"
    )
    if "help" in only:
        print("help")
        bare = timed([PY, str(HERE / "peers" / "bare_typer.py"), "--help"], args.runs)
        WORK.mkdir(parents=True, exist_ok=True)
        peer = WORK / "bare_typer_same_options.py"
        subprocess.run([PY, str(HERE / "peers" / "make_bare_typer.py"), str(peer)], check=True)
        same = timed([PY, str(peer), "--help"], args.runs)
        mine = timed([*COPRO, "--help"], args.runs)
        line("copro --help", mine, bare, "bare Typer, same commands")
        line("copro --help", mine, same, "bare Typer, same commands and options")
    if "adversarial" in only:
        print("adversarial records (one record each; validate should scale linearly)")
        for size in (32 * 1024, 64 * 1024, 128 * 1024):
            for name, root in write_cases(WORK / "adversarial", size).items():
                command = [*COPRO, "--root", str(root), "validate"]
                line(f"validate {name} {size // 1024} KiB", timed_any(command, args.runs, env))
    for n in (int(s) for s in args.sizes.split(",")):
        root = archive(n)
        print(f"N = {n}")
        if "consensus" in only:
            consensus(n, args.runs, env)
        if "validate" in only:
            floor = timed([PY, str(HERE / "peers" / "read_floor.py"), str(root)], args.runs)
            line(
                "copro validate",
                timed([*COPRO, "--root", str(root), "validate"], args.runs, env),
                floor,
                "read+C-loader floor",
            )
        if "index" in only or "search" in only:
            bare_dir = WORK / f"bare-index-{n}"
            bare_build = timed(
                [PY, str(HERE / "peers" / "whoosh_build.py"), str(root), str(bare_dir)],
                max(1, args.runs // 2),
            )
            full = timed(
                [*COPRO, "--root", str(root), "index", "--rebuild"], max(1, args.runs // 2), env
            )
            line(
                "copro index --rebuild (full build)", full, bare_build, "bare single-writer Whoosh"
            )
            victim = sorted((root / "archive").rglob("*.md"))[n // 2]
            original = victim.read_text()

            def touch_one(victim: Path = victim, original: str = original) -> None:
                text = victim.read_text()
                victim.write_text(
                    text + "\nedited\n" if not text.endswith("edited\n") else original
                )

            line(
                "copro index after one record changed",
                timed([*COPRO, "--root", str(root), "index"], args.runs, env, touch_one),
            )
            victim.write_text(original)
            subprocess.run(
                [*COPRO, "--root", str(root), "index"], check=True, env=env, capture_output=True
            )
            bare_search = timed(
                [PY, str(HERE / "peers" / "whoosh_search.py"), str(bare_dir), "parenting"],
                args.runs,
            )
            line(
                "copro search parenting --json (warm)",
                timed(
                    [*COPRO, "--root", str(root), "search", "parenting", "--json"], args.runs, env
                ),
                bare_search,
                "bare Whoosh process",
            )
            if shutil.which("rg"):
                line(
                    "rg -l parenting archive/ (raw scan)",
                    timed(["rg", "-l", "parenting", str(root / "archive")], args.runs),
                )
            else:
                line(
                    "grep -rl parenting archive/ (raw scan)",
                    timed(["grep", "-rl", "parenting", str(root / "archive")], args.runs),
                )

        if "standing" in only:
            standing(root, args.runs, env)
        if "readers" in only:
            readers(root, args.runs, env)


def standing(root: Path, runs: int, env: dict[str, str]) -> None:
    """findings, themes and review against validate; similar against search (caches warm)."""
    copro = [*COPRO, "--root", str(root)]
    for warm in (["validate"], ["search", "parenting"], ["findings", "--json"]):
        subprocess.run([*copro, *warm], env=env, capture_output=True)
    validate = timed([*copro, "validate"], runs, env)
    line("copro validate (cache warm)", validate)
    for what in (["findings", "--json"], ["themes", "--json"], ["review", "--json"]):
        line(f"copro {' '.join(what)}", timed_any([*copro, *what], runs, env), validate, "validate")
    first = sorted((root / "archive").rglob("*.md"))[0].stem
    search = timed([*copro, "search", "parenting", "--json"], runs, env)
    line(
        f"copro similar {first[:12]}..#S1 --json",
        timed([*copro, "similar", f"{first}#S1", "--json"], runs, env),
        search,
        "search parenting --json",
    )


def peak_mib(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one whole process (its own, from wait4), in MiB."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return usage.ru_maxrss / 1024


def readers(root: Path, runs: int, env: dict[str, str]) -> None:
    """Issue 11's goals: whole-archive readers against validate, record cache warm and cold.

    Warm: the record cache is up to date. Cold: its file is removed before each
    run (the first run after a rebuild). Goals at N = 10,000: warm <= 0.25x and
    cold <= 1.2x validate, peak memory under 250 MiB.
    """
    copro = [*COPRO, "--root", str(root)]
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    commands = {
        "review": ["review"],
        "stats": ["stats"],
        "export --format csv --output F": [
            "export",
            "--format",
            "csv",
            "--output",
            str(out / "x.csv"),
        ],
        "report --topic housing --output F": [
            "report",
            "--topic",
            "housing",
            "--output",
            str(out / "r.md"),
        ],
    }
    for command in commands.values():
        subprocess.run([*copro, *command], env=env, capture_output=True)
    validate = timed([*copro, "validate"], runs, env)
    line("copro validate", validate)
    cache_files = list(Path(env["COPRO_CACHE_DIR"]).glob("*/records.sqlite"))

    def drop_record_cache() -> None:
        for cached in cache_files:
            cached.unlink(missing_ok=True)

    for name, command in commands.items():
        warm = timed([*copro, *command], runs, env)
        line(f"copro {name} (warm)", warm, validate, "validate")
        cold = timed([*copro, *command], max(1, runs // 2), env, drop_record_cache)
        line(f"copro {name} (cold)", cold, validate, "validate")
        print(f"  {'  peak memory (warm)':<44} {peak_mib([*copro, *command], env):8.1f} MiB")
    search = [*copro, "search", "parenting"]
    subprocess.run(search, env=env, capture_output=True)
    line("copro search parenting (cache warm)", timed(search, runs, env), validate, "validate")


STATEMENTS = 500


def consensus(n: int, runs: int, env: dict[str, str]) -> None:
    """Issue 22's goals at 10,000 records and 500 statements (warm):

    ``consensus list`` and ``review`` within 0.25x of ``validate``; ``validate``
    with the statements within 1.25x of ``validate`` without them; ``show`` and
    ``report`` of a statement under 0.5 s. The statements are moved aside
    (to ``consensus-aside/``, which copro never reads) for the run without them.
    The archive is its own (``archive-N-consensus``), so other figures are untouched.
    """
    root = WORK / f"archive-{n}-consensus"
    folder, aside = root / "consensus", root / "consensus-aside"
    if not folder.is_dir() and not aside.is_dir():
        records = generate(root, n) if not (root / "archive").is_dir() else []
        records = records or sorted((root / "archive").rglob("*.md"))
        generate_statements(root, records, STATEMENTS)
    if aside.is_dir():
        aside.rename(folder)
    copro = [*COPRO, "--root", str(root)]
    folder.rename(aside)
    subprocess.run([*copro, "validate"], env=env, capture_output=True)
    without = timed_any([*copro, "validate"], runs, env)
    line("copro validate (no statements)", without)
    aside.rename(folder)
    subprocess.run([*copro, "validate"], env=env, capture_output=True)
    with_statements = timed_any([*copro, "validate"], runs, env)
    line(f"copro validate ({STATEMENTS} statements)", with_statements, without, "without")
    one = "2027-01-synthetic-statement-00001"
    commands = {
        "consensus list": ["consensus", "list"],
        "review": ["review"],
        f"show {one}": ["show", one],
        f"report {one}": ["report", one],
    }
    for name, command in commands.items():
        subprocess.run([*copro, *command], env=env, capture_output=True)
        warm = timed_any([*copro, *command], runs, env)
        line(f"copro {name} (warm)", warm, with_statements, "validate")


if __name__ == "__main__":
    main()
