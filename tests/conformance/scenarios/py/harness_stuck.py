"""Not an SDK scenario: a stuck process for the harness's own test. It starts a grandchild in its
process group, reports the grandchild's pid, then ignores SIGTERM and never ends."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(json.dumps({"event": "child", "pid": child.pid}), flush=True)
while True:
    time.sleep(1)
