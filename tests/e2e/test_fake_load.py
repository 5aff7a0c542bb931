"""What FakeSupernet does to serve many projects cheaply, and that clients cannot tell: results
drawn on their first download, catalog tables written again only when they change, the frames
of one loop turn written together, queue positions counted over the waiting projects only.
Driven with the raw artist (websocket-client, ``requests``), no SDK projects code."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import websocket

from sogni.testing import FakeSupernet, read_image_metadata
from sogni.testing._server import Session

from ..raw_artist import Artist, download, job_request, socket_rest

MODEL = "flux1-schnell-fp8"


@pytest.fixture
def artist(fake: FakeSupernet) -> Iterator[Artist]:
    conn = Artist(fake)
    yield conn
    conn.close()


def _session(fake: FakeSupernet) -> Session:
    (session,) = fake._require_server().sessions_for(app_id="raw-app")
    return session


def test_results_and_previews_are_drawn_on_their_first_download(
    fake: FakeSupernet, artist: Artist
) -> None:
    pid = artist.submit(job_request(previews=1))
    artist.finish(pid)
    (_, result) = artist.of(pid, "jobResult")[0]
    img = result["imgID"]
    objects = fake._projects().storage.objects

    def undrawn() -> list[str]:
        prefix = f"results/{pid}/"
        return sorted(k for k, o in objects.items() if k.startswith(prefix) and o.render)

    assert fake.call(undrawn) == [
        f"results/{pid}/{img}/complete.png",
        f"results/{pid}/{img}/preview-2.jpg",
    ]
    image = download(fake, pid, img)
    assert fake.call(undrawn) == [f"results/{pid}/{img}/preview-2.jpg"]
    assert download(fake, pid, img) == image  # drawn once, then served as stored
    meta = read_image_metadata(image)
    assert (meta["project_id"], meta["job_id"], meta["seed"]) == (pid, img, result["lastSeed"])
    preview = read_image_metadata(download(fake, pid, img, "preview"))
    assert (preview["job_id"], preview["step"]) == (img, "2")
    assert fake.call(undrawn) == []


def test_the_tiers_table_follows_every_change_to_the_catalog(fake: FakeSupernet) -> None:
    first = socket_rest(fake, "/api/v2/models/tiers").json()
    assert socket_rest(fake, "/api/v2/models/tiers").json() == first
    tier: dict[str, Any] = fake.catalog["tiers"]["flux_schnell"]

    def edit() -> None:  # a test editing the catalog in place, not through add_model
        tier["steps"]["max"] = 99

    fake.call(edit)
    assert socket_rest(fake, "/api/v2/models/tiers").json()["flux_schnell"]["steps"]["max"] == 99
    fake.add_model("load-test-model", tier=copy.deepcopy(tier))
    tiers = socket_rest(fake, "/api/v2/models/tiers").json()
    assert set(tiers) == set(first) | {"load-test-model"}
    models = socket_rest(fake, "/api/v1/models/list").json()
    assert "load-test-model" in {m["id"] for m in models}


def test_frames_sent_just_before_a_close_arrive_before_it(
    fake: FakeSupernet, artist: Artist
) -> None:
    async def send_then_close() -> None:
        session = _session(fake)
        for n in range(5):
            await session.send("toastMessage", {"n": n})
        await session.close(4000, "bye", wait=False)

    fake.call(send_then_close)
    received = [artist.wait_for("toastMessage")[1]["n"] for _ in range(5)]
    assert received == [0, 1, 2, 3, 4]
    artist.ws.settimeout(10)
    opcode, data = artist.ws.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(data[:2], "big") == 4000


def test_frames_sent_just_before_a_drop_arrive_before_it(
    fake: FakeSupernet, artist: Artist
) -> None:
    async def send_then_drop() -> None:
        session = _session(fake)
        for n in range(5):
            await session.send("toastMessage", {"n": n})
        session.abort()

    fake.call(send_then_drop)
    received = [artist.wait_for("toastMessage")[1]["n"] for _ in range(5)]
    assert received == [0, 1, 2, 3, 4]


def test_queue_positions_count_only_projects_still_waiting(
    fake: FakeSupernet, artist: Artist
) -> None:
    done = artist.submit(job_request())
    artist.finish(done)
    fake.pause_workers()
    first, second, third = (artist.submit(job_request()) for _ in range(3))

    def position(project_id: str) -> int:
        frame = artist.wait_for("jobState", lambda p: p["jobID"] == project_id)[1]
        return int(frame["queuePosition"])

    assert position(third) == 3  # the finished project is not ahead of it
    assert fake.forget_project(first)
    # Frames already on their way may still say 3; the next broadcasts say 2.
    while (ahead := position(third)) == 3:
        pass
    assert ahead == 2
    while (ahead := position(second)) == 2:
        pass
    assert ahead == 1
    fake.resume_workers()
    artist.finish(second)
    artist.finish(third)
