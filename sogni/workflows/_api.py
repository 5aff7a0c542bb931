"""``client.workflows``: durable creative workflows, which the service runs step by step (image,
video, music ...) and keeps across disconnects.

``POST /v1/creative-agent/workflows`` starts one from an inline plan or a saved template
(snake_case body); ``GET .../{id}`` reads it, ``.../events`` lists its log and
``.../events/stream`` streams it as server-sent events, resumed with ``?after=`` and
``Last-Event-ID`` (the sequence of the last event seen); ``resume``, ``reseed`` and ``cancel``
act on it. Every success body is wrapped (``data.workflow`` ...).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from .._handles import EventLog, closing_with
from .._transport.sse import SSEFrame, SSEStream, StreamRequest
from ..chat._params import BILLING_MODES
from ..chat._rest_common import (
    AttributionInput,
    attribution_headers,
    check_attribution,
    raise_problems,
)
from ..errors import ProtocolError, ValidationProblem
from ._models import ReseedResult, ResumeResult, WorkflowEvent, WorkflowRecord
from ._run import WorkflowRegistry, WorkflowRun
from ._templates import TemplatesAPI

if TYPE_CHECKING:
    from .._core_protocols import ChatCore
    from .._transport.callbacks import CallbackWorker
    from ..config import ClientConfig

__all__ = ["INLINE_MEDIA_MESSAGE", "WorkflowEventStream", "WorkflowsAPI"]

INLINE_MEDIA_MESSAGE = (
    "Durable creative workflows do not support inline base64/data URI media. Give the HTTP(S) "
    "URL of media you have uploaded."
)
"""The problem reported for a ``data:`` URI in ``media_references`` (the service's refusal
begins with the same sentence)."""
_BASE = "/v1/creative-agent/workflows"


def _path(workflow_id: str, tail: str = "") -> str:
    return f"{_BASE}/{quote(workflow_id, safe='')}{tail}"


def _check_id(workflow_id: Any) -> None:
    if not isinstance(workflow_id, str) or not workflow_id.strip():
        raise_problems([ValidationProblem("workflow_id", "must be a workflow id")])


def _data(data: Any, key: str) -> Any:
    if not isinstance(data, Mapping):
        raise ProtocolError("a workflow answer without a data object")
    if key not in data:
        raise ProtocolError(f"a workflow answer without its {key!r} object")
    return data[key]


def _plain(value: Any) -> Any:
    """A mapping or sequence the caller gave, as plain JSON containers (keys as given)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _media_problems(references: Any) -> list[ValidationProblem]:
    """The service's rule for ``media_references``: a ``url`` must be HTTP(S), never a
    ``data:`` URI, and no ``dataUri``/``data_uri`` is allowed."""
    if references is None:
        return []
    if isinstance(references, (str, bytes)) or not isinstance(references, Sequence):
        return [ValidationProblem("media_references", "must be a list")]
    problems: list[ValidationProblem] = []
    for i, reference in enumerate(references):
        if not isinstance(reference, Mapping):
            continue
        url = reference.get("url")
        if isinstance(url, str):
            text = url.strip().lower()
            if text and (text.startswith("data:") or not text.startswith(("http://", "https://"))):
                problems.append(
                    ValidationProblem(f"media_references[{i}].url", INLINE_MEDIA_MESSAGE)
                )
        elif url is not None:
            # bytes, a path ...: local media, which a workflow never uploads.
            problems.append(ValidationProblem(f"media_references[{i}].url", INLINE_MEDIA_MESSAGE))
        for key in ("dataUri", "data_uri"):
            value = reference.get(key)
            if (isinstance(value, str) and value.strip()) or isinstance(value, bytes):
                problems.append(
                    ValidationProblem(f"media_references[{i}].{key}", INLINE_MEDIA_MESSAGE)
                )
    return problems


def _billing_problems(
    token_type: Any, billing_mode: Any, app_source: Any
) -> list[ValidationProblem]:
    problems: list[ValidationProblem] = []
    if token_type is not None and token_type not in ("sogni", "spark"):
        problems.append(ValidationProblem("token_type", "must be 'sogni' or 'spark'"))
    if billing_mode is not None and billing_mode not in BILLING_MODES:
        problems.append(
            ValidationProblem(
                "billing_mode", "must be one of " + ", ".join(repr(b) for b in BILLING_MODES)
            )
        )
    if app_source is not None and (not isinstance(app_source, str) or not app_source.strip()):
        problems.append(ValidationProblem("app_source", "must be a non-empty string"))
    return problems


