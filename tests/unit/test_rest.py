"""REST: retry matrix, Retry-After, error parsing (against a scripted loopback server)."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator

import pytest

from sogni import (
    AuthenticationError,
    BadRequestError,
    ClientConfig,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Timeouts,
    TransportError,
)
from sogni._transport.rest import RestClient, parse_error, retry_after_seconds

from ..scripted_http import ScriptedServer
from ..scripted_http import scripted as scripted
from ..scripted_http import scripted_server as scripted_server


class _Auth:
    def __init__(self) -> None:
        self.cleared = 0

    def headers(self) -> dict[str, str]:
        return {"api-key": "k-123456"}

    def is_authenticated(self) -> bool:
        return self.cleared == 0

    def on_unauthorized(self) -> None:
        self.cleared += 1


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _config(base: str, sleep: object, **timeouts: float) -> ClientConfig:
    return ClientConfig(
        rest_endpoint=base,
        socket_endpoint=base.replace("http", "ws", 1),
        disable_socket=True,
        retry=RetryPolicy(max_attempts=3, retry_after_cap=30),
        timeouts=Timeouts(rest_total=60, **timeouts),
        sleep=sleep,  # type: ignore[arg-type]
        rng=random.Random(7),
    )


@pytest.fixture
def rest(scripted: ScriptedServer, sleeps: list[float]) -> Iterator[RestClient]:
    client = RestClient(_config(scripted.url, sleeps.append, rest=0.5), _Auth())
    yield client
    client.close()


def ok(data: object) -> dict[str, object]:
    return {"status": "success", "data": data}


def test_get_503_then_200_is_retried(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    first = scripted.get(
        "/v1/thing", status=503, json={"status": "error", "message": "busy", "errorCode": 503}
    )
    second = scripted.get("/v1/thing", json=ok({"x": 1}))
    assert rest.request("GET", "/v1/thing") == {"x": 1}
    assert first.call_count == 1 and second.call_count == 1
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 0.5  # full jitter within the first ceiling


@pytest.mark.parametrize(
    ("status", "error"), [(400, BadRequestError), (401, AuthenticationError), (404, NotFoundError)]
)
def test_client_errors_are_tried_once(
    rest: RestClient,
    scripted: ScriptedServer,
    sleeps: list[float],
    status: int,
    error: type[Exception],
) -> None:
    rsp = scripted.get(
        "/v1/thing", status=status, json={"status": "error", "message": "no", "errorCode": 9}
    )
    with pytest.raises(error) as info:
        rest.request("GET", "/v1/thing")
    assert rsp.call_count == 1
    assert sleeps == []
    assert info.value.status == status and info.value.error_code == 9


def test_post_that_may_have_reached_the_server_is_not_retried(
    rest: RestClient, scripted: ScriptedServer
) -> None:
    rsp = scripted.post("/v1/create", status=503)
    with pytest.raises(ServerError):
        rest.request("POST", "/v1/create", json_body={"a": 1})
    assert rsp.call_count == 1


def test_a_json_body_is_json_stringify_text(rest: RestClient, scripted: ScriptedServer) -> None:
    rsp = scripted.post("/v1/create", json=ok({}))
    rest.request(
        "POST",
        "/v1/create",
        json_body={"n": [1e-07, 0.00001, 7.0], "s": "\u00e9 \ud800", "x": None},
    )
    # As the official client sends: UTF-8 text, JavaScript's numbers, a lone surrogate escaped.
    assert (
        rsp.calls[0].request.body == '{"n":[1e-7,0.00001,7],"s":"\u00e9 \\ud800","x":null}'.encode()
    )
    assert rsp.calls[0].headers["Content-Type"] == "application/json"
    assert rsp.calls[0].headers["api-key"] == "k-123456"


@pytest.mark.parametrize("action", ["stall", "reset"])
def test_post_read_failure_is_not_retried(
    rest: RestClient, scripted: ScriptedServer, action: str
) -> None:
    # The server got the request and never answered (the read timed out, or it reset).
    rsp = scripted.post("/v1/create", action=action)
    with pytest.raises(TransportError):
        rest.request("POST", "/v1/create", json_body={})
    assert rsp.call_count == 1


def test_post_is_retried_when_it_never_connected() -> None:
    # The port is bound but refuses connections until the retry's back-off starts the server.
    with ScriptedServer(listen=False) as late:
        route = late.post("/v1/create", json=ok({"id": 1}))
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            late.start()

        client = RestClient(_config(late.url, sleep), _Auth())
        try:
            assert client.request("POST", "/v1/create", json_body={}) == {"id": 1}
        finally:
            client.close()
    assert len(sleeps) == 1 and route.call_count == 1 and late.connections == 1


def test_a_refused_connection_is_a_transport_error() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        base = f"http://127.0.0.1:{unused.getsockname()[1]}"
        sleeps: list[float] = []
        client = RestClient(_config(base, sleeps.append), _Auth())
        try:
            with pytest.raises(
                TransportError, match=r"connection to http://127\.0\.0\.1:\d+ failed"
            ):
                client.request("POST", "/v1/create", json_body={})
        finally:
            client.close()
    assert len(sleeps) == 2  # never reached the server: even a POST is retried


def test_429_waits_retry_after(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    scripted.get("/v1/thing", status=429, headers={"Retry-After": "7"})
    scripted.get("/v1/thing", json=ok(1))
    assert rest.request("GET", "/v1/thing") == 1
    assert sleeps == [7.0]


def test_429_beyond_the_cap_is_not_retried(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    rsp = scripted.get("/v1/thing", status=429, headers={"Retry-After": "600"})
    with pytest.raises(RateLimitError) as info:
        rest.request("GET", "/v1/thing")
    assert rsp.call_count == 1 and sleeps == []
    assert info.value.retry_after == 600 and info.value.retryable


def test_retries_stop_after_max_attempts(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    rsp = scripted.get("/v1/thing", status=502)
    with pytest.raises(ServerError):
        rest.request("GET", "/v1/thing")
    assert rsp.call_count == 3 and len(sleeps) == 2
    assert all(0 <= s <= 1.0 for s in sleeps)


def test_401_clears_credentials_before_raising(rest: RestClient, scripted: ScriptedServer) -> None:
    scripted.get("/v1/account/me", status=401, body="<html>nope</html>")
    with pytest.raises(AuthenticationError):
        rest.request("GET", "/v1/account/me")
    assert rest._auth.cleared == 1  # type: ignore[attr-defined]


def test_socket_host_payload_is_not_unwrapped(rest: RestClient, scripted: ScriptedServer) -> None:
    scripted.get("/api/v1/models/list", json={"status": "success", "data": [{"id": "m"}]})
    assert rest.request("GET", "/api/v1/models/list", origin="socket") == {
        "status": "success",
        "data": [{"id": "m"}],
    }
    assert rest.request("GET", "/api/v1/models/list") == [{"id": "m"}]


def test_error_parsing_json_text_html() -> None:
    err = parse_error(
        400, "Bad Request", b'{"status":"error","message":"Bad seed","errorCode":31}', None
    )
    assert (err.message, err.error_code, err.status) == ("Bad seed", 31, 400)
    err = parse_error(400, "Bad Request", b"  plain\n text  body ", None)
    assert (err.message, err.error_code) == ("plain text body", 400)
    err = parse_error(502, "Bad Gateway", b"<html><body>Bad gateway</body></html>", None)
    assert err.message == "Bad Gateway: <html><body>Bad gateway</body></html>"
    assert err.error_code == 502
    err = parse_error(500, "Internal Server Error", b"", None)
    assert err.message == "Internal Server Error"
    err = parse_error(400, "Bad Request", b"x" * 600, None)
    assert err.message == "x" * 500 + "…"
    err = parse_error(
        429, "Too Many Requests", b'{"message":"slow","errorCode":1,"retryAfter":30}', "7"
    )
    assert isinstance(err, RateLimitError) and err.retry_after == 30


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("1.5", None), ("-5", None), ("1e3", None), ("", None), ("soon", None)],
)
def test_retry_after_header_forms(header: str, expected: float | None) -> None:
    assert retry_after_seconds({}, header) == expected


def test_retry_after_http_date() -> None:
    seconds = retry_after_seconds({}, "Thu, 01 Jan 2026 00:00:10 GMT", now=1767225600.0)
    assert seconds == 10.0
