"""An internal test hook, not API: kill the process at a named point of a batch run.

Set ``SOGNI_BATCH_FAULT`` to ``POINT`` or ``POINT:N`` or ``POINT:N:ONCE_FILE``:

* ``submitting``: after an item's ``submitting`` record is on disk, before its project is sent;
* ``sent``: after the server has the project (its first event arrived);
* ``downloading``: in the middle of an item's first result file;
* ``completed``: after an item's ``completed`` record is on disk.

The process sends itself ``SIGKILL`` the ``N``-th time (default 1) it reaches ``POINT``: no
clean-up, no ``finally`` blocks, exactly as a crash or an OOM kill. With ``ONCE_FILE`` only
the first process to create that file dies, so a variable inherited by several processes
(the workers of a Dask cluster) kills one of them. A value of any other form is ignored, with
one warning: a stray variable must not break every run.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Final

from .._log import get_logger

__all__ = ["FAULT_ENV", "FAULT_POINTS", "FaultHook"]

#: The environment variable that arms the fault hook.
FAULT_ENV: Final = "SOGNI_BATCH_FAULT"
#: The points of a batch run where the hook can kill the process.
FAULT_POINTS: Final = ("submitting", "sent", "downloading", "completed")

log = get_logger("sogni.batch")


class FaultHook:
    """Reads ``SOGNI_BATCH_FAULT`` once; :meth:`hit` is a no-op unless it names the point."""

    def __init__(self, spec: str | None = None) -> None:
        spec = os.environ.get(FAULT_ENV, "") if spec is None else spec
        self.point: str | None = None
        self._at = 1
        self._once: str | None = None
        self._count = 0
        self._lock = threading.Lock()
        if not spec:
            return
        parts = spec.split(":", 2)
        at = parts[1] if len(parts) > 1 and parts[1] else "1"
        if parts[0] not in FAULT_POINTS or not at.isdigit() or int(at) < 1:
            log.warning(
                "%s ignored: expected POINT[:N[:ONCE_FILE]] with POINT one of %s",
                FAULT_ENV,
                ", ".join(FAULT_POINTS),
            )
            return
        self.point = parts[0]
        self._at = int(at)
        self._once = parts[2] if len(parts) > 2 and parts[2] else None

    def armed(self, point: str) -> bool:
        return self.point == point

    def hit(self, point: str) -> None:
        if self.point != point:
            return
        with self._lock:
            self._count += 1
            if self._count != self._at:
                return
            if self._once is not None:
                try:
                    os.close(os.open(self._once, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                except FileExistsError:
                    return  # another process took this fault already
            os.kill(os.getpid(), signal.SIGKILL)
