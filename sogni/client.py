"""``SogniClient``: configuration, credentials, REST, the socket thread, and the namespaces."""

from __future__ import annotations

import atexit
import concurrent.futures
import itertools
import os
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from ._events import check_event
from ._futures import SogniFuture
from ._log import get_logger
from ._transport.callbacks import CallbackWorker
from ._transport.inflight import InflightRegistry
from ._transport.rest import RestClient
from ._transport.socket import SocketTransport
from ._wire.converter import get_converter
from ._wire.envelope import Frame

# Imported here, never first on an SDK thread: an import in progress there when the process
# forks (gunicorn --preload) leaves its lock held in the child, which then hangs on it.
from ._wire.messages import Authenticated
from .account import (
    AccountAPI,
    Balances,
    CurrentAccount,
    SubscriptionStatus,
    map_socket_entitlement,
)
from .auth import CredentialStore, Tokens, coerce_tokens
from .config import (
    ClientConfig,
    ClientOptions,
    RetryPolicy,
    Timeouts,
    not_per_call_error,
)
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
    from typing_extensions import Never, Unpack

    from .chat import ChatAPI
    from .projects import ProjectsAPI

__all__ = ["SogniClient"]

log = get_logger("sogni.client")

T = TypeVar("T")

CONNECTION_EVENTS = ("connecting", "connected", "authenticated", "disconnected")
CLIENT_EVENTS = (
    *CONNECTION_EVENTS,
    "connection_lost",
    "account_updated",
    "toast_message",
    "app_alert",
    "subscription_limit_notice",
)
# Server notices are emitted under their frame type.
_NOTICE_FRAMES = {
    "toast_message": "toastMessage",
    "app_alert": "appAlert",
    "subscription_limit_notice": "subscriptionLimitNotice",
}

_io_counter = itertools.count(1)


