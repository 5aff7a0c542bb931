"""Frames from the server are routed by an explicit table, over a real socket."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

import pytest

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..helpers import wait_until


def test_frames_named_like_methods_are_ignored_and_the_connection_carries_on(
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client()
    client.connect()
    network = client.current_account.network
    caplog.set_level(logging.DEBUG, logger="sogni.client")
    names = ["close", "__init__", "route", "switch_network", "_authenticated", "emit"]
    for name in names:
        assert fake.inject_frame(name, {"network": "relaxed"}) == 1
    # Frames are routed in order: once this balance arrived, every frame above was handled.
    fake.set_balance(42)
    wait_until(lambda: client.current_account.balance.spark.settled == Decimal(42))
    assert not client.closed and client.is_connected
    assert client.current_account.network == network
    for name in names:
        assert f"Ignored a {name} frame" in caplog.messages
    assert client.account.me().username == fake.account.username
