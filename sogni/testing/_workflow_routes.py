"""The HTTP side of the fake's creative workflows: ``/v1/creative-agent/workflows`` (start,
list, read, events, resume, reseed, cancel), the event stream ``.../{id}/events/stream`` and the
saved templates ``/v1/creative-agent/workflows/templates``.

Every workflow answer is wrapped (``{"status": "success", "data": {"workflow": ...}}``); start
answers 201, resume 202. Invented behaviour:

* [INV-WF-STREAM] the stream sends ``id: <sequence>`` / ``event: <type>`` / ``data: <event>``
  frames after ``?after=`` (else after ``Last-Event-ID``; all of them without either), a
  ``: keep-alive`` comment after ``FakeSupernet.sse_keepalive`` seconds of silence, and closes
  once it has sent an event whose status is final (``completed``, ``partial_failure``,
  ``failed``, ``cancelled``) or ``waiting_for_user``.
* [INV-WF-ERRORS] 400 for a start with both or neither of ``input`` and ``workflow_id``, a plan
  that is not a list of steps with unique ids and dependencies on earlier steps (or
  ``$input_media``), inline or non-HTTP(S) media references, or template inputs that are
  missing or unknown; 404 for another account's workflow or template; 409 to resume a workflow
  that is running or completed, or to reseed one that has not ended completed or
  ``partial_failure``. Cancel of an ended workflow answers it with ``transitioned: false``.
* [INV-WF-LIMIT] at most ``FakeSupernet.workflow_limit`` (5) workflows of an account are active
  (queued, running or waiting) at once: one more start gets 409 with ``details:
  {activeWorkflows, limit}``.
* [INV-WF-RATE] ``FakeSupernet.throttle_workflows(times, retry_after)``: the next starts get
  429 with ``retryAfter`` (and ``Retry-After``).
* [INV-WF-IDEMPOTENCY] a start or reseed whose ``Idempotency-Key`` the account used before
  answers the same workflow (200, reseed with ``idempotent: true``).
* [INV-WF-TEMPLATES] templates belong to the account that made them; ``stages`` are plan steps
  whose strings may say ``$inputs.NAME`` (the whole string: the input's value as given; inside
  a longer string: its text); ``inputs[]`` declare ``{name, required?, default?}``. ``list``
  defaults to ``own``; ``public`` lists every public template, ``all`` the account's and the
  public ones; ``next`` is the next offset or null. Create and fork answer 201.
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._server import ApiError, FakeServer, json_body, ok
from ._streams import OpenStream, StreamRoutes, bad_url, end_stream, write_event
from ._workflows import FINAL, PlanError, WorkflowRec, WorkflowService, build_steps, now_ms

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["WorkflowRoutes", "install"]

_BASE = "/v1/creative-agent/workflows"
_TPL = _BASE + "/templates"
_PLACEHOLDER = re.compile(r"\$inputs\.([A-Za-z0-9_-]+)")
_VISIBILITY = ("own", "public", "all")
_SERVER_FIELDS = ("id", "author", "createdAt", "updatedAt")


def install(fake: FakeSupernet, server: FakeServer) -> None:
    routes = WorkflowRoutes(fake, server)
    fake._workflows_ext = routes
    # Templates first: their paths would otherwise match ``{workflow_id}``.
    server.api_route("GET", _TPL, routes.list_templates)
    server.api_route("POST", _TPL, routes.create_template)
    server.api_route("GET", _TPL + "/{template_id}", routes.get_template)
    server.api_route("PATCH", _TPL + "/{template_id}", routes.update_template)
    server.api_route("DELETE", _TPL + "/{template_id}", routes.delete_template)
    server.api_route("POST", _TPL + "/{template_id}/fork", routes.fork_template)
    server.api_route("POST", _BASE, routes.start)
    server.api_route("GET", _BASE, routes.list)
    server.api_route("GET", _BASE + "/{workflow_id}", routes.get)
    server.api_route("GET", _BASE + "/{workflow_id}/events", routes.events)
    server.api_route("GET", _BASE + "/{workflow_id}/events/stream", routes.stream)
    server.api_route("POST", _BASE + "/{workflow_id}/resume", routes.resume)
    server.api_route("POST", _BASE + "/{workflow_id}/reseed", routes.reseed)
    server.api_route("POST", _BASE + "/{workflow_id}/cancel", routes.cancel)


def _created(data: Any, status: int = 201) -> web.Response:
    return web.json_response({"status": "success", "data": data}, status=status)


class WorkflowRoutes(StreamRoutes[WorkflowRec]):
    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        super().__init__()
        self.fake = fake
        self.server = server
        self.service = WorkflowService(fake)
        self.templates: dict[str, dict[str, Any]] = {}
        self.template_owner: dict[str, FakeAccount] = {}
        self.throttle: list[float] = []
        self._counter = 0

    # ------------------------------------------------------------------ workflows

    def _owned(self, request: web.Request) -> WorkflowRec:
        account = self.server.require_account(request)
        wf = self.service.workflows.get(request.match_info["workflow_id"])
        if wf is None or wf.account is not account:
            raise ApiError(404, "Workflow not found")  # [INV-WF-ERRORS]
        return wf

    async def start(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        key = request.headers.get("Idempotency-Key") or None
        if key is not None:
            earlier = self.service.by_key.get((account.wallet_address, "start", key))
            if earlier is not None:  # [INV-WF-IDEMPOTENCY]
                return ok({"workflow": earlier.record()})
        if self.throttle:  # [INV-WF-RATE]
            retry_after = self.throttle.pop(0)
            raise ApiError(429, "Too many workflow starts; retry later", retry_after=retry_after)
        plan, inputs = body.get("input"), body.get("workflow_id")
        if (plan is None) == (inputs is None):
            raise ApiError(400, "Provide exactly one of input (inline plan) or workflow_id")
        bad = [
            f"mediaReferences[{i}].{k}"
            for i, r in enumerate(body.get("media_references") or [])
            if isinstance(r, dict)
            for k in ("url", "dataUri", "data_uri")
            if (k == "url" and bad_url(r.get(k)))
            or (k != "url" and isinstance(r.get(k), str) and r[k].strip())
        ]
        if bad:
            raise ApiError(
                400,
                "Durable creative workflows do not support inline base64/data URI media. "
                "Offending field(s): " + ", ".join(bad),
            )
        template_id = None
        title: str | None = None
        if plan is not None:
            if not isinstance(plan, dict):
                raise ApiError(400, "input must be an object")
            steps_source = plan.get("steps")
            title = plan.get("title") if isinstance(plan.get("title"), str) else None
        else:
            template = self._visible_template(account, str(inputs))
            template_id = template["id"]
            title = template.get("name")
            steps_source = _fill(template, body.get("inputs"))
        active = self.service.active(account)
        if active >= self.fake.workflow_limit:  # [INV-WF-LIMIT]
            raise ApiError(
                409,
                "Too many active workflows",
                details={"activeWorkflows": active, "limit": self.fake.workflow_limit},
            )
        try:
            steps = build_steps(steps_source)
        except PlanError as exc:
            raise ApiError(400, str(exc)) from None
        wf = self.service.create(account, body, steps, title, key, template_id)
        return _created({"workflow": wf.record()})

    async def list(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        mine = [w for w in self.service.workflows.values() if w.account is account]
        mine.sort(key=lambda w: w.create_time, reverse=True)  # [INV-WF-LIST] newest first
        offset = _int(request.query.get("offset"), 0)
        limit = _int(request.query.get("limit"), 50)
        page = mine[offset : offset + limit]
        following = offset + limit if offset + limit < len(mine) else None
        return ok({"workflows": [w.record() for w in page], "next": following})

    async def get(self, request: web.Request) -> web.Response:
        return ok({"workflow": self._owned(request).record()})

    async def events(self, request: web.Request) -> web.Response:
        return ok({"events": copy.deepcopy(self._owned(request).events)})

    async def resume(self, request: web.Request) -> web.Response:
        wf = self._owned(request)
        await json_body(request)
        if wf.status not in ("waiting_for_user", "failed", "partial_failure"):
            raise ApiError(409, f"Workflow is {wf.status}; nothing to resume")
        self.service.resume(wf)
        return _created({"workflow": wf.record(), "resumed": True}, 202)

    async def reseed(self, request: web.Request) -> web.Response:
        wf = self._owned(request)
        body = await json_body(request)
        body = body if isinstance(body, dict) else {}
        account = wf.account
        key = request.headers.get("Idempotency-Key") or None
        if key is not None:
            earlier = self.service.by_key.get((account.wallet_address, "reseed", key))
            if earlier is not None:
                return ok(
                    {
                        "workflow": earlier.record(),
                        "reseed": _reseed_info(wf, earlier),
                        "idempotent": True,
                    }
                )
        if wf.status not in ("completed", "partial_failure"):
            raise ApiError(409, f"Only a completed workflow can be reseeded (it is {wf.status})")
        overrides = body.get("seed_overrides")
        seeds = {k: v for k, v in (overrides or {}).items() if isinstance(v, int)}
        plan = [
            {"id": s.id, "toolName": s.tool, "arguments": _original(s), "dependsOn": s.depends_on}
            for s in wf.steps
        ]
        steps = build_steps(plan, seeds)
        clone_body = {**wf.body}
        for name in ("token_type", "billing_mode", "app_source"):
            if body.get(name):
                clone_body[name] = body[name]
        clone = self.service.create(account, clone_body, steps, wf.title, None, wf.template_id)
        if key is not None:
            self.service.by_key[(account.wallet_address, "reseed", key)] = clone
        return _created({"workflow": clone.record(), "reseed": _reseed_info(wf, clone)})

    async def cancel(self, request: web.Request) -> web.Response:
        wf = self._owned(request)
        transitioned = self.service.cancel(wf)
        return ok({"workflow": wf.record(), "transitioned": transitioned})

    # ------------------------------------------------------------------ the event stream

    async def stream(self, request: web.Request) -> web.StreamResponse:
        wf = self._owned(request)
        after = _after(request.query.get("after"), request.headers.get("Last-Event-ID"))
        return await self._open(request, wf, lambda s, r: self._serve(s, r, after))

    async def _serve(
        self, stream: OpenStream[WorkflowRec], response: web.StreamResponse, after: int
    ) -> None:
        wf = stream.rec
        cursor = max(0, after)  # events[cursor] has sequence cursor + 1
        while not stream.gone:
            while cursor < len(wf.events) and not stream.gone:
                event = wf.events[cursor]
                cursor += 1
                await write_event(response, event)
                stops = event["status"] in FINAL or event["status"] == "waiting_for_user"
                if stops and cursor >= len(wf.events):
                    await end_stream(response)
                    return
            if stream.gone:
                return
            if wf.finished and cursor >= len(wf.events):
                await end_stream(response)
                return
            changed = wf.changed
            try:
                await asyncio.wait_for(changed.wait(), self.fake.sse_keepalive)
            except asyncio.TimeoutError:
                if not stream.gone:  # [INV-WF-STREAM]
                    await response.write(b": keep-alive\n\n")

    # ------------------------------------------------------------------ templates

    def _visible_template(self, account: FakeAccount, template_id: str) -> dict[str, Any]:
        template = self.templates.get(template_id)
        if template is None or (
            self.template_owner[template_id] is not account
            and template.get("visibility") != "public"
        ):
            raise ApiError(404, "Workflow template not found")
        return template

    def _own_template(self, request: web.Request) -> dict[str, Any]:
        account = self.server.require_account(request)
        template_id = request.match_info["template_id"]
        template = self.templates.get(template_id)
        if template is None or self.template_owner[template_id] is not account:
            raise ApiError(404, "Workflow template not found")
        return template

    def _store(self, account: FakeAccount, fields: dict[str, Any]) -> dict[str, Any]:
        self._counter += 1
        template_id = f"tpl_{self._counter:04d}{time.time_ns() % 10**10:010d}"
        moment = now_ms()
        template = {
            "version": "1",
            "description": "",
            "visibility": "private",
            "category": "custom",
            "inputs": [],
            "stages": [],
            **fields,
            "id": template_id,
            "author": {"userId": account.wallet_address, "displayName": account.username},
            "createdAt": moment,
            "updatedAt": moment,
        }
        self.templates[template_id] = template
        self.template_owner[template_id] = account
        return template

    async def list_templates(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        visibility = request.query.get("visibility") or "own"
        if visibility not in _VISIBILITY:
            raise ApiError(400, "visibility must be own, public or all")
        chosen = [
            t
            for tid, t in self.templates.items()
            if (visibility != "public" and self.template_owner[tid] is account)
            or (
                visibility != "own"
                and t.get("visibility") == "public"
                and not (visibility == "all" and self.template_owner[tid] is account)
            )
        ]
        offset = _int(request.query.get("offset"), 0)
        limit = min(_int(request.query.get("limit"), 50), 200)
        page = chosen[offset : offset + limit]
        following = offset + limit if offset + limit < len(chosen) else None
        return ok({"templates": copy.deepcopy(page), "next": following})

    async def create_template(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        body = await json_body(request)
        _check_template(body, creating=True)
        fields = {
            k: v for k, v in body.items() if k not in ("id", "author", "createdAt", "updatedAt")
        }
        return _created({"template": copy.deepcopy(self._store(account, fields))})

    async def get_template(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        template = self._visible_template(account, request.match_info["template_id"])
        return ok({"template": copy.deepcopy(template)})

    async def update_template(self, request: web.Request) -> web.Response:
        template = self._own_template(request)
        body = await json_body(request)
        _check_template(body, creating=False)
        for key, value in body.items():
            if key not in ("id", "author", "createdAt", "updatedAt"):
                template[key] = value
        template["updatedAt"] = now_ms()
        return ok({"template": copy.deepcopy(template)})

    async def delete_template(self, request: web.Request) -> web.Response:
        template = self._own_template(request)
        del self.templates[template["id"]]
        del self.template_owner[template["id"]]
        return ok({"deleted": True, "id": template["id"]})

    async def fork_template(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        source = self._visible_template(account, request.match_info["template_id"])
        body = await json_body(request)
        name = body.get("newName") if isinstance(body, dict) else None
        fields = {
            k: copy.deepcopy(v)
            for k, v in source.items()
            if k not in ("id", "author", "createdAt", "updatedAt")
        }
        fields["name"] = name if isinstance(name, str) and name else f"{source['name']} (fork)"
        fields["visibility"] = "private"
        fields["forkedFrom"] = source["id"]
        return _created({"template": copy.deepcopy(self._store(account, fields))})


# --------------------------------------------------------------------------- helpers


def _int(text: str | None, default: int) -> int:
    try:
        value = int(text) if text is not None else default
    except ValueError:
        raise ApiError(400, "offset and limit must be integers") from None
    return max(0, value)


def _after(query: str | None, header: str | None) -> int:
    for text in (query, header):
        if text is None:
            continue
        try:
            return max(int(text), 0)
        except ValueError:
            continue
    return 0


def _original(step: Any) -> dict[str, Any]:
    """A step's arguments without what its dependencies filled in."""
    filled = {d.get("targetArgument") for d in step.depends_on}
    return {k: v for k, v in step.arguments.items() if k not in filled}


