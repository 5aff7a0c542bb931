"""The transport thread over real loopback sockets: connect, close codes, reconnect, close()."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from sogni import (
    AppIdConflictError,
    AuthenticationError,
    ClientConfig,
    SogniClient,
    SogniTimeoutError,
)
from sogni.testing import FakeSupernet

from ..helpers import FAST, run_threads, sogni_threads, wait_until


def ws_connects(fake: FakeSupernet, app_id: str) -> list[Any]:
    return [r for r in fake.received if r.kind == "ws_connect" and r.app_id == app_id]


def authenticated_counter(client: SogniClient) -> list[Any]:
    """Every ``authenticated`` event of ``client``, made with ``auto_connect=False`` so that
    the first one cannot come before the listener is in."""
    events: list[Any] = []
    client.on("authenticated", events.append)
    return events


# --------------------------------------------------------------------------- handshake


def test_upgrade_url_and_headers(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="url-check", app_source="my-app", network="relaxed")
    client.connect()
    [record] = ws_connects(fake, "url-check")
    assert record.path == "/"
    assert record.query["appId"] == "url-check"
    assert record.query["appSource"] == "my-app"
    assert record.query["clientType"] == "artist"
    assert record.query["forceWorkerId"] == ""  # relaxed is expressed as an empty value
    assert record.query["clientName"].startswith("Sogni/3.0.0 (sogni-python) ")
    assert record.headers["api-key"] == fake.api_key
    assert "Origin" not in record.headers
    assert fake.api_key not in json.dumps(record.query)


def test_nothing_is_sent_before_authenticated(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.delay_authenticated(0.3)
    client = make_client(app_id="gate")
    client.set_socket_event_subscriptions({"appAlert": True})
    fake.wait_for_frame("setSocketEventSubscriptions")
    frames = fake.frames("setSocketEventSubscriptions")
    assert [f.dropped for f in frames] == [False]


def test_authenticated_fallback_sends_anyway(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.withhold_authenticated()
    client = make_client(app_id="fallback", timeouts=attrs.evolve(FAST, authenticated_fallback=0.2))
    client.set_socket_event_subscriptions({"appAlert": True})
    [frame] = fake.wait_for_frame("setSocketEventSubscriptions")
    # The fake drops pre-authenticated frames, as the real server does; the client waited 0.2 s.
    assert frame.dropped


def test_send_ready_timeout_when_the_server_never_answers(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.refuse_connections()
    client = make_client(app_id="never", timeouts=attrs.evolve(FAST, send_ready=0.3))
    started = time.monotonic()
    with pytest.raises(SogniTimeoutError):
        client.change_network("relaxed")
    assert time.monotonic() - started < 2.0


def test_socket_event_subscriptions_survive_reconnects(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="subs")
    client.connect()
    client.set_socket_event_subscriptions({"modelAvailability": False})
    fake.wait_for_frame("setSocketEventSubscriptions")
    wait_until(lambda: client._core.transport is not None and client._core.transport._subscriptions)
    fake.drop_connections()
    wait_until(lambda: len(ws_connects(fake, "subs")) == 2)
    second = ws_connects(fake, "subs")[1]
    assert json.loads(second.query["socketEventSubscriptions"]) == {"modelAvailability": False}


def test_change_network(fake: FakeSupernet, make_client: Callable[..., SogniClient]) -> None:
    client = make_client(app_id="net")
    client.connect()
    assert client.change_network("relaxed") == "relaxed"
    assert client.current_account.network == "relaxed"
    [frame] = fake.frames("changeNetwork")
    assert (
        frame.payload == "relaxed" and frame.raw == '{"type":"changeNetwork","data":"InJlbGF4ZWQi"}'
    )
    fake.drop_connections()
    wait_until(lambda: len(ws_connects(fake, client.config.app_id or "")) == 2)
    assert ws_connects(fake, "net")[1].query["forceWorkerId"] == ""


# --------------------------------------------------------------------------- close codes


def test_abrupt_drop_reconnects_within_the_backoff_bound(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="drop", auto_connect=False)
    auths = authenticated_counter(client)
    client.connect()
    wait_until(lambda: len(auths) == 1)
    dropped_at = time.monotonic()
    assert fake.drop_connections() == 1
    wait_until(lambda: len(auths) == 2, timeout=5)
    # First retry waits uniform(0, reconnect_base): well under a second with the test timeouts.
    assert time.monotonic() - dropped_at < FAST.reconnect_max + 1.0
    assert client.is_connected


def test_1000_from_the_server_does_not_reconnect(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="normal")
    disconnected: list[Any] = []
    client.on("disconnected", disconnected.append)
    client.connect()
    fake.close_connections(1000, "bye")
    wait_until(lambda: disconnected)
    assert disconnected[0]["code"] == 1000
    time.sleep(0.3)  # a window in which a reconnect (base 0.05 s) would certainly have happened
    assert len(ws_connects(fake, "normal")) == 1
    # Credentials are kept: the next send reconnects lazily.
    client.set_socket_event_subscriptions({"appAlert": True})
    fake.wait_for_frame("setSocketEventSubscriptions")
    assert len(ws_connects(fake, "normal")) == 2


def test_1001_restart_reconnects(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="restart", auto_connect=False)
    auths = authenticated_counter(client)
    client.connect()
    fake.restart(downtime=0.2)
    wait_until(lambda: len(auths) == 2, timeout=5)
    refused = [r for r in fake.requests() if r.kind == "http"]
    assert len(ws_connects(fake, "restart")) >= 2
    assert refused == [] or all(r.path != "/" for r in refused)


def test_4015_fails_in_flight_work_and_waits_for_connect(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="shared-id")
    client.connect()
    fake.withhold_authenticated()  # keep the next frame waiting in the send queue
    other = make_client(app_id="shared-id")  # same app_id: evicts the first connection
    other_connected = threading.Event()
    other.on("connected", lambda _: other_connected.set())
    wait_until(lambda: client.current_account.network_status == "disconnected")
    with pytest.raises(AppIdConflictError) as info:
        client.set_socket_event_subscriptions({"appAlert": True})
    assert "one live connection per app_id" in str(info.value)
    assert info.value.close_code == 4015 and not info.value.retryable
    time.sleep(0.3)
    assert len(ws_connects(fake, "shared-id")) == 2  # the evicted client did not come back
    fake.withhold_authenticated(False)
    other.close()
    client.connect()  # the caller takes the app_id back explicitly
    assert client.is_connected


def test_a_send_right_after_connect_does_not_meet_the_old_4015(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="retake")
    client.connect()
    closes: list[Any] = []
    client.on("disconnected", closes.append)
    for n in range(1, 4):
        fake.close_connections(4015, "taken")
        wait_until(lambda n=n: len(closes) == n)  # the terminal close has been handled
        client.connect(wait=False)
        # Queued for the new connection; before the fix this raised AppIdConflictError.
        client.set_socket_event_subscriptions({"appAlert": True})
        client.connect()


def test_4021_clears_credentials(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="auth-err")
    client.connect()
    fake.close_connections(4021, "auth")
    wait_until(lambda: client._core.credentials.mode == "none")
    with pytest.raises(AuthenticationError):
        client.set_socket_event_subscriptions({"appAlert": True})


def test_unknown_api_key_is_refused_with_4021(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="bad-key", api_key="sk-not-a-real-key-0000")
    disconnected: list[Any] = []
    client.on("disconnected", disconnected.append)
    wait_until(lambda: disconnected)
    assert disconnected[0]["code"] == 4021
    assert client._core.credentials.mode == "none"


def test_half_open_connection_is_detected(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(
        app_id="half-open",
        timeouts=attrs.evolve(FAST, ping_interval=0.1, pong_timeout=0.2),
        auto_connect=False,
    )
    auths = authenticated_counter(client)
    client.connect()
    fake.stall_pings()
    stalled_at = time.monotonic()
    wait_until(lambda: len(ws_connects(fake, "half-open")) == 2, timeout=5)
    assert time.monotonic() - stalled_at < 0.1 + 0.2 + FAST.reconnect_max + 0.5
    fake.stall_pings(False)
    wait_until(lambda: len(auths) >= 2)


def test_malformed_frames_never_kill_the_transport(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="garbage")
    client.connect()
    for raw in (
        "not json",
        b"\xff\xfe",
        '{"type":"x","data":"%%%"}',
        '{"data":"e30="}',
        '{"type":"jobState","data":"eyJ0eXBlIjoxfQ=="}',
        "[]",
        "[" * 100_000,  # nesting deeper than the JSON parser's recursion limit
    ):
        fake.inject_frame(raw=raw)
    fake.inject_frame("someFutureEvent", {"hello": "world"})
    fake.set_balance("77", token_type="spark")
    wait_until(lambda: client.current_account.balance.spark.net == 77)
    assert client.is_connected
    assert client._core.transport is not None and client._core.transport.thread is not None
    assert client._core.transport.thread.is_alive()
    client.set_socket_event_subscriptions({"appAlert": True})  # the socket still sends


# --------------------------------------------------------------------------- callbacks


def test_a_raising_callback_does_not_stop_the_transport(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="raise")
    seen: list[Any] = []

    def boom(_: Any) -> None:
        raise RuntimeError("user bug")

    client.on("account_updated", boom)
    client.on("account_updated", seen.append)
    client.connect()
    fake.set_balance("5", token_type="spark")
    fake.set_balance("6", token_type="spark")
    wait_until(lambda: client.current_account.balance.spark.net == 6)
    wait_until(lambda: len(seen) >= 2)
    assert client.is_connected


def test_a_slow_callback_does_not_delay_the_transport(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="slow")
    release = threading.Event()
    entered = threading.Event()

    def slow(_: Any) -> None:
        entered.set()
        release.wait(5)

    client.on("account_updated", slow)
    client.connect()
    fake.set_balance("5", token_type="spark")
    assert entered.wait(5)
    # While the callback worker is stuck, frames are still read and state still updates.
    fake.set_balance("9", token_type="spark")
    wait_until(lambda: client.current_account.balance.spark.net == 9, timeout=2)
    assert client.change_network("relaxed") == "relaxed"
    release.set()


# --------------------------------------------------------------------------- close()


def _assert_closes_fast(client: SogniClient) -> None:
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 2.0
    wait_until(lambda: not sogni_threads(), timeout=1.0)
    client.close()  # idempotent


@attrs.define
class BlackHole:
    """Accepts TCP connections and never answers (a server that hangs in the handshake)."""

    url: str
    conns: list[socket.socket]

    def heard_from_client(self) -> bool:
        """The client has sent its first bytes (an HTTP upgrade or a TLS ClientHello), so it
        is now blocked waiting for the answer."""
        for conn in list(self.conns):
            try:
                if conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                    return True
            except BlockingIOError:
                continue
        return False


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    listener = socket.create_server(("127.0.0.1", 0))
    hole = BlackHole(f"ws://127.0.0.1:{listener.getsockname()[1]}", [])
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                hole.conns.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield hole
    stop.set()
    thread.join(2)
    for c in hole.conns:
        c.close()
    listener.close()


@pytest.mark.parametrize("scheme", ["ws", "wss"])
def test_close_while_connecting(black_hole: BlackHole, fake: FakeSupernet, scheme: str) -> None:
    # ws: stuck in the WebSocket upgrade; wss: stuck in the TLS handshake.
    client = SogniClient(
        config=ClientConfig(
            app_id="connecting",
            api_key="sk-x-123456",
            rest_endpoint=fake.rest_url,
            socket_endpoint=black_hole.url.replace("ws://", f"{scheme}://"),
            timeouts=attrs.evolve(FAST, connect=30),
        )
    )
    wait_until(black_hole.heard_from_client)
    _assert_closes_fast(client)


def test_close_while_backing_off(fake: FakeSupernet) -> None:
    fake.refuse_connections()
    client = SogniClient(
        config=ClientConfig(
            app_id="backoff",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=attrs.evolve(FAST, reconnect_base=30, reconnect_max=30),
        )
    )
    wait_until(
        lambda: (
            client._core.transport is not None and client._core.transport.state.value == "backoff"
        )
    )
    _assert_closes_fast(client)


def test_close_while_the_server_is_unresponsive(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="unresponsive")
    client.connect()
    fake.stall_pings()
    fake.withhold_authenticated()
    future = client._core.send("setSocketEventSubscriptions", {"subscriptions": {}})
    _assert_closes_fast(client)
    assert future.done()


def test_close_inside_a_slow_callback(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="slow-close")
    entered = threading.Event()
    release = threading.Event()
    # The callback outlives close(): close() must not wait for user code to return.
    client.on("account_updated", lambda _: (entered.set(), release.wait(10)))
    client.connect()
    fake.set_balance("3", token_type="spark")
    assert entered.wait(5)
    started = time.monotonic()
    try:
        client.close()
        assert time.monotonic() - started < 2.0
        # Only the callback thread, still inside the user's code, is left.
        assert [t.name.rsplit("-", 1)[0] for t in sogni_threads()] == ["sogni-callbacks"]
    finally:
        release.set()
    # Once the user's code returns, nothing is left.
    wait_until(lambda: not sogni_threads(), timeout=2.0)
    client.close()


def test_close_called_from_inside_a_callback(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="close-in-callback")
    returned: list[float] = []

    def close_here(_: object) -> None:
        started = time.monotonic()
        client.close()  # the callback thread must not wait for itself
        returned.append(time.monotonic() - started)

    client.connect()
    client.on("account_updated", close_here)
    fake.set_balance("4", token_type="spark")
    wait_until(lambda: bool(returned), timeout=5)
    assert returned[0] < 2.0
    wait_until(lambda: not sogni_threads(), timeout=2.0)
    client.close()


def test_close_wakes_a_connect_waiting_for_authentication(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    from sogni import ClientClosedError

    fake.withhold_authenticated()
    client = make_client(app_id="close-during-connect")
    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            client.connect(timeout=30)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=connect)
    waiter.start()
    wait_until(lambda: fake.connection_count >= 1)
    started = time.monotonic()
    client.close()
    waiter.join(5)
    assert time.monotonic() - started < 2.0
    assert len(outcome) == 1 and isinstance(outcome[0], ClientClosedError)


def test_close_with_work_in_flight(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    from sogni import ClientClosedError

    client = make_client(app_id="in-flight")
    client.connect()
    fake.pause_workers()
    project = client.projects.create(type="image", model_id="flux1-schnell-fp8")
    fake.wait_for_project(project.id)
    fake.llm_pause()
    stream = client.chat.completions.create(
        messages=[{"role": "user", "content": "hello"}], stream=True
    )
    fake.llm_wait_held()
    _assert_closes_fast(client)
    with pytest.raises(ClientClosedError):
        project.wait(1)
    with pytest.raises(ClientClosedError):
        list(stream)
    with pytest.raises(ClientClosedError):
        client.account.me()
    fake.resume_workers()
    fake.llm_resume()


def test_close_with_a_send_queued_before_the_connection(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    from sogni import ClientClosedError

    fake.refuse_connections()
    client = make_client(app_id="queued")
    future = client._core.send("setSocketEventSubscriptions", {"subscriptions": {}})
    _assert_closes_fast(client)
    with pytest.raises(ClientClosedError):
        future.result(1)


# --------------------------------------------------------------------------- threads and fork


def test_sixteen_threads_share_one_client(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    other = fake.add_account(username="bob", api_key="sk-bob-0123456789")
    clients = {
        "alice": make_client(app_id="mt-a"),
        "bob": make_client(app_id="mt-b", api_key="sk-bob-0123456789"),
    }
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        owner = "alice" if n % 2 else "bob"
        for _ in range(10):
            me = clients[owner].account.me()
            bal = clients[owner].account.balance()
            with lock:
                results.append((owner, f"{me.username}:{bal.spark.net}"))

    fake.set_balance("11", account=other)
    run_threads(work, 16)
    assert len(results) == 160
    assert {r for o, r in results if o == "alice"} == {"alice:400"}
    assert {r for o, r in results if o == "bob"} == {"bob:11"}


def test_sixteen_threads_share_one_client_over_rest_and_the_socket(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="mt-one")
    client.connect()
    answers: dict[tuple[int, int], str] = {}
    lock = threading.Lock()

    def work(n: int) -> None:
        for turn in range(3):
            assert client.account.me().username == "alice"
            reply = client.chat.completions.create(
                messages=[{"role": "user", "content": f"thread {n} turn {turn}"}]
            )
            with lock:
                answers[(n, turn)] = reply.content

    run_threads(work, 16)
    # Each caller got the reply to its own message, over one socket and one registry.
    assert answers == {
        (n, turn): f'You said: "thread {n} turn {turn}". This is turn 1 of our conversation.'
        for n in range(16)
        for turn in range(3)
    }
    assert len(ws_connects(fake, "mt-one")) == 1


def test_fork_child_gets_the_documented_error(fake: FakeSupernet) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        from sogni import SogniClient, ForkedProcessError
        client = SogniClient(app_id="forked", api_key={fake.api_key!r},
                             rest_endpoint={fake.rest_url!r}, socket_endpoint={fake.socket_url!r})
        client.account.me()
        pid = os.fork()
        if pid == 0:
            try:
                client.account.me()
            except ForkedProcessError as exc:
                os._exit(0 if "after forking" in str(exc) else 3)
            os._exit(4)
        _, status = os.waitpid(pid, 0)
        client.account.me()  # the parent is unaffected
        client.close()
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_connect_raises_the_refusal_instead_of_timing_out(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="refused", api_key="sk-unknown-key-0000", auto_connect=False)
    started = time.monotonic()
    with pytest.raises(AuthenticationError):
        client.connect()
    assert time.monotonic() - started < FAST.send_ready / 2


def test_close_says_goodbye_with_1000(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="polite")
    client.connect()
    client.close()
    (closed,) = fake.received.wait_for(lambda r: r.kind == "ws_closed" and r.app_id == "polite")
    assert closed.close_code == 1000
