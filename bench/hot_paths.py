"""The SDK's own CPU on its hot paths, per item, measured in this thread alone.

A FakeSupernet runs in a subprocess for the model list; everything measured runs in this
process and this thread (``time.thread_time``), so neither the fake, the transport thread nor
other processes on the machine count, and the figures hold still from run to run:

* ``create``: ``client.projects.create(...)`` of one image project (validation, the request
  body, its frame text, the tracker, and queueing the frame for the transport thread);
* ``frame text``: ``encode_frame`` of that project's ``jobRequest`` body;
* ``project frames``: the 13 frames of one project, as the fake sends them, routed to their
  tracker (the result URL is minted inline, without REST);
* ``chat chunk``: one ``jobTokens`` frame routed to its ``ChatStream`` and read back.

Each figure is the best of several rounds (µs). Run it in two trees to compare them:
``PYTHONPATH=<tree> python bench/hot_paths.py``.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from sogni import SogniClient
from sogni._wire.envelope import Frame, decode_frame, encode_frame
from sogni.chat._stream import ChatStream
from sogni.projects._tracker import ProjectTracker
from sogni.projects.params import make_params

MODEL = "flux1-schnell-fp8"


def best(fn: Callable[[], float], rounds: int) -> float:
    return min(fn() for _ in range(rounds))


def per_item(run: Callable[[], int]) -> float:
    started = time.thread_time()
    items = run()
    return (time.thread_time() - started) / items * 1e6


def capture_project(client: SogniClient) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """One project's request body and the frames the fake sends for it, in order."""
    frames: list[tuple[str, Any]] = []
    router = client._core.router
    route = router.route

    def recording(frame: Frame) -> None:
        frames.append((frame.type, json.loads(json.dumps(frame.payload))))
        route(frame)

    router.route = recording  # type: ignore[method-assign]
    try:
        project = client.projects.create(
            type="image", model_id=MODEL, positive_prompt="capture", steps=4
        )
        project.wait(timeout=60)
    finally:
        del router.route
    request = project._tracker.request
    assert request is not None
    project_id = request["jobID"]
    mine = [(kind, p) for kind, p in frames if kind == "balanceUpdate" or _names(p, project_id)]
    return request, mine


def _names(payload: Any, project_id: str) -> bool:
    return isinstance(payload, dict) and payload.get("jobID") == project_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--items", type=int, default=300, help="projects per round")
    args = parser.parse_args()
    from _fake_process import BenchFake  # only the bench directory has it

    with BenchFake(time_scale=0) as fake:
        fake.command("set-balance 1000000")
        info = fake.info
        client = SogniClient(
            app_id=f"bench-hot-{uuid.uuid4().hex[:8]}",
            api_key=info["api_key"],
            rest_endpoint=info["rest_url"],
            socket_endpoint=info["socket_url"],
        )
        with client:
            client.connect()
            client.projects.wait_for_models()
            request, frames = capture_project(client)
            figures = {
                "create": best(lambda: create_round(client, args.items), args.rounds),
                "frame text": best(lambda: encode_round(request, args.items), args.rounds),
                "project frames": best(
                    lambda: frames_round(client, frames, args.items), args.rounds
                ),
                "chat chunk": best(lambda: chat_round(client, 1000), args.rounds),
            }
    for name, value in figures.items():
        print(f"{name:>15}: {value:8.1f} us")


def create_round(client: SogniClient, count: int) -> float:
    def run() -> int:
        projects = [
            client.projects.create(
                type="image", model_id=MODEL, positive_prompt=f"project {n}", steps=4, seed=n
            )
            for n in range(count)
        ]
        run.projects = projects  # type: ignore[attr-defined]
        return count

    figure = per_item(run)
    for project in run.projects:  # type: ignore[attr-defined]
        project.wait(timeout=60)
    return figure


def encode_round(request: dict[str, Any], count: int) -> float:
    def run() -> int:
        for _ in range(count):
            encode_frame("jobRequest", request)
        return count

    return per_item(run)


def frames_round(client: SogniClient, frames: list[tuple[str, Any]], count: int) -> float:
    service = client.projects._service
    core = client._core
    params = make_params("image", model_id=MODEL, positive_prompt="p", steps=4)
    template = next(p["jobID"] for _, p in frames if isinstance(p, dict) and "jobID" in p)
    trackers, decoded = [], []
    for _ in range(count):
        project_id = str(uuid.uuid4()).upper()
        tracker = ProjectTracker(
            service,
            project_id,
            params=params,
            media="image",
            request={},
            number_of_media=1,
            steps=4,
            output_format="png",
            network=None,
        )
        service.track(tracker)
        core.registry.add(project_id, tracker)
        trackers.append(tracker)
        for kind, payload in frames:
            text = json.dumps(payload).replace(template, project_id)
            decoded.append(decode_frame(encode_frame(kind, json.loads(text))))
    # The result URL is minted here, in this thread, instead of over REST on an I/O worker.
    service.mint_result_url = lambda tracker, img_id: "https://example.invalid/r.png"  # type: ignore[method-assign]
    service.io.submit = lambda fn, *a, essential=False: fn(*a) or True  # type: ignore[method-assign]
    try:

        def run() -> int:
            for frame in decoded:
                core.router.route(frame)
            return count

        figure = per_item(run)
    finally:
        del service.mint_result_url, service.io.submit  # the class's methods again
    assert all(t.future.done() for t in trackers), "a project did not finish"
    return figure


def chat_round(client: SogniClient, count: int) -> float:
    core = client._core
    job_id = str(uuid.uuid4()).upper()
    stream = ChatStream(
        core, client._config, job_id, deadline=time.monotonic() + 600, response_format=None
    )
    core.registry.add(job_id, stream)
    frames = [
        decode_frame(encode_frame("jobTokens", {"jobID": job_id, "content": f"w{n} "}))
        for n in range(count)
    ]

    def run() -> int:
        for frame in frames:
            core.router.route(frame)
        for _ in range(count):
            next(stream)
        return count

    try:
        return per_item(run)
    finally:
        stream.close()


if __name__ == "__main__":
    main()
