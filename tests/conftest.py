"""Shared fixtures: fast protocol timeouts, client factories, and a thread-leak guard."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sogni import ClientConfig, SogniClient
from sogni.testing import FakeSupernet

from .helpers import FAST, sogni_threads


@pytest.fixture(autouse=True)
def _no_leaked_sdk_threads() -> Iterator[None]:
    before = set(sogni_threads())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [t for t in sogni_threads() if t not in before]
        if not leaked:
            return
        if time.monotonic() >= deadline:
            names = ", ".join(t.name for t in leaked)
            raise AssertionError(f"SDK threads still alive after the test: {names}")
        time.sleep(0.01)


@pytest.fixture
def fake() -> Iterator[FakeSupernet]:
    with FakeSupernet(time_scale=0.01) as server:
        yield server


@pytest.fixture
def make_client(fake: FakeSupernet) -> Iterator[Callable[..., SogniClient]]:
    """Build clients bound to ``fake`` with fast timeouts; all are closed after the test."""
    clients: list[SogniClient] = []
    counter = iter(range(1, 10_000))

    def factory(**options: Any) -> SogniClient:
        options.setdefault("app_id", f"test-app-{next(counter)}")
        options.setdefault("api_key", fake.api_key)
        options.setdefault("rest_endpoint", fake.rest_url)
        options.setdefault("socket_endpoint", fake.socket_url)
        options.setdefault("timeouts", FAST)
        client = SogniClient(config=ClientConfig(**options))
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
