"""``bench/soak.py`` over 300 projects: the long-lived-process checks as a test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def test_300_projects_leave_nothing_behind() -> None:
    # Its own process (and its fake in another): the counts cover the client alone.
    done = subprocess.run(
        [sys.executable, str(BENCH), "--projects", "300", "--concurrency", "16", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["failures"] == 0, figures["first_failures"]
    assert figures["trackers_left"] == 0
    assert figures["timer_entries_left"] == 0
    assert figures["retained_bytes"] <= 1024 * 1024
    assert figures["missed"] == []
