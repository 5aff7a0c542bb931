"""The WebSocket codec (``sogni._transport.wsframe``): frames and the upgrade over a socketpair
or a stub socket, checked against websocket-client's frame code, an independent reading of
RFC 6455."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websocket._abnf import ABNF, frame_buffer

from sogni._transport.close_codes import close_details
from sogni._transport.wsframe import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_DROPPED,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FrameViolation,
    HandshakeError,
    PeerGone,
    WebSocket,
    accept_key,
    open_websocket,
    upgrade_request,
)

BIG = 1 << 30
LENGTHS = (0, 1, 125, 126, 127, 65535, 65536, 200_003)


def frame(opcode: int, data: bytes, *, fin: int = 1, rsv: int = 0) -> bytes:
    """A server (unmasked) frame, written by websocket-client."""
    return ABNF(fin, rsv, 0, 0, opcode, 0, data).format()


class Stub:
    """A socket that hands out ``stream`` at most ``step`` bytes per read and records writes."""

    def __init__(self, stream: bytes, step: int) -> None:
        self.stream = stream
        self.at = 0
        self.step = step
        self.sent = bytearray()

    def recv(self, n: int) -> bytes:
        piece = self.stream[self.at : self.at + min(n, self.step)]
        self.at += len(piece)
        return piece

    def recv_into(self, view: Any) -> int:
        piece = self.recv(len(view))
        view[: len(piece)] = piece
        return len(piece)

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def frames(self) -> list[ABNF]:
        """What the client wrote, read by websocket-client (it unmasks)."""
        sent = Stub(bytes(self.sent), len(self.sent) or 1)
        reader = frame_buffer(sent.recv, True)
        out = []
        while sent.at < len(sent.stream):
            out.append(reader.recv_frame())
        return out


def stub_ws(stream: bytes, step: int = 1 << 20, keep: int = BIG, top: int = BIG) -> WebSocket:
    sock: Any = Stub(stream, step)
    return WebSocket(sock, keep_size=keep, max_size=top)


def sent_frames(ws: WebSocket) -> list[ABNF]:
    sock: Any = ws.sock
    frames: list[ABNF] = sock.frames()
    return frames


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    client, server = socket.socketpair()
    client.settimeout(5)
    server.settimeout(5)
    yield client, server
    client.close()
    server.close()


def in_thread(work: Callable[[], Any]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


# --------------------------------------------------------------------------- frames


@pytest.mark.parametrize("n", LENGTHS)
def test_client_frames_of_every_length_class_are_masked_and_read_back(
    pair: tuple[socket.socket, socket.socket], n: int
) -> None:
    client, server = pair
    ws = WebSocket(client, keep_size=BIG, max_size=BIG)
    payload = os.urandom(n)
    writer = in_thread(lambda: ws.send_binary(payload))
    head = server.recv(2, socket.MSG_PEEK | socket.MSG_WAITALL)
    got = frame_buffer(server.recv, True).recv_frame()
    writer.join(5)
    assert head[1] & 0x80  # masked
    assert head[1] & 0x7F == (n if n < 126 else 126 if n < 65536 else 127)
    assert (got.opcode, got.fin, got.data) == (OP_BINARY, 1, payload)


def test_text_is_sent_as_utf8(pair: tuple[socket.socket, socket.socket]) -> None:
    client, server = pair
    WebSocket(client, keep_size=BIG, max_size=BIG).send_text('{"type":"é€😀"}')
    got = frame_buffer(server.recv, True).recv_frame()
    assert (got.opcode, got.data) == (OP_TEXT, '{"type":"é€😀"}'.encode())


def test_masks_differ_from_frame_to_frame(pair: tuple[socket.socket, socket.socket]) -> None:
    client, server = pair
    ws = WebSocket(client, keep_size=BIG, max_size=BIG)
    for _ in range(2):
        ws.send_text("same text")
    raw = server.recv(100)
    assert len(raw) == 2 * (2 + 4 + 9)
    assert raw[2:6] != raw[17:21] and raw[6:15] != raw[21:30]


@pytest.mark.parametrize("n", LENGTHS)
def test_server_frames_of_every_length_class_are_read_whole(
    pair: tuple[socket.socket, socket.socket], n: int
) -> None:
    client, server = pair
    payload = os.urandom(n)
    writer = in_thread(lambda: server.sendall(frame(OP_BINARY, payload) + frame(OP_TEXT, b"x")))
    ws = WebSocket(client, keep_size=BIG, max_size=BIG)
    assert ws.recv() == (OP_BINARY, payload)
    assert ws.recv() == (OP_TEXT, b"x")
    writer.join(5)


@pytest.mark.parametrize("step", [1, 3, 1000, 1 << 20])
def test_frames_arriving_a_few_bytes_at_a_time(step: int) -> None:
    payloads = [os.urandom(n) for n in LENGTHS]
    stream = b"".join(frame(OP_BINARY, p) for p in payloads)
    ws = stub_ws(stream, step)
    assert [ws.recv() for _ in payloads] == [(OP_BINARY, p) for p in payloads]
    with pytest.raises(PeerGone):
        ws.recv()  # the stream ended without a close frame


def test_pending_says_whether_a_whole_frame_is_buffered() -> None:
    stream = frame(OP_TEXT, b"a" * 10) + frame(OP_TEXT, b"b" * 300) + frame(OP_TEXT, b"c" * 10)
    cut = len(stream) - 3
    ws = stub_ws(stream[:cut])
    assert not ws.pending()  # nothing read yet
    assert ws.recv() == (OP_TEXT, b"a" * 10)
    assert ws.pending()  # the 300-byte frame came with the first read
    assert ws.recv() == (OP_TEXT, b"b" * 300)
    assert not ws.pending()  # the last one is cut short


def test_pending_is_true_for_a_header_refused_before_its_payload() -> None:
    # The rest of a 1 GiB frame may never come: waiting for the socket would hang.
    header = bytes([0x82, 127]) + (1 << 30).to_bytes(8, "big")
    ws = WebSocket(Stub(b"", 1), header, keep_size=100, max_size=1000)  # type: ignore[arg-type]
    assert ws.pending()
    with pytest.raises(FrameViolation):
        ws.recv()
    assert not WebSocket(Stub(b"", 1), header[:9], keep_size=100, max_size=1000).pending()  # type: ignore[arg-type]


def test_fragments_are_joined_and_control_frames_between_them_handled() -> None:
    stream = b"".join(
        [
            frame(OP_TEXT, b"ab", fin=0),
            frame(OP_CONTINUATION, b"cd", fin=0),
            frame(OP_PING, b"are you there"),
            frame(OP_PONG, b"p"),
            frame(OP_CONTINUATION, b"ef"),
            frame(OP_BINARY, b"\x00\x01", fin=0),
            frame(OP_CONTINUATION, b"\x02"),
        ]
    )
    ws = stub_ws(stream, step=5)
    assert ws.recv() == (OP_PING, b"are you there")
    assert ws.recv() == (OP_PONG, b"p")
    assert ws.recv() == (OP_TEXT, b"abcdef")
    assert ws.recv() == (OP_BINARY, b"\x00\x01\x02")
    [pong] = sent_frames(ws)
    assert (pong.opcode, pong.data) == (OP_PONG, b"are you there")


def test_a_close_frame_gives_its_code_and_reason_and_is_answered_once() -> None:
    ws = stub_ws(frame(OP_CLOSE, (4015).to_bytes(2, "big") + "Switched — ok".encode()))
    opcode, body = ws.recv()
    assert opcode == OP_CLOSE
    assert close_details(body) == (4015, "Switched — ok")
    ws.send_close(1000, b"bye")  # after the answer: nothing more may be sent
    [answer] = sent_frames(ws)
    assert (answer.opcode, answer.data[:2]) == (OP_CLOSE, (4015).to_bytes(2, "big"))


def test_an_empty_close_frame_is_1005_and_answered_with_an_empty_one() -> None:
    ws = stub_ws(frame(OP_CLOSE, b""))
    opcode, body = ws.recv()
    assert (opcode, close_details(body)) == (OP_CLOSE, (1005, ""))
    [answer] = sent_frames(ws)
    assert (answer.opcode, answer.data) == (OP_CLOSE, b"")


def test_send_close_writes_code_and_reason() -> None:
    ws = stub_ws(b"")
    ws.send_close(1000, b"Client disconnected")
    [sent] = sent_frames(ws)
    assert (sent.opcode, sent.data) == (OP_CLOSE, b"\x03\xe8Client disconnected")


_MASKED_TEXT = bytes([0x81, 0x82, 1, 2, 3, 4, 0x60, 0x60])
_TOP_BIT_LENGTH = bytes([0x82, 127]) + (1 << 63).to_bytes(8, "big")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(_MASKED_TEXT, id="masked by the server"),
        pytest.param(frame(OP_TEXT, b"x", rsv=1), id="reserved bit"),
        pytest.param(bytes([0x83, 0]), id="unknown data opcode"),
        pytest.param(bytes([0x8B, 0]), id="unknown control opcode"),
        pytest.param(frame(OP_PING, b"x", fin=0), id="fragmented control frame"),
        pytest.param(bytes([0x89, 126, 0, 126]) + b"x" * 126, id="ping of 126 bytes"),
        pytest.param(frame(OP_CONTINUATION, b"x"), id="continuation outside a message"),
        pytest.param(
            frame(OP_TEXT, b"a", fin=0) + frame(OP_TEXT, b"b"), id="message inside a message"
        ),
        pytest.param(_TOP_BIT_LENGTH, id="64-bit length with its top bit set"),
        pytest.param(frame(OP_CLOSE, b"\x03"), id="close body of one byte"),
    ],
)
def test_malformed_frames_are_a_1002_violation(raw: bytes) -> None:
    ws = stub_ws(raw, step=2)
    with pytest.raises(FrameViolation) as info:
        ws.recv()
    assert info.value.code == 1002


def test_a_message_over_max_size_is_a_1009_before_its_payload_is_read() -> None:
    # Only the header of a 1 GiB frame arrives: the verdict must not wait for the payload.
    ws = stub_ws(bytes([0x82, 127]) + (1 << 30).to_bytes(8, "big"), keep=100, top=1000)
    with pytest.raises(FrameViolation) as info:
        ws.recv()
    assert info.value.code == 1009


def test_fragments_adding_up_to_more_than_max_size_are_a_1009() -> None:
    stream = frame(OP_TEXT, b"a" * 600, fin=0) + frame(OP_CONTINUATION, b"b" * 600)
    with pytest.raises(FrameViolation) as info:
        stub_ws(stream, keep=100, top=1000).recv()
    assert info.value.code == 1009


def test_a_message_over_keep_size_is_dropped_and_the_next_one_read() -> None:
    stream = b"".join(
        [
            frame(OP_TEXT, b"a" * 5000),
            frame(OP_TEXT, b"b" * 60, fin=0),
            frame(OP_PING, b""),
            frame(OP_CONTINUATION, b"c" * 60),  # 120 bytes in all: over keep_size
            frame(OP_TEXT, b"next"),
        ]
    )
    ws = stub_ws(stream, step=7, keep=100, top=10_000)
    assert ws.recv() == (OP_DROPPED, b"5000")
    assert ws.recv() == (OP_PING, b"")
    assert ws.recv() == (OP_DROPPED, b"120")
    assert ws.recv() == (OP_TEXT, b"next")


# --------------------------------------------------------------------------- the upgrade


def test_the_upgrade_request_names_its_headers_in_the_official_order() -> None:
    request = upgrade_request(
        "ws://127.0.0.1:8080/?appId=a&clientName=Sogni%2F3", {"api-key": "k-1"}, "S0VZ"
    )
    assert request.decode().split("\r\n") == [
        "GET /?appId=a&clientName=Sogni%2F3 HTTP/1.1",
        "Host: 127.0.0.1:8080",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: S0VZ",
        "Sec-WebSocket-Version: 13",
        "api-key: k-1",
        "",
        "",
    ]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("wss://socket.sogni.ai/", "socket.sogni.ai"),
        ("wss://socket.sogni.ai:443", "socket.sogni.ai"),
        ("ws://example.test:80/", "example.test"),
        ("ws://example.test:443/", "example.test:443"),
        ("wss://[::1]:9000/", "[::1]:9000"),
    ],
)
def test_the_host_header_leaves_out_the_scheme_default_port(url: str, host: str) -> None:
    assert f"\r\nHost: {host}\r\n" in upgrade_request(url, {}, "k").decode()


def test_a_header_that_would_break_the_request_is_refused_without_naming_its_value() -> None:
    with pytest.raises(ValueError) as info:
        upgrade_request("ws://h/", {"api-key": "sk-secret\r\nX-Evil: 1"}, "k")
    assert "sk-secret" not in str(info.value) and "api-key" in str(info.value)


def test_accept_key_is_the_rfc_example() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455, 1.3


def _serve_upgrade(
    server: socket.socket, answer: Callable[[str], bytes], *, hang_up: bool = False
) -> list[str]:
    """Read one upgrade request and write ``answer(key)`` (then end the connection when
    ``hang_up``); the request's lines are returned through the list (filled by the thread)."""
    lines: list[str] = []

    def serve() -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += server.recv(4096)
        lines.extend(data.decode().split("\r\n"))
        key = next(v for k, _, v in (x.partition(": ") for x in lines) if k == "Sec-WebSocket-Key")
        server.sendall(answer(key))
        if hang_up:
            # The client may have judged the answer and the test closed this end already.
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_WR)

    in_thread(serve)
    return lines


