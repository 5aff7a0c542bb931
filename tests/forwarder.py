"""A tiny HTTP forwarder on 127.0.0.1 for tests: a forward proxy (requests name absolute URLs;
https goes through a CONNECT tunnel) or a reverse proxy in front of one upstream, optionally over
TLS. It records every request."""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

__all__ = ["Forwarder"]

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "host"}


class Forwarder:
    """``Forwarder()`` is a forward proxy; ``Forwarder(upstream=url, tls=ctx)`` serves
    ``https://127.0.0.1:port`` and sends everything to ``upstream``. ``seen`` lists
    ``(method, target)`` of each request, target as the client wrote it, and
    ``authorizations`` the ``Proxy-Authorization`` each one carried (None without)."""

    def __init__(self, *, upstream: str | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[tuple[str, str]] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        forwarder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _record(self) -> None:
                with forwarder._lock:
                    forwarder.seen.append((self.command, self.path))
                    forwarder.authorizations.append(self.headers.get("Proxy-Authorization"))

            def do_CONNECT(self) -> None:
                self._record()
                host, _, port = self.path.rpartition(":")
                try:
                    upstream_sock = socket.create_connection((host, int(port)), timeout=10)
                except OSError:
                    self.send_error(502)
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                _pipe(self.connection, upstream_sock)
                self.close_connection = True

            def _forward(self) -> None:
                self._record()
                target = urlsplit(upstream + self.path if upstream else self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=10)
                try:
                    path = target.path + (f"?{target.query}" if target.query else "")
                    conn.request(self.command, path, body=body, headers=headers)
                    answer = conn.getresponse()
                    data = answer.read()
                finally:
                    conn.close()
                self.send_response(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="test-forwarder", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Forwarder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (a CONNECT tunnel)."""
    with upstream:
        sockets = [client, upstream]
        while True:
            ready, _, _ = select.select(sockets, [], [], 10)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(1 << 16)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
