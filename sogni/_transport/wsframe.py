"""A small RFC 6455 WebSocket client: the opening handshake and the frame codec.

Only what the transport needs: one connection over a socket the caller has already opened (TCP,
and TLS when the URL says ``wss``), no extensions, no sub-protocols, no redirects, no Origin.
Frames are read through one buffer: a burst of small frames costs one ``recv`` for many, and
a frame too large for the buffer is received straight into its own ``bytearray``.

A :class:`WebSocket` is owned by one thread. After any exception from it (a timeout included)
the connection is in an unknown state and must be dropped.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = [
    "OP_BINARY",
    "OP_CLOSE",
    "OP_CONTINUATION",
    "OP_DROPPED",
    "OP_PING",
    "OP_PONG",
    "OP_TEXT",
    "FrameViolation",
    "HandshakeError",
    "PeerGone",
    "WebSocket",
    "WebSocketError",
    "accept_key",
    "encode_frame",
    "open_websocket",
    "upgrade_request",
]

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA
# What recv() returns for a message over ``keep_size``: read and thrown away as it arrived,
# never held in memory. The payload is then its length, as ASCII digits.
OP_DROPPED = -1

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# The most a read asks the socket for. Below glibc's mmap threshold, so the buffer recv()
# allocates comes from the heap, not a fresh mapping each time.
_CHUNK = 65536
# A frame missing more than this is received straight into its own buffer (see _receive_into).
_DIRECT = 16 * 1024
# From this size on a payload is masked lane by lane (see _mask).
_STRIDED = 128 * 1024
# An upgrade response's status line and headers; anything longer is not a WebSocket server.
_MAX_RESPONSE_HEAD = 64 * 1024
# Close codes an endpoint may put on the wire (1004-1006 and 1015 are for local use only).
_SENDABLE_CLOSE = frozenset(range(1000, 1004)) | frozenset(range(1007, 1015))
# A header name is an HTTP token; a value may not break the request's lines.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\r\n\x00]")


class WebSocketError(Exception):
    """The connection failed; nothing in the message comes from the request's headers."""


class HandshakeError(WebSocketError):
    """The upgrade did not produce a WebSocket. ``status_code`` is the HTTP status of a refusal
    (None when the response was not a refusal but wrong, e.g. a bad ``Sec-WebSocket-Accept``)."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message, status_code)
        self.status_code = status_code

    def __str__(self) -> str:
        return str(self.args[0])


class FrameViolation(WebSocketError):
    """The server broke the framing rules (``code`` 1002) or sent a message too big to take
    (``code`` 1009): the connection must be closed with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason} ({self.code})"


class PeerGone(WebSocketError):
    """The server ended the TCP connection without a close frame."""


