"""Creative workflows with each official client against the fake: ``workflows.start`` with an
inline plan of three steps (image, a video from it, music) and ``streamEvents`` to the terminal
frame, ``cancel`` mid-run, and templates create/get/fork/delete."""

from __future__ import annotations

import json

import requests

from sogni.testing import FakeSupernet

from .harness import StartScenario

PLAN = {
    "title": "Keyframe, clip and score",
    "steps": [
        {"id": "keyframe", "toolName": "generate_image", "arguments": {"prompt": "a lighthouse"}},
        {
            "id": "clip",
            "toolName": "generate_video",
            "arguments": {"prompt": "waves", "duration": 1},
            "dependsOn": [
                {
                    "sourceStepId": "keyframe",
                    "sourceArtifactIndex": 0,
                    "targetArgument": "referenceImageIndices",
                    "mediaType": "image",
                    "transform": "image_index",
                    "required": True,
                }
            ],
        },
        {
            "id": "score",
            "toolName": "generate_music",
            "arguments": {"prompt": "strings", "duration": 10},
        },
    ],
}
LONG = {
    "steps": [
        {"id": f"clip{i}", "toolName": "generate_video", "arguments": {"prompt": f"take {i}"}}
        for i in range(12)
    ]
}
TEMPLATE = {
    "name": "Poster",
    "version": "1",
    "description": "A poster",
    "inputs": [{"name": "subject", "type": "text", "required": True}],
    "stages": [
        {"id": "p", "toolName": "generate_image", "arguments": {"prompt": "$inputs.subject"}}
    ],
}
MAGIC = {"png": b"\x89PNG", "mp4": b"ftyp", "mp3": b"ID3"}


def test_workflows_stream_cancel_and_templates(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    fake.sse_keepalive = 0.05
    args = {"plan": PLAN, "longPlan": LONG, "template": TEMPLATE}
    with start_scenario(language, "workflows", args=args, deadline=60.0) as scenario:
        result = scenario.result()

    assert result["started"]["status"] == "queued"
    frames = result["frames"]
    assert [int(f["id"]) for f in frames] == list(range(1, len(frames) + 1))
    assert frames[-1]["status"] == "completed" and frames[-1]["event"] == "workflow_completed"
    assert all(f["status"] == "running" for f in frames[:-1])
    artifacts = result["finished"]["artifacts"]
    assert [a["mediaType"] for a in artifacts] == ["image", "video", "audio"]
    for artifact, magic in zip(artifacts, (MAGIC["png"], MAGIC["mp4"], MAGIC["mp3"])):
        content = requests.get(artifact["url"], timeout=10).content
        assert magic in content[:12]
    (start,) = [
        r
        for r in fake.requests("/v1/creative-agent/workflows", method="POST")
        if r.path == "/v1/creative-agent/workflows"
        and r.headers.get("Idempotency-Key") == f"plan-{scenario.app_id}"
    ]
    body = json.loads(start.raw or "{}")
    assert body["input"] == PLAN and body["token_type"] == "spark"

    assert result["cancelled"]["status"] == "cancelled"
    assert result["cancelFrames"][-1]["status"] == "cancelled"
    record = fake.workflow_snapshot(result["cancelled"]["workflowId"])
    assert record is not None
    assert sum(1 for s in record["steps"] if s["status"] == "completed") < len(LONG["steps"])

    assert result["template"]["name"] == "Poster" and result["fork"]["name"] == "Forked"
    assert result["listed"] == [result["template"]["id"]]
