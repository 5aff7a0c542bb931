"""The shared core of a client and its ``with_options`` views.

The core owns the SDK's resources (REST client, socket transport, callback and I/O workers,
in-flight registry) and their lifetime, and composes the parts that each hold one
responsibility: the listeners (``_core_events``), the routing of frames through an explicit
table (``_core_routing``), the account state (``account.AccountState``), the network switch
(``_core_network``) and the reactions to credential changes (``_core_credentials``).
Namespaces see it through the small protocols of ``_core_protocols``.
"""

from __future__ import annotations

import atexit
import itertools
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._core_credentials import CredentialsWiring
from ._core_events import EventHub
from ._core_network import NetworkSwitch
from ._core_routing import FrameRouter
from ._events import CONNECTION_EVENTS
from ._futures import SogniFuture
from ._log import get_logger
from ._transport.callbacks import CallbackWorker
from ._transport.inflight import InflightRegistry
from ._transport.rest import RestClient
from ._wire.converter import get_converter
from ._wire.envelope import Frame
from .account import AccountState
from .auth import CredentialStore
from .config import ClientConfig
from .errors import (
    AuthenticationError,
    ClientClosedError,
    ConnectionLostError,
    ForkedProcessError,
    ProtocolError,
    SogniError,
    SogniTimeoutError,
    ValidationError,
)

if TYPE_CHECKING:
    from ._transport.socket import SocketTransport

__all__ = ["CONNECTION_EVENTS", "Core"]

log = get_logger("sogni.client")

T = TypeVar("T")


_io_counter = itertools.count(1)


