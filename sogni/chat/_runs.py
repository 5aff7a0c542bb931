"""``client.chat.runs``: durable chat runs, which the service executes (model rounds and Sogni
tools) and keeps across disconnects.

``POST /v1/chat/runs`` creates one (snake_case body; nested objects keep the caller's casing),
``GET /v1/chat/runs/{id}`` reads it, ``.../cancel`` stops it, ``.../confirm-cost`` answers a cost
approval, and ``.../events/stream`` is its event log as server-sent events, replayed after
``Last-Event-ID`` (the sequence of the last event seen).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from .._handles import EventLog, closing_with
from .._transport.sse import SSEFrame, SSEStream, StreamRequest
from ..errors import ValidationProblem
from ._params import BILLING_MODES, Messages, validate_messages
from ._rest_common import AttributionInput, attribution_headers, check_attribution, raise_problems
from ._run_handle import ChatRun, RunRegistry
from ._run_models import TERMINAL_RUN_EVENTS, ChatRunEvent, ChatRunRecord
from ._tool_media import MediaContext

if TYPE_CHECKING:
    from .._core_protocols import ChatCore
    from .._transport.callbacks import CallbackWorker
    from ..config import ClientConfig

__all__ = ["INLINE_MEDIA_MESSAGE", "ChatRunEventStream", "RunsAPI"]

INLINE_MEDIA_MESSAGE = (
    "Durable chat runs do not support inline base64/data URI media. Give the HTTP(S) URL of "
    "media you have uploaded."
)
"""The problem reported for inline media in a run's request (the service's refusal begins
with the same sentence)."""
_LOCAL_MEDIA_MESSAGE = (
    "must be an HTTP(S) URL: a durable run never uploads local media; upload it first"
)
_CONTEXT_FIELDS = ("images", "videos", "audio", "uploadedImages", "uploadedVideos", "uploadedAudio")
_CONTEXT_ATTRIBUTES = (
    ("images", "images"),
    ("videos", "videos"),
    ("audio", "audio"),
    ("uploaded_images", "uploadedImages"),
    ("uploaded_videos", "uploadedVideos"),
    ("uploaded_audio", "uploadedAudio"),
)
_DECISIONS = ("confirm", "cancel")


def _run_path(run_id: str, tail: str = "") -> str:
    return f"/v1/chat/runs/{quote(run_id, safe='')}{tail}"


class RunsAPI:
    """``client.chat.runs``: create, follow, cancel and approve durable chat runs."""

    def __init__(self, core: ChatCore, config: ClientConfig) -> None:
        self._core = core
        self._config = config
        self._registry: RunRegistry = core.extension(
            "chat.runs", lambda core: closing_with(core, RunRegistry())
        )

    # ------------------------------------------------------------------ what handles use

    @property
    def _callbacks(self) -> CallbackWorker:
        return self._core.callbacks

    def _open_stream(self, run_id: str, resume_from: int | None) -> SSEStream[int]:
        return _run_stream(self._core, self._config, run_id, resume_from)

    def _fetch(self, run_id: str) -> ChatRunRecord:
        self._core.check()
        data = self._core.rest.request("GET", _run_path(run_id), config=self._config)
        return ChatRunRecord.from_wire(_run_of(data))

    # ------------------------------------------------------------------ the API

    def create(
        self,
        *,
        messages: Messages,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        model: str | None = None,
        sampling: Mapping[str, Any] | None = None,
        media_references: Sequence[Mapping[str, Any]] | None = None,
        media_context: MediaContext | Mapping[str, Any] | None = None,
        max_estimated_capacity_units: float | None = None,
        confirm_cost: bool | None = None,
        session_id: str | None = None,
        client_message_id: str | None = None,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        runtime_config: Mapping[str, Any] | None = None,
        attribution: AttributionInput | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRun:
        """Start a durable run (``POST /v1/chat/runs``) and return its :class:`ChatRun`.

        Media must already be online: every image part in ``messages``, every
        ``media_references[i].url`` and every ``media_context`` entry must be an HTTP(S) URL.
        Anything else (a ``data:`` URI, a ``dataUri``/``data_uri`` reference, a path, bytes)
        raises ``ValidationError`` naming each field, and nothing is sent; local files are
        never uploaded for you.

        ``runtime_config`` (``qualityTier``, ``safeContentFilter``, ``personaNames``,
        ``requireJobConfirmation``, ``jobConfirmationThresholdUsd``), ``sampling`` and
        ``media_context`` keep your keys as given. With ``requireJobConfirmation`` the run
        pauses before paid media tools until ``run.confirm_cost()``.

        An ``Idempotency-Key`` is always sent: ``idempotency_key``, or one made for this call.
        So this call can be retried safely after a lost answer, and the same key returns the
        same run (``record.idempotent`` is then True); the TypeScript SDK sends a key only
        when given one."""
        self._core.check()
        problems = validate_messages(messages)
        problems += _inline_media_problems(messages, media_references, media_context)
        problems += _option_problems(
            tools=tools,
            sampling=sampling,
            runtime_config=runtime_config,
            max_estimated_capacity_units=max_estimated_capacity_units,
            confirm_cost=confirm_cost,
            token_type=token_type,
            billing_mode=billing_mode,
            strings={
                "model": model,
                "session_id": session_id,
                "client_message_id": client_message_id,
                "app_source": app_source,
                "idempotency_key": idempotency_key,
            },
        )
        chosen = check_attribution(attribution, problems)
        raise_problems(problems)
        source = app_source or self._config.app_source
        body: dict[str, Any] = {"messages": list(messages)}
        optional: tuple[tuple[str, Any, bool], ...] = (
            ("tools", tools, tools is not None),
            ("tool_choice", tool_choice, tool_choice is not None),
            ("model", model, bool(model)),
            ("sampling", sampling, sampling is not None),
            ("media_references", media_references, media_references is not None),
            ("media_context", _context_wire(media_context), media_context is not None),
            (
                "max_estimated_capacity_units",
                max_estimated_capacity_units,
                max_estimated_capacity_units is not None,
            ),
            ("confirm_cost", confirm_cost, confirm_cost is not None),
            ("session_id", session_id, bool(session_id)),
            ("client_message_id", client_message_id, bool(client_message_id)),
            ("token_type", token_type, bool(token_type)),
            ("billing_mode", billing_mode, bool(billing_mode)),
            ("app_source", source, bool(source)),
            ("runtime_config", runtime_config, runtime_config is not None),
        )
        for key, value, present in optional:
            if present:
                body[key] = _plain(value)
        headers = attribution_headers(source, chosen, str(uuid.uuid4()).upper())
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4()).upper()
        data = self._core.rest.request(
            "POST",
            "/v1/chat/runs",
            json_body=body,
            headers=headers,
            # The key makes a second attempt return the run the first one made.
            idempotent=True,
            config=self._config,
        )
        record = ChatRunRecord.from_wire(_run_of(data), idempotent=data.get("idempotent"))
        return self._registry.handle_for(record, self)

    def get(self, run_id: str) -> ChatRun:
        """The :class:`ChatRun` of an existing run, with its record read now. Within one
        client a run has one handle: ``get`` returns the live one when there is one."""
        _check_run_id(run_id)
        return self._registry.handle_for(self._fetch(run_id), self)

    def cancel(self, run_id: str, reason: str | None = None) -> ChatRunRecord:
        """Cancel a run (``POST .../cancel``): the service stops its paid work. Returns the
        record it answered with."""
        _check_run_id(run_id)
        self._core.check()
        data = self._core.rest.request(
            "POST",
            _run_path(run_id, "/cancel"),
            json_body={"reason": reason} if reason else {},
            config=self._config,
        )
        return self._applied(ChatRunRecord.from_wire(_run_of(data)))

    def confirm_cost(
        self,
        run_id: str,
        *,
        tool_call_id: str,
        decision: Literal["confirm", "cancel"] = "confirm",
        accepted_cost_preview: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRunRecord:
        """Answer a run paused for cost approval (``POST .../confirm-cost``).

        ``tool_call_id`` is the paused call (``run.waiting.tool_call_id``). To confirm, pass
        the preview your user accepted, unchanged (``run.waiting.cost_preview``): the service
        refuses a confirm without it (400) or with a stale one (409, ``ConflictError``); this
        SDK never fills it in for you. ``decision="cancel"`` declines the paused tools.
        ``idempotency_key`` is sent as ``Idempotency-Key`` (use one per decision)."""
        _check_run_id(run_id)
        self._core.check()
        problems: list[ValidationProblem] = []
        if not isinstance(tool_call_id, str) or not tool_call_id:
            problems.append(ValidationProblem("tool_call_id", "must be the paused call's id"))
        if decision not in _DECISIONS:
            problems.append(ValidationProblem("decision", "must be 'confirm' or 'cancel'"))
        if accepted_cost_preview is not None and not isinstance(accepted_cost_preview, Mapping):
            problems.append(ValidationProblem("accepted_cost_preview", "must be the preview dict"))
        elif decision == "confirm" and accepted_cost_preview is None:
            problems.append(
                ValidationProblem(
                    "accepted_cost_preview",
                    "is required to confirm: pass the preview your user accepted "
                    "(run.waiting.cost_preview)",
                )
            )
        for name, value in (("overrides", overrides),):
            if value is not None and not isinstance(value, Mapping):
                problems.append(ValidationProblem(name, "must be a dict"))
        for name, text in (("reason", reason), ("idempotency_key", idempotency_key)):
            if text is not None and not isinstance(text, str):
                problems.append(ValidationProblem(name, "must be a string"))
        raise_problems(problems)
        body: dict[str, Any] = {"tool_call_id": tool_call_id, "decision": decision}
        if accepted_cost_preview is not None:
            body["acceptedCostPreview"] = _plain(accepted_cost_preview)
        if overrides:
            body["overrides"] = _plain(overrides)
        if reason:
            body["reason"] = reason
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        data = self._core.rest.request(
            "POST",
            _run_path(run_id, "/confirm-cost"),
            json_body=body,
            headers=headers,
            idempotent=bool(idempotency_key),
            config=self._config,
        )
        return self._applied(ChatRunRecord.from_wire(_run_of(data)))

    def stream_events(self, run_id: str, *, last_event_id: int | None = None) -> ChatRunEventStream:
        """The run's events from the server's log, in order, each once: all of them, or those
        after ``last_event_id`` (a sequence). The stream is resumed after every cut and ends
        after the terminal event; it is read on the thread that iterates it (the connection
        opens at the first ``next()``). ``close()`` (or leaving a ``with`` block) stops it."""
        _check_run_id(run_id)
        self._core.check()
        if last_event_id is not None and (
            not isinstance(last_event_id, int) or isinstance(last_event_id, bool)
        ):
            raise_problems([ValidationProblem("last_event_id", "must be an event's sequence")])
        stream = _run_stream(self._core, self._config, run_id, last_event_id)
        return ChatRunEventStream(stream, run_id, last_event_id)

    def _applied(self, record: ChatRunRecord) -> ChatRunRecord:
        tracker = self._registry.live(record.run_id)
        if tracker is not None:
            tracker.apply_record(record)
        return record


class ChatRunEventStream(EventLog[ChatRunEvent]):
    """The iterator of ``chat.runs.stream_events``: :class:`ChatRunEvent` objects in order,
    each once, across reconnects, ending after the terminal event."""

    def __init__(self, stream: SSEStream[int], run_id: str, after: int | None) -> None:
        super().__init__(stream, after)
        self._run_id = run_id

    def _parse(self, frame: SSEFrame) -> ChatRunEvent | None:
        return ChatRunEvent.from_wire(frame.data)

    @staticmethod
    def _ends(event: ChatRunEvent) -> bool:
        return event.is_terminal

    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def last_event_id(self) -> int | None:
        """The sequence of the last event yielded (None before the first)."""
        return self._last_event_id()

    def __iter__(self) -> ChatRunEventStream:
        return self

    def __next__(self) -> ChatRunEvent:
        return self._next_event()

    def close(self) -> None:
        """Stop reading (the run goes on)."""
        self._close()

    def __enter__(self) -> ChatRunEventStream:
        return self


# --------------------------------------------------------------------------- helpers


def _run_stream(
    core: ChatCore, config: ClientConfig, run_id: str, resume_from: int | None
) -> SSEStream[int]:
    def request(key: int | None) -> StreamRequest:
        headers = {"Accept": "text/event-stream"}
        if key is not None:
            headers["Last-Event-ID"] = str(key)
        return StreamRequest(headers=headers)

    def key(frame: SSEFrame) -> int | None:
        event = ChatRunEvent.from_wire(frame.data) if frame.event != "run_status" else None
        return event.sequence if event is not None else None

    def terminal(frame: SSEFrame) -> bool:
        data = frame.data
        return frame.event != "run_status" and (
            isinstance(data, Mapping) and data.get("type") in TERMINAL_RUN_EVENTS
        )

    return SSEStream(
        core.rest,
        config,
        _run_path(run_id, "/events/stream"),
        resume_request=request,
        resume_key=key,
        is_terminal=terminal,
        # Status snapshots are not log events: they are skipped.
        keep=lambda frame: frame.event != "run_status" and isinstance(frame.data, Mapping),
        resume_from=resume_from,
        label=f"event stream of chat run {run_id}",
    )


def _run_of(data: Any) -> Any:
    return data.get("run") if isinstance(data, Mapping) else None


def _check_run_id(run_id: Any) -> None:
    if not isinstance(run_id, str) or not run_id.strip():
        raise_problems([ValidationProblem("run_id", "must be a run id")])


def _plain(value: Any) -> Any:
    """A mapping or sequence the caller gave, as plain JSON containers (keys as given)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _context_wire(context: MediaContext | Mapping[str, Any] | None) -> Any:
    if isinstance(context, MediaContext):
        out: dict[str, Any] = {}
        for attribute, key in _CONTEXT_ATTRIBUTES:
            values = list(getattr(context, attribute))
            if values or key in ("images", "videos", "audio"):
                out[key] = values
        return out
    return context


