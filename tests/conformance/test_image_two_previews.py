"""Each official client runs a two-image project with one preview per image against the fake,
sees both previews, and downloads two results that each carry their own project id, job id,
job index and seed."""

from __future__ import annotations

import base64
import hashlib

import requests

from sogni.testing import FakeSupernet, read_image_metadata

from .harness import StartScenario

PROMPT = "Two lighthouses at dusk"
PARAMS = {
    "modelId": "flux1-schnell-fp8",
    "positivePrompt": PROMPT,
    "numberOfMedia": 2,
    "numberOfPreviews": 1,
    "steps": 4,
}


def test_two_images_with_one_preview_each(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    with start_scenario(language, "image_two_previews", args={"params": PARAMS}) as scenario:
        result = scenario.result()

    project_id = result["projectId"]
    assert result["status"] == "completed" and result["progress"] == 100
    snapshot = fake.project_snapshot(project_id)
    assert snapshot is not None and snapshot["status"] == "completed"
    assert snapshot["app_id"] == scenario.app_id
    served = {job["img_id"]: job for job in snapshot["jobs"]}
    assert len(served) == 2

    jobs = result["jobs"]
    assert {job["id"] for job in jobs} == set(served)
    assert sorted(job["jobIndex"] for job in jobs) == [0, 1]
    assert sorted(result["resultUrls"]) == sorted(job["resultUrl"] for job in jobs)
    for job in jobs:
        assert job["status"] == "completed"
        assert job["seed"] == served[job["id"]]["seed"]
        assert served[job["id"]]["job_index"] == job["jobIndex"]
        meta = read_image_metadata(base64.b64decode(job["result"]))
        assert meta["project_id"] == project_id
        assert meta["job_id"] == job["id"]
        assert meta["job_index"] == str(job["jobIndex"])
        assert meta["seed"] == str(job["seed"])
        assert meta["prompt_sha256"] == hashlib.sha256(PROMPT.encode()).hexdigest()
        assert meta["model_id"] == PARAMS["modelId"] and meta["format"] == "png"

    # One preview per job, its URL minted by the client and pointing at that job's preview.
    previews = result["previews"]
    assert sorted(p["jobId"] for p in previews) == sorted(served)
    assert all(p["projectId"] == project_id for p in previews)
    for preview in previews:
        job = next(j for j in jobs if j["id"] == preview["jobId"])
        assert job["previewUrl"] == preview["url"]
        response = requests.get(preview["url"], timeout=5)
        assert response.status_code == 200
        meta = read_image_metadata(response.content)
        assert meta["preview"] == "1"
        assert (meta["project_id"], meta["job_id"]) == (project_id, preview["jobId"])

    # The wire: one jobRequest asking for 2 images with 1 preview each, nothing else sent on the
    # socket about the project, and the client minted one preview and one result URL per job.
    frames = [f for f in fake.frames() if f.app_id == scenario.app_id]
    requests_sent = [f for f in frames if f.frame_type == "jobRequest"]
    assert len(requests_sent) == 1 and not requests_sent[0].dropped
    body = requests_sent[0].payload
    assert body["jobID"] == project_id
    assert (body["numberOfImages"], body["previews"]) == (2, 1)
    assert body["keyFrames"][0]["steps"] == 4
    assert body["keyFrames"][0]["modelID"] == PARAMS["modelId"]
    assert body["keyFrames"][0]["positivePrompt"] == PROMPT
    assert not [f for f in frames if f.frame_type == "jobError"]
    minted = sorted(
        (r.query.get("type"), r.query.get("imageId"))
        for r in fake.requests("/v1/image/downloadUrl")
        if r.query.get("jobId") == project_id
    )
    assert minted == sorted(
        [("complete", job_id) for job_id in served] + [("preview", job_id) for job_id in served]
    )
