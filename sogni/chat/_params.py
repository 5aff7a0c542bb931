"""Chat request parameters: keyword checks, validation, and the ``llmJobRequest`` body.

The body follows the official clients' key for key: only what the caller set is sent, with the
wire's own mix of snake_case (``max_tokens``, ``tool_choice``) and camelCase (``tokenType``,
``taskProfile``) names. Messages, tools and ``response_format`` pass through untouched.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import attrs

from .._wire.fields import OMIT, Omit, wire
from ..errors import ValidationProblem
from ._models import LLMModelInfo, ToolCall, ToolProgress

if TYPE_CHECKING:
    from ._models import LLMParamConstraint

__all__ = [
    "DEFAULT_CHAT_MODEL",
    "OPTION_NAMES",
    "ChatCompletionOptions",
    "CreateOptions",
    "LLMJobRequest",
    "build_request",
    "check_keywords",
    "validate_messages",
    "validate_options",
]

DEFAULT_CHAT_MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"
"""The SDK reference's default LLM."""

Messages = Sequence[Mapping[str, Any]]


class ChatCompletionOptions(TypedDict, total=False):
    """Keyword options of ``chat.completions.create`` besides ``messages`` and ``stream``."""

    model: str
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repetition_penalty: float
    frequency_penalty: float
    presence_penalty: float
    stop: str | Sequence[str]
    tools: Sequence[Mapping[str, Any]]
    tool_choice: str | Mapping[str, Any]
    sogni_tools: bool | Literal["creative-tools", "creative-agent", "rich"]
    """Ask the server to add the hosted Sogni tools (``"rich"`` is sent as
    ``"creative-tools"``)."""
    sogni_tool_execution: bool
    """Ask the server to run the Sogni tools the model calls."""
    response_format: Mapping[str, Any]
    think: bool
    task_profile: Literal["general", "coding", "reasoning"]
    token_type: Literal["sogni", "spark"]
    app_source: str
    billing_mode: Literal["auto", "subscription", "tokens"]
    safe_content_filter: bool
    timeout: float
    """Seconds for the whole request (default ``config.timeouts.chat``)."""
    downscale_images: bool
    """Shrink images whose longest side exceeds 1024 px (needs the ``images`` extra)."""


class CreateOptions(ChatCompletionOptions, total=False):
    """``chat.completions.create`` also runs the tool loop (``auto_execute_tools=True``)."""

    auto_execute_tools: bool
    """Run the tools the model calls and answer it, round after round (not with ``stream``)."""
    max_tool_rounds: int
    on_tool_call: Callable[[ToolCall], Any]
    """Runs a non-Sogni tool call on the caller's thread; its return value is the content."""
    on_tool_progress: Callable[[ToolCall, ToolProgress], Any]
    """Progress of each platform tool's project, on the callback worker."""


OPTION_NAMES = frozenset(ChatCompletionOptions.__annotations__)
LOOP_OPTION_NAMES = frozenset(
    ("auto_execute_tools", "max_tool_rounds", "on_tool_call", "on_tool_progress")
)
SOGNI_TOOLS_MODES = ("creative-tools", "creative-agent")

ROLES = ("system", "user", "assistant", "tool")
TOOL_CHOICE_MODES = ("auto", "none", "required")
RESPONSE_FORMATS = ("text", "json_object", "json_schema")
TASK_PROFILES = ("general", "coding", "reasoning")
TOKEN_TYPES = ("sogni", "spark")
BILLING_MODES = ("auto", "subscription", "tokens")
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Generic ranges (OpenAI-compatible); the model's own limits are checked too when known.
_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    # name: (minimum, maximum, integer)
    "max_tokens": (1, None, True),
    "temperature": (0, 2, False),
    "top_p": (0, 1, False),
    "top_k": (0, None, True),
    "min_p": (0, 1, False),
    "repetition_penalty": (0, None, False),
    "frequency_penalty": (-2, 2, False),
    "presence_penalty": (-2, 2, False),
}
_MODEL_LIMITS = {
    "max_tokens": "max_output_tokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "min_p": "min_p",
    "repetition_penalty": "repetition_penalty",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}


