"""Socket chat with each official client against the fake's deterministic LLM worker: plain,
streaming, a tool-call round trip, and vision."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from PIL import Image

from sogni.chat import DEFAULT_CHAT_MODEL
from sogni.testing import FakeSupernet

from .harness import StartScenario

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city_name": {"type": "string"},
                "unit": {"enum": ["metric", "imperial"]},
            },
            "required": ["city_name", "unit"],
        },
    },
}


def _chat(start_scenario: StartScenario, language: str, **args: Any) -> tuple[dict[str, Any], str]:
    with start_scenario(language, "chat", args=args) as scenario:
        return scenario.result(), scenario.app_id


def _requests(fake: FakeSupernet, app_id: str) -> list[dict[str, Any]]:
    return [f.payload for f in fake.frames("llmJobRequest") if f.app_id == app_id and not f.dropped]


def test_plain(fake: FakeSupernet, start_scenario: StartScenario, language: str) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello there"},
    ]
    result, app_id = _chat(
        start_scenario, language, params={"model": DEFAULT_CHAT_MODEL, "messages": messages}
    )
    [round_] = result["rounds"]
    assert round_["content"] == 'You said: "Hello there". This is turn 1 of our conversation.'
    assert round_["finishReason"] == "stop"
    [request] = _requests(fake, app_id)
    assert request["messages"] == messages and request["model"] == DEFAULT_CHAT_MODEL
    assert "stream" not in request or request["stream"] is False


def test_streaming(fake: FakeSupernet, start_scenario: StartScenario, language: str) -> None:
    messages = [{"role": "user", "content": "Tell me a story about lighthouses"}]
    params = {"model": DEFAULT_CHAT_MODEL, "messages": messages, "stream": True}
    result, app_id = _chat(start_scenario, language, params=params)
    [round_] = result["rounds"]
    assert len(round_["chunks"]) > 5  # one word per token frame
    assert "".join(round_["chunks"]) == round_["content"]
    assert round_["content"].startswith('You said: "Tell me a story about lighthouses".')
    [request] = _requests(fake, app_id)
    assert request["stream"] is True


def test_tool_call_round_trip(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    messages = [{"role": "user", "content": "What is the weather in Oslo?"}]
    params = {
        "model": DEFAULT_CHAT_MODEL,
        "messages": messages,
        "tools": [WEATHER_TOOL],
        "stream": True,
    }
    result, app_id = _chat(start_scenario, language, params=params, toolResult='{"temp_c": 4}')
    first, second = result["rounds"]
    assert first["finishReason"] == "tool_calls"
    [call] = first["toolCalls"]
    assert call["function"]["name"] == "get_weather"
    arguments = json.loads(call["function"]["arguments"])
    assert set(arguments) == {"city_name", "unit"} and arguments["unit"] == "metric"
    assert second["content"] == 'The tools returned: get_weather: {"temp_c": 4}'
    requests = _requests(fake, app_id)
    assert len(requests) == 2
    assert requests[0]["tools"] == [WEATHER_TOOL]  # user JSON untouched, snake_case inside
    assert [m["role"] for m in requests[1]["messages"]] == ["user", "assistant", "tool"]


def test_vision(fake: FakeSupernet, start_scenario: StartScenario, language: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "PNG")
    data_uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": data_uri}},
            ],
        }
    ]
    result, app_id = _chat(
        start_scenario, language, params={"model": DEFAULT_CHAT_MODEL, "messages": messages}
    )
    [round_] = result["rounds"]
    assert "I see 1 image(s): 64x48 PNG" in round_["content"]
    [request] = _requests(fake, app_id)
    parts = request["messages"][0]["content"]
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
