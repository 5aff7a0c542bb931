"""REST over real loopback sockets: the FakeSupernet's error shapes and the overall deadline."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sogni import (
    AuthenticationError,
    ClientConfig,
    RateLimitError,
    RetryPolicy,
    ServerError,
    SogniClient,
    SogniTimeoutError,
    Timeouts,
    TransportError,
)
from sogni._transport.rest import RestClient
from sogni.testing import FakeSupernet

from ..helpers import wait_until


class _Key:
    def __init__(self, key: str) -> None:
        self.key = key

    def headers(self) -> dict[str, str]:
        return {"api-key": self.key}

    def is_authenticated(self) -> bool:
        return True

    def on_unauthorized(self) -> None:
        pass


def rest_for(
    fake: FakeSupernet, sleeps: list[float] | None = None, **timeouts: float
) -> RestClient:
    config = ClientConfig(
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        disable_socket=True,
        timeouts=Timeouts(**timeouts) if timeouts else Timeouts(),
        sleep=(sleeps.append if sleeps is not None else time.sleep),
    )
    return RestClient(config, _Key(fake.api_key))


def test_503_then_200_over_http(fake: FakeSupernet) -> None:
    sleeps: list[float] = []
    rest = rest_for(fake, sleeps)
    fake.fail_next(503, path="/v1/account/me")
    assert rest.request("GET", "/v1/account/me")["username"] == "alice"
    assert [r.status for r in fake.requests("/v1/account/me")] == [503, 200]
    assert len(sleeps) == 1
    rest.close()


def test_429_with_retry_after_over_http(fake: FakeSupernet) -> None:
    sleeps: list[float] = []
    rest = rest_for(fake, sleeps)
    fake.fail_next(429, path="/v4/account/balance", retry_after=2)
    assert "spark" in rest.request("GET", "/v4/account/balance")
    assert sleeps == [2.0]
    rest.close()


def test_post_503_not_retried_over_http(fake: FakeSupernet) -> None:
    rest = rest_for(fake)
    fake.fail_next(503, path="/v3/account/reward/claim", times=2)
    with pytest.raises(ServerError):
        rest.request("POST", "/v3/account/reward/claim", json_body={"claims": ["x"]})
    assert len(fake.requests("/v3/account/reward/claim")) == 1
    rest.close()


def test_unknown_key_gets_401(fake: FakeSupernet) -> None:
    config = ClientConfig(rest_endpoint=fake.rest_url, disable_socket=True)
    rest = RestClient(config, _Key("sk-wrong-key-000"))
    with pytest.raises(AuthenticationError) as info:
        rest.request("GET", "/v1/account/me")
    assert info.value.status == 401
    rest.close()


def test_rate_limit_error_exposes_retry_after(fake: FakeSupernet) -> None:
    config = ClientConfig(
        rest_endpoint=fake.rest_url, disable_socket=True, retry=RetryPolicy(enabled=False)
    )
    rest = RestClient(config, _Key(fake.api_key))
    fake.fail_next(429, path="/v1/account/me", retry_after=5)
    with pytest.raises(RateLimitError) as info:
        rest.request("GET", "/v1/account/me")
    assert info.value.retry_after == 5 and info.value.retryable
    rest.close()


@pytest.fixture
def drip_server() -> Iterator[str]:
    """A raw HTTP server that answers one byte every 0.5 s, forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                for byte in response:
                    if stop.wait(0.5):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    listener.close()


@pytest.mark.parametrize("path", ["/v1/account/me"])
def test_overall_deadline_holds_against_a_dripping_server(drip_server: str, path: str) -> None:
    config = ClientConfig(
        rest_endpoint=drip_server,
        disable_socket=True,
        timeouts=Timeouts(rest=1.0, rest_total=2.0),
    )
    rest = RestClient(config, _Key("k"))
    outcome: list[BaseException | None] = []
    started = time.monotonic()

    def call() -> None:
        try:
            rest.request("GET", path)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    # On a thread, so that a call the deadline fails to stop fails this test in seconds (the
    # server keeps dripping until the fixture stops it) instead of hanging it.
    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(3.5)
    elapsed = time.monotonic() - started
    assert not caller.is_alive(), "the call outlived its 2 s deadline"
    # Each byte arrives well inside the 1 s read timeout; only the 2 s deadline can stop it.
    assert len(outcome) == 1 and isinstance(outcome[0], SogniTimeoutError)
    assert 1.9 <= elapsed < 3.0
    rest.close()


# --------------------------------------------------------------------------- retries, real sockets


def _rest_client(endpoint: str, sleeps: list[float] | None = None, **options: Any) -> SogniClient:
    if sleeps is not None:
        options["sleep"] = sleeps.append
    options.setdefault("api_key", "sk-retry-0123456789")
    return SogniClient(rest_endpoint=endpoint, disable_socket=True, **options)


def test_a_refused_connection_is_retried_up_to_the_limit() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]  # closed when the block ends: connecting is refused
    sleeps: list[float] = []
    with _rest_client(f"http://127.0.0.1:{port}", sleeps) as client:
        with pytest.raises(TransportError, match=r"connection to http://127\.0\.0\.1"):
            client.account.me()
    assert len(sleeps) == RetryPolicy().max_attempts - 1


def test_a_read_timeout_is_retried_for_reads_but_not_for_writes(fake: FakeSupernet) -> None:
    timeouts = Timeouts(rest=0.3, rest_total=10.0)
    with _rest_client(fake.rest_url, api_key=fake.api_key, timeouts=timeouts) as client:
        fake.delay_next(1.0, path="/v1/account/me", times=3)
        with pytest.raises(SogniTimeoutError, match="did not answer in time"):
            client.account.me()
        wait_until(lambda: len(fake.requests("/v1/account/me")) == 3)
        # A POST that may have reached the server is never sent twice.
        fake.delay_next(1.0, path="/v3/account/reward/claim", times=3)
        with pytest.raises(SogniTimeoutError):
            client.account.claim_rewards(["daily"])
        with pytest.raises(AssertionError):
            wait_until(lambda: len(fake.requests("/v3/account/reward/claim")) > 1, timeout=1.5)
        assert len(fake.requests("/v3/account/reward/claim")) == 1


@pytest.mark.parametrize(
    ("retry_after", "seed"),
    # The server asks for 3 s, or the first jittered back-off draw is 4.8 s: either sleep
    # would end past the 1 s deadline, so the call must stop instead of sleeping.
    [(3, 0), (None, 2)],
    ids=["retry-after", "jitter"],
)
def test_retries_never_outlast_the_deadline(
    fake: FakeSupernet, retry_after: int | None, seed: int
) -> None:
    deadline = 1.0
    fake.fail_next(503, path="/v1/account/me", times=1000, retry_after=retry_after)
    with _rest_client(
        fake.rest_url,
        api_key=fake.api_key,
        timeouts=Timeouts(rest_total=deadline),
        retry=RetryPolicy(max_attempts=100, backoff_base=5.0, backoff_max=5.0),
        rng=random.Random(seed),
    ) as client:
        started = time.monotonic()
        with pytest.raises(ServerError):
            client.account.me()
        elapsed = time.monotonic() - started
    assert elapsed <= deadline + 0.25, f"took {elapsed:.2f}s against a {deadline}s deadline"
    assert fake.requests("/v1/account/me")  # it did try
