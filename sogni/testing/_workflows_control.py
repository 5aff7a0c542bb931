"""The control plane of the fake's creative workflows (a part of
:class:`~sogni.testing.FakeSupernet`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._workflow_routes import WorkflowRoutes

__all__ = ["WorkflowsControl"]


class WorkflowsControl:
    """Mixed into ``FakeSupernet``: every method is thread-safe and returns once the change is
    in effect on the server loop."""

    _workflows_ext: WorkflowRoutes | None = None

    workflow_limit: int = 5
    """How many workflows of one account may be active at once [INV-WF-LIMIT]."""

    if TYPE_CHECKING:  # FakeSupernet's own

        def call(self, fn: Callable[[], Any], timeout: float = 10) -> Any: ...

    def _workflows(self) -> WorkflowRoutes:
        ext = self._workflows_ext
        if ext is None:
            raise RuntimeError("FakeSupernet is not running; call start() or use 'with'")
        return ext

    def hold_workflows(self, at: int | None) -> None:
        """Workflows stop before logging the event with sequence ``at`` (or later), until
        called again with another sequence or with ``None`` (no hold)."""
        ext = self._workflows()
        self.call(lambda: ext.service.set_hold(at))

    def cut_workflow_streams(self) -> int:
        """Cut every open workflow event stream at the TCP level. Returns how many."""
        ext = self._workflows()
        count: int = self.call(ext.cut_streams)
        return count

    def open_workflow_streams(self) -> int:
        ext = self._workflows()
        count: int = self.call(ext.open_streams)
        return count

    def throttle_workflows(self, times: int = 1, retry_after: float = 1.0) -> None:
        """The next ``times`` workflow starts are refused with 429 and ``retryAfter``
        [INV-WF-RATE]."""
        ext = self._workflows()
        self.call(lambda: ext.throttle.extend([retry_after] * times))

    def workflow_snapshot(self, workflow_id: str) -> dict[str, Any] | None:
        """A copy of the workflow's record (the ``GET`` form), or None."""
        ext = self._workflows()

        def read() -> dict[str, Any] | None:
            wf = ext.service.workflows.get(workflow_id)
            return None if wf is None else wf.record()

        record: dict[str, Any] | None = self.call(read)
        return record

    def wait_for_workflow(
        self, workflow_id: str, *, status: str | None = None, events: int = 0, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Block until the workflow exists, has ``status`` and at least ``events`` events."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.workflow_snapshot(workflow_id)
            if (
                record is not None
                and len(record["events"]) >= events
                and (status is None or record["status"] == status)
            ):
                return record
            if time.monotonic() >= deadline:
                state = record["status"] if record else "unknown"
                raise TimeoutError(f"workflow {workflow_id} is {state} after {timeout}s")
            time.sleep(0.005)
