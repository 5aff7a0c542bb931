"""The REST transport against a scripted loopback server: keep-alive connections reused and a
stale one replaced without a retry, redirects (credentials dropped on another host), compressed
bodies, downloads into a file, and a pool that a closed client leaves empty."""

from __future__ import annotations

import gzip
import io
import random
import zlib
from collections.abc import Iterator

import pytest

from sogni import (
    ClientConfig,
    ProtocolError,
    RetryPolicy,
    SogniTimeoutError,
    Timeouts,
    TransportError,
)
from sogni._transport.rest import RestClient

from ..helpers import wait_until
from ..scripted_http import ScriptedServer
from ..scripted_http import scripted as scripted
from ..scripted_http import scripted_server as scripted_server


class _Key:
    def headers(self) -> dict[str, str]:
        return {"api-key": "k-123456"}

    def is_authenticated(self) -> bool:
        return True

    def on_unauthorized(self) -> None:
        return None


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def rest(scripted: ScriptedServer, sleeps: list[float]) -> Iterator[RestClient]:
    config = ClientConfig(
        rest_endpoint=scripted.url,
        disable_socket=True,
        retry=RetryPolicy(max_attempts=3),
        timeouts=Timeouts(rest=2),
        sleep=sleeps.append,
        rng=random.Random(1),
    )
    client = RestClient(config, _Key())
    yield client
    client.close()


def ok(data: object) -> dict[str, object]:
    return {"status": "success", "data": data}


def test_calls_reuse_one_keep_alive_connection(rest: RestClient, scripted: ScriptedServer) -> None:
    scripted.get("/v1/thing", json=ok(1))
    for _ in range(5):
        assert rest.request("GET", "/v1/thing") == 1
    assert scripted.connections == 1
    sent = scripted.calls[0].headers
    assert sent["User-Agent"].startswith("sogni-python/")
    assert sent["api-key"] == "k-123456"
    assert sent["Host"] == scripted.url.removeprefix("http://")


