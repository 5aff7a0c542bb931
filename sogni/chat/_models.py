"""Public chat models: attrs classes with snake_case names."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

import attrs

from .._wire.envelope import parse_json
from .._wire.fields import wire

__all__ = [
    "ChatCompletionChunk",
    "ChatCompletionResult",
    "ChatJobState",
    "LLMCostEstimate",
    "LLMJobCost",
    "LLMModelInfo",
    "LLMParamConstraint",
    "LLMSamplingDefaults",
    "ToolCall",
    "ToolCallDelta",
    "ToolProgress",
    "ToolResult",
    "ToolRound",
    "Usage",
]


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Usage:
    """Token counts of one completion."""

    prompt_tokens: int = wire("prompt_tokens", default=0)
    completion_tokens: int = wire("completion_tokens", default=0)
    total_tokens: int | None = wire("total_tokens", default=None)


@attrs.frozen
class LLMJobCost:
    """What a finished job cost (``llmJobResult.cost``; the wire sends decimal strings)."""

    usd: Decimal = wire("costInUSD")
    token: Decimal = wire("costInToken")
    """In the request's token type."""
    sogni: Decimal = wire("costInSogni")
    spark: Decimal = wire("costInSpark")
    input_tokens: int | None = wire("inputTokens", default=None)
    output_tokens: int | None = wire("outputTokens", default=None)


@attrs.frozen
class LLMCostEstimate:
    """A price quote for a chat request (``GET /api/v1/job-llm/estimate/...``)."""

    usd: Decimal = wire("costInUSD")
    sogni: Decimal = wire("costInSogni")
    spark: Decimal = wire("costInSpark")
    token: Decimal = wire("costInToken")
    """In the requested token type."""
    input_tokens: int = wire("inputTokens")
    output_tokens: int = wire("outputTokens")


@attrs.frozen
class ToolCall:
    """A complete tool call from the model (``{id, type, function: {name, arguments}}``)."""

    id: str
    name: str
    arguments: str
    """The arguments as the model wrote them: a JSON text, possibly invalid."""
    type: str = "function"

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; ``{}`` when they are not a JSON object (never raises)."""
        return parse_arguments(self.arguments)

    def to_dict(self) -> dict[str, Any]:
        """The OpenAI-style JSON form, for an assistant message in the history."""
        return {
            "id": self.id,
            "type": self.type,
            "function": {"name": self.name, "arguments": self.arguments},
        }


@attrs.frozen
class ToolCallDelta:
    """One streamed piece of a tool call; pieces with the same ``index`` form one call."""

    index: int
    id: str | None = None
    type: str | None = None
    name: str | None = None
    arguments: str | None = None


@attrs.frozen
class ChatCompletionChunk:
    """One streamed ``jobTokens`` frame.

    ``content`` and ``reasoning`` are deltas: joined over the stream they equal the final
    result's ``content`` and ``reasoning``. ``tool_calls`` holds this frame's raw deltas.
    """

    job_id: str
    content: str = ""
    reasoning: str = ""
    role: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    tool_calls: tuple[ToolCallDelta, ...] = ()


@attrs.frozen
class ToolResult:
    """What one tool call returned (the ``tool`` message sent back to the model).

    For a Sogni platform tool that ran as a project, ``project_id`` names the project and
    ``result_urls`` lists its media (``media_type`` ``image``, ``video`` or ``audio``, made by
    ``model_id``); ``content`` is the JSON the model reads. Keep the project id: the media was
    paid for, and ``client.projects.get(project_id)`` finds it again.
    """

    tool_call_id: str
    name: str
    content: str
    error: str | None = None
    """Set when the tool failed: the function raised, the tool was unknown, the arguments were
    invalid, or the project failed or timed out."""
    result_urls: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    project_id: str | None = None
    media_type: str | None = None
    model_id: str | None = None

    @property
    def success(self) -> bool:
        return self.error is None


ToolStatus = Literal["creating", "queued", "processing", "completed", "failed"]


@attrs.frozen
class ToolProgress:
    """Progress of one platform tool call's project (``on_progress``/``on_tool_progress``).

    ``status`` goes ``creating`` → ``queued`` → ``processing`` (``percent`` 0-100) →
    ``completed`` (with ``result_urls``) or ``failed``; nothing follows those two.
    """

    status: ToolStatus
    percent: int
    tool_call_id: str
    tool_name: str
    project_id: str | None = None
    result_urls: tuple[str, ...] = attrs.field(default=(), converter=_strings)


@attrs.frozen
class ToolRound:
    """One round of the tool loop: the calls the model made and what they returned.

    ``messages`` are the assistant and ``tool`` messages this round added to the history.
    ``results`` keep each platform tool's project id and result URLs.
    """

    round: int
    tool_calls: tuple[ToolCall, ...]
    results: tuple[ToolResult, ...]
    messages: tuple[dict[str, Any], ...]

    @property
    def result_urls(self) -> list[str]:
        """Every media URL this round's tools produced, in call order."""
        return [url for result in self.results for url in result.result_urls]

    @property
    def project_ids(self) -> list[str]:
        """The projects this round's platform tools ran, in call order."""
        return [r.project_id for r in self.results if r.project_id is not None]


