"""Ours against the official async Python SDK, side by side in one run, as one Markdown table.

Both SDKs are built as wheels into venvs of their own (``bench/_compare_build.py``); one
FakeSupernet runs in its own process at time scale 0; every figure is measured in fresh child
processes, in alternated pairs (ours first in odd pairs, theirs first in even ones). The table
gives each pair, the median, the min-max and the ratio of the medians (ours / official); the
throughput rows give the fake's own CPU seconds beside each run (the floor of the wall time).

Figures: ``python -c "import sogni"`` vs ``import sogni_client``; ``from sogni import
SogniClient`` (what every script does); a script that imports, connects with an API key, calls
``account.me()`` and closes; connect-to-first-image latency; many concurrent image projects
through one client; many concurrent streamed chat replies (ours read from a 16-thread pool, the
official client on one event loop); the CPU our SDK adds per streamed chunk over decoding the raw
frames (``chat_overhead.py``); a big upload plus download (peak RSS growth, and throughput
against plain ``requests`` streaming).

    python bench/compare_official.py                  # 5 pairs, 1,000 projects, 500 MB
    python bench/compare_official.py --quick          # a smoke run in seconds
    python bench/compare_official.py --against /tmp/before   # ours vs an older checkout of ours
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
WORK = HERE / "_compare_work.py"
_TICKS = os.sysconf("SC_CLK_TCK")
# Appended to a `python -c` measurement: prints the peak RSS of the process's own address space
# (VmHWM). ru_maxrss would not do: it keeps the parent's size from before the exec.
_HWM = (
    "\nfor _l in open('/proc/self/status'):\n"
    "    if _l.startswith('VmHWM'): print('{\"peak_rss_kib\": ' + _l.split()[1] + '}')"
)


class Sizes(NamedTuple):
    pairs: int
    projects: int
    chats: int
    chat_words: int
    overhead_words: int
    transfer_mb: int


FULL = Sizes(
    pairs=5, projects=1000, chats=200, chat_words=100, overhead_words=2000, transfer_mb=500
)
QUICK = Sizes(pairs=1, projects=20, chats=8, chat_words=20, overhead_words=200, transfer_mb=4)


class Side(NamedTuple):
    label: str
    python: str
    kind: str  # "ours" or "official": which workload and which import
    module: str
    pythonpath: str | None = None  # a source tree that wins over the venv's package


class Run(NamedTuple):
    """One child process: its figures, wall time and CPU, and the fake's CPU."""

    result: dict[str, Any]
    wall: float
    cpu: float
    fake_cpu: float


class Row(NamedTuple):
    figure: str
    side: str
    unit: str
    values: list[float]
    notes: list[str]


