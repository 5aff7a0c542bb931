"""Models of hosted chat and durable chat runs: attrs classes with snake_case names.

The service documents only some of these shapes. What it leaves open (tool results, media
references, billing previews, the run's request and scope) is kept as the JSON it sent, and
every model keeps the whole object it came from in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..errors import ProtocolError
from ._models import ToolCall, Usage

__all__ = [
    "TERMINAL_RUN_EVENTS",
    "TERMINAL_RUN_STATUSES",
    "ChatRunEvent",
    "ChatRunRecord",
    "ChatRunStatus",
    "ChatRunWaiting",
    "CreativeWorkflowRef",
    "HostedChatChoice",
    "HostedChatCompletion",
    "HostedChatMessage",
    "HostedToolResult",
]

#: A durable run's status; an unknown string from a newer server passes through.
ChatRunStatus = (
    Literal[
        "queued",
        "running",
        "waiting_for_user",
        "completed",
        "partial_failure",
        "failed",
        "cancelled",
    ]
    | str
)
TERMINAL_RUN_STATUSES = frozenset(("completed", "partial_failure", "failed", "cancelled"))
TERMINAL_RUN_EVENTS = frozenset(
    ("run_completed", "run_failed", "run_cancelled", "run_partial_failure")
)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"unexpected response shape: {what} is not an object")
    return dict(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


# --------------------------------------------------------------------------- runs


@attrs.frozen
class ChatRunEvent:
    """One event of a run's log. ``sequence`` counts from 0 (``run_created``) up by one;
    ``type`` names it (``assistant_message_delta``, ``tool_call_resolved``, ``run_completed``
    ...); ``payload`` is the server's, as it sent it."""

    sequence: int
    type: str
    at: str | None = None
    payload: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def is_terminal(self) -> bool:
        """``run_completed``, ``run_failed``, ``run_cancelled`` or ``run_partial_failure``."""
        return self.type in TERMINAL_RUN_EVENTS

    @classmethod
    def from_wire(cls, data: Any) -> ChatRunEvent | None:
        """The event in ``data``, or None when it is not one (no integer sequence or no type)."""
        if not isinstance(data, Mapping):
            return None
        sequence, kind = data.get("sequence"), data.get("type")
        if not isinstance(sequence, int) or isinstance(sequence, bool) or not isinstance(kind, str):
            return None
        at = data.get("at", data.get("createdAt"))
        return cls(sequence=sequence, type=kind, at=_str(at), payload=_dict(data.get("payload")))


