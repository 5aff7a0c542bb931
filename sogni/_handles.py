"""What the durable things a client follows over SSE (chat runs, creative workflows) share:
one live handle per id, the tracker fed by a reader thread (listeners on the callback worker,
``events()`` queues, ``wait()``), the ``stream_events()`` reader, and their ending at
``client.close()``."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from ._futures import SogniFuture
from ._log import get_logger
from .errors import ClientClosedError, SogniError, SogniTimeoutError

if TYPE_CHECKING:
    from ._transport.callbacks import CallbackWorker
    from ._transport.sse import SSEFrame, SSEStream

__all__ = [
    "DurableHandle",
    "EventLog",
    "Failed",
    "HandleRegistry",
    "StreamTracker",
    "Subscription",
    "TrackerEventIterator",
    "closing_with",
    "deliver",
]

log = get_logger("sogni")


class _Tracker(Protocol):
    def stop(self, error: SogniError) -> None: ...

    def join(self, timeout: float) -> None: ...


class _Handle(Protocol):
    @property
    def _tracker(self) -> _Tracker: ...


H = TypeVar("H", bound=_Handle)
T = TypeVar("T", bound=_Tracker)


class HandleRegistry(Generic[H, T]):
    """Handles by id, weakly held: a handle nobody holds is let go, and a later ``get`` makes a
    new one from the server's record. The trackers whose reader thread runs are held until it
    ends. ``close()`` ends every handle still alive and joins the readers.

    The weak dictionary removes a dead entry without taking ``_lock``: the collector may free a
    handle (they live in reference cycles) on a thread that holds that lock."""

    def __init__(self, join_timeout: float) -> None:
        self._lock = threading.Lock()
        self._handles: weakref.WeakValueDictionary[str, H] = weakref.WeakValueDictionary()
        self._reading: set[T] = set()
        self._closed = False
        self._join_timeout = join_timeout

    def lookup(
        self, key: str, make: Callable[[], H], replace: Callable[[H], bool]
    ) -> tuple[H, bool]:
        """The live handle of ``key`` and False, or a new one from ``make()`` and True when
        there is none or ``replace(handle)`` says the old one is spent."""
        with self._lock:
            handle = self._handles.get(key)
            if handle is not None and not replace(handle):
                return handle, False
            handle = make()
            self._handles[key] = handle
            return handle, True

    def get(self, key: str) -> H | None:
        with self._lock:
            return self._handles.get(key)

    def reading(self, tracker: T) -> bool:
        """Note a reader starting; False once the client is closed (then it must not start)."""
        with self._lock:
            if self._closed:
                return False
            self._reading.add(tracker)
            return True

    def done_reading(self, tracker: T) -> None:
        with self._lock:
            self._reading.discard(tracker)

    def close(self) -> None:
        """``client.close()``: every handle still alive ends with ``ClientClosedError`` (a
        paused one too, which has no reader), and the readers are joined."""
        with self._lock:
            self._closed = True
            trackers: set[_Tracker] = set(self._reading)
            trackers.update(handle._tracker for handle in self._handles.values())
        for tracker in trackers:
            tracker.stop(ClientClosedError("the client was closed"))
        deadline = time.monotonic() + self._join_timeout
        for tracker in trackers:
            tracker.join(max(0.0, deadline - time.monotonic()))


RG = TypeVar("RG", bound=HandleRegistry[Any, Any])


def closing_with(core: Any, registry: RG) -> RG:
    """``registry``, closed with the client ``core`` belongs to."""
    core.on_close(registry.close)
    return registry


def deliver(subscriber: queue.Queue[Any], item: Any, *, last: bool, what: str) -> None:
    """Put ``item`` into an ``events()`` queue. Once a reader fell a full queue behind, new
    items are dropped, except the ``last`` one, which takes the oldest one's place so that the
    reader's loop still ends."""
    try:
        subscriber.put_nowait(item)
        return
    except queue.Full:
        pass
    log.warning("An events() iterator of a %s is not being read; dropping an event", what)
    if last:
        with contextlib.suppress(queue.Empty):
            subscriber.get_nowait()
        with contextlib.suppress(queue.Full):
            subscriber.put_nowait(item)


class Failed:
    """Ends an ``events()`` iterator with the error that stopped the reader."""

    __slots__ = ("error",)

    def __init__(self, error: SogniError) -> None:
        self.error = error


class _Event(Protocol):
    @property
    def sequence(self) -> int: ...


class _Service(Protocol):
    @property
    def _callbacks(self) -> CallbackWorker: ...

    @property
    def _registry(self) -> HandleRegistry[Any, Any]: ...

    def _open_stream(self, key: str, resume_from: int | None) -> SSEStream[int]: ...

    def _fetch(self, key: str) -> Any: ...


