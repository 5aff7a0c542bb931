"""Hosted chat (``chat.hosted.create`` and ``chat.hosted.execute_tool``) end to end against the
FakeSupernet: the REST body and headers, the server running the Sogni tools, the results'
media, the 300 s timeout, and what is refused before anything is sent."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable

import attrs
import pytest
import requests
from PIL import Image

from sogni import (
    BadRequestError,
    InsufficientFundsError,
    SogniClient,
    SogniTimeoutError,
    ValidationError,
)
from sogni.chat import DEFAULT_CHAT_MODEL, HostedChatCompletion
from sogni.projects import WorkloadAttribution
from sogni.testing import FakeSupernet

from ..helpers import FAST
from ..media_checks import check_mp3, check_mp4

USER = [{"role": "user", "content": "Hello there"}]


def _png_data_uri() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 12), "green").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _download(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.content


def _hosted_calls(fake: FakeSupernet) -> list[dict[str, object]]:
    return [json.loads(r.raw or "null") for r in fake.requests("/v1/chat/completions")]


def test_the_body_has_exactly_the_rest_keys_and_the_answer_is_typed(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_source="my-app")
    answer = client.chat.hosted.create(
        messages=USER,
        max_tokens=64,
        temperature=0.5,
        top_p=0.9,
        stop=["###"],
        token_type="spark",
        billing_mode="tokens",
        task_profile="general",
        think=False,
        safe_content_filter=True,
        sogni_tools="rich",
        media_references=[{"url": "https://cdn.example/a.png"}],
        api_media_references=[{"id": "asset_1"}],
    )
    assert isinstance(answer, HostedChatCompletion)
    assert answer.content == 'You said: "Hello there". This is turn 1 of our conversation.'
    assert answer.finish_reason == "stop" and answer.tool_calls == ()
    assert answer.model == DEFAULT_CHAT_MODEL and answer.object == "chat.completion"
    assert answer.usage is not None and answer.usage.total_tokens == (
        answer.usage.prompt_tokens + answer.usage.completion_tokens
    )
    assert answer.sogni_tool_results == []
    (body,) = _hosted_calls(fake)
    assert body == {
        "model": DEFAULT_CHAT_MODEL,
        "messages": USER,
        "app_source": "my-app",
        "max_tokens": 64,
        "temperature": 0.5,
        "top_p": 0.9,
        "stop": ["###"],
        "token_type": "spark",
        "billingMode": "tokens",  # the one camelCase key of this body
        "sogni_tools": "creative-tools",  # "rich" is sent as the service's name
        "task_profile": "general",
        "media_references": [{"url": "https://cdn.example/a.png"}],
        "api_media_references": [{"id": "asset_1"}],
        "safe_content_filter": True,
        "chat_template_kwargs": {"enable_thinking": False},
    }


def test_headers_carry_the_app_source_and_the_attribution(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    client.chat.hosted.create(messages=USER)
    client.chat.hosted.create(
        messages=USER,
        app_source="  studio  ",
        attribution=WorkloadAttribution(workload_kind="agent_mediated", agent_framework="crew"),
    )
    client.chat.hosted.execute_tool(
        "enhance_prompt",
        {"prompt": "a cat"},
        attribution={"workload_kind": "direct", "operation_id": "op-7"},
    )
    plain, attributed = fake.requests("/v1/chat/completions")
    assert not [h for h in plain.headers if h.lower().startswith(("x-sogni-", "x-app-source"))]
    headers = attributed.headers
    assert headers["X-App-Source"] == "studio"
    assert headers["X-Sogni-Workload-Kind"] == "agent_mediated"
    assert headers["X-Sogni-Agent-Framework"] == "crew"
    assert headers["X-Sogni-Operation-Scope"] == "top_level"
    # A fresh upper-case UUID stands in for the operation id, and a top-level one is its root.
    operation = headers["X-Sogni-Operation-Id"]
    assert operation == operation.upper() and len(operation) == 36
    assert headers["X-Sogni-Root-Operation-Id"] == operation
    (tool_call,) = fake.requests("/v1/creative-agent/tools/execute")
    assert tool_call.headers["X-Sogni-Operation-Id"] == "op-7"
    assert tool_call.headers["X-Sogni-Workload-Kind"] == "direct"


def test_the_service_runs_the_sogni_tools_and_every_result_url_downloads(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    text = "#rounds=3 generate_image generate_video generate_music of a lighthouse"
    answer = client.chat.hosted.create(
        messages=[{"role": "user", "content": text}], sogni_tools=True, sogni_tool_execution=True
    )
    assert [r["tool"] for r in answer.sogni_tool_results] == [
        "generate_image",
        "generate_video",
        "generate_music",
    ]
    assert all(r["ok"] is True and r["toolCallId"] for r in answer.sogni_tool_results)
    image, video, music = (r["urls"] for r in answer.sogni_tool_results)
    with Image.open(io.BytesIO(_download(image[0]))) as picture:
        assert picture.format == "PNG"
    assert "moov" in check_mp4(_download(video[0]))
    assert check_mp3(_download(music[0])) > 0
    # The model read the results and answered; the projects ran under this account.
    assert answer.finish_reason == "stop"
    assert answer.content.startswith("The tools returned: generate_music: ")
    projects = fake.projects_snapshot()
    assert [p["media"] for p in projects] == ["image", "video", "audio"]
    assert all(p["status"] == "completed" and p["account"] == "alice" for p in projects)
    assert [p["prompt"] for p in projects] == [text.removeprefix("#rounds=3 ")] * 3


def test_without_execution_the_sogni_tool_calls_come_back_unrun(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    answer = client.chat.hosted.create(
        messages=[{"role": "user", "content": "please generate_image of a fox"}],
        sogni_tools="creative-tools",
    )
    assert answer.finish_reason == "tool_calls"
    assert [c.name for c in answer.tool_calls] == ["generate_image"]
    assert json.loads(answer.tool_calls[0].arguments)["prompt"] == "please generate_image of a fox"
    assert answer.sogni_tool_results == [] and fake.projects_snapshot() == []


def test_stream_true_is_refused_before_anything_is_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    with pytest.raises(ValidationError) as caught:
        client.chat.hosted.create(messages=USER, stream=True)  # type: ignore[call-overload]
    assert caught.value.params == ["stream"]
    with pytest.raises(ValidationError) as caught:
        client.chat.hosted.create(messages=USER, temperature=9, attribution={"workload_kind": "x"})
    assert caught.value.params == ["temperature", "attribution.workload_kind"]
    assert fake.requests("/v1/chat/completions") == []


def test_a_vision_image_is_inlined_as_in_socket_chat(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    uri = _png_data_uri()
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": uri}},
        ],
    }
    answer = client.chat.hosted.create(messages=[message])
    assert "I see 1 image(s): 20x12 PNG" in answer.content
    (body,) = _hosted_calls(fake)
    assert body["messages"][0]["content"][1]["image_url"]["url"] == uri  # type: ignore[index]


def test_hosted_calls_wait_300_seconds_by_default(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    # The client's own REST deadline is 0.5 s; a hosted call may take 300 s.
    client = make_client(timeouts=attrs.evolve(FAST, rest=0.3, rest_total=0.5))
    fake.delay_next(0.8, path="/v1/chat/completions")
    assert client.chat.hosted.create(messages=USER).finish_reason == "stop"
    fake.delay_next(0.8, path="/v1/chat/completions")
    with pytest.raises(SogniTimeoutError):
        client.chat.hosted.create(messages=USER, timeout=0.3)


def test_the_services_refusals_map_to_the_error_tree(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    with pytest.raises(BadRequestError, match="not available"):
        client.chat.hosted.create(messages=USER, model="no-such-model")
    fake.set_balance(0, token_type="sogni")
    with pytest.raises(InsufficientFundsError) as caught:
        client.chat.hosted.create(messages=USER)
    assert caught.value.status == 402 and caught.value.error_code == 123


def test_execute_tool_runs_a_composition_tool(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    result = client.chat.hosted.execute_tool(
        "compose_lyrics", {"prompt": "rain on a tin roof"}, token_type="auto", app_source="lyr"
    )
    assert result.tool == "compose_lyrics"
    assert "rain on a tin roof" in result.result["lyrics"]
    assert result.tool_call_id is not None and result.tool_call_id.startswith("call_")
    (call,) = fake.requests("/v1/creative-agent/tools/execute")
    assert json.loads(call.raw or "") == {
        "tool": "compose_lyrics",
        "arguments": {"prompt": "rain on a tin roof"},
        "app_source": "lyr",
        "token_type": "auto",
    }
    with pytest.raises(BadRequestError, match="cannot be executed directly"):
        client.chat.hosted.execute_tool("generate_image", {"prompt": "x"})
    with pytest.raises(ValidationError) as caught:
        client.chat.hosted.execute_tool("", [], token_type="euro")  # type: ignore[arg-type]
    assert caught.value.params == ["tool", "arguments", "token_type"]
