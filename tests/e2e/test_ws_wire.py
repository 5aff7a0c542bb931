"""The SDK's own WebSocket on the wire: the upgrade it sends the fake, and what the transport
does with servers that misbehave (scripted over a real loopback socket: a wrong answer to the
upgrade, frames no server should send, a message too big to take)."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websocket._abnf import ABNF, frame_buffer

from sogni import ConnectionLostError, SogniClient
from sogni.testing import FakeSupernet

from ..helpers import sogni_threads, wait_until

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _accept(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


def _switching(accept: str) -> bytes:
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
    ).encode()


Script = Callable[[socket.socket, "Scripted"], None]


class Scripted:
    """A WebSocket server on 127.0.0.1:0: the n-th upgrade is answered by ``answer(key)`` and
    then served by ``scripts[n]`` (the last script serves any later connection)."""

    def __init__(self, scripts: list[Script], answer: Callable[[str], bytes] | None = None):
        self.scripts = scripts
        self.answer = answer or (lambda key: _switching(_accept(key)))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[list[str]] = []
        self.seen: list[Any] = []  # what the scripts observed
        self.stop = threading.Event()
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.05)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            lines = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
            index = len(self.requests)
            self.requests.append(lines)
            key = next(
                v
                for k, _, v in (x.partition(": ") for x in lines)
                if k.lower() == "sec-websocket-key"
            )
            conn.sendall(self.answer(key))
            self.scripts[min(index, len(self.scripts) - 1)](conn, self)
        except Exception:  # the client hung up mid-script (websocket-client raises its own)
            pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        for conn in self.conns:
            conn.close()
        self.listener.close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def factory(scripts: list[Script], answer: Callable[[str], bytes] | None = None) -> Scripted:
        server = Scripted(scripts, answer)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()


def send_then_read_the_close(raw: bytes) -> Script:
    """Send ``raw``, then read the client's frames until its close; record the close code."""

    def script(conn: socket.socket, server: Scripted) -> None:
        conn.sendall(raw)
        reader = frame_buffer(conn.recv, True)
        while True:
            got = reader.recv_frame()
            if got.opcode == ABNF.OPCODE_CLOSE:
                server.seen.append(int.from_bytes(got.data[:2], "big"))
                conn.shutdown(socket.SHUT_RDWR)
                return

    return script


def stay(conn: socket.socket, server: Scripted) -> None:
    server.stop.wait(10)


def transport_alive() -> bool:
    return any(t.name.startswith("sogni-transport") for t in sogni_threads())


# --------------------------------------------------------------------------- the upgrade


def test_the_upgrade_sends_the_official_headers_in_their_order(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    make_client(app_id="header-order").connect()
    [record] = [r for r in fake.received if r.kind == "ws_connect" and r.app_id == "header-order"]
    assert list(record.headers) == [
        "Host",
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "api-key",
    ]
    assert record.headers["Host"] == fake.socket_url.split("//")[1].rstrip("/")
    assert len(base64.b64decode(record.headers["Sec-WebSocket-Key"])) == 16


def test_a_wrong_sec_websocket_accept_ends_in_a_clear_error(
    scripted: Callable[..., Scripted], make_client: Callable[..., SogniClient]
) -> None:
    server = scripted([stay], answer=lambda key: _switching(_accept(key + "x")))
    client = make_client(socket_endpoint=server.url, auto_connect=False, max_connect_attempts=1)
    with pytest.raises(ConnectionLostError, match="Sec-WebSocket-Accept does not match"):
        client.connect(timeout=5)
    assert len(server.requests) == 1


# --------------------------------------------------------------------------- bad frames


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(bytes([0xC1, 1]) + b"x", 1002, id="reserved bit set"),
        pytest.param(bytes([0x81, 0x81, 1, 2, 3, 4, 0x79]), 1002, id="masked by the server"),
        pytest.param(bytes([0x80, 1]) + b"x", 1002, id="continuation outside a message"),
        pytest.param(bytes([0x82, 127]) + (1 << 30).to_bytes(8, "big"), 1009, id="1 GiB frame"),
    ],
)
def test_a_bad_frame_closes_with_its_code_and_the_transport_reconnects(
    scripted: Callable[..., Scripted],
    make_client: Callable[..., SogniClient],
    raw: bytes,
    code: int,
) -> None:
    server = scripted([send_then_read_the_close(raw), stay])
    client = make_client(socket_endpoint=server.url, auto_connect=False, max_frame_bytes=4096)
    client.connect(wait=False)  # these servers never authenticate
    wait_until(lambda: len(server.requests) >= 2)
    assert server.seen == [code]
    assert transport_alive()


def test_server_pings_are_answered(
    scripted: Callable[..., Scripted], make_client: Callable[..., SogniClient]
) -> None:
    def ping(conn: socket.socket, server: Scripted) -> None:
        conn.sendall(ABNF(1, 0, 0, 0, ABNF.OPCODE_PING, 0, b"are you there").format())
        got = frame_buffer(conn.recv, True).recv_frame()
        server.seen.append((got.opcode, got.data))
        stay(conn, server)

    server = scripted([ping])
    client = make_client(socket_endpoint=server.url, auto_connect=False)
    client.connect(wait=False)
    wait_until(lambda: server.seen)
    assert server.seen == [(ABNF.OPCODE_PONG, b"are you there")]
