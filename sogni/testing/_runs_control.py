"""The control plane of the fake's durable chat runs and event streams (a part of
:class:`~sogni.testing.FakeSupernet`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._state import RestFailure

if TYPE_CHECKING:
    from ._run_routes import RunRoutes

__all__ = ["RunsControl"]


class RunsControl:
    """Mixed into ``FakeSupernet``: every method is thread-safe and returns once the change is
    in effect on the server loop."""

    _runs_ext: RunRoutes | None = None

    sse_keepalive: float = 15.0
    """Seconds of silence after which an event stream sends a ``: keep-alive`` comment
    [INV-RUN-STREAM] (real time)."""
    cost_preview_ttl: float = 600.0
    """How long a run's cost preview can be confirmed, in real seconds [INV-COST-PREVIEW]."""

    if TYPE_CHECKING:  # FakeSupernet's own
        _failures: list[RestFailure]
        _lock: threading.Lock

        def call(self, fn: Callable[[], Any], timeout: float = 10) -> Any: ...

    def _runs(self) -> RunRoutes:
        ext = self._runs_ext
        if ext is None:
            raise RuntimeError("FakeSupernet is not running; call start() or use 'with'")
        return ext

    def cut_streams(self) -> int:
        """Cut every open event stream at the TCP level (the client sees the connection end
        mid-stream). Returns how many."""
        ext = self._runs()
        count: int = self.call(ext.cut_streams)
        return count

    def stall_streams(self) -> int:
        """Every open event stream goes silent (no events, no keep-alives) until its client
        gives up on it; streams opened later are not affected. Returns how many."""
        ext = self._runs()
        count: int = self.call(ext.stall_streams)
        return count

    def open_streams(self) -> int:
        """How many event streams are open now."""
        ext = self._runs()
        count: int = self.call(ext.open_streams)
        return count

    def hold_runs(self, at: int | None) -> None:
        """Runs stop before logging the event with sequence ``at`` (or later), until called
        again with another sequence or with ``None`` (no hold)."""
        ext = self._runs()
        self.call(lambda: ext.service.set_hold(at))

    def runs_snapshot(self) -> list[dict[str, Any]]:
        """Copies of every run record (the ``GET /v1/chat/runs/{id}`` form)."""
        ext = self._runs()
        records: list[dict[str, Any]] = self.call(
            lambda: [run.record() for run in ext.service.runs.values()]
        )
        return records

    def run_snapshot(self, run_id: str) -> dict[str, Any] | None:
        ext = self._runs()

        def read() -> dict[str, Any] | None:
            run = ext.service.runs.get(run_id)
            return None if run is None else run.record()

        record: dict[str, Any] | None = self.call(read)
        return record

    def wait_for_run(
        self, run_id: str, *, status: str | None = None, events: int = 0, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Block until the run exists, has ``status`` (``"finished"``: any terminal one) and at
        least ``events`` events. Returns its record."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.run_snapshot(run_id)
            if record is not None and len(record["events"]) >= events:
                finished = record["status"] in (
                    "completed",
                    "partial_failure",
                    "failed",
                    "cancelled",
                )
                if (
                    status is None
                    or record["status"] == status
                    or (status == "finished" and finished)
                ):
                    return record
            if time.monotonic() >= deadline:
                state = record["status"] if record else "unknown"
                raise TimeoutError(f"run {run_id} is {state} after {timeout}s")
            time.sleep(0.005)

    def drop_response_next(
        self, *, path: str | None = None, method: str | None = None, times: int = 1
    ) -> None:
        """The next matching REST calls are carried out, but their answer is lost: the
        connection is cut instead (as when a response dies on the way back)."""
        with self._lock:
            self._failures.append(RestFailure(0, path, method, None, None, times, drop=True))