@attrs.frozen
class ChatRunWaiting:
    """Why a run waits for its user (``reason``, e.g. ``cost_approval_required``) and the
    server's ``details``. For a cost approval, ``tool_call_id`` is the paused call and
    ``cost_preview`` the preview to show the user and accept unchanged."""

    reason: str
    message: str | None = None
    details: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def tool_call_id(self) -> str | None:
        return _str(self.details.get("toolCallId"))

    @property
    def pending_tool_call_ids(self) -> tuple[str, ...]:
        ids = self.details.get("pendingToolCallIds")
        return tuple(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else ()

    @property
    def cost_preview(self) -> dict[str, Any] | None:
        preview = self.details.get("costApprovalPreview")
        return dict(preview) if isinstance(preview, Mapping) else None

    @classmethod
    def from_wire(cls, data: Any) -> ChatRunWaiting | None:
        if not isinstance(data, Mapping) or not isinstance(data.get("reason"), str):
            return None
        return cls(
            reason=data["reason"],
            message=_str(data.get("message")),
            details=_dict(data.get("details")),
        )


@attrs.frozen
class ChatRunRecord:
    """A durable chat run as the server keeps it (``chat.runs.get``, ``run.refresh()``).

    ``status`` is ``queued``, ``running``, ``waiting_for_user``, ``completed``,
    ``partial_failure``, ``failed`` or ``cancelled``; ``events`` the log so far; ``artifacts``
    the media made (``url``, ``mediaType``, ``toolName`` ...). ``content`` and
    ``finish_reason`` come from the final response. Shapes the service leaves open are the
    JSON it sent; ``raw`` is the whole record.
    """

    run_id: str
    status: ChatRunStatus
    schema_version: str | None = None
    scope: dict[str, Any] = attrs.field(factory=dict, repr=False)
    request: dict[str, Any] = attrs.field(factory=dict, repr=False)
    messages: list[Any] = attrs.field(factory=list, repr=False)
    tool_calls: list[Any] = attrs.field(factory=list, repr=False)
    tool_results: list[Any] = attrs.field(factory=list, repr=False)
    media_context: dict[str, Any] = attrs.field(factory=dict, repr=False)
    artifacts: list[dict[str, Any]] = attrs.field(factory=list, repr=False)
    events: tuple[ChatRunEvent, ...] = attrs.field(default=(), repr=False)
    final_response: dict[str, Any] | None = attrs.field(default=None, repr=False)
    waiting: ChatRunWaiting | None = None
    billing_preview: Any = attrs.field(default=None, repr=False)
    billing_previews: list[Any] = attrs.field(factory=list, repr=False)
    failure_reason: str | None = None
    cancellation_reason: str | None = None
    timestamps: dict[str, Any] = attrs.field(factory=dict, repr=False)
    idempotent: bool | None = None
    """On ``create``: True when the ``Idempotency-Key`` matched an earlier create."""
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_RUN_STATUSES

    @property
    def content(self) -> str | None:
        return _str((self.final_response or {}).get("content"))

    @property
    def finish_reason(self) -> str | None:
        return _str((self.final_response or {}).get("finishReason"))

    @property
    def result_urls(self) -> list[str]:
        """The URLs of the media the run made, in order."""
        return [a["url"] for a in self.artifacts if isinstance(a.get("url"), str)]

    @property
    def last_sequence(self) -> int:
        """The sequence of the newest event in ``events`` (-1 when there is none)."""
        return max((e.sequence for e in self.events), default=-1)

    @classmethod
    def from_wire(cls, data: Any, *, idempotent: Any = None) -> ChatRunRecord:
        run = _object(data, "run")
        run_id, status = run.get("runId"), run.get("status")
        if not isinstance(run_id, str) or not run_id or not isinstance(status, str):
            raise ProtocolError("unexpected response shape: a run without runId or status")
        events = [ChatRunEvent.from_wire(e) for e in _list(run.get("events"))]
        final = run.get("finalResponse")
        return cls(
            run_id=run_id,
            status=status,
            schema_version=_str(run.get("schemaVersion")),
            scope=_dict(run.get("scope")),
            request=_dict(run.get("request")),
            messages=_list(run.get("messages")),
            tool_calls=_list(run.get("toolCalls")),
            tool_results=_list(run.get("toolResults")),
            media_context=_dict(run.get("mediaContext")),
            artifacts=[dict(a) for a in _list(run.get("artifacts")) if isinstance(a, Mapping)],
            events=tuple(e for e in events if e is not None),
            final_response=dict(final) if isinstance(final, Mapping) else None,
            waiting=ChatRunWaiting.from_wire(run.get("waiting")),
            billing_preview=run.get("billingPreview"),
            billing_previews=_list(run.get("billingPreviews")),
            failure_reason=_str(run.get("failureReason")),
            cancellation_reason=_str(run.get("cancellationReason")),
            timestamps=_dict(run.get("timestamps")),
            idempotent=idempotent if isinstance(idempotent, bool) else None,
            raw=run,
        )


# --------------------------------------------------------------------------- hosted chat


@attrs.frozen
class HostedChatMessage:
    """The assistant's message in one choice."""

    role: str
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@attrs.frozen
class HostedChatChoice:
    """One choice of a hosted chat answer: its index, message and finish reason."""

    index: int
    message: HostedChatMessage
    finish_reason: str | None = None


@attrs.frozen
class CreativeWorkflowRef:
    """A creative workflow the service started while answering (follow it by its id)."""

    workflow_id: str
    status: str | None = None
    url: str | None = None
    events_url: str | None = None
    stream_url: str | None = None


@attrs.frozen
class HostedChatCompletion:
    """The answer of ``chat.hosted.create``. ``content``, ``tool_calls`` and ``finish_reason``
    are the first choice's. ``sogni_tool_results`` is passed through exactly as the service
    sent it (its shape is not documented)."""

    id: str | None
    model: str | None
    choices: tuple[HostedChatChoice, ...]
    usage: Usage | None = None
    created: int | None = None
    object: str | None = None
    creative_workflows: tuple[CreativeWorkflowRef, ...] = ()
    sogni_tool_results: list[dict[str, Any]] = attrs.field(factory=list)
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def content(self) -> str:
        return (self.choices[0].message.content or "") if self.choices else ""

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        return self.choices[0].message.tool_calls if self.choices else ()

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].finish_reason if self.choices else None

    @classmethod
    def from_wire(cls, data: Any) -> HostedChatCompletion:
        body = _object(data, "the completion")
        choices = body.get("choices")
        if not isinstance(choices, list):
            raise ProtocolError("unexpected response shape: no choices in the completion")
        usage = body.get("usage")
        created = body.get("created")
        return cls(
            id=_str(body.get("id")),
            model=_str(body.get("model")),
            choices=tuple(_choice(c, i) for i, c in enumerate(choices)),
            usage=_usage(usage) if isinstance(usage, Mapping) else None,
            created=created if isinstance(created, int) and not isinstance(created, bool) else None,
            object=_str(body.get("object")),
            creative_workflows=tuple(
                _workflow(w)
                for w in _list(body.get("creative_workflows"))
                if isinstance(w, Mapping)
            ),
            sogni_tool_results=[
                dict(r) for r in _list(body.get("sogni_tool_results")) if isinstance(r, Mapping)
            ],
            raw=body,
        )


