"""A client that a web server or a worker holds for weeks: user code never on an SDK thread,
cancel races, nothing retained, token renewal off the socket thread, self-closing clients,
shared connections, event order, re-attached finished projects, downloads."""

from __future__ import annotations

import concurrent.futures
import gc
import os
import stat
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from sogni import (
    ClientConfig,
    ProjectError,
    ResultUnavailableError,
    SogniClient,
    SogniTimeoutError,
    ValidationError,
)
from sogni.client import _close_dropped
from sogni.projects._tracker import ProjectTracker
from sogni.testing import FakeSupernet

from ..helpers import FAST, run_threads, sogni_threads, wait_until

IMAGE: dict[str, Any] = {
    "type": "image",
    "model_id": "flux1-schnell-fp8",
    "positive_prompt": "a lighthouse",
    "steps": 4,
    "guidance": 1,
}


def live_trackers() -> list[ProjectTracker]:
    gc.collect()
    # type(), not isinstance(): lazy proxies (Django's settings) would evaluate on __class__.
    return [obj for obj in gc.get_objects() if type(obj) is ProjectTracker]


# ----------------------------------------------------------------------------- (1) callbacks


def test_a_done_callback_waits_for_the_callback_worker_when_its_queue_is_full(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client(callback_queue_size=1)
    release = threading.Event()
    blocked = threading.Event()
    ran: list[tuple[str, bool]] = []

    def slow(_: Any) -> None:
        blocked.set()
        release.wait(10)

    project = client.projects.create(**IMAGE, seed=1)
    lock = project._tracker.lock
    project.on("progress", slow)  # blocks the worker; later events fill its queue
    project.on("job_started", lambda _: None)
    project.future.add_done_callback(
        lambda _: ran.append((threading.current_thread().name, lock._is_owned()))  # type: ignore[attr-defined]
    )
    try:
        assert blocked.wait(10)
        # The socket is not held up: the project completes while the worker is stuck...
        concurrent.futures.wait([project.future], timeout=10)
        assert project.future.done()
        # ... and its done-callback is not moved onto the SDK thread that completed it.
        with pytest.raises(AssertionError):
            wait_until(lambda: ran, timeout=0.3)
    finally:
        release.set()
    wait_until(lambda: ran)
    thread, under_lock = ran[0]
    assert thread.startswith("sogni-callbacks-") and not under_lock


# ----------------------------------------------------------------------------- (2) cancel races


def test_cancel_returns_when_the_project_finishes_before_any_confirmation(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=attrs.evolve(FAST, cancel_confirmation=60.0))
    fake.hold_results(True)
    project = client.projects.create(**IMAGE, seed=3)
    wait_until(lambda: project.jobs and project.jobs[0].step == 4)
    fake.ignore_next_cancel()
    outcome: list[Any] = []
    canceller = threading.Thread(target=lambda: outcome.append(project.cancel()))
    canceller.start()
    fake.wait_for_frame("jobError")
    fake.hold_results(False)
    canceller.join(10)
    assert not canceller.is_alive(), "cancel() waited for a confirmation that cannot come"
    assert outcome == [None]
    assert project.status == "completed"
    assert len(project.wait(timeout=5)) == 1


def test_cancel_refused_because_the_project_finished_returns(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.hold_results(True)
    project = client.projects.create(**IMAGE, seed=4)
    wait_until(lambda: project.jobs and project.jobs[0].step == 4)
    fake.delay_next(1.5, path="/v1/image/downloadUrl")  # the result URL is still on its way
    fake.hold_results(False)
    fake.wait_for_project(project.id, status="finished")
    wait_until(lambda: project.jobs[0].status == "completed")
    assert project.status != "completed"
    project.cancel()  # the server answers "already finished": not an error, the project ended
    assert fake.frames("jobError")
    assert project.status == "completed"
    assert project.result_urls


# ----------------------------------------------------------------------------- (3) nothing kept


def test_finished_projects_keep_nothing_alive(make_client: Callable[..., SogniClient]) -> None:
    # Protocol-length timers (a 30-minute runtime budget per job, a 2-minute staleness check).
    client = make_client(timeouts=attrs.evolve(FAST, project_staleness=120.0))
    before = len(live_trackers())
    ids = []
    for seed in range(20):
        project = client.projects.create(**IMAGE, seed=seed)
        project.wait(timeout=30)
        ids.append(project.id)
        del project
    assert len(live_trackers()) == before
    transport = client._core.transport
    assert transport is not None
    wait_until(lambda: transport.timer_entries == 0)
    assert len(client._core.registry) == 0
    assert client.projects.tracked == []
    assert len(set(ids)) == 20


# ----------------------------------------------------------------------------- (4) token renewal


def test_token_renewal_never_blocks_the_socket_thread(fake: FakeSupernet) -> None:
    before = set(sogni_threads())
    saved = fake.issue_tokens(access_ttl=0)  # expired: the socket must renew it first
    fake.delay_next(4.0, path="/v1/account/refresh-token")
    config = ClientConfig(
        app_id="renewing",
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    client = SogniClient(config=config, tokens=saved)
    transport = client._core.transport
    assert transport is not None
    try:
        wait_until(lambda: fake.http_connections("api", open_only=True))  # renewal under way
        ticked = threading.Event()
        transport.call_later(0.0, ticked.set)  # the socket thread's own timers keep running
        assert ticked.wait(1.0), "the socket thread is stuck in the token renewal"
    finally:
        started = time.monotonic()
        client.close()
        took = time.monotonic() - started
    assert took < 2.0, f"close() took {took:.1f}s during a renewal"
    wait_until(lambda: set(sogni_threads()) <= before, timeout=2.0)


def test_the_socket_connects_once_the_renewal_is_done(fake: FakeSupernet) -> None:
    saved = fake.issue_tokens(access_ttl=0)
    fake.delay_next(0.3, path="/v1/account/refresh-token")
    config = ClientConfig(
        app_id="renewed",
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    with SogniClient(config=config, tokens=saved) as client:
        client.connect(timeout=10)
        assert client.is_connected
        upgrades = [r for r in fake.received if r.kind == "ws_connect"]
        new_token = client.get_tokens()
        assert new_token is not None
        assert [r.headers.get("Authorization") for r in upgrades] == [
            new_token.access_token.reveal()
        ]


# ----------------------------------------------------------------------------- (5) lifetime, pool


def test_a_dropped_client_closes_itself_with_a_resource_warning(fake: FakeSupernet) -> None:
    before = set(sogni_threads())
    client = SogniClient(
        app_id="dropped",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    client.connect()
    projects = client.projects  # a namespace keeps its client alive
    del client
    gc.collect()
    assert projects.wait_for_models()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del projects
        gc.collect()
        # Closed (and warned about) off the collecting thread: wait for the goodbye.
        fake.received.wait_for(lambda r: r.kind == "ws_closed" and r.app_id == "dropped", timeout=5)
        wait_until(lambda: caught)
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    wait_until(lambda: set(sogni_threads()) <= before, timeout=5)


def test_sixteen_threads_reuse_at_most_sixteen_connections(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True)

    def calls(_: int) -> None:
        for _ in range(100):
            client.account.balance()

    run_threads(calls, 16)
    assert fake.http_connections("api") <= 16
    assert len(fake.requests("/v4/account/balance")) == 1600
    # Short-lived threads, as in a thread-per-request server, reuse the pool's connections.
    for _ in range(8):
        run_threads(lambda _: client.account.balance(), 8)
    assert fake.http_connections("api") <= 16
    assert client.config.max_connections == 16  # the documented default
    with pytest.raises(ValidationError, match="max_connections"):
        ClientConfig(max_connections=0)


# ----------------------------------------------------------------------------- (9) events


def test_events_subscribes_when_called_not_at_the_first_next(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.hold_results(True)
    project = client.projects.create(**IMAGE, seed=5)
    events = project.events(timeout=10)  # subscribed here
    wait_until(lambda: project.jobs and project.jobs[0].step == 4)
    fake.hold_results(False)
    project.wait(timeout=10)
    types = [event.type for event in events]  # read only after the project ended
    assert "job_started" in types and "job_completed" in types
    assert types[-1] == "completed"


def test_nothing_follows_the_final_event(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    # The preview's URL (the first URL minted) comes late: after the project has ended.
    fake.delay_next(0.5, path="/v1/image/downloadUrl")
    project = client.projects.create(**IMAGE, seed=10, number_of_previews=1)
    seen: list[str] = []
    for name in ("preview", "job_completed", "progress", "completed", "failed"):
        project.on(name, lambda _, name=name: seen.append(name))
    pulled = [event.type for event in project.events(timeout=10)]
    assert pulled[-1] == "completed"
    (job,) = project.jobs
    wait_until(lambda: job.preview_url)  # the late preview URL has arrived
    with pytest.raises(AssertionError):
        wait_until(lambda: seen and seen[-1] != "completed", timeout=0.3)
    assert seen[-1] == "completed", seen


# ----------------------------------------------------------------------------- (10) get()


def test_get_of_a_finished_project_returns_it_finished_with_its_urls(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    first = make_client(app_id="creator")
    project = first.projects.create(**IMAGE, seed=6, number_of_media=2)
    urls = project.wait(timeout=30)
    other = make_client(app_id="reader")
    fake.delay_next(0.3, path="/v1/image/downloadUrl", times=2)
    again = other.projects.get(project.id)
    assert again.status == "completed"
    assert len(again.result_urls) == 2
    assert again.wait(timeout=0) == again.result_urls
    assert [u.split("?")[0] for u in again.result_urls] == [u.split("?")[0] for u in urls]


# ----------------------------------------------------------------------------- (11) downloads


def test_downloads_get_the_permissions_of_any_new_file(
    make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    client = make_client()
    project = client.projects.create(**IMAGE, seed=7)
    old = os.umask(0o022)
    try:
        (path,) = project.download(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_download_gives_up_at_its_timeout(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    client = make_client()
    project = client.projects.create(**IMAGE, seed=8)
    project.wait(timeout=30)
    (job,) = project.jobs
    url = job.get_result_url()
    fake.delay_next(5.0, path=url.split(fake.rest_url, 1)[-1].split("?")[0])
    started = time.monotonic()
    with pytest.raises(SogniTimeoutError, match="deadline"):
        job.download(tmp_path / "late.png", timeout=0.5)
    assert time.monotonic() - started < 3.0
    assert list(tmp_path.iterdir()) == []


def test_a_result_whose_url_cannot_be_had_fails_the_wait_naming_the_job(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.hold_results(True)
    project = client.projects.create(**IMAGE, seed=9, number_of_media=2)
    wait_until(lambda: len(project.jobs) == 2 and all(j.step == 4 for j in project.jobs))
    fake.fail_next(404, path="/v1/image/downloadUrl", times=1)
    fake.hold_results(False)
    with pytest.raises(ProjectError) as caught:
        project.wait(timeout=30)
    broken = [j for j in project.jobs if isinstance(j.error, ResultUnavailableError)]
    assert len(broken) == 1
    assert broken[0].id in str(caught.value)
    assert caught.value.details == {"unavailable_jobs": [broken[0].id]}
    assert project.status == "failed"
    # The paid result is not lost: minting again succeeds and clears the error.
    assert broken[0].refresh_result_url().startswith("http")
    assert broken[0].error is None


def test_the_self_close_takes_no_lock_where_the_client_died(fake: FakeSupernet) -> None:
    # Garbage collection runs the self-close wherever it strikes, maybe while this or another
    # thread holds threading's own lock (inside Thread.start()). The callback itself must take
    # no lock: here another thread holds that lock, and the callback still returns at once.
    client = SogniClient(
        app_id="limbo",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    client.connect()
    core = client._core
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with threading._active_limbo_lock:  # type: ignore[attr-defined]
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        started = time.monotonic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _close_dropped(core)
            took = time.monotonic() - started
    finally:
        release.set()
        holder.join(10)
    assert took < 0.5, f"the self-close waited {took:.1f}s for a lock"
    fake.received.wait_for(lambda r: r.kind == "ws_closed" and r.app_id == "limbo", timeout=5)
    wait_until(lambda: core.closed)
    client.close()
