"""Reconnecting with work in flight, over real sockets: a drop mid-job, the close-code policy,
a reconnect storm of many clients, the attempt limit, and the bounded send queue."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from sogni import (
    AppIdBlockedError,
    AppIdConflictError,
    AuthenticationError,
    ClientConfig,
    ConnectionLostError,
    ProjectLostError,
    SendQueueFullError,
    SogniClient,
)
from sogni.testing import FakeSupernet, read_image_metadata

from ..helpers import FAST, wait_until

MODEL = "flux1-schnell-fp8"
IMAGE: dict[str, Any] = {"type": "image", "model_id": MODEL, "steps": 4}
# A window in which FAST back-off (0.05 s doubling up to 0.3 s) would reconnect several times.
WINDOW = 1.0


def ws_connects(fake: FakeSupernet, app_id: str) -> list[Any]:
    return [r for r in fake.received if r.kind == "ws_connect" and r.app_id == app_id]


def no_more_connects(fake: FakeSupernet, app_id: str, count: int) -> None:
    with pytest.raises(AssertionError):
        wait_until(lambda: len(ws_connects(fake, app_id)) > count, timeout=WINDOW)
    assert len(ws_connects(fake, app_id)) == count


def authentications(client: SogniClient) -> list[Any]:
    seen: list[Any] = []
    client.on("authenticated", seen.append)
    return seen


# --------------------------------------------------------------------------- (6) drop mid-job


def test_a_drop_mid_job_reconnects_within_the_backoff_bound_and_the_job_resolves(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    base = 0.5
    client = make_client(
        app_id="resume", timeouts=attrs.evolve(FAST, reconnect_base=base, reconnect_max=base)
    )
    client.connect()
    fake.hold_results()
    project = client.projects.create(**IMAGE, seed=31)
    wait_until(lambda: project.jobs and project.jobs[0].step == 4)
    dropped_at = time.monotonic()
    assert fake.drop_connections(app_id="resume") == 1  # TCP abort, no close frame
    (again,) = fake.received.wait_for(
        lambda r: r.kind == "ws_connect" and r.app_id == "resume" and r.time > dropped_at
    )
    # The first reconnect after a ready connection waits uniform(0, base).
    assert again.time - dropped_at <= base + 0.25
    fake.hold_results(False)
    assert len(project.wait(timeout=10)) == 1
    meta = read_image_metadata(project.jobs[0].get_result_data())
    assert (meta["project_id"], int(meta["seed"])) == (project.id, 31)  # its own result
    assert [f.payload["jobID"] for f in fake.frames("jobRequest")] == [project.id]


def test_a_job_lost_in_the_drop_fails_promptly_as_retryable_naming_it(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="no-resume")
    client.connect()
    fake.pause_workers()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    wait_until(lambda: project.status == "queued")
    fake.forget_project(project.id)  # the server will not know it after the reconnect
    dropped_at = time.monotonic()
    fake.drop_connections(app_id="no-resume")
    with pytest.raises(ProjectLostError) as info:
        project.wait(timeout=5)
    assert time.monotonic() - dropped_at < 5
    assert info.value.retryable
    assert info.value.job_id == project.id and project.id in repr(info.value)
    fake.resume_workers()


# --------------------------------------------------------------------------- (7) close codes


@pytest.mark.parametrize("code", [1001, 1006, 1011, 1012, 1013])
def test_recoverable_close_codes_reconnect_and_work_survives(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], code: int
) -> None:
    app_id = f"recover-{code}"
    client = make_client(app_id=app_id, auto_connect=False)
    auths = authentications(client)
    client.connect()
    fake.hold_results()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    if code == 1006:
        fake.drop_connections(app_id=app_id)  # 1006 is never sent: it is a dropped connection
    else:
        fake.close_connections(code, "going away", app_id=app_id)
    wait_until(lambda: len(auths) == 2, timeout=5)
    assert len(ws_connects(fake, app_id)) == 2
    fake.hold_results(False)
    assert len(project.wait(timeout=10)) == 1


@pytest.mark.parametrize(
    ("code", "error", "clears"),
    [
        (4010, AppIdBlockedError, True),
        (4021, AuthenticationError, True),
        (4015, AppIdConflictError, False),
    ],
)
def test_terminal_close_codes_fail_work_and_never_reconnect(
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    code: int,
    error: type[Exception],
    clears: bool,
) -> None:
    app_id = f"terminal-{code}"
    client = make_client(app_id=app_id)
    client.connect()
    fake.pause_workers()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    fake.close_connections(code, "terminal", app_id=app_id)
    with pytest.raises(error):
        project.wait(timeout=5)
    no_more_connects(fake, app_id, 1)
    # 4010 and 4021: the credentials are dropped, so a REST call goes out without them.
    calls = len(fake.requests("/v1/account/me"))
    try:
        client.account.me()
    except AuthenticationError:
        pass
    (me,) = fake.requests("/v1/account/me")[calls:]
    assert ("api-key" in me.headers) is not clears
    fake.resume_workers()


def test_a_client_side_1000_never_reconnects(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="goodbye")
    client.connect()
    client.logout()  # the socket closes with 1000 from our side
    (closed,) = fake.received.wait_for(lambda r: r.kind == "ws_closed" and r.app_id == "goodbye")
    assert closed.close_code == 1000
    no_more_connects(fake, "goodbye", 1)


# --------------------------------------------------------------------------- (8) storms and limits


def test_many_clients_dropped_at_once_reconnect_spread_over_the_window(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    window = 1.0  # reconnect_base == reconnect_max: every first reconnect is uniform(0, 1 s)
    timeouts = attrs.evolve(FAST, reconnect_base=window, reconnect_max=window)
    names = [f"storm-{n}" for n in range(20)]
    for name in names:
        make_client(app_id=name, timeouts=timeouts).connect()
    dropped_at = time.monotonic()
    assert fake.drop_connections() == len(names)
    wait_until(lambda: all(len(ws_connects(fake, n)) == 2 for n in names), timeout=10)
    offsets = sorted(ws_connects(fake, n)[1].time - dropped_at for n in names)
    assert offsets[-1] <= window + 0.5  # capped
    # Spread over the window, not in lock-step: uniform draws of 20 clients span most of it.
    assert offsets[-1] - offsets[0] >= 0.4 * window, offsets
    busiest = max(sum(1 for t in offsets if s <= t < s + 0.05) for s in offsets)
    assert busiest <= 8, offsets


def test_an_attempt_limit_ends_in_a_clear_error(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.refuse_connections()  # every upgrade is answered 503
    client = make_client(app_id="limited", auto_connect=False, max_connect_attempts=3)
    with pytest.raises(ConnectionLostError, match="after 3 attempts") as info:
        client.connect(timeout=10)
    assert "HTTP 503" in str(info.value) and info.value.retryable
    assert len(ws_connects(fake, "limited")) == 3
    no_more_connects(fake, "limited", 3)
    fake.refuse_connections(False)
    client.connect(timeout=5)  # asked again: a fresh series of attempts
    assert client.is_connected


def test_the_attempt_limit_fails_work_in_flight_after_a_drop(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="limited-drop", max_connect_attempts=2)
    client.connect()
    fake.pause_workers()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    fake.refuse_connections()
    fake.drop_connections(app_id="limited-drop")
    with pytest.raises(ConnectionLostError, match="after 2 attempts"):
        project.wait(timeout=10)
    assert len(ws_connects(fake, "limited-drop")) == 1 + 2
    no_more_connects(fake, "limited-drop", 3)
    fake.refuse_connections(False)
    fake.resume_workers()


def test_without_a_limit_the_client_keeps_trying(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.refuse_connections()
    client = make_client(app_id="unlimited")
    assert client.config.max_connect_attempts is None  # the default
    wait_until(lambda: len(ws_connects(fake, "unlimited")) >= 6, timeout=10)
    fake.refuse_connections(False)
    client.connect(timeout=5)


# --------------------------------------------------------------------------- (9) send queue


def test_messages_sent_while_disconnected_wait_in_order_up_to_the_bound(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.refuse_connections()
    client = make_client(app_id="queue", max_send_queue=5)
    wanted = [{"subscriptions": {f"event{n}": True}} for n in range(5)]
    for update in wanted:
        client.set_socket_event_subscriptions(update)
    started = time.monotonic()
    with pytest.raises(SendQueueFullError):
        client.set_socket_event_subscriptions({"subscriptions": {"event5": True}})
    assert time.monotonic() - started < 0.1  # at once, not after a wait
    assert fake.frames() == []
    fake.refuse_connections(False)
    frames = fake.wait_for_frame("setSocketEventSubscriptions", count=5)
    assert [f.payload for f in frames] == wanted
    assert not any(f.dropped for f in frames)


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """Accepts TCP connections and never answers: a client connecting to it stays stuck in its
    WebSocket upgrade, so its transport thread handles no queued command meanwhile."""
    listener = socket.create_server(("127.0.0.1", 0))
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conns.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"ws://127.0.0.1:{listener.getsockname()[1]}", conns
    stop.set()
    thread.join(2)
    for conn in conns:
        conn.close()
    listener.close()


def _has_data(conn: socket.socket) -> bool:
    try:
        return bool(conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False


def test_the_send_queue_bound_counts_only_messages(
    fake: FakeSupernet, silent_server: tuple[str, list[socket.socket]]
) -> None:
    url, conns = silent_server
    config = ClientConfig(
        app_id="bound",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=url,
        max_send_queue=3,
        timeouts=attrs.evolve(FAST, connect=30),
    )
    with SogniClient(config=config) as client:
        # The transport thread is stuck in the upgrade: what follows stays queued for it.
        wait_until(lambda: any(_has_data(c) for c in list(conns)))
        client.connect(wait=False)  # a request to connect is not a message
        for n in range(3):
            client.set_socket_event_subscriptions({"subscriptions": {f"event{n}": True}})
        with pytest.raises(SendQueueFullError, match="3 messages waiting"):
            client.set_socket_event_subscriptions({"subscriptions": {"event3": True}})
