"""Switching the connection's default network (``fast`` or ``relaxed``)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import SogniTimeoutError, ValidationError

if TYPE_CHECKING:
    from ._transport.socket import SocketTransport
    from ._wire.envelope import Frame
    from .account import AccountState
    from .config import ClientConfig

__all__ = ["NetworkSwitch"]

AddFrameHandler = Callable[[str, Callable[["Frame"], None]], Callable[[], None]]


class NetworkSwitch:
    """Asks the server for another network and waits for its ``changeNetwork`` answer; a
    ``changeNetwork`` frame the server sends on its own updates the account state too."""

    def __init__(
        self,
        *,
        require_transport: Callable[[], SocketTransport],
        add_frame_handler: AddFrameHandler,
        account: AccountState,
    ) -> None:
        self._require_transport = require_transport
        self._add_frame_handler = add_frame_handler
        self._account = account

    def switch(self, network: str, config: ClientConfig) -> str:
        if network not in ("fast", "relaxed"):
            raise ValidationError([("network", "must be 'fast' or 'relaxed'")])
        transport = self._require_transport()
        answered: concurrent.futures.Future[str] = concurrent.futures.Future()

        def on_change(frame: Frame) -> None:
            value = (frame.payload or {}).get("network")
            if isinstance(value, str) and not answered.done():
                answered.set_result(value)

        remove_handler = self._add_frame_handler("changeNetwork", on_change)
        try:
            self._account.apply(network_status="switching", network=None)
            transport.send("changeNetwork", network).result(config.timeouts.send_ready + 1)
            try:
                result = answered.result(config.timeouts.network_switch)
            except concurrent.futures.TimeoutError:
                raise SogniTimeoutError("the server did not confirm the network switch") from None
        finally:
            remove_handler()
        transport.set_network(result)
        self._account.apply(network=result, network_status="connected")
        return result

    def on_frame(self, frame: Frame) -> None:
        """The routing table's handler of ``changeNetwork`` (on the transport thread)."""
        network = (frame.payload or {}).get("network")
        if network in ("fast", "relaxed"):
            self._account.apply(network=network, network_status="connected")
