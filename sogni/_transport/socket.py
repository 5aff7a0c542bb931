"""The transport thread: the one owner of the WebSocket.

Public methods on other threads only enqueue commands and poke a wake-up socket; the thread
connects, authenticates (waits for the ``authenticated`` frame), pings, reads and routes frames,
writes queued messages, and reconnects with capped, fully jittered back-off.

What a close code from the server means is decided in ``close_codes``; opening the connection
(URL, TCP, TLS) and closing sockets are in ``handshake``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import enum
import itertools
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from .._futures import SogniFuture
from .._log import get_logger
from .._wire.envelope import decode_frame, encode_frame
from ..config import ClientConfig
from ..errors import (
    AuthenticationError,
    ClientClosedError,
    ConnectionLostError,
    SendQueueFullError,
    SogniError,
    SogniTimeoutError,
    TLSError,
)
from .backoff import backoff_delay
from .callbacks import CallbackWorker
from .close_codes import close_details, terminal_close
from .handshake import abort, goodbye, open_connection, readable_now, shutdown_only, socket_url
from .timers import Timer, TimerHeap
from .tls import ssl_context, tls_failure, tls_reason
from .wsframe import (
    OP_BINARY,
    OP_CLOSE,
    OP_DROPPED,
    OP_PONG,
    OP_TEXT,
    FrameViolation,
    HandshakeError,
    WebSocket,
    WebSocketError,
)

__all__ = ["Outbound", "SocketTransport", "TransportState"]

log = get_logger("sogni.transport")

_counter = itertools.count(1)
# How long close() lets a connected transport thread finish on its own (sending 1000).
_CLOSE_GRACE = 0.5
# How long a goodbye waits for the server to answer the close frame and hang up (within the
# grace above).
_GOODBYE_WAIT = 0.3
# Frames read back to back while more are waiting, before the loop takes its turn.
_BURST_FRAMES = 32
# A message this many times over max_frame_bytes is not read and thrown away (which would
# hold up the transport thread as long as it lasts) but ends the connection with 1009.
_DISCARD_FACTOR = 4
_MIN_DISCARD = 16 * 1024 * 1024


class TransportState(enum.Enum):
    IDLE = "idle"  # no socket, none wanted
    CONNECTING = "connecting"
    OPEN = "open"  # socket open, waiting for ``authenticated``
    READY = "ready"  # authenticated (or the fallback passed): frames may be sent
    BACKOFF = "backoff"  # waiting to reconnect
    CLOSED = "closed"  # the client closed the transport


class Outbound:
    """A frame waiting to be written. ``future`` resolves with the connection generation it was
    written on (or fails if it could not be sent in time)."""

    __slots__ = ("deadline", "frame_type", "future", "text")

    def __init__(
        self, frame_type: str, text: str, deadline: float, future: SogniFuture[int]
    ) -> None:
        self.frame_type = frame_type
        self.text = text
        self.deadline = deadline
        self.future = future


EventSink = Callable[[str, Any], None]
# The upgrade's credential headers, or None when the access token must be renewed first: the
# renewal is a REST call with retries, so it runs on an I/O worker (``Renewal``), never here.
HeaderSource = Callable[[], "dict[str, str] | None"]
Renewal = Callable[[], "concurrent.futures.Future[Any]"]


class _Closed(Exception):
    """The connection ended; carries the close code and reason."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class SocketTransport:
    """One WebSocket, one thread. All public methods are thread-safe and non-blocking."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        headers: HeaderSource,
        renew: Renewal,
        is_authenticated: Callable[[], bool],
        on_event: EventSink,
        on_credentials_rejected: Callable[[], None],
        callbacks: CallbackWorker,
        tls_context: Callable[[Any], ssl.SSLContext] = ssl_context,
    ) -> None:
        self._config = config
        # The client's TLS contexts (shared with its REST calls), built once per setting.
        self._tls_context = tls_context
        self._headers = headers
        self._renew = renew
        self._is_authenticated = is_authenticated
        self._emit = on_event
        self._credentials_rejected = on_credentials_rejected
        self._callbacks = callbacks
        self._name = f"sogni-transport-{next(_counter)}"
        self._lock = threading.Lock()
        self._commands: collections.deque[tuple[str, Any]] = collections.deque()
        # The "send" commands in _commands, kept as a count so a send need not walk the queue.
        self._queued_sends = 0
        self._pending: collections.deque[Outbound] = collections.deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()
        self._connect_sock: socket.socket | None = None
        self._ws: WebSocket | None = None
        self._state = TransportState.IDLE
        self._wanted = False  # a connection is wanted (auto-connect, send, connect())
        self._blocked: SogniError | None = None  # terminal reason refusing lazy reconnects
        self._closed_error: SogniError = ClientClosedError("the client is closed")
        self.generation = 0
        self._attempt = 0
        # Connection attempts since the socket was last ready (for max_connect_attempts).
        self._tries = 0
        self._last_failure = ""
        self._next_attempt_at = 0.0
        self._opened_at = 0.0
        self._last_ping_at = 0.0
        self._ping_outstanding_since: float | None = None
        self._network: str = config.network
        self._subscriptions: dict[str, bool] = config.socket_subscriptions()
        self._timers = TimerHeap()
        self._renewal: concurrent.futures.Future[Any] | None = None
        self._ident = 0  # the transport thread's, once it runs

    # ------------------------------------------------------------------ public (any thread)

    @property
    def state(self) -> TransportState:
        return self._state

    @property
    def network(self) -> str:
        return self._network

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def start(self) -> None:
        """Start the thread (idempotent)."""
        with self._lock:
            if self._thread is None and not self._closing.is_set():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def connect(self) -> None:
        """Ask for a connection; clears a terminal 4015/1000 block."""
        # Cleared here, not only on the thread: a send right after connect() must not meet
        # the old terminal error.
        self._blocked = None
        self._command("connect", None)

    def disconnect(self) -> None:
        """Close the socket with 1000 and do not reconnect until asked."""
        self._command("disconnect", None)

    def send(
        self, frame_type: str, payload: Any, *, timeout: float | None = None
    ) -> SogniFuture[int]:
        """Queue a frame. The returned future resolves with the connection generation the frame
        was written on, or fails (not connected in time, terminal close, client closed)."""
        if self._closing.is_set():
            raise self._closed_error.with_traceback(None)
        blocked = self._blocked
        if blocked is not None:
            # A terminal close (4015, 4010, 4021, ...) holds until connect() or new credentials.
            # The one error object is raised again and again: drop the last traceback first.
            raise blocked.with_traceback(None)
        text = encode_frame(frame_type, payload)
        wait = self._config.timeouts.send_ready if timeout is None else timeout
        future: SogniFuture[int] = SogniFuture(self._callbacks)
        future.set_running_or_notify_cancel()
        item = Outbound(frame_type, text, time.monotonic() + wait, future)
        with self._lock:
            # Checked again under the lock that the teardown takes to fail what is queued, so
            # a send racing close() either raises or is failed by it: never left waiting.
            if self._closing.is_set():
                raise self._closed_error.with_traceback(None)
            # Only messages count: a queued "connect" or "renewed" command is not one.
            waiting = len(self._pending) + self._queued_sends
            if waiting >= self._config.max_send_queue:
                raise SendQueueFullError(
                    f"send queue full ({self._config.max_send_queue} messages waiting)"
                )
            self._commands.append(("send", item))
            self._queued_sends += 1
        self._wake()
        return future

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        """Run ``fn`` on the transport thread after ``delay`` seconds. ``fn`` must not block:
        it shares the thread with the socket. Used for the SDK's protocol timers (runtime
        budgets, staleness checks, recovery re-checks) without a thread per project."""
        timer = self._timers.schedule(time.monotonic() + max(0.0, delay), fn)
        self._wake()
        return timer

    @property
    def timer_count(self) -> int:
        """Timers still scheduled (for tests and leak checks)."""
        return len(self._timers)

    @property
    def timer_entries(self) -> int:
        """Timer heap entries, cancelled ones not yet swept out included."""
        return self._timers.entries

    def set_network(self, network: str) -> None:
        """Remember the network for the URL of later reconnects."""
        self._network = network

    def set_subscriptions(self, flags: dict[str, bool]) -> None:
        self._subscriptions = {k: v for k, v in flags.items() if isinstance(v, bool)}

    def close(self, timeout: float) -> bool:
        """Stop the thread (sends 1000 when connected). Returns True if it ended in time."""
        sock: socket.socket | None = None
        if self._closing.is_set():
            thread = self._thread
        else:
            self._closing.set()
            thread = self._thread
            sock = self._connect_sock
            if sock is not None and self._ws is None:
                # Interrupt a blocking connect or handshake at once.
                shutdown_only(sock)
                sock = None
            self._wake()
        if thread is not None and thread is not threading.current_thread():
            # A connected thread wakes up, says goodbye (1000) and ends; one stuck in a read
            # (a frame cut off halfway) is cut loose after a short grace.
            thread.join(min(timeout, _CLOSE_GRACE) if sock is not None else timeout)
            if sock is not None and thread.is_alive():
                shutdown_only(sock)
                thread.join(max(0.0, timeout - _CLOSE_GRACE))
            stopped = not thread.is_alive()
        else:
            stopped = True
        if thread is None:
            self._fail_pending(ClientClosedError("the client was closed"))
            self._close_wake()
        return stopped

    # ------------------------------------------------------------------ internals

    def _command(self, name: str, arg: Any) -> None:
        if self._closing.is_set():
            return
        with self._lock:
            self._commands.append((name, arg))
        self._wake()

    def _wake(self) -> None:
        # The transport thread looks at its queues and timers before it next waits: a timer or
        # a send of its own (a frame handler's) needs no wake-up, nor the loop turn one costs.
        if threading.get_ident() == self._ident:
            return
        try:
            self._wake_w.send(b"\x00")
        except OSError:
            pass

    def _close_wake(self) -> None:
        for s in (self._wake_r, self._wake_w):
            try:
                s.close()
            except OSError:
                pass

    def _set_state(self, state: TransportState) -> None:
        self._state = state

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        self._ident = threading.get_ident()
        try:
            self._loop()
        except Exception:  # pragma: no cover - a bug; never leave callers hanging
            log.exception("Transport thread crashed")
            error = ConnectionLostError("the SDK's transport thread stopped unexpectedly")
            # Nobody is left to serve the queue: later sends raise instead of waiting.
            self._closed_error = error
            self._closing.set()
            self._fail_pending(error)
            self._emit(
                "disconnected", {"code": None, "reason": "transport crashed", "error": error}
            )
        finally:
            self._teardown()

    def _teardown(self) -> None:
        ws = self._ws
        self._ws = None
        if ws is not None:
            goodbye(ws, 1000, "Client disconnected", _GOODBYE_WAIT)
        self._set_state(TransportState.CLOSED)
        self._fail_pending(ClientClosedError("the client was closed"))
        self._close_wake()

    def _loop(self) -> None:
        while not self._closing.is_set():
            self._drain_commands()
            if self._closing.is_set():
                return
            now = time.monotonic()
            self._run_timers(now)
            self._expire_pending(now)
            if self._ws is None:
                if self._should_connect(now):
                    self._connect()
                    continue
            else:
                self._check_liveness(now)
                if self._ws is not None and self._state is TransportState.READY:
                    self._flush()
            self._wait(self._next_wakeup(time.monotonic()))

    def _run_timers(self, now: float) -> None:
        while (fn := self._timers.pop_due(now)) is not None:
            try:
                fn()
            except Exception:
                log.exception("A transport timer failed")
            del fn

    def _should_connect(self, now: float) -> bool:
        if not self._wanted and not self._pending:
            return False
        if self._renewal is not None:
            return False  # an I/O worker is renewing the access token; it wakes us when done
        if self._blocked is not None and not self._wanted:
            return False
        if not self._is_authenticated():
            # E.g. the refresh token expired while the socket was down: the session is over,
            # so work in flight fails now (once) instead of waiting for a connection.
            error = AuthenticationError("Not signed in: no credentials", status=401)
            self._fail_pending(error)
            if self._wanted:
                self._wanted = False
                ended = {"code": None, "reason": "not signed in", "error": error}
                self._emit("disconnected", ended)
            return False
        return now >= self._next_attempt_at

    def _next_wakeup(self, now: float) -> float:
        candidates = [1.0]
        due = self._timers.next_due()
        if due is not None:
            candidates.append(due - now)
        if self._pending:
            candidates.append(min(o.deadline for o in self._pending) - now)
        if self._ws is None:
            if self._wanted or self._pending:
                candidates.append(self._next_attempt_at - now)
        else:
            t = self._config.timeouts
            candidates.append(self._last_ping_at + t.ping_interval - now)
            if self._ping_outstanding_since is not None:
                candidates.append(self._ping_outstanding_since + t.pong_timeout - now)
            if self._state is TransportState.OPEN:
                candidates.append(self._opened_at + t.authenticated_fallback - now)
        return max(0.0, min(candidates))

    def _wait(self, timeout: float) -> None:
        readers: list[Any] = [self._wake_r]
        ws = self._ws
        if ws is not None:
            if ws.pending() or (isinstance(ws.sock, ssl.SSLSocket) and ws.sock.pending()):
                timeout = 0
            readers.append(ws.sock)
        try:
            readable, _, _ = select.select(readers, [], [], timeout)
        except (OSError, ValueError):
            readable = [ws.sock] if ws is not None else []
        if self._wake_r in readable:
            try:
                while self._wake_r.recv(4096):
                    pass
            except OSError:
                pass
        if (
            ws is not None
            and ws is self._ws
            and (
                ws.sock in readable
                or ws.pending()
                or (isinstance(ws.sock, ssl.SSLSocket) and ws.sock.pending())
            )
        ):
            self._read(ws)
            # A burst (many projects or streams at once) is read in one go: one readiness
            # check per frame instead of a turn of the loop. Bounded, so commands, timers and
            # pings still get their turn.
            for _ in range(_BURST_FRAMES):
                if ws is not self._ws or not readable_now(ws):
                    break
                self._read(ws)

    # ------------------------------------------------------------------ commands

    def _drain_commands(self) -> None:
        while True:
            with self._lock:
                if not self._commands:
                    return
                name, arg = self._commands.popleft()
                if name == "send":
                    self._queued_sends -= 1
            if name == "send":
                if self._blocked is not None and not self._wanted:
                    # Queued just before a terminal close: fail with its reason, not a timeout.
                    arg.future.fail(self._blocked)
                else:
                    self._pending.append(arg)
            elif name == "renewed":
                self._renewed(arg)
            elif name == "connect":
                self._blocked = None
                self._wanted = True
                self._tries = 0
                self._next_attempt_at = 0.0
            elif name == "disconnect":
                # Only sent when the credentials are cleared (logout, 401, a refused renewal):
                # work in flight can no longer be followed, so it fails now instead of hanging.
                # After a terminal close (e.g. 4021) or a session that already ended, nothing
                # is connected or wanted, and that close has already been reported.
                active = self._wanted or self._ws is not None
                self._wanted = False
                self._drop(1000, "Client disconnected", send_close=True)
                error = AuthenticationError("Signed out: the credentials were cleared", status=401)
                self._fail_pending(error)
                if active:
                    ended = {"code": 1000, "reason": "Client disconnected", "error": error}
                    self._emit("disconnected", ended)

    # ------------------------------------------------------------------ connecting

    def _connect(self) -> None:
        if self._state is not TransportState.CONNECTING:  # not again after a renewal
            self._set_state(TransportState.CONNECTING)
            self._emit("connecting", {"network": self._network})
        timeouts = self._config.timeouts
        url = socket_url(self._config, subscriptions=self._subscriptions, network=self._network)
        try:
            headers = self._headers()
            if headers is None:
                self._start_renewal()
                return
            self._tries += 1
            keep = self._config.max_frame_bytes
            ws = open_connection(
                url,
                headers,
                tls=lambda: self._tls_context(self._config.verify),
                timeout=timeouts.connect,
                keep_size=keep,
                max_size=max(keep * _DISCARD_FACTOR, _MIN_DISCARD),
                publish=self._publish,
                closing=self._closing,
            )
        except Exception as exc:
            self._connect_sock = None
            if self._closing.is_set():
                return
            self._on_connect_failed(exc)
            return
        self._connect_sock = ws.sock
        if self._closing.is_set():
            abort(ws)
            return
        ws.sock.settimeout(timeouts.pong_timeout)
        self._ws = ws
        self.generation += 1
        now = time.monotonic()
        self._opened_at = now
        self._last_ping_at = now
        self._ping_outstanding_since = None
        self._set_state(TransportState.OPEN)
        log.debug("Socket open (connection %d)", self.generation)
        self._emit("connected", {"network": self._network, "generation": self.generation})

    def _publish(self, sock: socket.socket) -> None:
        self._connect_sock = sock

    def _start_renewal(self) -> None:
        renewal = self._renew()
        self._renewal = renewal
        renewal.add_done_callback(lambda done: self._command("renewed", done))

    def _renewed(self, renewal: concurrent.futures.Future[Any]) -> None:
        if renewal is not self._renewal:
            return
        self._renewal = None
        exc = renewal.exception()
        if exc is not None:
            self._tries += 1
            self._on_connect_failed(exc)  # refused: signed out; no verdict: back off and retry

    def _on_connect_failed(self, exc: BaseException) -> None:
        if isinstance(exc, AuthenticationError):
            # Renewing the token was refused: the store has signed out; nothing to retry.
            self._terminal(exc, code=None, reason="authentication failed", clear=False)
            return
        status = getattr(exc, "status_code", None)
        tls = tls_failure(exc)
        if tls is not None:
            reason = tls_reason(tls)
            error: SogniError = TLSError(f"TLS verification of the socket host failed: {reason}")
            log.warning("WebSocket TLS verification failed (%s); not retrying", reason)
            self._terminal(error, code=None, reason="TLS verification failed", clear=False)
            return
        if status == 401:
            log.warning("WebSocket upgrade refused with HTTP 401; credentials cleared")
            self._terminal(
                AuthenticationError("The socket host refused the credentials", status=401),
                code=4021,
                reason="HTTP 401",
                clear=True,
            )
            return
        if status:
            self._last_failure = f"HTTP {status}"
        elif isinstance(exc, HandshakeError):
            self._last_failure = str(exc)  # says what was wrong; never carries a header
        else:
            self._last_failure = type(exc).__name__
        log.debug("WebSocket connection attempt failed (%s)", self._last_failure)
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        t = self._config.timeouts
        limit = self._config.max_connect_attempts
        if limit is not None and self._tries >= limit:
            self._give_up(limit)
            return
        delay = backoff_delay(
            self._attempt, base=t.reconnect_base, cap=t.reconnect_max, rng=self._config.rng
        )
        self._attempt = min(self._attempt + 1, 30)
        self._next_attempt_at = time.monotonic() + delay
        self._set_state(TransportState.BACKOFF)
        log.debug("Reconnecting in %.2fs (attempt %d)", delay, self._attempt)

    def _give_up(self, limit: int) -> None:
        log.warning(
            "%d connection attempts in a row failed; giving up (max_connect_attempts)", limit
        )
        error = ConnectionLostError(
            f"Gave up connecting to the socket host after {limit} attempts in a row "
            f"(last: {self._last_failure}); the next request or connect() tries again"
        )
        # Lazy: nothing reconnects on its own, but the next send (or connect()) starts afresh.
        self._terminal(
            error, code=None, reason="connection attempts exhausted", clear=False, lazy=True
        )

    # ------------------------------------------------------------------ reading

    def _read(self, ws: WebSocket) -> None:
        try:
            opcode, data = ws.recv()
        except TimeoutError:
            self._lost(1006, "read stalled mid-frame")
            return
        except FrameViolation as exc:
            # A frame no server should send (or one far too big): say why, start afresh.
            log.info("Bad frame from the server (%s); reconnecting", exc)
            self._drop(exc.code, exc.reason, send_close=True)
            self._lost(exc.code, exc.reason)
            return
        except (WebSocketError, OSError, ValueError):
            self._lost(1006, "connection lost")
            return
        if opcode in (OP_TEXT, OP_BINARY):
            self._on_message(data)
        elif opcode == OP_CLOSE:
            code, reason = close_details(data)
            self._on_server_close(code, reason)
        elif opcode == OP_PONG:
            self._ping_outstanding_since = None
        elif opcode == OP_DROPPED:
            log.debug(
                "Dropped a frame of %s bytes (over the %d-byte limit)",
                data.decode("ascii"),
                self._config.max_frame_bytes,
            )
        # A ping was answered by the reader.

    def _on_message(self, data: bytes | str) -> None:
        try:
            decoded = decode_frame(data, max_bytes=self._config.max_frame_bytes)
        except Exception as exc:  # FrameError, or anything a hostile frame provokes
            log.debug("Dropped a malformed frame (%s)", exc)
            return
        if decoded.type == "authenticated" and self._state is TransportState.OPEN:
            self._set_state(TransportState.READY)
            self._attempt = 0
            self._tries = 0
            log.debug("Authenticated (connection %d)", self.generation)
        try:
            self._emit("frame", decoded)
        except Exception:
            log.exception("Handling a %r frame failed", decoded.type)

    # ------------------------------------------------------------------ timers and writing

    def _check_liveness(self, now: float) -> None:
        ws = self._ws
        if ws is None:
            return
        t = self._config.timeouts
        if self._ping_outstanding_since is not None:
            if now - self._ping_outstanding_since >= t.pong_timeout:
                log.info(
                    "No pong within %.1fs: the connection is half-open; reconnecting",
                    t.pong_timeout,
                )
                self._lost(1006, "pong timeout")
                return
        elif now - self._last_ping_at >= t.ping_interval:
            try:
                ws.ping(b"")
            except Exception:
                self._lost(1006, "ping failed")
                return
            self._last_ping_at = now
            self._ping_outstanding_since = now
        if self._state is TransportState.OPEN and now - self._opened_at >= t.authenticated_fallback:
            # Older servers never say "authenticated"; send anyway.
            log.debug(
                "No authenticated frame after %.1fs; sending anyway", t.authenticated_fallback
            )
            self._set_state(TransportState.READY)
            self._tries = 0

    def _flush(self) -> None:
        ws = self._ws
        while ws is not None and self._pending and not self._closing.is_set():
            item = self._pending[0]
            if item.future.done():
                self._pending.popleft()
                continue
            try:
                ws.send_text(item.text)
            except Exception:
                # The frame may or may not have left; it stays queued and the owner decides
                # (a project is resent at most once, when the server never saw it).
                self._lost(1006, "send failed")
                return
            self._pending.popleft()
            item.future.settle(self.generation)
            ws = self._ws

    def _expire_pending(self, now: float) -> None:
        if not self._pending:
            return
        keep: collections.deque[Outbound] = collections.deque()
        for item in self._pending:
            if item.deadline <= now and not item.future.done():
                item.future.fail(
                    SogniTimeoutError(
                        "WebSocket connection timeout: the socket was not ready in time"
                    )
                )
            elif not item.future.done():
                keep.append(item)
        self._pending = keep

    def _fail_pending(self, error: SogniError) -> None:
        pending, self._pending = self._pending, collections.deque()
        with self._lock:
            commands = [c for c in self._commands if c[0] == "send"]
            self._commands = collections.deque(c for c in self._commands if c[0] != "send")
            self._queued_sends = 0
        for item in list(pending) + [c[1] for c in commands]:
            item.future.fail(error)

    # ------------------------------------------------------------------ closing

    def _on_server_close(self, code: int, reason: str) -> None:
        log.info("Server closed the socket (code %d)", code)
        verdict = terminal_close(code, self._config.app_id)
        if verdict is None:
            self._lost(code, reason)
        else:
            self._terminal(
                verdict.error, code=code, reason=reason, clear=verdict.clear, lazy=verdict.lazy
            )

    def _lost(self, code: int, reason: str) -> None:
        """A recoverable loss: reconnect with back-off; in-flight work stays registered."""
        self._drop(code, reason, send_close=False)
        if self._closing.is_set():
            return
        self._last_failure = f"connection closed with {code}"
        self._emit("lost", {"code": code, "reason": reason})
        self._schedule_reconnect()

    def _terminal(
        self,
        error: SogniError,
        *,
        code: int | None,
        reason: str,
        clear: bool,
        lazy: bool = False,
    ) -> None:
        self._drop(code or 1006, reason, send_close=False)
        self._wanted = False
        self._blocked = None if lazy else error
        self._attempt = 0
        self._tries = 0
        self._next_attempt_at = 0.0
        self._set_state(TransportState.IDLE)
        self._fail_pending(error)
        if clear:
            self._credentials_rejected()
        self._emit("disconnected", {"code": code, "reason": reason, "error": error})

    def _drop(self, code: int, reason: str, *, send_close: bool) -> None:
        ws = self._ws
        self._ws = None
        self._connect_sock = None
        self._ping_outstanding_since = None
        if ws is None:
            return
        if send_close:
            goodbye(ws, code, reason, _GOODBYE_WAIT)
        else:
            abort(ws)
        self._set_state(TransportState.IDLE)

    # ------------------------------------------------------------------ lazy connect

    def want_connection(self) -> None:
        """Auto-connect: keep a connection up while authenticated."""
        self._blocked = None
        self._command("connect", None)
