"""REST over ``http.client`` (see http11): both origins, error parsing, retries, and an overall
deadline.

* One set of keep-alive connection pools per client (thread-safe, at most
  ``ClientConfig.max_connections`` idle connections kept per host), shared by every calling
  thread, so a thread-per-request server reuses connections and nothing is kept per thread.
* Every attempt has ``(connect, read)`` timeouts; a watchdog thread enforces the overall
  deadline by shutting the socket down, because socket timeouts bound each wait and a server
  that drips one byte at a time never trips them.
* Retries, with full jitter (see backoff), only what is safe: idempotent calls on connection errors,
  timeouts, 429 (honouring ``Retry-After``) and 502/503/504; a non-idempotent call only when it
  certainly never reached the server (connect failure) or the server refused it with 429.
"""

from __future__ import annotations

import email.utils
import heapq
import http.client
import itertools
import math
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, Literal, Protocol
from urllib.parse import urlencode, urlsplit

import attrs

from .._log import get_logger
from .._wire.envelope import parse_json
from .._wire.js import stringify
from ..config import ClientConfig, Timeouts
from ..errors import (
    APIError,
    ClientClosedError,
    ProtocolError,
    SogniError,
    SogniTimeoutError,
    TLSError,
    TransportError,
    error_from_status,
)
from .backoff import backoff_delay
from .http11 import (
    MAX_REDIRECTS,
    USER_AGENT,
    ConnectFailure,
    ConnectionPools,
    Response,
    TooManyRedirects,
)
from .netenv import EnvironmentSettings
from .tls import TLSContexts, tls_failure, tls_reason

__all__ = ["Origin", "RestClient", "parse_error", "retry_after_seconds"]

log = get_logger("sogni.rest")

Origin = Literal["api", "socket"]
# What every request carries (the headers requests sent for us before).
_BASE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept-Encoding": "gzip, deflate",
    "Accept": "*/*",
    "Connection": "keep-alive",
}
# Dropped when a redirect leads to another host: what the credential providers send.
_CREDENTIAL_HEADERS = ("api-key", "Authorization", "Cookie")
_RETRYABLE_STATUS = frozenset({502, 503, 504})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# A stream has no overall deadline; the watchdog still holds its socket, so close() cuts it.
_STREAM_DEADLINE = 1e9
# A download is read into one reused buffer of this size.
_DOWNLOAD_BUFFER = 1 << 18


class AuthProvider(Protocol):
    def headers(self) -> dict[str, str]: ...

    def is_authenticated(self) -> bool: ...

    def on_unauthorized(self) -> None: ...


class _NoAuth:
    def headers(self) -> dict[str, str]:
        return {}

    def is_authenticated(self) -> bool:
        return False

    def on_unauthorized(self) -> None:
        return None


# --------------------------------------------------------------------------- deadline watchdog

_current_deadline = threading.local()


