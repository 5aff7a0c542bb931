"""Hosted chat with each official client against the fake: ``hosted.create`` with
``sogni_tools`` and ``sogni_tool_execution`` (the fake runs the tool as a real project and lists
it in ``sogni_tool_results``), ``hosted.executeTool``, and the client's own refusal to
stream."""

from __future__ import annotations

import io
import json

import requests
from PIL import Image

from sogni.chat import DEFAULT_CHAT_MODEL
from sogni.testing import FakeSupernet

from .harness import StartScenario

PROMPT = "generate_image of a lighthouse at dusk"


def test_hosted_create_with_sogni_tools_and_execute_tool(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    args = {"model": DEFAULT_CHAT_MODEL, "prompt": PROMPT, "enhance": "a quiet harbour"}
    with start_scenario(language, "chat_hosted", args=args) as scenario:
        result = scenario.result()

    completion = result["completion"]
    assert completion["object"] == "chat.completion" and completion["model"] == DEFAULT_CHAT_MODEL
    (choice,) = completion["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"].startswith("The tools returned: generate_image: ")
    (entry,) = completion["sogni_tool_results"]
    assert (entry["tool"], entry["ok"]) == ("generate_image", True)
    response = requests.get(entry["urls"][0], timeout=10)
    response.raise_for_status()
    with Image.open(io.BytesIO(response.content)) as picture:
        assert picture.format == "PNG"
    (project,) = fake.projects_snapshot()
    assert project["prompt"] == PROMPT and project["status"] == "completed"

    tool = result["tool"]
    assert tool["status"] == "success"
    assert tool["data"]["tool"] == "enhance_prompt"
    assert tool["data"]["result"]["prompt"].startswith("a quiet harbour")

    # The client refuses to stream hosted chat by itself: nothing more was sent.
    assert "non-streaming requests only" in result["streamError"]
    bodies = [json.loads(r.raw or "{}") for r in fake.requests("/v1/chat/completions")]
    assert len(bodies) == 1
    assert bodies[0]["sogni_tools"] is True and bodies[0]["sogni_tool_execution"] is True
    (call,) = fake.requests("/v1/creative-agent/tools/execute")
    assert json.loads(call.raw or "{}")["token_type"] == "auto"
