"""What each part of the SDK uses of the client's shared core, as typing protocols.

Namespaces, handles and the auth helpers are typed against these small interfaces instead of
the whole core: each one names exactly what its users may touch, and a unit test can hand in a
small stand-in. They exist for the type checker only; nothing checks them at run time (no
``isinstance`` against them, least of all on a hot path).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ._futures import SogniFuture
    from ._transport.callbacks import CallbackWorker
    from ._transport.inflight import InflightRegistry
    from ._transport.rest import RestClient
    from ._transport.socket import SocketTransport
    from ._wire.envelope import Frame
    from .account import AccountState
    from .auth import CredentialStore
    from .config import ClientConfig

__all__ = [
    "AccountCore",
    "AuthCore",
    "ChatCore",
    "Converting",
    "Emitting",
    "FrameSource",
    "JobCore",
    "ProjectsAPICore",
    "ProjectsCore",
    "RestCore",
    "SendingCore",
]

T = TypeVar("T")


class Converting(Protocol):
    """Wire JSON to models; a shape that cannot be read becomes a ``ProtocolError``."""

    def structure(self, data: Any, cls: type[T]) -> T: ...

    def structure_as(self, data: Any, tp: Any) -> Any: ...


class RestCore(Converting, Protocol):
    """REST namespaces: the closed/fork check, and requests through the shared REST client."""

    def check(self) -> None: ...

    def request(self, method: str, path: str, *, config: ClientConfig, **kwargs: Any) -> Any: ...


class AccountCore(RestCore, Protocol):
    """``client.account``: REST, the account state, and the network switch."""

    @property
    def account_state(self) -> AccountState: ...

    def switch_network(self, network: str, config: ClientConfig) -> str: ...


class AuthCore(AccountCore, Protocol):
    """The sign-in helpers: the account namespace's needs, plus the credentials."""

    @property
    def config(self) -> ClientConfig: ...

    @property
    def credentials(self) -> CredentialStore: ...


class Emitting(Protocol):
    def emit(self, event: str, payload: Any, *, internal: Any = None) -> None: ...


class FrameSource(Converting, Emitting, Protocol):
    """A consumer of pushed state frames (the LLM model list)."""

    def add_frame_handler(
        self, frame_type: str, handler: Callable[[Frame], None]
    ) -> Callable[[], None]: ...

    def latest_frame(self, frame_type: str) -> Frame | None: ...


class JobCore(Converting, Emitting, Protocol):
    """A job followed over the socket (a chat stream): its registry entry, the connection
    generation, and the callback worker its future's done-callbacks run on."""

    @property
    def registry(self) -> InflightRegistry: ...

    @property
    def callbacks(self) -> CallbackWorker: ...

    @property
    def transport(self) -> SocketTransport | None: ...


class SendingCore(JobCore, Protocol):
    """Something that registers a job and puts its request on the socket."""

    def check(self) -> None: ...

    def send(
        self, frame_type: str, payload: Any, *, timeout: float | None = None
    ) -> SogniFuture[int]: ...


class ChatCore(SendingCore, FrameSource, Protocol):
    """``client.chat``."""

    @property
    def rest(self) -> RestClient: ...

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]: ...

    def extension(self, key: str, factory: Callable[[FrameSource], T]) -> T: ...

    def on_close(self, fn: Callable[[], Any]) -> None: ...


class ProjectsCore(RestCore, SendingCore, FrameSource, Protocol):
    """The projects service and its trackers (shared by every view of one client)."""

    @property
    def config(self) -> ClientConfig: ...

    @property
    def rest(self) -> RestClient: ...

    @property
    def io(self) -> CallbackWorker: ...

    @property
    def closing(self) -> threading.Event: ...

    def on_raw(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]: ...

    def require_transport(self) -> SocketTransport: ...

    def start_socket_for_work(self) -> None: ...


class ProjectsAPICore(ProjectsCore, Protocol):
    """``client.projects``: the service's needs, and the service itself (one per client)."""

    def extension(self, key: str, factory: Callable[[ProjectsCore], T]) -> T: ...
