"""``SogniClient``: the public client, its views and namespaces, over the shared core."""

from __future__ import annotations

import _thread
import functools
import os
import warnings
import weakref
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from ._events import CONNECTION_EVENTS as CONNECTION_EVENTS
from ._events import check_event
from .config import ClientConfig, ClientOptions, RetryPolicy, Timeouts, not_per_call_error
from .errors import ValidationError

# Importing this module loads only the class. The core, the REST stack and (when the socket is
# enabled) the socket stack load when a client is created, on the creating thread: never first
# on an SDK thread, where an import in progress at a fork would leave its lock held in the child.
if TYPE_CHECKING:
    from typing_extensions import Never, Unpack

    from ._core import Core
    from .account import AccountAPI, CurrentAccount
    from .announcements import AnnouncementsAPI
    from .auth import Tokens
    from .chat import ChatAPI
    from .projects import ProjectsAPI
    from .replay import ReplayAPI
    from .stats import StatsAPI
    from .workflows import WorkflowsAPI

__all__ = ["SogniClient"]

T = TypeVar("T")


CLIENT_EVENTS = (
    *CONNECTION_EVENTS,
    "connection_lost",
    "account_updated",
    "toast_message",
    "app_alert",
    "subscription_limit_notice",
    "announcement",
    "toast",
)
# Server notices are emitted under their frame type.
_NOTICE_FRAMES = {
    "toast_message": "toastMessage",
    "app_alert": "appAlert",
    "subscription_limit_notice": "subscriptionLimitNotice",
}


class _Lifetime:
    """A token whose death means nobody can reach the client any more."""

    __slots__ = ("__weakref__",)


def _close_dropped(core: Core) -> None:
    """``weakref.finalize`` callback: the client became garbage without ``close()``.

    It runs wherever the last reference died or the garbage collector struck: possibly inside
    ``threading.Thread.start()`` or under another lock. So it takes no lock at all (no
    ``threading.Thread``, no ``warnings``): it starts a bare OS thread, which does the rest.
    """
    if core.closed or os.getpid() != core.pid:
        return
    try:
        _thread.start_new_thread(_close_in_background, (core,))
    except RuntimeError:
        pass  # the interpreter is shutting down: its exit closes the socket anyway


def _close_in_background(core: Core) -> None:
    warnings.warn(
        "A SogniClient was garbage-collected without close(); closing it now. Use "
        "'with SogniClient(...)' or call close().",
        ResourceWarning,
        stacklevel=1,
    )
    core.close()


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
            from .auth import coerce_tokens

            saved_tokens = coerce_tokens(tokens)
        from ._core import Core

        self._config = config
        self._core = Core(config)
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
        from .account import AccountAPI

        return self._keep_alive(AccountAPI(self._core, self._config))

    @cached_property
    def projects(self) -> ProjectsAPI:
        from .projects import ProjectsAPI

        return self._keep_alive(ProjectsAPI(self._core, self._config))

    @cached_property
    def chat(self) -> ChatAPI:
        from .chat import ChatAPI
        from .projects import ProjectsAPI

        # A factory, not this client: the chat namespace must not keep its client in a cycle.
        projects = functools.partial(ProjectsAPI, self._core, self._config)
        chat = self._keep_alive(ChatAPI(self._core, self._config, projects))
        self._keep_alive(chat.completions)
        self._keep_alive(chat.tools)
        self._keep_alive(chat.hosted)
        self._keep_alive(chat.runs)
        return chat

    @cached_property
    def workflows(self) -> WorkflowsAPI:
        """Creative workflows (``start``, ``get``, ``stream_events`` ...) and their saved
        ``templates``."""
        from .workflows import WorkflowsAPI

        workflows = self._keep_alive(WorkflowsAPI(self._core, self._config))
        self._keep_alive(workflows.templates)
        return workflows

    @cached_property
    def replay(self) -> ReplayAPI:
        """Replay records of runs (``write``, ``list``, ``get``)."""
        from .replay import ReplayAPI

        return self._keep_alive(ReplayAPI(self._core, self._config))

    @cached_property
    def stats(self) -> StatsAPI:
        """Network statistics: ``leaderboard()``."""
        from .stats import StatsAPI

        return self._keep_alive(StatsAPI(self._core, self._config))

    @cached_property
    def announcements(self) -> AnnouncementsAPI:
        """The service's announcements (``active``, ``dismiss``); pushed ones arrive as the
        ``announcement`` event (with ``ClientConfig(app_alerts=True)``) or ``toast``."""
        from .announcements import AnnouncementsAPI

        return self._keep_alive(AnnouncementsAPI(self._core, self._config))

    # ------------------------------------------------------------------ state

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def current_account(self) -> CurrentAccount:
        return self._core.account_state.current

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
        return self._core.session.on_tokens_refreshed(fn)

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
        Returns a function that removes the listener.

        ``announcement`` gives each admin announcement once, as an ``Announcement`` (pinned
        banners, re-sent at every reconnect, are not repeated); it needs
        ``ClientConfig(app_alerts=True)``. Without that opt-in the same notices arrive as
        ``toast`` events (a ``Toast``)."""
        name = check_event(event, CLIENT_EVENTS, owner="client")
        if name in ("announcement", "toast"):
            from .announcements import _listen

            return _listen(self._core, name, fn)
        return self._core.on(_NOTICE_FRAMES.get(name, name), fn)

    def connect(self, *, wait: bool = True, timeout: float | None = None) -> None:
        """Open the socket (and take the ``app_id`` back after a 4015). With ``wait``, block
        until the server has authenticated the connection."""
        self._core.connect(wait=wait, timeout=timeout, config=self._config)

    def set_socket_event_subscriptions(self, update: dict[str, Any]) -> None:
        """Change which socket events the server sends, e.g.
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
