"""Models of creative workflows and workflow templates: attrs classes with snake_case names.

The service leaves most of a workflow record open (steps, billing previews, errors): what it
does not document is kept as the JSON it sent, and every model keeps its whole object in
``raw``. Event frames are parsed by :func:`parse_creative_workflow_sse_chunk` (the official
clients' rule, including frames that hold only a comment).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..errors import ProtocolError

__all__ = [
    "FINAL_WORKFLOW_STATUSES",
    "TERMINAL_WORKFLOW_STATUSES",
    "WORKFLOW_WAITING_REASONS",
    "CreativeWorkflowFrame",
    "ReseedResult",
    "ResumeResult",
    "TemplatePage",
    "WorkflowArtifact",
    "WorkflowEvent",
    "WorkflowRecord",
    "WorkflowStatus",
    "WorkflowTemplate",
    "parse_creative_workflow_sse_chunk",
]

WorkflowStatus = (
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
"""A workflow's status: the values the service documents, or another it may add."""
TERMINAL_WORKFLOW_STATUSES = frozenset(("completed", "failed", "cancelled"))
"""The statuses that end a workflow's event stream (as the official clients decide)."""
FINAL_WORKFLOW_STATUSES = frozenset(("completed", "partial_failure", "failed", "cancelled"))
"""The statuses a workflow ends in (``partial_failure`` can still be resumed or reseeded)."""
WORKFLOW_WAITING_REASONS = frozenset(
    (
        "ask_clarifying_question",
        "select_media_required",
        "cost_approval_required",
        "cost_reauthorization_required",
        "safety_review_required",
        "workflow_user_input_required",
        "insufficient_credit",
        "permission_required",
        "other",
    )
)
"""Why a workflow may wait for its user (``WorkflowWaitingError.reason``)."""

_BLOCKS = re.compile(r"\r?\n\r?\n")
_LINES = re.compile(r"\r?\n")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


@attrs.frozen
class CreativeWorkflowFrame:
    """One frame of a workflow event stream, parsed as the official clients parse it:
    ``event`` (``message`` by default), ``data`` (JSON, else the text; None without data),
    ``id`` (None without an ``id`` line) and ``raw`` (the block, trimmed)."""

    event: str
    data: Any
    raw: str
    id: str | None = None


def parse_creative_workflow_sse_chunk(chunk: str) -> list[CreativeWorkflowFrame]:
    """Every frame of ``chunk``, text holding whole server-sent-event blocks.

    Blocks are split on blank lines; each non-empty block is one frame, even one holding only
    comments (a keep-alive: ``data`` is None). ``data`` lines are joined with ``\\n`` and parsed
    as JSON when they are JSON; an empty ``data:`` line gives None."""
    frames: list[CreativeWorkflowFrame] = []
    for block in _BLOCKS.split(chunk):
        text = block.strip()
        if not text:
            continue
        event, frame_id = "message", None
        data: list[str] = []
        for line in _LINES.split(text):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "id":
                frame_id = value
            elif name == "event":
                event = value or "message"
            elif name == "data":
                data.append(value)
        joined = "\n".join(data)
        parsed: Any = None
        if joined:
            try:
                parsed = json.loads(joined)
            except ValueError:
                parsed = joined
        frames.append(CreativeWorkflowFrame(event=event, data=parsed, raw=text, id=frame_id))
    return frames


@attrs.frozen
class WorkflowArtifact:
    """A result of a workflow: ``url`` (a signed result URL), ``media_type`` (``image``,
    ``video``, ``audio`` ...), the step that made it."""

    id: str | None
    url: str | None
    media_type: str | None = None
    mime_type: str | None = None
    step_id: str | None = None
    tool_name: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> WorkflowArtifact:
        media = _str(data.get("mediaType")) or _str(data.get("type")) or _str(data.get("kind"))
        return cls(
            id=_str(data.get("id")),
            url=_str(data.get("url")),
            media_type=media,
            mime_type=_str(data.get("mimeType")),
            step_id=_str(data.get("stepId")),
            tool_name=_str(data.get("toolName")),
            raw=dict(data),
        )


@attrs.frozen
class WorkflowEvent:
    """One event of a workflow's log. ``sequence`` orders them (the stream's frame id);
    ``status`` is the **workflow's** status after the event; ``type`` what happened
    (``step_started``, ``artifact_created`` ...); ``data`` the event's own details."""

    sequence: int
    type: str | None
    status: WorkflowStatus | None = None
    message: str | None = None
    data: dict[str, Any] = attrs.field(factory=dict)
    event: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def is_terminal(self) -> bool:
        """Whether the workflow ended here (``completed``, ``failed``, ``cancelled``)."""
        return self.status in TERMINAL_WORKFLOW_STATUSES

    @property
    def is_final(self) -> bool:
        """Whether the workflow stopped here: terminal, ``partial_failure`` or waiting for its
        user (a resume starts it again)."""
        return self.status in FINAL_WORKFLOW_STATUSES or self.status == "waiting_for_user"

    @property
    def step_id(self) -> str | None:
        return _str(self.data.get("stepId"))

    @property
    def artifact(self) -> WorkflowArtifact | None:
        artifact = self.data.get("artifact")
        return WorkflowArtifact.from_wire(artifact) if isinstance(artifact, Mapping) else None

    @classmethod
    def from_wire(
        cls, data: Any, frame_id: str | None = None, event: str | None = None
    ) -> WorkflowEvent | None:
        """The event in ``data`` (a stream frame's data or a REST ``events`` item), or None
        when it carries no sequence."""
        if not isinstance(data, Mapping):
            return None
        sequence = _int(data.get("sequence"))
        if sequence is None:
            sequence = _int(frame_id) if frame_id is not None else _int(data.get("id"))
        if sequence is None:
            return None
        return cls(
            sequence=sequence,
            type=_str(data.get("type")) or _str(data.get("event")),
            status=_str(data.get("status")),
            message=_str(data.get("message")),
            data=_dict(data.get("data")),
            event=event,
            raw=dict(data),
        )


