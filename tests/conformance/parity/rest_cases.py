"""REST wire-parity rows for hosted chat and durable runs: the same call through the TypeScript
SDK (``ts``, its params exactly) and through ours (``py``, our keyword arguments).

``kind`` names the call: ``hosted.create``, ``hosted.executeTool``, ``runs.create``,
``runs.confirmCost`` (``{create, confirm}``: the paused run's preview is accepted by each SDK's
own code), ``runs.cancel`` (``{create, reason}``) and ``runs.streamEvents`` (``{create,
lastEventId}``). The compared request is the row's last one (the confirm, the cancel, the
stream); the run a row creates first is not compared.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from sogni.chat import DEFAULT_CHAT_MODEL, MediaContext
from sogni.projects import WorkloadAttribution

__all__ = ["HOSTED_CANARY", "HOSTED_CASES", "RUN_CANARY", "RUN_CASES", "RestCase"]

KINDS = (
    "hosted.create",
    "hosted.executeTool",
    "runs.create",
    "runs.confirmCost",
    "runs.cancel",
    "runs.streamEvents",
)


@dataclass(frozen=True)
class RestCase:
    name: str
    kind: str
    ts: dict[str, Any]
    py: dict[str, Any]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")


def _png_data_uri() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "orange").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


USER = [{"role": "user", "content": "Hello"}]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "report",
        "schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
    },
}
TS_ATTRIBUTION = {
    "workloadKind": "agent_mediated",
    "agentFramework": "crew",
    "agentFrameworkVersion": "1.2.0",
    "agentSurface": "sdk",
    "agentSurfaceVersion": "3.0",
    "executionMode": "server",
    "operationId": "op-parity-1",
}
PY_ATTRIBUTION = WorkloadAttribution(
    workload_kind="agent_mediated",
    agent_framework="crew",
    agent_framework_version="1.2.0",
    agent_surface="sdk",
    agent_surface_version="3.0",
    execution_mode="server",
    operation_id="op-parity-1",
)


def _hosted(
    name: str, ts: dict[str, Any], py: dict[str, Any] | None = None, messages: Any = None
) -> RestCase:
    base = {"model": DEFAULT_CHAT_MODEL, "messages": messages or USER}
    return RestCase(name, "hosted.create", {**base, **ts}, {**base, **(ts if py is None else py)})


def _tool(name: str, ts: dict[str, Any], py: dict[str, Any]) -> RestCase:
    return RestCase(name, "hosted.executeTool", ts, py)


HOSTED_CASES: list[RestCase] = [
    _hosted("minimal", {}),
    _hosted(
        "sampling",
        {
            "max_tokens": 64,
            "temperature": 0.7,
            "top_p": 0.9,
            "top_k": 40,
            "min_p": 0.05,
            "repetition_penalty": 1.1,
            "frequency_penalty": 0.5,
            "presence_penalty": 0.25,
            "stop": ["END", "\n\n"],
        },
    ),
    _hosted("whole_number_temperature", {"temperature": 1}),
    _hosted(
        "token_billing_profile",
        {"tokenType": "spark", "billingMode": "tokens", "taskProfile": "coding"},
        {"token_type": "spark", "billing_mode": "tokens", "task_profile": "coding"},
    ),
    _hosted(
        "sogni_tools_executed",
        {"sogni_tools": True, "sogni_tool_execution": True},
        messages=[{"role": "user", "content": "generate_image of a paper crane"}],
    ),
    _hosted("sogni_tools_rich", {"sogni_tools": " Rich ", "sogni_tool_execution": False}),
    _hosted("sogni_tools_creative_agent", {"sogni_tools": "creative-agent"}),
    _hosted(
        "tools_named_choice",
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
    ),
    _hosted(
        "media_references",
        {
            "media_references": [{"url": "https://cdn.example/a.png", "mediaType": "image"}],
            "api_media_references": [{"id": "asset_9"}],
            "safe_content_filter": False,
        },
    ),
    _hosted("think_on", {"think": True}),
    _hosted("think_off", {"think": False}),
    _hosted("response_format", {"response_format": SCHEMA}),
    _hosted("app_source", {"app_source": "parity-app"}),
    _hosted(
        "attribution",
        {"attribution": TS_ATTRIBUTION, "appSource": "agent-app"},
        {"attribution": PY_ATTRIBUTION, "app_source": "agent-app"},
    ),
    _hosted(
        "attribution_without_operation_id",
        {"attribution": {"workloadKind": "direct"}},
        {"attribution": {"workload_kind": "direct"}},
    ),
    _hosted(
        "vision",
        {},
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": _png_data_uri(), "detail": "low"}},
                ],
            }
        ],
    ),
    _tool(
        "execute_tool_minimal",
        {"tool": "enhance_prompt", "arguments": {"prompt": "a cat"}},
        {"tool": "enhance_prompt", "arguments": {"prompt": "a cat"}},
    ),
    _tool(
        "execute_tool_options",
        {
            "tool": "compose_script",
            "arguments": {"brief": "a launch video", "scenes": 3},
            "tokenType": "auto",
            "appSource": "scripts",
            "safeContentFilter": True,
        },
        {
            "tool": "compose_script",
            "arguments": {"brief": "a launch video", "scenes": 3},
            "token_type": "auto",
            "app_source": "scripts",
            "safe_content_filter": True,
        },
    ),
    _tool(
        "execute_tool_attribution",
        {"tool": "compose_lyrics", "arguments": {"prompt": "rain"}, "attribution": TS_ATTRIBUTION},
        {"tool": "compose_lyrics", "arguments": {"prompt": "rain"}, "attribution": PY_ATTRIBUTION},
    ),
]
HOSTED_CANARY = _hosted("hosted_canary", {"temperature": 0.5}, {"temperature": 0.25})

PAID = [{"role": "user", "content": "generate_image of a kite"}]
APPROVAL = {"requireJobConfirmation": True, "jobConfirmationThresholdUsd": 0}
REFERENCE = "https://cdn.example/uploads/reference.png"


def _create(name: str, ts: dict[str, Any], py: dict[str, Any]) -> RestCase:
    return RestCase(
        name,
        "runs.create",
        {"messages": USER, "idempotencyKey": f"key-{name}", **ts},
        {"messages": USER, "idempotency_key": f"key-{name}", **py},
    )


RUN_CASES: list[RestCase] = [
    _create("create_minimal", {}, {}),
    _create(
        "create_everything",
        {
            "model": DEFAULT_CHAT_MODEL,
            "tools": [TOOL],
            "toolChoice": "auto",
            "sampling": {"temperature": 0.4, "max_tokens": 300},
            "maxEstimatedCapacityUnits": 250,
            "confirmCost": True,
            "sessionId": "session-1",
            "clientMessageId": "message-1",
            "tokenType": "spark",
            "billingMode": "subscription",
            "appSource": "runs-app",
            "runtimeConfig": {
                "qualityTier": "hq",
                "safeContentFilter": False,
                "personaNames": ["Ada"],
                "requireJobConfirmation": False,
                "jobConfirmationThresholdUsd": 0.25,
            },
        },
        {
            "model": DEFAULT_CHAT_MODEL,
            "tools": [TOOL],
            "tool_choice": "auto",
            "sampling": {"temperature": 0.4, "max_tokens": 300},
            "max_estimated_capacity_units": 250,
            "confirm_cost": True,
            "session_id": "session-1",
            "client_message_id": "message-1",
            "token_type": "spark",
            "billing_mode": "subscription",
            "app_source": "runs-app",
            "runtime_config": {
                "qualityTier": "hq",
                "safeContentFilter": False,
                "personaNames": ["Ada"],
                "requireJobConfirmation": False,
                "jobConfirmationThresholdUsd": 0.25,
            },
        },
    ),
    _create(
        "create_falsy_values",
        {"maxEstimatedCapacityUnits": 0, "confirmCost": False},
        {"max_estimated_capacity_units": 0, "confirm_cost": False},
    ),
    _create(
        "create_media_context",
        {
            "mediaReferences": [{"url": REFERENCE, "mediaType": "image"}],
            "mediaContext": {
                "images": ["https://cdn.example/made/1.png"],
                "videos": [],
                "audio": [],
                "uploadedImages": [REFERENCE],
            },
        },
        {
            "media_references": [{"url": REFERENCE, "mediaType": "image"}],
            "media_context": {
                "images": ["https://cdn.example/made/1.png"],
                "videos": [],
                "audio": [],
                "uploadedImages": [REFERENCE],
            },
        },
    ),
    _create(
        "create_media_context_object",
        {
            "mediaContext": {
                "images": [],
                "videos": ["https://cdn.example/made/clip.mp4"],
                "audio": [],
                "uploadedAudio": ["https://cdn.example/uploads/voice.mp3"],
            }
        },
        {
            "media_context": MediaContext(
                videos=["https://cdn.example/made/clip.mp4"],
                uploaded_audio=["https://cdn.example/uploads/voice.mp3"],
            )
        },
    ),
    _create("create_attribution", {"attribution": TS_ATTRIBUTION}, {"attribution": PY_ATTRIBUTION}),
    RestCase(
        "confirm_cost",
        "runs.confirmCost",
        {
            "create": {"messages": PAID, "runtimeConfig": APPROVAL},
            "confirm": {
                "decision": "confirm",
                "overrides": {"duration": 5},
                "reason": "approved in the parity run",
                "idempotencyKey": "confirm-parity",
            },
        },
        {
            "create": {"messages": PAID, "runtime_config": APPROVAL},
            "confirm": {
                "decision": "confirm",
                "overrides": {"duration": 5},
                "reason": "approved in the parity run",
                "idempotency_key": "confirm-parity",
            },
        },
    ),
    RestCase(
        "confirm_cost_declined",
        "runs.confirmCost",
        {
            "create": {"messages": PAID, "runtimeConfig": APPROVAL},
            "confirm": {"decision": "cancel"},
        },
        {
            "create": {"messages": PAID, "runtime_config": APPROVAL},
            "confirm": {"decision": "cancel"},
        },
    ),
    # Cancelled while paused for approval: the run is surely still going when the cancel comes.
    RestCase(
        "cancel_with_reason",
        "runs.cancel",
        {"create": {"messages": PAID, "runtimeConfig": APPROVAL}, "reason": "no longer needed"},
        {"create": {"messages": PAID, "runtime_config": APPROVAL}, "reason": "no longer needed"},
    ),
    RestCase(
        "cancel_without_reason",
        "runs.cancel",
        {"create": {"messages": PAID, "runtimeConfig": APPROVAL}},
        {"create": {"messages": PAID, "runtime_config": APPROVAL}},
    ),
    RestCase(
        "stream_after_event",
        "runs.streamEvents",
        {"create": {"messages": USER}, "lastEventId": 2},
        {"create": {"messages": USER}, "last_event_id": 2},
    ),
]
RUN_CANARY = _create("runs_canary", {"sessionId": "session-a"}, {"session_id": "session-b"})
