"""Image projects end to end through the public API, over real sockets against FakeSupernet."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from PIL import Image

from sogni import (
    AppIdConflictError,
    AuthenticationError,
    CancellationError,
    ClientClosedError,
    ImageProjectParams,
    ProjectCanceledError,
    ProjectError,
    ProjectLostError,
    SogniClient,
    SogniTimeoutError,
    ValidationError,
)
from sogni.testing import FakeSupernet, read_image_metadata

from ..helpers import FAST, run_threads, wait_until

MODEL = "flux1-schnell-fp8"


def png(width: int = 64, height: int = 64, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def job_requests(fake: FakeSupernet) -> list[Any]:
    return [f for f in fake.frames("jobRequest") if not f.dropped]


@pytest.fixture
def client(make_client: Callable[..., SogniClient]) -> SogniClient:
    c = make_client()
    c.connect()
    return c


# --------------------------------------------------------------------------- happy paths


def test_two_images_with_previews(client: SogniClient, fake: FakeSupernet, tmp_path: Path) -> None:
    events: list[tuple[str, Any]] = []
    pulled: list[str] = []
    project = client.projects.create(
        type="image",
        model_id=MODEL,
        positive_prompt="A cat wearing a hat",
        number_of_media=2,
        number_of_previews=1,
        steps=4,
        guidance=1,
        seed=0,
    )
    for name in ("progress", "job_started", "job_completed", "preview", "completed"):
        project.on(name, lambda value, name=name: events.append((name, value)))
    iterator = threading.Thread(
        target=lambda: pulled.extend(e.type for e in project.events(timeout=10))
    )
    iterator.start()
    urls = project.wait(timeout=30)
    iterator.join(10)
    assert len(urls) == 2
    assert project.status == "completed" and project.progress == 100
    assert project.future.result() == urls
    jobs = project.jobs
    assert [j.job_index for j in jobs] == [0, 1]
    assert [j.seed for j in jobs] == [0, 1]  # seed 0 is a value
    assert all(j.worker_name and j.step == 4 and j.step_count == 4 for j in jobs)
    assert all(j.preview_url for j in jobs)
    paths = project.download(tmp_path)
    metas = [read_image_metadata(p.read_bytes()) for p in paths]
    assert {m["project_id"] for m in metas} == {project.id}
    assert sorted(m["job_index"] for m in metas) == ["0", "1"]
    assert not list(tmp_path.glob(".sogni-*"))  # no temporary files left behind
    wait_until(lambda: ("completed", urls) in events)
    names = [n for n, _ in events]
    assert names.count("job_started") == 2 and names.count("job_completed") == 2
    assert names.count("preview") == 2
    progress = [v for n, v in events if n == "progress"]
    assert progress == sorted(progress) and progress[-1] == 100
    assert pulled[-1] == "completed"
    [request] = job_requests(fake)
    assert request.payload["numberOfImages"] == 2 and request.payload["previews"] == 1
    assert request.payload["keyFrames"][0]["seed"] == 0


def test_params_object_and_job_accessors(client: SogniClient, tmp_path: Path) -> None:
    params = ImageProjectParams(
        model_id=MODEL, positive_prompt="a fox", output_format="jpg", seed=42
    )
    project = client.projects.create(params)
    project.wait(30)
    [job] = project.jobs
    data = job.get_result_data()
    assert data[:3] == b"\xff\xd8\xff"  # a real JPEG
    assert read_image_metadata(data)["seed"] == "42"
    path = job.download(tmp_path / "fox.jpg")
    assert path.read_bytes() == data
    assert job.has_result_media and not job.is_withheld
    assert job.get_result_url() == job.result_url


def test_every_control_net_and_context_image_path(
    client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    names = [
        "canny",
        "depth",
        "inpaint",
        "instrp2p",
        "lineart",
        "lineartanime",
        "mlsd",
        "normalbae",
        "openpose",
        "scribble",
        "segmentation",
        "shuffle",
        "softedge",
        "tile",
        "instantid",
    ]
    image_file = tmp_path / "guide.png"
    image_file.write_bytes(png(color="blue"))
    projects = []
    for i, name in enumerate(names):
        source: Any = [image_file, png(), io.BytesIO(png(color="green"))][i % 3]
        projects.append(
            client.projects.create(
                type="image",
                model_id="coreml-cyberrealistic_v70_768",
                network="relaxed",
                positive_prompt=f"pose {name}",
                steps=4,
                starting_image=png(),
                starting_image_strength=0.6,
                control_net={
                    "name": name,
                    "image": source,
                    "strength": 0.8,
                    "mode": "balanced",
                    "guidance_start": 0,
                    "guidance_end": 0.9,
                },
            )
        )
    edit = client.projects.create(
        type="image",
        model_id="qwen_image_edit_2511_fp8_lightning",
        positive_prompt="make it blue",
        context_images=[png(), image_file, io.BytesIO(png())],
    )
    gpt = client.projects.create(
        type="image",
        model_id="gpt-image-2",
        positive_prompt="poster",
        token_type="spark",
        context_images=[png() for _ in range(16)],
    )
    for project in [*projects, edit, gpt]:
        assert len(project.wait(30)) == 1
    control_nets = [
        r.payload["keyFrames"][0]["currentControlNetsJob"][0]["name"]
        for r in job_requests(fake)[:15]
    ]
    assert control_nets == names
    uploads = {u["type"] for u in fake.uploads(edit.id)}
    assert uploads == {"contextImage1", "contextImage2", "contextImage3"}
    assert len(fake.uploads(gpt.id)) == 16
    assert {u["type"] for u in fake.uploads(projects[0].id)} == {"startingImage", "cnImage"}


# --------------------------------------------------------------------------- bad input


def test_typo_names_the_closest_parameter(client: SogniClient, fake: FakeSupernet) -> None:
    with pytest.raises(TypeError, match="did you mean 'steps'"):
        client.projects.create(type="image", model_id=MODEL, stpes=4)
    assert job_requests(fake) == []


def test_invalid_values_are_all_reported_and_nothing_is_sent(
    client: SogniClient, fake: FakeSupernet
) -> None:
    before = len(fake.received)
    with pytest.raises(ValidationError) as info:
        client.projects.create(
            type="image",
            model_id=MODEL,
            steps=500,
            number_of_media=0,
            seed=-1,
            starting_image=b"not an image",
            control_net={"name": "banana", "image": png()},
        )
    params = set(info.value.params)
    assert {"steps", "number_of_media", "seed", "starting_image", "control_net.name"} <= params
    sent = [
        r
        for r in fake.received.snapshot()[before:]
        if r.kind == "frame" or (r.path or "").startswith(("/v1/image/uploadUrl", "/_fake/storage"))
    ]
    assert sent == []


def test_unknown_model_is_a_validation_error(client: SogniClient, fake: FakeSupernet) -> None:
    with pytest.raises(ValidationError) as info:
        client.projects.create(type="image", model_id="no-such-model")
    assert info.value.params == ["model_id"]
    assert job_requests(fake) == []


# --------------------------------------------------------------------------- outcomes


def test_nsfw_withheld_and_partial_failure(client: SogniClient) -> None:
    project = client.projects.create(
        type="image", model_id=MODEL, positive_prompt="[nsfw:0] [fail:2] a beach", number_of_media=3
    )
    urls = project.wait(30)
    assert len(urls) == 1
    jobs = {j.job_index: j for j in project.jobs}
    assert jobs[0].is_nsfw and jobs[0].is_withheld and not jobs[0].has_result_media
    assert jobs[0].result_url is None
    with pytest.raises(ProjectError, match="NSFW"):
        jobs[0].get_result_url()
    assert jobs[1].has_result_media
    assert jobs[2].status == "failed" and isinstance(jobs[2].error, ProjectError)
    assert jobs[2].error.original_code == "genfailure" and jobs[2].error.error_code == 5000


def test_nsfw_with_the_filter_off_is_delivered_and_labelled(client: SogniClient) -> None:
    project = client.projects.create(
        type="image", model_id=MODEL, positive_prompt="[nsfw] a beach", disable_nsfw_filter=True
    )
    assert len(project.wait(30)) == 1
    [job] = project.jobs
    assert job.nsfw_detected and job.has_result_media


def test_single_image_failure_fails_the_project(client: SogniClient) -> None:
    project = client.projects.create(type="image", model_id=MODEL, positive_prompt="[fail] x")
    failed: list[Any] = []
    project.on("failed", failed.append)
    with pytest.raises(ProjectError) as info:
        project.wait(30)
    assert info.value.original_code == "genfailure"
    wait_until(lambda: failed)
    assert project.status == "failed"


def test_worker_retry_reassigns_the_job(client: SogniClient) -> None:
    project = client.projects.create(
        type="image", model_id=MODEL, positive_prompt="[retry] x", number_of_media=2
    )
    started: list[Any] = []
    project.on("job_started", started.append)
    assert len(project.wait(30)) == 2
    assert [j.job_index for j in project.jobs] == [0, 1]  # reclaimed by jobIndex, not added


def test_insufficient_balance(client: SogniClient, fake: FakeSupernet) -> None:
    fake.set_balance("0", token_type="spark")
    fake.set_balance("0", token_type="sogni")
    project = client.projects.create(type="image", model_id=MODEL, token_type="spark")
    with pytest.raises(ProjectError, match="Insufficient balance") as info:
        project.wait(30)
    assert info.value.retryable is False
    assert info.value.error_code == 123  # the fake's INSUFFICIENT_BALANCE
    assert project.status == "failed"
    assert client.account.refresh_balance().spark.net == 0  # nothing was held or debited


def test_balance_falls_by_the_estimated_cost(client: SogniClient, fake: FakeSupernet) -> None:
    start = client.account.refresh_balance().spark.net
    project = client.projects.create(
        type="image", model_id=MODEL, token_type="spark", number_of_media=2
    )
    project.wait(30)
    wait_until(lambda: client.current_account.balance.spark.net < start)
    assert isinstance(client.current_account.balance.spark.net, Decimal)


# --------------------------------------------------------------------------- cancel


def test_cancel_confirmed(client: SogniClient, fake: FakeSupernet) -> None:
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    canceled: list[Any] = []
    project.on("canceled", canceled.append)
    project.cancel()
    assert project.status == "canceled"
    with pytest.raises(ProjectCanceledError):
        project.wait(1)
    [frame] = fake.frames("jobError")
    assert frame.payload == {
        "jobID": project.id,
        "error": "artistCanceled",
        "error_message": "artistCanceled",
        "isFromWorker": False,
    }
    project.cancel()  # a finished project: nothing more is sent
    assert len(fake.frames("jobError")) == 1
    wait_until(lambda: canceled)
    fake.resume_workers()


def test_cancel_refused(client: SogniClient, fake: FakeSupernet) -> None:
    fake.hold_results()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    fake.refuse_next_cancel("The provider already started this render")
    with pytest.raises(CancellationError, match="already started"):
        project.cancel()
    assert not project.finished
    fake.hold_results(False)
    assert len(project.wait(30)) == 1


def test_cancel_unconfirmed_times_out(client: SogniClient, fake: FakeSupernet) -> None:
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    fake.ignore_next_cancel()
    started = time.monotonic()
    with pytest.raises(CancellationError, match="could not be confirmed"):
        project.cancel(timeout=0.3)
    assert time.monotonic() - started < 2
    assert not project.finished
    fake.resume_workers()
    project.wait(30)


# --------------------------------------------------------------------------- local waits


def test_a_local_timeout_does_not_cancel(client: SogniClient, fake: FakeSupernet) -> None:
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    with pytest.raises(SogniTimeoutError):
        project.wait(timeout=0.1)
    assert not project.future.cancel()  # a stdlib Future, but waits never cancel paid work
    assert fake.frames("jobError") == []
    fake.resume_workers()
    assert len(project.wait(30)) == 1


def test_signing_out_fails_in_flight_projects(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client()
    client.connect()
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    client.logout()  # as a REST 401 or a refused token renewal: the credentials are cleared
    with pytest.raises(AuthenticationError, match="Signed out"):
        project.wait(5)
    fake.resume_workers()


def test_close_fails_in_flight_projects(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client()
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    client.close()
    with pytest.raises(ClientClosedError):
        project.wait(2)
    fake.resume_workers()


def test_4015_fails_in_flight_projects_with_the_app_id_explanation(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(app_id="dup")
    client.connect()
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    make_client(app_id="dup").connect()
    with pytest.raises(AppIdConflictError, match="app_id"):
        project.wait(5)
    fake.resume_workers()


# --------------------------------------------------------------------------- recovery


def test_socket_dropped_mid_project_still_resolves(client: SogniClient, fake: FakeSupernet) -> None:
    fake.hold_results()
    project = client.projects.create(type="image", model_id=MODEL, number_of_media=2)
    fake.wait_for_project(project.id)
    wait_until(lambda: project.status in ("queued", "processing"))
    fake.drop_connections()
    fake.hold_results(False)
    assert len(project.wait(30)) == 2
    assert len(job_requests(fake)) == 1  # never submitted twice


@pytest.mark.parametrize("received", [True, False])
def test_request_written_just_before_a_drop(
    client: SogniClient, fake: FakeSupernet, received: bool
) -> None:
    fake.drop_after_job_request(received=received)
    project = client.projects.create(type="image", model_id=MODEL)
    assert len(project.wait(30)) == 1
    ids = [f.payload["jobID"] for f in fake.frames("jobRequest")]
    assert ids.count(project.id) == (1 if received else 2)


def test_1001_refusal_is_resent_once(client: SogniClient, fake: FakeSupernet) -> None:
    fake.set_restarting()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_frame("jobRequest")
    fake.set_restarting(False)
    fake.restart(downtime=0.1)
    assert len(project.wait(30)) == 1
    assert [f.payload["jobID"] for f in fake.frames("jobRequest")].count(project.id) == 2


def test_second_1001_refusal_fails(client: SogniClient, fake: FakeSupernet) -> None:
    fake.set_restarting()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_frame("jobRequest")
    fake.restart(downtime=0.1)
    with pytest.raises(ProjectError) as info:
        project.wait(30)
    assert info.value.error_code == 1001
    fake.set_restarting(False)


def test_forgotten_project_ends_as_lost(client: SogniClient, fake: FakeSupernet) -> None:
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    wait_until(lambda: project.status == "queued")
    fake.forget_project(project.id)
    fake.drop_connections()
    with pytest.raises(ProjectLostError) as info:
        project.wait(30)
    assert info.value.retryable and info.value.original_code == "projectLost"
    fake.resume_workers()


def test_staleness_watchdog_ends_a_silent_project(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(timeouts=attrs.evolve(FAST, project_staleness=0.2))
    client.connect()
    fake.pause_workers()
    project = client.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    fake.forget_project(project.id)  # the server stays silent and stops knowing it
    with pytest.raises(ProjectError, match="timed out"):
        project.wait(10)
    [frame] = fake.wait_for_frame("jobError")  # the SDK told the server to stop it
    assert frame.payload["jobID"] == project.id
    fake.resume_workers()


def test_runtime_budget_ends_a_stuck_job(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(
        timeouts=attrs.evolve(
            FAST, job_runtime_floor_fast_image=0.3, job_runtime_floor_relaxed_image=0.3
        )
    )
    client.connect()
    fake.hold_results()
    project = client.projects.create(type="image", model_id=MODEL)
    with pytest.raises(ProjectError, match="maximum runtime"):
        project.wait(10)
    [frame] = fake.wait_for_frame("jobError")
    assert frame.payload["jobID"] == project.id
    fake.hold_results(False)


def test_get_follows_a_project_whose_frames_go_to_another_app(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    owner = make_client(app_id="owner")
    fake.pause_workers()
    project = owner.projects.create(type="image", model_id=MODEL)
    fake.wait_for_project(project.id)
    # Same account, another app_id: the project's frames keep going to the owner's socket.
    observer = make_client(app_id="observer")
    observer.connect()
    handle = observer.projects.get(project.id)
    assert not handle.finished
    fake.resume_workers()
    assert len(project.wait(30)) == 1
    # The staleness watchdog looks it up over REST and finds it finished.
    assert len(handle.wait(15)) == 1
    assert handle.status == "completed"


def test_get_reattaches_from_another_process(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.hold_results()
    script = textwrap.dedent(
        f"""
        import os
        from sogni import SogniClient
        client = SogniClient(app_id="crashy", api_key={fake.api_key!r},
                             rest_endpoint={fake.rest_url!r}, socket_endpoint={fake.socket_url!r})
        project = client.projects.create(type="image", model_id={MODEL!r}, number_of_media=2)
        project.future  # submitted; now "crash" without closing
        import time
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and project.status == "pending":
            time.sleep(0.01)
        print(project.id, flush=True)
        os._exit(0)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    project_id = out.stdout.strip()
    assert project_id, out.stderr
    client = make_client(app_id="crashy")
    client.connect()
    project = client.projects.get(project_id)
    assert project.recovered and project.id == project_id
    fake.hold_results(False)
    assert len(project.wait(30)) == 2
    assert client.projects.get(project_id) is not None


