"""``WorkflowRun``: a handle on a creative workflow, shaped like ``Project`` and ``ChatRun``.

The workflow lives on the server; the handle follows its event stream with one reader thread,
started the first time something needs it (``future``, ``wait``, ``events``, ``on``). The
reader resumes the stream after cuts, hands each event on in order (listeners on the callback
worker, ``events()`` iterators through their queues) and stops where the workflow stops: at the
end (then it reads the final record and settles the future) or when the workflow waits for its
user (``resume()`` starts a reader again). A finished workflow lets go of its listeners,
iterators and registry entry: nothing of it stays reachable from the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .._events import check_event
from .._futures import SogniFuture
from .._handles import DurableHandle, HandleRegistry, StreamTracker, TrackerEventIterator
from .._log import get_logger
from .._transport.sse import SSEFrame, SSEStream
from ..errors import (
    WorkflowFailedError,
    WorkflowPartialFailure,
    WorkflowWaitingError,
)
from ._models import (
    FINAL_WORKFLOW_STATUSES,
    ResumeResult,
    WorkflowArtifact,
    WorkflowEvent,
    WorkflowRecord,
    WorkflowStatus,
)

if TYPE_CHECKING:
    from .._transport.callbacks import CallbackWorker

__all__ = [
    "WORKFLOW_EVENTS",
    "WorkflowEventIterator",
    "WorkflowRegistry",
    "WorkflowRun",
    "WorkflowTracker",
    "workflow_waiting_error",
]

log = get_logger("sogni.workflows")

WORKFLOW_EVENTS = ("event", "artifact", "waiting")
"""The event names ``WorkflowRun.on()`` accepts."""
_READER_JOIN = 1.0


class WorkflowService(Protocol):
    """What a workflow's tracker uses of ``client.workflows``."""

    @property
    def _callbacks(self) -> CallbackWorker: ...

    @property
    def _registry(self) -> WorkflowRegistry: ...

    def _open_stream(self, workflow_id: str, resume_from: int | None) -> SSEStream[int]: ...

    def _fetch(self, workflow_id: str) -> WorkflowRecord: ...

    def cancel(self, workflow_id: str) -> WorkflowRecord: ...

    def resume(self, workflow_id: str) -> ResumeResult: ...


class WorkflowRegistry(HandleRegistry["WorkflowRun", "WorkflowTracker"]):
    """The workflows of one client: one live handle per id (weakly held), and the trackers
    whose reader runs (held until it ends), which ``client.close()`` ends."""

    def __init__(self) -> None:
        super().__init__(_READER_JOIN)

    def handle_for(self, record: WorkflowRecord, service: WorkflowService) -> WorkflowRun:
        # A handle that ended stays ended: a workflow resumed after it ended gets a new one.
        handle, made = self.lookup(
            record.workflow_id,
            lambda: WorkflowTracker(service, record).handle,
            lambda old: old.finished and not record.finished,
        )
        if not made:
            handle._tracker.apply_record(record)
        return handle

    def live(self, workflow_id: str) -> WorkflowTracker | None:
        handle = self.get(workflow_id)
        return handle._tracker if handle is not None else None


def _start_after(record: WorkflowRecord) -> int:
    """Where a new handle starts reading: after the last stop the record's log shows (a
    resumed workflow's earlier end or pause is not this handle's)."""
    if record.finished:
        return -1
    stops = [e.sequence for e in record.events if e.is_final]
    return max(stops) if stops else -1


