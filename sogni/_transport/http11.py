"""HTTP/1.1 over the standard library's ``http.client``: keep-alive pools, proxies, redirects.

What the REST client needs and nothing more (``requests`` and ``urllib3`` cost more to import
than the whole SDK, and a third of a call's CPU):

* one pool per (scheme, host, port, proxy) of idle keep-alive connections, thread-safe; a
  connection serves one request at a time and goes back to its pool once its response was read
  to the end (at most ``maxsize`` idle ones are kept per pool);
* an idle connection the server closed is seen (it is readable: EOF) and dropped before use;
  one it closes just as the request goes out fails before any byte of the answer: the request
  is sent once more on a fresh connection, unless the caller cut it (``may_resend``) or its
  body cannot be read again (the caller's retry policy decides then);
* an https URL through a proxy tunnels with CONNECT; an http URL is sent to the proxy with its
  absolute URL; the proxy URL's user and password become a basic ``Proxy-Authorization``;
* GET and HEAD follow redirects (at most 30); headers named as credentials are dropped when
  the redirect leads to another host;
* bodies are read to the end by :meth:`Response.read`, piece by piece by
  :meth:`Response.pieces`, or into a caller's buffer by :meth:`Response.readinto`; gzip and
  deflate bodies are decoded.
"""

from __future__ import annotations

import base64

# getaddrinfo encodes a host name with this codec, importing it on first use: loaded here, on
# the thread that creates a client, never for the first time on an SDK thread.
import encodings.idna  # noqa: F401
import http.client
import select
import socket
import threading
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from .._version import __version__

if TYPE_CHECKING:
    import ssl

__all__ = [
    "ConnectFailure",
    "ConnectionPools",
    "Response",
    "TooManyRedirects",
    "USER_AGENT",
    "MAX_REDIRECTS",
    "absolute_url",
    "failure_name",
    "get_once",
]

# Large blocks: a streamed upload goes out in 256 KiB writes (http.client's default is 8 KiB).
BLOCK_SIZE = 1 << 18
MAX_REDIRECTS = 30
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"sogni-python/{__version__}"
_FETCH_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept-Encoding": "gzip, deflate",
    "Accept": "*/*",
    "Connection": "close",
}
# What a reused connection raises when the server closed it while it sat idle.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class ConnectFailure(OSError):
    """The connection (or the proxy tunnel, or the TLS handshake) could not be set up: the
    request certainly never reached the server. ``__cause__`` is the original error."""


class TooManyRedirects(http.client.HTTPException):
    """More than ``MAX_REDIRECTS`` redirects."""


def failure_name(exc: BaseException) -> str:
    """The name of what went wrong (for a failed connection, the error behind it)."""
    if isinstance(exc, ConnectFailure) and exc.__cause__ is not None:
        exc = exc.__cause__
    return type(exc).__name__


def absolute_url(base: str, location: str) -> str:
    return urljoin(base, location)


class _Target:
    """A parsed URL: what a connection is keyed on and the path it asks for."""

    __slots__ = ("host", "netloc", "path", "port", "scheme", "url")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise http.client.InvalidURL(f"unsupported URL scheme or host: {scheme}://")
        self.url = url
        self.scheme = scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if scheme == "https" else 80)
        self.netloc = parts.netloc.rpartition("@")[2]
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class _Proxy:
    __slots__ = ("authorization", "host", "port", "url")

    def __init__(self, url: str) -> None:
        if "://" not in url:
            url = "http://" + url  # as requests reads a proxy without a scheme
        parts = urlsplit(url)
        self.url = url
        self.host = parts.hostname or ""
        self.port = parts.port or 80
        self.authorization: str | None = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self.authorization = "Basic " + base64.b64encode(pair.encode("latin-1")).decode()


class _Connection:
    """One ``http.client`` connection and the pool it goes back to."""

    __slots__ = ("conn", "key")

    def __init__(self, conn: http.client.HTTPConnection, key: tuple[Any, ...]) -> None:
        self.conn = conn
        self.key = key


