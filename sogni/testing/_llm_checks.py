"""Request checks of the fake LLM worker: what makes an ``llmJobRequest`` invalid.

Every problem is listed (rule 1 of ``_llm``); the worker refuses the request with all of them
[INV-LLM-INVALID]. Images are held to the limits the strict client enforces [INV-LLM-VISION].
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
from typing import Any

__all__ = ["image_info", "is_number", "request_problems"]

_RANGE_KEYS = {
    "max_tokens": "maxOutputTokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "min_p": "min_p",
    "repetition_penalty": "repetition_penalty",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}
_ROLES = ("system", "user", "assistant", "tool")
_MAX_IMAGES = 20
_MAX_IMAGE_BYTES = 10 * 1024 * 1024
_MAX_SIDE = 1024
_DATA_URI = re.compile(r"^data:([^;,]+);base64,(.*)$", re.IGNORECASE | re.DOTALL)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def request_problems(payload: dict[str, Any], info: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if payload.get("type") != "llm":
        problems.append("type must be 'llm'")
    _message_problems(payload.get("messages"), problems)
    for key, limit_key in _RANGE_KEYS.items():
        if key not in payload:
            continue
        value = payload[key]
        integer = key in ("max_tokens", "top_k")
        if not is_number(value) or (integer and not isinstance(value, int)):
            problems.append(f"{key} must be {'an integer' if integer else 'a number'}")
            continue
        limits: Any = info.get(limit_key) if isinstance(info.get(limit_key), dict) else {}
        low, high = limits.get("min"), limits.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(f"{key} must be between {low} and {high}")
    stop = payload.get("stop")
    if "stop" in payload and not (
        isinstance(stop, str)
        or (isinstance(stop, list) and stop and all(isinstance(s, str) for s in stop))
    ):
        problems.append("stop must be a string or a list of strings")
    names = _tool_problems(payload, problems)
    _tool_choice_problems(payload, names, problems)
    _format_problems(payload.get("response_format"), problems)
    for key, allowed in (
        ("tokenType", ("sogni", "spark")),
        ("billingMode", ("auto", "subscription", "tokens")),
        ("taskProfile", ("general", "coding", "reasoning")),
    ):
        if key in payload and payload[key] not in allowed:
            problems.append(f"{key} must be one of {', '.join(allowed)}")
    for key in ("stream", "safeContentFilter"):
        if key in payload and not isinstance(payload[key], bool):
            problems.append(f"{key} must be a boolean")
    # [INV-LLM-SOGNI-TOOLS] The socket takes the hosted-tool switches and ignores them: whether
    # the socket server honours them is not known; hosted chat is where they act.
    if "sogni_tools" in payload and not isinstance(payload["sogni_tools"], (bool, str)):
        problems.append("sogni_tools must be a boolean or a string")
    if "sogni_tool_execution" in payload and not isinstance(payload["sogni_tool_execution"], bool):
        problems.append("sogni_tool_execution must be a boolean")
    kwargs = payload.get("chat_template_kwargs")
    if "chat_template_kwargs" in payload and not isinstance(kwargs, dict):
        problems.append("chat_template_kwargs must be an object")
    return problems


def _message_problems(messages: Any, problems: list[str]) -> None:
    if not isinstance(messages, list) or not messages:
        problems.append("messages must be a non-empty array")
        return
    images = 0
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            problems.append(f"messages[{i}] needs a role of system, user, assistant or tool")
            continue
        content = message.get("content")
        if message["role"] == "tool" and not isinstance(message.get("tool_call_id"), str):
            problems.append(f"messages[{i}].tool_call_id is required")
        if content is None or isinstance(content, str):
            if content is None and message["role"] != "assistant":
                problems.append(f"messages[{i}].content is required")
            continue
        if not isinstance(content, list):
            problems.append(f"messages[{i}].content must be a string or an array")
            continue
        for j, part in enumerate(content):
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text" and isinstance(part.get("text"), str):
                continue
            if kind != "image_url":
                problems.append(f"messages[{i}].content[{j}] is not a text or image_url part")
                continue
            images += 1
            url = (part.get("image_url") or {}).get("url")
            problem = _image_problem(url)
            if problem:
                problems.append(f"messages[{i}].content[{j}]: {problem}")
    if images > _MAX_IMAGES:
        problems.append(f"at most {_MAX_IMAGES} images are allowed per request")


def _image_problem(url: Any) -> str | None:
    """[INV-LLM-VISION] The fake holds images to the limits the strict client enforces."""
    info = image_info(url)
    return info if isinstance(info, str) else None


def image_info(url: Any) -> tuple[int, int, str] | str:
    if not isinstance(url, str):
        return "image_url.url must be a string"
    match = _DATA_URI.match(url.strip())
    if not match:
        return "only inline base64 data URIs are accepted for images"
    body = re.sub(r"\s+", "", match.group(2))
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return "the image is not valid base64"
    if len(data) > _MAX_IMAGE_BYTES:
        return "the image exceeds 10MB"
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, Image.DecompressionBombError):  # UnidentifiedImageError is an OSError
        return "the image cannot be decoded"
    if kind not in ("PNG", "JPEG"):
        return "only PNG and JPEG images are supported"
    if max(width, height) > _MAX_SIDE:
        return f"the image exceeds {_MAX_SIDE}px on its longest side"
    return width, height, kind


def _tool_problems(payload: dict[str, Any], problems: list[str]) -> list[str]:
    tools = payload.get("tools")
    if "tools" not in payload:
        return []
    if not isinstance(tools, list):
        problems.append("tools must be an array")
        return []
    names: list[str] = []
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not (isinstance(tool, dict) and tool.get("type") == "function"):
            problems.append(f"tools[{i}].type must be 'function'")
        elif not isinstance(function, dict) or not isinstance(function.get("name"), str):
            problems.append(f"tools[{i}].function.name is required")
        else:
            names.append(function["name"])
            if "parameters" in function and not isinstance(function["parameters"], dict):
                problems.append(f"tools[{i}].function.parameters must be an object")
    return names


def _tool_choice_problems(payload: dict[str, Any], names: list[str], problems: list[str]) -> None:
    if "tool_choice" not in payload:
        return
    choice = payload["tool_choice"]
    if choice in ("auto", "none", "required"):
        return
    function = choice.get("function") if isinstance(choice, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or choice.get("type") != "function":
        problems.append("tool_choice must be auto, none, required or a function choice")
    elif name not in names:
        problems.append(f"tool_choice names an unknown tool {name!r}")


def _format_problems(value: Any, problems: list[str]) -> None:
    if value is None:
        return
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        problems.append("response_format.type must be text, json_object or json_schema")
    elif kind == "json_schema":
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            problems.append("response_format.json_schema.schema must be an object")
