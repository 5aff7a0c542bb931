"""Fewer socket writes for the fake's WebSocket connections.

aiohttp writes every WebSocket frame to the socket at once: one ``send`` system call per frame,
the largest cost of a project's dozen frames when a thousand projects run. :func:`coalesce`
puts :class:`CoalescingTransport` between aiohttp's frame writer and the socket: the frames
written during one turn of the event loop leave in one ``send`` at the start of the next.

Nothing about the frames changes, only how they are packed into TCP segments. Order is kept:
every frame, control frames included, goes through the same buffer, and a control frame (a
close, ping or pong), a big write, ``close()`` and ``abort()`` push out what is buffered before
they act, so a close frame never overtakes the data sent before it.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["CoalescingTransport", "coalesce"]

# Past this many buffered bytes the buffer is written at once: aiohttp's flow control (it waits
# for the socket to drain past 64 KiB) must see the bytes in the real transport.
_FLUSH_AT = 1 << 16
# The opcode bit that marks a control frame (close 0x8, ping 0x9, pong 0xA) in a frame's first
# byte. A write that does not start a frame (the payload of a big frame, written on its own)
# may match too; that costs only an early flush.
_CONTROL = 0x08


class CoalescingTransport:
    """Buffers writes to ``transport`` until the event loop's next turn."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        chunk = bytes(data)
        if not chunk:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(chunk)
        self._size += len(chunk)
        if self._size >= _FLUSH_AT or chunk[0] & _CONTROL:
            self.flush()

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand what is buffered to the socket's transport (dropped once it is closing, as a
        write to a closing transport would be)."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self.flush()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._size + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        # Everything else (is_closing, get_extra_info, ...) is the real transport's.
        return getattr(self._transport, name)


def coalesce(ws: Any) -> CoalescingTransport | None:
    """Put a :class:`CoalescingTransport` under ``ws`` (a prepared aiohttp
    ``WebSocketResponse``). None, and nothing changed, when this aiohttp keeps its writer
    elsewhere than this module expects."""
    writer = getattr(ws, "_writer", None)
    transport = getattr(writer, "transport", None)
    if not isinstance(transport, asyncio.Transport):
        return None
    proxy = CoalescingTransport(transport, asyncio.get_running_loop())
    writer.transport = proxy  # type: ignore[union-attr]
    return proxy
