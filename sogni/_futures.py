"""``SogniFuture``: a stdlib Future whose done-callbacks run on the client's callback worker.

It is a real ``concurrent.futures.Future`` (``wait``, ``as_completed`` and
``asyncio.wrap_future`` work), but a callback added with ``add_done_callback`` runs on the
callback worker, never on the SDK thread that settled the future (which may be the transport
thread holding a project's lock). Done-callbacks are essential work for the worker: a full
callback queue never drops them and never runs them inline. Only once the client is closed, and
its worker with it, does a done-callback run on the thread that settles the future: after
``close()`` that is the thread that called it, or the caller of ``add_done_callback``.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ._transport.callbacks import CallbackWorker

T = TypeVar("T")


class SogniFuture(concurrent.futures.Future[T], Generic[T]):
    def __init__(self, worker: CallbackWorker | None = None) -> None:
        super().__init__()
        self._worker = worker

    def add_done_callback(self, fn: Callable[[concurrent.futures.Future[T]], object]) -> None:
        worker = self._worker
        if worker is None:
            super().add_done_callback(fn)
            return

        def dispatch(future: concurrent.futures.Future[T]) -> None:
            if not worker.submit(fn, future, essential=True):
                # The worker is closed (so is the client): run it here rather than never.
                fn(future)

        super().add_done_callback(dispatch)

    def _add_internal_callback(self, fn: Callable[[concurrent.futures.Future[T]], Any]) -> None:
        """For the SDK's own fast, non-blocking callbacks (e.g. the asyncio bridge)."""
        super().add_done_callback(fn)

    def settle(self, result: T) -> bool:
        """Set the result unless the future is already done (e.g. cancelled by the caller)."""
        try:
            self.set_result(result)
        except concurrent.futures.InvalidStateError:
            return False
        return True

    def fail(self, exc: BaseException) -> bool:
        try:
            self.set_exception(exc)
        except concurrent.futures.InvalidStateError:
            return False
        return True
