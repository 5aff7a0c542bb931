"""A scripted HTTP/1.1 server on a real loopback socket, for REST edge cases the fake never
produces: canned replies per method and path (used in order, the last one repeating), a record
of every request received, and the failures a network has (a reset connection, a server that
never answers, a TLS certificate the client does not trust, a port that refuses connections).

The API follows ``responses``' (``server.get(path, json=...)``, ``route.call_count``,
``server.calls[i].request``) so that tests written for it change little.
"""

from __future__ import annotations

import json as jsonlib
import re
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = ["Call", "Route", "ScriptedServer"]

Reply = tuple[int, dict[str, str], "str | bytes"]


class Call:
    """One request the server received (``call.request`` is the call itself, as in responses)."""

    def __init__(self, method: str, url: str, headers: Message, body: bytes) -> None:
        self.method = method
        self.url = url
        parts = urlsplit(url)
        self.path = parts.path
        self.path_url = parts.path + (f"?{parts.query}" if parts.query else "")
        self.headers = headers  # case-insensitive lookups, None when absent
        self.body = body

    @property
    def request(self) -> Call:
        return self


class Route:
    """What the server answers to one method and path, and the calls it answered."""

    def __init__(
        self,
        method: str,
        path: str | re.Pattern[str],
        *,
        status: int,
        body: bytes,
        headers: dict[str, str],
        callback: Callable[[Call], Reply] | None,
        action: str | None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.body = body
        self.headers = headers
        self.callback = callback
        self.action = action
        self.calls: list[Call] = []

    @property
    def call_count(self) -> int:
        return len(self.calls)

    def matches(self, method: str, path: str) -> bool:
        if method != self.method:
            return False
        if isinstance(self.path, re.Pattern):
            return self.path.fullmatch(path) is not None
        return self.path == path


class ScriptedServer:
    """``ScriptedServer()`` listens on 127.0.0.1, port 0, at once; ``listen=False`` binds the
    port but refuses connections until :meth:`start`; ``tls`` serves https with that context."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, listen: bool = True) -> None:
        self._lock = threading.Lock()
        self._routes: list[Route] = []
        self._released = threading.Event()
        self.calls: list[Call] = []
        self.unmatched: list[Call] = []
        self.connections = 0
        self._tls = tls
        self._server = _Server(("127.0.0.1", 0), _Handler, bind_and_activate=False)
        self._server.scripted = self
        self._server.server_bind()
        port = self._server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        self._thread: threading.Thread | None = None
        if listen:
            self.start()

    # ------------------------------------------------------------------ scripting

    def add(
        self,
        method: str,
        path: str | re.Pattern[str],
        *,
        status: int = 200,
        json: Any = None,
        body: str | bytes = b"",
        headers: dict[str, str] | None = None,
        callback: Callable[[Call], Reply] | None = None,
        action: str | None = None,
    ) -> Route:
        """Answer ``method path`` (a path, or a pattern the whole path matches; the query is
        not matched). ``action``: ``"reset"`` resets the connection without an answer,
        ``"stall"`` never answers (until the server closes), ``"close"`` answers as if the
        connection stayed open, then closes it (an idle keep-alive connection the server
        dropped)."""
        data = body.encode() if isinstance(body, str) else body
        sent = dict(headers or {})
        if json is not None:
            data = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        route = Route(
            method, path, status=status, body=data, headers=sent, callback=callback, action=action
        )
        with self._lock:
            self._routes.append(route)
        return route

    def get(self, path: str | re.Pattern[str], **kwargs: Any) -> Route:
        return self.add("GET", path, **kwargs)

    def post(self, path: str | re.Pattern[str], **kwargs: Any) -> Route:
        return self.add("POST", path, **kwargs)

    def put(self, path: str | re.Pattern[str], **kwargs: Any) -> Route:
        return self.add("PUT", path, **kwargs)

    def add_callback(
        self, method: str, path: str | re.Pattern[str], callback: Callable[[Call], Reply]
    ) -> Route:
        return self.add(method, path, callback=callback)

    def reset(self) -> None:
        """Forget the routes and the calls (between tests); stalled requests end."""
        with self._lock:
            self._routes.clear()
            self.calls.clear()
            self.unmatched.clear()
            self.connections = 0
            self._released.set()
            self._released = threading.Event()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._thread is not None:
            return
        self._server.server_activate()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="scripted-http", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._released.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ serving

    def _route_for(self, call: Call) -> tuple[Route | None, threading.Event]:
        with self._lock:
            self.calls.append(call)
            found = [r for r in self._routes if r.matches(call.method, call.path)]
            if not found:
                self.unmatched.append(call)
                return None, self._released
            route = found[0]
            if len(found) > 1:  # used once; the last one keeps answering
                self._routes.remove(route)
            route.calls.append(call)
            return route, self._released


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    scripted: ScriptedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a reset, a failed handshake: what the tests script


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        scripted = self.server.scripted
        with scripted._lock:
            scripted.connections += 1
        if scripted._tls is not None:
            self.request = scripted._tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        scripted = self.server.scripted
        call = Call(self.command, scripted.url + self.path, self.headers, self._body())
        route, released = scripted._route_for(call)
        if route is None:
            self._answer(501, {}, b"no scripted reply")
            return
        if route.action == "reset":
            # SO_LINGER 0: the close sends a reset, not an orderly end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if route.action == "stall":
            released.wait(30)
            self.close_connection = True
            return
        if route.callback is not None:
            status, headers, body = route.callback(call)
            self._answer(status, headers, body.encode() if isinstance(body, str) else body)
            return
        self._answer(route.status, route.headers, route.body)
        if route.action == "close":
            self.close_connection = True

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[ScriptedServer]:
    """One server per test module; each test starts with no routes (see ``scripted``)."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def scripted(scripted_server: ScriptedServer) -> Iterator[ScriptedServer]:
    scripted_server.reset()
    yield scripted_server
    scripted_server.reset()
