"""Opening the WebSocket's connection: the upgrade URL and TCP, and closing sockets (the
upgrade itself and the frames are in ``wsframe``).

Everything here runs on the transport thread except the ``shutdown_*`` helpers, which
``close()`` may call from another thread to interrupt a blocking connect or read.
"""

from __future__ import annotations

import errno
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlencode, urlsplit

from .._version import __version__
from .._wire.js import trim
from ..config import ClientConfig
from .wsframe import WebSocket, open_websocket

__all__ = [
    "CLIENT_NAME",
    "PROTOCOL_VERSION",
    "abort",
    "close_quietly",
    "goodbye",
    "open_connection",
    "open_tcp",
    "readable_now",
    "shutdown",
    "shutdown_only",
    "socket_url",
]

PROTOCOL_VERSION = "3.0.0"
CLIENT_NAME = f"Sogni/{PROTOCOL_VERSION} (sogni-python) {__version__}"


def socket_url(config: ClientConfig, *, subscriptions: dict[str, bool], network: str) -> str:
    """The upgrade URL: the socket endpoint with the client's identity in the query."""
    parts = urlsplit(config.socket_ws_endpoint)
    # Trimmed with JavaScript's whitespace, as the official client trims both.
    query: list[tuple[str, str]] = [("appId", trim(config.app_id or ""))]
    if config.app_source and trim(config.app_source):
        query.append(("appSource", trim(config.app_source)))
    if subscriptions:
        query.append(("socketEventSubscriptions", json.dumps(subscriptions, separators=(",", ":"))))
    query.append(("clientName", CLIENT_NAME))
    query.append(("clientType", "artist"))
    query.append(("forceWorkerId", "fast" if network == "fast" else ""))
    path = parts.path or "/"
    return parts._replace(path=path, query=urlencode(query)).geturl()


def open_tcp(
    host: str,
    port: int,
    timeout: float,
    *,
    publish: Callable[[socket.socket], None],
    closing: threading.Event,
) -> socket.socket:
    """Connect to the first address that answers. Each socket is published before it blocks,
    so that ``close()`` can shut it down; once ``closing`` is set, no new attempt starts."""
    last: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        publish(sock)
        if closing.is_set():
            # close() may have looked for a socket to shut down just before it was
            # published: it saw none, so stop here instead of blocking in connect.
            close_quietly(sock)
            raise OSError(errno.ECANCELED, "closing")
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as exc:
            last = exc
            close_quietly(sock)
            if closing.is_set():
                break
            continue
        try:
            # Each frame is one write; none should wait for the previous one's ACK (the
            # official clients' runtimes set this too).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        return sock
    raise last or OSError(errno.EHOSTUNREACH, "no address")


def open_connection(
    url: str,
    headers: Mapping[str, str],
    *,
    tls: Callable[[], ssl.SSLContext],
    timeout: float,
    keep_size: int,
    max_size: int,
    publish: Callable[[socket.socket], None],
    closing: threading.Event,
) -> WebSocket:
    """TCP, TLS for ``wss``, then the upgrade. Each socket is published before it blocks (as in
    ``open_tcp``); on a failure the socket is closed and the error raised."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    sock = open_tcp(host, port, timeout, publish=publish, closing=closing)
    try:
        if secure:
            # wrap_socket detaches the plain socket: publish the wrapped one before the
            # handshake, so close() can interrupt a server that never completes TLS.
            sock = tls().wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
            publish(sock)
            if closing.is_set():
                raise OSError(errno.ECANCELED, "closing")
            sock.do_handshake()
        return open_websocket(
            sock, url, headers, timeout=timeout, keep_size=keep_size, max_size=max_size
        )
    except BaseException:
        close_quietly(sock)
        raise


def readable_now(ws: WebSocket) -> bool:
    """Whether a read would not wait: a whole frame buffered, TLS bytes already decrypted,
    or data on the socket."""
    if ws.pending():
        return True
    sock = ws.sock
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def abort(ws: WebSocket) -> None:
    shutdown(ws.sock)


def goodbye(ws: WebSocket, code: int, reason: str, wait: float) -> None:
    """Close ``ws`` with ``code``: send the close frame, then read (and drop) what the server
    still sends until it hangs up, for at most ``wait`` seconds, and only then close.

    Closing a socket with unread data in its buffer makes the kernel reset the connection, and
    a reset can overtake the close frame: the server would see an abnormal closure (1006)."""
    sock = ws.sock
    try:
        ws.send_close(code, reason.encode("utf-8"))
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(65536):
                break
    except OSError:
        pass
    finally:
        close_quietly(sock)


def shutdown_only(sock: socket.socket) -> None:
    # Only shut it down: the transport thread owns the descriptor and closes it.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    close_quietly(sock)


def close_quietly(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
