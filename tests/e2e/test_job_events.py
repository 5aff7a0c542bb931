"""Per-job events (``job.on``) and projects by id: ``projects.cancel(id)`` of a project another
process started, ``projects.get_status(id)``, ``projects.get_available_models(network)``."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sogni import CancellationError, SogniClient, ValidationError
from sogni.projects import JobProgress, ProjectStatus, new_project_id
from sogni.projects._job_events import JobWatch
from sogni.testing import FakeSupernet

from ..helpers import FAST, wait_until

IMAGE: dict[str, Any] = {
    "type": "image",
    "model_id": "flux1-schnell-fp8",
    "positive_prompt": "a lighthouse",
    "guidance": 1,
}


@pytest.fixture
def slow() -> Iterator[tuple[FakeSupernet, SogniClient]]:
    """A fake slower than the shared one: the model loads for 80 ms after a job appears, time
    enough to pause the workers before its first step."""
    with (
        FakeSupernet(time_scale=0.1) as fake,
        SogniClient(
            app_id="job-events",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=FAST,
        ) as client,
    ):
        yield fake, client


class Recorder:
    """Records what each listener got, on which thread, in one shared order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any, str]] = []
        self.lock = threading.Lock()

    def listener(self, name: str) -> Callable[[Any], None]:
        def record(arg: Any) -> None:
            with self.lock:
                self.events.append((name, arg, threading.current_thread().name))

        return record

    def names(self) -> list[str]:
        with self.lock:
            return [name for name, _, _ in self.events]


def test_job_on_progress_sees_every_step_in_order_on_the_callback_worker(
    slow: tuple[FakeSupernet, SogniClient],
) -> None:
    fake, client = slow
    project = client.projects.create(**IMAGE, steps=8, seed=3, number_of_previews=2)
    (job,) = wait_until(lambda: project.jobs, timeout=10)
    fake.pause_workers()  # the render freezes between steps while the listeners go on
    seen = Recorder()
    for name in ("progress", "preview", "completed", "failed", "updated"):
        job.on(name, seen.listener(name))
    start = job.step  # read after the listeners are in: no step can fall in between
    project.on("completed", seen.listener("project:completed"))
    fake.resume_workers()
    project.wait(timeout=20)
    wait_until(lambda: "project:completed" in seen.names())

    steps = [arg for name, arg, _ in seen.events if name == "progress"]
    assert all(isinstance(p, JobProgress) for p in steps)
    numbers = [p.step for p in steps]
    # Every step after the listener was added, once each and in order, up to the last one.
    assert numbers and numbers[0] <= start + 1
    assert numbers == list(range(numbers[0], 9)), numbers
    assert {p.step_count for p in steps} == {8}
    assert [p.progress for p in steps] == sorted(p.progress for p in steps)
    names = seen.names()
    # The job's last event comes before its project's, and nothing follows either.
    assert names[-2:] == ["completed", "project:completed"], names
    assert "failed" not in names
    completed = next(arg for name, arg, _ in seen.events if name == "completed")
    assert completed == job.result_url and completed is not None
    previews = [arg for name, arg, _ in seen.events if name == "preview"]
    assert previews and all(isinstance(url, str) for url in previews)
    updated = [arg for name, arg, _ in seen.events if name == "updated"]
    assert ["status"] in [[k for k in keys if k == "status"] for keys in updated]
    threads = {thread for _, _, thread in seen.events}
    assert threads and all(t.startswith("sogni-callback") for t in threads), threads


def test_a_failed_job_says_failed_last_and_names_are_checked_as_for_projects(
    slow: tuple[FakeSupernet, SogniClient],
) -> None:
    fake, client = slow
    project = client.projects.create(**{**IMAGE, "positive_prompt": "a boat [fail]"}, steps=6)
    (job,) = wait_until(lambda: project.jobs, timeout=10)
    fake.pause_workers()
    with pytest.raises(ValidationError, match="did you mean 'progress'") as caught:
        job.on("progres", print)
    assert caught.value.params == ["event"]
    with pytest.raises(ValidationError, match="unknown job event"):
        job.on("job_completed", print)
    seen = Recorder()
    for name in ("completed", "failed", "updated"):
        job.on(name, seen.listener(name))
    fake.resume_workers()
    with pytest.raises(Exception, match=r"(?i)fail"):
        project.wait(timeout=20)
    wait_until(lambda: "failed" in seen.names())
    names = seen.names()
    assert names[-1] == "failed" and "completed" not in names
    error = next(arg for name, arg, _ in seen.events if name == "failed")
    assert error is job.error and error is not None


