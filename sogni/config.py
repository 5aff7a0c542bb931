"""Client configuration: one frozen value, copied (never mutated) for overrides."""

from __future__ import annotations

import difflib
import ipaddress
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict
from urllib.parse import urlsplit

import attrs

from ._secret import Secret, as_secret
from ._wire.js import trim
from .errors import ValidationError, ValidationProblem

if TYPE_CHECKING:
    import ssl

    from typing_extensions import Unpack

__all__ = [
    "ClientConfig",
    "ClientOptions",
    "ClientSettings",
    "RetryPolicy",
    "Timeouts",
    "worker_app_id",
]

Network = Literal["fast", "relaxed"]

DEFAULT_REST_ENDPOINT = "https://api.sogni.ai"
DEFAULT_SOCKET_ENDPOINT = "wss://socket.sogni.ai"


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"Timeouts.{attribute.name} must be a positive number of seconds")


def _not_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value >= 0:
        raise ValueError(f"Timeouts.{attribute.name} must be zero or a positive number of seconds")


@attrs.frozen(kw_only=True)
class Timeouts:
    """Every time limit of the SDK, in seconds.

    The protocol's own constants (the official clients' values) are the defaults, so tests
    can shrink them instead of sleeping through them.
    """

    connect: float = attrs.field(default=10.0, validator=_positive)
    """TCP + TLS + WebSocket handshake; also the REST connect timeout."""
    rest: float = attrs.field(default=30.0, validator=_positive)
    """REST read timeout (longest silence while waiting for a response)."""
    rest_total: float = attrs.field(default=90.0, validator=_positive)
    """Overall deadline of one REST call, retries and back-off included."""
    upload: float = attrs.field(default=600.0, validator=_positive)
    download: float = attrs.field(default=600.0, validator=_positive)
    sse_idle: float = attrs.field(default=60.0, validator=_positive)
    """An event stream (a durable run's) silent this long, keep-alives included, is treated as
    cut and resumed."""
    chat: float = attrs.field(default=600.0, validator=_positive)
    """Per-request deadline of a socket chat completion."""
    authenticated_fallback: float = attrs.field(default=10.0, validator=_positive)
    """Send anyway if the socket has been open this long without an ``authenticated`` frame."""
    send_ready: float = attrs.field(default=30.0, validator=_positive)
    """How long a send waits for a connected, authenticated socket."""
    cancel_confirmation: float = attrs.field(default=120.0, validator=_positive)
    project_staleness: float = attrs.field(default=120.0, validator=_positive)
    """A project silent this long is checked against the server (three strikes end it)."""
    chat_reconnect_grace: float = attrs.field(default=35.0, validator=_positive)
    """How long a chat job cut off by a dropped socket may stay silent before it fails."""
    vision_fetch: float = attrs.field(default=20.0, validator=_positive)
    """Fetching one trusted image URL to inline it in a vision chat request."""
    resend_after_restart: float = attrs.field(default=60.0, validator=_positive)
    """How long a request refused with 1001 waits for a new connection to be resent."""
    wait_for_models: float = attrs.field(default=10.0, validator=_positive)
    network_switch: float = attrs.field(default=30.0, validator=_positive)
    ping_interval: float = attrs.field(default=15.0, validator=_positive)
    pong_timeout: float = attrs.field(default=15.0, validator=_positive)
    reconnect_base: float = attrs.field(default=1.0, validator=_positive)
    reconnect_max: float = attrs.field(default=15.0, validator=_positive)
    sync_fallback: float = attrs.field(default=1.5, validator=_positive)
    """Without ``authenticated`` this long after a reconnect, recovery asks REST instead."""
    recovery_min_age: float = attrs.field(default=5.0, validator=_positive)
    """A project younger than this at a snapshot is not judged missing yet."""
    missing_lookup_interval: float = attrs.field(default=2.5, validator=_positive)
    missing_lookup_attempts: int = attrs.field(default=4, validator=_positive)
    job_runtime_multiplier: float = attrs.field(default=6.0, validator=_positive)
    job_runtime_cap: float = attrs.field(default=12 * 3600.0, validator=_positive)
    job_runtime_floor_fast_image: float = attrs.field(default=30 * 60.0, validator=_positive)
    job_runtime_floor_fast_audio: float = attrs.field(default=30 * 60.0, validator=_positive)
    job_runtime_floor_fast_video: float = attrs.field(default=90 * 60.0, validator=_positive)
    job_runtime_floor_relaxed_image: float = attrs.field(default=2 * 3600.0, validator=_positive)
    job_runtime_floor_relaxed_audio: float = attrs.field(default=2 * 3600.0, validator=_positive)
    job_runtime_floor_relaxed_video: float = attrs.field(default=8 * 3600.0, validator=_positive)
    tool_queue: float = attrs.field(default=90 * 60.0, validator=_positive)
    """How long a platform tool's project (``chat.tools.execute``) may wait with no job
    rendering before it is canceled and the call fails; a new window opens after each render."""
    close: float = attrs.field(default=1.5, validator=_positive)
    """How long ``close()`` waits for the SDK's threads to finish."""
    token_refresh_margin: float = attrs.field(default=30.0, validator=_not_negative)
    """Renew an access token this long before its ``exp`` (at most half its lifetime), so no
    request arrives with a token that expired on the way: a 401 would sign the client out.
    The official clients renew only once ``exp`` has passed (0 here)."""

    def scaled(self, factor: float) -> Timeouts:
        """Every protocol time constant multiplied by ``factor`` (handy in tests)."""
        changes = {
            a.name: getattr(self, a.name) * factor
            for a in attrs.fields(Timeouts)
            if a.name != "missing_lookup_attempts" and a.name != "job_runtime_multiplier"
        }
        return attrs.evolve(self, **changes)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """REST retries: full-jitter exponential back-off, honouring ``Retry-After`` up to a cap."""

    max_attempts: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.gt(0))
    backoff_max: float = attrs.field(default=8.0, validator=attrs.validators.gt(0))
    retry_after_cap: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    enabled: bool = True


