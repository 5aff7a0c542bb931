"""The SSE client: the frame parser, and ``SSEStream`` against a scripted server on loopback
(resume after a cut and after a stall, keep-alives, give-up, refusal, close from another
thread), parameterised the way each of its two users resumes: chat runs by the sequence in
``data`` through ``Last-Event-ID``, creative workflows by ``frame.id`` through ``?after=``."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import attrs
import pytest
from aiohttp import web

from sogni import ClientConfig
from sogni._transport.rest import RestClient
from sogni._transport.sse import SSEFrame, SSEParser, SSEStream, StreamRequest, parse_frames
from sogni.errors import ClientClosedError, NotFoundError, ServerError, SogniError

from ..helpers import FAST

TEXT = (
    ": stream open\n\n"
    'id: 1\nevent: step_started\ndata: {"a": 1}\n\n'
    'event: run_status\r\ndata: {"status": "running"}\r\n\r\n'
    "data: first line\ndata: second line\n\n"
    ": keep-alive\n: another comment\n\n"
    "id: 7\n: a comment inside\ndata:  two spaces\nretry: 5\n\n"
    "data: [1, 2]\nevent:\n\n"
    'id: 9\ndata: {"status": "completed"}'
)


def test_frames_are_parsed_as_the_service_sends_them() -> None:
    frames = parse_frames(TEXT)
    assert [(f.event, f.id, f.data) for f in frames] == [
        ("step_started", "1", {"a": 1}),
        ("run_status", None, {"status": "running"}),
        ("message", None, "first line\nsecond line"),
        ("message", "7", " two spaces"),
        ("message", None, [1, 2]),
        ("message", "9", {"status": "completed"}),
    ]


def test_frames_split_anywhere_parse_the_same() -> None:
    whole = parse_frames(TEXT)
    for cut in range(1, len(TEXT)):
        parser = SSEParser()
        frames = parser.feed(TEXT[:cut]) + parser.feed(TEXT[cut:]) + parser.finish()
        assert frames == whole, cut


def test_a_comment_only_frame_is_dropped_and_an_empty_stream_has_none() -> None:
    assert parse_frames(": keep-alive\n\n: again\n\n") == []
    assert parse_frames("") == []
    assert parse_frames("\n\n\n") == []


# --------------------------------------------------------------------------- a scripted server

Script = Callable[[web.Request, web.StreamResponse, int], Awaitable[None]]


class Server:
    """An aiohttp app on 127.0.0.1 whose ``/stream`` runs ``script(request, response, n)`` for
    the n-th connection (from 0); every request is recorded."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: Script | None = None
        self.status_for: Callable[[int], int] = lambda n: 200
        self.headers_delay = 0.0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_get("/stream", self._stream)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        n = len(self.requests)
        self.requests.append({"query": dict(request.query), "headers": dict(request.headers)})
        status = self.status_for(n)
        await asyncio.sleep(self.headers_delay)  # a server slow to answer at all
        if status != 200:
            return web.json_response(
                {"status": "error", "message": f"no ({status})"}, status=status
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        assert self.script is not None
        try:
            await self.script(request, response, n)
        except (ConnectionError, RuntimeError):
            pass
        return response

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture
def make_rest(server: Server) -> Iterator[Callable[..., tuple[RestClient, ClientConfig]]]:
    """``make_rest(**timeouts)``: a REST client for ``server`` (closed after the test)."""
    made: list[RestClient] = []

    def make(**timeouts: float) -> tuple[RestClient, ClientConfig]:
        config = ClientConfig(
            rest_endpoint=server.url,
            timeouts=attrs.evolve(
                FAST,
                **{"sse_idle": 1.0, "reconnect_base": 0.02, "reconnect_max": 0.1, **timeouts},
            ),
        )
        client = RestClient(config)
        made.append(client)
        return client, config

    yield make
    for client in made:
        client.close()


def _workflow_stream(rest: RestClient, config: ClientConfig) -> SSEStream[str]:
    """Resumed the way creative workflows resume: ``frame.id`` sent as ``?after=`` (and
    ``Last-Event-ID``); the frame whose ``data.status`` is terminal is the last one."""

    def request(key: str | None) -> StreamRequest:
        if key is None:
            return StreamRequest(headers={"Accept": "text/event-stream"})
        return StreamRequest(params={"after": key}, headers={"Last-Event-ID": key})

    def terminal(frame: SSEFrame) -> bool:
        data = frame.data
        return isinstance(data, dict) and data.get("status") in ("completed", "failed", "cancelled")

    return SSEStream(
        rest,
        config,
        "/stream",
        resume_request=request,
        resume_key=lambda frame: frame.id,
        is_terminal=terminal,
    )


def _run_stream(rest: RestClient, config: ClientConfig) -> SSEStream[int]:
    """Resumed the way chat runs resume: ``data.sequence`` through ``Last-Event-ID``;
    ``run_status`` snapshot frames skipped; a terminal event type ends it."""

    def request(key: int | None) -> StreamRequest:
        return StreamRequest(headers={} if key is None else {"Last-Event-ID": str(key)})

    def key(frame: SSEFrame) -> int | None:
        if frame.event == "run_status" or not isinstance(frame.data, dict):
            return None
        sequence = frame.data.get("sequence")
        return sequence if isinstance(sequence, int) else None

    return SSEStream(
        rest,
        config,
        "/stream",
        resume_request=request,
        resume_key=key,
        is_terminal=lambda f: isinstance(f.data, dict) and f.data.get("type") == "run_completed",
        keep=lambda frame: frame.event != "run_status",
    )


async def _send(response: web.StreamResponse, text: str) -> None:
    await response.write(text.encode())


def _event(sequence: int, kind: str = "delta") -> str:
    return f'id: {sequence}\nevent: {kind}\ndata: {{"sequence": {sequence}, "type": "{kind}"}}\n\n'


def test_a_workflow_stream_resumes_after_a_cut_by_frame_id(
    server: Server, make_rest: Callable[..., tuple[RestClient, ClientConfig]]
) -> None:
    async def script(request: web.Request, response: web.StreamResponse, n: int) -> None:
        if n == 0:
            for i in (1, 2, 3):
                await _send(response, f'id: {i}\ndata: {{"status": "running", "step": {i}}}\n\n')
            assert request.transport is not None
            request.transport.abort()  # cut mid-stream
            return
        after = int(request.query["after"])
        for i in range(after + 1, 6):
            status = "completed" if i == 5 else "running"
            await _send(response, f'id: {i}\ndata: {{"status": "{status}", "step": {i}}}\n\n')
        await _send(response, 'id: 6\ndata: {"status": "running"}\n\n')  # after the end

    server.script = script
    frames = list(_workflow_stream(*make_rest()))
    assert [f.id for f in frames] == ["1", "2", "3", "4", "5"]
    assert [r["query"] for r in server.requests] == [{}, {"after": "3"}]
    assert server.requests[1]["headers"]["Last-Event-ID"] == "3"
    assert "Last-Event-ID" not in server.requests[0]["headers"]


def test_a_run_stream_skips_snapshots_resumes_after_a_stall_and_keep_alives_are_traffic(
    server: Server, make_rest: Callable[..., tuple[RestClient, ClientConfig]]
) -> None:
    async def script(request: web.Request, response: web.StreamResponse, n: int) -> None:
        await _send(response, 'event: run_status\ndata: {"status": "running"}\n\n')
        if n == 0:
            await _send(response, _event(0, "run_created") + _event(1))
            # Keep-alives for three times the idle timeout: the stream is alive.
            for _ in range(12):
                await asyncio.sleep(0.05)
                await _send(response, ": keep-alive\n\n")
            await _send(response, _event(2))
            await asyncio.sleep(5)  # then silence: a stall
            return
        await _send(response, _event(3) + _event(4, "run_completed"))

    server.script = script
    started = time.monotonic()
    stream = _run_stream(*make_rest(sse_idle=0.2))
    assert [f.data["sequence"] for f in stream] == [0, 1, 2, 3, 4]
    assert [r["headers"].get("Last-Event-ID") for r in server.requests] == [None, "2"]
    assert stream.connections == 2
    assert time.monotonic() - started < 3


def test_a_refused_stream_fails_at_once(
    server: Server, make_rest: Callable[..., tuple[RestClient, ClientConfig]]
) -> None:
    server.status_for = lambda n: 404
    with pytest.raises(NotFoundError, match=r"no \(404\)"):
        list(_run_stream(*make_rest()))
    assert len(server.requests) == 1


def test_a_stream_that_cannot_be_resumed_gives_up_with_the_last_error(
    server: Server, make_rest: Callable[..., tuple[RestClient, ClientConfig]]
) -> None:
    async def script(request: web.Request, response: web.StreamResponse, n: int) -> None:
        await _send(response, _event(0, "run_created"))
        assert request.transport is not None
        request.transport.abort()

    server.script = script
    server.status_for = lambda n: 200 if n == 0 else 503
    started = time.monotonic()
    stream = _run_stream(*make_rest(rest_total=0.6))
    assert next(stream).data["sequence"] == 0
    with pytest.raises(ServerError, match=r"no \(503\)"):
        next(stream)
    assert 0.6 <= time.monotonic() - started < 3
    assert len(server.requests) > 3
    assert all(r["headers"]["Last-Event-ID"] == "0" for r in server.requests[1:])


@pytest.mark.parametrize("error", [None, ClientClosedError("stopped")], ids=["quiet", "error"])
def test_close_from_another_thread_interrupts_a_blocked_read(
    server: Server,
    make_rest: Callable[..., tuple[RestClient, ClientConfig]],
    error: SogniError | None,
) -> None:
    async def script(request: web.Request, response: web.StreamResponse, n: int) -> None:
        await _send(response, _event(0, "run_created"))
        await asyncio.sleep(30)  # keeps the connection open and silent

    server.script = script
    stream = _run_stream(*make_rest(sse_idle=30.0))
    assert next(stream).data["sequence"] == 0
    outcome: list[Any] = []

    def read() -> None:
        try:
            outcome.append(next(stream))
        except StopIteration:
            outcome.append("ended")
        except SogniError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.2)  # let it block in the socket read; the close must interrupt that
    started = time.monotonic()
    stream.close(error)
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 2
    assert outcome == (["ended"] if error is None else [error])
    assert len(server.requests) == 1  # no reconnect after close


def test_closing_the_rest_client_ends_a_stream(
    server: Server, make_rest: Callable[..., tuple[RestClient, ClientConfig]]
) -> None:
    async def script(request: web.Request, response: web.StreamResponse, n: int) -> None:
        await _send(response, _event(0, "run_created"))
        await asyncio.sleep(30)

    server.script = script
    rest, config = make_rest(sse_idle=30.0)
    stream = _run_stream(rest, config)
    next(stream)
    timer = threading.Timer(0.2, rest.close)
    timer.start()
    started = time.monotonic()
    with pytest.raises(ClientClosedError):
        next(stream)
    assert time.monotonic() - started < 2
    timer.join()


def test_close_interrupts_a_connection_still_waiting_for_its_answer(
    server: Server, make_rest: Callable[..., tuple[RestClient, ClientConfig]]
) -> None:
    server.headers_delay = 30.0
    stream = _run_stream(*make_rest(sse_idle=30.0))
    outcome: list[Any] = []

    def read() -> None:
        try:
            outcome.append(next(stream))
        except StopIteration:
            outcome.append("ended")

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # the request is out: the reader now waits for the answer's headers
    started = time.monotonic()
    stream.close()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 2
    assert outcome == ["ended"] and len(server.requests) == 1
