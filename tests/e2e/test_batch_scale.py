"""``bench/batch_scale.py --quick``: the batch scale benchmark runs, and its figures hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "batch_scale.py"


def test_the_quick_batch_scale_run_meets_its_targets() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["missed"] == []
    assert figures["completed"] == figures["items"] == 200 and figures["failed"] == 0
    assert figures["items_per_second"] > 0 and figures["cpu_ms_per_item"] > 0
    assert figures["rss_peak"] >= figures["rss_end"] > 0
    assert figures["rss_growth"] < 30 * 2**20
    assert figures["elapsed"] < 10