def _url_problem(name: str, url: str, schemes: tuple[str, ...], allow_insecure: bool) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        return f"must be an absolute URL with scheme {' or '.join(schemes)}"
    if parts.username or parts.password or parts.query:
        return "must not carry credentials or a query string"
    secure = parts.scheme in ("https", "wss")
    if not secure and not allow_insecure and not _is_loopback(parts.hostname):
        return (
            "uses an unencrypted scheme for a non-loopback host; "
            "pass allow_insecure=True if you really mean it"
        )
    return None


def _prefix_problem(prefix: object, allow_insecure: bool) -> str | None:
    if not isinstance(prefix, str):
        return "must be a string"
    problem = _url_problem("prefix", prefix, ("https", "http"), allow_insecure)
    if problem:
        return problem
    if not urlsplit(prefix).path.endswith("/"):
        return 'must end with "/" after the host (e.g. "https://media.example.com/images/")'
    return None


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a ``SogniClient`` needs to know. Immutable: see :meth:`with_options`."""

    app_id: str | None = None
    api_key: Secret | None = attrs.field(default=None, converter=as_secret)
    rest_endpoint: str = DEFAULT_REST_ENDPOINT
    socket_endpoint: str = DEFAULT_SOCKET_ENDPOINT
    network: Network = "fast"
    app_source: str | None = None
    testnet: bool = False
    timeouts: Timeouts = attrs.field(factory=Timeouts)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    verify: bool | str | ssl.SSLContext = True
    """TLS verification, for REST and the socket alike: True (the system CAs, or the bundle
    ``REQUESTS_CA_BUNDLE`` names), a CA bundle file or directory, an SSLContext (used as is),
    or False (logs a warning)."""
    allow_insecure: bool = False
    """Allow http:// and ws:// to non-loopback hosts."""
    disable_socket: bool = False
    auto_connect: bool = True
    """Open the socket in the background as soon as the client exists."""
    max_connections: int = 16
    """HTTP connections kept open per host, shared by every thread using the client (more may
    open under load; only this many are kept for reuse)."""
    max_send_queue: int = 1000
    """Socket messages waiting to be sent (while disconnected, say); one more raises
    ``SendQueueFullError`` at once."""
    max_connect_attempts: int | None = None
    """Socket connection attempts in a row (none of them ready) after which the client gives
    up: work in flight fails with ``ConnectionLostError`` and nothing reconnects until the next
    request or ``connect()``. ``None`` (the default) keeps trying, with capped, jittered
    back-off (``Timeouts.reconnect_base`` doubling up to ``Timeouts.reconnect_max``)."""
    callback_queue_size: int = 10000
    max_frame_bytes: int = 100 * 1024 * 1024
    socket_event_subscriptions: Mapping[str, bool] | None = None
    app_alerts: bool = False
    """Receive admin announcements as ``appAlert`` frames (``client.on("announcement")``)
    instead of ``toastMessage`` ones (``client.on("toast")``)."""
    trusted_media_prefixes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    """URL prefixes (ending in "/") from which vision images may be fetched, besides the Sogni
    and S3/CloudFront hosts. Empty by default; tests point it at a local server."""
    clock: Callable[[], float] = attrs.field(default=time.monotonic, eq=False, repr=False)
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False, repr=False)
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems: list[ValidationProblem] = []
        if self.network not in ("fast", "relaxed"):
            problems.append(ValidationProblem("network", "must be 'fast' or 'relaxed'"))
        if self.app_id is not None and not trim(self.app_id):
            problems.append(ValidationProblem("app_id", "must not be blank"))
        for name, schemes in (
            ("rest_endpoint", ("https", "http")),
            ("socket_endpoint", ("wss", "ws", "https", "http")),
        ):
            problem = _url_problem(name, getattr(self, name), schemes, self.allow_insecure)
            if problem:
                problems.append(ValidationProblem(name, problem))
        for i, prefix in enumerate(self.trusted_media_prefixes):
            problem = _prefix_problem(prefix, self.allow_insecure)
            if problem:
                problems.append(ValidationProblem(f"trusted_media_prefixes[{i}]", problem))
        if self.max_connections < 1:
            problems.append(ValidationProblem("max_connections", "must be at least 1"))
        if self.max_send_queue < 1:
            problems.append(ValidationProblem("max_send_queue", "must be at least 1"))
        if self.max_connect_attempts is not None and self.max_connect_attempts < 1:
            problems.append(
                ValidationProblem("max_connect_attempts", "must be at least 1 (or None)")
            )
        if self.callback_queue_size < 1:
            problems.append(ValidationProblem("callback_queue_size", "must be at least 1"))
        if problems:
            raise ValidationError(problems)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        app_id: str | None = None,
        api_key: str | None = None,
        **overrides: Unpack[ClientOptions],
    ) -> ClientConfig:
        """Read ``SOGNI_API_KEY``, ``SOGNI_APP_ID``, ``SOGNI_REST_ENDPOINT``,
        ``SOGNI_SOCKET_ENDPOINT``, ``SOGNI_NETWORK`` and ``SOGNI_APP_SOURCE``; keyword
        arguments (other than ``None``) win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var, name in (
            ("SOGNI_API_KEY", "api_key"),
            ("SOGNI_APP_ID", "app_id"),
            ("SOGNI_REST_ENDPOINT", "rest_endpoint"),
            ("SOGNI_SOCKET_ENDPOINT", "socket_endpoint"),
            ("SOGNI_NETWORK", "network"),
            ("SOGNI_APP_SOURCE", "app_source"),
        ):
            raw = env.get(var, "").strip()
            if raw:
                values[name] = raw
        if app_id is not None:
            values["app_id"] = app_id
        if api_key is not None:
            values["api_key"] = api_key
        values.update(overrides)
        return cls(**values)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        **changes: Unpack[ClientSettings],
    ) -> ClientConfig:
        """A copy with some settings changed (any field). ``timeout`` sets the REST read
        timeout, the REST deadline and the chat deadline at once; ``max_retries`` the REST
        retry count (on top of ``retry`` when both are given)."""
        values: dict[str, Any] = dict(changes)
        new_timeouts: Timeouts = values.pop("timeouts", None) or self.timeouts
        if timeout is not None:
            new_timeouts = attrs.evolve(
                new_timeouts, rest=timeout, rest_total=timeout, chat=timeout
            )
        new_retry: RetryPolicy = values.pop("retry", None) or self.retry
        if max_retries is not None:
            new_retry = attrs.evolve(new_retry, max_attempts=max_retries + 1)
        return attrs.evolve(self, timeouts=new_timeouts, retry=new_retry, **values)

    def socket_subscriptions(self) -> dict[str, bool]:
        """The socket event subscriptions the connection asks for: ``socket_event_subscriptions``
        plus ``appAlert`` with ``app_alerts`` (unless given there)."""
        flags = dict(self.socket_event_subscriptions or {})
        if self.app_alerts:
            flags.setdefault("appAlert", True)
        return flags

    @property
    def socket_rest_endpoint(self) -> str:
        """The socket host's own REST origin (the socket URL with an http(s) scheme)."""
        parts = urlsplit(self.socket_endpoint)
        scheme = "http" if parts.scheme in ("http", "ws") else "https"
        return parts._replace(scheme=scheme).geturl()

    @property
    def socket_ws_endpoint(self) -> str:
        parts = urlsplit(self.socket_endpoint)
        scheme = "ws" if parts.scheme in ("http", "ws") else "wss"
        return parts._replace(scheme=scheme).geturl()


