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

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from .._events import check_event
from .._futures import SogniFuture
from .._handles import HandleRegistry, deliver
from .._log import get_logger
from .._transport.sse import SSEStream
from ..errors import (
    ClientClosedError,
    SogniError,
    SogniTimeoutError,
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


class _Failed:
    """Ends an ``events()`` iterator with the error that stopped the reader."""

    __slots__ = ("error",)

    def __init__(self, error: SogniError) -> None:
        self.error = error


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


class WorkflowTracker:
    """The state behind a :class:`WorkflowRun` handle, fed by its reader thread."""

    def __init__(self, service: WorkflowService, record: WorkflowRecord) -> None:
        self.service = service
        self.workflow_id = record.workflow_id
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.record = record
        self.status: WorkflowStatus = record.status
        self._state_sequence = record.last_sequence
        self._delivered = _start_after(record)
        self._artifacts: dict[str, WorkflowArtifact] = {}
        self._add_artifacts(record.artifacts)
        self.future: SogniFuture[WorkflowRecord] = SogniFuture(service._callbacks)
        self.future.set_running_or_notify_cancel()  # a local wait never cancels the workflow
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {}
        self._subscribers: list[Any] = []
        self._final: WorkflowEvent | _Failed | None = None
        self._stream: SSEStream[int] | None = None
        self._reader: threading.Thread | None = None
        self._wakers: list[Callable[[], None]] = []
        self._pause: WorkflowEvent | None = None  # the event that paused the workflow
        self.handle = WorkflowRun(self)
        if record.finished:
            self._finish(None, record)

    # ------------------------------------------------------------------ the reader

    def ensure_reader(self) -> None:
        with self.lock:
            if self._final is not None or self._reader is not None:
                return
            if self.status == "waiting_for_user":
                return  # paused: resume() starts reading again
            if not self.service._registry.reading(self):
                self._fail_locked(ClientClosedError("the client is closed"))
                return
            resume = self._delivered if self._delivered >= 0 else None
            self._stream = self.service._open_stream(self.workflow_id, resume)
            self._reader = threading.Thread(
                target=self._read, name=f"sogni-workflow-{self.workflow_id[-12:]}", daemon=True
            )
            self._reader.start()

    def _read(self) -> None:
        stream = self._stream
        assert stream is not None
        paused = False
        try:
            for frame in stream:
                event = WorkflowEvent.from_wire(frame.data, frame.id, frame.event)
                if event is not None:
                    paused = self._on_event(event)
        except SogniError as exc:
            self._fail(exc)
        except Exception as exc:  # a bug must still end the workflow's waiters
            log.exception("The reader of workflow %s failed", self.workflow_id)
            self._fail(
                SogniError(f"reading the events of workflow {self.workflow_id} failed: {exc}")
            )
        finally:
            stream.close()
            self.service._registry.done_reading(self)
            with self.lock:
                self._stream = None
                self._reader = None
                paused = paused and self._final is None and self.status == "waiting_for_user"
            if not paused:
                # A stream that ended without a final event (closed) still ends its waiters.
                self._fail(ClientClosedError("the event stream of the workflow was closed"))

    def stop(self, error: SogniError) -> None:
        with self.lock:
            stream = self._stream
        if stream is not None:
            stream.close(error)
        self._fail(error)

    def join(self, timeout: float) -> None:
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout)

    def _on_event(self, event: WorkflowEvent) -> bool:
        """Hand one event on; True when the workflow paused here."""
        with self.lock:
            if self._final is not None or event.sequence <= self._delivered:
                return False  # replayed after a resume: already handed on
            self._delivered = event.sequence
        if event.status in FINAL_WORKFLOW_STATUSES:
            try:
                record: WorkflowRecord | None = self.service._fetch(self.workflow_id)
            except SogniError as exc:
                log.debug("Could not read workflow %s after it ended: %s", self.workflow_id, exc)
                record = None
            self._finish(event, record)
            return False
        with self.lock:
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

    def _emit(self, name: str, arg: Any, event: WorkflowEvent | None, final: bool = False) -> None:
        """Queue ``arg`` for the ``name`` listeners and ``event`` for the iterators (lock held:
        events leave in the order they came; nothing here blocks or runs user code)."""
        for fn in self._listeners.get(name, ()):
            self.service._callbacks.submit(fn, arg, essential=final)
        if event is not None:
            for subscriber in self._subscribers:
                _deliver(subscriber, event)

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
            self._final = event
            self._listeners.clear()
            self._subscribers.clear()
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

    def _fail(self, error: SogniError) -> None:
        with self.lock:
            self._fail_locked(error)

    def _fail_locked(self, error: SogniError) -> None:
        if self._final is not None:
            return
        failed = _Failed(error)
        for subscriber in self._subscribers:
            _deliver(subscriber, failed)
        self._subscribers.clear()
        self._final = failed
        self._listeners.clear()
        self.future.fail(error)
        self._notify_locked()

    def _notify_locked(self) -> None:
        self.changed.notify_all()
        for waker in list(self._wakers):
            waker()

    def add_waker(self, waker: Callable[[], None]) -> Callable[[], None]:
        with self.lock:
            self._wakers.append(waker)

        def remove() -> None:
            with self.lock:
                if waker in self._wakers:
                    self._wakers.remove(waker)

        return remove

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

    # ------------------------------------------------------------------ subscribers

    def add_listener(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        with self.lock:
            if self._final is None:
                self._listeners.setdefault(event, []).append(fn)

        def remove() -> None:
            with self.lock:
                if fn in self._listeners.get(event, []):
                    self._listeners[event].remove(fn)

        return remove

    def add_subscriber(self, subscriber: Any) -> None:
        with self.lock:
            if self._final is not None:
                subscriber.put_nowait(self._final)
                return
            self._subscribers.append(subscriber)

    def remove_subscriber(self, subscriber: Any) -> None:
        with self.lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)


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


