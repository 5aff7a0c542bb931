"""The server side of media projects in FakeSupernet, driven over real loopback with a raw
WebSocket (websocket-client), plain ``requests`` and the envelope codec: no SDK projects code."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
import websocket
from PIL import Image

from sogni.testing import FakeSupernet, _storage, read_image_metadata

from ..helpers import wait_until
from ..raw_artist import (
    Artist,
    Frame,
    api,
    download,
    job_request,
    new_project_id,
    png_bytes,
    socket_rest,
    upload,
)

MODEL = "flux1-schnell-fp8"


# =============================================================================== happy path


def test_two_images_with_previews_follow_the_timeline(fake: FakeSupernet, artist: Artist) -> None:
    pid = artist.submit(job_request(numberOfImages=2, previews=1))
    artist.finish(pid)
    frames = artist.of(pid)
    kinds = [(k, p.get("type")) for k, p in frames]
    assert kinds[0] == ("jobState", "queued")
    assert kinds[-1] == ("jobState", "jobCompleted")
    queued = [p for k, p in frames if p.get("type") == "queued"]
    assert queued[0] == {
        "type": "queued",
        "jobID": pid,
        "queuePosition": 1,
        "estimatedStartSeconds": 1,
        "queueStatus": "waiting",
    }
    assert len(queued) >= 2  # re-broadcast while waiting
    results = [p for k, p in frames if k == "jobResult"]
    assert len(results) == 2
    by_index: dict[int, list[Frame]] = {}
    for kind, payload in frames:
        if "jobIndex" in payload:
            by_index.setdefault(payload["jobIndex"], []).append((kind, payload))
    assert set(by_index) == {0, 1}
    for index, result in enumerate(sorted(results, key=lambda r: r["jobIndex"])):
        img = result["imgID"]
        mine = [(k, p) for k, p in frames if p.get("imgID") == img]
        states = [(k, p.get("type"), (p.get("preparation") or {}).get("step")) for k, p in mine]
        assert states[:3] == [
            ("jobState", "initiatingModel", "start"),
            ("jobState", "initiatingModel", "end"),
            ("jobState", "jobStarted", None),
        ]
        assert mine[0][1]["preparation"]["phase"] == "loadingModel"
        assert mine[0][1]["jobIndex"] == index and mine[0][1]["workerName"]
        progress = [p for k, p in mine if k == "jobProgress"]
        assert [p["step"] for p in progress] == [1, 2, 3, 4]
        assert all(p["stepCount"] == 4 and "etaSeconds" in p for p in progress)
        assert [p.get("hasImage", False) for p in progress] == [False, True, False, False]
        assert mine[-1][0] == "jobResult"
        assert result == {
            "jobID": pid,
            "imgID": img,
            "performedStepCount": 4,
            "lastSeed": result["lastSeed"],
            "triggeredNSFWFilter": False,
            "nsfwDetected": False,
            "nsfwSources": [],
            "userCanceled": False,
            "outputFormat": "png",
            "jobIndex": index,
        }
        assert isinstance(result["lastSeed"], str)
        image = download(fake, pid, img)
        assert image.startswith(b"\x89PNG")
        meta = read_image_metadata(image)
        assert meta["project_id"] == pid
        assert meta["job_id"] == img
        assert meta["job_index"] == str(index)
        assert meta["seed"] == result["lastSeed"]
        assert meta["prompt_sha256"] == hashlib.sha256(b"a red fox in snow").hexdigest()
        assert "preview" not in meta
        assert Image.open(io.BytesIO(image)).size == (256, 256)
        preview = download(fake, pid, img, "preview")
        assert preview.startswith(b"\xff\xd8\xff")
        preview_meta = read_image_metadata(preview)
        assert preview_meta["preview"] == "1"
        assert preview_meta["project_id"] == pid and preview_meta["job_index"] == str(index)
    assert results[0]["lastSeed"] != results[1]["lastSeed"]


@pytest.mark.parametrize(
    ("fmt", "magic", "size"),
    [
        ("jpg", b"\xff\xd8\xff", (256, 144)),
        ("webp", b"RIFF", (256, 144)),
        ("png", b"\x89PNG", (256, 144)),
    ],
)
def test_requested_seed_format_and_size(
    fake: FakeSupernet, artist: Artist, fmt: str, magic: bytes, size: tuple[int, int]
) -> None:
    body = job_request(
        numberOfImages=2,
        outputFormat=fmt,
        kf={"seed": 0, "sizePreset": "custom", "width": 1920, "height": 1080},
    )
    pid = artist.submit(body)
    artist.finish(pid)
    results = sorted((p for _, p in artist.of(pid, "jobResult")), key=lambda r: r["jobIndex"])
    # The requested seed (0 is a value) plus the job index.
    assert [r["lastSeed"] for r in results] == ["0", "1"]
    assert all(r["outputFormat"] == fmt for r in results)
    data = download(fake, pid, results[1]["imgID"])
    assert data.startswith(magic)
    meta = read_image_metadata(data)
    assert (meta["format"], meta["seed"], meta["requested_size"]) == (fmt, "1", "1920x1080")
    assert Image.open(io.BytesIO(data)).size == size


def test_seeds_are_deterministic_from_the_fake_seed() -> None:
    seeds = []
    for _ in range(2):
        with FakeSupernet(time_scale=0.01, seed=7) as fake:
            conn = Artist(fake)
            pid = conn.submit(job_request(numberOfImages=2))
            conn.finish(pid)
            seeds.append(sorted(p["lastSeed"] for _, p in conn.of(pid, "jobResult")))
            conn.close()
    assert seeds[0] == seeds[1]


def test_balance_is_held_then_settled_at_the_estimated_price(
    fake: FakeSupernet, artist: Artist
) -> None:
    estimate = socket_rest(fake, f"/api/v2/job/estimate/spark/fast/{MODEL}/2/4/1/0/0/1024/1024")
    cost = Decimal(estimate.json()["quote"]["project"]["costInSpark"])
    assert cost > 0
    pid = artist.submit(job_request(numberOfImages=2, previews=1))
    artist.finish(pid)
    spark = [Decimal(p["spark"]["net"]) for k, p in artist.frames if k == "balanceUpdate"]
    debits = [Decimal(p["spark"]["debit"]) for k, p in artist.frames if k == "balanceUpdate"]
    assert spark[0] == Decimal(400)
    assert debits[1] == cost  # held when accepted
    assert spark[-1] == Decimal(400) - cost and debits[-1] == 0  # settled on completion
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert Decimal(record["costActual"]["costInToken"]) == cost


# =============================================================================== refusals


def _refusal(artist: Artist, body: dict[str, Any]) -> dict[str, Any]:
    pid = artist.submit(body)
    _, payload = artist.wait_for("jobError", lambda p: p["jobID"] == pid)
    assert "imgID" not in payload
    assert payload["isFromWorker"] is False
    assert isinstance(payload["error_message"], str) and payload["error_message"]
    assert artist.fake.project_snapshot(pid) is None
    return dict(payload)


@pytest.mark.parametrize(
    ("overrides", "code", "needle"),
    [
        ({"kf": {"modelID": "no-such-model"}}, 4000, "not supported"),
        ({"kf": {"steps": 40}}, 4000, "keyFrames[0].steps"),
        ({"kf": {"guidanceScale": 9}}, 4000, "guidanceScale"),
        ({"numberOfImages": 0}, 4000, "numberOfImages"),
        ({"numberOfImages": 17}, 4000, "numberOfImages"),
        ({"kf": {"sizePreset": "custom", "width": 4096, "height": 512}}, 4000, "width"),
        ({"kf": {"sizePreset": "no_such_preset"}}, 4000, "sizePreset"),
        ({"kf": {"hasStartingImage": True}}, 4000, "startingImage was not uploaded"),
        ({"kf": {"hasContextImage1": True}}, 4000, "contextImage1 was not uploaded"),
        (
            {"kf": {"currentControlNetsJob": [{"name": "canny", "hasImage": True}]}},
            4000,
            "cnImage was not uploaded",
        ),
        ({"kf": {"loras": ["multiple_angles"] * 9}}, 4000, "at most 8 LoRAs"),
        ({"kf": {"loras": ["krea2-warm-light"]}}, 4000, "does not support"),
        ({"kf": {"scheduler": "heun"}}, 4000, "keyFrames[0].scheduler"),
        ({"kf": {"modelID": "gpt-image-2"}, "tokenType": "sogni"}, 4000, "Spark only"),
        ({"kf": {"modelID": "gpt-image-2"}, "network": "relaxed"}, 4104, "Try the fast network"),
        ({"outputFormat": "gif"}, 4000, "outputFormat"),
    ],
)
def test_invalid_requests_are_refused(
    artist: Artist, overrides: dict[str, Any], code: int, needle: str
) -> None:
    refusal = _refusal(artist, job_request(**overrides))
    assert refusal["error"] == code
    assert needle in refusal["error_message"]


def test_every_problem_is_listed(artist: Artist) -> None:
    refusal = _refusal(artist, job_request(numberOfImages=0, kf={"steps": 99, "seed": -1}))
    message = refusal["error_message"]
    assert all(key in message for key in ("numberOfImages", "steps", "seed"))


def test_insufficient_balance_is_refused(fake: FakeSupernet, artist: Artist) -> None:
    fake.set_balance("0.00001", token_type="spark")
    refusal = _refusal(artist, job_request())
    assert refusal["error"] == 123
    assert "Insufficient balance" in refusal["error_message"]


def test_subscription_billing_without_a_subscription_is_refused(artist: Artist) -> None:
    assert _refusal(artist, job_request(billingMode="subscription"))["error"] == 4078


def test_restarting_server_refuses_with_1001(fake: FakeSupernet, artist: Artist) -> None:
    fake.set_restarting(True)
    refusal = _refusal(artist, job_request())
    assert (refusal["error"], refusal["error_message"]) == (1001, "Server is restarting")
    fake.set_restarting(False)
    body = job_request()
    artist.submit(body)
    assert artist.finish(body["jobID"])[0] == "jobState"


def test_a_repeated_job_id_is_not_run_twice(fake: FakeSupernet, artist: Artist) -> None:
    body = job_request()
    artist.submit(body)
    artist.submit(body)
    artist.finish(body["jobID"])
    assert len(artist.of(body["jobID"], "jobResult")) == 1


# =============================================================================== uploads


def test_uploaded_assets_satisfy_the_request(fake: FakeSupernet, artist: Artist) -> None:
    pid = new_project_id()
    image = png_bytes()
    for slot in ("startingImage", "cnImage", "contextImage1", "contextImage2"):
        upload(fake, pid, slot, image)
    body = job_request(
        pid,
        kf={
            "hasStartingImage": True,
            "strength": 0.4,
            "currentControlNetsJob": [{"name": "canny", "hasImage": True, "controlStrength": 0.5}],
            "hasContextImage1": True,
            "hasContextImage2": True,
        },
    )
    artist.submit(body)
    assert artist.finish(pid)[0] == "jobState"
    rows = {u["type"]: u for u in fake.uploads(pid)}
    assert set(rows) == {"startingImage", "cnImage", "contextImage1", "contextImage2"}
    assert rows["cnImage"]["size"] == len(image)
    assert rows["cnImage"]["sha256"] == hashlib.sha256(image).hexdigest()
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert record["hasGuideImage"] is True and record["denoiseStrength"] == "0.4"


def test_uploads_belong_to_their_account(fake: FakeSupernet, artist: Artist) -> None:
    bob = fake.add_account(username="bob", api_key="sk-bob-key")
    assert bob.username == "bob"
    pid = new_project_id()
    response = api(fake, "/v1/image/uploadUrl", key="sk-bob-key", jobId=pid, type="startingImage")
    requests.put(response.json()["data"]["uploadUrl"], data=png_bytes(), timeout=10)
    refusal = _refusal(artist, job_request(pid, kf={"hasStartingImage": True}))
    assert "startingImage was not uploaded" in refusal["error_message"]


def test_upload_urls_are_signed_and_validated(fake: FakeSupernet) -> None:
    pid = new_project_id()
    response = api(fake, "/v1/image/uploadUrl", jobId=pid, type="startingImage")
    url = response.json()["data"]["uploadUrl"]
    forged = url.replace("X-Signature=", "X-Signature=x")
    assert requests.put(forged, data=b"x", timeout=10).status_code == 403
    assert requests.put(url, data=b"abc", timeout=10).status_code == 200
    bad = api(fake, "/v1/image/uploadUrl", jobId=pid, type="wallpaper")
    assert bad.status_code == 400 and bad.json()["status"] == "error"
    media = api(fake, "/v1/media/uploadUrl", jobId=pid, type="referenceAudio2")
    assert media.status_code == 200
    assert requests.put(media.json()["data"]["uploadUrl"], data=b"ID3x", timeout=10).ok
    assert {(u["type"], u["id"]) for u in fake.uploads(pid)} == {
        ("startingImage", None),
        ("referenceAudio", "referenceAudio2"),
    }
    unauthenticated = requests.get(
        fake.rest_url + "/v1/image/uploadUrl", params={"jobId": pid, "type": "cnImage"}, timeout=10
    )
    assert unauthenticated.status_code == 401


def test_a_200_mb_upload_is_streamed(fake: FakeSupernet) -> None:
    pid = new_project_id()
    response = api(fake, "/v1/media/uploadUrl", jobId=pid, type="referenceVideo")
    chunk = bytes(range(256)) * 4096  # 1 MiB
    digest = hashlib.sha256()
    for _ in range(200):
        digest.update(chunk)

    def body() -> Iterator[bytes]:
        for _ in range(200):
            yield chunk

    put = requests.put(
        response.json()["data"]["uploadUrl"],
        data=body(),
        headers={"Content-Type": "video/mp4"},
        timeout=60,
    )
    assert put.status_code == 200
    (row,) = fake.uploads(pid)
    assert row["size"] == 200 * len(chunk)
    assert row["sha256"] == digest.hexdigest()
    assert row["content_type"] == "video/mp4"


def test_uploaded_assets_can_be_downloaded_by_their_owner(fake: FakeSupernet) -> None:
    pid, image_id = new_project_id(), new_project_id()
    response = api(fake, "/v1/image/uploadUrl", imageId=image_id, jobId=pid, type="startingImage")
    requests.put(response.json()["data"]["uploadUrl"], data=b"pixels", timeout=10)
    link = api(fake, "/v1/image/downloadUrl", jobId=pid, imageId=image_id, type="startingImage")
    assert requests.get(link.json()["data"]["downloadUrl"], timeout=10).content == b"pixels"


# =============================================================================== downloads


def test_download_urls_answer_404_for_unknown_ids(fake: FakeSupernet, artist: Artist) -> None:
    fake.add_account(username="bob", api_key="sk-bob-key")
    pid = artist.submit(job_request())
    artist.finish(pid)
    (_, result) = artist.of(pid, "jobResult")[0]
    img = result["imgID"]
    cases = [
        ({"jobId": new_project_id(), "imageId": img, "type": "complete"}, None),
        ({"jobId": pid, "imageId": new_project_id(), "type": "complete"}, None),
        ({"jobId": pid, "imageId": img, "type": "preview"}, None),  # no previews requested
        ({"jobId": pid, "imageId": img, "type": "complete"}, "sk-bob-key"),  # not the owner
    ]
    for params, key in cases:
        response = api(fake, "/v1/image/downloadUrl", key=key, **params)
        assert response.status_code == 404, params
        body = response.json()
        assert body["status"] == "error" and body["errorCode"] == 404 and body["message"]
    missing = api(fake, "/v1/image/downloadUrl", jobId=pid, type="complete")
    assert missing.status_code == 400
    media = api(fake, "/v1/media/downloadUrl", jobId=pid, id=img, type="complete")
    assert media.status_code == 200
    tampered = media.json()["data"]["downloadUrl"].replace("X-Expires=", "X-Expires=1")
    refused = requests.get(tampered, timeout=10)
    assert (refused.status_code, refused.text) == (403, "Signature does not match")


def test_signed_urls_expire(
    fake: FakeSupernet, artist: Artist, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = artist.submit(job_request())
    artist.finish(pid)
    (_, result) = artist.of(pid, "jobResult")[0]
    monkeypatch.setattr(_storage, "URL_LIFETIME", -1)
    link = api(fake, "/v1/image/downloadUrl", jobId=pid, imageId=result["imgID"], type="complete")
    refused = requests.get(link.json()["data"]["downloadUrl"], timeout=10)
    assert (refused.status_code, refused.text) == (403, "Request has expired")


# =============================================================================== cancellation


def test_cancel_is_confirmed_first_then_the_project_goes_silent(
    fake: FakeSupernet, artist: Artist
) -> None:
    fake.pause_workers()
    pid = artist.submit(job_request(numberOfImages=2))
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    artist.cancel(pid)
    _, confirmation = artist.wait_for("artistCancelConfirmation")
    assert confirmation == {"jobID": pid, "didCancel": True}
    fake.resume_workers()
    # A later project completing on the same connection proves nothing more came for ``pid``.
    barrier = artist.submit(job_request())
    artist.finish(barrier)
    after = artist.frames.index(("artistCancelConfirmation", confirmation))
    assert all(p.get("jobID") != pid for _, p in artist.frames[after + 1 :] if isinstance(p, dict))
    snapshot = fake.project_snapshot(pid)
    assert snapshot is not None
    assert (snapshot["status"], snapshot["charged"], snapshot["held"]) == ("cancelled", "0", "0")
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert (record["status"], record["reason"]) == ("cancelled", "artistCanceled")
    balances = [p for k, p in artist.frames if k == "balanceUpdate"]
    assert Decimal(balances[-1]["spark"]["debit"]) == 0


def test_a_refused_cancel_leaves_the_project_running(fake: FakeSupernet, artist: Artist) -> None:
    fake.refuse_next_cancel("Too late to cancel")
    fake.pause_workers()
    pid = artist.submit(job_request())
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    artist.cancel(pid)
    _, reply = artist.wait_for("artistCancelConfirmation")
    assert reply == {"jobID": pid, "didCancel": False, "error_message": "Too late to cancel"}
    fake.resume_workers()
    assert artist.finish(pid)[0] == "jobState"


def test_an_ignored_cancel_gets_no_answer(fake: FakeSupernet, artist: Artist) -> None:
    fake.ignore_next_cancel()
    fake.pause_workers()
    pid = artist.submit(job_request())
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    artist.cancel(pid)
    artist.sync()
    assert not [f for f in artist.frames if f[0] == "artistCancelConfirmation"]
    fake.resume_workers()
    artist.finish(pid)
    assert not [f for f in artist.frames if f[0] == "artistCancelConfirmation"]


def test_cancelling_an_unknown_project_is_refused(artist: Artist) -> None:
    artist.cancel(new_project_id())
    _, reply = artist.wait_for("artistCancelConfirmation")
    assert reply["didCancel"] is False and reply["error_message"]


# =============================================================================== failures


def test_single_job_failure_fails_the_project(fake: FakeSupernet, artist: Artist) -> None:
    fake.fail_next_job(error="genfailure", error_message="Generation failed on worker")
    pid = artist.submit(job_request())
    terminal = artist.finish(pid)
    job_errors = [p for _, p in artist.of(pid, "jobError") if "imgID" in p]
    assert len(job_errors) == 1
    assert job_errors[0]["isFromWorker"] is True
    assert (job_errors[0]["error"], job_errors[0]["error_message"]) == (
        "genfailure",
        "Generation failed on worker",
    )
    assert terminal == (
        "jobError",
        {
            "jobID": pid,
            "isFromWorker": False,
            "error": "genfailure",
            "error_message": "Generation failed on worker",
        },
    )
    assert not artist.of(pid, "jobResult")
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert (record["status"], record["reason"]) == ("errored", "genfailure")
    assert record["completedWorkerJobs"][0]["status"] == "jobError"
    img = job_errors[0]["imgID"]
    assert (
        api(fake, "/v1/image/downloadUrl", jobId=pid, imageId=img, type="complete").status_code
        == 404
    )


def test_partial_failure_completes_with_the_rest(fake: FakeSupernet, artist: Artist) -> None:
    pid = artist.submit(job_request(numberOfImages=2, kf={"positivePrompt": "two [fail:1]"}))
    assert artist.finish(pid)[1]["type"] == "jobCompleted"
    (result,) = [p for _, p in artist.of(pid, "jobResult")]
    (error,) = [p for _, p in artist.of(pid, "jobError")]
    assert result["jobIndex"] == 0 and "imgID" in error
    snapshot = fake.project_snapshot(pid)
    assert snapshot is not None
    assert [j["status"] for j in snapshot["jobs"]] == ["jobCompleted", "jobError"]
    quote = socket_rest(fake, f"/api/v2/job/estimate/spark/fast/{MODEL}/1/4/0/0/0/1024/1024")
    assert Decimal(snapshot["charged"]) == Decimal(quote.json()["quote"]["project"]["costInSpark"])


def test_retry_reassigns_the_render_under_a_new_img_id(fake: FakeSupernet, artist: Artist) -> None:
    fake.retry_next_job(job_index=0)
    pid = artist.submit(job_request())
    artist.finish(pid)
    frames = artist.of(pid)
    (retry_at,) = [i for i, (k, _) in enumerate(frames) if k == "jobRetry"]
    retry = frames[retry_at][1]
    assert retry["jobIndex"] == 0 and retry["attempt"] == 1 and retry["isFromWorker"] is True
    assert retry["error"] == "workerDisconnected"
    assert frames[retry_at + 1][1]["type"] == "queued"
    restart = frames[retry_at + 2][1]
    assert restart["type"] == "initiatingModel" and restart["jobIndex"] == 0
    assert restart["imgID"] != retry["imgID"]
    (_, result) = artist.of(pid, "jobResult")[0]
    assert result["imgID"] == restart["imgID"]
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert [j["imgID"] for j in record["completedWorkerJobs"]] == [restart["imgID"]]


def test_retry_marker_in_the_prompt(artist: Artist) -> None:
    pid = artist.submit(job_request(kf={"positivePrompt": "once more [retry]"}))
    artist.finish(pid)
    assert len(artist.of(pid, "jobRetry")) == 1
    assert len(artist.of(pid, "jobResult")) == 1


def test_nsfw_with_the_filter_on_withholds_the_media(fake: FakeSupernet, artist: Artist) -> None:
    body = job_request(numberOfImages=2, previews=1, kf={"positivePrompt": "x [nsfw:1]"})
    pid = artist.submit(body)
    artist.finish(pid)
    results = {p["jobIndex"]: p for _, p in artist.of(pid, "jobResult")}
    assert (results[1]["triggeredNSFWFilter"], results[1]["nsfwDetected"]) == (True, False)
    assert results[1]["nsfwSources"] == ["prompt"]
    assert results[0]["triggeredNSFWFilter"] is False
    flagged = results[1]["imgID"]
    previews = [p for _, p in artist.of(pid, "jobProgress") if p.get("hasImage")]
    assert {p["imgID"] for p in previews} == {results[0]["imgID"]}
    withheld = api(fake, "/v1/image/downloadUrl", jobId=pid, imageId=flagged, type="complete")
    assert withheld.status_code == 404
    download(fake, pid, results[0]["imgID"])


def test_nsfw_with_the_filter_off_delivers_labelled_media(
    fake: FakeSupernet, artist: Artist
) -> None:
    pid = artist.submit(job_request(disableSafety=True, kf={"positivePrompt": "x [NSFW]"}))
    artist.finish(pid)
    (_, result) = artist.of(pid, "jobResult")[0]
    assert (result["triggeredNSFWFilter"], result["nsfwDetected"]) == (False, True)
    assert read_image_metadata(download(fake, pid, result["imgID"]))["project_id"] == pid


# =============================================================================== workers


def test_paused_workers_keep_projects_queued(fake: FakeSupernet, artist: Artist) -> None:
    fake.pause_workers()
    first = artist.submit(job_request())
    second = artist.submit(job_request())
    for _ in range(3):
        artist.wait_for("jobState", lambda p: p["jobID"] == second)
    queued = [p for _, p in artist.of(second)]
    assert all(p["type"] == "queued" for p in queued)
    assert queued[-1]["estimatedStartSeconds"] is None
    assert queued[-1]["queuePosition"] == 2
    assert not [p for _, p in artist.of(first) if p.get("type") != "queued"]
    fake.resume_workers()
    artist.finish(first)
    artist.finish(second)


def test_a_model_without_workers_waits_with_no_workers(fake: FakeSupernet, artist: Artist) -> None:
    fake.set_worker_count(MODEL, 0)
    _, models = artist.wait_for("swarmModels", lambda p: p.get(MODEL) == 0)
    assert models[MODEL] == 0
    pid = artist.submit(job_request())
    _, frame = artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    assert (frame["queueStatus"], frame["estimatedStartSeconds"]) == ("no-workers", None)
    fake.set_worker_count(MODEL, 2)
    assert artist.finish(pid)[0] == "jobState"


def test_held_results_are_released_later(fake: FakeSupernet, artist: Artist) -> None:
    fake.hold_results(True)
    pid = artist.submit(job_request(numberOfImages=2))
    for _ in range(2):
        artist.wait_for("jobProgress", lambda p: p["jobID"] == pid and p["step"] == 4)

    def rendered() -> bool:
        snapshot = fake.project_snapshot(pid)
        return snapshot is not None and all(j["has_media"] for j in snapshot["jobs"])

    wait_until(rendered)
    artist.sync()
    assert not artist.of(pid, "jobResult")
    fake.hold_results(False)
    artist.finish(pid)
    assert len(artist.of(pid, "jobResult")) == 2


def test_vendor_models_report_fractions_and_a_direct_url(
    fake: FakeSupernet, artist: Artist
) -> None:
    body = job_request(outputFormat="webp", kf={"modelID": "gpt-image-2", "steps": None})
    del body["keyFrames"][0]["steps"]
    pid = artist.submit(body)
    artist.finish(pid)
    fractions = [p["progress"] for _, p in artist.of(pid, "jobProgress")]
    assert fractions == [0.25, 0.5, 0.75]
    assert artist.of(pid, "jobETA")
    (_, result) = artist.of(pid, "jobResult")[0]
    data = requests.get(result["resultUrl"], timeout=10).content
    assert data.startswith(b"RIFF") and read_image_metadata(data)["model_id"] == "gpt-image-2"


# =============================================================================== recovery


def test_forgotten_projects_vanish(fake: FakeSupernet, artist: Artist) -> None:
    fake.pause_workers()
    pid = artist.submit(job_request())
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    assert fake.forget_project(pid) is True
    fake.resume_workers()
    barrier = artist.submit(job_request())
    artist.finish(barrier)
    # Frames on one connection keep their order: whatever the server sent for ``pid`` before
    # forgetting it precedes the first frame of the later project.
    ids = [p.get("jobID") if isinstance(p, dict) else None for _, p in artist.frames]
    assert pid not in ids[ids.index(barrier) :]
    assert fake.project_snapshot(pid) is None
    assert api(fake, f"/v1/projects/{pid}").status_code == 404
    assert api(fake, f"/v2/projects/{pid}").status_code == 404
    assert pid not in json.dumps(socket_rest(fake, "/api/v1/artist/projects/active").json())
    assert pid not in json.dumps(socket_rest(fake, "/api/v1/artist/projects/sync").json())
    artist.close()
    again = Artist(fake)
    assert pid not in json.dumps(again.authenticated)
    again.close()


def test_drop_after_a_received_request_keeps_the_project(fake: FakeSupernet) -> None:
    conn = Artist(fake, app_id="dropper")
    fake.pause_workers()
    fake.drop_after_job_request(received=True)
    body = job_request(numberOfImages=2)
    conn.submit(body)
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        conn.wait_for("jobState")
    back = Artist(fake, app_id="dropper")
    (active,) = back.authenticated["activeProjects"]
    assert active["id"] == body["jobID"] and active["appId"] == "dropper"
    assert active["status"] == "active" and active["imageCount"] == 2
    assert json.loads(base64.b64decode(active["clientRequestData"])) == body
    assert back.authenticated["unclaimedCompletedProjects"] == []
    fake.resume_workers()
    assert back.finish(body["jobID"])[0] == "jobState"
    back.close()


def test_drop_after_a_lost_request_forgets_it(fake: FakeSupernet) -> None:
    conn = Artist(fake, app_id="dropper")
    fake.drop_after_job_request(received=False)
    body = job_request()
    conn.submit(body)
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        conn.wait_for("jobState")
    back = Artist(fake, app_id="dropper")
    assert back.authenticated["activeProjects"] == []
    assert api(fake, f"/v2/projects/{body['jobID']}").status_code == 404
    back.submit(body)  # the client's resend
    assert back.finish(body["jobID"])[0] == "jobState"
    back.close()


def test_frames_follow_the_project_to_the_new_connection(fake: FakeSupernet) -> None:
    first = Artist(fake, app_id="mover")
    fake.hold_results(True)
    pid = first.submit(job_request())
    first.wait_for("jobProgress", lambda p: p["step"] == 4)
    second = Artist(fake, app_id="mover")  # evicts the first (4015)
    (active,) = second.authenticated["activeProjects"]
    assert active["status"] == "progress"
    (job,) = active["workerJobs"]
    assert (job["id"], job["status"], job["performedSteps"]) == (pid, "jobProgress", 4)
    fake.hold_results(False)
    second.finish(pid)
    assert second.of(pid, "jobResult")
    first.close()
    second.close()


def test_unclaimed_completed_projects_are_delivered_once(fake: FakeSupernet) -> None:
    conn = Artist(fake, app_id="offline")
    fake.pause_workers()
    pid = conn.submit(job_request())
    conn.wait_for("jobState", lambda p: p["jobID"] == pid)
    conn.close()
    fake.received.wait_for(lambda r: r.kind == "ws_closed")
    fake.resume_workers()
    fake.wait_for_project(pid, status="finished")
    sync = socket_rest(fake, "/api/v1/artist/projects/sync", appId="offline").json()
    assert [p["id"] for p in sync["unclaimedCompletedProjects"]] == [pid]
    assert sync["activeProjects"] == [] and isinstance(sync["serverTime"], int)
    again = socket_rest(fake, "/api/v1/artist/projects/sync", appId="offline").json()
    assert [p["id"] for p in again["unclaimedCompletedProjects"]] == [pid]  # read-only
    back = Artist(fake, app_id="offline")
    (done,) = back.authenticated["unclaimedCompletedProjects"]
    assert done["status"] == "completed" and done["reason"] == "allJobsCompleted"
    (job,) = done["completedWorkerJobs"]
    assert job["status"] == "jobCompleted" and isinstance(job["seedUsed"], int)
    assert json.loads(base64.b64decode(done["clientRequestData"]))["jobID"] == pid
    back.close()
    third = Artist(fake, app_id="offline")
    assert third.authenticated["unclaimedCompletedProjects"] == []
    third.close()
    other_app = Artist(fake, app_id="someone-else")
    assert other_app.authenticated["activeProjects"] == []
    other_app.close()


# =============================================================================== REST records


def test_project_records_over_rest(fake: FakeSupernet, artist: Artist) -> None:
    fake.add_account(username="bob", api_key="sk-bob-key")
    fake.pause_workers()
    pid = artist.submit(job_request(numberOfImages=2, previews=1, appSource="tests"))
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    assert api(fake, f"/v1/projects/{pid}").status_code == 404  # finished projects only
    live = api(fake, f"/v2/projects/{pid}").json()["data"]["project"]
    assert (live["id"], live["status"], live["finished"]) == (pid, "queued", False)
    assert api(fake, f"/v2/projects/{pid}", key="sk-bob-key").status_code == 404
    active = socket_rest(fake, "/api/v1/artist/projects/active").json()
    assert [p["id"] for p in active["projects"]] == [pid]
    sync = socket_rest(fake, "/api/v1/artist/projects/sync").json()
    assert [p["id"] for p in sync["activeProjects"]] == [pid]
    fake.resume_workers()
    artist.finish(pid)
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert record["status"] == "completed" and record["reason"] == "allJobsCompleted"
    assert (record["imageCount"], record["stepCount"], record["previewCount"]) == (2, 4, 1)
    assert record["model"] == {"id": MODEL, "SID": 101, "name": "Flux.1 Schnell", "type": "image"}
    assert record["appSource"] == "tests" and record["workerJobs"] == []
    assert isinstance(record["createTime"], int) and record["endTime"] >= record["createTime"]
    seeds = {str(j["seedUsed"]) for j in record["completedWorkerJobs"]}
    assert seeds == {p["lastSeed"] for _, p in artist.of(pid, "jobResult")}
    assert all(j["worker"]["name"] for j in record["completedWorkerJobs"])
    done = api(fake, f"/v2/projects/{pid}").json()["data"]["project"]
    assert (done["status"], done["finished"]) == ("completed", True)
    assert socket_rest(fake, "/api/v1/artist/projects/active").json() == {"projects": []}


def test_sync_is_rate_limited(fake: FakeSupernet) -> None:
    statuses = [socket_rest(fake, "/api/v1/artist/projects/sync").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    limited = socket_rest(fake, "/api/v1/artist/projects/sync")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


# =============================================================================== catalog, estimates


def test_image_estimates(fake: FakeSupernet) -> None:
    v2 = socket_rest(fake, f"/api/v2/job/estimate/spark/fast/{MODEL}/2/4/1/0/0/1024/1024").json()
    assert v2["request"]["imageCount"] == 2 and v2["request"]["denoiseStrength"] == "0"
    job, project = v2["quote"]["job"], v2["quote"]["project"]
    for key in ("costInRenderSec", "costInUSD", "costInToken", "costInSpark", "costInSogni"):
        assert isinstance(project[key], str)
        assert Decimal(project[key]) == Decimal(job[key]) * 2
    assert v2["rate"]["tokenMarkePriceUSD"] and v2["benchmark"]["estimatedRenderTimeSec"] > 0
    relaxed = socket_rest(
        fake, f"/api/v2/job/estimate/spark/relaxed/{MODEL}/2/4/1/0/0/1024/1024"
    ).json()
    assert Decimal(relaxed["quote"]["project"]["costInUSD"]) * 2 == Decimal(project["costInUSD"])
    v3 = socket_rest(
        fake,
        "/api/v3/job/estimate/sogni/fast/qwen_image_edit_2511_fp8_lightning/1/4/0/0/0.4/0/0/1/euler/3",
        outputFormat="jpg",
    ).json()
    assert v3["request"]["denoiseStrength"] == "0.4"
    assert v3["quote"]["project"]["costInToken"] == v3["quote"]["project"]["costInSogni"]
    no_context = socket_rest(
        fake,
        "/api/v3/job/estimate/sogni/fast/qwen_image_edit_2511_fp8_lightning/1/4/0/0/0.4/0/0/1/_/0",
    ).json()
    assert Decimal(v3["quote"]["job"]["costInRenderSec"]) > Decimal(
        no_context["quote"]["job"]["costInRenderSec"]
    )
    unknown = socket_rest(fake, "/api/v2/job/estimate/spark/fast/nope/1/4/0/0/0/0/0")
    assert unknown.status_code == 404 and "nope" in unknown.text


def test_lora_catalog_is_public_and_filterable(fake: FakeSupernet) -> None:
    everything = requests.get(fake.rest_url + "/v1/loras/comfy", timeout=10).json()["data"]
    assert everything["constraints"] == {
        "maxPerRequest": 8,
        "minStrength": -100,
        "maxStrength": 100,
    }
    assert len(everything["loras"]) >= 3
    narrowed = requests.get(
        fake.rest_url + "/v1/loras/comfy", params={"modelId": "krea2_turbo_fp8_scaled"}, timeout=10
    ).json()["data"]
    assert all("krea2_turbo_fp8_scaled" in row["modelIds"] for row in narrowed["loras"])
    assert len(narrowed["loras"]) < len(everything["loras"])
    assert narrowed["models"] == everything["models"]  # not narrowed by the filter


def test_catalog_serves_models_per_network(fake: FakeSupernet) -> None:
    fast = socket_rest(fake, "/api/v1/status/network/fast/models").json()
    relaxed = socket_rest(fake, "/api/v1/status/network/relaxed/models").json()
    assert "104" in relaxed and "104" in fast  # SD 1.5 (CoreML) on both, as the examples use it
    assert "101" in relaxed and "101" in fast
    assert "106" in fast and "106" not in relaxed  # GPT Image 2 (vendor) on fast only
    assert "102" in fast and "102" not in relaxed  # Z-Image Turbo (GPU) on fast only
    tiers = socket_rest(fake, "/api/v2/models/tiers").json()
    models = socket_rest(fake, "/api/v1/models/list").json()
    assert all(m["tier"] in tiers for m in models)


# =============================================================================== metadata reader


def test_read_image_metadata_rejects_non_images() -> None:
    with pytest.raises(ValueError, match="not an image"):
        read_image_metadata(b"definitely not an image")
    assert read_image_metadata(png_bytes()) == {}


@pytest.fixture
def artist(fake: FakeSupernet) -> Iterator[Artist]:
    conn = Artist(fake)
    yield conn
    conn.close()