def _media_problem(param: str, value: Any, problems: list[ValidationProblem]) -> None:
    """The service's rule: a non-empty string must start with http:// or https:// (and not
    data:); anything that is not a string is local media, which a run cannot take."""
    if isinstance(value, str):
        text = value.strip()
        if text and (
            text[:5].lower() == "data:" or not text.lower().startswith(("http://", "https://"))
        ):
            problems.append(ValidationProblem(param, INLINE_MEDIA_MESSAGE))
    elif value is not None:
        problems.append(ValidationProblem(param, _LOCAL_MEDIA_MESSAGE))


def _inline_media_problems(messages: Any, references: Any, context: Any) -> list[ValidationProblem]:
    problems: list[ValidationProblem] = []
    for i, message in enumerate(messages if isinstance(messages, Sequence) else ()):
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, str) or not isinstance(content, Sequence):
            continue
        for j, part in enumerate(content):
            if isinstance(part, Mapping) and part.get("type") == "image_url":
                image = part.get("image_url")
                if isinstance(image, Mapping):
                    _media_problem(
                        f"messages[{i}].content[{j}].image_url.url", image.get("url"), problems
                    )
    if references is not None:
        if isinstance(references, (str, bytes)) or not isinstance(references, Sequence):
            problems.append(ValidationProblem("media_references", "must be a list"))
        else:
            for i, reference in enumerate(references):
                if not isinstance(reference, Mapping):
                    continue
                _media_problem(f"media_references[{i}].url", reference.get("url"), problems)
                for key in ("dataUri", "data_uri"):
                    value = reference.get(key)
                    if (isinstance(value, str) and value.strip()) or isinstance(value, bytes):
                        problems.append(
                            ValidationProblem(f"media_references[{i}].{key}", INLINE_MEDIA_MESSAGE)
                        )
    if isinstance(context, MediaContext):
        for attribute, _ in _CONTEXT_ATTRIBUTES:
            for i, value in enumerate(getattr(context, attribute)):
                _media_problem(f"media_context.{attribute}[{i}]", value, problems)
    elif isinstance(context, Mapping):
        for field in _CONTEXT_FIELDS:
            values = context.get(field)
            if isinstance(values, (list, tuple)):
                for i, value in enumerate(values):
                    _media_problem(f"media_context.{field}[{i}]", value, problems)
    elif context is not None:
        problems.append(ValidationProblem("media_context", "must be a MediaContext or a dict"))
    return problems