@attrs.frozen
class ChatCompletionResult:
    """A finished chat completion.

    ``content`` is the answer; when the model thinks inline (``<think>...</think>``) the
    thinking is moved to ``reasoning``. ``cost`` is in the request's token type;
    ``cost_details`` has every currency. ``parsed`` is the decoded JSON answer for
    ``response_format`` ``json_object``/``json_schema`` (None if it is not valid JSON).
    """

    job_id: str
    content: str
    reasoning: str | None
    role: str
    finish_reason: str
    usage: Usage
    time_taken: float
    """Seconds, as measured by the server."""
    worker_name: str | None
    cost: Decimal | None
    cost_details: LLMJobCost | None
    tool_calls: tuple[ToolCall, ...] = ()
    parsed: Any = None
    tool_history: tuple[ToolRound, ...] = ()

    def to_message(self) -> dict[str, Any]:
        """This answer as an ``assistant`` message, to append to the history."""
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.content if self.content or not self.tool_calls else None,
        }
        if self.tool_calls:
            message["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        return message


# The server's vocabulary, which may grow: the known values, and any other string as it came.
ChatJobStateType = Literal["pending", "queued", "assigned", "initiatingModel", "jobStarted"] | str


@attrs.frozen
class ChatJobState:
    """A ``jobState`` frame of a chat job (``pending``, ``queued``, ``assigned``, ...)."""

    job_id: str
    type: ChatJobStateType
    worker_name: str | None = None
    queue_position: int | None = None
    model_id: str | None = None
    estimated_cost: Decimal | None = None


@attrs.frozen
class LLMParamConstraint:
    """The allowed range and default of one sampling parameter for a model."""

    min: float | None = wire("min", default=None)
    max: float | None = wire("max", default=None)
    default: float | None = wire("default", default=None)
    decimals: int | None = wire("decimals", default=None)
    thinking_complex_default: float | None = wire("thinkingComplexDefault", default=None)


@attrs.frozen
class LLMSamplingDefaults:
    """A sampling preset picked by ``think`` and ``task_profile`` (server side)."""

    temperature: float | None = wire("temperature", default=None)
    top_p: float | None = wire("top_p", default=None)
    top_k: float | None = wire("top_k", default=None)
    min_p: float | None = wire("min_p", default=None)
    repetition_penalty: float | None = wire("repetition_penalty", default=None)
    presence_penalty: float | None = wire("presence_penalty", default=None)


@attrs.frozen
class LLMModelInfo:
    """One LLM from ``swarmLLMModels``: worker count, limits and presets."""

    workers: int = wire("workers", default=0)
    max_context_length: int | None = wire("maxContextLength", default=None)
    max_output_tokens: LLMParamConstraint | None = wire("maxOutputTokens", default=None)
    temperature: LLMParamConstraint | None = wire("temperature", default=None)
    top_p: LLMParamConstraint | None = wire("top_p", default=None)
    top_k: LLMParamConstraint | None = wire("top_k", default=None)
    min_p: LLMParamConstraint | None = wire("min_p", default=None)
    repetition_penalty: LLMParamConstraint | None = wire("repetition_penalty", default=None)
    frequency_penalty: LLMParamConstraint | None = wire("frequency_penalty", default=None)
    presence_penalty: LLMParamConstraint | None = wire("presence_penalty", default=None)
    defaults_thinking: LLMSamplingDefaults | None = wire("defaultsThinking", default=None)
    defaults_thinking_coding: LLMSamplingDefaults | None = wire(
        "defaultsThinkingCoding", default=None
    )
    defaults_non_thinking: LLMSamplingDefaults | None = wire("defaultsNonThinking", default=None)
    defaults_non_thinking_reasoning: LLMSamplingDefaults | None = wire(
        "defaultsNonThinkingReasoning", default=None
    )


def parse_arguments(text: str | None) -> dict[str, Any]:
    try:
        value = parse_json(text or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