class WorkflowTracker(StreamTracker[WorkflowEvent, WorkflowRecord]):
    """The state behind a :class:`WorkflowRun` handle, fed by its reader thread."""

    _what = "workflow"
    _noun = "workflow"
    _thread = "sogni-workflow-"
    _log = log

    def __init__(self, service: WorkflowService, record: WorkflowRecord) -> None:
        super().__init__(service, record.workflow_id, record)
        self.service: WorkflowService = service
        self.workflow_id = record.workflow_id
        self.status: WorkflowStatus = record.status
        self._state_sequence = record.last_sequence
        self._delivered = _start_after(record)
        self._artifacts: dict[str, WorkflowArtifact] = {}
        self._add_artifacts(record.artifacts)
        self._pause: WorkflowEvent | None = None  # the event that paused the workflow
        self.handle = WorkflowRun(self)
        if record.finished:
            self._finish(None, record)

    # ------------------------------------------------------------------ the reader

    def _paused_locked(self) -> bool:
        return self.status == "waiting_for_user"  # resume() starts reading again

    def _parse(self, frame: SSEFrame) -> WorkflowEvent | None:
        return WorkflowEvent.from_wire(frame.data, frame.id, frame.event)

    @staticmethod
    def is_final(event: WorkflowEvent) -> bool:
        return event.status in FINAL_WORKFLOW_STATUSES

    def _reader_ended_locked(self, paused: bool) -> bool:
        self._reader = None
        return paused and self._final is None and self.status == "waiting_for_user"

    def _progress_locked(self, event: WorkflowEvent) -> bool:
        artifact = event.artifact
        if artifact is not None:
            self._add_artifacts((artifact,))
        if event.sequence > self._state_sequence and event.status:
            self._state_sequence = event.sequence
            self.status = event.status
        self._emit("event", event, event)
        if artifact is not None:
            self._emit("artifact", artifact, None)
        paused = event.status == "waiting_for_user"
        self._pause = event if paused else None
        if paused:
            self._emit("waiting", self._waiting_error(event), None)
        self._notify_locked()
        return paused

    def pause_error(self) -> WorkflowWaitingError | None:
        with self.lock:
            return self._waiting_error() if self.status == "waiting_for_user" else None

    def _add_artifacts(self, artifacts: Any) -> list[WorkflowArtifact]:
        """Keep ``artifacts``; the ones not seen before."""
        new = []
        for artifact in artifacts:
            key = artifact.id or artifact.url or str(len(self._artifacts))
            if key not in self._artifacts:
                new.append(artifact)
            self._artifacts[key] = artifact
        return new

    def _waiting_error(self, event: WorkflowEvent | None = None) -> WorkflowWaitingError:
        event = event or self._pause
        record = self.record
        reason = record.waiting_reason
        approval = record.awaiting_cost_approval
        if event is not None:
            data = event.data
            reason = data.get("waitingReason") or reason
            approval = data.get("awaitingCostApproval") is True or approval
        return workflow_waiting_error(self.workflow_id, reason or "other", approval, event)

    @property
    def outputs(self) -> tuple[WorkflowArtifact, ...]:
        with self.lock:
            return tuple(self._artifacts.values())

    # ------------------------------------------------------------------ the end

    def _finish(self, event: WorkflowEvent | None, record: WorkflowRecord | None) -> None:
        with self.lock:
            if self._final is not None:
                return
            if record is None or not record.finished:
                # The record could not be read: the last one, brought up to this event.
                assert event is not None
                status = event.status or "failed"
                record = WorkflowRecord.from_wire({**self.record.raw, "status": status})
            if event is None:
                stops = [e for e in record.events if e.status == record.status]
                event = (
                    stops[-1] if stops else WorkflowEvent(record.last_sequence, None, record.status)
                )
                self._delivered = max(self._delivered, record.last_sequence)
            # What the final event or only the final record brings is still handed on as
            # ``artifact``, before the end.
            found = (event.artifact,) if event.artifact is not None else ()
            for artifact in self._add_artifacts(found + tuple(record.artifacts)):
                self._emit("artifact", artifact, None, final=True)
            self.record, self.status = record, record.status
            self._emit("event", event, event, final=True)
            self._end_locked(event)
            self._settle_locked(record)
            self._notify_locked()

    def _settle_locked(self, record: WorkflowRecord) -> None:
        workflow_id, reason = self.workflow_id, record.error_message
        if record.status == "completed":
            self.future.settle(record)
        elif record.status == "partial_failure":
            outputs = [a.raw or {"url": a.url} for a in self._artifacts.values()]
            self.future.fail(
                WorkflowPartialFailure(
                    f"workflow {workflow_id} ended with a partial failure: "
                    f"{len(outputs)} result(s) were made" + (f"; {reason}" if reason else ""),
                    workflow_id,
                    outputs,
                    reason,
                )
            )
        else:
            self.future.fail(
                WorkflowFailedError(
                    f"workflow {workflow_id} {record.status}" + (f": {reason}" if reason else ""),
                    workflow_id,
                    record.status,
                    reason,
                )
            )

    # ------------------------------------------------------------------ records from REST

    def apply_record(self, record: WorkflowRecord) -> None:
        """A record read over REST (``get``, ``cancel``, ``resume``), if it is not older than
        what the stream said. A finished record ends a workflow nobody follows."""
        with self.lock:
            if self._final is not None or record.last_sequence < self._state_sequence:
                return
            self._state_sequence = record.last_sequence
            self.record, self.status = record, record.status
            if record.status != "waiting_for_user":
                self._pause = None
            self._add_artifacts(record.artifacts)
            self._notify_locked()
            if record.finished and self._reader is None:
                self._finish(None, record)


def workflow_waiting_error(
    workflow_id: str, reason: str, awaiting_cost_approval: bool, event: WorkflowEvent | None = None
) -> WorkflowWaitingError:
    message = event.message if event is not None else None
    return WorkflowWaitingError(
        f"workflow {workflow_id} is waiting for its user ({reason})"
        + (f": {message}" if message else ""),
        workflow_id,
        reason,
        awaiting_cost_approval,
        event.data or None if event is not None else None,
    )


