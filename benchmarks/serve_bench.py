"""copro serve at N records: record pages from a warm process, adding a finding, memory.

    python benchmarks/serve_bench.py --size 10000 [--requests 500] [--adds 9]
    python benchmarks/serve_bench.py --archive PATH   # a copy of an existing archive

Generates N synthetic records (benchmarks/synthetic.py) in a git repository (or
copies ``--archive`` and makes the copy a git repository),
starts ``copro serve --port 0`` as its own process (with a private cache), and
measures, over plain HTTP on 127.0.0.1 with one keep-alive connection:
- a record page (random records, warm process): p50 and p95 of a bounded loop;
- adding a finding through its form, including the git commit (POST -> 303);
- how long until the record page shows the new finding;
- a record file changed on disk (as an editor or ``git pull`` would): how long
  until its page shows the change (the watcher looks once a second);
- the server process's peak resident memory (VmHWM from /proc; Linux only).
The search index is built by a separate ``copro site`` process, which is not
part of the server's memory; the figures are taken after that build finished.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate  # noqa: E402

AUTHOR = "Bench Mark <bench@example.invalid>"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Http:
    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # the server closes a keep-alive connection left idle: open another
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text


def start(root: Path, cache: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "COPRO_CACHE_DIR": str(cache)}
    process = subprocess.Popen(
        [sys.executable, "-m", "copro", "--root", str(root), "serve", "--port", "0",
         "--author", AUTHOR],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            # keep reading the access log, or a full pipe would stop the server
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, int(found.group(1))
    raise SystemExit("copro serve did not start")


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--adds", type=int, default=9)
    parser.add_argument("--wait-search", type=float, default=300.0)
    parser.add_argument("--archive", type=Path, help="copy this archive instead of generating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root, cache = Path(folder) / "archive-root", Path(folder) / "cache"
        if args.archive:
            shutil.copytree(args.archive, root, symlinks=True)
            paths = sorted((root / "archive").rglob("*.md"))
        else:
            paths = generate(root, args.size)
        git = ["git", "-C", str(root), "-c", "user.name=Bench", "-c", "user.email=b@e.invalid"]
        if not (root / ".git").exists():
            subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
            subprocess.run([*git, "add", "-A"], check=True)
            subprocess.run([*git, "commit", "-q", "-m", "synthetic"], check=True)
        # withdrawn records have no page on the site: add findings to the others
        shown = [p for p in paths if "status: withdrawn" not in p.read_text()]
        began = time.perf_counter()
        process, port = start(root, cache)
        try:
            measure(process, port, shown, cache, began, args)
        finally:
            process.terminate()
            process.wait(timeout=30)


def measure(
    process: subprocess.Popen[str],
    port: int,
    shown: list[Path],
    cache: Path,
    began: float,
    args: argparse.Namespace,
) -> None:
    ids = [p.stem for p in shown]
    client = Http(port)
    while True:
        try:
            if client.request("GET", "/healthz")[0] == 200:
                break
        except OSError:
            client = Http(port)
        time.sleep(0.2)
    print(f"start-up to first answer: {time.perf_counter() - began:.1f} s")
    waited = time.perf_counter()
    while not any(cache.glob("*/serve-site/pagefind/pagefind-entry.json")):
        if time.perf_counter() - waited > args.wait_search:
            print(f"the search index was not built within {args.wait_search} s: measuring anyway")
            break
        time.sleep(1)  # let the background search build finish first
    else:
        print(f"search index built {time.perf_counter() - began:.0f} s after start")
    rng = random.Random(7)
    for record_id in rng.sample(ids, 20):  # warm up
        client.request("GET", f"/records/{record_id}/")
    times = []
    for _ in range(args.requests):
        record_id = rng.choice(ids)
        start_at = time.perf_counter()
        status, _ = client.request("GET", f"/records/{record_id}/")
        times.append((time.perf_counter() - start_at) * 1000)
        assert status == 200, status
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"record page over {args.requests} requests: p50 {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms")  # fmt: skip
    adds, shows = [], []
    for i in range(args.adds):
        record_id = rng.choice(ids)
        _, form = client.request("GET", f"/edit/{record_id}/finding")
        csrf = _CSRF.search(form)
        assert csrf, form[:500]
        text = f"Benchmark finding number {i} about waiting times."
        body = urllib.parse.urlencode({"csrf": csrf.group(1), "text": text}).encode()
        start_at = time.perf_counter()
        status, _ = client.request("POST", f"/edit/{record_id}/finding", body)
        adds.append(time.perf_counter() - start_at)
        assert status == 303, status
        _, page = client.request("GET", f"/records/{record_id}/")
        shows.append(time.perf_counter() - start_at)
        assert text in page
    print(f"adding a finding incl. the commit (median of {args.adds}): "
          f"{statistics.median(adds):.3f} s; shown on its page after "
          f"{statistics.median(shows):.3f} s")  # fmt: skip
    print(
        f"a change on disk shown on its page (median of {args.adds}): "
        f"{statistics.median(on_disk_changes(client, rng, shown, args.adds)):.3f} s"
    )
    print(f"server process peak memory: {peak_mib(process.pid):.0f} MiB")


def on_disk_changes(client: Http, rng: random.Random, shown: list[Path], count: int) -> list[float]:
    """Seconds from a record file rewritten on disk (its title changed) to its page showing it."""
    took = []
    for i in range(count):
        path = rng.choice(shown)
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^title: (.*)$", text, re.M)
        assert title, path
        new_title = f"Changed on disk {i} {title.group(1).strip(chr(34))}"[:120]
        path.write_text(text.replace(title.group(0), f"title: {new_title}", 1), encoding="utf-8")
        start_at = time.perf_counter()
        while True:
            _, page = client.request("GET", f"/records/{path.stem}/")
            if new_title in page:
                break
            if time.perf_counter() - start_at > 120:
                raise SystemExit("the change on disk was not shown within 120 s")
            time.sleep(0.05)
        took.append(time.perf_counter() - start_at)
    return took


if __name__ == "__main__":
    main()
