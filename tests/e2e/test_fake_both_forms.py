"""Where the two official clients disagree on what they send, our SDK follows the TypeScript SDK
and the fake accepts both forms. Each test sends the form our SDK does NOT send (the Python SDK's)
over a raw connection and checks the fake treats it like the TypeScript form.

The list (protocol/01 §9, protocol/02 §11, protocol/03 §10, protocol/04 §9):

* null members: the Python SDK drops ``None`` from bodies, TypeScript sends ``null``
  -> ``test_job_request_without_null_members``;
* PY-only key-frame extras (``embedPromptMetadata``, ``promptExpanded``)
  -> ``test_python_only_extras_are_accepted``;
* ``socketEventSubscriptions`` always carrying ``projectQueue: true`` (Python)
  -> ``test_project_queue_subscription_in_the_upgrade``;
* the numbered H3 upload type ``type=referenceAudio2`` without ``id`` (Python) — covered by
  ``tests/e2e/test_fake_media.py::test_h3_r2v_numbered_reference_slots``;
* video requests without ``negativePrompt`` for local models (Python omits it, TypeScript sends
  ``""``) -> ``test_local_video_without_negative_prompt``;
* chat ``think=None``: Python sends ``chat_template_kwargs: {enable_thinking: false}``,
  TypeScript omits ``chat_template_kwargs`` -> ``test_chat_thinking_forms``;
* a workflow ``cancel``: Python sends ``{}``, TypeScript no body and no ``Content-Type``
  -> ``test_workflow_cancel_with_an_empty_body``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import websocket

from sogni._wire.envelope import encode_frame
from sogni.chat import DEFAULT_CHAT_MODEL
from sogni.testing import FakeSupernet

from ..raw_artist import Artist, job_request, new_project_id


@pytest.fixture
def artist(fake: FakeSupernet) -> Iterator[Artist]:
    conn = Artist(fake, app_id="both-forms")
    yield conn
    conn.close()


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _completed(artist: Artist, project_id: str) -> None:
    kind, payload = artist.finish(project_id)
    assert (kind, payload.get("type")) == ("jobState", "jobCompleted"), payload


def test_job_request_without_null_members(artist: Artist) -> None:
    body = job_request()
    assert None in body["keyFrames"][0].values()  # the TypeScript form has nulls
    _completed(artist, artist.submit(_drop_nulls(body)))


def test_python_only_extras_are_accepted(artist: Artist) -> None:
    body = job_request(
        kf={"embedPromptMetadata": True, "promptExpanded": "a red fox in fresh snow"}
    )
    _completed(artist, artist.submit(body))


def test_project_queue_subscription_in_the_upgrade(fake: FakeSupernet) -> None:
    flags = json.dumps({"projectQueue": True}, separators=(",", ":"))
    ws = websocket.create_connection(
        f"{fake.socket_url}/?appId=py-form&clientType=artist&forceWorkerId=fast"
        f"&socketEventSubscriptions={flags}",
        header=[f"api-key: {fake.api_key}"],
        timeout=10,
    )
    try:
        fake.wait_for_connections(1)
        ws.send(encode_frame("jobRequest", job_request()))
        fake.wait_for_frame("jobRequest")
        [record] = [r for r in fake.received if r.kind == "ws_connect" and r.app_id == "py-form"]
        assert json.loads(record.query["socketEventSubscriptions"]) == {"projectQueue": True}
    finally:
        ws.close()


def test_local_video_without_negative_prompt(artist: Artist) -> None:
    body = job_request(
        kf={"modelID": "wan_v2.2-14b-fp8_t2v_lightx2v", "frames": 17, "width": 832, "height": 480},
        outputFormat="mp4",
    )
    key_frame = body["keyFrames"][0]
    del key_frame["negativePrompt"]
    for key in [k for k in key_frame if k.startswith("hasContextImage")]:
        del key_frame[key]
    _completed(artist, artist.submit(body))


@pytest.mark.parametrize(
    "kwargs", [{}, {"chat_template_kwargs": {"enable_thinking": False}}], ids=["ts", "py"]
)
def test_chat_thinking_forms(artist: Artist, kwargs: dict[str, Any]) -> None:
    job_id = new_project_id()
    artist.send(
        "llmJobRequest",
        {
            "jobID": job_id,
            "type": "llm",
            "model": DEFAULT_CHAT_MODEL,
            "messages": [{"role": "user", "content": "Hello"}],
            **kwargs,
        },
    )
    _, result = artist.wait_for("llmJobResult", lambda p: p.get("jobID") == job_id)
    tokens = [p for kind, p in artist.of(job_id, "jobTokens")]
    text = "".join(p.get("content") or "" for p in tokens)
    assert "<think>" not in text and text.startswith('You said: "Hello"')
    assert result["usage"]["completion_tokens"] > 0


def test_workflow_cancel_with_an_empty_body(fake: FakeSupernet) -> None:
    headers = {"api-key": fake.api_key}
    base = fake.rest_url + "/v1/creative-agent/workflows"
    ask = {"id": "ask", "toolName": "ask_clarifying_question", "arguments": {"question": "?"}}
    started = requests.post(base, json={"input": {"steps": [ask]}}, headers=headers, timeout=10)
    assert started.status_code == 201, started.text
    workflow_id = started.json()["data"]["workflow"]["workflowId"]
    answer = requests.post(f"{base}/{workflow_id}/cancel", json={}, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["workflow"]["status"] == "cancelled"
