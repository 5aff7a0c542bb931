"""``ChatRun``: a handle on a durable chat run, shaped like ``Project``.

The run lives on the server; the handle follows its event stream with one reader thread,
started the first time something needs it (``future``, ``wait``, ``events``, ``on``). The
reader resumes the stream after cuts (``sogni._transport.sse``), hands each event on in order
(listeners on the callback worker, ``events()`` iterators through their queues), and after the
terminal event reads the final record and settles the future. Then it ends and the run lets go
of its listeners, iterators and registry entry: nothing of a finished run stays reachable from
the client (docs/design.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs

from .._events import check_event
from .._futures import SogniFuture
from .._handles import DurableHandle, Failed, HandleRegistry, StreamTracker, TrackerEventIterator
from .._log import get_logger
from .._transport.sse import SSEFrame, SSEStream
from ..errors import (
    ChatRunCanceledError,
    ChatRunError,
    ChatRunPartialFailureError,
    ChatRunWaitingError,
    SogniError,
)
from ._run_models import ChatRunEvent, ChatRunRecord, ChatRunStatus, ChatRunWaiting

if TYPE_CHECKING:
    from .._transport.callbacks import CallbackWorker

__all__ = [
    "RUN_EVENTS",
    "ChatRun",
    "ChatRunEventIterator",
    "Failed",
    "RunRegistry",
    "RunTracker",
    "waiting_error",
]

log = get_logger("sogni.chat.runs")

RUN_EVENTS = ("event", "waiting")
_STATUS_OF = {
    "run_completed": "completed",
    "run_failed": "failed",
    "run_cancelled": "cancelled",
    "run_partial_failure": "partial_failure",
}
_EVENT_OF = {status: event for event, status in _STATUS_OF.items()}
_READER_JOIN = 1.0


class RunService(Protocol):
    """What a run's tracker uses of ``client.chat.runs``."""

    @property
    def _callbacks(self) -> CallbackWorker: ...

    @property
    def _registry(self) -> RunRegistry: ...

    def _open_stream(self, run_id: str, resume_from: int | None) -> SSEStream[int]: ...

    def _fetch(self, run_id: str) -> ChatRunRecord: ...

    def cancel(self, run_id: str, reason: str | None = None) -> ChatRunRecord: ...

    def confirm_cost(
        self,
        run_id: str,
        *,
        tool_call_id: str,
        decision: Literal["confirm", "cancel"] = "confirm",
        accepted_cost_preview: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRunRecord: ...


class RunRegistry(HandleRegistry["ChatRun", "RunTracker"]):
    """The runs of one client: one live handle per run id (weakly held), and the runs whose
    reader runs (held until it ends), which ``client.close()`` ends."""

    def __init__(self) -> None:
        super().__init__(_READER_JOIN)

    def handle_for(self, record: ChatRunRecord, service: RunService) -> ChatRun:
        handle, made = self.lookup(
            record.run_id, lambda: RunTracker(service, record).handle, lambda _: False
        )
        if not made:
            handle._tracker.apply_record(record)
        return handle

    def live(self, run_id: str) -> RunTracker | None:
        handle = self.get(run_id)
        return handle._tracker if handle is not None else None


class RunTracker(StreamTracker[ChatRunEvent, ChatRunRecord]):
    """The state behind a :class:`ChatRun` handle, fed by its reader thread."""

    _what = "chat run"
    _noun = "run"
    _thread = "sogni-run-"
    _log = log

    def __init__(self, service: RunService, record: ChatRunRecord) -> None:
        super().__init__(service, record.run_id, record)
        self.service: RunService = service
        self.run_id = record.run_id
        self.status: ChatRunStatus = record.status
        self.waiting = record.waiting if record.status == "waiting_for_user" else None
        self._state_sequence = record.last_sequence  # what status and waiting reflect
        self._delivered = -1  # the newest event handed on (the stream resumes after it)
        self.handle = ChatRun(self)
        if record.finished:
            self._finish_from_record(record)

    # ------------------------------------------------------------------ the reader

    def _parse(self, frame: SSEFrame) -> ChatRunEvent | None:
        return ChatRunEvent.from_wire(frame.data)

    @staticmethod
    def is_final(event: ChatRunEvent) -> bool:
        return event.is_terminal

    def _progress_locked(self, event: ChatRunEvent) -> bool:
        if event.sequence > self._state_sequence:
            self._state_sequence = event.sequence
            if event.type == "run_waiting_for_user":
                self.status = "waiting_for_user"
                self.waiting = ChatRunWaiting.from_wire(event.payload) or ChatRunWaiting("other")
            elif event.type == "run_created":
                self.status = "queued"
            elif event.type != "run_awaiting_cost_confirmation":
                self.status, self.waiting = "running", None
        self._emit("event", event, event)
        if event.type == "run_waiting_for_user" and self.waiting is not None:
            self._emit("waiting", self.waiting, None)
        self._notify_locked()
        return False

    def pause_error(self) -> ChatRunWaitingError | None:
        with self.lock:
            waiting = self.waiting
        return None if waiting is None else waiting_error(self.run_id, waiting)

    # ------------------------------------------------------------------ the end

    def _finish(self, event: ChatRunEvent, record: ChatRunRecord | None) -> None:
        status = _STATUS_OF[event.type]
        with self.lock:
            if self._final is not None:
                return
            if record is None or not record.finished:
                # The record could not be read: the last one, brought up to this event.
                final = event.payload.get("finalResponse")
                record = attrs.evolve(
                    self.record,
                    status=status,
                    waiting=None,
                    final_response=dict(final) if isinstance(final, dict) else None,
                )
            self.record, self.status, self.waiting = record, record.status, None
            self._emit("event", event, event, final=True)
            self._end_locked(event)
            self._settle_locked(record)
            # After the settle: an asyncio waiter woken here checks the future without the lock.
            self._notify_locked()

    def _finish_from_record(self, record: ChatRunRecord) -> None:
        terminal = [e for e in record.events if e.is_terminal]
        # A record whose log lacks the terminal event still ends with one.
        final = (
            terminal[-1]
            if terminal
            else ChatRunEvent(record.last_sequence, _EVENT_OF[record.status])
        )
        with self.lock:
            self._delivered = record.last_sequence
            self._end_locked(final)
            self._settle_locked(record)
            self._notify_locked()

    def _settle_locked(self, record: ChatRunRecord) -> None:
        run_id, reason = self.run_id, record.failure_reason or record.cancellation_reason
        if record.status == "completed":
            self.future.settle(record)
        elif record.status == "cancelled":
            self.future.fail(
                ChatRunCanceledError(
                    f"chat run {run_id} was cancelled" + (f": {reason}" if reason else ""),
                    run_id,
                    "cancelled",
                    reason,
                )
            )
        elif record.status == "partial_failure":
            self.future.fail(
                ChatRunPartialFailureError(
                    f"chat run {run_id} ended with a partial failure: "
                    f"{len(record.artifacts)} result(s) were made"
                    + (f"; {reason}" if reason else ""),
                    run_id,
                    record.artifacts,
                    reason,
                )
            )
        else:
            self.future.fail(
                ChatRunError(
                    f"chat run {run_id} {record.status}" + (f": {reason}" if reason else ""),
                    run_id,
                    record.status,
                    reason,
                )
            )

    # ------------------------------------------------------------------ records from REST

    def apply_record(self, record: ChatRunRecord) -> None:
        """A record read over REST (``get``, ``cancel``, ``confirm_cost``), if it is newer than
        what the stream said. A finished record ends a run nobody follows yet."""
        with self.lock:
            if self._final is not None or record.last_sequence < self._state_sequence:
                return
            self._state_sequence = record.last_sequence
            self.record, self.status = record, record.status
            self.waiting = record.waiting if record.status == "waiting_for_user" else None
            self._notify_locked()
            if record.finished and self._reader is None:
                self._finish_from_record(record)


def waiting_error(run_id: str, waiting: ChatRunWaiting) -> ChatRunWaitingError:
    return ChatRunWaitingError(
        f"chat run {run_id} is waiting for its user ({waiting.reason})"
        + (f": {waiting.message}" if waiting.message else ""),
        run_id,
        waiting.reason,
        waiting.tool_call_id,
        waiting.cost_preview,
        waiting.details or None,
    )


class ChatRunEventIterator(TrackerEventIterator[ChatRunEvent]):
    """The iterator of :meth:`ChatRun.events`, subscribed from the moment it is made."""

    def close(self) -> None:
        """Stop listening; the iterator ends (the run goes on)."""
        super().close()

    def __iter__(self) -> ChatRunEventIterator:
        return self

    def __next__(self) -> ChatRunEvent:
        return super().__next__()

    def __enter__(self) -> ChatRunEventIterator:
        return self


class ChatRun(DurableHandle[RunTracker]):
    """A durable chat run on the server (``chat.runs.create`` / ``get``).

    Shaped like a ``Project``: ``future`` is a stdlib ``Future`` of the final
    :class:`ChatRunRecord`, ``wait()`` blocks for it, ``events()`` iterates over the run's
    events as they come, ``on()`` calls you back on the callback worker, ``cancel()`` stops the
    run. The run's event stream is read by one thread, started the first time one of these
    needs it, and resumed after every cut."""

    @property
    def status(self) -> ChatRunStatus:
        """The last status known (from the stream, or the last record read)."""
        with self._tracker.lock:
            return self._tracker.status

    @property
    def waiting(self) -> ChatRunWaiting | None:
        """Why the run waits for its user, while it does."""
        with self._tracker.lock:
            return self._tracker.waiting

    @property
    def record(self) -> ChatRunRecord:
        """The last record read (at create, ``refresh()``, ``cancel()``, the end)."""
        with self._tracker.lock:
            return self._tracker.record

    @property
    def future(self) -> SogniFuture[ChatRunRecord]:
        """Settles with the final record when the run completes, or fails with
        :class:`ChatRunError` (cancelled, failed, partial failure). Starts the reader."""
        self._tracker.ensure_reader()
        return self._tracker.future

    def wait(self, timeout: float | None = None) -> ChatRunRecord:
        """Block until the run completes and return its final record.

        Raises :class:`ChatRunCanceledError`, :class:`ChatRunPartialFailureError` (with the
        media that was made) or :class:`ChatRunError` when it ends otherwise, and
        :class:`ChatRunWaitingError` as soon as the run waits for its user (answer with
        :meth:`confirm_cost`, then wait again). A timeout here raises ``SogniTimeoutError`` and
        the run goes on (use :meth:`cancel` to stop paid work)."""
        return self._tracker.wait(timeout)

    def events(self, timeout: float | None = None) -> ChatRunEventIterator:
        """Iterate over the run's events as they happen, ending after the terminal one
        (``run_completed``, ``run_failed``, ``run_cancelled``, ``run_partial_failure``).
        ``timeout`` bounds the wait for each event (``SogniTimeoutError``).

        The subscription starts with this call: every event the reader hands on after it is
        delivered. The first reader of a run reads its log from the start, so an iterator made
        before anything else follows the run sees every event; a finished run yields its final
        event. If the stream cannot be resumed, the iterator raises that error."""
        return ChatRunEventIterator(self._tracker, timeout)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``fn`` on the callback worker for ``event``: ``event`` (every
        :class:`ChatRunEvent`, in order) or ``waiting`` (a :class:`ChatRunWaiting` when the run
        pauses for its user). Returns a function that removes the listener."""
        name = check_event(event, RUN_EVENTS, owner="chat run")
        remove = self._tracker.add_listener(name, fn)
        self._tracker.ensure_reader()
        return remove

    def refresh(self) -> ChatRunRecord:
        """Read the run's record now (``GET``)."""
        record = self._tracker.service._fetch(self.id)
        self._tracker.apply_record(record)
        return record

    def cancel(self, reason: str | None = None) -> ChatRunRecord:
        """Cancel the run on the server, which stops its paid work; returns the record the
        server answered with. The run then ends with ``run_cancelled``."""
        record = self._tracker.service.cancel(self.id, reason)
        self._tracker.apply_record(record)
        return record

    def confirm_cost(
        self,
        accept: bool = True,
        *,
        overrides: dict[str, Any] | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRunRecord:
        """Answer the cost approval the run waits for: ``accept=True`` sends the preview from
        the waiting details back unchanged (``decision: "confirm"``); ``accept=False`` declines
        the paused tools (``"cancel"``). Show ``run.waiting.cost_preview`` to your user first.
        Raises ``SogniError`` when the run is not waiting for a cost approval."""
        waiting = self.waiting
        if waiting is None:
            self.refresh()
            waiting = self.waiting
        if waiting is None or waiting.reason != "cost_approval_required":
            raise SogniError(f"chat run {self.id} is not waiting for a cost approval")
        tool_call_id = waiting.tool_call_id
        preview = waiting.cost_preview
        if tool_call_id is None or (accept and preview is None):
            raise SogniError(
                f"chat run {self.id} paused without a cost preview to accept; cancel it instead"
            )
        record = self._tracker.service.confirm_cost(
            self.id,
            tool_call_id=tool_call_id,
            decision="confirm" if accept else "cancel",
            accepted_cost_preview=preview if accept else None,
            overrides=overrides,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        self._tracker.apply_record(record)
        return record

    def __repr__(self) -> str:
        return f"ChatRun(id={self.id!r}, status={self.status!r})"
