"""FakeSupernet for long-lived use, over real loopback: the bounded received log (in process and
standalone, ``--max-log``) and the TCP connection counts per origin."""

from __future__ import annotations

import requests
import websocket

from sogni.testing import FakeSupernet

from ..helpers import FakeProcess, wait_until

# --------------------------------------------------------------------------- bounded log


def test_fake_supernet_honours_max_log() -> None:
    with FakeSupernet(max_log=3, time_scale=0.01) as fake:
        with requests.Session() as http:
            for _ in range(5):
                assert http.get(fake.rest_url + "/v1/subscriptions/plans", timeout=10).ok
            stats = http.get(fake.rest_url + "/_fake/stats", timeout=10).json()
        # The stats call is logged once it has answered: it then fills the third place.
        assert stats["log"] == {"max_log": 3, "length": 3, "total": 5, "dropped": 2}
        assert (len(fake.received), fake.received.total, fake.received.dropped) == (3, 6, 3)
        assert len(fake.requests("/v1/subscriptions/plans")) == 2
        assert fake.requests()[-1].path == "/_fake/stats"


def test_in_process_fake_keeps_everything_by_default(fake: FakeSupernet) -> None:
    with requests.Session() as http:
        for _ in range(50):
            assert http.get(fake.rest_url + "/v1/subscriptions/plans", timeout=10).ok
    assert fake.received.max_log is None
    assert len(fake.requests("/v1/subscriptions/plans")) == 50


def _standalone_stats(process: FakeProcess, calls: int) -> dict[str, dict[str, int | None]]:
    with requests.Session() as http:
        for _ in range(calls):
            response = http.get(
                process.rest_url + "/v1/account/me",
                headers={"api-key": process.api_key},
                timeout=10,
            )
            assert response.status_code == 200
        stats: dict[str, dict[str, int | None]] = http.get(
            process.rest_url + "/_fake/stats", timeout=10
        ).json()["log"]
    return stats


def test_standalone_fake_honours_max_log() -> None:
    process = FakeProcess(max_log=5)
    try:
        stats = _standalone_stats(process, 20)
    finally:
        process.stop()
    assert stats == {"max_log": 5, "length": 5, "total": 20, "dropped": 15}


def test_standalone_fake_is_bounded_by_default_and_max_log_0_keeps_all() -> None:
    process = FakeProcess()
    try:
        bounded = _standalone_stats(process, 3)
    finally:
        process.stop()
    assert bounded == {"max_log": 10_000, "length": 3, "total": 3, "dropped": 0}
    process = FakeProcess(max_log=0)
    try:
        unbounded = _standalone_stats(process, 3)
    finally:
        process.stop()
    assert unbounded == {"max_log": None, "length": 3, "total": 3, "dropped": 0}


# --------------------------------------------------------------------------- connections


def test_one_session_uses_one_connection_fresh_sessions_one_each(fake: FakeSupernet) -> None:
    url = fake.rest_url + "/v1/subscriptions/plans"
    assert fake.http_connections("api") == 0
    with requests.Session() as http:
        for _ in range(25):
            assert http.get(url, timeout=10).ok
        assert fake.http_connections("api") == 1
        assert fake.http_connections("api", open_only=True) == 1
    wait_until(lambda: fake.http_connections("api", open_only=True) == 0)
    for _ in range(5):
        with requests.Session() as http:
            assert http.get(url, timeout=10).ok
    assert fake.http_connections("api") == 6
    assert fake.http_connections("socket") == 0
    assert fake.http_connections(None) == 6
    wait_until(lambda: fake.http_connections("api", open_only=True) == 0)
    stats = requests.get(fake.rest_url + "/_fake/stats", timeout=10).json()
    assert stats["connections"]["api"] == {"accepted": 7, "open": 1}  # this very call
    assert stats["connections"]["socket"] == {"accepted": 0, "open": 0}


def test_socket_host_connections_are_counted(fake: FakeSupernet) -> None:
    ws = websocket.create_connection(
        f"{fake.socket_url}/?appId=count-app&clientType=artist&forceWorkerId=fast",
        header=[f"api-key: {fake.api_key}"],
        timeout=10,
    )
    try:
        fake.wait_for_connections(1)
        with requests.Session() as http:
            for _ in range(10):
                assert http.get(fake.socket_rest_url + "/api/v1/models/list", timeout=10).ok
        assert fake.http_connections("socket") == 2  # the WebSocket and one kept-alive REST
        assert fake.http_connections("api") == 0
        wait_until(lambda: fake.http_connections("socket", open_only=True) == 1)
    finally:
        ws.close()
    wait_until(lambda: fake.http_connections("socket", open_only=True) == 0)
    assert fake.http_connections("socket") == 2