def _switching(accept: str, extra: str = "") -> bytes:
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
    ).encode()


def test_an_upgrade_keeps_the_frames_that_came_with_the_answer(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    lines = _serve_upgrade(
        server, lambda key: _switching(accept_key(key)) + frame(OP_TEXT, b"authenticated")
    )
    ws = open_websocket(
        client, "ws://127.0.0.1:9/?a=1", {"api-key": "k"}, timeout=5, keep_size=BIG, max_size=BIG
    )
    assert ws.recv() == (OP_TEXT, b"authenticated")
    assert lines[0] == "GET /?a=1 HTTP/1.1" and "api-key: k" in lines
    assert not any(line.lower().startswith(("origin:", "user-agent:")) for line in lines)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda key: _switching("bm90IHRoZSBrZXk="), "Sec-WebSocket-Accept does not match"),
        (lambda key: _switching(accept_key(key) + "x"), "Sec-WebSocket-Accept does not match"),
        (lambda key: b"HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n\r\n", "Upgrade: websocket"),
        (
            lambda key: _switching(
                accept_key(key), "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            ),
            "not offered",
        ),
        (lambda key: b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "not HTTP"),
        (lambda key: b"HTTP/1.1 101", "closed the connection during the WebSocket upgrade"),
    ],
)
def test_a_wrong_answer_to_the_upgrade_is_a_clear_error(
    pair: tuple[socket.socket, socket.socket], answer: Callable[[str], bytes], message: str
) -> None:
    client, server = pair
    _serve_upgrade(server, answer, hang_up=True)
    with pytest.raises(HandshakeError, match=message) as info:
        open_websocket(client, "ws://h/", {}, timeout=5, keep_size=BIG, max_size=BIG)
    assert info.value.status_code is None


def test_a_refused_upgrade_carries_its_status_and_no_header(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    _serve_upgrade(server, lambda key: b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}")
    with pytest.raises(HandshakeError) as info:
        open_websocket(
            client, "ws://h/", {"api-key": "sk-hidden"}, timeout=5, keep_size=BIG, max_size=BIG
        )
    assert info.value.status_code == 401
    assert str(info.value) == "the WebSocket upgrade was refused with HTTP 401"
    assert "sk-hidden" not in repr(info.value)