def _fake_cpu(pid: int) -> float:
    """The fake's CPU seconds so far (user + system, all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


class Bench:
    def __init__(self, fake: Any, sizes: Sizes, workdir: Path) -> None:
        self.fake = fake
        self.sizes = sizes
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SOGNI_", "PYTHON"))}
        self.env.update(
            BENCH_API_KEY=fake.info["api_key"],
            BENCH_REST_URL=fake.info["rest_url"],
            BENCH_SOCKET_URL=fake.info["socket_url"],
        )

    def process(
        self, argv: Sequence[str], args: dict[str, Any] | None = None, pythonpath: str | None = None
    ) -> Run:
        """Run one child to its end; its last stdout line is its JSON result."""
        env = dict(self.env, BENCH_APP_ID=f"bench-{uuid.uuid4().hex[:10]}")
        env["BENCH_ARGS"] = json.dumps(args or {})
        if pythonpath is not None:
            env["PYTHONPATH"] = pythonpath
        fake_before = _fake_cpu(self.fake.pid)
        started = time.perf_counter()
        # A neutral working directory: `python -c` must import the venv's package, not ./sogni.
        child = subprocess.Popen(
            list(argv), cwd=self.workdir, env=env, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed with exit status {child.returncode}")
        lines = out.strip().splitlines()
        return Run(
            result=json.loads(lines[-1]) if lines else {},
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            fake_cpu=_fake_cpu(self.fake.pid) - fake_before,
        )

    def work(self, side: Side, figure: str, args: dict[str, Any] | None = None) -> Run:
        return self.process([side.python, str(WORK), figure, side.kind], args, side.pythonpath)


def _alternate(
    pairs: int, sides: Sequence[Side], measure: Callable[[Side], Run]
) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {side.label: [] for side in sides}
    for n in range(pairs):
        order = sides if n % 2 == 0 else list(reversed(sides))
        for side in order:
            runs[side.label].append(measure(side))
    return runs


def _mb(kib: float) -> float:
    return kib / 1024


# --------------------------------------------------------------------------- the figures


def import_figures(bench: Bench, ours: Side, theirs: Side) -> list[Row]:
    rows: list[Row] = []
    for title, code in (
        ("`import {m}`", "import {m}"),
        ("`from {m} import SogniClient`", "from {m} import SogniClient"),
    ):

        def measure(side: Side, code: str = code) -> Run:
            argv = [side.python, "-c", code.format(m=side.module) + _HWM]
            return bench.process(argv, pythonpath=side.pythonpath)

        runs = _alternate(bench.sizes.pairs, (ours, theirs), measure)
        name = title.format(m="sogni")
        for side in (ours, theirs):
            rows.append(Row(name, side.label, "s", [r.wall for r in runs[side.label]], []))
        for side in (ours, theirs):
            rows.append(
                Row(
                    name + ": peak RSS",
                    side.label,
                    "MB",
                    [_mb(r.result["peak_rss_kib"]) for r in runs[side.label]],
                    [],
                )
            )
    return rows


def script_figure(bench: Bench, ours: Side, theirs: Side) -> list[Row]:
    runs = _alternate(bench.sizes.pairs, (ours, theirs), lambda s: bench.work(s, "script"))
    name = "script: import, connect (API key), `account.me()`, close"
    rows = [Row(name, s.label, "s", [r.wall for r in runs[s.label]], []) for s in (ours, theirs)]
    rows += [
        Row(
            name + ": peak RSS",
            s.label,
            "MB",
            [_mb(r.result["peak_rss_kib"]) for r in runs[s.label]],
            [],
        )
        for s in (ours, theirs)
    ]
    return rows


def first_image_figure(bench: Bench, ours: Side, theirs: Side) -> list[Row]:
    runs = _alternate(bench.sizes.pairs, (ours, theirs), lambda s: bench.work(s, "first_image"))
    for side_runs in runs.values():
        if not all(r.result["ok"] for r in side_runs):
            raise SystemExit("a first-image run ended without a result")
    name = "import, connect, first image (in process)"
    return [
        Row(name, s.label, "s", [r.result["latency"] for r in runs[s.label]], [])
        for s in (ours, theirs)
    ]


def projects_figure(bench: Bench, ours: Side, theirs: Side) -> list[Row]:
    count = bench.sizes.projects
    runs = _alternate(
        bench.sizes.pairs, (ours, theirs), lambda s: bench.work(s, "projects", {"count": count})
    )
    name = f"{count:,} concurrent image projects"
    rows = []
    for label, key in (("wall", "wall"), ("client CPU", "cpu")):
        for s in (ours, theirs):
            side_runs = runs[s.label]
            notes = [f"fake {r.fake_cpu:.1f}" for r in side_runs] if key == "wall" else []
            rows.append(
                Row(f"{name}: {label}", s.label, "s", [r.result[key] for r in side_runs], notes)
            )
    for s in (ours, theirs):
        rows.append(
            Row(f"{name}: lost", s.label, "", [r.result["lost"] for r in runs[s.label]], [])
        )
    return rows


def chat_figure(bench: Bench, ours: Side, theirs: Side) -> list[Row]:
    args = {"count": bench.sizes.chats, "words": bench.sizes.chat_words}
    runs = _alternate(bench.sizes.pairs, (ours, theirs), lambda s: bench.work(s, "chat", args))
    chunks = args["count"] * args["words"]
    for side_runs in runs.values():
        for r in side_runs:
            if r.result["chunks"] < chunks:
                raise SystemExit(f"a chat run read {r.result['chunks']} chunks of {chunks}")
    name = f"{args['count']} concurrent streamed chat replies ({chunks:,} chunks)"
    rows = []
    for label, key in (("wall", "wall"), ("client CPU", "cpu")):
        for s in (ours, theirs):
            side_runs = runs[s.label]
            notes = (
                [f"fake {r.fake_cpu:.1f}, {r.result['threads']} threads" for r in side_runs]
                if key == "wall"
                else []
            )
            rows.append(
                Row(f"{name}: {label}", s.label, "s", [r.result[key] for r in side_runs], notes)
            )
    return rows


def overhead_figure(bench: Bench, ours: Side) -> list[Row]:
    args = {"words": bench.sizes.overhead_words, "rounds": bench.sizes.pairs}
    run = bench.work(ours, "chat_overhead", args)
    rounds = run.result["rounds"]
    raw = [r["raw"] * 1e6 for r in rounds]
    added = [(r["sdk"] - r["raw"]) * 1e6 for r in rounds]
    name = f"streamed chat: CPU per chunk ({args['words']} chunks a reply)"
    return [
        Row(name, f"{ours.label}: added by the SDK", "µs", added, []),
        Row(name, "raw frame decoding", "µs", raw, []),
    ]


def transfer_figure(bench: Bench, ours: Side, theirs: Side, source: Path) -> list[Row]:
    raw = Side("raw requests", ours.python, "raw", "requests")
    sides = (ours, theirs, raw)

    def measure(side: Side) -> Run:
        target = bench.workdir / f"download-{uuid.uuid4().hex[:8]}"
        try:
            return bench.work(side, "transfer", {"source": str(source), "target": str(target)})
        finally:
            bench.fake.command("forget-uploads")

    runs = _alternate(bench.sizes.pairs, sides, measure)
    name = f"{bench.sizes.transfer_mb} MB upload + download"
    rows = []
    for s in sides:
        side_runs = runs[s.label]
        rows.append(
            Row(
                f"{name}: throughput",
                s.label,
                "MB/s",
                [r.result["bytes"] / 2**20 / r.result["wall"] for r in side_runs],
                [f"fake {r.fake_cpu:.1f}" for r in side_runs],
            )
        )
    for s in sides:
        rows.append(
            Row(
                f"{name}: peak RSS growth",
                s.label,
                "MB",
                [_mb(r.result["rss_growth_kib"]) for r in runs[s.label]],
                [],
            )
        )
    return rows


# --------------------------------------------------------------------------- the table


def _fmt(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def table(rows: list[Row], reference: str) -> str:
    pairs = max(len(r.values) for r in rows)
    head = ["figure", "side", *(f"run {n + 1}" for n in range(pairs)), "median", "min-max", "ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    medians = {(r.figure, r.side): statistics.median(r.values) for r in rows}
    for row in rows:
        fmt = _fmt if row.unit else (lambda value: f"{value:g}")  # a count
        cells = []
        for n in range(pairs):
            if n >= len(row.values):
                cells.append("")
                continue
            cell = fmt(row.values[n])
            if n < len(row.notes):
                cell += f" ({row.notes[n]})"
            cells.append(cell)
        median = medians[(row.figure, row.side)]
        base = medians.get((row.figure, reference))
        if row.side.endswith(": added by the SDK"):
            base = medians.get((row.figure, "raw frame decoding"))
        elif row.figure.endswith(": throughput"):
            base = medians.get((row.figure, "raw requests"))
        ratio = ""
        # A count (projects lost) has no unit and no meaningful ratio.
        if (
            base
            and row.unit
            and row.side != reference
            and row.side not in ("raw requests", "raw frame decoding")
        ):
            ratio = f"{median / base:.2f}x"
        unit = f" {row.unit}" if row.unit else ""
        lines.append(
            "| "
            + " | ".join(
                [
                    row.figure,
                    row.side,
                    *cells,
                    f"**{fmt(median)}**{unit}",
                    f"{fmt(min(row.values))}-{fmt(max(row.values))}",
                    ratio,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def _write_source(path: Path, megabytes: int) -> None:
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        for _ in range(megabytes):
            f.write(chunk)


FIGURES = ("imports", "script", "first_image", "projects", "chat", "overhead", "transfer")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one pair (a smoke run)")
    parser.add_argument("--pairs", type=int, help="alternated pairs per figure (default 5)")
    parser.add_argument("--projects", type=int, help="concurrent image projects (default 1000)")
    parser.add_argument("--transfer-mb", type=int, help="upload and download size (default 500)")
    parser.add_argument("--only", nargs="+", choices=FIGURES, help="run only these figures")
    parser.add_argument("--against", type=Path, help="compare with a build of another checkout")
    parser.add_argument(
        "--against-tree",
        type=Path,
        help="compare with another checkout's source tree, run by ours' interpreter (no build)",
    )
    parser.add_argument("--ours-python", help="use this interpreter for ours (no wheel build)")
    parser.add_argument("--official-python", help="use this interpreter for the official SDK")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    sizes = sizes._replace(
        **{
            k: v
            for k, v in (
                ("pairs", args.pairs),
                ("projects", args.projects),
                ("transfer_mb", args.transfer_mb),
            )
            if v is not None
        }
    )
    sys.path.insert(0, str(HERE))
    from _compare_build import build_official, build_ours
    from _fake_process import BenchFake

    # abspath, not resolve(): a venv's python is a symlink that must stay one.
    ours_python = os.path.abspath(args.ours_python) if args.ours_python else str(build_ours())
    ours = Side("ours", ours_python, "ours", "sogni")
    if args.against_tree is not None:
        theirs = Side("before", ours_python, "ours", "sogni", str(args.against_tree.resolve()))
    elif args.against is not None:
        theirs = Side("before", str(build_ours(args.against)), "ours", "sogni")
    else:
        python = (
            os.path.abspath(args.official_python) if args.official_python else str(build_official())
        )
        theirs = Side("official", python, "official", "sogni_client")
    figures = args.only or FIGURES
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sogni-bench-") as tmp, BenchFake(time_scale=0) as fake:
        fake.command("set-balance 1000000000")
        bench = Bench(fake, sizes, Path(tmp))
        if "imports" in figures:
            rows += import_figures(bench, ours, theirs)
        if "script" in figures:
            rows += script_figure(bench, ours, theirs)
        if "first_image" in figures:
            rows += first_image_figure(bench, ours, theirs)
        if "projects" in figures:
            rows += projects_figure(bench, ours, theirs)
        if "chat" in figures:
            rows += chat_figure(bench, ours, theirs)
        if "overhead" in figures:
            rows += overhead_figure(bench, ours)
        if "transfer" in figures:
            source = Path(tmp) / "source.png"
            _write_source(source, sizes.transfer_mb)
            rows += transfer_figure(bench, ours, theirs, source)
    print(
        f"{date.today().isoformat()}, {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {sizes.pairs} alternated pair(s) a figure, "
        f"{time.perf_counter() - started:.0f} s; ratio = median / median of "
        f"{theirs.label} (overhead: of the raw decoding; throughput: of raw requests)"
    )
    print()
    print(table(rows, theirs.label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
