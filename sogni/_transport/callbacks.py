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
    """A bounded queue drained by daemon threads (one by default), started on first use.

    ``submit`` never blocks: if the queue is full (a callback is stuck and thousands of events
    piled up) the item is dropped with a warning, because the caller may be the transport thread.
    A raising callable is logged and the worker carries on.

    The client has two: the callback worker (one thread, user code, in order) and the I/O
    workers (a few threads for the SDK's own blocking REST work, such as minting result URLs,
    so that a slow user callback never delays a project).
    """

    def __init__(self, *, maxsize: int, name: str | None = None, threads: int = 1) -> None:
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(
            maxsize
        )
        self._name = name or f"sogni-callbacks-{next(_counter)}"
        self._size = threads
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._dropped = 0

    @property
    def thread(self) -> threading.Thread | None:
        return self._threads[0] if self._threads else None

    def on_worker_thread(self) -> bool:
        return threading.current_thread() in self._threads

    def submit(self, fn: Callable[..., Any], *args: Any) -> bool:
        with self._lock:
            if self._closed:
                return False
            if len(self._threads) < self._size and (not self._threads or self._queue.qsize() > 0):
                name = self._name if self._size == 1 else f"{self._name}-{len(self._threads)}"
                thread = threading.Thread(target=self._run, name=name, daemon=True)
                self._threads.append(thread)
                thread.start()
            # Queued under the lock, so it can never land behind close()'s stop sentinels.
            try:
                self._queue.put_nowait((fn, args))
            except queue.Full:
                self._dropped += 1
                dropped = self._dropped
            else:
                return True
        log.warning("Callback queue full (%d dropped so far): a callback is too slow", dropped)
        return False

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
        """Stop accepting work and wait up to ``timeout`` for the threads. True if they stopped."""
        import time

        with self._lock:
            threads = list(self._threads)
            if not self._closed:
                self._closed = True
                # Drop whatever is still queued: after close() nothing new runs.
                try:
                    while True:
                        self._queue.get_nowait()
                except queue.Empty:
                    pass
                for _ in threads:
                    self._queue.put_nowait(None)
        deadline = time.monotonic() + timeout
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() and t is not threading.current_thread() for t in threads)
