"""The only places where asyncio meets the synchronous core.

* ``run``: a blocking SDK call, run on the shim's own small thread pool (never on the loop).
* ``wait``: a ``concurrent.futures.Future`` awaited through a loop future. Cancelling the waiting
  task only stops waiting; the work behind the future is untouched.
* ``QueueBridge``: events delivered by SDK threads, handed to the loop with
  ``call_soon_threadsafe`` into a bounded ``asyncio.Queue``.

Every blocking call goes through ``run`` so that tests can prove the loop thread never blocks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import itertools
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger("sogni.async")

_counter = itertools.count(1)


class Bridge:
    """Per-client executor and accounting."""

    def __init__(self, max_workers: int = 8) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix=f"sogni-async-{next(_counter)}"
        )

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call off the loop and await its result."""
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    def shutdown(self) -> None:
        # No waiting: called on the loop thread, and the workers are idle by now.
        self._executor.shutdown(wait=False, cancel_futures=True)


async def wait(future: concurrent.futures.Future[T]) -> T:
    """Await a stdlib future without blocking the loop. Cancellation stops only the waiting."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[T] = loop.create_future()

    def copy(source: concurrent.futures.Future[T]) -> None:
        if waiter.done():
            return
        if source.cancelled():
            waiter.cancel()
            return
        exc = source.exception()
        if exc is not None:
            waiter.set_exception(exc)
        else:
            waiter.set_result(source.result())

    def on_done(source: concurrent.futures.Future[T]) -> None:
        try:
            loop.call_soon_threadsafe(copy, source)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more

    internal = getattr(future, "_add_internal_callback", None)
    if internal is not None:
        internal(on_done)  # the SDK's own futures: no detour through the callback worker
    else:
        future.add_done_callback(on_done)
    try:
        return await asyncio.shield(waiter)
    except asyncio.CancelledError:
        # Retrieve the outcome later so asyncio never warns "exception was never retrieved".
        waiter.add_done_callback(_consume)
        raise


def _consume(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled():
        fut.exception()


class QueueBridge(Generic[T]):
    """A thread-safe ``put_nowait`` into an ``asyncio.Queue`` owned by one loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        maxsize: int = 10_000,
        *,
        keep: Callable[[T], bool] | None = None,
    ) -> None:
        self._loop = loop
        self._keep = keep  # items that must arrive even into a full queue (e.g. the last one)
        self.queue: asyncio.Queue[T] = asyncio.Queue(maxsize)

    def put_nowait(self, item: T) -> None:
        try:
            self._loop.call_soon_threadsafe(self._put, item)
        except RuntimeError:
            pass  # loop closed

    def _put(self, item: T) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            if self._keep is not None and self._keep(item):
                self.queue.get_nowait()  # drop the oldest instead
                self.queue.put_nowait(item)
            log.warning("An async event iterator is not being read; dropping an event")