def test_a_connection_the_server_dropped_while_idle_is_replaced_without_a_retry(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    first = scripted.post("/v1/create", json=ok(1), action="close")
    second = scripted.post("/v1/create", json=ok(2))
    assert rest.request("POST", "/v1/create", json_body={}) == 1
    # The pooled connection is dead: the POST goes out again on a new one, at once.
    assert rest.request("POST", "/v1/create", json_body={}) == 2
    assert (first.call_count, second.call_count) == (1, 1)
    assert scripted.connections == 2
    assert sleeps == []


def test_a_request_the_server_drops_on_a_reused_connection_goes_once_more_on_a_new_one(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    scripted.get("/v1/warm", json=ok(0))
    dropped = scripted.get("/v1/thing", action="reset")
    answered = scripted.get("/v1/thing", json=ok(1))
    rest.request("GET", "/v1/warm")
    assert rest.request("GET", "/v1/thing") == 1
    assert (dropped.call_count, answered.call_count) == (1, 1)
    assert scripted.connections == 2 and sleeps == []  # not a retry of the policy's


def test_a_request_the_deadline_cut_is_not_sent_again(
    scripted: ScriptedServer, sleeps: list[float]
) -> None:
    # A read timeout longer than the deadline: the watchdog cuts the reused connection, and
    # that cut must not pass for a connection the server dropped.
    config = ClientConfig(
        rest_endpoint=scripted.url,
        disable_socket=True,
        timeouts=Timeouts(rest=5, rest_total=0.5),
        sleep=sleeps.append,
    )
    client = RestClient(config, _Key())
    try:
        scripted.get("/v1/warm", json=ok(0))
        slow = scripted.get("/v1/slow", action="stall")
        client.request("GET", "/v1/warm")
        with pytest.raises(SogniTimeoutError, match="deadline"):
            client.request("GET", "/v1/slow")
        # Sent again, it would open a second connection (the server counts it when it accepts).
        with pytest.raises(AssertionError):
            wait_until(lambda: scripted.connections > 1, timeout=0.5)
    finally:
        client.close()
    assert slow.call_count == 1 and scripted.connections == 1


def test_a_redirect_to_another_host_drops_the_credentials(
    rest: RestClient, scripted: ScriptedServer
) -> None:
    other = scripted.url.replace("127.0.0.1", "localhost")
    scripted.get("/v1/here", status=302, headers={"Location": "/v1/there"})
    scripted.get("/v1/there", status=307, headers={"Location": f"{other}/v1/away"})
    landed = scripted.get("/v1/away", json=ok("away"))
    assert rest.request("GET", "/v1/here") == "away"
    assert [c.path for c in scripted.calls] == ["/v1/here", "/v1/there", "/v1/away"]
    assert scripted.calls[1].headers["api-key"] == "k-123456"  # the same host keeps them
    assert landed.calls[0].headers["api-key"] is None
    assert landed.calls[0].headers["Host"] == other.removeprefix("http://")


def test_endless_redirects_stop(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    loop = scripted.get("/v1/loop", status=301, headers={"Location": "/v1/loop"})
    with pytest.raises(ProtocolError, match="redirected more than 30 times"):
        rest.request("GET", "/v1/loop")
    assert loop.call_count == 31 and sleeps == []


def test_a_post_is_not_redirected(rest: RestClient, scripted: ScriptedServer) -> None:
    scripted.post("/v1/create", status=307, headers={"Location": "/v1/elsewhere"})
    with pytest.raises(Exception) as info:
        rest.request("POST", "/v1/create", json_body={})
    assert getattr(info.value, "status", None) == 307
    assert [c.path for c in scripted.calls] == ["/v1/create"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_a_compressed_body_is_decoded(
    rest: RestClient, scripted: ScriptedServer, encoding: str
) -> None:
    text = b'{"status":"success","data":{"n":[' + b",".join([b"7"] * 5000) + b"]}}"
    if encoding == "gzip":
        body = gzip.compress(text)
    elif encoding == "deflate":
        body = zlib.compress(text)
    else:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = packer.compress(text) + packer.flush()
    name = "deflate" if encoding == "raw-deflate" else encoding
    scripted.get("/v1/big", body=body, headers={"Content-Encoding": name})
    assert rest.request("GET", "/v1/big") == {"n": [7] * 5000}
    assert "gzip" in (scripted.calls[0].headers["Accept-Encoding"] or "")


def test_a_download_lands_in_the_sink_whole(rest: RestClient, scripted: ScriptedServer) -> None:
    data = random.Random(5).randbytes(3 * (1 << 20) + 17)
    scripted.get("/store/result.png", body=data)
    scripted.get(
        "/store/packed.png", body=gzip.compress(data), headers={"Content-Encoding": "gzip"}
    )
    for path in ("/store/result.png", "/store/packed.png"):
        sink = io.BytesIO(b"left over from an earlier attempt")
        assert rest.download(scripted.url + path + "?sig=1", sink) == len(data)
        assert sink.getvalue() == data
    # A signed URL carries its own authority: no credentials go with it.
    assert all(c.headers["api-key"] is None for c in scripted.calls)


def test_a_download_cut_short_is_retried_from_the_start(
    rest: RestClient, scripted: ScriptedServer, sleeps: list[float]
) -> None:
    data = bytes(range(256)) * 4096

    def short(_call: object) -> tuple[int, dict[str, str], bytes]:
        # Announces the whole length, sends half, then the handler closes the connection.
        return (
            200,
            {"Content-Length": str(len(data)), "Connection": "close"},
            data[: len(data) // 2],
        )

    scripted.add_callback("GET", "/store/cut", short)
    scripted.get("/store/cut", body=data)
    sink = io.BytesIO()
    assert rest.download(scripted.url + "/store/cut", sink) == len(data)
    assert sink.getvalue() == data and len(sleeps) == 1


def test_closing_the_client_closes_its_pooled_connections(
    rest: RestClient, scripted: ScriptedServer
) -> None:
    scripted.get("/v1/thing", json=ok(1))
    rest.request("GET", "/v1/thing")
    assert rest._pools.idle_count() == 1
    rest.close()
    assert rest._pools.idle_count() == 0


def test_a_header_that_would_split_the_request_is_refused_before_sending(
    rest: RestClient, scripted: ScriptedServer
) -> None:
    scripted.get("/v1/thing", json=ok(1))
    with pytest.raises(TransportError) as info:
        rest.request("GET", "/v1/thing", headers={"X-Note": "a\r\nInjected: k-123456"})
    assert "k-123456" not in str(info.value)
    assert scripted.calls == []
