"""Batch scale: ``sogni.batch.run`` over many image items, and what it costs the client.

Runs ``--items`` image items (a JSONL file, read as it goes) at ``--max-in-flight`` through
one client against a FakeSupernet in its own process, results written to a temporary
directory, and prints:

* items per second (end to end: quote, send, render, record, download, journal);
* client CPU per item (user + system time of this process, divided by the items);
* the process's peak resident set size, and its RSS after ``--checkpoint`` items and at the
  end (target: it grows by less than 30 MB between them: memory does not grow with items).

    python bench/batch_scale.py [--items 10000] [--max-in-flight 64] [--json] [--check]
    python bench/batch_scale.py --quick        # 200 items, for the test suite (< 10 s)

``--check`` exits with status 1 when an item fails or a target is missed. Run under
``MALLOC_ARENA_MAX=2`` (set by re-running itself), as long-lived servers often are.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RSS_GROWTH_LIMIT = 30 * 1024 * 1024


def rss_bytes(field: str = "VmRSS") -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_items(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            item = {"positive_prompt": f"scale {n}", "steps": 4, "seed": n}
            out.write(json.dumps(item) + "\n")


def measure(client: Any, items: Path, out_dir: Path, max_in_flight: int, checkpoint: int) -> Any:
    from sogni import batch

    figures: dict[str, Any] = {"rss_checkpoint": None}

    def progress(p: batch.BatchProgress) -> None:
        if figures["rss_checkpoint"] is None and p.completed >= checkpoint:
            figures["rss_checkpoint"] = rss_bytes()
            figures["at_checkpoint"] = p.completed

    cpu = cpu_seconds()
    started = time.perf_counter()
    report = batch.run(
        client,
        items,
        out_dir=out_dir,
        max_in_flight=max_in_flight,
        progress=progress,
        defaults={"model_id": "flux1-schnell-fp8"},
    )
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    figures.update(
        items=report.total,
        completed=report.completed,
        failures=[f"{f.error}: {f.message}" for f in report.failed[:5]],
        failed=len(report.failed),
        items_per_second=round(report.completed / elapsed, 1),
        cpu_ms_per_item=round(cpu / max(1, report.completed) * 1000, 2),
        rss_end=rss_bytes(),
        rss_peak=rss_bytes("VmHWM"),
        elapsed=round(elapsed, 2),
    )
    if figures["rss_checkpoint"] is None:
        figures["rss_checkpoint"] = figures["rss_end"]
        figures["at_checkpoint"] = report.completed
    figures["rss_growth"] = figures["rss_end"] - figures["rss_checkpoint"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--checkpoint", type=int, default=1_000)
    parser.add_argument("--quick", action="store_true", help="200 items at 32 in flight")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.quick:
        args.items, args.max_in_flight, args.checkpoint = 200, 32, 50
    if os.environ.get("MALLOC_ARENA_MAX") != "2":
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)

    from sogni import SogniClient

    fake = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parent / "_fake_process.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fake.stdin is not None
    assert fake.stdout is not None
    try:
        info = json.loads(fake.stdout.readline())
        fake.stdin.write("set-balance 100000000\n")
        fake.stdin.flush()
        fake.stdout.readline()
        with (
            tempfile.TemporaryDirectory(prefix="sogni-batch-scale-") as scratch,
            SogniClient(
                app_id=f"batch-scale-{os.getpid()}",
                api_key=info["api_key"],
                rest_endpoint=info["rest_url"],
                socket_endpoint=info["socket_url"],
            ) as client,
        ):
            items = Path(scratch) / "items.jsonl"
            write_items(items, args.items)
            client.projects.wait_for_models()
            figures = measure(
                client, items, Path(scratch) / "out", args.max_in_flight, args.checkpoint
            )
    finally:
        fake.stdin.write("quit\n")
        fake.stdin.close()
        fake.wait(30)
    misses = [
        name
        for name, missed in (
            ("failures", figures["failed"] > 0 or figures["completed"] != args.items),
            ("rss_growth", figures["rss_growth"] >= RSS_GROWTH_LIMIT),
        )
        if missed
    ]
    if args.json:
        print(json.dumps({**figures, "missed": misses}))
    else:
        mib = 2**20
        print(f"{figures['completed']} of {figures['items']} items, {figures['failed']} failed")
        for failure in figures["failures"]:
            print(f"  failure: {failure}")
        print(f"  {figures['items_per_second']} items/s at {args.max_in_flight} in flight")
        print(f"  client CPU: {figures['cpu_ms_per_item']} ms per item")
        print(f"  peak RSS: {figures['rss_peak'] / mib:.1f} MiB")
        print(
            f"  RSS after {figures['at_checkpoint']} items {figures['rss_checkpoint'] / mib:.1f} "
            f"MiB, at the end {figures['rss_end'] / mib:.1f} MiB: grew "
            f"{figures['rss_growth'] / mib:.1f} MiB (target < {RSS_GROWTH_LIMIT // mib} MiB)"
        )
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