class Core:
    """Shared state of a client and its ``with_options`` views."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.pid = os.getpid()
        # Looked up once: every frame is structured through it on the transport thread.
        self._structure = get_converter().structure
        self.closed = False
        self.closing = threading.Event()  # set at close(): interruptible waits use it
        self._close_lock = threading.Lock()
        self.credentials = CredentialStore(
            config.api_key, refresh_margin=config.timeouts.token_refresh_margin
        )
        if config.verify is False:
            # Once per client (its views share this core), not per request or reconnect.
            log.warning(
                "TLS certificate verification is off (verify=False): anyone on the network "
                "path can read and change this client's traffic, credentials included"
            )
        self.rest = RestClient(config, self.credentials)
        self.credentials.bind(self.rest)
        self.callbacks = CallbackWorker(maxsize=config.callback_queue_size)
        # The SDK's own blocking work (token renewal for the socket, result URLs, recovery
        # lookups): never on the transport thread, never behind a slow user callback.
        self.io = CallbackWorker(maxsize=100_000, name=f"sogni-io-{next(_io_counter)}", threads=4)
        self.registry = InflightRegistry()
        self.events = EventHub(self.callbacks)
        self.account_state = AccountState(config.network, self.events.emit)
        self._extensions: dict[str, Any] = {}
        self._extensions_lock = threading.Lock()
        self._close_hooks: list[Callable[[], Any]] = []
        self.network_switch = NetworkSwitch(
            require_transport=self.require_transport,
            add_frame_handler=self.events.add_frame_handler,
            account=self.account_state,
        )
        self.router = FrameRouter(
            events=self.events,
            account=self.account_state,
            registry=self.registry,
            credentials=self.credentials,
            network=self.network_switch,
            structure=self.structure,
        )
        self.session = CredentialsWiring(
            self.credentials,
            auto_connect=config.auto_connect,
            io=self.io,
            callbacks=self.callbacks,
            account=self.account_state,
            closed=lambda: self.closed,
            connect=self.start_socket,
            disconnect=self._disconnect_socket,
        )
        self.transport: SocketTransport | None = None
        if not config.disable_socket:
            if not config.app_id:
                raise ValidationError(
                    [
                        (
                            "app_id",
                            "is required when the socket is enabled (pass disable_socket=True "
                            "for REST-only use)",
                        )
                    ]
                )
            # The socket stack (our own WebSocket client) loads only for a client that may use it.
            from ._transport.socket import SocketTransport

            self.transport = SocketTransport(
                config,
                headers=self.credentials.headers_nowait,
                renew=self.session.renew_in_background,
                is_authenticated=self.credentials.is_authenticated,
                on_event=self.router.on_transport_event,
                on_credentials_rejected=self.credentials.clear,
                callbacks=self.callbacks,
                tls_context=self.rest.tls_context,
            )
            self.router.transport = self.transport
        atexit.register(self._close_at_exit)

    # ------------------------------------------------------------------ checks and helpers

    def check(self) -> None:
        if os.getpid() != self.pid:
            raise ForkedProcessError()
        if self.closed:
            raise ClientClosedError("the client is closed")

    def structure(self, data: Any, cls: type[T]) -> T:
        """Wire JSON to a model; a shape we cannot read becomes a ``ProtocolError``."""
        result: T = self.structure_as(data, cls)
        return result

    def structure_as(self, data: Any, tp: Any) -> Any:
        """Like :meth:`structure` for generic types such as ``list[Model]``."""
        try:
            return self._structure(data, tp)
        except Exception as exc:
            name = getattr(tp, "__name__", str(tp))
            raise ProtocolError(f"unexpected response shape for {name}") from exc

    def request(self, method: str, path: str, *, config: ClientConfig, **kwargs: Any) -> Any:
        """REST through the shared client, after the closed/fork checks."""
        self.check()
        return self.rest.request(method, path, config=config, **kwargs)

    def extension(self, key: str, factory: Callable[[Core], T]) -> T:
        """Shared per-client state of a namespace (created once, on first use)."""
        with self._extensions_lock:
            value = self._extensions.get(key)
            if value is None:
                value = factory(self)
                self._extensions[key] = value
            result: T = value
            return result

    def on_close(self, fn: Callable[[], Any]) -> None:
        self._close_hooks.append(fn)

    # ------------------------------------------------------------------ events

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self.events.on(event, fn)

    def on_raw(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """An SDK-internal listener, called on the emitting thread (see ``EventHub.on_raw``)."""
        return self.events.on_raw(event, fn)

    def emit(self, event: str, payload: Any, *, internal: Any = None) -> None:
        self.events.emit(event, payload, internal=internal)

    def add_frame_handler(
        self, frame_type: str, handler: Callable[[Frame], None]
    ) -> Callable[[], None]:
        """An internal consumer of a frame type (on the transport thread: must not block)."""
        return self.events.add_frame_handler(frame_type, handler)

    def latest_frame(self, frame_type: str) -> Frame | None:
        return self.events.latest_frame(frame_type)

    # ------------------------------------------------------------------ the socket

    def require_transport(self) -> SocketTransport:
        self.check()
        if self.transport is None:
            raise SogniError("the socket is disabled for this client (disable_socket=True)")
        self.transport.start()
        return self.transport

    def start_socket_for_work(self) -> None:
        """Make sure the socket thread runs and a connection is wanted (lazy connect)."""
        transport = self.require_transport()
        if transport.state.value in ("idle",):
            transport.want_connection()

    def start_socket(self) -> None:
        if self.transport is not None and self.credentials.is_authenticated():
            self.transport.start()
            self.transport.want_connection()

    def connect(self, *, wait: bool, timeout: float | None, config: ClientConfig) -> None:
        """``SogniClient.connect``: open the socket; with ``wait``, until it authenticated."""
        transport = self.require_transport()
        ready = threading.Event()
        ended: list[Any] = []

        def on_disconnected(data: Any) -> None:
            ended.append(data)
            ready.set()

        # Internal listeners: a slow user callback must not delay connect().
        removers = [
            self.on_raw("authenticated", lambda _: ready.set()),
            self.on_raw("disconnected", on_disconnected),
            self.on_raw("closing", lambda _: ready.set()),
        ]
        try:
            # Checked after the listeners are in place, so neither can be missed.
            if self.closed:
                raise ClientClosedError("the client is closed")
            if not self.credentials.is_authenticated():
                raise AuthenticationError("Not signed in: no credentials", status=401)
            transport.connect()
            if wait and transport.state.value != "ready":
                limit = config.timeouts.send_ready if timeout is None else timeout
                if not ready.wait(limit) and transport.state.value != "ready":
                    raise SogniTimeoutError(f"the socket did not authenticate within {limit:g}s")
                if self.closed:
                    raise ClientClosedError("the client was closed while connecting")
                if ended and transport.state.value != "ready":
                    error = ended[0].get("error")
                    if isinstance(error, SogniError):
                        raise error
                    raise ConnectionLostError("the connection ended before it authenticated")
        finally:
            for remove in removers:
                remove()

    def _disconnect_socket(self) -> None:
        if self.transport is not None:
            self.transport.disconnect()

    def send(
        self, frame_type: str, payload: Any, *, timeout: float | None = None
    ) -> SogniFuture[int]:
        return self.require_transport().send(frame_type, payload, timeout=timeout)

    def switch_network(self, network: str, config: ClientConfig) -> str:
        return self.network_switch.switch(network, config)

    # ------------------------------------------------------------------ closing

    def _close_at_exit(self) -> None:
        # A script that never closed its client still says goodbye to the server at exit.
        if os.getpid() == self.pid:
            self.close()

    def close(self) -> None:
        with self._close_lock:
            if self.closed:
                return
            self.closed = True
            self.closing.set()
        if os.getpid() != self.pid:
            return  # the threads belong to the parent process
        atexit.unregister(self._close_at_exit)
        # Wake a connect() blocked on another thread at once.
        self.emit("closing", None)
        deadline = time.monotonic() + self.config.timeouts.close
        clean = True
        if self.transport is not None:
            clean &= self.transport.close(max(0.05, deadline - time.monotonic()))
        # Before the callback worker stops: the done-callbacks and final events of the work
        # failed here are queued on it and still run.
        self.registry.fail_all(ClientClosedError("the client was closed"))
        # Cuts REST calls in flight (a token renewal, a result URL) so the I/O workers end.
        self.rest.close()
        clean &= self.io.close(max(0.05, deadline - time.monotonic()))
        for hook in self._close_hooks:
            try:
                hook()
            except Exception:
                log.exception("A close hook failed")
        clean &= self.callbacks.close(max(0.05, deadline - time.monotonic()))
        if not clean:
            log.warning("close(): an SDK thread did not stop in time (a callback still running?)")
