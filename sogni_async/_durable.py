"""What the awaitable chat runs and workflows share: their ``events()`` iterator, their
``stream_events()`` reader and ``wait()``, over the sync handle's tracker (``sogni._handles``).

The public classes subclass these and keep their own names, docstrings and annotations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, Protocol, TypeVar

from sogni._handles import Failed, StreamTracker, Subscription
from sogni.errors import SogniTimeoutError

from ._bridge import Bridge, QueueBridge

__all__ = ["AsyncHandle", "AsyncTrackerEvents", "AsyncTrackerStream", "wait_for_end"]


class _Event(Protocol):
    @property
    def sequence(self) -> int: ...


E = TypeVar("E", bound=_Event)
R = TypeVar("R")


class _Handle(Protocol):
    @property
    def _tracker(self) -> StreamTracker[Any, Any]: ...


class _SyncHandle(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def finished(self) -> bool: ...

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]: ...


H = TypeVar("H", bound=_SyncHandle)


class AsyncHandle(Generic[H]):
    """What the awaitable handles of chat runs and workflows share (each adds its own typed
    and documented members)."""

    def __init__(self, run: H, bridge: Bridge) -> None:
        self._run = run
        self._bridge = bridge

    @property
    def sync(self) -> H:
        return self._run

    @property
    def id(self) -> str:
        return self._run.id

    @property
    def finished(self) -> bool:
        return self._run.finished

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self._run.on(event, fn)

    def __repr__(self) -> str:
        return f"Async{self._run!r}"


class AsyncTrackerEvents(Subscription[E], AsyncIterator[E]):
    """An async ``events()`` iterator, subscribed from the moment it is made (it must be made
    on the event loop's thread)."""

    def __init__(self, run: _Handle, timeout: float | None) -> None:
        tracker: Any = run._tracker  # duck-typed: the bridge acts as a queue
        ends = tracker.is_final
        bridge: QueueBridge[Any] = QueueBridge(
            asyncio.get_running_loop(), keep=lambda item: isinstance(item, Failed) or ends(item)
        )
        super().__init__(tracker, timeout, bridge)

    async def __anext__(self) -> E:
        if self._tracker is None:
            raise StopAsyncIteration
        try:
            item = await asyncio.wait_for(self._queue.queue.get(), self._timeout)
        except asyncio.TimeoutError:
            raise self._timed_out() from None
        return self._take(item)

    async def aclose(self) -> None:
        self.close()

    async def __aexit__(self, *exc: object) -> None:
        self.close()


_END = object()


E_co = TypeVar("E_co", covariant=True)


class _Stream(Protocol[E_co]):
    @property
    def last_event_id(self) -> int | None: ...

    def __next__(self) -> E_co: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=_Stream[Any])


class AsyncTrackerStream(AsyncIterator[E], Generic[S, E]):
    """An async ``stream_events()`` reader: each read runs on the shim's worker threads;
    ``close()`` cuts the connection at once."""

    def __init__(self, stream: S, bridge: Bridge) -> None:
        self._stream = stream
        self._bridge = bridge

    @property
    def last_event_id(self) -> int | None:
        return self._stream.last_event_id

    async def __anext__(self) -> E:
        item = await self._bridge.run(self._next)
        if item is _END:
            raise StopAsyncIteration
        event: E = item
        return event

    def _next(self) -> Any:
        try:
            return next(self._stream)
        except StopIteration:
            return _END

    def close(self) -> None:
        """Stop reading (non-blocking; the thing read goes on)."""
        self._stream.close()

    async def aclose(self) -> None:
        self.close()

    async def __aexit__(self, *exc: object) -> None:
        self.close()


async def wait_for_end(tracker: StreamTracker[Any, R], timeout: float | None) -> R:
    """``wait()`` of an async handle, without blocking the loop: the final record, the error it
    ended with, the pause error as soon as it waits for its user, or ``SogniTimeoutError``.
    Cancelling the awaiting task (or a timeout) stops only the waiting."""
    tracker.ensure_reader()
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def wake() -> None:
        try:
            loop.call_soon_threadsafe(changed.set)
        except RuntimeError:
            pass  # the loop is closed

    remove = tracker.add_waker(wake)
    deadline = None if timeout is None else loop.time() + timeout
    try:
        while True:
            changed.clear()
            future = tracker.future
            if future.done():
                return future.result()
            paused = tracker.pause_error()
            if paused is not None:
                raise paused
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                raise SogniTimeoutError(
                    f"{tracker._what} {tracker.key} is still running after {timeout}s "
                    "(wait() does not cancel it)"
                )
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass
    finally:
        remove()
