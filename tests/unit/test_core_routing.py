"""The core routes frames through an explicit table: a frame's type is data from the server and
never selects a method by its name."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sogni import SogniClient
from sogni._wire.envelope import Frame

HANDLED = {
    "authenticated",
    "balanceUpdate",
    "subscriptionEntitlementUpdated",
    "socketEventSubscriptionsUpdated",
    "changeNetwork",
}
# Names of methods and attributes of the core and its router, and of the old handler methods.
METHOD_LIKE = [
    "__init__",
    "__class__",
    "__del__",
    "close",
    "check",
    "emit",
    "route",
    "on_transport_event",
    "switch_network",
    "start_socket",
    "handlers",
    "transport",
    "_authenticated",
    "_balance_update",
    "_frame_authenticated",
    "_frame_balanceUpdate",
    "_close_at_exit",
]


@pytest.fixture
def client() -> Iterator[SogniClient]:
    # REST-only: the frames are handed to the router directly, no socket is involved.
    with SogniClient(
        app_id="routing", api_key="sk-routing-test", disable_socket=True, network="fast"
    ) as client:
        yield client


def test_the_routing_table_is_explicit_and_read_only(client: SogniClient) -> None:
    handlers = client._core.router.handlers
    assert set(handlers) == HANDLED
    assert all(callable(h) for h in handlers.values())
    with pytest.raises(TypeError):
        handlers["close"] = lambda frame: None  # type: ignore[index]


@pytest.mark.parametrize("frame_type", METHOD_LIKE)
def test_a_frame_named_like_a_method_is_ignored_and_logged(
    client: SogniClient, frame_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    core = client._core
    seen: list[tuple[str, Any]] = []
    for event in ("account_updated", "authenticated", "closing", frame_type):
        core.on_raw(event, lambda payload, event=event: seen.append((event, payload)))
    before = (client.current_account.network, client.current_account.balance)
    caplog.set_level(logging.DEBUG, logger="sogni.client")
    payload = {"network": "relaxed", "spark": {"settled": "5"}, "username": "x"}
    core.router.route(Frame(frame_type, payload))
    assert not client.closed
    assert seen == []
    assert (client.current_account.network, client.current_account.balance) == before
    assert f"Ignored a {frame_type} frame" in caplog.messages


def test_a_frame_in_the_table_reaches_its_handler(client: SogniClient) -> None:
    changed: list[Any] = []
    client._core.on_raw("account_updated", changed.append)
    client._core.router.route(Frame("balanceUpdate", {"spark": {"settled": "5", "net": "5"}}))
    assert client.current_account.balance.spark.net == Decimal(5)
    assert changed == [["balance"]]
    client._core.router.route(Frame("changeNetwork", {"network": "relaxed"}))
    assert client.current_account.network == "relaxed"