# --------------------------------------------------------------------------- scale


def test_200_projects_from_16_threads_get_their_own_results(
    client: SogniClient, fake: FakeSupernet
) -> None:
    results: dict[str, list[str]] = {}
    images: dict[str, dict[str, Any]] = {}
    seeds: dict[str, int] = {}
    lock = threading.Lock()

    def worker(n: int) -> None:
        mine = []
        for i in range(n * 13, min(n * 13 + 13, 200)):
            project = client.projects.create(
                type="image", model_id=MODEL, positive_prompt=f"p{i}", seed=i
            )
            mine.append(project)
            with lock:
                seeds[project.id] = i
        for project in mine:
            urls = project.wait(60)
            # Each thread reads its own results back through the public API.
            meta = read_image_metadata(project.jobs[0].get_result_data())
            with lock:
                results[project.id] = urls
                images[project.id] = meta

    run_threads(worker, 16, timeout=120)
    assert len(results) == 200
    assert all(len(urls) == 1 for urls in results.values())
    # Every result belongs to its own project: checked through the ids embedded in the images.
    for project_id, meta in images.items():
        assert meta["project_id"] == project_id
        assert int(meta["seed"]) == seeds[project_id]
    assert len(images) == 200


def test_estimate_cost_matches_the_debit(client: SogniClient, fake: FakeSupernet) -> None:
    estimate = client.projects.estimate_cost(
        type="image",
        model_id=MODEL,
        number_of_media=2,
        steps=4,
        size_preset="square_hd",
        token_type="spark",
    )
    assert isinstance(estimate.spark, Decimal) and estimate.spark > 0
    [request] = [r for r in fake.requests("/api/v") if "/estimate/" in (r.path or "")]
    assert "/square" not in (request.path or "")  # the preset was resolved to its size
    assert "/1024/1024" in (request.path or "")
    start = client.account.refresh_balance().spark.net
    fake.hold_results()
    project = client.projects.create(
        type="image",
        model_id=MODEL,
        number_of_media=2,
        steps=4,
        size_preset="square_hd",
        token_type="spark",
    )
    wait_until(lambda: client.current_account.balance.spark.net == start - estimate.spark)
    fake.hold_results(False)
    project.wait(30)
    with pytest.raises(ValidationError):
        client.projects.estimate_cost(type="image", model_id=MODEL, size_preset="no_such_preset")


def test_enhance_runs_a_new_project_from_the_result(
    client: SogniClient, fake: FakeSupernet
) -> None:
    project = client.projects.create(type="image", model_id=MODEL, positive_prompt="a fox", seed=9)
    project.wait(30)
    [job] = project.jobs
    url = job.enhance("light")
    assert url
    requests = job_requests(fake)
    assert len(requests) == 2
    key_frame = requests[1].payload["keyFrames"][0]
    assert key_frame["hasStartingImage"] is True and key_frame["seed"] == 9
    assert key_frame["strength"] == 1 - (1 - 0.15)  # inverted twice, with JavaScript float maths
    assert [u["type"] for u in fake.uploads(requests[1].payload["jobID"])] == ["startingImage"]