def _deliver(subscriber: Any, item: Any) -> None:
    last = isinstance(item, _Failed) or _ends(item)
    deliver(subscriber, item, last=last, what="workflow")


def _ends(item: Any) -> bool:
    return isinstance(item, WorkflowEvent) and item.status in FINAL_WORKFLOW_STATUSES


class WorkflowEventIterator(Iterator[WorkflowEvent]):
    """The iterator of :meth:`WorkflowRun.events`, subscribed from the moment it is made."""

    def __init__(self, tracker: WorkflowTracker, timeout: float | None) -> None:
        self._tracker: WorkflowTracker | None = tracker
        self._workflow_id = tracker.workflow_id
        self._timeout = timeout
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=10000)
        tracker.add_subscriber(self._queue)
        tracker.ensure_reader()

    def __iter__(self) -> WorkflowEventIterator:
        return self

    def __next__(self) -> WorkflowEvent:
        if self._tracker is None:
            raise StopIteration
        try:
            item = self._queue.get(timeout=self._timeout)
        except queue.Empty:
            raise SogniTimeoutError(
                f"no event from workflow {self._workflow_id} within {self._timeout}s"
            ) from None
        if isinstance(item, _Failed):
            self.close()
            raise item.error
        if _ends(item):
            self.close()
        event: WorkflowEvent = item
        return event

    def close(self) -> None:
        """Stop listening; the iterator ends (the workflow goes on)."""
        tracker, self._tracker = self._tracker, None
        if tracker is not None:
            tracker.remove_subscriber(self._queue)

    def __enter__(self) -> WorkflowEventIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkflowRun:
    """A creative workflow on the server (``workflows.start`` / ``get``).

    Shaped like a ``Project``: ``future`` is a stdlib ``Future`` of the final
    :class:`WorkflowRecord`, ``wait()`` blocks for it, ``events()`` iterates over the
    workflow's events as they come, ``on()`` calls you back on the callback worker,
    ``cancel()`` stops it, ``outputs`` lists its results (with their URLs) so far."""

    def __init__(self, tracker: WorkflowTracker) -> None:
        self._tracker = tracker

    @property
    def id(self) -> str:
        return self._tracker.workflow_id

    @property
    def status(self) -> WorkflowStatus:
        """The last status known (from the stream, or the last record read)."""
        with self._tracker.lock:
            return self._tracker.status

    @property
    def finished(self) -> bool:
        return self._tracker.future.done()

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
        tracker = self._tracker
        tracker.ensure_reader()
        deadline = None if timeout is None else time.monotonic() + timeout
        with tracker.changed:
            while not tracker.future.done():
                if tracker.status == "waiting_for_user":
                    raise tracker._waiting_error()
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise SogniTimeoutError(
                        f"workflow {self.id} is still running after {timeout}s "
                        "(wait() does not cancel it)"
                    )
                tracker.changed.wait(remaining)
        return tracker.future.result()

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
