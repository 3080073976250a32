"""Per-file work shared out over the machine's cores: one helper for every whole-archive parse.

Reading a record strictly (YAML, the personal-data scan) is most of what
``copro validate`` and a cold record cache cost, and each file is read on its
own, so both hand their files to :func:`map_chunks`: a chunk of files at a
time to worker processes, the results given back chunk by chunk in the files'
order. Only a few chunks are out at once, so a caller that writes each chunk
away as it comes (the record cache does) never holds the whole archive's
results.

How many processes: ``COPRO_WORKERS`` (a whole number; ``1`` runs everything
in copro's own process), else the cores this process may run on, at most
:data:`MOST_WORKERS`. A machine with one core, or where worker processes cannot
be started (a sandbox that forbids it, a limit on processes), or where one dies
half-way, gets the same results in copro's own process: the pool is a speed-up,
never a requirement. Workers ignore Ctrl-C; copro's own process stops them.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from copro.core.errors import UsageError

__all__ = ["PARALLEL_FROM", "WORKERS_VARIABLE", "map_chunks", "worker_count"]

Item = TypeVar("Item")
Result = TypeVar("Result")

WORKERS_VARIABLE = "COPRO_WORKERS"
MOST_WORKERS = 4
"""Beyond this, more processes mostly cost memory (each holds copro and its parser)."""
PARALLEL_FROM = 400
"""Below this many files a second process costs more than it saves."""
CHUNK = 200
"""Files per task: large enough that sending them costs little, small enough to balance."""
AHEAD = 2
"""Chunks out per worker: one being worked on, one waiting (memory stays bounded)."""

_POOL_FAILURES = (OSError, RuntimeError, NotImplementedError, ImportError)
"""What a pool that cannot start (no process or thread to be had, no semaphores), or whose
worker died (``BrokenProcessPool``, a RuntimeError), raises: the work goes on here. A
chunk that fails for a reason of its own fails again here, where it is raised as usual."""


def worker_count() -> int:
    """Processes to share per-file work among: ``COPRO_WORKERS``, else the usable cores."""
    raw = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not raw:
        return max(1, min(MOST_WORKERS, _usable_cores()))
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(
            f"{WORKERS_VARIABLE} is {raw!r}: the number of worker processes must be a whole "
            "number, 1 or more",
            f"set {WORKERS_VARIABLE} to 1 or more (1: no worker processes), or unset it",
        )
    return value


def _usable_cores() -> int:
    """The cores this process may run on (``taskset``, a container's share), else all."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


def map_chunks(
    work: Callable[[Any, list[Item]], list[Result]],
    items: Sequence[Item],
    shared: Any = None,
    chunk: int = CHUNK,
    parallel_from: int = PARALLEL_FROM,
) -> Iterator[list[Result]]:
    """``work(shared, chunk_of_items)`` for each chunk of ``items``, the results in order.

    ``work`` must be a module-level function (a worker process imports it) and
    ``shared`` something ``pickle`` can send (each worker is sent it once).
    """
    chunks = [list(items[start : start + chunk]) for start in range(0, len(items), chunk)]
    workers = worker_count()  # read every time: a bad setting is said at once, not at scale
    workers = min(workers, len(chunks)) if len(items) >= parallel_from else 1
    if workers < 2:
        for part in chunks:
            yield work(shared, part)
        return
    done = 0
    try:
        for results in _in_pool(work, chunks, shared, workers):
            done += 1
            yield results
    except _POOL_FAILURES:  # no pool here, or a worker died: the rest in this process
        for part in chunks[done:]:
            yield work(shared, part)


def _in_pool(
    work: Callable[[Any, list[Item]], list[Result]],
    chunks: list[list[Item]],
    shared: Any,
    workers: int,
) -> Iterator[list[Result]]:
    """Each chunk's results in order, with at most ``AHEAD`` chunks out per worker."""
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(shared, os.getpid()))
    pending: deque[Future[list[Result]]] = deque()
    try:
        queued = iter(chunks)
        for part in queued:
            pending.append(pool.submit(_run, work, part))
            if len(pending) >= workers * AHEAD:
                break
        while pending:
            results = pending.popleft().result()
            for part in queued:
                pending.append(pool.submit(_run, work, part))
                break
            yield results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_SHARED: Any = None
"""In a worker process: what :func:`map_chunks` sent it once."""


def _start_worker(shared: Any, parent: int) -> None:
    global _SHARED
    _SHARED = shared
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is copro's own process's to handle
    _end_with(parent)


def _end_with(parent: int) -> None:
    """Have the kernel end this worker when copro's own process ends, even by SIGKILL: a
    forked worker holds its own end of the task pipe, so it would wait for work forever."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: a killed copro may leave idle workers
        return
    if os.getppid() != parent:  # copro's process ended before the line above
        os._exit(0)


PR_SET_PDEATHSIG = 1


def _run(work: Callable[[Any, list[Item]], list[Result]], part: list[Item]) -> list[Result]:
    return work(_SHARED, part)
