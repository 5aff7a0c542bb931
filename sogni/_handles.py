"""One live handle per id for the durable things a client follows over SSE (chat runs,
creative workflows), and their ending at ``client.close()``."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from ._log import get_logger
from .errors import ClientClosedError, SogniError

__all__ = ["HandleRegistry", "deliver"]

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