PER_CALL_OPTIONS = ("timeout", "timeouts", "max_retries", "retry")
"""What ``SogniClient.with_options`` can change: a view shares its client's connection and
credentials, so only settings read at each call may differ."""


def not_per_call_error(name: str) -> TypeError:
    """The error for ``client.with_options(name=...)`` when ``name`` is not a per-call setting.
    Names only the setting, never its value (it may be a credential)."""
    allowed = ", ".join(PER_CALL_OPTIONS)
    if name in attrs.fields_dict(ClientConfig) or name in ("tokens", "config"):
        return TypeError(
            f"with_options() cannot change {name!r}: a view shares its client's connection and "
            f"credentials, so only per-call settings ({allowed}) may differ; create a new "
            "client for other settings"
        )
    close = difflib.get_close_matches(name, PER_CALL_OPTIONS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (per-call settings: {allowed})"
    return TypeError(f"with_options() got an unexpected keyword argument {name!r}{hint}")


class ClientOptions(TypedDict, total=False):
    """The settings a ``SogniClient`` takes as keywords besides ``app_id``, ``api_key``,
    ``tokens`` and ``config``: the fields of :class:`ClientConfig` (checked by a test)."""

    rest_endpoint: str
    socket_endpoint: str
    network: Network
    app_source: str | None
    testnet: bool
    timeouts: Timeouts
    retry: RetryPolicy
    verify: bool | str | ssl.SSLContext
    allow_insecure: bool
    disable_socket: bool
    auto_connect: bool
    max_connections: int
    max_send_queue: int
    max_connect_attempts: int | None
    callback_queue_size: int
    max_frame_bytes: int
    socket_event_subscriptions: Mapping[str, bool] | None
    app_alerts: bool
    trusted_media_prefixes: Sequence[str]
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    rng: random.Random


class ClientSettings(ClientOptions, total=False):
    """Every field of :class:`ClientConfig` (for ``ClientConfig.with_options``)."""

    app_id: str | None
    api_key: str | Secret | None


def worker_app_id(base: str, *, pid: int | None = None) -> str:
    """A stable ``app_id`` per process: ``<base>-<pid>``.

    The Supernet keeps one live connection per ``app_id``, so pre-forked workers (gunicorn,
    Celery) each need their own. Stable within a process, so recovery after a reconnect works.
    """
    if not base or not base.strip():
        raise ValueError("base must be a non-empty string")
    return f"{base.strip()}-{os.getpid() if pid is None else pid}"
