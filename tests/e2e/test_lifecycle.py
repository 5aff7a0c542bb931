"""Futures and lifecycle, as the reliability checklist words them: every project future ends on
every path with nothing left registered, ``close()`` is quick against a server that stopped
answering, a cancelled project drops a late result quietly, user callbacks never hold up the
socket, and bad frames fail only the project they name."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from sogni import (
    AppIdBlockedError,
    ClientClosedError,
    ProjectCanceledError,
    ProjectError,
    ProtocolError,
    SogniClient,
)
from sogni.testing import FakeSupernet

from ..helpers import FAST, sogni_threads, wait_until

MODEL = "flux1-schnell-fp8"
IMAGE: dict[str, Any] = {"type": "image", "model_id": MODEL, "steps": 4}
RUNTIME_BUDGET = 0.3  # the SDK's own deadline on a job, shrunk (protocol default: 30 min)


def ws_connects(fake: FakeSupernet, app_id: str) -> list[Any]:
    return [r for r in fake.received if r.kind == "ws_connect" and r.app_id == app_id]


def client_cancels(fake: FakeSupernet, project_id: str) -> list[Any]:
    return [
        f
        for f in fake.frames("jobError")
        if f.payload.get("jobID") == project_id and f.payload.get("error") == "artistCanceled"
    ]


# --------------------------------------------------------------------------- (1) every path ends


def _success(client: SogniClient, fake: FakeSupernet) -> tuple[Any, float]:
    return client.projects.create(**IMAGE), 10.0


def _job_error(client: SogniClient, fake: FakeSupernet) -> tuple[Any, float]:
    fake.fail_next_job(after_steps=1)
    return client.projects.create(**IMAGE), 10.0


def _fatal_close(client: SogniClient, fake: FakeSupernet) -> tuple[Any, float]:
    fake.pause_workers()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    fake.close_connections(4010, "app id blocked")
    return project, 5.0


def _client_close(client: SogniClient, fake: FakeSupernet) -> tuple[Any, float]:
    fake.pause_workers()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    client.close()
    return project, FAST.close + 1.0


def _sdk_deadline(client: SogniClient, fake: FakeSupernet) -> tuple[Any, float]:
    fake.hold_results()  # the job renders, then never reports: only the SDK's budget ends it
    return client.projects.create(**IMAGE), RUNTIME_BUDGET + 1.0


PATHS: dict[str, tuple[Callable[[SogniClient, FakeSupernet], tuple[Any, float]], Any]] = {
    "success": (_success, None),
    "job-error": (_job_error, ProjectError),
    "fatal-close": (_fatal_close, AppIdBlockedError),
    "client-close": (_client_close, ClientClosedError),
    "sdk-deadline": (_sdk_deadline, ProjectError),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_ends_the_future_and_empties_the_registry(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], path: str
) -> None:
    start, error = PATHS[path]
    client = make_client(
        timeouts=attrs.evolve(
            FAST,
            job_runtime_floor_fast_image=RUNTIME_BUDGET,
            job_runtime_floor_relaxed_image=RUNTIME_BUDGET,
        )
    )
    client.connect()
    started = time.monotonic()
    project, bound = start(client, fake)
    done, _ = concurrent.futures.wait([project.future], timeout=bound)
    assert done, f"{path}: the future was still pending after {bound}s"
    assert time.monotonic() - started <= bound
    if error is None:
        assert len(project.future.result()) == 1
    else:
        assert isinstance(project.future.exception(), error)
    # Nothing is left that frames could still reach or that keeps the project alive.
    assert len(client._core.registry) == 0
    assert client.projects.tracked == []
    fake.resume_workers()
    fake.hold_results(False)


# --------------------------------------------------------------------------- (2) close()


def test_close_against_an_unresponsive_server_is_quick_and_final(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="unresponsive-close")
    client.connect()
    fake.pause_workers()
    project = client.projects.create(**IMAGE)
    fake.wait_for_project(project.id)
    fake.llm_pause()
    stream = client.chat.completions.create(
        messages=[{"role": "user", "content": "hello"}], stream=True
    )
    fake.llm_wait_held()
    fake.stall_pings()  # the server stops answering: no pongs, no frames
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 2.0
    wait_until(lambda: not sogni_threads(), timeout=0.5)
    started = time.monotonic()
    client.close()  # idempotent, and immediate the second time
    assert time.monotonic() - started < 0.1
    # Pending work failed with ClientClosedError, at once (not after its own timeout).
    assert isinstance(project.future.exception(timeout=0), ClientClosedError)
    with pytest.raises(ClientClosedError):
        list(stream)
    for later in (
        client.account.me,
        lambda: client.projects.create(**IMAGE),
        lambda: client.chat.completions.create(messages=[{"role": "user", "content": "x"}]),
        client.connect,
    ):
        with pytest.raises(ClientClosedError):
            later()
    fake.resume_workers()
    fake.llm_resume()


# --------------------------------------------------------------------------- (4) cancel


def test_a_result_after_a_confirmed_cancel_is_dropped_quietly(
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(app_id="late-result")
    client.connect()
    fake.hold_results()  # the render finishes; its result is held back
    project = client.projects.create(**IMAGE, seed=21)
    wait_until(lambda: project.jobs and project.jobs[0].step == 4)
    (job,) = project.jobs
    after_cancel: list[str] = []
    canceled = threading.Event()

    def on_final(name: str) -> Callable[[Any], None]:
        def record(_: Any) -> None:
            if canceled.is_set():
                after_cancel.append(name)
            if name == "canceled":
                canceled.set()

        return record

    for name in ("progress", "job_completed", "completed", "failed", "canceled"):
        project.on(name, on_final(name))
    project.cancel()  # returns once the server confirmed
    assert project.status == "canceled"
    assert isinstance(project.future.exception(timeout=0), ProjectCanceledError)
    assert len(client._core.registry) == 0
    # The result the worker had finished arrives after the confirmation.
    late = {
        "jobID": project.id,
        "imgID": job.id,
        "performedStepCount": 4,
        "lastSeed": "21",
        "triggeredNSFWFilter": False,
        "userCanceled": False,
        "outputFormat": "png",
        "jobIndex": 0,
        "resultUrl": f"{fake.rest_url}/_fake/storage/late.png",
    }
    fake.inject_frame("jobResult", late, app_id="late-result")
    fake.inject_frame("jobProgress", {**late, "step": 4, "stepCount": 4}, app_id="late-result")
    fake.set_balance("123", token_type="spark")  # frames are handled in order: a marker
    wait_until(lambda: client.current_account.balance.spark.net == 123)
    project.cancel()  # already over: nothing more is sent
    assert len(client_cancels(fake, project.id)) == 1
    assert project.status == "canceled" and project.result_urls == []
    wait_until(canceled.is_set)
    assert after_cancel == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not [r for r in caplog.records if "InvalidStateError" in r.getMessage()]
    assert not [
        r
        for r in caplog.records
        if r.exc_info and isinstance(r.exc_info[1], concurrent.futures.InvalidStateError)
    ]
    fake.hold_results(False)


# --------------------------------------------------------------------------- (5) user callbacks


def test_user_callbacks_delay_neither_pongs_nor_other_projects(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    # A pong missing for 0.3 s would count as a half-open connection and force a reconnect.
    client = make_client(
        app_id="callbacks", timeouts=attrs.evolve(FAST, ping_interval=0.1, pong_timeout=0.3)
    )
    client.connect()
    lost: list[Any] = []
    client.on("connection_lost", lost.append)
    entered = threading.Event()
    release = threading.Event()
    slow_for = 2.0

    def slow(_: Any) -> None:
        entered.set()
        release.wait(slow_for)  # user code that takes 2 s

    def raising(_: Any) -> None:
        raise RuntimeError("a bug in user code")

    first = client.projects.create(**IMAGE, seed=1)
    first.on("progress", slow)
    first.on("progress", raising)
    assert entered.wait(5)
    stuck_at = time.monotonic()
    try:
        # While the callback worker is stuck, a second project runs to its end...
        second = client.projects.create(**IMAGE, seed=2)
        assert len(second.wait(timeout=slow_for - 0.5)) == 1
        assert time.monotonic() - stuck_at < slow_for
        # ... and pings keep being answered: many ping intervals, no connection judged dead.
        wait_until(lambda: time.monotonic() - stuck_at > 1.0, timeout=2)
        assert lost == []
        assert len(ws_connects(fake, "callbacks")) == 1
    finally:
        release.set()
    # The raising callback did not stop anything either.
    assert len(first.wait(timeout=10)) == 1
    assert client.is_connected


# --------------------------------------------------------------------------- (26) bad frames


def test_bad_frames_fail_only_the_project_they_name(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="bad-frames", max_frame_bytes=64 * 1024)
    client.connect()
    fake.hold_results()
    good = client.projects.create(**IMAGE, seed=3)
    bad = client.projects.create(**IMAGE, seed=4)
    fake.wait_for_project(good.id)
    fake.wait_for_project(bad.id)
    for raw in (
        "not json",
        b"\xff\xfe\x00",
        '{"type":"jobState","data":"eyJ0eXBlIj',  # truncated
        '{"type":"x","data":"' + "A" * 100_000 + '"}',  # over max_frame_bytes
        "[" * 100_000,
    ):
        fake.inject_frame(raw=raw, app_id="bad-frames")
    fake.inject_frame("someFutureEvent", {"jobID": good.id, "x": 1}, app_id="bad-frames")
    fake.inject_frame("anotherNewEvent", {"hello": "world"}, app_id="bad-frames")
    # A known event of the wrong shape names the second project only.
    fake.inject_frame("jobProgress", {"jobID": bad.id, "step": "many"}, app_id="bad-frames")
    fake.hold_results(False)
    assert len(good.wait(timeout=10)) == 1
    with pytest.raises(ProtocolError, match="jobProgress"):
        bad.wait(timeout=10)
    assert client.is_connected
    assert len(ws_connects(fake, "bad-frames")) == 1  # the transport never went down
    third = client.projects.create(**IMAGE, seed=5)
    assert len(third.wait(timeout=10)) == 1
