"""Durable chat runs end to end against the FakeSupernet: the create body and its idempotency
key, inline media refused before sending, the cost-approval pause (confirm, decline, stale),
cancel that stops paid work, the end states, and reading runs back."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sogni import (
    ChatRunCanceledError,
    ChatRunError,
    ChatRunPartialFailureError,
    ChatRunWaitingError,
    ConflictError,
    NotFoundError,
    SogniClient,
    SogniError,
    ValidationError,
)
from sogni.chat import ChatRun, ChatRunRecord, MediaContext
from sogni.chat._runs import _LOCAL_MEDIA_MESSAGE, INLINE_MEDIA_MESSAGE
from sogni.testing import FakeSupernet

from ..helpers import wait_until

PLAIN = [{"role": "user", "content": "Plan a three-shot product video"}]
IMAGE = [{"role": "user", "content": "generate_image of a red kite over the dunes"}]
APPROVAL = {"requireJobConfirmation": True, "jobConfirmationThresholdUsd": 0}


def _creates(fake: FakeSupernet) -> list[Any]:
    return fake.requests("/v1/chat/runs", method="POST")


def _body(record: Any) -> Any:
    return json.loads(record.raw or "null")


def test_create_sends_the_snake_case_body_and_always_an_idempotency_key(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_source="studio")
    run = client.chat.runs.create(
        messages=PLAIN,
        model="qwen3.6-35b-a3b-gguf-iq4xs",
        sampling={"temperature": 0.4, "max_tokens": 300},
        media_references=[{"url": "https://cdn.example/ref.png", "mediaType": "image"}],
        media_context={"images": [], "videos": [], "audio": [], "uploadedImages": []},
        max_estimated_capacity_units=500,
        confirm_cost=False,
        session_id="session-1",
        client_message_id="message-1",
        token_type="spark",
        billing_mode="tokens",
        runtime_config={"qualityTier": "fast", "personaNames": ["Ada"]},
    )
    assert isinstance(run, ChatRun) and run.id.startswith("run_")
    assert run.status == "queued"
    assert [(e.sequence, e.type) for e in run.record.events] == [(0, "run_created")]
    (create,) = _creates(fake)
    assert _body(create) == {
        "messages": PLAIN,
        "model": "qwen3.6-35b-a3b-gguf-iq4xs",
        "sampling": {"temperature": 0.4, "max_tokens": 300},
        "media_references": [{"url": "https://cdn.example/ref.png", "mediaType": "image"}],
        # Nested objects keep the caller's casing.
        "media_context": {"images": [], "videos": [], "audio": [], "uploadedImages": []},
        "max_estimated_capacity_units": 500,
        "confirm_cost": False,
        "session_id": "session-1",
        "client_message_id": "message-1",
        "token_type": "spark",
        "billing_mode": "tokens",
        "app_source": "studio",
        "runtime_config": {"qualityTier": "fast", "personaNames": ["Ada"]},
    }
    assert create.status == 202
    key = create.headers["Idempotency-Key"]
    assert key == key.upper() and len(key) == 36  # made for this call
    assert create.headers["X-App-Source"] == "studio"
    record = run.wait(timeout=10)
    assert record.status == "completed" and record.finish_reason == "stop"
    assert (
        record.content
        == 'You said: "Plan a three-shot product video". This is turn 1 of our conversation.'
    )
    assert record.request["sessionId"] == "session-1"
    client.chat.runs.create(messages=PLAIN, idempotency_key="mine-1")
    assert _creates(fake)[1].headers["Idempotency-Key"] == "mine-1"


def test_a_retried_create_returns_the_same_run(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    # The first answer is lost on the way back: our own retry sends the same key.
    fake.drop_response_next(path="/v1/chat/runs", method="POST")
    run = client.chat.runs.create(messages=PLAIN)
    first, second = _creates(fake)
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert len(fake.runs_snapshot()) == 1
    assert run.record.idempotent is True
    # The caller retrying with its own key gets the very same run (and handle).
    again = client.chat.runs.create(messages=PLAIN, idempotency_key="retry-me")
    assert again.record.idempotent is None
    same = client.chat.runs.create(messages=PLAIN, idempotency_key="retry-me")
    assert same is again and same.record.idempotent is True
    assert len(fake.runs_snapshot()) == 2
    with pytest.raises(ConflictError, match="different run"):
        client.chat.runs.create(messages=IMAGE, idempotency_key="retry-me")


def test_inline_and_local_media_are_refused_with_their_paths_and_nothing_is_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], tmp_path: Path
) -> None:
    client = make_client()
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Use these"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "image_url", "image_url": {"url": "https://cdn.example/ok.png"}},
                {"type": "image_url", "image_url": {"url": picture}},
                {"type": "image_url", "image_url": {"url": "ftp://host/x.png"}},
            ],
        }
    ]
    with pytest.raises(ValidationError) as caught:
        client.chat.runs.create(
            messages=messages,
            media_references=[
                {"url": "https://cdn.example/ok.png"},
                {"url": "DATA:image/png;base64,AAAA"},
                {"dataUri": "data:image/png;base64,AAAA"},
                {"data_uri": "data:image/png;base64,AAAA", "url": " "},
            ],
            media_context={
                "images": ["https://cdn.example/1.png", "/home/me/2.png"],
                "uploadedAudio": ["data:audio/wav;base64,UklGRg=="],
            },
        )
    problems = [(p.param, p.message) for p in caught.value.problems]
    assert problems == [
        ("messages[0].content[1].image_url.url", INLINE_MEDIA_MESSAGE),
        ("messages[0].content[3].image_url.url", _LOCAL_MEDIA_MESSAGE),
        ("messages[0].content[4].image_url.url", INLINE_MEDIA_MESSAGE),
        ("media_references[1].url", INLINE_MEDIA_MESSAGE),
        ("media_references[2].dataUri", INLINE_MEDIA_MESSAGE),
        ("media_references[3].data_uri", INLINE_MEDIA_MESSAGE),
        ("media_context.images[1]", INLINE_MEDIA_MESSAGE),
        ("media_context.uploadedAudio[0]", INLINE_MEDIA_MESSAGE),
    ]
    with pytest.raises(ValidationError) as caught:
        client.chat.runs.create(
            messages=PLAIN, media_context=MediaContext(uploaded_images=[b"\x89PNG raw bytes"])
        )
    assert caught.value.params == ["media_context.uploaded_images[0]"]
    assert _creates(fake) == []


def test_a_media_context_object_is_sent_in_the_wire_casing(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    context = MediaContext(
        images=["https://cdn.example/a.png"], uploaded_videos=["https://cdn.example/v.mp4"]
    )
    client.chat.runs.create(messages=PLAIN, media_context=context)
    assert _body(_creates(fake)[0])["media_context"] == {
        "images": ["https://cdn.example/a.png"],
        "videos": [],
        "audio": [],
        "uploadedVideos": ["https://cdn.example/v.mp4"],
    }


def test_the_run_pauses_for_cost_approval_and_goes_on_when_confirmed(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    run = client.chat.runs.create(messages=IMAGE, token_type="spark", runtime_config=APPROVAL)
    with pytest.raises(ChatRunWaitingError) as caught:
        run.wait(timeout=10)
    waiting = caught.value
    server = fake.run_snapshot(run.id)
    assert server is not None and server["status"] == "waiting_for_user"
    details = server["waiting"]["details"]
    assert waiting.reason == "cost_approval_required"
    assert waiting.tool_call_id == details["toolCallId"]
    assert waiting.cost_preview == details["costApprovalPreview"]
    assert waiting.cost_preview["tokenType"] == "spark"
    assert run.status == "waiting_for_user" and run.waiting is not None
    assert run.waiting.pending_tool_call_ids == (waiting.tool_call_id,)
    # Nothing paid has started while it waits.
    assert fake.projects_snapshot() == []
    # Waiting again raises again, at once: the run still needs its user.
    with pytest.raises(ChatRunWaitingError):
        run.wait(timeout=10)

    record = run.confirm_cost(idempotency_key="approve-1")
    assert record.status == "running" and record.waiting is None
    confirm = fake.requests(f"/v1/chat/runs/{run.id}/confirm-cost")[0]
    assert _body(confirm) == {
        "tool_call_id": waiting.tool_call_id,
        "decision": "confirm",
        "acceptedCostPreview": waiting.cost_preview,  # sent back unchanged
    }
    assert confirm.headers["Idempotency-Key"] == "approve-1"
    final = run.wait(timeout=10)
    assert final.status == "completed" and len(final.result_urls) == 1
    types = [e.type for e in final.events]
    assert types[
        types.index("run_waiting_for_user") + 1 : types.index("run_waiting_for_user") + 3
    ] == [
        "run_cost_confirmation_resolved",
        "run_resumed",
    ]
    (project,) = fake.projects_snapshot()
    assert project["status"] == "completed" and project["media"] == "image"


def test_a_run_under_the_threshold_does_not_pause(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    config = {"requireJobConfirmation": True, "jobConfirmationThresholdUsd": 5}
    run = client.chat.runs.create(messages=IMAGE, runtime_config=config)
    record = run.wait(timeout=10)
    assert record.status == "completed"
    assert "run_waiting_for_user" not in [e.type for e in record.events]


def test_a_declined_cost_runs_nothing_paid_and_the_run_still_answers(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    run = client.chat.runs.create(messages=IMAGE, runtime_config=APPROVAL)
    with pytest.raises(ChatRunWaitingError) as caught:
        run.wait(timeout=10)
    run.confirm_cost(accept=False, reason="too dear")
    body = _body(fake.requests(f"/v1/chat/runs/{run.id}/confirm-cost")[0])
    assert body == {
        "tool_call_id": caught.value.tool_call_id,
        "decision": "cancel",
        "reason": "too dear",
    }
    record = run.wait(timeout=10)
    assert record.status == "completed" and record.result_urls == []
    assert [r["status"] for r in record.tool_results] == ["cancelled"]
    assert fake.projects_snapshot() == []


def test_confirming_checks_the_preview_and_the_pause(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    runs = client.chat.runs
    run = runs.create(messages=IMAGE, runtime_config=APPROVAL)
    with pytest.raises(ChatRunWaitingError) as caught:
        run.wait(timeout=10)
    call_id, preview = caught.value.tool_call_id, caught.value.cost_preview
    assert call_id is not None and preview is not None
    with pytest.raises(ValidationError) as refused:
        runs.confirm_cost(run.id, tool_call_id=call_id)
    assert refused.value.params == ["accepted_cost_preview"]
    stale = {**preview, "totalEstimatedCapacityUnits": preview["totalEstimatedCapacityUnits"] + 1}
    with pytest.raises(ConflictError, match="stale"):
        runs.confirm_cost(run.id, tool_call_id=call_id, accepted_cost_preview=stale)
    with pytest.raises(ConflictError, match="not the one awaiting"):
        runs.confirm_cost(run.id, tool_call_id="call_other", accepted_cost_preview=preview)
    runs.confirm_cost(
        run.id, tool_call_id=call_id, accepted_cost_preview=preview, idempotency_key="k1"
    )
    # A duplicate of the same decision is answered as a success.
    again = runs.confirm_cost(
        run.id, tool_call_id=call_id, accepted_cost_preview=preview, idempotency_key="k1"
    )
    assert again.run_id == run.id
    run.wait(timeout=10)
    with pytest.raises(ConflictError, match="not awaiting"):
        runs.confirm_cost(run.id, tool_call_id=call_id, accepted_cost_preview=preview)
    with pytest.raises(SogniError, match="not waiting for a cost approval"):
        run.confirm_cost()


def test_the_service_answers_400_to_a_confirm_without_a_preview(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    import requests

    client = make_client()
    run = client.chat.runs.create(messages=IMAGE, runtime_config=APPROVAL)
    with pytest.raises(ChatRunWaitingError) as caught:
        run.wait(timeout=10)
    answer = requests.post(
        f"{fake.rest_url}/v1/chat/runs/{run.id}/confirm-cost",
        json={"tool_call_id": caught.value.tool_call_id, "decision": "confirm"},
        headers={"api-key": fake.api_key},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "acceptedCostPreview is required to confirm"


def test_cancel_stops_the_paid_work_of_a_running_tool(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.pause_workers()
    run = client.chat.runs.create(
        messages=[{"role": "user", "content": "generate_video of waves"}], token_type="spark"
    )
    project = wait_until(lambda: (fake.projects_snapshot() or [None])[0])
    assert Decimal(project["held"]) > 0
    record = run.cancel("changed my mind")
    assert record.status == "cancelled" and record.cancellation_reason == "changed my mind"
    with pytest.raises(ChatRunCanceledError) as caught:
        run.wait(timeout=10)
    assert caught.value.run_id == run.id and caught.value.reason == "changed my mind"
    assert _body(fake.requests(f"/v1/chat/runs/{run.id}/cancel")[0]) == {
        "reason": "changed my mind"
    }
    # The project stopped and was refunded: nothing was charged, nothing is held.
    wait_until(lambda: fake.project_snapshot(project["id"])["status"] == "cancelled")  # type: ignore[index]
    stopped = fake.project_snapshot(project["id"])
    assert stopped is not None and (stopped["charged"], stopped["held"]) == ("0", "0")
    fake.resume_workers()
    # Nothing follows the terminal event.
    events = fake.run_snapshot(run.id)["events"]  # type: ignore[index]
    assert events[-1]["type"] == "run_cancelled"
    with pytest.raises(ConflictError):
        client.chat.runs.cancel(run.id)


def test_a_partial_failure_carries_the_media_that_was_made(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.fail_next_job(after_steps=0)  # the first tool's render fails; the second's works
    run = client.chat.runs.create(
        messages=[{"role": "user", "content": "#rounds=2 generate_image then generate_music"}]
    )
    with pytest.raises(ChatRunPartialFailureError) as caught:
        run.wait(timeout=15)
    error = caught.value
    assert error.run_status == "partial_failure" and error.run_id == run.id
    assert [a["mediaType"] for a in error.artifacts] == ["audio"]
    assert error.result_urls == [a["url"] for a in error.artifacts]
    assert run.record.status == "partial_failure"


def test_a_run_whose_tools_all_fail_fails(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    run = client.chat.runs.create(
        messages=[{"role": "user", "content": "generate_image of a storm [fail]"}]
    )
    with pytest.raises(ChatRunError) as caught:
        run.wait(timeout=10)
    assert type(caught.value) is ChatRunError
    assert caught.value.run_status == "failed" and "generate_image failed" in (
        caught.value.reason or ""
    )


def test_get_returns_the_live_handle_and_a_finished_run_is_settled_at_once(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    run = client.chat.runs.create(messages=PLAIN)
    assert client.chat.runs.get(run.id) is run
    record = run.wait(timeout=10)
    del run
    other = make_client()  # another client (another process, say) reads it back
    again = other.chat.runs.get(record.run_id)
    assert again.finished and again.future.result(0) == record
    assert [e.type for e in again.events()] == ["run_completed"]
    with pytest.raises(NotFoundError):
        other.chat.runs.get("run_missing")
    with pytest.raises(NotFoundError):
        list(other.chat.runs.stream_events("run_missing"))


def test_stream_events_reads_the_log_in_order_and_resumes_after_a_sequence(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    run = client.chat.runs.create(messages=PLAIN)
    with client.chat.runs.stream_events(run.id) as stream:
        events = list(stream)
    assert [e.sequence for e in events] == list(range(len(events)))
    assert events[0].type == "run_created" and events[-1].type == "run_completed"
    assert stream.last_event_id == events[-1].sequence
    later = list(client.chat.runs.stream_events(run.id, last_event_id=5))
    assert later == events[6:]
    (_, resumed) = [r for r in fake.requests(f"/v1/chat/runs/{run.id}/events/stream")]
    assert resumed.headers["Accept"] == "text/event-stream"
    assert resumed.headers["Last-Event-ID"] == "5"
    assert isinstance(run.refresh(), ChatRunRecord)