def _option_problems(
    *,
    tools: Any,
    sampling: Any,
    runtime_config: Any,
    max_estimated_capacity_units: Any,
    confirm_cost: Any,
    token_type: Any,
    billing_mode: Any,
    strings: Mapping[str, Any],
) -> list[ValidationProblem]:
    problems: list[ValidationProblem] = []

    def bad(param: str, message: str) -> None:
        problems.append(ValidationProblem(param, message))

    if tools is not None and (
        isinstance(tools, (str, bytes))
        or not isinstance(tools, Sequence)
        or not all(isinstance(t, Mapping) for t in tools)
    ):
        bad("tools", "must be a list of tool definitions")
    for name, value in (("sampling", sampling), ("runtime_config", runtime_config)):
        if value is not None and not isinstance(value, Mapping):
            bad(name, "must be a dict")
    units = max_estimated_capacity_units
    if units is not None and (
        isinstance(units, bool) or not isinstance(units, (int, float)) or units < 0
    ):
        bad("max_estimated_capacity_units", "must be a number of capacity units (0 or more)")
    if confirm_cost is not None and not isinstance(confirm_cost, bool):
        bad("confirm_cost", "must be True or False")
    if token_type is not None and token_type not in ("sogni", "spark"):
        bad("token_type", "must be 'sogni' or 'spark'")
    if billing_mode is not None and billing_mode not in BILLING_MODES:
        bad("billing_mode", "must be one of " + ", ".join(repr(b) for b in BILLING_MODES))
    for name, value in strings.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            bad(name, "must be a non-empty string")
    return problems
