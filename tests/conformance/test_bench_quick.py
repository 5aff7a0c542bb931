"""``bench/compare_official.py --quick``: every figure runs against both SDKs and lands in the
table (the full run, with its wheel builds, is for a quiet machine: see README "Performance")."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .oracles import Oracles

BENCH = Path(__file__).resolve().parents[2] / "bench" / "compare_official.py"


def test_the_quick_comparison_measures_every_figure(oracles: Oracles) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--quick",
            "--ours-python",
            sys.executable,
            "--official-python",
            str(oracles.python),
        ],
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    cells = {(r.split(" | ")[0][2:], r.split(" | ")[1]): r.split(" | ") for r in rows[1:]}
    figures = {figure for figure, _ in cells}
    for expected in (
        "`import sogni`",
        "`from sogni import SogniClient`: peak RSS",
        "script: import, connect (API key), `account.me()`, close: peak RSS",
        "import, connect, first image (in process)",
        "20 concurrent image projects: client CPU",
        "8 concurrent streamed chat replies (160 chunks): wall",
        "streamed chat: CPU per chunk (200 chunks a reply)",
        "4 MB upload + download: throughput",
        "4 MB upload + download: peak RSS growth",
    ):
        assert expected in figures, f"no row for {expected!r} in\n{done.stdout}"
    for side in ("ours", "official"):
        # No project lost, the fake's CPU beside each throughput run, the thread count printed.
        assert cells[("20 concurrent image projects: lost", side)][2] == "0"
        assert re.search(
            r"\(fake \d+\.\d\)", cells[("20 concurrent image projects: wall", side)][2]
        )
        chat = cells[("8 concurrent streamed chat replies (160 chunks): wall", side)][2]
        assert re.search(r"\d+ threads\)", chat)
    assert ("4 MB upload + download: throughput", "raw requests") in cells
    # Ours streams transfers: its peak RSS grows by far less than the 4 MB it moved.
    growth = float(cells[("4 MB upload + download: peak RSS growth", "ours")][2])
    assert growth < 2