E = TypeVar("E", bound=_Event)
R = TypeVar("R")


class StreamTracker(Generic[E, R]):
    """What the trackers of chat runs and workflows share: the state behind a handle, fed by
    one reader thread over the thing's event stream; listeners (run on the callback worker),
    ``events()`` subscribers (queues), ``wait()`` wakers, and the one ending (a final event or
    a ``Failed``) after which nothing more is handed on and all of them are let go.

    A subclass names the thing (``_what``, ``_noun``, ``_thread``, ``_log``) and supplies what
    differs: parsing a frame, what an event does to the state, the end, the pause."""

    _what: ClassVar[str]  # in messages: "chat run", "workflow"
    _noun: ClassVar[str]  # "the event stream of the <noun> was closed"
    _thread: ClassVar[str]  # the reader thread's name prefix
    _log: ClassVar[logging.Logger]

    def __init__(self, service: Any, key: str, record: R) -> None:
        self.service = service
        self.key = key
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.record = record
        self.future: SogniFuture[R] = SogniFuture(service._callbacks)
        self.future.set_running_or_notify_cancel()  # a local wait never cancels the thing
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {}
        self._subscribers: list[Any] = []
        self._final: E | Failed | None = None
        self._stream: SSEStream[int] | None = None
        self._reader: threading.Thread | None = None
        self._wakers: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ what differs

    def _parse(self, frame: SSEFrame) -> E | None:
        raise NotImplementedError

    @staticmethod
    def is_final(event: Any) -> bool:
        """Whether ``event`` ends the thing (a static method: an iterator keeps it, and must
        not keep the tracker)."""
        raise NotImplementedError

    def _progress_locked(self, event: E) -> bool:
        """Hand on an event that does not end the thing (lock held); True when it paused."""
        raise NotImplementedError

    def _finish(self, event: E, record: R | None) -> None:
        raise NotImplementedError

    def _paused_locked(self) -> bool:
        """Whether the thing waits for its user, so that no reader should start."""
        return False

    def _reader_ended_locked(self, paused: bool) -> bool:
        """The reader is ending (lock held); True when it stopped at a pause, not the end."""
        return False

    def pause_error(self) -> SogniError | None:
        """The error ``wait()`` raises while the thing waits for its user, else None."""
        return None

    # ------------------------------------------------------------------ the reader

    def ensure_reader(self) -> None:
        with self.lock:
            if self._final is not None or self._reader is not None or self._paused_locked():
                return
            if not self.service._registry.reading(self):
                self._fail_locked(ClientClosedError("the client is closed"))
                return
            resume = self._delivered if self._delivered >= 0 else None
            self._stream = self.service._open_stream(self.key, resume)
            self._reader = threading.Thread(
                target=self._read, name=f"{self._thread}{self.key[-12:]}", daemon=True
            )
            self._reader.start()

    _delivered: int  # the newest event handed on (the stream resumes after it)

    def _read(self) -> None:
        stream = self._stream
        assert stream is not None
        paused = False
        try:
            for frame in stream:
                event = self._parse(frame)
                if event is not None:
                    paused = self._on_event(event)
        except SogniError as exc:
            self._fail(exc)
        except Exception as exc:  # a bug must still end the waiters
            self._log.exception("The reader of %s %s failed", self._what, self.key)
            self._fail(SogniError(f"reading the events of {self._what} {self.key} failed: {exc}"))
        finally:
            stream.close()
            self.service._registry.done_reading(self)
            with self.lock:
                self._stream = None
                paused = self._reader_ended_locked(paused)
            if not paused:
                # A stream that ended without a final event (closed) still ends its waiters.
                self._fail(ClientClosedError(f"the event stream of the {self._noun} was closed"))

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

    def _on_event(self, event: E) -> bool:
        """Hand one event on; True when the thing paused here."""
        with self.lock:
            if self._final is not None or event.sequence <= self._delivered:
                return False  # replayed after a resume: already handed on
            self._delivered = event.sequence
        if self.is_final(event):
            try:
                record: R | None = self.service._fetch(self.key)
            except SogniError as exc:
                self._log.debug(
                    "Could not read %s %s after it ended: %s", self._what, self.key, exc
                )
                record = None
            self._finish(event, record)
            return False
        with self.lock:
            return self._progress_locked(event)

    def _emit(self, name: str, arg: Any, event: E | None, final: bool = False) -> None:
        """Queue ``arg`` for the ``name`` listeners and ``event`` for the iterators (lock held:
        events leave in the order they came; nothing here blocks or runs user code)."""
        for fn in self._listeners.get(name, ()):
            self.service._callbacks.submit(fn, arg, essential=final)
        if event is not None:
            for subscriber in self._subscribers:
                self._deliver(subscriber, event)

    def _deliver(self, subscriber: Any, item: E | Failed) -> None:
        last = isinstance(item, Failed) or self.is_final(item)
        deliver(subscriber, item, last=last, what=self._what)

    # ------------------------------------------------------------------ the end

    def _end_locked(self, final: E) -> None:
        self._final = final
        self._listeners.clear()
        self._subscribers.clear()

    def _fail(self, error: SogniError) -> None:
        with self.lock:
            self._fail_locked(error)

    def _fail_locked(self, error: SogniError) -> None:
        if self._final is not None:
            return
        failed = Failed(error)
        for subscriber in self._subscribers:
            self._deliver(subscriber, failed)
        self._subscribers.clear()
        self._final = failed
        self._listeners.clear()
        self.future.fail(error)
        self._notify_locked()

    def _notify_locked(self) -> None:
        """Wake ``wait()`` (a state change): blocked threads, and the asyncio shim's waiters
        (each waker only schedules a wake-up: it never blocks)."""
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

    def wait(self, timeout: float | None) -> R:
        """``wait()`` of the handle: the final record, the error it ended with, the pause
        error as soon as it waits for its user, or ``SogniTimeoutError``."""
        self.ensure_reader()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.changed:
            while not self.future.done():
                paused = self.pause_error()
                if paused is not None:
                    raise paused
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise SogniTimeoutError(
                        f"{self._what} {self.key} is still running after {timeout}s "
                        "(wait() does not cancel it)"
                    )
                self.changed.wait(remaining)
        return self.future.result()

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


