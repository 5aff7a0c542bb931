"""The REST retry matrix through the public API (against a scripted loopback server): what has
no server verdict or means "later" is retried up to the limit; every other verdict is final at
once."""

from __future__ import annotations

import random
import socket
import ssl
from collections.abc import Iterator

import pytest
import trustme

from sogni import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    SogniClient,
    SogniTimeoutError,
    Timeouts,
    TLSError,
    TransportError,
)

from ..scripted_http import ScriptedServer
from ..scripted_http import scripted as scripted
from ..scripted_http import scripted_server as scripted_server

ME = "/v1/account/me"
ATTEMPTS = 3


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _client(base: str, sleeps: list[float]) -> SogniClient:
    return SogniClient(
        api_key="sk-matrix-0123456789",
        rest_endpoint=base,
        disable_socket=True,
        retry=RetryPolicy(max_attempts=ATTEMPTS),
        timeouts=Timeouts(rest=0.5),
        sleep=sleeps.append,
        rng=random.Random(3),
    )


@pytest.fixture
def client(scripted: ScriptedServer, sleeps: list[float]) -> Iterator[SogniClient]:
    with _client(scripted.url, sleeps) as c:
        yield c


def _error(status: int) -> dict[str, object]:
    return {"status": "error", "message": f"said {status}", "errorCode": status}


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RateLimitError), (502, ServerError), (503, ServerError), (504, ServerError)],
)
def test_later_statuses_are_retried_up_to_the_limit(
    client: SogniClient,
    scripted: ScriptedServer,
    sleeps: list[float],
    status: int,
    error: type[APIError],
) -> None:
    rsp = scripted.get(ME, status=status, json=_error(status))
    with pytest.raises(error) as info:
        client.account.me()
    assert info.value.status == status
    assert rsp.call_count == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1
    # Full jitter under a doubling ceiling (backoff_base 0.5 s).
    assert all(0 <= s <= 0.5 * 2**n for n, s in enumerate(sleeps))


@pytest.mark.parametrize(
    ("action", "error"),
    [("reset", TransportError), ("stall", SogniTimeoutError)],
    ids=["connection-reset", "read-timeout"],
)
def test_no_verdict_on_an_idempotent_call_is_retried_up_to_the_limit(
    client: SogniClient,
    scripted: ScriptedServer,
    sleeps: list[float],
    action: str,
    error: type[Exception],
) -> None:
    rsp = scripted.get(ME, action=action)
    with pytest.raises(error):
        client.account.me()
    assert rsp.call_count == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1


def test_a_refused_connection_is_retried_up_to_the_limit(sleeps: list[float]) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        with (
            _client(f"http://127.0.0.1:{unused.getsockname()[1]}", sleeps) as client,
            pytest.raises(TransportError),
        ):
            client.account.me()
    assert len(sleeps) == ATTEMPTS - 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, APIError),
    ],
)
def test_final_statuses_are_tried_exactly_once(
    client: SogniClient,
    scripted: ScriptedServer,
    sleeps: list[float],
    status: int,
    error: type[APIError],
) -> None:
    rsp = scripted.get(ME, status=status, json=_error(status))
    with pytest.raises(error) as info:
        client.account.me()
    assert info.value.status == status and info.value.message == f"said {status}"
    assert not info.value.retryable
    assert rsp.call_count == 1
    assert sleeps == []


def test_a_tls_failure_is_tried_exactly_once(sleeps: list[float]) -> None:
    # A certificate from an authority the client does not trust.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    with ScriptedServer(tls=context) as server:
        rsp = server.get(ME, json={"status": "success", "data": {}})
        with _client(server.url, sleeps) as client, pytest.raises(TLSError) as info:
            client.account.me()
        connections = server.connections
    assert not info.value.retryable
    assert connections == 1 and rsp.call_count == 0
    assert sleeps == []
