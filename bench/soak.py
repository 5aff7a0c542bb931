"""Soak: one client renders many image projects at bounded concurrency; nothing stays behind.

A web server or a worker holds one client for weeks, so every finished project must be freed.
This runs ``--projects`` image projects through one ``SogniClient`` (at most ``--concurrency``
in flight) against a FakeSupernet in its own process, and prints:

* projects per second;
* ``ProjectTracker`` objects alive at the end (after ``gc.collect()``; target 0);
* transport timer entries left at the end (target 0);
* memory still allocated (``tracemalloc``) at the end minus at the checkpoint, after a quarter
  of the projects, both measured with nothing in flight (target at most 1 MB);
* the process's resident set size, under ``MALLOC_ARENA_MAX=2`` (set by re-running itself).

    python bench/soak.py [--projects 20000] [--concurrency 32] [--json] [--check]

``--check`` exits with status 1 when a target is missed (the test suite runs it over 300
projects).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from concurrent.futures import Future
from typing import Any

RETAINED_LIMIT = 1024 * 1024


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def live_trackers() -> int:
    from sogni.projects._tracker import ProjectTracker

    return sum(1 for obj in gc.get_objects() if type(obj) is ProjectTracker)


class Runner:
    """Submits projects with at most ``concurrency`` in flight; keeps no handle on them."""

    def __init__(self, client: Any, concurrency: int) -> None:
        self._client = client
        self._slots = threading.BoundedSemaphore(concurrency)
        self._concurrency = concurrency
        self._lock = threading.Lock()
        self.completed = 0
        self.failures: list[str] = []

    def _finished(self, future: Future[list[str]]) -> None:
        error = future.exception()
        with self._lock:
            self.completed += 1
            if error is not None or not future.result():
                self.failures.append(f"{type(error).__name__}: {error}" if error else "no result")
        self._slots.release()

    def run(self, count: int, first_seed: int) -> None:
        for n in range(count):
            self._slots.acquire()
            project = self._client.projects.create(
                type="image",
                model_id="flux1-schnell-fp8",
                positive_prompt=f"soak {first_seed + n}",
                steps=4,
                guidance=1,
                seed=first_seed + n,
            )
            project.future.add_done_callback(self._finished)
            del project

    def drain(self) -> None:
        """Wait until nothing is in flight."""
        for _ in range(self._concurrency):
            self._slots.acquire()
        for _ in range(self._concurrency):
            self._slots.release()


def measure(runner: Runner, transport: Any, projects: int, checkpoint: int) -> dict[str, Any]:
    runner.run(checkpoint, 0)
    runner.drain()
    gc.collect()
    at_checkpoint = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    runner.run(projects - checkpoint, checkpoint)
    runner.drain()
    elapsed = time.perf_counter() - started
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - at_checkpoint
    return {
        "projects": projects,
        "failures": len(runner.failures),
        "first_failures": sorted(set(runner.failures))[:5],
        "projects_per_second": round((projects - checkpoint) / elapsed, 1),
        "trackers_left": live_trackers(),
        "timer_entries_left": transport.timer_entries,
        "checkpoint": checkpoint,
        "retained_bytes": retained,
        "rss_bytes": rss_bytes(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if os.environ.get("MALLOC_ARENA_MAX") != "2":
        # The RSS figure is for glibc limited to two arenas, as long-lived servers often run.
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)

    from _fake_process import BenchFake

    from sogni import SogniClient

    with BenchFake() as fake:
        info = fake.info
        fake.command("set-balance 100000000")
        with SogniClient(
            app_id=f"soak-{os.getpid()}",
            api_key=info["api_key"],
            rest_endpoint=info["rest_url"],
            socket_endpoint=info["socket_url"],
        ) as client:
            client.projects.wait_for_models()
            transport = client._core.transport
            runner = Runner(client, args.concurrency)
            runner.run(args.concurrency, args.projects)  # warm-up: caches, sessions, pools
            runner.drain()
            tracemalloc.start()
            figures = measure(runner, transport, args.projects, max(1, args.projects // 4))
            tracemalloc.stop()
    misses = [
        name
        for name, missed in (
            ("failures", figures["failures"] > 0),
            ("trackers_left", figures["trackers_left"] > 0),
            ("timer_entries_left", figures["timer_entries_left"] > 0),
            ("retained_bytes", figures["retained_bytes"] > RETAINED_LIMIT),
        )
        if missed
    ]
    if args.json:
        print(json.dumps({**figures, "missed": misses}))
    else:
        print(f"{figures['projects']} projects, {figures['failures']} failed")
        for failure in figures["first_failures"]:
            print(f"  failure: {failure}")
        print(f"  {figures['projects_per_second']} projects/s after the checkpoint")
        print(f"  ProjectTracker objects left: {figures['trackers_left']} (target 0)")
        print(f"  transport timer entries left: {figures['timer_entries_left']} (target 0)")
        print(
            f"  memory retained between project {figures['checkpoint']} and "
            f"{figures['projects']}: {figures['retained_bytes'] / 1024:.1f} KiB "
            f"({figures['retained_bytes'] / RETAINED_LIMIT:.3f} of the 1 MiB budget)"
        )
        print(f"  RSS at the end (MALLOC_ARENA_MAX=2): {figures['rss_bytes'] / 2**20:.1f} MiB")
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
