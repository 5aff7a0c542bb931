"""Worker threads for code that must not run on the transport thread.

The client has two kinds:

* the **callback worker** (one thread, in order): every piece of user code the SDK calls, such as
  event listeners and future done-callbacks;
* the **I/O workers** (a few threads): the SDK's own blocking work, such as minting result URLs or
  renewing an access token, so that neither a slow user callback nor a slow REST call ever delays
  the socket.

Rules (they hold for every caller):

* ``submit`` never blocks and never runs ``fn`` on the submitting thread, which may be the
  transport thread, possibly holding a project's lock.
* The queue is bounded for *droppable* items (progress-style events): when a stuck callback lets
  it fill up, further droppable items are dropped with a warning. *Essential* items (a future's
  done-callbacks, a project's final event, a token renewal) are always queued: losing one could
  leave a waiter hanging, and there is at most one per future or per project, so they cannot grow
  without bound on their own.
* A raising callable is logged and the worker carries on.
* After ``close()`` nothing new is accepted; essential items already queued still run (in the
  background, if ``close`` runs out of time), droppable ones are discarded.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from .._log import get_logger

log = get_logger("sogni.callbacks")

_counter = itertools.count(1)

_Item = tuple[Callable[..., Any], tuple[Any, ...], bool]


class CallbackWorker:
    """A FIFO queue drained by daemon threads (``threads``, one by default), started on first
    use."""

    def __init__(self, *, maxsize: int, name: str | None = None, threads: int = 1) -> None:
        self._maxsize = maxsize
        self._name = name or f"sogni-callbacks-{next(_counter)}"
        self._size = threads
        self._cond = threading.Condition()
        self._queue: collections.deque[_Item] = collections.deque()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False
        self._dropped = 0

    @property
    def thread(self) -> threading.Thread | None:
        return self._threads[0] if self._threads else None

    @property
    def closed(self) -> bool:
        return self._closed

    def on_worker_thread(self) -> bool:
        return threading.current_thread() in self._threads

    def submit(self, fn: Callable[..., Any], *args: Any, essential: bool = False) -> bool:
        """Queue ``fn(*args)``. Returns False if it was not queued (closed, or a droppable item
        met a full queue)."""
        with self._cond:
            if self._closed:
                return False
            if not essential and len(self._queue) >= self._maxsize:
                self._dropped += 1
                dropped = self._dropped
            else:
                self._queue.append((fn, args, essential))
                if self._idle == 0 and len(self._threads) < self._size:
                    self._start_thread_locked()
                self._cond.notify()
                return True
        log.warning("Callback queue full (%d dropped so far): a callback is too slow", dropped)
        return False

    def _start_thread_locked(self) -> None:
        name = self._name if self._size == 1 else f"{self._name}-{len(self._threads)}"
        thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._idle += 1
                while not self._queue and not self._closed:
                    self._cond.wait()
                self._idle -= 1
                if not self._queue:
                    return  # closed and drained
                fn, args, _ = self._queue.popleft()
            try:
                fn(*args)
            except Exception:
                log.exception("A callback raised; the SDK carries on")
            # Drop references before waiting for the next item.
            del fn, args

    def close(self, timeout: float) -> bool:
        """Stop accepting work and wait up to ``timeout`` for the threads. True if they stopped."""
        with self._cond:
            if not self._closed:
                self._closed = True
                # Droppable work is discarded; essential work (done-callbacks) still runs.
                self._queue = collections.deque(item for item in self._queue if item[2])
            self._cond.notify_all()
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        current = threading.current_thread()
        for thread in threads:
            if thread is not current:
                thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() and t is not current for t in threads)
