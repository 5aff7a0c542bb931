"""Routing of the transport's events and frames (on the transport thread: nothing here blocks).

A frame goes, in order, to the core's own handler of its type (an explicit table: a frame type
is data from the server and never selects a method by name), to the internal consumers added
with ``add_frame_handler``, and to the in-flight job its ``jobID`` names. Server notices also
become public events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._log import get_logger

# Imported here, never first on an SDK thread: an import in progress there when the process
# forks (gunicorn --preload) leaves its lock held in the child, which then hangs on it.
from ._wire.messages import Authenticated
from .account import Balances

if TYPE_CHECKING:
    from ._core_events import EventHub
    from ._core_network import NetworkSwitch
    from ._transport.inflight import InflightRegistry
    from ._transport.socket import SocketTransport
    from ._wire.envelope import Frame
    from .account import AccountState
    from .auth import CredentialStore

__all__ = ["NOTICE_FRAMES", "STATE_FRAMES", "FrameRouter"]

log = get_logger("sogni.client")

# Frames whose last copy is kept, for consumers that start after it arrived.
STATE_FRAMES = ("swarmModels", "swarmLLMModels")
# Server notices, re-emitted as public events of the same name.
NOTICE_FRAMES = ("toastMessage", "appAlert", "subscriptionLimitNotice")

Structure = Callable[[Any, Any], Any]


class FrameRouter:
    """The core's receiver of transport events (``on_event`` of the socket transport)."""

    def __init__(
        self,
        *,
        events: EventHub,
        account: AccountState,
        registry: InflightRegistry,
        credentials: CredentialStore,
        network: NetworkSwitch,
        structure: Structure,
    ) -> None:
        self._events = events
        self._account = account
        self._registry = registry
        self._credentials = credentials
        self._structure = structure
        # Set once the core has built its transport (which needs this router first).
        self.transport: SocketTransport | None = None
        handlers: dict[str, Callable[[Frame], None]] = {
            "authenticated": self._authenticated,
            "balanceUpdate": self._balance_update,
            "subscriptionEntitlementUpdated": self._entitlement_updated,
            "socketEventSubscriptionsUpdated": self._subscriptions_updated,
            "changeNetwork": network.on_frame,
        }
        self._handlers = handlers
        self.handlers: Mapping[str, Callable[[Frame], None]] = MappingProxyType(handlers)

    # ------------------------------------------------------------------ transport events

    def on_transport_event(self, name: str, data: Any) -> None:
        try:
            if name == "frame":
                self.route(data)
                return
            if name == "connecting":
                self._account.apply(network_status="connecting")
                self._events.emit("connecting", data)
            elif name == "connected":
                self._account.apply(network_status="connected", network=data["network"])
                self._events.emit("connected", data)
            elif name == "lost":
                for entry in self._registry.entries():
                    entry._connection_lost()
                self._events.emit("connection_lost", data)
            elif name == "disconnected":
                error = data.get("error")
                if error is not None:
                    self._registry.fail_all(error)
                self._account.apply(network_status="disconnected", network=None)
                public = {k: v for k, v in data.items() if k != "error"}
                self._events.emit("disconnected", public, internal=data)
        except Exception:
            log.exception("Handling transport event %r failed", name)

    def route(self, frame: Frame) -> None:
        kind, payload = frame
        if kind in STATE_FRAMES:
            self._events.remember(frame)
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(frame)
        for extra in self._events.frame_handlers(kind):
            extra(frame)
        job_id = payload.get("jobID") if isinstance(payload, dict) else None
        if isinstance(job_id, str):
            entry = self._registry.get(job_id)
            if entry is not None:
                entry._frame_arrived(frame)
            else:
                log.debug("Ignored a %s frame for an unknown job", kind)
        elif handler is None and not self._events.ever_consumed(kind):
            log.debug("Ignored a %s frame", kind)
        if kind in NOTICE_FRAMES:
            self._events.emit(kind, payload)

    # ------------------------------------------------------------------ the table's handlers

    def _authenticated(self, frame: Frame) -> None:
        payload: Authenticated = self._structure(frame.payload or {}, Authenticated)
        self._account.apply_authenticated(payload, api_key=self._credentials.mode == "api_key")
        generation = self.transport.generation if self.transport else 0
        for entry in self._registry.entries():
            entry._authenticated(generation, frame.payload)
        self._events.emit("authenticated", {"username": payload.username, "generation": generation})

    def _balance_update(self, frame: Frame) -> None:
        self._account.apply(balance=self._structure(frame.payload, Balances))

    def _entitlement_updated(self, frame: Frame) -> None:
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        self._account.apply_socket_subscription(payload)

    def _subscriptions_updated(self, frame: Frame) -> None:
        flags = (frame.payload or {}).get("socketEventSubscriptions")
        if isinstance(flags, dict) and self.transport is not None:
            self.transport.set_subscriptions(flags)
