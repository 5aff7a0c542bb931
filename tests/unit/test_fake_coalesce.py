"""The fake's write coalescing under aiohttp's WebSocket writer (sogni.testing._coalesce), against
a transport that records what reaches the socket."""

from __future__ import annotations

import asyncio
from typing import Any

from sogni.testing._coalesce import CoalescingTransport


class _Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.events.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.events.append("close")
        self.closing = True

    def abort(self) -> None:
        self.events.append("abort")
        self.closing = True

    def get_write_buffer_size(self) -> int:
        return 7


def _text(payload: bytes) -> bytes:
    return bytes([0x81, len(payload)]) + payload  # FIN + text, unmasked, short length


def _run(body: Any) -> None:
    asyncio.run(body())


def test_frames_of_one_turn_reach_the_socket_in_one_write_at_the_next() -> None:
    async def body() -> None:
        real = _Recorder()
        out = CoalescingTransport(real, asyncio.get_running_loop())
        out.write(_text(b"a"))
        out.writelines([_text(b"b"), _text(b"c")])
        assert real.events == []
        assert out.get_write_buffer_size() == 9 + 7
        await asyncio.sleep(0)
        assert real.events == [_text(b"a") + _text(b"b") + _text(b"c")]
        await asyncio.sleep(0)
        assert len(real.events) == 1

    _run(body)


def test_a_control_frame_pushes_out_what_was_written_before_it() -> None:
    async def body() -> None:
        real = _Recorder()
        out = CoalescingTransport(real, asyncio.get_running_loop())
        out.write(_text(b"a"))
        close = bytes([0x88, 2]) + (1000).to_bytes(2, "big")
        out.write(close)
        assert real.events == [_text(b"a") + close]
        out.write(bytes([0x89, 0]))  # a ping alone
        assert real.events[-1] == bytes([0x89, 0])
        await asyncio.sleep(0)
        assert len(real.events) == 2

    _run(body)


def test_a_big_write_goes_out_at_once() -> None:
    async def body() -> None:
        real = _Recorder()
        out = CoalescingTransport(real, asyncio.get_running_loop())
        out.write(_text(b"a"))
        big = bytes(1 << 16)  # a big frame's payload, written after its header
        out.write(big)
        assert real.events == [_text(b"a") + big]

    _run(body)


def test_close_and_abort_push_out_what_was_written_first() -> None:
    async def body() -> None:
        for action in ("close", "abort"):
            real = _Recorder()
            out = CoalescingTransport(real, asyncio.get_running_loop())
            out.write(_text(b"a"))
            getattr(out, action)()
            assert real.events == [_text(b"a"), action]

    _run(body)


def test_nothing_is_written_to_a_transport_that_is_closing() -> None:
    async def body() -> None:
        real = _Recorder()
        out = CoalescingTransport(real, asyncio.get_running_loop())
        out.write(_text(b"a"))
        real.closing = True
        assert out.is_closing()  # the real transport's answer
        await asyncio.sleep(0)
        assert real.events == []

    _run(body)
