"""The HTTP side of the fake's durable chat runs: ``/v1/chat/runs`` (create, read, cancel,
confirm-cost) and the event stream ``/v1/chat/runs/{id}/events/stream``.

The stream [INV-RUN-STREAM]: a ``run_status`` snapshot frame (``{runId, status}``) when it
opens and whenever the status changed, then every event after ``Last-Event-ID`` (all of them
without one, or with a negative or unreadable one) as ``id: <sequence>``, ``event: <type>``,
``data: <event JSON>``; a ``: keep-alive`` comment in a frame of its own every
``FakeSupernet.sse_keepalive`` seconds of silence; closed by the server after the terminal
event. The control plane can cut every open stream (``cut_streams``) or make them go silent
(``stall_streams``: no events, no keep-alives, until the client leaves).

Other invented behaviour: [INV-RUN-IDEMPOTENCY] (an ``Idempotency-Key`` seen before for the
account returns that run, ``data.idempotent: true``, HTTP 200; with a different body, 409),
[INV-RUN-ERRORS] (404 for an unknown run or another account's; 409 to cancel a finished run;
confirm-cost: 409 when the run is not awaiting approval or the tool call is not the paused one,
400 for an unknown decision or a confirm without ``acceptedCostPreview``, 409 for a preview
that differs from the current one or has expired; a repeated ``Idempotency-Key`` on
confirm-cost answers the run as it is), [INV-RUN-INLINE-MEDIA] (inline or local media in the
create body is refused with 400 naming the fields, the SDKs' own rule).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._runs import TERMINAL_EVENTS, RunRec, RunsService
from ._server import ApiError, FakeServer, json_body, ok
from ._streams import OpenStream, StreamRoutes, bad_url, end_stream, write_event

if TYPE_CHECKING:
    from ._fake import FakeSupernet

__all__ = ["RunRoutes", "install"]

_DECISIONS = {
    "confirm": "confirm",
    "approved": "confirm",
    "cancel": "cancel",
    "rejected": "cancel",
    "cancelled": "cancel",
}
_CONTEXT_FIELDS = ("images", "videos", "audio", "uploadedImages", "uploadedVideos", "uploadedAudio")
_STALL_POLL = 0.05


def install(fake: FakeSupernet, server: FakeServer) -> None:
    routes = RunRoutes(fake, server)
    fake._runs_ext = routes
    server.api_route("POST", "/v1/chat/runs", routes.create)
    server.api_route("GET", "/v1/chat/runs/{run_id}", routes.get)
    server.api_route("POST", "/v1/chat/runs/{run_id}/cancel", routes.cancel)
    server.api_route("POST", "/v1/chat/runs/{run_id}/confirm-cost", routes.confirm_cost)
    server.api_route("GET", "/v1/chat/runs/{run_id}/events/stream", routes.stream)


class RunRoutes(StreamRoutes[RunRec]):
    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        super().__init__()
        self.fake = fake
        self.server = server
        self.service = RunsService(fake)

    # ------------------------------------------------------------------ control plane

    def stall_streams(self) -> int:
        streams = [s for s in self.streams if not s.stalled]
        for stream in streams:
            stream.stalled = True
        return len(streams)

    # ------------------------------------------------------------------ REST

    def _owned(self, request: web.Request) -> RunRec:
        account = self.server.require_account(request)
        run = self.service.runs.get(request.match_info["run_id"])
        if run is None or run.account is not account:
            raise ApiError(404, "Chat run not found")  # [INV-RUN-ERRORS]
        return run

    async def create(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        key = request.headers.get("Idempotency-Key") or None
        if key is not None:
            earlier = self.service.by_key.get((account.wallet_address, key))
            if earlier is not None:  # [INV-RUN-IDEMPOTENCY]
                if earlier.body != body:
                    raise ApiError(409, "This Idempotency-Key was used for a different run")
                return ok({"run": earlier.record(), "idempotent": True})
        problems = _create_problems(body, self.fake.llm_models)
        if problems:
            raise ApiError(400, "; ".join(problems))
        run = self.service.create(account, body, key)
        return web.json_response({"status": "success", "data": {"run": run.record()}}, status=202)

    async def get(self, request: web.Request) -> web.Response:
        return ok({"run": self._owned(request).record()})

    async def cancel(self, request: web.Request) -> web.Response:
        run = self._owned(request)
        if run.finished:
            raise ApiError(409, f"Chat run is already {run.status}")
        body = await json_body(request)
        reason = body.get("reason") if isinstance(body, dict) else None
        self.service.cancel(run, reason if isinstance(reason, str) and reason else None)
        return ok({"run": run.record()})

    async def confirm_cost(self, request: web.Request) -> web.Response:
        run = self._owned(request)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        key = request.headers.get("Idempotency-Key")
        if key and key in run.confirm_keys:
            return ok({"run": run.record()})  # a duplicate of a decision already applied
        pending = (run.waiting or {}).get("details", {}) if run.preview is not None else None
        if run.status != "waiting_for_user" or not pending:
            raise ApiError(409, "Chat run is not awaiting cost approval")
        tool_call_id = body.get("tool_call_id")
        if tool_call_id != pending.get("toolCallId") and tool_call_id not in pending.get(
            "pendingToolCallIds", []
        ):
            raise ApiError(409, f"Tool call {tool_call_id!r} is not the one awaiting approval")
        decision = _DECISIONS.get(body.get("decision"))  # type: ignore[arg-type]
        if decision is None:
            raise ApiError(400, "decision must be 'confirm' or 'cancel'")
        if decision == "confirm":
            accepted = body.get("acceptedCostPreview")
            if accepted is None:
                raise ApiError(400, "acceptedCostPreview is required to confirm")
            if accepted != run.preview or time.time() > run.preview_expires:
                raise ApiError(409, "The cost preview is stale: read the run and approve again")
        if key:
            run.confirm_keys.add(key)
        self.service.resolve(run, pending["toolCallId"], decision, body)
        return ok({"run": run.record()})

    # ------------------------------------------------------------------ the event stream

    async def stream(self, request: web.Request) -> web.StreamResponse:
        run = self._owned(request)
        after = _last_event_id(request.headers.get("Last-Event-ID"))
        return await self._open(request, run, lambda s, r: self._serve(s, r, after + 1))

    async def _serve(
        self, stream: OpenStream[RunRec], response: web.StreamResponse, cursor: int
    ) -> None:
        run = stream.rec
        status: str | None = None
        while not stream.gone:
            if stream.stalled:
                await asyncio.sleep(_STALL_POLL)  # silent until the client gives up
                continue
            if run.status != status:
                status = run.status
                snapshot = json.dumps({"runId": run.id, "status": status})
                await response.write(f"event: run_status\ndata: {snapshot}\n\n".encode())
            while cursor < len(run.events) and not stream.stalled and not stream.gone:
                event = run.events[cursor]
                cursor += 1
                await write_event(response, event)
                if event["type"] in TERMINAL_EVENTS:
                    await end_stream(response)
                    return
            if stream.stalled or stream.gone:
                continue
            if cursor >= len(run.events) and run.status == status:
                changed = run.changed
                try:
                    await asyncio.wait_for(changed.wait(), self.fake.sse_keepalive)
                except asyncio.TimeoutError:
                    if not stream.stalled and not stream.gone:  # [INV-RUN-STREAM]
                        await response.write(b": keep-alive\n\n")


def _last_event_id(header: str | None) -> int:
    try:
        value = int(header) if header is not None else -1
    except ValueError:
        return -1
    return max(value, -1)


def _create_problems(body: dict[str, Any], models: dict[str, Any]) -> list[str]:
    problems = []
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append("messages must be a non-empty list")
        messages = []
    model = body.get("model")
    if model is not None and model not in models:
        problems.append(f"model {model!r} is not available")
    for key in ("sampling", "runtime_config", "media_context"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            problems.append(f"{key} must be an object")
    for key in ("tools", "media_references"):
        if body.get(key) is not None and not isinstance(body[key], list):
            problems.append(f"{key} must be a list")
    inline = _inline_fields(messages, body.get("media_references"), body.get("media_context"))
    if inline:
        problems.append(
            "Durable chat runs do not support inline base64/data URI media. Upload media first "
            "and pass HTTP(S) URLs instead. Offending field(s): " + ", ".join(inline)
        )
    return problems


def _inline_fields(messages: list[Any], references: Any, context: Any) -> list[str]:
    """The SDKs' rule, checked again by the server [INV-RUN-INLINE-MEDIA]."""
    found = []
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        for j, part in enumerate(content if isinstance(content, list) else []):
            image = part.get("image_url") if isinstance(part, dict) else None
            if (
                part.get("type") == "image_url"
                and isinstance(image, dict)
                and bad_url(image.get("url"))
            ):
                found.append(f"messages[{i}].content[{j}].image_url.url")
    for i, reference in enumerate(references if isinstance(references, list) else []):
        if not isinstance(reference, dict):
            continue
        if bad_url(reference.get("url")):
            found.append(f"mediaReferences[{i}].url")
        for key in ("dataUri", "data_uri"):
            if isinstance(reference.get(key), str) and reference[key].strip():
                found.append(f"mediaReferences[{i}].{key}")
    for field in _CONTEXT_FIELDS:
        values = context.get(field) if isinstance(context, dict) else None
        for i, value in enumerate(values if isinstance(values, list) else []):
            if bad_url(value):
                found.append(f"mediaContext.{field}[{i}]")
    return found
