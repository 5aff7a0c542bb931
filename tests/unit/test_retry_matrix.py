"""The REST retry matrix through the public API (``responses``, no sockets): what has no server
verdict or means "later" is retried up to the limit; every other verdict is final at once."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import requests
import responses

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
    TLSError,
    TransportError,
)

API = "https://api.example.test"
ME = f"{API}/v1/account/me"
ATTEMPTS = 3


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> Iterator[SogniClient]:
    with SogniClient(
        api_key="sk-matrix-0123456789",
        rest_endpoint=API,
        disable_socket=True,
        retry=RetryPolicy(max_attempts=ATTEMPTS),
        sleep=sleeps.append,
        rng=random.Random(3),
    ) as c:
        yield c


def _error(status: int) -> dict[str, object]:
    return {"status": "error", "message": f"said {status}", "errorCode": status}


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, RateLimitError), (502, ServerError), (503, ServerError), (504, ServerError)],
)
@responses.activate
def test_later_statuses_are_retried_up_to_the_limit(
    client: SogniClient, sleeps: list[float], status: int, error: type[APIError]
) -> None:
    rsp = responses.get(ME, status=status, json=_error(status))
    with pytest.raises(error) as info:
        client.account.me()
    assert info.value.status == status
    assert rsp.call_count == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1
    # Full jitter under a doubling ceiling (backoff_base 0.5 s).
    assert all(0 <= s <= 0.5 * 2**n for n, s in enumerate(sleeps))


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (requests.exceptions.ConnectionError("connection refused"), TransportError),
        (requests.exceptions.ReadTimeout("no answer in time"), SogniTimeoutError),
    ],
    ids=["connection-refused", "read-timeout"],
)
@responses.activate
def test_no_verdict_on_an_idempotent_call_is_retried_up_to_the_limit(
    client: SogniClient, sleeps: list[float], failure: Exception, error: type[Exception]
) -> None:
    rsp = responses.get(ME, body=failure)
    with pytest.raises(error):
        client.account.me()
    assert rsp.call_count == ATTEMPTS
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
@responses.activate
def test_final_statuses_are_tried_exactly_once(
    client: SogniClient, sleeps: list[float], status: int, error: type[APIError]
) -> None:
    rsp = responses.get(ME, status=status, json=_error(status))
    with pytest.raises(error) as info:
        client.account.me()
    assert info.value.status == status and info.value.message == f"said {status}"
    assert not info.value.retryable
    assert rsp.call_count == 1
    assert sleeps == []


@responses.activate
def test_a_tls_failure_is_tried_exactly_once(client: SogniClient, sleeps: list[float]) -> None:
    rsp = responses.get(ME, body=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(TLSError) as info:
        client.account.me()
    assert not info.value.retryable
    assert rsp.call_count == 1
    assert sleeps == []