class _Core:
    """Shared state of a client and its ``with_options`` views."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.pid = os.getpid()
        self.closed = False
        self.closing = threading.Event()  # set at close(): interruptible waits use it
        self._close_lock = threading.Lock()
        self.credentials = CredentialStore(
            config.api_key, refresh_margin=config.timeouts.token_refresh_margin
        )
        self.rest = RestClient(config, self.credentials)
        self.credentials.bind(self.rest)
        self.callbacks = CallbackWorker(maxsize=config.callback_queue_size)
        # The SDK's own blocking work (token renewal for the socket, result URLs, recovery
        # lookups): never on the transport thread, never behind a slow user callback.
        self.io = CallbackWorker(maxsize=100_000, name=f"sogni-io-{next(_io_counter)}", threads=4)
        self.registry = InflightRegistry()
        self.current_account = CurrentAccount(config.network)
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {}
        self._raw_listeners: dict[str, list[Callable[[Any], Any]]] = {}
        self._listeners_lock = threading.Lock()
        # Copy-on-write tuples: the transport thread iterates them while callers add and remove.
        self._frame_handlers: dict[str, tuple[Callable[[Frame], None], ...]] = {}
        self._latest_frames: dict[str, Frame] = {}
        self._extensions: dict[str, Any] = {}
        self._extensions_lock = threading.Lock()
        self._close_hooks: list[Callable[[], Any]] = []
        self._subscription_version = -1
        self._subscription_writes = 0
        self._tokens_listeners: list[Callable[[Tokens], Any]] = []
        self.credentials.on_change(self._on_credentials_changed)
        self.credentials.on_tokens_refreshed(self._on_tokens_refreshed)
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
            self.transport = SocketTransport(
                config,
                headers=self.credentials.headers_nowait,
                renew=self._renew_in_background,
                is_authenticated=self.credentials.is_authenticated,
                on_event=self._on_transport_event,
                on_credentials_rejected=self.credentials.clear,
                callbacks=self.callbacks,
            )
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
            return get_converter().structure(data, tp)
        except Exception as exc:
            name = getattr(tp, "__name__", str(tp))
            raise ProtocolError(f"unexpected response shape for {name}") from exc

    def request(self, method: str, path: str, *, config: ClientConfig, **kwargs: Any) -> Any:
        """REST through the shared client, after the closed/fork checks."""
        self.check()
        return self.rest.request(method, path, config=config, **kwargs)

    def require_transport(self) -> SocketTransport:
        self.check()
        if self.transport is None:
            raise SogniError("the socket is disabled for this client (disable_socket=True)")
        self.transport.start()
        return self.transport

    def extension(self, key: str, factory: Callable[[_Core], T]) -> T:
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

    def latest_frame(self, frame_type: str) -> Frame | None:
        """The last frame of a state-carrying type (``swarmModels``, ``swarmLLMModels``)."""
        return self._latest_frames.get(frame_type)

    def start_socket_for_work(self) -> None:
        """Make sure the socket thread runs and a connection is wanted (lazy connect)."""
        transport = self.require_transport()
        if transport.state.value in ("idle",):
            transport.want_connection()

    def start_socket(self) -> None:
        if self.transport is not None and self.credentials.is_authenticated():
            self.transport.start()
            self.transport.want_connection()

    # ------------------------------------------------------------------ events

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        with self._listeners_lock:
            self._listeners.setdefault(event, []).append(fn)

        def remove() -> None:
            with self._listeners_lock:
                listeners = self._listeners.get(event, [])
                if fn in listeners:
                    listeners.remove(fn)

        return remove

    def on_raw(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """An SDK-internal listener, called on the emitting thread: ``fn`` must be quick and
        must not block (it may run on the transport thread)."""
        with self._listeners_lock:
            self._raw_listeners.setdefault(event, []).append(fn)

        def remove() -> None:
            with self._listeners_lock:
                listeners = self._raw_listeners.get(event, [])
                if fn in listeners:
                    listeners.remove(fn)

        return remove

    def emit(self, event: str, payload: Any, *, internal: Any = None) -> None:
        """Deliver an event: internal listeners at once (with ``internal`` if given, else the
        payload), public ones on the callback worker."""
        with self._listeners_lock:
            listeners = list(self._listeners.get(event, ()))
            raw = list(self._raw_listeners.get(event, ()))
        for fn in raw:
            try:
                fn(payload if internal is None else internal)
            except Exception:
                log.exception("An internal %s listener failed", event)
        for fn in listeners:
            self.callbacks.submit(fn, payload)

    def add_frame_handler(
        self, frame_type: str, handler: Callable[[Frame], None]
    ) -> Callable[[], None]:
        """Internal consumers of a frame type (run on the transport thread: must not block).
        Returns a function that removes the handler."""
        with self._listeners_lock:
            self._frame_handlers[frame_type] = (*self._frame_handlers.get(frame_type, ()), handler)

        def remove() -> None:
            with self._listeners_lock:
                handlers = self._frame_handlers.get(frame_type, ())
                self._frame_handlers[frame_type] = tuple(h for h in handlers if h is not handler)

        return remove

    # ------------------------------------------------------------------ transport events

    def _on_transport_event(self, name: str, data: Any) -> None:
        try:
            if name == "frame":
                self._on_frame(data)
                return
            if name == "connecting":
                self.apply_account_changes(network_status="connecting")
                self.emit("connecting", data)
            elif name == "connected":
                self.apply_account_changes(network_status="connected", network=data["network"])
                self.emit("connected", data)
            elif name == "lost":
                for entry in self.registry.entries():
                    entry._connection_lost()
                self.emit("connection_lost", data)
            elif name == "disconnected":
                error = data.get("error")
                if error is not None:
                    self.registry.fail_all(error)
                self.apply_account_changes(network_status="disconnected", network=None)
                public = {k: v for k, v in data.items() if k != "error"}
                self.emit("disconnected", public, internal=data)
        except Exception:
            log.exception("Handling transport event %r failed", name)

    def _on_frame(self, frame: Frame) -> None:
        if frame.type in ("swarmModels", "swarmLLMModels"):
            self._latest_frames[frame.type] = frame
        handler = getattr(self, "_frame_" + frame.type, None)
        if handler is not None:
            handler(frame)
        for extra in self._frame_handlers.get(frame.type, ()):
            extra(frame)
        job_id = frame.payload.get("jobID") if isinstance(frame.payload, dict) else None
        if isinstance(job_id, str):
            entry = self.registry.get(job_id)
            if entry is not None:
                entry._frame_arrived(frame)
            else:
                log.debug("Ignored a %s frame for an unknown job", frame.type)
        elif handler is None and frame.type not in self._frame_handlers:
            log.debug("Ignored a %s frame", frame.type)
        if frame.type in ("toastMessage", "appAlert", "subscriptionLimitNotice"):
            self.emit(frame.type, frame.payload)

    def _frame_authenticated(self, frame: Frame) -> None:
        payload = self.structure(frame.payload or {}, Authenticated)
        changes: dict[str, Any] = {}
        if self.credentials.mode == "api_key":
            if payload.username:
                changes["username"] = payload.username
            if payload.address:
                changes["wallet_address"] = payload.address
        if isinstance(payload.free_spark_locked, bool):
            changes["free_spark_locked"] = payload.free_spark_locked
        if payload.free_spark_unlock_path in ("trial", "purchase"):
            changes["free_spark_unlock_path"] = payload.free_spark_unlock_path
        self.apply_account_changes(**changes)
        if isinstance(payload.subscription_entitlement, dict):
            self.apply_socket_subscription(payload.subscription_entitlement)
        generation = self.transport.generation if self.transport else 0
        for entry in self.registry.entries():
            entry._authenticated(generation, frame.payload)
        self.emit("authenticated", {"username": payload.username, "generation": generation})

    def _frame_balanceUpdate(self, frame: Frame) -> None:
        self.apply_account_changes(balance=self.structure(frame.payload, Balances))

    def _frame_subscriptionEntitlementUpdated(self, frame: Frame) -> None:
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        self.apply_socket_subscription(payload)

    def _frame_socketEventSubscriptionsUpdated(self, frame: Frame) -> None:
        flags = (frame.payload or {}).get("socketEventSubscriptions")
        if isinstance(flags, dict) and self.transport is not None:
            self.transport.set_subscriptions(flags)

    def _frame_changeNetwork(self, frame: Frame) -> None:
        network = (frame.payload or {}).get("network")
        if network in ("fast", "relaxed"):
            self.apply_account_changes(network=network, network_status="connected")

    # ------------------------------------------------------------------ account state

    def apply_account_changes(self, **changes: Any) -> None:
        changed = self.current_account._update(**changes)
        if changed:
            self.emit("account_updated", changed)

    def apply_socket_subscription(self, payload: dict[str, Any]) -> None:
        snapshot, version = map_socket_entitlement(payload)
        if version is not None:
            if version < self._subscription_version:
                return  # protocol/01 §7.5: an older entitlement version never overwrites
            self._subscription_version = version
        self._subscription_writes += 1
        changes: dict[str, Any] = {"subscription": snapshot}
        if isinstance(payload.get("freeSparkLocked"), bool):
            changes["free_spark_locked"] = payload["freeSparkLocked"]
        self.apply_account_changes(**changes)

    def apply_rest_subscription(
        self, snapshot: SubscriptionStatus, writes_before: int | None = None
    ) -> SubscriptionStatus:
        if writes_before is not None and writes_before != self._subscription_writes:
            # A socket write landed while the REST call was in flight; it is newer.
            current = self.current_account.subscription
            return current if current is not None else snapshot
        self.apply_account_changes(subscription=snapshot)
        return snapshot

    # ------------------------------------------------------------------ credentials

    def _on_credentials_changed(self, authenticated: bool) -> None:
        if authenticated:
            if self.config.auto_connect and not self.closed:
                self.start_socket()
        else:
            self.current_account._reset()
            if self.transport is not None and not self.closed:
                self.transport.disconnect()

    def _renew_in_background(self) -> concurrent.futures.Future[Tokens]:
        """Renew the access token on an I/O worker (for the socket thread, which must not
        block on REST)."""
        future: concurrent.futures.Future[Tokens] = concurrent.futures.Future()

        def run() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(self.credentials.refresh())
                except BaseException as exc:
                    future.set_exception(exc)

        if not self.io.submit(run, essential=True):
            future.set_exception(ClientClosedError("the client is closed"))
        return future

    def _on_tokens_refreshed(self, tokens: Tokens) -> None:
        for fn in list(self._tokens_listeners):
            self.callbacks.submit(fn, tokens)

    # ------------------------------------------------------------------ socket operations

    def send(
        self, frame_type: str, payload: Any, *, timeout: float | None = None
    ) -> SogniFuture[int]:
        return self.require_transport().send(frame_type, payload, timeout=timeout)

    def switch_network(self, network: str, config: ClientConfig) -> str:
        if network not in ("fast", "relaxed"):
            raise ValidationError([("network", "must be 'fast' or 'relaxed'")])
        transport = self.require_transport()
        answered: concurrent.futures.Future[str] = concurrent.futures.Future()

        def on_change(frame: Frame) -> None:
            value = (frame.payload or {}).get("network")
            if isinstance(value, str) and not answered.done():
                answered.set_result(value)

        remove_handler = self.add_frame_handler("changeNetwork", on_change)
        try:
            self.apply_account_changes(network_status="switching", network=None)
            transport.send("changeNetwork", network).result(config.timeouts.send_ready + 1)
            try:
                result = answered.result(config.timeouts.network_switch)
            except concurrent.futures.TimeoutError:
                raise SogniTimeoutError("the server did not confirm the network switch") from None
        finally:
            remove_handler()
        transport.set_network(result)
        self.apply_account_changes(network=result, network_status="connected")
        return result

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


class _Lifetime:
    """A token whose death means nobody can reach the client any more."""

    __slots__ = ("__weakref__",)


def _close_dropped(core: _Core) -> None:
    """``weakref.finalize`` callback: the client became garbage without ``close()``."""
    if core.closed or os.getpid() != core.pid:
        return
    warnings.warn(
        "A SogniClient was garbage-collected without close(); closing it now. Use "
        "'with SogniClient(...)' or call close().",
        ResourceWarning,
        stacklevel=2,
    )
    # Not here: garbage collection can strike on any thread, even one holding an SDK lock
    # that close() needs.
    threading.Thread(target=core.close, name="sogni-close", daemon=True).start()


class SogniClient:
    """The synchronous Sogni Supernet client. Thread-safe: share one per process.

    ``SogniClient(app_id=..., api_key=...)`` returns at once; the socket connects in the
    background. Use it as a context manager, or call :meth:`close`. Instead of an API key, pass
    saved ``tokens=`` (see :meth:`get_tokens`), or call :meth:`login` later.
    """

    def __init__(
        self,
        *,
        app_id: str | None = None,
        api_key: str | None = None,
        tokens: Tokens | Mapping[str, str] | None = None,
        config: ClientConfig | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        if config is None:
            config = ClientConfig(app_id=app_id, api_key=api_key, **options)
        else:
            config = config.with_options(**options)
            if app_id is not None:
                config = config.with_options(app_id=app_id)
            if api_key is not None:
                config = config.with_options(api_key=api_key)
        saved_tokens = None
        if tokens is not None:
            if config.api_key:
                raise ValidationError([("tokens", "cannot be combined with api_key")])
            saved_tokens = coerce_tokens(tokens)
        self._config = config
        self._core = _Core(config)
        # Held by this client, its views and its namespaces: when the last of them is garbage,
        # the client closes itself (a web app that never calls close() leaks no threads).
        self._lifetime = _Lifetime()
        weakref.finalize(self._lifetime, _close_dropped, self._core).atexit = False
        if saved_tokens is not None:
            # Stored without a request: an expired access token is renewed on first use.
            self._core.credentials.set_tokens(saved_tokens, notify=False)
        self._core.start_socket() if config.auto_connect else None

    @classmethod
    def from_env(
        cls,
        *,
        app_id: str | None = None,
        api_key: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> SogniClient:
        """Build a client from ``SOGNI_*`` environment variables (see ``ClientConfig.from_env``);
        keyword arguments win."""
        return cls(config=ClientConfig.from_env(app_id=app_id, api_key=api_key, **options))

    def _view(self, config: ClientConfig) -> SogniClient:
        view = SogniClient.__new__(SogniClient)
        view._config = config
        view._core = self._core
        view._lifetime = self._lifetime
        return view

    def with_options(
        self,
        *,
        timeout: float | None = None,
        timeouts: Timeouts | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        **not_per_call: Never,
    ) -> SogniClient:
        """A view of this client with other per-call settings: ``timeout`` (REST read timeout,
        REST deadline and chat deadline at once), ``timeouts``, ``max_retries`` (REST retries)
        or ``retry``. It shares the connection and credentials; closing either closes both.

        Identity and connection settings (``api_key``, ``app_id``, endpoints, ``network``,
        ``verify``, ...) cannot differ on a view: naming one raises ``TypeError``; create a
        new client for them."""
        for name in not_per_call:
            raise not_per_call_error(name)
        config = self._config
        if timeouts is not None:
            config = config.with_options(timeouts=timeouts)
        if retry is not None:
            config = config.with_options(retry=retry)
        # Applied last: on top of the timeouts and the retry policy given with them.
        return self._view(config.with_options(timeout=timeout, max_retries=max_retries))

    def _keep_alive(self, namespace: T) -> T:
        """A namespace keeps its client from closing itself while the namespace is in use."""
        namespace._lifetime = self._lifetime  # type: ignore[attr-defined]
        return namespace

    # ------------------------------------------------------------------ namespaces

    @cached_property
    def account(self) -> AccountAPI:
        return self._keep_alive(AccountAPI(self._core, self._config))

    @cached_property
    def projects(self) -> ProjectsAPI:
        from .projects import ProjectsAPI

        return self._keep_alive(ProjectsAPI(self._core, self._config))

    @cached_property
    def chat(self) -> ChatAPI:
        from .chat import ChatAPI

        chat = self._keep_alive(ChatAPI(self._core, self._config))
        self._keep_alive(chat.completions)
        self._keep_alive(chat.tools)
        return chat

    # ------------------------------------------------------------------ state

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def current_account(self) -> CurrentAccount:
        return self._core.current_account

    @property
    def is_connected(self) -> bool:
        transport = self._core.transport
        return transport is not None and transport.state.value == "ready"

    @property
    def closed(self) -> bool:
        return self._core.closed

    # ------------------------------------------------------------------ credentials

    def set_tokens(
        self, tokens: Tokens | Mapping[str, str], *, refresh_if_expired: bool = True
    ) -> None:
        """Sign in with saved tokens (``Tokens`` or ``{"token", "refreshToken"}``).

        An expired access token is renewed at once, then ``account.me()`` fills
        ``current_account``. With ``refresh_if_expired=False`` the tokens are only stored and
        nothing is sent until the first call. Raises :class:`AuthenticationError` (and signs out)
        if the refresh token has expired or renewal is refused.
        """
        from .auth import set_tokens

        self._core.check()
        set_tokens(self._core, tokens, refresh_if_expired=refresh_if_expired, config=self._config)

    def get_tokens(self) -> Tokens | None:
        """The current tokens (token sign-in only), e.g. to persist them with ``as_dict()``."""
        return self._core.credentials.tokens

    def on_tokens_refreshed(self, fn: Callable[[Tokens], Any]) -> Callable[[], None]:
        """``fn(tokens)`` after every renewal of the access token; the refresh token may have
        rotated, so persist the new pair. Runs on the callback worker. Returns a function that
        removes the listener."""
        listeners = self._core._tokens_listeners
        listeners.append(fn)

        def remove() -> None:
            if fn in listeners:
                listeners.remove(fn)

        return remove

    def login(self, username: str, password: str, *, remember_me: bool = False) -> Tokens:
        """Username/password sign-in (needs the ``wallet`` extra). Returns the tokens; the
        socket then connects with them. The password is used to derive the account key locally
        and is never sent or kept."""
        from .auth import login

        self._core.check()
        return login(self._core, username, password, remember_me=remember_me, config=self._config)

    def logout(self) -> None:
        """End the session on the server and forget the credentials (the socket closes)."""
        from .auth import logout

        self._core.check()
        logout(self._core, self._config)

    # ------------------------------------------------------------------ connection

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Listen to client events: ``connecting``, ``connected``, ``authenticated``,
        ``connection_lost``, ``disconnected``, ``account_updated``, and the server notices
        ``toast_message``, ``app_alert``, ``subscription_limit_notice``. ``fn`` runs on the
        callback worker. An unknown name raises ``ValidationError`` naming the closest one.
        Returns a function that removes the listener."""
        name = check_event(event, CLIENT_EVENTS, owner="client")
        return self._core.on(_NOTICE_FRAMES.get(name, name), fn)

    def connect(self, *, wait: bool = True, timeout: float | None = None) -> None:
        """Open the socket (and take the ``app_id`` back after a 4015). With ``wait``, block
        until the server has authenticated the connection."""
        transport = self._core.require_transport()
        ready = threading.Event()
        ended: list[Any] = []

        def on_disconnected(data: Any) -> None:
            ended.append(data)
            ready.set()

        # Internal listeners: a slow user callback must not delay connect().
        removers = [
            self._core.on_raw("authenticated", lambda _: ready.set()),
            self._core.on_raw("disconnected", on_disconnected),
            self._core.on_raw("closing", lambda _: ready.set()),
        ]
        try:
            # Checked after the listeners are in place, so neither can be missed.
            if self._core.closed:
                raise ClientClosedError("the client is closed")
            if not self._core.credentials.is_authenticated():
                raise AuthenticationError("Not signed in: no credentials", status=401)
            transport.connect()
            if wait and transport.state.value != "ready":
                limit = self._config.timeouts.send_ready if timeout is None else timeout
                if not ready.wait(limit) and transport.state.value != "ready":
                    raise SogniTimeoutError(f"the socket did not authenticate within {limit:g}s")
                if self._core.closed:
                    raise ClientClosedError("the client was closed while connecting")
                if ended and transport.state.value != "ready":
                    error = ended[0].get("error")
                    if isinstance(error, SogniError):
                        raise error
                    raise ConnectionLostError("the connection ended before it authenticated")
        finally:
            for remove in removers:
                remove()

    def set_socket_event_subscriptions(self, update: dict[str, Any]) -> None:
        """Change which socket events the server sends (protocol/01 §2.10), e.g.
        ``{"modelAvailability": False}`` or ``{"subscribe": ["appAlert"]}``."""
        keys = {"subscriptions", "subscribe", "unsubscribe", "reset", "event", "enabled"}
        if not any(k in update for k in keys):
            flags = {k: v for k, v in update.items() if isinstance(v, bool)}
            update = {"subscriptions": flags} if flags else {}
        self._core.send("setSocketEventSubscriptions", update)

    def change_network(self, network: str) -> str:
        """Switch the connection's default network (``fast`` or ``relaxed``)."""
        return self._core.switch_network(network, self._config)

    def close(self) -> None:
        """Close the socket and stop the SDK's threads. Idempotent; returns within about
        ``timeouts.close`` seconds. In-flight futures fail with ``ClientClosedError``."""
        self._core.close()

    def __enter__(self) -> SogniClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"SogniClient(app_id={self._config.app_id!r}, "
            f"rest_endpoint={self._config.rest_endpoint!r}, "
            f"network={self._config.network!r}, closed={self._core.closed})"
        )