class ConnectionPools:
    """Idle keep-alive connections per (scheme, host, port, proxy), shared by all threads."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = max(1, maxsize)
        self._lock = threading.Lock()
        self._idle: dict[tuple[Any, ...], list[http.client.HTTPConnection]] = {}
        self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [c for conns in self._idle.values() for c in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()

    def idle_count(self) -> int:
        with self._lock:
            return sum(len(conns) for conns in self._idle.values())

    def _take(self, key: tuple[Any, ...]) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                conns = self._idle.get(key)
                if not conns:
                    return None
                conn = conns.pop()
            if not _dropped(conn):
                return conn
            conn.close()

    def _give_back(self, key: tuple[Any, ...], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed:
                conns = self._idle.setdefault(key, [])
                if len(conns) < self._maxsize:
                    conns.append(conn)
                    return
        conn.close()

    # ------------------------------------------------------------------ one exchange

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: Any = None,
        connect_timeout: float,
        read_timeout: float,
        proxy_for: Callable[[str], str | None],
        tls_context: Callable[[], ssl.SSLContext],
        on_socket: Callable[[socket.socket], None],
        may_resend: Callable[[], bool] = lambda: True,
        credential_headers: Collection[str] = (),
        follow_redirects: bool = True,
    ) -> Response:
        """Send one request (following redirects for GET and HEAD) and return the response
        with its headers read. ``on_socket`` sees every socket before anything is sent on it;
        ``may_resend()`` False (the caller cut the socket) forbids sending again on a fresh
        connection what a reused one failed to deliver."""
        redirects = 0
        sent = dict(headers)
        credentials = {name.lower() for name in credential_headers}
        while True:
            target = _Target(url)
            response = self._exchange(
                method,
                target,
                sent,
                body,
                connect_timeout,
                read_timeout,
                proxy_for(url),
                tls_context,
                on_socket,
                may_resend,
            )
            if (
                not follow_redirects
                or response.status not in _REDIRECTS
                or method not in ("GET", "HEAD")
                or not response.headers.get("Location")
            ):
                return response
            redirects += 1
            location = absolute_url(url, response.headers.get("Location", ""))
            response.close()
            if redirects > MAX_REDIRECTS:
                raise TooManyRedirects(f"exceeded {MAX_REDIRECTS} redirects")
            if _Target(location).host != target.host:
                sent = {k: v for k, v in sent.items() if k.lower() not in credentials}
            url = location

    def _exchange(
        self,
        method: str,
        target: _Target,
        headers: Mapping[str, str],
        body: Any,
        connect_timeout: float,
        read_timeout: float,
        proxy_url: str | None,
        tls_context: Callable[[], ssl.SSLContext],
        on_socket: Callable[[socket.socket], None],
        may_resend: Callable[[], bool],
    ) -> Response:
        proxy = _Proxy(proxy_url) if proxy_url else None
        key = (target.scheme, target.host, target.port, proxy_url)
        # An http URL through a proxy asks the proxy for the absolute URL.
        through_proxy = proxy is not None and target.scheme == "http"
        path = f"http://{target.netloc}{target.path}" if through_proxy else target.path
        rewind = _rewinder(body)
        for _ in range(2):
            conn = self._take(key)
            reused = conn is not None
            if conn is None:
                conn = self._connect(target, proxy, connect_timeout, tls_context)
            sock = conn.sock
            if sock is None:  # pragma: no cover - connect() always leaves a socket
                raise ConnectFailure("no socket after connecting")
            sock.settimeout(read_timeout)
            on_socket(sock)
            try:
                conn.putrequest(method, path, skip_accept_encoding=True)
                for name, value in headers.items():
                    conn.putheader(name, value)
                if through_proxy and proxy is not None and proxy.authorization:
                    conn.putheader("Proxy-Authorization", proxy.authorization)
                if body is None and method not in ("GET", "HEAD"):
                    conn.putheader("Content-Length", "0")
                elif isinstance(body, (bytes, bytearray, memoryview)):
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                raw = conn.getresponse()
            except _STALE:
                conn.close()
                if reused and rewind is not None and may_resend():
                    rewind()  # the server had closed the idle connection: once more, fresh
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            return Response(raw, _Connection(conn, key), self)
        raise http.client.RemoteDisconnected("the connection closed before any answer")

    def _connect(
        self,
        target: _Target,
        proxy: _Proxy | None,
        timeout: float,
        tls_context: Callable[[], ssl.SSLContext],
    ) -> http.client.HTTPConnection:
        host, port = (proxy.host, proxy.port) if proxy is not None else (target.host, target.port)
        conn: http.client.HTTPConnection
        if target.scheme == "https":
            conn = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=tls_context(), blocksize=BLOCK_SIZE
            )
            if proxy is not None:
                tunnel_headers = (
                    {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
                )
                conn.set_tunnel(target.host, target.port, headers=tunnel_headers)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout, blocksize=BLOCK_SIZE)
        try:
            conn.connect()
        except BaseException as exc:
            conn.close()
            if isinstance(exc, OSError):
                raise ConnectFailure(str(exc) or type(exc).__name__) from exc
            raise
        return conn


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """True when an idle connection is readable: the server closed it (or sent what nobody
    asked for), so it cannot carry another request."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _rewinder(body: Any) -> Callable[[], None] | None:
    """How to send ``body`` again from its start (None: it cannot be)."""
    if body is None or isinstance(body, (bytes, bytearray, memoryview)):
        return lambda: None
    try:
        if not body.seekable():
            return None
        start = body.tell()
    except (AttributeError, OSError, ValueError):
        return None

    def rewind() -> None:
        body.seek(start)

    return rewind