class WorkflowsAPI:
    """``client.workflows``: start, follow, resume, reseed and cancel creative workflows;
    ``templates`` holds the saved ones."""

    def __init__(self, core: ChatCore, config: ClientConfig) -> None:
        self._core = core
        self._config = config
        self._registry: WorkflowRegistry = core.extension(
            "workflows", lambda core: closing_with(core, WorkflowRegistry())
        )

    @cached_property
    def templates(self) -> TemplatesAPI:
        return TemplatesAPI(self._core, self._config)

    # ------------------------------------------------------------------ what handles use

    @property
    def _callbacks(self) -> CallbackWorker:
        return self._core.callbacks

    def _open_stream(self, workflow_id: str, resume_from: int | None) -> SSEStream[int]:
        return _workflow_stream(self._core, self._config, workflow_id, resume_from)

    def _fetch(self, workflow_id: str) -> WorkflowRecord:
        self._core.check()
        data = self._core.rest.request("GET", _path(workflow_id), config=self._config)
        return WorkflowRecord.from_wire(_data(data, "workflow"))

    # ------------------------------------------------------------------ the API

    def start(
        self,
        *,
        input: Mapping[str, Any] | None = None,
        workflow_id: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        media_references: Sequence[Mapping[str, Any]] | None = None,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        max_estimated_capacity_units: float | None = None,
        confirm_cost: bool | None = None,
        safe_content_filter: bool | None = None,
        attribution: AttributionInput | None = None,
        idempotency_key: str | None = None,
    ) -> WorkflowRun:
        """Start a workflow and return its :class:`WorkflowRun`.

        Give exactly one of ``input`` (an inline plan: ``{"title": ..., "steps": [{"id",
        "toolName", "arguments", "dependsOn": [...]}]}``) and ``workflow_id`` (a saved
        template's id, with its ``inputs``). ``media_references`` must be HTTP(S) URLs: a
        ``data:`` URI or a ``dataUri`` raises ``ValidationError`` naming each field, and nothing
        is sent. A step fed by the request's media uses ``sourceStepId: "$input_media"``.

        An ``Idempotency-Key`` is always sent (``idempotency_key``, or one made for this call),
        so a retry after a lost answer returns the workflow the first attempt started instead
        of starting and billing another."""
        self._core.check()
        problems: list[ValidationProblem] = []
        if input is None and workflow_id is None:
            problems.append(
                ValidationProblem(
                    "input",
                    "give an inline plan as input, or a saved template's id as workflow_id",
                )
            )
        elif input is not None and workflow_id is not None:
            problems.append(
                ValidationProblem("input", "give input or workflow_id: one of them, not the two")
            )
        if input is not None and not isinstance(input, Mapping):
            problems.append(ValidationProblem("input", "must be a plan dict ({title?, steps})"))
        elif isinstance(input, Mapping) and not isinstance(input.get("steps"), (list, tuple)):
            problems.append(ValidationProblem("input.steps", "must be a list of steps"))
        if workflow_id is not None and (
            not isinstance(workflow_id, str) or not workflow_id.strip()
        ):
            problems.append(ValidationProblem("workflow_id", "must be a template id"))
        if inputs is not None and not isinstance(inputs, Mapping):
            problems.append(ValidationProblem("inputs", "must be a dict"))
        problems += _media_problems(media_references)
        problems += _billing_problems(token_type, billing_mode, app_source)
        units = max_estimated_capacity_units
        if units is not None and (
            isinstance(units, bool) or not isinstance(units, (int, float)) or units < 0
        ):
            problems.append(
                ValidationProblem("max_estimated_capacity_units", "must be a number (0 or more)")
            )
        for name, flag in (
            ("confirm_cost", confirm_cost),
            ("safe_content_filter", safe_content_filter),
        ):
            if flag is not None and not isinstance(flag, bool):
                problems.append(ValidationProblem(name, "must be True or False"))
        if idempotency_key is not None and (
            not isinstance(idempotency_key, str) or not idempotency_key
        ):
            problems.append(ValidationProblem("idempotency_key", "must be a non-empty string"))
        chosen = check_attribution(attribution, problems)
        raise_problems(problems)
        source = app_source or self._config.app_source
        # The service's key order: the plan or template first, then billing, then the rest.
        body: dict[str, Any] = {}
        if input is not None:
            body["input"] = _plain(input)
        else:
            body["workflow_id"] = workflow_id
            if inputs is not None:
                body["inputs"] = _plain(inputs)
        for key, value, present in (
            ("token_type", token_type, bool(token_type)),
            ("billing_mode", billing_mode, bool(billing_mode)),
            ("app_source", source, bool(source)),
            ("max_estimated_capacity_units", units, units is not None),
            ("confirm_cost", confirm_cost, confirm_cost is not None),
            ("safe_content_filter", safe_content_filter, safe_content_filter is not None),
            ("media_references", _plain(media_references), media_references is not None),
        ):
            if present:
                body[key] = value
        headers = attribution_headers(source, chosen, str(uuid.uuid4()).upper())
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4()).upper()
        data = self._core.rest.request(
            "POST", _BASE, json_body=body, headers=headers, idempotent=True, config=self._config
        )
        record = WorkflowRecord.from_wire(_data(data, "workflow"))
        return self._registry.handle_for(record, self)

    def list(self, *, limit: int | None = None, offset: int | None = None) -> list[WorkflowRecord]:
        """Your workflows (``limit`` and ``offset`` are sent as given)."""
        self._core.check()
        for name, value in (("limit", limit), ("offset", offset)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise_problems([ValidationProblem(name, "must be an integer")])
        params = {k: v for k, v in (("limit", limit), ("offset", offset)) if v is not None}
        data = self._core.rest.request("GET", _BASE, params=params, config=self._config)
        items = _data(data, "workflows")
        return [WorkflowRecord.from_wire(w) for w in (items if isinstance(items, list) else [])]

    def get(self, workflow_id: str) -> WorkflowRun:
        """The :class:`WorkflowRun` of an existing workflow, with its record read now (for
        example one a hosted chat's ``creative_workflows`` names). Within one client a
        workflow has one live handle."""
        _check_id(workflow_id)
        return self._registry.handle_for(self._fetch(workflow_id), self)

    def events(self, workflow_id: str) -> builtins.list[WorkflowEvent]:
        """The workflow's event log so far (``GET .../events``)."""
        _check_id(workflow_id)
        self._core.check()
        data = self._core.rest.request("GET", _path(workflow_id, "/events"), config=self._config)
        items = _data(data, "events")
        return [e for e in (WorkflowEvent.from_wire(x) for x in (items or [])) if e is not None]

    def stream_events(self, workflow_id: str, *, after: int | None = None) -> WorkflowEventStream:
        """The workflow's events from the server's log, in order, each once: all of them, or
        those after the sequence ``after``. Resumed after every cut (``?after=`` and
        ``Last-Event-ID``); it ends after an event whose workflow status is ``completed``,
        ``failed``, ``cancelled``, ``partial_failure`` or ``waiting_for_user``. It is read on
        the thread that iterates it; ``close()`` stops it."""
        _check_id(workflow_id)
        self._core.check()
        if after is not None and (not isinstance(after, int) or isinstance(after, bool)):
            raise_problems([ValidationProblem("after", "must be an event's sequence")])
        stream = _workflow_stream(self._core, self._config, workflow_id, after)
        return WorkflowEventStream(stream, workflow_id, after)

    def resume(
        self,
        workflow_id: str,
        *,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        attribution: AttributionInput | None = None,
    ) -> ResumeResult:
        """Start a paused workflow again (``waiting_for_user``, once its user answered), or
        retry the failed steps of one that ended ``failed`` or ``partial_failure``."""
        _check_id(workflow_id)
        data = self._post_billing(
            _path(workflow_id, "/resume"), {}, token_type, billing_mode, app_source, attribution
        )
        record = WorkflowRecord.from_wire(_data(data, "workflow"))
        self._applied(record)
        return ResumeResult(record, data.get("resumed") is True)

    def reseed(
        self,
        workflow_id: str,
        *,
        seed_overrides: Mapping[str, int] | None = None,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        attribution: AttributionInput | None = None,
        idempotency_key: str | None = None,
    ) -> ReseedResult:
        """A new take of a finished workflow with fresh seeds (``seed_overrides`` maps the
        source's step ids to seeds). Returns the **new** workflow; follow it with
        ``client.workflows.get(result.workflow.workflow_id)``. An ``Idempotency-Key`` is always
        sent, so a retried call returns the same take (``idempotent`` is then True)."""
        _check_id(workflow_id)
        if seed_overrides is not None and not isinstance(seed_overrides, Mapping):
            raise_problems([ValidationProblem("seed_overrides", "must be a dict")])
        # Sent only when given (``{}`` included), as the TypeScript SDK does.
        body: dict[str, Any] = {}
        if seed_overrides is not None:
            body["seed_overrides"] = dict(seed_overrides)
        data = self._post_billing(
            _path(workflow_id, "/reseed"),
            body,
            token_type,
            billing_mode,
            app_source,
            attribution,
            idempotency_key or str(uuid.uuid4()).upper(),
        )
        record = WorkflowRecord.from_wire(_data(data, "workflow"))
        reseed = _data(data, "reseed")
        reseed = reseed if isinstance(reseed, Mapping) else {}
        cloned = reseed.get("cloned_from_run_id")
        steps = reseed.get("steps")
        return ReseedResult(
            record,
            cloned if isinstance(cloned, str) else "",
            list(steps) if isinstance(steps, list) else [],
            data.get("idempotent") is True,
        )

    def cancel(self, workflow_id: str) -> WorkflowRecord:
        """Cancel a workflow: the service stops its paid work. Returns the record it answered
        with (``cancelled``, or the status it had already ended with)."""
        _check_id(workflow_id)
        self._core.check()
        # No body and no Content-Type: what the TypeScript SDK sends.
        data = self._core.rest.request(
            "POST", _path(workflow_id, "/cancel"), send_body=False, config=self._config
        )
        return self._applied(WorkflowRecord.from_wire(_data(data, "workflow")))

    # ------------------------------------------------------------------ helpers

    def _post_billing(
        self,
        path: str,
        body: dict[str, Any],
        token_type: Any,
        billing_mode: Any,
        app_source: Any,
        attribution: Any,
        idempotency_key: str | None = None,
    ) -> Mapping[str, Any]:
        self._core.check()
        problems = _billing_problems(token_type, billing_mode, app_source)
        chosen = check_attribution(attribution, problems)
        raise_problems(problems)
        source = app_source or self._config.app_source
        for key, value in (
            ("token_type", token_type),
            ("billing_mode", billing_mode),
            ("app_source", source),
        ):
            if value:
                body[key] = value
        headers = attribution_headers(source, chosen, str(uuid.uuid4()).upper())
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        data = self._core.rest.request(
            "POST",
            path,
            json_body=body,
            headers=headers,
            idempotent=bool(idempotency_key),
            config=self._config,
        )
        if not isinstance(data, Mapping):
            raise ProtocolError("a workflow answer without a data object")
        return data

    def _applied(self, record: WorkflowRecord) -> WorkflowRecord:
        tracker = self._registry.live(record.workflow_id)
        if tracker is not None:
            tracker.apply_record(record)
        return record


class WorkflowEventStream(EventLog[WorkflowEvent]):
    """The iterator of ``workflows.stream_events``: :class:`WorkflowEvent` objects in order,
    each once, across reconnects."""

    def __init__(self, stream: SSEStream[int], workflow_id: str, after: int | None) -> None:
        super().__init__(stream, after)
        self._workflow_id = workflow_id

    def _parse(self, frame: SSEFrame) -> WorkflowEvent | None:
        return WorkflowEvent.from_wire(frame.data, frame.id, frame.event)

    @staticmethod
    def _ends(event: WorkflowEvent) -> bool:
        return event.is_final

    @property
    def workflow_id(self) -> str:
        return self._workflow_id

    @property
    def last_event_id(self) -> int | None:
        """The sequence of the last event yielded (None before the first)."""
        return self._last_event_id()

    def __iter__(self) -> WorkflowEventStream:
        return self

    def __next__(self) -> WorkflowEvent:
        return self._next_event()

    def close(self) -> None:
        """Stop reading (the workflow goes on)."""
        self._close()

    def __enter__(self) -> WorkflowEventStream:
        return self


def _workflow_stream(
    core: ChatCore, config: ClientConfig, workflow_id: str, resume_from: int | None
) -> SSEStream[int]:
    def request(key: int | None) -> StreamRequest:
        headers = {"Accept": "text/event-stream"}
        if key is None:
            return StreamRequest(headers=headers)
        headers["Last-Event-ID"] = str(key)
        return StreamRequest(params={"after": key}, headers=headers)

    def key(frame: SSEFrame) -> int | None:
        event = WorkflowEvent.from_wire(frame.data, frame.id)
        return event.sequence if event is not None else None

    def final(frame: SSEFrame) -> bool:
        event = WorkflowEvent.from_wire(frame.data, frame.id)
        return event is not None and event.is_final

    return SSEStream(
        core.rest,
        config,
        _path(workflow_id, "/events/stream"),
        resume_request=request,
        resume_key=key,
        is_terminal=final,
        keep=lambda frame: isinstance(frame.data, Mapping),
        resume_from=resume_from,
        label=f"event stream of workflow {workflow_id}",
    )