# --------------------------------------------------------------------------- the handshake


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` a server must answer to ``Sec-WebSocket-Key: key``."""
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + _GUID).digest()).decode("ascii")


def upgrade_request(url: str, headers: Mapping[str, str], key: str) -> bytes:
    """The upgrade request for ``url`` (``ws://`` or ``wss://``), in the order the official
    clients write theirs, followed by ``headers`` (the credentials)."""
    parts = urlsplit(url)
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != (443 if secure else 80):
        host = f"{host}:{port}"
    resource = parts.path or "/"
    if parts.query:
        resource = f"{resource}?{parts.query}"
    lines = [
        f"GET {resource} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    for name, value in headers.items():
        # Checked, not escaped: a header value with a line break would smuggle in headers.
        # The value is a credential, so the message names only the header.
        if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise ValueError(f"the {name!r} header of the upgrade is not a valid header")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("utf-8")


def _tokens(value: str | None) -> list[str]:
    return [t.strip().lower() for t in (value or "").split(",")]


def _read_response_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """The response's head (up to the blank line) and whatever came after it (frames the
    server sent at once, ``authenticated`` say)."""
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            raise HandshakeError("the server closed the connection during the WebSocket upgrade")
        data += chunk
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            return data[:end], data[end + 4 :]
        if len(data) > _MAX_RESPONSE_HEAD:
            raise HandshakeError("the answer to the WebSocket upgrade is not HTTP")


def _check_response(head: bytes, key: str) -> None:
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/1."):
        raise HandshakeError("the answer to the WebSocket upgrade is not HTTP")
    try:
        status = int(status_line[1])
    except ValueError:
        raise HandshakeError("the answer to the WebSocket upgrade is not HTTP") from None
    if status != 101:
        raise HandshakeError(f"the WebSocket upgrade was refused with HTTP {status}", status)
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            name = name.strip().lower()
            value = value.strip()
            fields[name] = f"{fields[name]}, {value}" if name in fields else value
    if "websocket" not in _tokens(fields.get("upgrade")):
        raise HandshakeError("the server answered the upgrade without 'Upgrade: websocket'")
    if "upgrade" not in _tokens(fields.get("connection")):
        raise HandshakeError("the server answered the upgrade without 'Connection: Upgrade'")
    if fields.get("sec-websocket-accept") != accept_key(key):
        raise HandshakeError(
            "the server's Sec-WebSocket-Accept does not match the key sent: "
            "not a WebSocket server (or a proxy in the way)"
        )
    # None was offered; a server that picks one anyway would frame differently (RFC 6455 4.1).
    for offered in ("sec-websocket-extensions", "sec-websocket-protocol"):
        if fields.get(offered):
            raise HandshakeError(f"the server chose a {offered.title()} that was not offered")


def open_websocket(
    sock: socket.socket,
    url: str,
    headers: Mapping[str, str],
    *,
    timeout: float,
    keep_size: int,
    max_size: int,
) -> WebSocket:
    """Upgrade the connected ``sock`` to a WebSocket for ``url`` (raises :class:`HandshakeError`,
    ``OSError`` or ``ValueError``; ``TimeoutError`` when the server is silent for ``timeout``)."""
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    request = upgrade_request(url, headers, key)
    sock.settimeout(timeout)
    sock.sendall(request)
    head, rest = _read_response_head(sock)
    _check_response(head, key)
    return WebSocket(sock, rest, keep_size=keep_size, max_size=max_size)


# --------------------------------------------------------------------------- frames


def _mask(payload: bytes, mask: bytes) -> bytes | bytearray:
    """``payload`` XOR the repeated 4-byte ``mask``, in C loops rather than a Python step per
    byte: as big integers for small payloads; for big ones, each of the four byte lanes through
    a translation table (twice as fast as the integers from a few hundred KiB on)."""
    n = len(payload)
    if n < _STRIDED:
        if not n:
            return b""
        key = (mask * ((n >> 2) + 1))[:n]
        return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(
            n, "little"
        )
    out = bytearray(payload)
    for lane in range(4):
        table = bytes(b ^ mask[lane] for b in range(256))
        out[lane::4] = payload[lane::4].translate(table)
    return out


def encode_frame(
    opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None
) -> bytes:
    """One frame. A client masks every frame (``mask`` is its 4-byte key); a server never does."""
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    bit = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes((first, bit | n))
    elif n < 65536:
        head = bytes((first, bit | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((first, bit | 127)) + n.to_bytes(8, "big")
    if mask is None:
        return head + payload
    return head + mask + _mask(payload, mask)


class WebSocket:
    """One client connection. ``recv`` reads the next message or control frame; the ``send_*``
    methods write one masked frame each."""

    __slots__ = ("_close_sent", "_data", "_keep", "_max", "_message", "_parts", "_pos", "sock")

    def __init__(
        self, sock: socket.socket, data: bytes = b"", *, keep_size: int, max_size: int
    ) -> None:
        self.sock = sock
        # Received bytes not parsed yet start at ``_pos``: one slice per frame, no copying of
        # what follows it.
        self._data = data
        self._pos = 0
        self._keep = keep_size
        self._max = max(max_size, keep_size)
        self._close_sent = False
        # A fragmented message that a control frame interrupted: its fragments so far, and
        # (opcode, size, dropping). Kept only between two recv() calls.
        self._parts: list[bytes] | None = None
        self._message = (0, 0, False)

    # ------------------------------------------------------------------ writing

    def send_text(self, text: str) -> None:
        self._send(OP_TEXT, text.encode("utf-8"))

    def send_binary(self, data: bytes) -> None:
        self._send(OP_BINARY, data)

    def ping(self, payload: bytes = b"") -> None:
        self._send(OP_PING, payload[:125])

    def pong(self, payload: bytes = b"") -> None:
        self._send(OP_PONG, payload[:125])

    def send_close(self, code: int = 1000, reason: bytes = b"") -> None:
        """Say goodbye (once; nothing may follow a close frame)."""
        if self._close_sent:
            return
        self._close_sent = True
        self._send(OP_CLOSE, code.to_bytes(2, "big") + reason[:123])

    def _send(self, opcode: int, payload: bytes) -> None:
        self.sock.sendall(encode_frame(opcode, payload, mask=os.urandom(4)))

    # ------------------------------------------------------------------ reading

    def pending(self) -> bool:
        """Whether ``recv`` can start without waiting for the socket: a whole frame is buffered,
        or a frame's header that it refuses at once (the rest may never come)."""
        data = self._data
        pos = self._pos
        avail = len(data) - pos
        if avail < 2:
            return False
        b0 = data[pos]
        b1 = data[pos + 1]
        n = b1 & 0x7F
        head = 2 if n < 126 else 4 if n == 126 else 10
        if avail < head:
            return False
        if n >= 126:
            n = int.from_bytes(data[pos + 2 : pos + head], "big")
        if avail >= head + n:
            return True
        return bool(b1 & 0x80 or b0 & 0x70 or n > self._max or (b0 & 0x08 and n > 125))

    def recv(self) -> tuple[int, bytes]:
        """The next message (``OP_TEXT``/``OP_BINARY``, fragments joined), control frame
        (``OP_PING``, answered here; ``OP_PONG``; ``OP_CLOSE``, answered here) or
        ``OP_DROPPED``. Raises :class:`FrameViolation`, :class:`PeerGone` or ``OSError``
        (``TimeoutError`` when the server stalls for the socket's timeout mid-frame)."""
        # A fragmented message so far; its opcode, size, and whether it outgrew keep_size (the
        # rest is then read and thrown away).
        parts = self._parts
        message_opcode, size, dropping = self._message if parts is not None else (0, 0, False)
        while True:
            data = self._data
            pos = self._pos
            avail = len(data) - pos
            if avail < 2:
                self._fill()
                continue
            b0 = data[pos]
            n = data[pos + 1]
            if n & 0x80:
                raise FrameViolation(1002, "the server masked a frame")
            if n < 126:
                start = pos + 2
            elif n == 126:
                if avail < 4:
                    self._fill()
                    continue
                n = (data[pos + 2] << 8) | data[pos + 3]
                start = pos + 4
            else:
                if avail < 10:
                    self._fill()
                    continue
                n = int.from_bytes(data[pos + 2 : pos + 10], "big")
                if n >> 63:
                    raise FrameViolation(1002, "a frame length with its top bit set")
                start = pos + 10
            if b0 & 0x70:
                raise FrameViolation(1002, "a frame with reserved bits set")
            opcode = b0 & 0x0F
            control = opcode & 0x08
            if control:
                if not b0 & 0x80 or n > 125 or opcode > OP_PONG:
                    raise FrameViolation(1002, "a malformed control frame")
                total = size
                drop = False
            else:
                if opcode == OP_CONTINUATION:
                    if parts is None:
                        raise FrameViolation(1002, "a continuation frame outside a message")
                    total = size + n
                elif opcode > OP_BINARY:
                    raise FrameViolation(1002, f"unknown opcode {opcode}")
                elif parts is not None:
                    raise FrameViolation(1002, "a new message inside a fragmented one")
                else:
                    total = n
                if total > self._max:
                    raise FrameViolation(1009, f"a message of more than {self._max} bytes")
                drop = dropping or total > self._keep
            # Nothing above changed any state: a frame not fully buffered is parsed again.
            end = start + n
            if drop:
                self._skip(start, n)
                payload = b""
            elif end <= len(data):
                payload = data[start:end]
                self._pos = end
            elif end - len(data) <= _DIRECT:
                self._fill()  # the rest is near: read on into the buffer, parse again
                continue
            else:
                payload = self._receive_into(start, n)
            if control:
                # Between the fragments of a message: it goes on at the next call.
                self._parts = parts
                if parts is not None:
                    self._message = (message_opcode, size, dropping)
                if opcode == OP_PING:
                    self.pong(payload)
                elif opcode == OP_CLOSE:
                    self._answer_close(payload)
                return opcode, payload
            size = total
            if opcode:
                message_opcode = opcode
            if drop and not dropping:
                dropping = True
                parts = [] if parts is not None else None
            if b0 & 0x80:  # the message's last frame
                self._parts = None
                if dropping:
                    return OP_DROPPED, str(size).encode("ascii")
                if parts is None:
                    return opcode, payload
                parts.append(payload)
                return message_opcode, b"".join(parts)
            if parts is None:
                parts = []
            if not dropping:
                parts.append(payload)

    def _fill(self) -> None:
        chunk = self.sock.recv(_CHUNK)
        if not chunk:
            raise PeerGone("the server ended the connection without a close frame")
        pos = self._pos
        data = self._data
        self._data = data[pos:] + chunk if pos < len(data) else chunk
        self._pos = 0

    def _receive_into(self, start: int, n: int) -> bytes:
        """A payload far bigger than what is buffered: received straight into its own buffer,
        so that a big frame is copied once, not once per chunk."""
        data = self._data
        payload = bytearray(n)
        have = len(data) - start
        payload[:have] = data[start:]
        self._data = b""
        self._pos = 0
        with memoryview(payload) as view:
            while have < n:
                got = self.sock.recv_into(view[have:])
                if not got:
                    raise PeerGone("the server ended the connection without a close frame")
                have += got
        return bytes(payload)

    def _skip(self, start: int, n: int) -> None:
        """Consume ``n`` payload bytes from ``start`` without keeping them."""
        data = self._data
        if start + n <= len(data):
            self._pos = start + n
            return
        left = n - (len(data) - start)
        self._data = b""
        self._pos = 0
        scratch = bytearray(min(left, _CHUNK))
        with memoryview(scratch) as view:
            while left > 0:
                got = self.sock.recv_into(view[: min(left, len(scratch))])
                if not got:
                    raise PeerGone("the server ended the connection without a close frame")
                left -= got

    def _answer_close(self, payload: bytes) -> None:
        """Answer the server's close with its code, as the official clients do."""
        if len(payload) == 1:
            raise FrameViolation(1002, "a close frame with a one-byte body")
        code = int.from_bytes(payload[:2], "big") if payload else 0
        sendable = code in _SENDABLE_CLOSE or 3000 <= code <= 4999
        try:
            if sendable:
                self.send_close(code)
            elif not self._close_sent:
                self._close_sent = True
                self._send(OP_CLOSE, b"")
        except OSError:
            pass  # the server may already have gone; its close is what matters