def test_job_listeners_are_let_go_when_the_project_ends(
    slow: tuple[FakeSupernet, SogniClient],
) -> None:
    fake, client = slow
    project = client.projects.create(**IMAGE, steps=6, seed=5)
    (job,) = wait_until(lambda: project.jobs, timeout=10)
    fake.pause_workers()
    holder = Recorder()
    job.on("progress", holder.listener("progress"))
    job.on("updated", holder.listener("updated"))
    fake.resume_workers()
    released = weakref.ref(holder)
    project.wait(timeout=20)
    got = holder.events  # what the listeners recorded outlives them
    del holder
    wait_until(lambda: [e for e in got if e[0] == "updated" and "result_url" in e[1]])
    # The handles are still held here: only the SDK could keep the listeners alive (the
    # callback worker lets go of the last one right after running it).
    wait_until(lambda: gc.collect() >= 0 and released() is None, timeout=2)
    assert not [o for o in gc.get_objects() if type(o) is JobWatch]
    # A listener added to a finished project's job is not kept either.
    late = Recorder()
    job.on("completed", late.listener("completed"))
    late_ref = weakref.ref(late)
    del late
    gc.collect()
    assert late_ref() is None and project.status == "completed" and job.finished


_OTHER_PROCESS = """
import json, sys
from sogni import SogniClient
rest, socket, key, project_id = sys.argv[1:5]
with SogniClient(app_id="other-process", api_key=key, rest_endpoint=rest,
                 socket_endpoint=socket) as client:
    project = client.projects.create(model_id="flux1-schnell-fp8", positive_prompt="a ship",
                                     steps=4, project_id=project_id)
    project.on("queued", lambda _: print(json.dumps({"queued": project.id}), flush=True))
    sys.stdin.readline()  # stays connected until the test is done
"""


def test_projects_cancel_by_id_stops_a_project_another_process_started(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.pause_workers()  # the other process's project stays queued
    project_id = new_project_id()
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _OTHER_PROCESS,
            fake.rest_url,
            fake.socket_url,
            fake.api_key,
            project_id,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        assert json.loads(other.stdout.readline()) == {"queued": project_id}
        client = make_client()
        assert client.projects.tracked == []
        before = client.projects.get_status(project_id)
        assert (before.id, before.status, before.finished) == (
            project_id,
            ProjectStatus.QUEUED,
            False,
        )
        client.projects.cancel(project_id.lower())
        snapshot = fake.project_snapshot(project_id)
        assert snapshot is not None and snapshot["status"] == "cancelled"
        after = client.projects.get_status(project_id)
        assert (after.status, after.finished) == (ProjectStatus.CANCELED, True)
        assert client.projects.tracked == []  # nothing was kept for it
        # Cancelling it again does nothing; an unknown id is refused with the server's reason.
        client.projects.cancel(project_id)
        with pytest.raises(CancellationError, match="Project not found"):
            client.projects.cancel(new_project_id())
    finally:
        fake.resume_workers()
        if other.stdin is not None:
            other.stdin.close()
        other.wait(20)
        if other.stdout is not None:
            other.stdout.close()
    assert other.returncode == 0


def test_get_available_models_of_relaxed_while_connected_to_fast(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(network="fast")
    fast_ids = {m.id for m in client.projects.wait_for_models()}
    relaxed = client.projects.get_available_models("relaxed")
    expected = fake.call(lambda: fake._swarm_models("relaxed"))
    assert {m.id: m.worker_count for m in relaxed} == expected
    assert set(expected) != fast_ids  # the two networks really differ
    schnell = next(m for m in relaxed if m.id == "flux1-schnell-fp8")
    assert schnell.name != schnell.id and schnell.media == "image"  # named from the catalog
    assert fake.requests("/api/v1/status/network/relaxed/models")
    # The connection stayed on fast: no switch was sent, and the property still reads fast.
    assert not fake.frames("changeNetwork")
    assert {m.id for m in client.projects.available_models} == fast_ids
    assert {m.id for m in client.projects.get_available_models()} == fast_ids
    with pytest.raises(ValidationError, match="network"):
        client.projects.get_available_models("slow")


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_projects_by_id_refuse_a_bad_id_before_sending(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], bad: Any
) -> None:
    client = make_client(disable_socket=True)
    before = len(fake.requests())
    for call in (client.projects.get_status, client.projects.cancel):
        with pytest.raises(ValidationError) as caught:
            call(bad)
        assert [p.param for p in caught.value.problems] == ["project_id"]
    assert len(fake.requests()) == before
