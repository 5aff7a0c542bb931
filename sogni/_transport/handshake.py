"""Opening the WebSocket's connection: the upgrade URL, TCP and TLS, and closing sockets.

Everything here runs on the transport thread except the ``shutdown_*`` helpers, which
``close()`` may call from another thread to interrupt a blocking connect or read.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import websocket

from .._version import __version__
from .._wire.js import trim
from ..config import ClientConfig

__all__ = [
    "CLIENT_NAME",
    "PROTOCOL_VERSION",
    "abort",
    "close_quietly",
    "open_tcp",
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
            return sock
        except OSError as exc:
            last = exc
            close_quietly(sock)
            if closing.is_set():
                break
    raise last or OSError(errno.EHOSTUNREACH, "no address")


def abort(ws: websocket.WebSocket) -> None:
    sock = ws.sock
    if sock is not None:
        shutdown(sock)
    try:
        shutdown_fn: Any = ws.shutdown
        shutdown_fn()
    except Exception:
        pass


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