def check_keywords(given: Mapping[str, Any], valid: frozenset[str] | set[str], where: str) -> None:
    """Raise ``TypeError`` for an unknown keyword, naming the closest valid one."""
    for name in given:
        if name in valid:
            continue
        close = difflib.get_close_matches(name, sorted(valid), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise TypeError(f"{where}() got an unexpected keyword argument {name!r}{hint}")


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def validate_options(
    options: Mapping[str, Any], model_info: LLMModelInfo | None
) -> list[ValidationProblem]:
    """Every problem with the scalar options and the tool/response-format JSON."""
    problems: list[ValidationProblem] = []

    def bad(param: str, message: str) -> None:
        problems.append(ValidationProblem(param, message))

    model = options.get("model")
    if not isinstance(model, str) or not model.strip():
        bad("model", "must be a non-empty string")
    for name, (low, high, integer) in _RANGES.items():
        if name not in options:
            continue
        value = options[name]
        if not _is_number(value) or (integer and not isinstance(value, int)):
            bad(name, "must be an integer" if integer else "must be a number")
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            bad(name, _range_text(low, high))
            continue
        limit = getattr(model_info, _MODEL_LIMITS[name], None) if model_info else None
        if limit is not None:
            message = _model_limit_problem(value, limit)
            if message:
                bad(name, f"{message} for model {model!r}")
    if "stop" in options:
        stop = options["stop"]
        if isinstance(stop, str):
            pass
        elif (
            not isinstance(stop, Sequence) or not stop or not all(isinstance(s, str) for s in stop)
        ):
            bad("stop", "must be a string or a non-empty list of strings")
    tool_names = _validate_tools(options, bad)
    if "tool_choice" in options:
        _validate_tool_choice(options["tool_choice"], tool_names, bad)
    if "response_format" in options:
        _validate_response_format(options["response_format"], bad)
    for name, allowed in (
        ("task_profile", TASK_PROFILES),
        ("token_type", TOKEN_TYPES),
        ("billing_mode", BILLING_MODES),
    ):
        if name in options and options[name] not in allowed:
            bad(name, "must be one of " + ", ".join(repr(a) for a in allowed))
    for name in ("think", "safe_content_filter", "downscale_images"):
        if name in options and not isinstance(options[name], bool):
            bad(name, "must be True or False")
    if "sogni_tools" in options and sogni_tools_mode(options["sogni_tools"]) is None:
        bad(
            "sogni_tools",
            "must be True, False, 'creative-tools', 'creative-agent' or 'rich'",
        )
    if "sogni_tool_execution" in options and not isinstance(options["sogni_tool_execution"], bool):
        bad("sogni_tool_execution", "must be True or False")
    if "app_source" in options and not isinstance(options["app_source"], str):
        bad("app_source", "must be a string")
    if "timeout" in options and not (_is_number(options["timeout"]) and options["timeout"] > 0):
        bad("timeout", "must be a positive number of seconds")
    return problems


def sogni_tools_mode(value: Any) -> bool | str | None:
    """The wire value of ``sogni_tools`` (``"rich"`` becomes ``"creative-tools"``), or None
    when the value is not one the server knows."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    if value.strip().lower() == "rich":
        return "creative-tools"
    return value if value in SOGNI_TOOLS_MODES else None


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"must be between {low:g} and {high:g}"
    if low is not None:
        return f"must be at least {low:g}"
    return f"must be at most {high:g}"


def _model_limit_problem(value: float, limit: LLMParamConstraint) -> str | None:
    if (limit.min is not None and value < limit.min) or (
        limit.max is not None and value > limit.max
    ):
        return _range_text(limit.min, limit.max)
    return None


def _validate_tools(options: Mapping[str, Any], bad: Any) -> set[str] | None:
    if "tools" not in options:
        return None
    tools = options["tools"]
    names: set[str] = set()
    if isinstance(tools, (str, bytes)) or not isinstance(tools, Sequence) or not tools:
        bad("tools", "must be a non-empty list of tool definitions")
        return names
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if not isinstance(tool, Mapping):
            bad(where, "must be an object like {'type': 'function', 'function': {...}}")
            continue
        if tool.get("type") != "function":
            bad(f"{where}.type", "must be 'function'")
        function = tool.get("function")
        if not isinstance(function, Mapping):
            bad(f"{where}.function", "must be an object with a 'name'")
            continue
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            bad(f"{where}.function.name", "must be 1-64 letters, digits, '_' or '-'")
        elif name in names:
            bad(f"{where}.function.name", f"duplicates the tool name {name!r}")
        else:
            names.add(name)
        if "parameters" in function and not isinstance(function["parameters"], Mapping):
            bad(f"{where}.function.parameters", "must be a JSON Schema object")
    return names


def _validate_tool_choice(choice: Any, tool_names: set[str] | None, bad: Any) -> None:
    if tool_names is None:
        bad("tool_choice", "needs tools")
        return
    if isinstance(choice, str):
        if choice not in TOOL_CHOICE_MODES:
            bad("tool_choice", "must be 'auto', 'none', 'required' or a function choice")
        return
    function = choice.get("function") if isinstance(choice, Mapping) else None
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(choice, Mapping) or choice.get("type") != "function" or not name:
        bad("tool_choice", "must be like {'type': 'function', 'function': {'name': ...}}")
    elif name not in tool_names:
        bad("tool_choice", f"names {name!r}, which is not among the tools")


def _validate_response_format(value: Any, bad: Any) -> None:
    if not isinstance(value, Mapping) or value.get("type") not in RESPONSE_FORMATS:
        bad("response_format", "must be {'type': 'text' | 'json_object' | 'json_schema', ...}")
        return
    if value["type"] != "json_schema":
        return
    spec = value.get("json_schema")
    if not isinstance(spec, Mapping):
        bad("response_format.json_schema", "must be an object with 'name' and 'schema'")
        return
    if not isinstance(spec.get("name"), str) or not spec["name"]:
        bad("response_format.json_schema.name", "must be a non-empty string")
    if not isinstance(spec.get("schema"), Mapping):
        bad("response_format.json_schema.schema", "must be a JSON Schema object")


def validate_messages(messages: Any) -> list[ValidationProblem]:
    """Structure checks of the conversation (roles, content shapes, tool links)."""
    problems: list[ValidationProblem] = []

    def bad(param: str, message: str) -> None:
        problems.append(ValidationProblem(param, message))

    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        bad("messages", "must be a non-empty list of messages")
        return problems
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, Mapping):
            bad(where, "must be an object with 'role' and 'content'")
            continue
        role = message.get("role")
        if role not in ROLES:
            bad(f"{where}.role", "must be 'system', 'user', 'assistant' or 'tool'")
            continue
        has_calls = bool(message.get("tool_calls"))
        if "content" not in message and not (role == "assistant" and has_calls):
            bad(f"{where}.content", "is missing")
        else:
            _validate_content(message.get("content"), role, where, bad)
        if role == "tool" and not isinstance(message.get("tool_call_id"), str):
            bad(f"{where}.tool_call_id", "is required on 'tool' messages")
        if "tool_calls" in message:
            _validate_tool_calls(message["tool_calls"], role, where, bad)
    return problems


def _validate_content(content: Any, role: str, where: str, bad: Any) -> None:
    if isinstance(content, str):
        return
    if content is None:
        if role != "assistant":
            bad(f"{where}.content", "may be null only on 'assistant' messages")
        return
    if not isinstance(content, Sequence) or isinstance(content, bytes):
        bad(f"{where}.content", "must be a string, a list of content parts, or None")
        return
    for j, part in enumerate(content):
        at = f"{where}.content[{j}]"
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind == "text":
            if not isinstance(part.get("text"), str):
                bad(f"{at}.text", "must be a string")
        elif kind == "image_url":
            image = part.get("image_url")
            if not isinstance(image, Mapping) or image.get("url") is None:
                bad(f"{at}.image_url", "must be an object with a 'url'")
            elif image.get("detail") not in (None, "auto", "low", "high"):
                bad(f"{at}.image_url.detail", "must be 'auto', 'low' or 'high'")
        else:
            bad(f"{at}.type", "must be 'text' or 'image_url'")


def _validate_tool_calls(calls: Any, role: str, where: str, bad: Any) -> None:
    if role != "assistant":
        bad(f"{where}.tool_calls", "are only allowed on 'assistant' messages")
        return
    if not isinstance(calls, Sequence) or isinstance(calls, (str, bytes)):
        bad(f"{where}.tool_calls", "must be a list of tool calls")
        return
    for k, call in enumerate(calls):
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            bad(f"{where}.tool_calls[{k}]", "must be {'id', 'type', 'function': {'name', ...}}")


@attrs.frozen(kw_only=True)
class LLMJobRequest:
    """The ``llmJobRequest`` body, in the official clients' key order."""

    job_id: str = wire("jobID")
    type: str = wire("type", default="llm")
    model: str = wire("model")
    messages: Any = wire("messages")
    app_source: str | Omit = wire("appSource", default=OMIT)
    max_tokens: int | Omit = wire("max_tokens", default=OMIT)
    temperature: float | Omit = wire("temperature", default=OMIT)
    top_p: float | Omit = wire("top_p", default=OMIT)
    top_k: int | Omit = wire("top_k", default=OMIT)
    min_p: float | Omit = wire("min_p", default=OMIT)
    stream: bool | Omit = wire("stream", default=OMIT)
    repetition_penalty: float | Omit = wire("repetition_penalty", default=OMIT)
    frequency_penalty: float | Omit = wire("frequency_penalty", default=OMIT)
    presence_penalty: float | Omit = wire("presence_penalty", default=OMIT)
    stop: Any = wire("stop", default=OMIT)
    token_type: str | Omit = wire("tokenType", default=OMIT)
    safe_content_filter: bool | Omit = wire("safeContentFilter", default=OMIT)
    billing_mode: str | Omit = wire("billingMode", default=OMIT)
    tools: Any = wire("tools", default=OMIT)
    tool_choice: Any = wire("tool_choice", default=OMIT)
    sogni_tools: bool | str | Omit = wire("sogni_tools", default=OMIT)
    sogni_tool_execution: bool | Omit = wire("sogni_tool_execution", default=OMIT)
    task_profile: str | Omit = wire("taskProfile", default=OMIT)
    chat_template_kwargs: Any = wire("chat_template_kwargs", default=OMIT)
    response_format: Any = wire("response_format", default=OMIT)


# Options copied to the body under the same attribute name.
_PASSED = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
    "stop",
    "token_type",
    "safe_content_filter",
    "billing_mode",
    "tools",
    "tool_choice",
    "sogni_tool_execution",
    "task_profile",
    "response_format",
)


def build_request(
    job_id: str,
    messages: list[Any],
    options: Mapping[str, Any],
    *,
    stream: bool | Omit,
    default_app_source: str | None,
) -> LLMJobRequest:
    fields: dict[str, Any] = {k: options[k] for k in _PASSED if k in options}
    app_source = options.get("app_source") or default_app_source
    if app_source:
        fields["app_source"] = app_source
    if "sogni_tools" in options:
        fields["sogni_tools"] = sogni_tools_mode(options["sogni_tools"])
    if "think" in options:
        fields["chat_template_kwargs"] = {"enable_thinking": options["think"]}
    return LLMJobRequest(
        job_id=job_id,
        model=options["model"],
        messages=messages,
        stream=stream,
        **fields,
    )
