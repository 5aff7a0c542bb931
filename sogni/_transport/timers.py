"""The transport thread's timers: protocol deadlines without a thread per project.

A cancelled timer lets go of its callback at once (the callback's closure holds a project, its
request and any input bytes), and cancelled entries are swept out of the heap once they make up
half of it, so a long-lived client keeps no finished work alive until a deadline hours away.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable

__all__ = ["Timer", "TimerHeap"]

# Below this many cancelled entries a sweep is not worth its O(n).
_SWEEP_MIN = 64


class Timer:
    """A scheduled callback; ``cancel()`` is safe from any thread and frees the callback."""

    __slots__ = ("_fn", "_owner", "when")

    def __init__(self, owner: TimerHeap, when: float, fn: Callable[[], None]) -> None:
        self._owner = owner
        self.when = when
        self._fn: Callable[[], None] | None = fn

    @property
    def cancelled(self) -> bool:
        return self._fn is None

    def cancel(self) -> None:
        self._owner._cancel(self)


class TimerHeap:
    """A thread-safe heap of timers, run by one thread (:meth:`pop_due`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._dead = 0  # cancelled entries still in the heap

    def schedule(self, when: float, fn: Callable[[], None]) -> Timer:
        timer = Timer(self, when, fn)
        with self._lock:
            heapq.heappush(self._heap, (when, next(self._seq), timer))
        return timer

    def _cancel(self, timer: Timer) -> None:
        with self._lock:
            if timer._fn is None:
                return  # already fired or cancelled
            timer._fn = None
            self._dead += 1
            if self._dead == len(self._heap):
                self._heap.clear()  # nothing left to run: an idle client holds no entries
                self._dead = 0
            elif self._dead >= _SWEEP_MIN and self._dead * 2 >= len(self._heap):
                self._heap = [entry for entry in self._heap if entry[2]._fn is not None]
                heapq.heapify(self._heap)
                self._dead = 0

    def pop_due(self, now: float) -> Callable[[], None] | None:
        """The callback of the earliest timer due at ``now`` (removed from the heap), or None."""
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                _, _, timer = heapq.heappop(self._heap)
                fn = timer._fn
                if fn is None:
                    self._dead -= 1
                    continue
                timer._fn = None
                return fn
            return None

    def next_due(self) -> float | None:
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def __len__(self) -> int:
        """Timers still scheduled (cancelled ones not counted)."""
        with self._lock:
            return len(self._heap) - self._dead

    @property
    def entries(self) -> int:
        """Entries in the heap, cancelled ones not yet swept out included."""
        with self._lock:
            return len(self._heap)
