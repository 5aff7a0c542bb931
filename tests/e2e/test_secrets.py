"""Credentials never leak: not in log records (every logger at DEBUG), exceptions, reprs or URLs.

The fake runs in a subprocess so that its server library's own logs stay out of this process.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from sogni import ClientConfig, SogniClient, SogniError

from ..helpers import FAST, FakeProcess, wait_until

CANARY = "sk-canary-7f3a9c1e5b2d4f60"


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_everything() -> Iterator[_Collector]:
    collector = _Collector()
    root = logging.getLogger()
    saved = (
        root.level,
        {
            name: lg.level
            for name, lg in logging.root.manager.loggerDict.items()
            if isinstance(lg, logging.Logger)
        },
    )
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    for name in ("sogni", "urllib3", "websocket", "requests"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield collector
    root.removeHandler(collector)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def _scan(texts: list[str]) -> list[str]:
    return [t for t in texts if CANARY in t]


def test_canary_key_appears_nowhere(debug_everything: _Collector) -> None:
    errors: list[BaseException] = []
    fake_logs: list[str] = []
    fake = FakeProcess(api_key=CANARY, log_level="debug")
    try:
        config = ClientConfig(
            app_id="canary",
            api_key=CANARY,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=FAST,
            auto_connect=False,  # the listener is in before the first connection
        )
        client = SogniClient(config=config)
        auths: list[Any] = []
        client.on("authenticated", auths.append)
        client.connect()
        client.account.me()
        client.account.refresh_balance()
        try:
            client._core.request("GET", "/v1/does-not-exist", config=config)
        except SogniError as exc:
            errors.append(exc)
        # A server restart: the socket drops and the client reconnects with the same key.
        api_port, socket_port = fake.ports
        fake.stop()
        fake_logs += fake.log_lines
        fake = FakeProcess(
            api_key=CANARY, port=api_port, socket_port=socket_port, log_level="debug"
        )
        wait_until(lambda: len(auths) >= 2, timeout=15)
        client.account.me()
        repr_texts = [
            repr(client),
            repr(client.config),
            str(client.config),
            repr(client.current_account),
        ]
        client.close()

        # Authentication failures with the canary as the (wrong) key of another server.
        other = FakeProcess(log_level="debug")
        try:
            bad = SogniClient(
                config=ClientConfig(
                    app_id="canary-bad",
                    api_key=CANARY,
                    rest_endpoint=other.rest_url,
                    socket_endpoint=other.socket_url,
                    timeouts=FAST,
                )
            )
            disconnected: list[Any] = []
            bad.on("disconnected", disconnected.append)
            try:
                bad.account.me()
            except SogniError as exc:
                errors.append(exc)
            wait_until(lambda: disconnected, timeout=10)
            repr_texts.append(repr(bad))
            bad.close()
        finally:
            other.stop()
            fake_logs += other.log_lines
    finally:
        fake.stop()
        fake_logs += fake.log_lines

    assert len(errors) == 2
    records = debug_everything.records
    assert records, "nothing was logged at DEBUG: the test would prove nothing"
    # The REST calls go through the standard library, which logs nothing of its own.
    assert not any(r.name.startswith(("urllib3", "requests")) for r in records)
    assert any(r.name.startswith("sogni") for r in records)
    texts: list[str] = []
    for record in records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        if record.exc_info:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(vars(exc))]
        cause = exc.__cause__ or exc.__context__
        while cause is not None:
            texts += [str(cause), repr(cause)]
            cause = cause.__cause__ or cause.__context__
    texts += repr_texts
    assert _scan(texts) == []
    # The fake's own log (a server library's logs are out of scope, and not enabled there).
    assert any("/v1/account/me" in line for line in fake_logs), "the fake logged nothing"
    assert any("socket upgrade from app 'canary'" in line for line in fake_logs)
    assert _scan(fake_logs) == []


def test_credentials_travel_in_headers_never_in_urls(fake: Any, make_client: Any) -> None:
    client = make_client(app_id="urls")
    client.connect()
    client.account.me()
    client.account.refresh_balance()
    records = [r for r in fake.received if r.kind in ("http", "ws_connect")]
    assert records
    for record in records:
        assert fake.api_key not in (record.path or "")
        assert fake.api_key not in repr(record.query)
    assert any(r.headers.get("api-key") == fake.api_key for r in records)
