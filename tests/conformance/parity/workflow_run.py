"""Send the workflow and template parity rows through both SDKs against one FakeSupernet and
compare what it received, as ``rest_run.py`` does for chat: method, path, query, the JSON body
(strictly) and the protocol's headers (``Content-Type``, ``Accept``, ``Idempotency-Key``,
``Last-Event-ID``, ``X-App-Source``, ``X-Sogni-*``).

The TypeScript SDK runs every row in one Node process (``scenarios/js/parity_workflows.cjs``)
under an account of its own; ours runs them meanwhile in this process under the default one;
each side's requests are told apart by their API key and matched to the rows in order.

Normalised, on top of ``rest_run.normalise_request`` and only there (each value only when it is
the row's own): the workflow id and the template id in the path, and the template id a
template start sends as ``workflow_id``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .rest_run import (
    RestSide,
    normalise_request,
    queued_requests,
    run_both_sides,
    take_row,
)
from .workflow_cases import WorkflowCase

__all__ = ["WorkflowSide", "normalise_workflow_request", "run_workflow_parity", "workflow_slot"]

_SCENARIO = "parity_workflows"
_BASE = "/v1/creative-agent/workflows"
_TEMPLATE_PATH = re.compile(r"^/v1/creative-agent/workflows/templates(?:/([^/]+)(/fork)?)?$")
_WORKFLOW_PATH = re.compile(r"^/v1/creative-agent/workflows/([^/]+)(/.*)?$")
_SLOTS = {
    "workflows.start": ("start",),
    "workflows.startTemplate": ("tpl_create", "start"),
    "workflows.resume": ("start", "resume"),
    "workflows.reseed": ("start", "reseed"),
    "workflows.cancel": ("start", "cancel"),
    "workflows.list": ("list",),
    "workflows.events": ("start", "events"),
    "workflows.streamEvents": ("start", "stream"),
    "templates.create": ("tpl_create",),
    "templates.get": ("tpl_create", "tpl_get"),
    "templates.update": ("tpl_create", "tpl_update"),
    "templates.fork": ("tpl_create", "tpl_fork"),
    "templates.delete": ("tpl_create", "tpl_delete"),
    "templates.list": ("tpl_list",),
}
_WORKFLOW_TAILS = {
    ("POST", "/resume"): "resume",
    ("POST", "/reseed"): "reseed",
    ("POST", "/cancel"): "cancel",
    ("GET", "/events"): "events",
    ("GET", "/events/stream"): "stream",
}
_TEMPLATE_ITEM = {"GET": "tpl_get", "PATCH": "tpl_update", "DELETE": "tpl_delete"}


@dataclass
class WorkflowSide(RestSide):
    """``RestSide`` with the template a row made (``run_id`` holds its workflow id)."""

    template_id: str | None = None


def workflow_slot(method: str | None, path: str | None) -> str | None:
    """Which call of a row a request is (None: one no row compares, such as a poll)."""
    path = path or ""
    template = _TEMPLATE_PATH.match(path)
    if template:
        item, fork = template.group(1), template.group(2)
        if item is None:
            return {"POST": "tpl_create", "GET": "tpl_list"}.get(method or "")
        if fork:
            return "tpl_fork" if method == "POST" else None
        return _TEMPLATE_ITEM.get(method or "")
    if path == _BASE:
        return {"POST": "start", "GET": "list"}.get(method or "")
    workflow = _WORKFLOW_PATH.match(path)
    if workflow and workflow.group(2):
        return _WORKFLOW_TAILS.get((method or "", workflow.group(2)))
    return None


def normalise_workflow_request(
    record: Any, workflow_id: str | None, template_id: str | None
) -> dict[str, Any]:
    """The compared document of one received request."""
    document = normalise_request(record, None)
    path = document["path"]
    template = _TEMPLATE_PATH.match(path)
    workflow = _WORKFLOW_PATH.match(path)
    if template and template.group(1) is not None and template.group(1) == template_id:
        path = f"{_BASE}/templates/<template-id>{template.group(2) or ''}"
    elif not template and workflow and workflow_id is not None and workflow.group(1) == workflow_id:
        path = f"{_BASE}/<workflow-id>{workflow.group(2) or ''}"
    document["path"] = path
    body = document["body"]
    if (
        isinstance(body, dict)
        and template_id is not None
        and body.get("workflow_id") == template_id
    ):
        document["body"] = {**body, "workflow_id": "<template-id>"}
    return document


def run_workflow_parity(
    fake: FakeSupernet, oracles: Oracles, cases: Sequence[WorkflowCase]
) -> dict[str, tuple[WorkflowSide, WorkflowSide]]:
    fake.sse_keepalive = 0.05
    # Every row starts a workflow and some stay paused: the default cap would refuse them.
    fake.workflow_limit = 10 * len(cases)
    ts_account = fake.add_account(username="parity-ts-wf", api_key="parity-ts-wf-key")
    for account in (fake.account, ts_account):
        for token in ("spark", "sogni"):
            fake.set_balance(Decimal(10**6), token_type=token, account=account)

    def on_ts_record(side: WorkflowSide, record: dict[str, Any]) -> None:
        side.run_id = record.get("workflowId")
        side.template_id = record.get("templateId")

    return run_both_sides(
        fake,
        oracles,
        cases,
        scenario=_SCENARIO,
        ts_api_key="parity-ts-wf-key",
        new_side=WorkflowSide,
        run_ours=_run_ours,
        collect=_collect,
        on_ts_record=on_ts_record,
    )


def _run_ours(
    fake: FakeSupernet, cases: Sequence[WorkflowCase], results: dict[str, WorkflowSide]
) -> None:
    with SogniClient(
        api_key=fake.api_key, rest_endpoint=fake.rest_url, disable_socket=True
    ) as client:
        for case in cases:
            side = results[case.name]
            try:
                _perform(fake, client, case, side)
            except Exception as exc:  # reported per row, so one bad row hides no other
                side.error = f"{type(exc).__name__}: {exc}"


def _perform(
    fake: FakeSupernet, client: SogniClient, case: WorkflowCase, side: WorkflowSide
) -> None:
    params = case.py
    workflows = client.workflows
    templates = client.workflows.templates
    kind = case.kind
    if kind == "workflows.start":
        side.run_id = workflows.start(**params).id
    elif kind == "workflows.startTemplate":
        side.template_id = templates.create(params["template"]).id
        side.run_id = workflows.start(workflow_id=side.template_id, **params["start"]).id
    elif kind == "workflows.list":
        workflows.list(**params)
    elif kind.startswith("workflows."):
        workflow_id = side.run_id = workflows.start(**params["create"]).id
        if kind == "workflows.resume":
            fake.wait_for_workflow(workflow_id, status="waiting_for_user")
            workflows.resume(workflow_id, **params["resume"])
        elif kind == "workflows.reseed":
            fake.wait_for_workflow(workflow_id, status="completed")
            workflows.reseed(workflow_id, **params["reseed"])
        elif kind == "workflows.cancel":
            workflows.cancel(workflow_id)
        elif kind == "workflows.events":
            workflows.events(workflow_id)
        else:
            fake.wait_for_workflow(workflow_id, status="completed")
            with workflows.stream_events(workflow_id, **params["options"]) as stream:
                list(stream)
    elif kind == "templates.create":
        side.template_id = templates.create(params).id
    elif kind == "templates.list":
        templates.list(**params)
    else:
        template_id = side.template_id = templates.create(params["create"]).id
        if kind == "templates.get":
            templates.get(template_id)
        elif kind == "templates.update":
            templates.update(template_id, params["patch"])
        elif kind == "templates.fork":
            templates.fork(template_id, **params.get("fork", {}))
        else:
            templates.delete(template_id)


def _collect(
    fake: FakeSupernet,
    cases: Sequence[WorkflowCase],
    api_key: str,
    sides: Mapping[str, WorkflowSide],
) -> None:
    """Match the side's requests to its rows, in order (a stream is logged once it ended)."""
    wanted = sum(len(_SLOTS[c.kind]) for c in cases)
    queues = queued_requests(fake, api_key, workflow_slot, wanted)
    for case in cases:
        side = sides[case.name]
        record = take_row(queues, _SLOTS[case.kind])
        if record is not None:
            side.request = normalise_workflow_request(record, side.run_id, side.template_id)