class _DeadlineWatchdog:
    """Shuts down the socket of a request whose overall deadline has passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._entries: dict[int, socket.socket] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def watch(self, sock: socket.socket, deadline: float) -> int:
        with self._cond:
            token = next(self._ids)
            if self._closed:
                _shutdown(sock)
                return token
            self._entries[token] = sock
            heapq.heappush(self._heap, (deadline, token))
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="sogni-rest-deadline", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return token

    def unwatch(self, token: int) -> None:
        with self._cond:
            self._entries.pop(token, None)

    def cut(self, tokens: list[int]) -> None:
        """Shut down the sockets of one request now (from any thread)."""
        with self._cond:
            for token in tokens:
                sock = self._entries.get(token)
                if sock is not None:
                    _shutdown(sock)

    def close(self, timeout: float) -> None:
        """Stop the thread and cut every request still in flight (close() must not wait)."""
        with self._cond:
            self._closed = True
            for sock in self._entries.values():
                _shutdown(sock)
            self._entries.clear()
            self._cond.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                while self._heap and self._heap[0][1] not in self._entries:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, token = self._heap[0]
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                sock = self._entries.pop(token, None)
                if sock is not None:
                    _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# --------------------------------------------------------------------------- error parsing

_WS = re.compile(r"\s+")
_HTTP_DATE_HINT = re.compile(r"[A-Za-z]{3}.*\d{1,2}:\d{2}:\d{2}")


def retry_after_seconds(body: Any, header: str | None, *, now: float | None = None) -> float | None:
    """The wait a refusal asks for: body ``retryAfter`` (finite, >= 0), else the
    ``Retry-After`` header (whole seconds, or an HTTP date)."""
    if isinstance(body, Mapping):
        value = body.get("retryAfter")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
            if math.isfinite(number) and number >= 0:
                return number
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        seconds = int(header)
        return float(seconds) if seconds <= 2**53 - 1 else None
    if _HTTP_DATE_HINT.search(header):
        try:
            when = email.utils.parsedate_to_datetime(header).timestamp()
        except (TypeError, ValueError):
            return None
        return float(max(0, math.ceil(when - (time.time() if now is None else now))))
    return None


def parse_error(
    status: int, reason: str | None, body: bytes, retry_after_header: str | None
) -> APIError:
    """Build the error for a non-2xx response, as the official clients do."""
    text = body.decode("utf-8", errors="replace")
    payload: Any = None
    if text.strip():
        try:
            payload = parse_json(text)
        except ValueError:
            payload = None
    if not isinstance(payload, dict):
        collapsed = _WS.sub(" ", text).strip()
        if not collapsed:
            message = reason or f"HTTP {status}"
        elif collapsed.startswith("<"):
            message = f"{reason or f'HTTP {status}'}: {collapsed[:200]}"
        else:
            message = collapsed if len(collapsed) <= 500 else collapsed[:500] + "…"
        payload = {"status": "error", "message": message, "errorCode": status}
    message = payload.get("message")
    if not isinstance(message, str) or not message:
        message = f"HTTP {status}"
    error_code = payload.get("errorCode", payload.get("error_code", status))
    return error_from_status(
        status,
        message,
        error_code=error_code,
        retry_after=retry_after_seconds(payload, retry_after_header),
        details=payload.get("details"),
    )


# --------------------------------------------------------------------------- retries


class _AttemptError(Exception):
    """Carries an SDK error out of one attempt together with what the retry loop must know."""

    def __init__(self, error: SogniError, *, reached_server: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.reached_server = reached_server


def _should_retry(exc: _AttemptError, idempotent: bool, retry_after_cap: float) -> bool:
    err = exc.error
    if isinstance(err, (TLSError, ClientClosedError, _DeadlineExceeded)):
        return False
    if isinstance(err, TransportError):
        return idempotent or not exc.reached_server
    if isinstance(err, APIError) and err.status == 429:
        return err.retry_after is None or err.retry_after <= retry_after_cap
    if isinstance(err, APIError) and err.status in _RETRYABLE_STATUS:
        return idempotent
    return False


def _retry_wait(exc: _AttemptError, attempt_number: int, config: ClientConfig) -> float:
    """Full jitter, unless the server said how long to wait."""
    policy = config.retry
    if isinstance(exc.error, APIError):
        retry_after = exc.error.retry_after
        if retry_after is not None:
            return min(retry_after, policy.retry_after_cap)
    return backoff_delay(
        attempt_number - 1, base=policy.backoff_base, cap=policy.backoff_max, rng=config.rng
    )


# --------------------------------------------------------------------------- the client


class RestClient:
    """Thread-safe REST access to the api host and the socket host."""

    def __init__(self, config: ClientConfig, auth: AuthProvider | None = None) -> None:
        self._config = config
        self._auth: AuthProvider = auth or _NoAuth()
        self._lock = threading.Lock()
        self._watchdog = _DeadlineWatchdog()
        self._closed = False
        self._closing = threading.Event()
        self._environment = EnvironmentSettings()
        self._tls = TLSContexts()
        self._pools = ConnectionPools(config.max_connections)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._closing.set()  # wakes a retry back-off at once
        self._pools.close()
        self._watchdog.close(self._config.timeouts.close)

    @property
    def closing(self) -> threading.Event:
        """Set once :meth:`close` starts (interruptible waits watch it)."""
        return self._closing

    def set_auth(self, auth: AuthProvider) -> None:
        self._auth = auth

    # ------------------------------------------------------------------ URLs

    def url(self, origin: Origin, path: str, config: ClientConfig | None = None) -> str:
        cfg = config or self._config
        base = cfg.rest_endpoint if origin == "api" else cfg.socket_rest_endpoint
        return base.rstrip("/") + "/" + path.lstrip("/")

    def tls_context(self, verify: Any) -> ssl.SSLContext:
        """The client's TLS context for ``verify`` (built once, on first use), for its REST
        calls and its socket."""
        if isinstance(verify, ssl.SSLContext):
            return verify
        return self._tls.get(self._environment.verify(_verify(verify)))

    # ------------------------------------------------------------------ calls

    def request(
        self,
        method: str,
        path: str,
        *,
        origin: Origin = "api",
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        authenticate: bool = True,
        config: ClientConfig | None = None,
        send_body: bool = True,
        unwrap: bool = True,
    ) -> Any:
        """Call an endpoint and return the payload (the ``data`` of api-host envelopes, or the
        whole body with ``unwrap=False``).

        A method other than GET and HEAD sends a JSON body (``{}`` without ``json_body``);
        ``send_body=False`` sends none and no ``Content-Type``, for the calls the official
        client makes without one."""
        method = method.upper()
        cfg = config or self._config
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        url = self.url(origin, path, cfg)
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        body: bytes | None = None
        send_headers = dict(headers or {})
        if method not in ("GET", "HEAD") and send_body:
            # JSON.stringify's text, as the official client sends: UTF-8, numbers as JavaScript
            # writes them, NaN as null.
            body = stringify({} if json_body is None else json_body).encode("utf-8")
            send_headers["Content-Type"] = "application/json"

        def attempt(deadline: float) -> Any:
            all_headers = dict(send_headers)
            if authenticate:
                all_headers.update(self._auth.headers())
            with self._send(
                method, url, cfg, deadline, params=query, body=body, headers=all_headers
            ) as response:
                content = self._read_all(response, deadline)
                return self._interpret(response, content, origin, authenticate, unwrap)

        return self.run_with_retries(attempt, cfg, idempotent=idempotent, label=f"{method} {path}")

    @contextmanager
    def stream(
        self,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, Any] | None = None,
        config: ClientConfig | None = None,
        on_cut: Callable[[Callable[[], None]], None] | None = None,
    ) -> Iterator[Response]:
        """GET ``path`` on the api host and keep the response open to read it as it arrives
        (server-sent events): one attempt, no overall deadline, ``Timeouts.sse_idle`` as the
        read timeout. ``on_cut`` gets, before anything is sent, a function that cuts the
        connection from any thread, even while it waits for the answer (:meth:`close` cuts it
        too). A non-2xx answer raises its ``APIError``."""
        cfg = config or self._config
        idle = cfg.with_options(timeouts=attrs.evolve(cfg.timeouts, rest=cfg.timeouts.sse_idle))
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        tokens: list[int] = []
        cut = threading.Event()

        def cut_now() -> None:
            cut.set()
            self._watchdog.cut(tokens)

        if on_cut is not None:
            on_cut(cut_now)
        try:
            with self._send(
                "GET",
                self.url("api", path, cfg),
                idle,
                time.monotonic() + _STREAM_DEADLINE,
                tokens=tokens,
                cut=cut,
                params=query,
                headers={**headers, **self._auth.headers()},
            ) as response:
                if not 200 <= response.status < 300:
                    self._interpret(response, self._read_all(response, math.inf), "api", True, True)
                yield response
        except _AttemptError as exc:
            raise exc.error from None

    def run_with_retries(
        self,
        attempt: Callable[[float], Any],
        config: ClientConfig,
        *,
        idempotent: bool,
        label: str,
    ) -> Any:
        """Run ``attempt(deadline)`` under the retry policy and the overall REST deadline."""
        if self._closed:
            raise ClientClosedError("the client is closed")
        started = time.monotonic()
        deadline = started + config.timeouts.rest_total
        policy = config.retry
        max_attempts = policy.max_attempts if policy.enabled else 1
        sleep = self._sleep_for(config)
        number = 0
        while True:
            number += 1
            try:
                return attempt(deadline)
            except _AttemptError as exc:
                if number >= max_attempts or not _should_retry(
                    exc, idempotent, policy.retry_after_cap
                ):
                    raise exc.error from None
                delay = _retry_wait(exc, number, config)
                # A back-off that would end past the overall deadline is not slept.
                if time.monotonic() - started + delay >= config.timeouts.rest_total:
                    raise exc.error from None
                log.debug(
                    "REST retry (%s): attempt %d failed with %s (status %s); sleeping %.2fs",
                    label,
                    number,
                    type(exc.error).__name__,
                    getattr(exc.error, "status", None),
                    delay,
                )
            sleep(delay)

    def _sleep_for(self, config: ClientConfig) -> Callable[[float], None]:
        # The default sleep becomes one that close() interrupts; an injected one (tests) is kept.
        if config.sleep is not time.sleep:
            return config.sleep
        closing = self._closing

        def sleep(seconds: float) -> None:
            closing.wait(seconds)

        return sleep

    @contextmanager
    def _send(
        self,
        method: str,
        url: str,
        config: ClientConfig,
        deadline: float,
        tokens: list[int] | None = None,
        *,
        cut: threading.Event | None = None,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[Response]:
        if self._closed:
            raise _AttemptError(ClientClosedError("the client is closed"), reached_server=False)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _AttemptError(_deadline_error(config), reached_server=False)
        if params:
            url += ("&" if urlsplit(url).query else "?") + urlencode(params)
        tokens = [] if tokens is None else tokens
        watchdog = self._watchdog

        def watch(sock: socket.socket) -> None:
            tokens.append(watchdog.watch(sock, deadline))

        def may_resend() -> bool:
            # Not when the failure was the watchdog's (the deadline, close()) or the caller's cut.
            return not self._closed and time.monotonic() < deadline and not (cut and cut.is_set())

        verify = config.verify
        response: Response | None = None
        try:
            try:
                response = self._pools.send(
                    method,
                    url,
                    headers={**_BASE_HEADERS, **(headers or {})},
                    body=body,
                    connect_timeout=min(config.timeouts.connect, remaining),
                    read_timeout=min(config.timeouts.rest, remaining),
                    proxy_for=self._environment.proxy,
                    tls_context=lambda: self.tls_context(verify),
                    on_socket=watch,
                    may_resend=may_resend,
                    credential_headers=_CREDENTIAL_HEADERS,
                )
            except ConnectFailure as exc:
                cause = exc.__cause__
                if isinstance(cause, ssl.SSLError):
                    tls = tls_failure(exc)
                    why = f": {tls_reason(tls)}" if tls is not None else ""
                    raise _AttemptError(
                        TLSError(f"TLS verification failed for {_origin_of(url)}{why}"),
                        reached_server=False,
                    ) from exc
                if isinstance(cause, TimeoutError):
                    message = f"connecting to {_origin_of(url)} timed out"
                    error: TransportError = _timeout_or_deadline(config, deadline, message)
                else:
                    error = _failure(config, deadline, f"connection to {_origin_of(url)} failed")
                raise _AttemptError(error, reached_server=False) from exc
            except TooManyRedirects as exc:
                # The server's verdict, the same on every attempt: not retried.
                raise _AttemptError(
                    ProtocolError(f"{_origin_of(url)} redirected more than {MAX_REDIRECTS} times"),
                    reached_server=True,
                ) from exc
            except TimeoutError as exc:
                raise _AttemptError(
                    _timeout_or_deadline(
                        config, deadline, f"{_origin_of(url)} did not answer in time"
                    ),
                    reached_server=True,
                ) from exc
            except ValueError as exc:
                # A header or URL http.client refuses to send (a line break in a value). Only
                # the type is named: the value may be a credential.
                raise _AttemptError(
                    TransportError(f"request to {_origin_of(url)} failed: {type(exc).__name__}"),
                    reached_server=False,
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                if isinstance(
                    exc, (OSError, http.client.IncompleteRead, http.client.BadStatusLine)
                ):
                    error = _failure(config, deadline, f"connection to {_origin_of(url)} failed")
                else:
                    error = TransportError(
                        f"request to {_origin_of(url)} failed: {type(exc).__name__}"
                    )
                raise _AttemptError(error, reached_server=True) from exc
            yield response
        finally:
            for token in tokens:
                watchdog.unwatch(token)
            if response is not None:
                response.close()

    def _read_all(self, response: Response, deadline: float) -> bytes:
        try:
            return response.read()
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise _AttemptError(
                _failure(self._config, deadline, "the connection broke while reading the response"),
                reached_server=True,
            ) from exc

    def _interpret(
        self,
        response: Response,
        content: bytes,
        origin: Origin,
        authenticated: bool,
        unwrap: bool,
    ) -> Any:
        status = response.status
        if status == 401 and authenticated and self._auth.is_authenticated():
            # A 401 clears the credentials before anything else.
            self._auth.on_unauthorized()
        if not 200 <= status < 300:
            error = parse_error(
                status, response.reason, content, response.headers.get("Retry-After")
            )
            raise _AttemptError(error, reached_server=True)
        if not content.strip():
            return None
        try:
            payload = parse_json(content)
        except ValueError as exc:
            raise _AttemptError(
                ProtocolError(f"Failed to parse response body (HTTP {status})"),
                reached_server=True,
            ) from exc
        wrapped = isinstance(payload, dict) and payload.get("status") == "success"
        if unwrap and origin == "api" and wrapped:
            return payload.get("data")
        return payload

    # ------------------------------------------------------------------ raw transfers

    def download(
        self,
        url: str,
        sink: IO[bytes],
        *,
        config: ClientConfig | None = None,
        chunk: int = _DOWNLOAD_BUFFER,
    ) -> int:
        """Stream ``url`` (a signed URL: no credentials are sent) into ``sink``. Retried from
        the start on transport failures, so ``sink`` must be seekable and is truncated."""
        cfg = config or self._config
        cfg_dl = cfg.with_options(timeouts=_with_total(cfg, cfg.timeouts.download))

        def attempt(deadline: float) -> int:
            sink.seek(0)
            sink.truncate()
            with self._send("GET", url, cfg_dl, deadline) as response:
                if not 200 <= response.status < 300:
                    content = self._read_all(response, deadline)
                    raise _AttemptError(_error_of(response, content), reached_server=True)
                written = 0
                try:
                    if response.encoded:
                        for piece in response.pieces(chunk):
                            sink.write(piece)
                            written += len(piece)
                    else:
                        # One buffer, filled and written again and again: no copy per piece.
                        view = memoryview(bytearray(chunk))
                        while True:
                            count = response.readinto(view)
                            if not count:
                                break
                            sink.write(view[:count])
                            written += count
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    raise _AttemptError(
                        _failure(cfg_dl, deadline, "download interrupted"), reached_server=True
                    ) from exc
                return written

        result: int = self.run_with_retries(attempt, cfg_dl, idempotent=True, label="download")
        return result

    def upload(
        self,
        url: str,
        open_body: Callable[[], IO[bytes]],
        *,
        size: int,
        content_type: str,
        config: ClientConfig | None = None,
    ) -> None:
        """PUT a body to a presigned URL, streamed from ``open_body()`` (called again for each
        retry, so every attempt sends the same bytes from the start)."""
        cfg = config or self._config
        cfg_up = cfg.with_options(timeouts=_with_total(cfg, cfg.timeouts.upload))

        def attempt(deadline: float) -> None:
            with (
                open_body() as body,
                self._send(
                    "PUT",
                    url,
                    cfg_up,
                    deadline,
                    # Content-Length, never chunked: presigned-URL storage refuses chunked PUTs.
                    body=body,
                    headers={"Content-Type": content_type, "Content-Length": str(size)},
                ) as response,
            ):
                content = self._read_all(response, deadline)
                if not 200 <= response.status < 300:
                    raise _AttemptError(_error_of(response, content), reached_server=True)

        # A PUT to a presigned URL is idempotent: the same bytes land on the same key.
        self.run_with_retries(attempt, cfg_up, idempotent=True, label="upload")


def _error_of(response: Response, content: bytes) -> APIError:
    return parse_error(
        response.status, response.reason, content, response.headers.get("Retry-After")
    )


def _with_total(config: ClientConfig, total: float) -> Timeouts:
    return attrs.evolve(
        config.timeouts, rest_total=total, rest=max(config.timeouts.rest, min(total, 120.0))
    )


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _verify(verify: Any) -> bool | str:
    return verify if isinstance(verify, (bool, str)) else True


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _DeadlineExceeded(SogniTimeoutError):
    """The overall deadline of a call passed; retrying inside the same call is pointless."""


def _deadline_error(config: ClientConfig) -> SogniTimeoutError:
    return _DeadlineExceeded(
        f"the request did not complete within its {config.timeouts.rest_total:g}s deadline"
    )


def _timeout_or_deadline(config: ClientConfig, deadline: float, message: str) -> TransportError:
    if time.monotonic() >= deadline:
        return _deadline_error(config)
    return SogniTimeoutError(message)


def _failure(config: ClientConfig, deadline: float, message: str) -> TransportError:
    """A broken connection: the deadline error if time ran out (the watchdog cut it)."""
    if time.monotonic() >= deadline:
        return _deadline_error(config)
    return TransportError(message)
