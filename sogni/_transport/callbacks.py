"""The callback worker: user callbacks run here, one at a time, never on the transport thread."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any

from .._log import get_logger

log = get_logger("sogni.callbacks")

_counter = itertools.count(1)


class CallbackWorker:
    """A bounded queue drained by one daemon thread, started on first use.

    ``submit`` never blocks: if the queue is full (a callback is stuck and thousands of events
    piled up) the event is dropped with a warning, because the caller may be the transport thread.
    A raising callback is logged and the worker carries on.
    """

    def __init__(self, *, maxsize: int, name: str | None = None) -> None:
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(
            maxsize
        )
        self._name = name or f"sogni-callbacks-{next(_counter)}"
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._dropped = 0

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def on_worker_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def submit(self, fn: Callable[..., Any], *args: Any) -> bool:
        with self._lock:
            if self._closed:
                return False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((fn, args))
        except queue.Full:
            self._dropped += 1
            log.warning(
                "Callback queue full (%d dropped so far): a callback is too slow", self._dropped
            )
            return False
        return True

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            fn, args = item
            try:
                fn(*args)
            except Exception:
                log.exception("A user callback raised; the SDK carries on")

    def close(self, timeout: float) -> bool:
        """Stop accepting work and wait up to ``timeout`` for the thread. True if it stopped."""
        with self._lock:
            if self._closed:
                thread = self._thread
            else:
                self._closed = True
                thread = self._thread
                # Drop whatever is still queued: after close() no callback runs.
                try:
                    while True:
                        self._queue.get_nowait()
                except queue.Empty:
                    pass
                if thread is not None:
                    self._queue.put_nowait(None)
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()