class Response:
    """A response whose headers are read; the body is read by one of the readers below.
    :meth:`close` gives the connection back to its pool when the body was read to the end."""

    def __init__(
        self, raw: http.client.HTTPResponse, connection: _Connection, pools: ConnectionPools
    ) -> None:
        self._raw = raw
        self._connection: _Connection | None = connection
        self._pools = pools
        self.status: int = raw.status
        self.reason: str = raw.reason
        self.headers = raw.headers  # an email.message.Message: case-insensitive get()
        encoding = (raw.headers.get("Content-Encoding") or "").strip().lower()
        self._decoder: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = _Deflate()

    @property
    def encoded(self) -> bool:
        """True when the body is compressed (then :meth:`readinto` is not available)."""
        return self._decoder is not None

    def read(self) -> bytes:
        data = self._raw.read()
        if self._decoder is not None:
            data = self._decoder.decompress(data) + self._decoder.flush()
        return data

    def pieces(self, size: int = 1 << 16) -> Iterator[bytes]:
        """The body as it arrives: each piece is what the socket had (at most ``size``)."""
        read1 = self._raw.read1
        decoder = self._decoder
        while True:
            chunk = read1(size)
            if not chunk:
                self._check_complete()
                if decoder is not None:
                    tail = decoder.flush()
                    if tail:
                        yield tail
                return
            if decoder is not None:
                chunk = decoder.decompress(chunk)
                if not chunk:
                    continue
            yield chunk

    def readinto(self, buffer: memoryview) -> int:
        """Fill ``buffer`` from an uncompressed body; 0 at its end."""
        count = self._raw.readinto(buffer)
        if not count:
            self._check_complete()
        return count

    def _check_complete(self) -> None:
        # http.client ends a body cut short of its Content-Length quietly in read1 and readinto
        # (read() raises): a truncated body must not pass for a whole one.
        missing = self._raw.length
        if missing:
            raise http.client.IncompleteRead(b"", missing)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        raw = self._raw
        if raw.isclosed() and not raw.will_close and connection.conn.sock is not None:
            self._pools._give_back(connection.key, connection.conn)
        else:
            raw.close()
            connection.conn.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Deflate:
    """``deflate`` as servers send it: zlib-wrapped, or (wrongly, but often) raw."""

    def __init__(self) -> None:
        self._first = True
        self._obj: Any = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        if self._first and data:
            self._first = False
            try:
                return bytes(self._obj.decompress(data))
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return bytes(self._obj.decompress(data))

    def flush(self) -> bytes:
        return bytes(self._obj.flush())


@contextmanager
def get_once(
    url: str,
    *,
    verify: Any,
    connect_timeout: float,
    read_timeout: float,
    headers: Mapping[str, str] | None = None,
) -> Iterator[Response]:
    """One GET on a connection of its own (closed afterwards), redirects not followed: for
    fetches outside a client's REST calls. The proxy comes from the environment and TLS from
    ``verify`` (a ``ClientConfig.verify`` value), as for the client's own calls."""
    from .netenv import proxy_for
    from .tls import ssl_context

    pools = ConnectionPools(1)
    try:
        with pools.send(
            "GET",
            url,
            headers={**_FETCH_HEADERS, **(headers or {})},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            proxy_for=proxy_for,
            tls_context=lambda: ssl_context(verify),
            on_socket=lambda _sock: None,
            follow_redirects=False,
        ) as response:
            yield response
    finally:
        pools.close()