class Subscription(Generic[E]):
    """An ``events()`` subscription to a tracker, shared by the sync iterator and the asyncio
    shim's: ``queue`` gets every event handed on from now on, and last the final one or a
    :class:`Failed`."""

    def __init__(self, tracker: StreamTracker[E, Any], timeout: float | None, queue: Any) -> None:
        self._tracker: StreamTracker[E, Any] | None = tracker
        self._is_final = tracker.is_final  # static: a closed iterator keeps no tracker
        self._what = f"{tracker._what} {tracker.key}"
        self._timeout = timeout
        self._queue = queue
        tracker.add_subscriber(queue)
        tracker.ensure_reader()

    def _timed_out(self) -> SogniTimeoutError:
        return SogniTimeoutError(f"no event from {self._what} within {self._timeout}s")

    def _take(self, item: Any) -> E:
        """The event ``item`` (ending the subscription after the final one), or raise the
        error that stopped the reader."""
        if isinstance(item, Failed):
            self.close()
            raise item.error
        if self._is_final(item):
            self.close()
        event: E = item
        return event

    def close(self) -> None:
        """Stop listening; the iterator ends (the thing it follows goes on)."""
        tracker, self._tracker = self._tracker, None
        if tracker is not None:
            tracker.remove_subscriber(self._queue)


TR = TypeVar("TR", bound="StreamTracker[Any, Any]")


class DurableHandle(Generic[TR]):
    """What the handles of chat runs and workflows share (each adds its own documented
    members)."""

    def __init__(self, tracker: TR) -> None:
        self._tracker = tracker

    @property
    def id(self) -> str:
        return self._tracker.key

    @property
    def finished(self) -> bool:
        return self._tracker.future.done()


class TrackerEventIterator(Subscription[E], Iterator[E]):
    """The iterator of a handle's ``events()``, subscribed from the moment it is made."""

    def __init__(self, tracker: StreamTracker[E, Any], timeout: float | None) -> None:
        super().__init__(tracker, timeout, queue.Queue(maxsize=10000))

    def __next__(self) -> E:
        if self._tracker is None:
            raise StopIteration
        try:
            item = self._queue.get(timeout=self._timeout)
        except queue.Empty:
            raise self._timed_out() from None
        return self._take(item)

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventLog(Iterator[E]):
    """The iterator of a ``stream_events()``: events in order, each once, across reconnects
    (the ones replayed after a resume are skipped), ending after the one ``_ends`` says."""

    def __init__(self, stream: SSEStream[int], after: int | None) -> None:
        self._stream = stream
        self._last = -1 if after is None else after
        self._done = False

    def _parse(self, frame: SSEFrame) -> E | None:
        raise NotImplementedError

    @staticmethod
    def _ends(event: Any) -> bool:
        raise NotImplementedError

    def _last_event_id(self) -> int | None:
        return self._last if self._last >= 0 else None

    def _next_event(self) -> E:
        while not self._done:
            event = self._parse(next(self._stream))
            if event is None or event.sequence <= self._last:
                continue  # replayed after a resume
            self._last = event.sequence
            if self._ends(event):
                self._close()
            return event
        raise StopIteration

    def _close(self) -> None:
        self._done = True
        self._stream.close()

    def __exit__(self, *exc: object) -> None:
        self._close()
