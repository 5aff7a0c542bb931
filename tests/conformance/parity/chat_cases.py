"""Chat wire-parity rows: the same completion through the TypeScript SDK's
``chat.completions.create`` (``ts``) and ours (``py``, snake_case keyword arguments)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from sogni.chat import DEFAULT_CHAT_MODEL

__all__ = ["CHAT_CASES", "ChatCase"]


@dataclass(frozen=True)
class ChatCase:
    name: str
    ts: dict[str, Any]
    py: dict[str, Any]


def _png_data_uri() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), "blue").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


USER = [{"role": "user", "content": "Hello"}]
FOUR_ROLES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Weather in Oslo?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city_name":"Oslo"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 4}'},
]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city_name": {"type": "string"},
                "unit_system": {"enum": ["metric", "imperial"]},
            },
            "required": ["city_name"],
            "additionalProperties": False,
        },
    },
}
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "city_report",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"city_name": {"type": "string"}, "temperature_c": {"type": "number"}},
            "required": ["city_name", "temperature_c"],
        },
    },
}


def _row(
    name: str,
    ts_extra: dict[str, Any],
    py_extra: dict[str, Any] | None = None,
    messages: Any = None,
) -> ChatCase:
    base = {"model": DEFAULT_CHAT_MODEL, "messages": messages or USER}
    return ChatCase(
        name, {**base, **ts_extra}, {**base, **(ts_extra if py_extra is None else py_extra)}
    )


CHAT_CASES: list[ChatCase] = [
    _row("minimal", {}),
    _row("four_roles", {}, messages=FOUR_ROLES),
    _row(
        "vision_part",
        {},
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": _png_data_uri()}},
                ],
            }
        ],
    ),
    _row("max_tokens", {"max_tokens": 64}),
    _row("temperature", {"temperature": 0.7}),
    _row("top_p", {"top_p": 0.9}),
    _row("top_k", {"top_k": 40}),
    _row("min_p", {"min_p": 0.05}),
    _row("repetition_penalty", {"repetition_penalty": 1.1}),
    _row("frequency_penalty", {"frequency_penalty": 0.5}),
    _row("presence_penalty", {"presence_penalty": 0.25}),
    _row("whole_number_temperature", {"temperature": 1}),
    _row("stop_string", {"stop": "END"}),
    _row("stop_list", {"stop": ["END", "\n\n"]}),
    _row("tools_auto", {"tools": [TOOL], "tool_choice": "auto"}),
    _row("tools_none", {"tools": [TOOL], "tool_choice": "none"}),
    _row(
        "tools_named",
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
    ),
    _row("response_format_text", {"response_format": {"type": "text"}}),
    _row("response_format_json_object", {"response_format": {"type": "json_object"}}),
    _row("response_format_json_schema", {"response_format": SCHEMA}),
    _row("think_on", {"think": True}),
    _row("think_off", {"think": False}),
    _row("task_profile", {"taskProfile": "coding"}, {"task_profile": "coding"}),
    _row("token_type", {"tokenType": "spark"}, {"token_type": "spark"}),
    _row("sogni_tools_true", {"sogni_tools": True, "sogni_tool_execution": True}),
    _row("sogni_tools_rich", {"sogni_tools": " Rich ", "sogni_tool_execution": False}),
    _row("sogni_tools_creative_agent", {"sogni_tools": "creative-agent"}),
    _row("sogni_tools_off", {"sogni_tools": False}),
    _row("stream_true", {"stream": True}),
    _row("stream_false", {"stream": False}),
    _row(
        "everything",
        {
            "max_tokens": 128,
            "temperature": 0.2,
            "top_p": 0.8,
            "stop": ["###"],
            "tokenType": "sogni",
            "think": True,
            "taskProfile": "reasoning",
            "stream": True,
        },
        {
            "max_tokens": 128,
            "temperature": 0.2,
            "top_p": 0.8,
            "stop": ["###"],
            "token_type": "sogni",
            "think": True,
            "task_profile": "reasoning",
            "stream": True,
        },
    ),
]