@attrs.frozen
class HostedToolResult:
    """The answer of ``chat.hosted.execute_tool``: the tool's ``result`` as the service sent
    it."""

    tool: str
    result: dict[str, Any]
    tool_call_id: str | None = None
    message: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Any) -> HostedToolResult:
        body = _object(data, "the tool result")
        tool = body.get("tool")
        if not isinstance(tool, str):
            raise ProtocolError("unexpected response shape: the tool result names no tool")
        return cls(
            tool=tool,
            result=_dict(body.get("result")),
            tool_call_id=_str(body.get("toolCallId")),
            message=_str(body.get("message")),
            raw=body,
        )


def _choice(data: Any, position: int) -> HostedChatChoice:
    choice = _object(data, "a choice")
    message = _object(choice.get("message"), "a choice's message")
    calls = []
    for call in _list(message.get("tool_calls")):
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise ProtocolError("unexpected response shape: a tool call without a name")
        arguments = function.get("arguments")
        calls.append(
            ToolCall(
                id=str(call.get("id") or ""),
                name=function["name"],
                arguments=arguments if isinstance(arguments, str) else "",
                type=str(call.get("type") or "function"),
            )
        )
    index = choice.get("index")
    return HostedChatChoice(
        index=index if isinstance(index, int) else position,
        message=HostedChatMessage(
            role=str(message.get("role") or "assistant"),
            content=_str(message.get("content")),
            tool_calls=tuple(calls),
            tool_call_id=_str(message.get("tool_call_id")),
        ),
        finish_reason=_str(choice.get("finish_reason")),
    )


def _usage(data: Mapping[str, Any]) -> Usage:
    def count(key: str) -> int | None:
        value = data.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return Usage(
        prompt_tokens=count("prompt_tokens") or 0,
        completion_tokens=count("completion_tokens") or 0,
        total_tokens=count("total_tokens"),
    )


def _workflow(data: Mapping[str, Any]) -> CreativeWorkflowRef:
    workflow_id = data.get("workflowId")
    if not isinstance(workflow_id, str):
        raise ProtocolError("unexpected response shape: a creative workflow without workflowId")
    return CreativeWorkflowRef(
        workflow_id=workflow_id,
        status=_str(data.get("status")),
        url=_str(data.get("url")),
        events_url=_str(data.get("eventsUrl")),
        stream_url=_str(data.get("streamUrl")),
    )