def _reseed_info(source: WorkflowRec, clone: WorkflowRec) -> dict[str, Any]:
    return {
        "cloned_from_run_id": source.id,
        "steps": [{"stepId": s.id, "seed": s.seed} for s in clone.steps],
    }


def _check_template(body: Any, *, creating: bool) -> None:
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object")
    name = body.get("name")
    if (creating or "name" in body) and (not isinstance(name, str) or not name.strip()):
        raise ApiError(400, "name is required")
    for key in ("inputs", "stages"):
        if key in body and not isinstance(body[key], list):
            raise ApiError(400, f"{key} must be a list")
    if body.get("visibility") not in (None, "private", "public", "team"):
        raise ApiError(400, "visibility must be private, public or team")


def _fill(template: dict[str, Any], given: Any) -> Any:
    """[INV-WF-TEMPLATES] the template's stages with ``$inputs.NAME`` replaced."""
    if given is not None and not isinstance(given, dict):
        raise ApiError(400, "inputs must be an object")
    values = dict(given or {})
    declared = {
        i["name"]: i for i in template.get("inputs", []) if isinstance(i, dict) and "name" in i
    }
    problems = [f"unknown input {name!r}" for name in values if name not in declared]
    for name, spec in declared.items():
        if name not in values:
            if "default" in spec:
                values[name] = spec["default"]
            elif spec.get("required"):
                problems.append(f"input {name!r} is required")
    if problems:
        raise ApiError(400, "; ".join(problems))

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str):
            whole = _PLACEHOLDER.fullmatch(value)
            if whole is not None:
                return values.get(whole.group(1))
            return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), value)
        return value

    return fill(copy.deepcopy(template.get("stages", [])))


def start_composed(
    fake: FakeSupernet, account: FakeAccount, result: Any, chat_body: dict[str, Any]
) -> dict[str, Any] | None:
    """[INV-WF-AGENT] start the plan a hosted chat's ``compose_workflow`` call made, and the
    ``creative_workflows`` reference that names it (None when there is no plan to start)."""
    routes = fake._workflows_ext
    plan = result.get("workflow") if isinstance(result, dict) else None
    if routes is None or not isinstance(plan, dict):
        return None
    body: dict[str, Any] = {"input": plan}
    if chat_body.get("token_type"):
        body["token_type"] = chat_body["token_type"]
    try:
        steps = build_steps(plan.get("steps"))
    except PlanError:
        return None
    title = plan.get("title") if isinstance(plan.get("title"), str) else None
    wf = routes.service.create(account, body, steps, title, None)
    return wf.reference(fake.rest_url)
