"""Creative workflows end to end through ``client.workflows`` against the FakeSupernet: an
inline three-step plan whose results download and parse, a stream cut mid-run, cancel stopping
paid work, media references checked before sending, the pauses and resumes, reseed, the
active-workflow limit and 429s, and a hosted chat's workflow reference followed by id."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
import requests
from PIL import Image

from sogni import (
    ConflictError,
    SogniClient,
    ValidationError,
    WorkflowFailedError,
    WorkflowPartialFailure,
    WorkflowWaitingError,
)
from sogni.chat import DEFAULT_CHAT_MODEL
from sogni.testing import FakeSupernet
from sogni.workflows import WorkflowEvent

from ..helpers import FAST, wait_until
from ..media_checks import check_mp3, check_mp4

STREAM_TIMEOUTS = attrs.evolve(FAST, sse_idle=0.5, reconnect_base=0.05, reconnect_max=0.2)
START = "/v1/creative-agent/workflows"


def three_steps(music_seconds: int = 10) -> dict[str, Any]:
    return {
        "title": "Keyframe, clip and score",
        "steps": [
            {
                "id": "keyframe",
                "toolName": "generate_image",
                "arguments": {"prompt": "a lighthouse"},
            },
            {
                "id": "clip",
                "toolName": "generate_video",
                "arguments": {"prompt": "waves at dusk", "duration": 1},
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
                "arguments": {"prompt": "calm strings", "duration": music_seconds},
            },
        ],
    }


@pytest.fixture(autouse=True)
def _keep_alives(fake: FakeSupernet) -> None:
    fake.sse_keepalive = 0.05


def _net(fake: FakeSupernet, token: str = "spark") -> Decimal:
    value: Decimal = fake.call(lambda: fake.account.ledger(token).net)
    return value


def test_three_steps_run_in_order_and_their_outputs_download_and_parse(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    run = client.workflows.start(input=three_steps(), token_type="spark")
    record = run.wait(timeout=20)
    assert record.status == "completed" and run.status == "completed"
    assert [a.media_type for a in run.outputs] == ["image", "video", "audio"]
    assert [a.step_id for a in run.outputs] == ["keyframe", "clip", "score"]
    image, video, audio = (requests.get(url, timeout=10).content for url in run.result_urls)
    with Image.open(io.BytesIO(image)) as picture:
        assert picture.format == "PNG" and picture.size[0] > 0
    assert "moov" in check_mp4(video)
    assert check_mp3(audio) > 0
    # The video step got the keyframe's index, filled from its dependency.
    clip = next(s for s in record.steps if s["id"] == "clip")
    assert clip["arguments"]["referenceImageIndices"] == [0]
    events = client.workflows.events(run.id)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    started = [e.step_id for e in events if e.type == "step_started"]
    assert started == ["keyframe", "clip", "score"]
    assert events[-1].type == "workflow_completed" and events[-1].is_terminal


def test_a_stream_cut_mid_run_loses_and_repeats_nothing(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    fake.hold_workflows(7)  # the workflow waits before event 7 until the stream was cut
    run = client.workflows.start(input=three_steps())
    seen: list[WorkflowEvent] = []
    stream = client.workflows.stream_events(run.id)
    reader = threading.Thread(target=lambda: seen.extend(stream))
    reader.start()
    wait_until(lambda: len(seen) >= 6 and fake.open_workflow_streams() == 1, timeout=10)
    assert fake.cut_workflow_streams() == 1
    fake.hold_workflows(None)
    reader.join(15)
    assert not reader.is_alive()
    assert [e.sequence for e in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].type == "workflow_completed" and stream.last_event_id == seen[-1].sequence
    opened = wait_until(
        lambda: (r := fake.requests(f"{START}/{run.id}/events/stream")) and len(r) >= 2 and r
    )
    assert "after" not in opened[0].query and "Last-Event-ID" not in opened[0].headers
    assert opened[1].query["after"] == "6" and opened[1].headers["Last-Event-ID"] == "6"


def test_cancel_mid_run_stops_the_paid_work(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    plan = {
        "steps": [
            {"id": f"clip{i}", "toolName": "generate_video", "arguments": {"prompt": f"take {i}"}}
            for i in range(1, 4)
        ]
    }
    before = _net(fake)
    fake.hold_workflows(6)  # before the second step starts
    run = client.workflows.start(input=plan, token_type="spark")
    fake.wait_for_workflow(run.id, events=5)
    after_first = _net(fake)
    assert after_first < before  # the first step was paid for
    fake.pause_workers()
    fake.hold_workflows(None)
    wait_until(lambda: len(_executor_projects(fake)) == 2, timeout=10)
    record = run.cancel()
    fake.resume_workers()
    assert record.status == "cancelled"
    with pytest.raises(WorkflowFailedError) as caught:
        run.wait(timeout=10)
    assert caught.value.workflow_status == "cancelled"
    wait_until(lambda: all(p["finished"] for p in _executor_projects(fake)), timeout=10)
    # The step in flight was stopped and refunded; the third never started.
    assert len(_executor_projects(fake)) == 2
    assert _net(fake) == after_first
    steps = {s["id"]: s["status"] for s in client.workflows.get(run.id).record.steps}
    assert steps == {"clip1": "completed", "clip2": "cancelled", "clip3": "cancelled"}


def _executor_projects(fake: FakeSupernet) -> list[dict[str, Any]]:
    return [p for p in fake.projects_snapshot() if p["app_id"] == "sogni-tool-executor"]


def test_a_data_uri_media_reference_is_refused_with_nothing_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True)
    with pytest.raises(ValidationError) as caught:
        client.workflows.start(
            input=three_steps(),
            media_references=[
                {"url": "https://cdn.example/ok.png", "type": "image"},
                {"url": "data:image/png;base64,iVBORw0KGgo=", "type": "image"},
                {"dataUri": "data:audio/mp3;base64,AAAA"},
            ],
        )
    params = [p.param for p in caught.value.problems]
    assert params == ["media_references[1].url", "media_references[2].dataUri"]
    assert "do not support inline base64/data URI media" in str(caught.value)
    with pytest.raises(ValidationError):
        client.workflows.start(input=three_steps(), workflow_id="tpl_1")
    with pytest.raises(ValidationError):
        client.workflows.start()
    assert fake.requests(START, method="POST") == []


def test_input_media_feeds_a_step_and_an_unknown_transform_fails_it(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    photo = "https://cdn.example/uploads/face.png"
    plan = {
        "steps": [
            {
                "id": "animate",
                "toolName": "animate_photo",
                "arguments": {"prompt": "a smile"},
                "dependsOn": [
                    {
                        "sourceStepId": "$input_media",
                        "targetArgument": "imageUrl",
                        "transform": "image_url",
                        "sourceArtifactIndex": 0,
                    }
                ],
            },
            {
                "id": "caption",
                "toolName": "generate_image",
                "arguments": {"prompt": "a title card"},
                "dependsOn": [
                    {"sourceStepId": "animate", "targetArgument": "x", "transform": "subtitle_srt"}
                ],
            },
        ]
    }
    run = client.workflows.start(input=plan, media_references=[{"url": photo, "type": "image"}])
    with pytest.raises(WorkflowPartialFailure) as caught:
        run.wait(timeout=20)
    error = caught.value
    assert [o["stepId"] for o in error.outputs] == ["animate"]
    assert error.result_urls == [run.outputs[0].url]
    assert "subtitle_srt" in (error.reason or "")
    steps = {s["id"]: s for s in run.record.steps}
    assert steps["animate"]["arguments"]["imageUrl"] == photo
    assert steps["caption"]["status"] == "failed"


def test_a_failed_step_is_resumed_and_the_results_made_are_kept(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    fake.fail_next_job()
    run = client.workflows.start(input=three_steps())
    with pytest.raises(WorkflowPartialFailure) as caught:
        run.wait(timeout=20)
    # The keyframe failed, so the clip was skipped; the score was made.
    assert [o["stepId"] for o in caught.value.outputs] == ["score"]
    again = run.resume()
    assert again is not run and run.finished
    record = again.wait(timeout=20)
    assert record.status == "completed"
    assert sorted(a.step_id or "" for a in record.artifacts) == ["clip", "keyframe", "score"]
    types = [e.type for e in client.workflows.events(run.id)]
    assert types.count("workflow_partial_failure") == 1 and types[-1] == "workflow_completed"
    assert "workflow_resumed" in types


def test_a_cost_pause_raises_waiting_and_resume_goes_on(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    run = client.workflows.start(input=three_steps(), max_estimated_capacity_units=1)
    with pytest.raises(WorkflowWaitingError) as caught:
        run.wait(timeout=10)
    assert caught.value.reason == "cost_approval_required"
    assert caught.value.awaiting_cost_approval is True
    assert run.status == "waiting_for_user" and not run.finished
    assert client.workflows.get(run.id) is run
    assert run.resume() is run
    assert run.wait(timeout=20).status == "completed"
    assert len(run.outputs) == 3


def test_reseed_makes_a_new_take_and_a_repeated_key_returns_it(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    first = client.workflows.start(input=three_steps())
    first.wait(timeout=20)
    take = client.workflows.reseed(first.id, seed_overrides={"keyframe": 7}, idempotency_key="k1")
    assert take.cloned_from_run_id == first.id and take.workflow.workflow_id != first.id
    assert {"stepId": "keyframe", "seed": 7} in take.steps and not take.idempotent
    again = client.workflows.reseed(first.id, idempotency_key="k1")
    assert again.idempotent and again.workflow.workflow_id == take.workflow.workflow_id
    assert client.workflows.get(take.workflow.workflow_id).wait(timeout=20).status == "completed"
    listed = [w.workflow_id for w in client.workflows.list(limit=10)]
    assert set(listed) == {first.id, take.workflow.workflow_id}


def test_the_active_limit_answers_409_with_details_and_a_429_is_retried(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    fake.workflow_limit = 1
    fake.hold_workflows(2)
    held = client.workflows.start(input=three_steps())
    with pytest.raises(ConflictError) as caught:
        client.workflows.start(input=three_steps())
    assert caught.value.details == {"activeWorkflows": 1, "limit": 1}
    held.cancel()
    fake.hold_workflows(None)
    fake.throttle_workflows(1, retry_after=0.1)
    run = client.workflows.start(input=three_steps(), idempotency_key="once")
    assert run.wait(timeout=20).status == "completed"
    starts = [r for r in fake.requests(START, method="POST") if r.path == START]
    assert [r.headers["Idempotency-Key"] for r in starts[-2:]] == ["once", "once"]


def test_a_hosted_chat_workflow_reference_is_followed_by_id(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    answer = client.chat.hosted.create(
        model=DEFAULT_CHAT_MODEL,
        messages=[{"role": "user", "content": "compose_workflow for a lighthouse at dawn"}],
        sogni_tools="creative-agent",
        sogni_tool_execution=True,
    )
    (reference,) = answer.creative_workflows
    assert reference.stream_url == f"{fake.rest_url}{START}/{reference.workflow_id}/events/stream"
    run = client.workflows.get(reference.workflow_id)
    assert run.wait(timeout=20).status == "completed"
    assert [a.media_type for a in run.outputs] == ["image", "video"]
    body = json.loads(fake.requests("/v1/chat/completions")[-1].raw or "{}")
    assert body["sogni_tools"] == "creative-agent"
