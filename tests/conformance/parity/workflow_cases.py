"""REST wire-parity rows for creative workflows and workflow templates: the same call through the
TypeScript SDK (``ts``, its params exactly) and through ours (``py``, our keyword arguments).

``kind`` names the call. A row that acts on a workflow or a template first makes one (not
compared) and then makes its call, whose request is the compared one:

* ``workflows.start`` (the params), ``workflows.startTemplate`` (``{template, start}``: a
  template is created, then started with its id and ``start``), ``workflows.resume``
  (``{create, resume}``: the plan pauses on ``ask_clarifying_question``), ``workflows.reseed``
  (``{create, reseed}``: once completed), ``workflows.cancel`` (``{create}``),
  ``workflows.list`` (the params), ``workflows.events`` (``{create}``) and
  ``workflows.streamEvents`` (``{create, options}``: read to the end of a finished workflow);
* ``templates.create`` (the template), ``templates.get`` / ``templates.delete``
  (``{create}``), ``templates.update`` (``{create, patch}``), ``templates.fork``
  (``{create, fork?}``) and ``templates.list`` (the params).

Starts and reseeds give an ``Idempotency-Key`` on both sides: the TypeScript SDK sends none
otherwise, ours always does (a documented difference, as for chat runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sogni.projects import WorkloadAttribution

__all__ = [
    "TEMPLATE_CANARY",
    "TEMPLATE_CASES",
    "WORKFLOW_CANARY",
    "WORKFLOW_CASES",
    "WORKFLOW_KINDS",
    "WorkflowCase",
]

WORKFLOW_KINDS = (
    "workflows.start",
    "workflows.startTemplate",
    "workflows.resume",
    "workflows.reseed",
    "workflows.cancel",
    "workflows.list",
    "workflows.events",
    "workflows.streamEvents",
    "templates.create",
    "templates.get",
    "templates.update",
    "templates.fork",
    "templates.delete",
    "templates.list",
)


@dataclass(frozen=True)
class WorkflowCase:
    name: str
    kind: str
    ts: dict[str, Any]
    py: dict[str, Any]

    def __post_init__(self) -> None:
        if self.kind not in WORKFLOW_KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")


IMAGE_STEP = {"id": "still", "toolName": "generate_image", "arguments": {"prompt": "a harbour"}}
PLAN = {"steps": [IMAGE_STEP]}
RICH_PLAN = {
    "title": "Still and clip",
    "steps": [
        {
            "id": "keyframe",
            "toolName": "generate_image",
            "arguments": {"prompt": "a lighthouse", "width": 512, "height": 512, "seed": 7},
        },
        {
            "id": "clip",
            "toolName": "generate_video",
            "arguments": {"prompt": "waves", "duration": 1.5},
            "dependsOn": [
                {
                    "sourceStepId": "keyframe",
                    "sourceArtifactIndex": 0,
                    "targetArgument": "referenceImageIndices",
                    "mediaType": "image",
                    "transform": "image_index",
                    "required": True,
                }
            ],
        },
    ],
}
REFERENCE = "https://cdn.example/uploads/reference.png"
MEDIA_PLAN = {
    "steps": [
        {
            "id": "edit",
            "toolName": "edit_image",
            "arguments": {"prompt": "make it dusk"},
            "dependsOn": [
                {
                    "sourceStepId": "$input_media",
                    "sourceArtifactIndex": 0,
                    "targetArgument": "referenceImageUrl",
                    "mediaType": "image",
                    "transform": "image_url",
                }
            ],
        }
    ]
}
# Pauses at once (waiting_for_user), so resume is accepted.
ASK_PLAN = {
    "steps": [
        {
            "id": "ask",
            "toolName": "ask_clarifying_question",
            "arguments": {"question": "Which colour?"},
        },
        IMAGE_STEP,
    ]
}
TEMPLATE = {
    "name": "Poster",
    "version": "1",
    "description": "A poster",
    "inputs": [
        {"name": "subject", "type": "text", "required": True},
        {"name": "style", "type": "text", "default": "ink"},
    ],
    "stages": [
        {
            "id": "poster",
            "toolName": "generate_image",
            "arguments": {"prompt": "$inputs.subject in $inputs.style"},
        }
    ],
}
TS_ATTRIBUTION = {
    "workloadKind": "agent_mediated",
    "agentFramework": "crew",
    "agentFrameworkVersion": "1.2.0",
    "agentSurface": "sdk",
    "agentSurfaceVersion": "3.0",
    "executionMode": "durable",
    "operationId": "op-workflow-1",
}
PY_ATTRIBUTION = WorkloadAttribution(
    workload_kind="agent_mediated",
    agent_framework="crew",
    agent_framework_version="1.2.0",
    agent_surface="sdk",
    agent_surface_version="3.0",
    execution_mode="durable",
    operation_id="op-workflow-1",
)


def _start(name: str, ts: dict[str, Any], py: dict[str, Any]) -> WorkflowCase:
    return WorkflowCase(
        name,
        "workflows.start",
        {"idempotencyKey": f"key-{name}", **ts},
        {"idempotency_key": f"key-{name}", **py},
    )


def _on_workflow(
    name: str, kind: str, plan: dict[str, Any], ts: dict[str, Any], py: dict[str, Any]
) -> WorkflowCase:
    create_ts = {"input": plan, "idempotencyKey": f"create-{name}"}
    create_py = {"input": plan, "idempotency_key": f"create-{name}"}
    return WorkflowCase(name, kind, {"create": create_ts, **ts}, {"create": create_py, **py})


def _reseed(name: str, ts: dict[str, Any], py: dict[str, Any]) -> WorkflowCase:
    ts = {"idempotencyKey": f"reseed-{name}", **ts}
    py = {"idempotency_key": f"reseed-{name}", **py}
    return _on_workflow(name, "workflows.reseed", PLAN, {"reseed": ts}, {"reseed": py})


WORKFLOW_CASES: list[WorkflowCase] = [
    _start("start_inline_minimal", {"input": PLAN}, {"input": PLAN}),
    _start(
        "start_inline_everything",
        {
            "input": RICH_PLAN,
            "tokenType": "spark",
            "billingMode": "tokens",
            "appSource": "workflow-app",
            "maxEstimatedCapacityUnits": 120.5,
            "confirmCost": True,
            "safeContentFilter": False,
        },
        {
            "input": RICH_PLAN,
            "token_type": "spark",
            "billing_mode": "tokens",
            "app_source": "workflow-app",
            "max_estimated_capacity_units": 120.5,
            "confirm_cost": True,
            "safe_content_filter": False,
        },
    ),
    _start(
        "start_falsy_values",
        {
            "input": PLAN,
            "maxEstimatedCapacityUnits": 0,
            "confirmCost": False,
            "safeContentFilter": True,
        },
        {
            "input": PLAN,
            "max_estimated_capacity_units": 0,
            "confirm_cost": False,
            "safe_content_filter": True,
        },
    ),
    _start(
        "start_media_references",
        {
            "input": MEDIA_PLAN,
            "mediaReferences": [{"url": REFERENCE, "mediaType": "image", "type": "image"}],
        },
        {
            "input": MEDIA_PLAN,
            "media_references": [{"url": REFERENCE, "mediaType": "image", "type": "image"}],
        },
    ),
    _start(
        "start_media_references_empty",
        {"input": PLAN, "mediaReferences": []},
        {"input": PLAN, "media_references": []},
    ),
    WorkflowCase(
        "start_template_with_inputs",
        "workflows.startTemplate",
        {
            "template": TEMPLATE,
            "start": {
                "inputs": {"subject": "a fox", "style": "watercolour"},
                "tokenType": "sogni",
                "billingMode": "auto",
                "idempotencyKey": "key-template-inputs",
            },
        },
        {
            "template": TEMPLATE,
            "start": {
                "inputs": {"subject": "a fox", "style": "watercolour"},
                "token_type": "sogni",
                "billing_mode": "auto",
                "idempotency_key": "key-template-inputs",
            },
        },
    ),
    WorkflowCase(
        "start_template_empty_inputs",
        "workflows.startTemplate",
        {
            "template": {**TEMPLATE, "inputs": [{"name": "subject", "default": "a hill"}]},
            "start": {"inputs": {}, "idempotencyKey": "key-template-empty"},
        },
        {
            "template": {**TEMPLATE, "inputs": [{"name": "subject", "default": "a hill"}]},
            "start": {"inputs": {}, "idempotency_key": "key-template-empty"},
        },
    ),
    _start(
        "start_attribution",
        {"input": PLAN, "attribution": TS_ATTRIBUTION, "appSource": "agent-app"},
        {"input": PLAN, "attribution": PY_ATTRIBUTION, "app_source": "agent-app"},
    ),
    _start(
        "start_attribution_without_operation_id",
        {"input": PLAN, "attribution": {"workloadKind": "direct", "executionMode": "server"}},
        {"input": PLAN, "attribution": {"workload_kind": "direct", "execution_mode": "server"}},
    ),
    _on_workflow("resume_minimal", "workflows.resume", ASK_PLAN, {"resume": {}}, {"resume": {}}),
    _on_workflow(
        "resume_billing",
        "workflows.resume",
        ASK_PLAN,
        {"resume": {"tokenType": "spark", "billingMode": "subscription", "appSource": "resumer"}},
        {
            "resume": {
                "token_type": "spark",
                "billing_mode": "subscription",
                "app_source": "resumer",
            }
        },
    ),
    _on_workflow(
        "resume_attribution",
        "workflows.resume",
        ASK_PLAN,
        {"resume": {"attribution": TS_ATTRIBUTION}},
        {"resume": {"attribution": PY_ATTRIBUTION}},
    ),
    _reseed("reseed_without_overrides", {}, {}),
    _reseed("reseed_empty_overrides", {"seedOverrides": {}}, {"seed_overrides": {}}),
    _reseed(
        "reseed_everything",
        {
            "seedOverrides": {"still": 424242},
            "tokenType": "sogni",
            "billingMode": "tokens",
            "appSource": "reseeder",
        },
        {
            "seed_overrides": {"still": 424242},
            "token_type": "sogni",
            "billing_mode": "tokens",
            "app_source": "reseeder",
        },
    ),
    _reseed(
        "reseed_attribution",
        {"attribution": {"workloadKind": "agent_mediated", "agentFramework": "crew"}},
        {"attribution": {"workload_kind": "agent_mediated", "agent_framework": "crew"}},
    ),
    _on_workflow("cancel", "workflows.cancel", ASK_PLAN, {}, {}),
    WorkflowCase("list_default", "workflows.list", {}, {}),
    WorkflowCase(
        "list_paged", "workflows.list", {"limit": 5, "offset": 2}, {"limit": 5, "offset": 2}
    ),
    WorkflowCase(
        "list_zero", "workflows.list", {"limit": 0, "offset": 0}, {"limit": 0, "offset": 0}
    ),
    _on_workflow("events", "workflows.events", PLAN, {}, {}),
    _on_workflow(
        "stream_from_start", "workflows.streamEvents", PLAN, {"options": {}}, {"options": {}}
    ),
    # Our stream has one resume point, ``after``, which it sends as both the query and
    # ``Last-Event-ID``: the TypeScript SDK does that for ``lastEventId``.
    _on_workflow(
        "stream_after_event",
        "workflows.streamEvents",
        PLAN,
        {"options": {"lastEventId": 2}},
        {"options": {"after": 2}},
    ),
]
WORKFLOW_CANARY = _start(
    "workflows_canary",
    {"input": PLAN, "tokenType": "spark"},
    {"input": PLAN, "token_type": "sogni"},
)

FULL_TEMPLATE = {
    "name": "Launch kit",
    "version": "2.1",
    "description": "Poster and teaser",
    "category": "video-social",
    "stability": "beta",
    "visibility": "public",
    "inputs": [
        {"name": "product", "type": "text", "required": True, "description": "What to show"},
        {
            "name": "mood",
            "type": "select",
            "options": [{"value": "calm", "label": "Calm"}, {"value": "loud", "label": "Loud"}],
            "default": "calm",
        },
    ],
    "stages": [
        {"id": "poster", "toolName": "generate_image", "arguments": {"prompt": "$inputs.product"}}
    ],
    "exposeToLLM": True,
    "llmPriority": 0.5,
    "estimatedCredits": {"min": 1, "max": 2.5},
    "estimatedCapacityUnits": {"min": 10, "max": 40},
    "tags": ["launch", "ünïcödé ✨"],
}
SMALL_TEMPLATE = {"name": "Small", "version": "1", "description": "tiny"}


def _on_template(name: str, kind: str, ts: dict[str, Any], py: dict[str, Any]) -> WorkflowCase:
    return WorkflowCase(
        name, kind, {"create": SMALL_TEMPLATE, **ts}, {"create": SMALL_TEMPLATE, **py}
    )


TEMPLATE_CASES: list[WorkflowCase] = [
    WorkflowCase("create_minimal", "templates.create", SMALL_TEMPLATE, SMALL_TEMPLATE),
    WorkflowCase("create_everything", "templates.create", FULL_TEMPLATE, FULL_TEMPLATE),
    _on_template("get", "templates.get", {}, {}),
    _on_template(
        "update_fields",
        "templates.update",
        {"patch": {"description": "Bigger", "tags": ["a", "b"], "llmPriority": 1}},
        {"patch": {"description": "Bigger", "tags": ["a", "b"], "llmPriority": 1}},
    ),
    _on_template(
        "update_null",
        "templates.update",
        {"patch": {"category": None, "exposeToLLM": False}},
        {"patch": {"category": None, "exposeToLLM": False}},
    ),
    _on_template(
        "fork_named",
        "templates.fork",
        {"fork": {"newName": "Mine"}},
        {"fork": {"new_name": "Mine"}},
    ),
    _on_template("fork_unnamed", "templates.fork", {}, {}),
    _on_template(
        "fork_empty_name", "templates.fork", {"fork": {"newName": ""}}, {"fork": {"new_name": ""}}
    ),
    _on_template("delete", "templates.delete", {}, {}),
    WorkflowCase("list_templates_default", "templates.list", {}, {}),
    WorkflowCase(
        "list_templates_filtered",
        "templates.list",
        {"visibility": "all", "offset": 3, "limit": 500},
        {"visibility": "all", "offset": 3, "limit": 500},
    ),
    WorkflowCase(
        "list_templates_out_of_range",
        "templates.list",
        {"visibility": "public", "offset": -1, "limit": 0},
        {"visibility": "public", "offset": -1, "limit": 0},
    ),
]
TEMPLATE_CANARY = WorkflowCase(
    "templates_canary",
    "templates.create",
    {**SMALL_TEMPLATE, "description": "one"},
    {**SMALL_TEMPLATE, "description": "two"},
)