@attrs.frozen
class WorkflowRecord:
    """A workflow as the service describes it (``GET /v1/creative-agent/workflows/{id}``)."""

    workflow_id: str
    status: WorkflowStatus
    title: str | None = None
    waiting_reason: str | None = None
    awaiting_cost_approval: bool = False
    safe_content_filter: bool | None = None
    steps: list[Any] = attrs.field(factory=list)
    events: tuple[WorkflowEvent, ...] = ()
    artifacts: tuple[WorkflowArtifact, ...] = ()
    error: Any = None
    create_time: int | None = None
    update_time: int | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def id(self) -> str:
        return self.workflow_id

    @property
    def finished(self) -> bool:
        return self.status in FINAL_WORKFLOW_STATUSES

    @property
    def result_urls(self) -> list[str]:
        """The URLs of the workflow's results, in the order they were made."""
        return [a.url for a in self.artifacts if a.url]

    @property
    def last_sequence(self) -> int:
        return max((e.sequence for e in self.events), default=-1)

    @property
    def error_message(self) -> str | None:
        error = self.error
        if isinstance(error, Mapping):
            return _str(error.get("message"))
        return _str(error)

    @classmethod
    def from_wire(cls, data: Any) -> WorkflowRecord:
        if not isinstance(data, Mapping):
            raise ProtocolError("unexpected response shape: the workflow is not an object")
        workflow_id = data.get("workflowId")
        if not isinstance(workflow_id, str) or not workflow_id:
            raise ProtocolError("unexpected response shape: a workflow without workflowId")
        events = tuple(
            e for e in (WorkflowEvent.from_wire(x) for x in _list(data.get("events"))) if e
        )
        filter_ = data.get("safeContentFilter")
        return cls(
            workflow_id=workflow_id,
            status=_str(data.get("status")) or "queued",
            title=_str(data.get("title")),
            waiting_reason=_str(data.get("waitingReason")),
            awaiting_cost_approval=data.get("awaitingCostApproval") is True,
            safe_content_filter=filter_ if isinstance(filter_, bool) else None,
            steps=_list(data.get("steps")),
            events=events,
            artifacts=tuple(
                WorkflowArtifact.from_wire(a)
                for a in _list(data.get("artifacts"))
                if isinstance(a, Mapping)
            ),
            error=data.get("error"),
            create_time=_int(data.get("createTime")),
            update_time=_int(data.get("updateTime")),
            raw=dict(data),
        )


@attrs.frozen
class ResumeResult:
    """What ``workflows.resume`` answered: the workflow, and whether it was resumed."""

    workflow: WorkflowRecord
    resumed: bool


@attrs.frozen
class ReseedResult:
    """What ``workflows.reseed`` answered: the **new** workflow, the run it was cloned from,
    the seeds of its steps, and ``idempotent`` (True when a repeated key returned it)."""

    workflow: WorkflowRecord
    cloned_from_run_id: str
    steps: list[Any]
    idempotent: bool = False


@attrs.frozen
class WorkflowTemplate:
    """A saved workflow template: ``inputs`` it declares and ``stages`` (plan steps whose
    arguments may hold ``$inputs.NAME`` placeholders) are kept as the service sent them."""

    id: str
    name: str
    version: str = ""
    description: str = ""
    visibility: str | None = None
    category: str | None = None
    inputs: list[Any] = attrs.field(factory=list)
    stages: list[Any] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_wire(cls, data: Any, what: str = "") -> WorkflowTemplate:
        if not isinstance(data, Mapping):
            raise ProtocolError(f"a template {what}answer without its template object")
        template_id, name = data.get("id"), data.get("name")
        if not isinstance(template_id, str) or not isinstance(name, str):
            raise ProtocolError("unexpected response shape: a template without id or name")
        version = data.get("version")
        return cls(
            id=template_id,
            name=name,
            version=str(version) if isinstance(version, (str, int)) else "",
            description=_str(data.get("description")) or "",
            visibility=_str(data.get("visibility")),
            category=_str(data.get("category")),
            inputs=_list(data.get("inputs")),
            stages=_list(data.get("stages")),
            tags=[t for t in _list(data.get("tags")) if isinstance(t, str)],
            raw=dict(data),
        )


@attrs.frozen
class TemplatePage:
    """One page of ``templates.list``: the templates, and the offset of the next page (None
    when this is the last)."""

    templates: tuple[WorkflowTemplate, ...]
    next_cursor: int | None = None
