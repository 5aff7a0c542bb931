"""The FakeSupernet's own CPU per image project: the floor of every wall time the throughput
benchmarks measure, since both SDKs wait on the same fake.

Each run starts a fresh fake in its own process at time scale 0 (``_fake_process.py``), has one
client run ``count`` concurrent image projects through it (the ``projects`` workload of
``compare_official.py``) and reads the fake's CPU seconds (user + system, all threads) from
``/proc`` over the client's run. With ``--against-tree`` the runs alternate between the fake of
this tree and the fake of another checkout, with the same client, so a change to the fake is
measured before and after in one run.

    python bench/fake_cpu.py                          # 3 runs, 1,000 projects, our client
    python bench/fake_cpu.py --client official        # the official client drives the fake
    python bench/fake_cpu.py --against-tree /tmp/main # this tree's fake against another's
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_compare_work.py"
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def one_run(
    tree: Path, client: list[str], kind: str, count: int, workdir: Path
) -> dict[str, float]:
    """One fresh fake from ``tree``, one client run of ``count`` projects: the fake's CPU."""
    from _fake_process import BenchFake

    with BenchFake(time_scale=0, pythonpath=str(tree)) as fake:
        if not fake.info["sogni"].startswith(str(tree) + os.sep):
            raise SystemExit(f"the fake imported {fake.info['sogni']}, not the one in {tree}")
        fake.command("set-balance 1000000000")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOGNI_", "PYTHON"))}
        env.update(
            BENCH_API_KEY=fake.info["api_key"],
            BENCH_REST_URL=fake.info["rest_url"],
            BENCH_SOCKET_URL=fake.info["socket_url"],
            BENCH_APP_ID=f"bench-{uuid.uuid4().hex[:10]}",
            BENCH_ARGS=json.dumps({"count": count}),
        )
        before = _cpu(fake.pid)
        started = time.perf_counter()
        done = subprocess.run(
            [*client, str(WORK), "projects", kind],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        fake_cpu = _cpu(fake.pid) - before
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "fake_cpu": fake_cpu,
        "client_wall": result["wall"],
        "process_wall": wall,
        "lost": result["lost"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="runs per tree")
    parser.add_argument("--client", choices=("ours", "official"), default="ours")
    parser.add_argument("--against-tree", type=Path, help="a checkout whose fake to compare")
    parser.add_argument(
        "--ours-python", help="interpreter with sogni installed (default: this one)"
    )
    parser.add_argument("--official-python", help="interpreter with sogni-client installed")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    if args.client == "ours":
        # The client is the same in every run: this tree's sogni, whatever fake it talks to.
        client = [os.path.abspath(args.ours_python or sys.executable)]
    else:
        from _compare_build import build_official

        client = [os.path.abspath(args.official_python or build_official())]
    trees = [("this tree", REPO)]
    if args.against_tree is not None:
        trees.append(("other tree", args.against_tree.resolve()))
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
    with tempfile.TemporaryDirectory(prefix="sogni-fake-cpu-") as tmp:
        for n in range(args.runs):
            # Alternated, so a change in the machine's load falls on both trees.
            for label, tree in trees if n % 2 == 0 else trees[::-1]:
                runs[label].append(one_run(tree, client, args.client, args.projects, Path(tmp)))
    print(f"{args.projects:,} image projects through the {args.client} client, {args.runs} runs")
    print()
    print("| fake | CPU s (runs) | median | per project | client wall (median) | lost |")
    print("|---|---|---|---|---|---|")
    for label, tree in trees:
        cpu = [r["fake_cpu"] for r in runs[label]]
        median = statistics.median(cpu)
        wall = statistics.median(r["client_wall"] for r in runs[label])
        print(
            f"| {label} ({tree}) | {', '.join(f'{c:.2f}' for c in cpu)} | **{median:.2f}** | "
            f"{median / args.projects * 1000:.2f} ms | {wall:.2f} s | "
            f"{', '.join(str(int(r['lost'])) for r in runs[label])} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
