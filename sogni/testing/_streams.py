"""What the fake's event streams of durable things (chat runs, creative workflows) share: the
open streams and the control plane's cuts, opening a stream response, writing a frame, and the
URL rule for media the services refuse inline."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web

__all__ = ["OpenStream", "StreamRoutes", "bad_url", "end_stream", "write_event"]


class _Pokeable(Protocol):
    def poke(self) -> None: ...


T = TypeVar("T", bound=_Pokeable)


class OpenStream(Generic[T]):
    """One open event stream of ``rec``."""

    def __init__(self, rec: T, request: web.Request) -> None:
        self.rec = rec
        self.request = request
        self.stalled = False
        self.cut = False

    @property
    def gone(self) -> bool:
        transport = self.request.transport
        return self.cut or transport is None or transport.is_closing()


class StreamRoutes(Generic[T]):
    """The open streams of a set of routes, which the control plane can cut."""

    def __init__(self) -> None:
        self.streams: set[OpenStream[T]] = set()

    def cut_streams(self) -> int:
        streams = list(self.streams)
        for stream in streams:
            stream.cut = True
            if stream.request.transport is not None:
                stream.request.transport.abort()
            stream.rec.poke()
        return len(streams)

    def open_streams(self) -> int:
        return sum(1 for s in self.streams if not s.gone)

    async def _open(
        self,
        request: web.Request,
        rec: T,
        serve: Callable[[OpenStream[T], web.StreamResponse], Awaitable[None]],
    ) -> web.StreamResponse:
        """Answer ``request`` with an event stream of ``rec`` that ``serve`` writes."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        stream = OpenStream(rec, request)
        self.streams.add(stream)
        try:
            await serve(stream, response)
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            pass  # the client left (or the stream was cut)
        finally:
            self.streams.discard(stream)
        return response


async def write_event(response: web.StreamResponse, event: dict[str, Any]) -> None:
    data = json.dumps(event, separators=(",", ":"))
    frame = f"id: {event['sequence']}\nevent: {event['type']}\ndata: {data}\n\n"
    await response.write(frame.encode())


async def end_stream(response: web.StreamResponse) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):
        await response.write_eof()


def bad_url(value: Any) -> bool:
    """A non-empty string that is not an http(s) URL (a data URI, a local path)."""
    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip().lower()
    return text.startswith("data:") or not text.startswith(("http://", "https://"))