class WorkflowEventIterator(TrackerEventIterator[WorkflowEvent]):
    """The iterator of :meth:`WorkflowRun.events`, subscribed from the moment it is made."""

    def close(self) -> None:
        """Stop listening; the iterator ends (the workflow goes on)."""
        super().close()

    def __iter__(self) -> WorkflowEventIterator:
        return self

    def __next__(self) -> WorkflowEvent:
        return super().__next__()

    def __enter__(self) -> WorkflowEventIterator:
        return self


class WorkflowRun(DurableHandle[WorkflowTracker]):
    """A creative workflow on the server (``workflows.start`` / ``get``).

    Shaped like a ``Project``: ``future`` is a stdlib ``Future`` of the final
    :class:`WorkflowRecord`, ``wait()`` blocks for it, ``events()`` iterates over the
    workflow's events as they come, ``on()`` calls you back on the callback worker,
    ``cancel()`` stops it, ``outputs`` lists its results (with their URLs) so far."""

    @property
    def status(self) -> WorkflowStatus:
        """The last status known (from the stream, or the last record read)."""
        with self._tracker.lock:
            return self._tracker.status

    @property
    def record(self) -> WorkflowRecord:
        """The last record read (at start, ``refresh()``, ``cancel()``, the end)."""
        with self._tracker.lock:
            return self._tracker.record

    @property
    def outputs(self) -> tuple[WorkflowArtifact, ...]:
        """The results made so far, in order: each with its ``url`` and ``media_type``."""
        return self._tracker.outputs

    @property
    def result_urls(self) -> list[str]:
        return [a.url for a in self.outputs if a.url]

    @property
    def future(self) -> SogniFuture[WorkflowRecord]:
        """Settles with the final record when the workflow completes, or fails with
        :class:`WorkflowFailedError` (failed, cancelled) or :class:`WorkflowPartialFailure`.
        Starts the reader."""
        self._tracker.ensure_reader()
        return self._tracker.future

    def wait(self, timeout: float | None = None) -> WorkflowRecord:
        """Block until the workflow completes and return its final record.

        Raises :class:`WorkflowFailedError` when it fails or is cancelled,
        :class:`WorkflowPartialFailure` (with the ``outputs`` that were made) when some steps
        failed, and :class:`WorkflowWaitingError` as soon as it waits for its user (``reason``,
        ``awaiting_cost_approval``): once the user has answered, call :meth:`resume` and wait
        again. A timeout raises ``SogniTimeoutError`` and the workflow goes on."""
        return self._tracker.wait(timeout)

    def events(self, timeout: float | None = None) -> WorkflowEventIterator:
        """Iterate over the workflow's events as they happen, ending after the one that ends
        it (status ``completed``, ``failed``, ``cancelled`` or ``partial_failure``); while it
        waits for its user the iterator waits too. ``timeout`` bounds the wait for each event.

        The subscription starts with this call: every event handed on after it is delivered.
        The first reader of a workflow reads its log from the start, so an iterator made
        before anything else follows it sees every event; a finished workflow yields its
        final event."""
        return WorkflowEventIterator(self._tracker, timeout)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``fn`` on the callback worker for ``event``: ``event`` (every
        :class:`WorkflowEvent`, in order), ``artifact`` (a :class:`WorkflowArtifact` as each
        result is made) or ``waiting`` (a :class:`WorkflowWaitingError` describing the pause).
        Returns a function that removes the listener."""
        name = check_event(event, WORKFLOW_EVENTS, owner="workflow")
        remove = self._tracker.add_listener(name, fn)
        self._tracker.ensure_reader()
        return remove

    def refresh(self) -> WorkflowRecord:
        """Read the workflow's record now (``GET``)."""
        record = self._tracker.service._fetch(self.id)
        self._tracker.apply_record(record)
        return record

    def cancel(self) -> WorkflowRecord:
        """Cancel the workflow on the server, which stops its paid work; returns the record
        the server answered with."""
        record = self._tracker.service.cancel(self.id)
        self._tracker.apply_record(record)
        return record

    def resume(self) -> WorkflowRun:
        """Start the workflow again after its user answered (``waiting_for_user``), or retry
        its failed steps after ``failed`` / ``partial_failure``. Returns the handle to follow:
        this one when it was paused, a new one when this one had ended."""
        tracker = self._tracker
        result = tracker.service.resume(self.id)
        handle = tracker.service._registry.handle_for(result.workflow, tracker.service)
        handle._tracker.ensure_reader()
        return handle

    def __repr__(self) -> str:
        return f"WorkflowRun(id={self.id!r}, status={self.status!r})"
