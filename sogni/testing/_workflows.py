"""Creative workflows on the fake api host: the records, their event logs and the engine that
runs their steps. The HTTP side (REST routes, the event stream, templates) is
``_workflow_routes``.

A workflow's plan is a list of steps ``{id, toolName, arguments, dependsOn}``. The engine runs
them one at a time in dependency order (plan order among the steps that are ready)
[INV-WF-ORDER], each through the server-side tool executor (``_tool_exec``) as a real project
of the caller's account, billed like any project [INV-WF-TOOLS]: ``generate_image`` and
``edit_image`` make a PNG, ``generate_video`` and ``animate_photo`` an MP4, ``generate_music``
and ``generate_speech`` an MP3. ``ask_clarifying_question`` pauses the workflow
(``waiting_for_user``) until ``resume`` [INV-WF-WAITING]; every other step tool fails its step.

A dependency ``{sourceStepId, targetArgument, transform, sourceArtifactIndex |
sourceArtifactId, mediaType, required}`` fills ``targetArgument`` from a result of the source
step, or from the request's ``media_references`` when ``sourceStepId`` is ``$input_media``
[INV-WF-TRANSFORMS]: ``artifact_url`` (its URL), ``image_url`` / ``video_url`` / ``audio_url``
(its URL, which must be of that media type), ``image_index`` / ``video_index`` /
``audio_index`` (its position among the workflow's media of that type; a list when the
argument's name ends in ``Indices``). Any other transform fails the step. A dependency without
``transform`` is ``artifact_url``; without ``targetArgument`` it only orders the steps.

The outcome [INV-WF-OUTCOME]: ``completed`` when every step completed; ``partial_failure``
when some completed and others failed (a step whose required source failed is skipped and
counts as failed); ``failed`` when none completed. ``resume`` retries the failed and skipped
steps, keeping the results already made [INV-WF-RESUME].

Events [INV-WF-EVENTS]: ``{id, workflowId, sequence, timestamp, type, status, message?,
data}`` with ``sequence`` rising from 1 and ``status`` always the **workflow's** status (so a
step's end never looks like the workflow's); types ``workflow_started``, ``step_started``,
``workflow_progress`` (a step's project is queued), ``artifact_created``, ``step_completed``,
``step_failed``, ``workflow_waiting_for_user``, ``workflow_resumed``, ``workflow_completed``,
``workflow_partial_failure``, ``workflow_failed``, ``workflow_cancelled``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._runs import iso
from ._tool_exec import ToolExecutor

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["ACTIVE", "FINAL", "STEP_TOOLS", "WorkflowRec", "WorkflowService"]

# [INV-WF-TOOLS] the step tools the engine runs, and the executor tool behind each.
STEP_TOOLS = {
    "generate_image": "generate_image",
    "edit_image": "generate_image",
    "generate_video": "generate_video",
    "animate_photo": "generate_video",
    "generate_music": "generate_music",
    "generate_speech": "generate_music",
}
FINAL = frozenset(("completed", "partial_failure", "failed", "cancelled"))
ACTIVE = frozenset(("queued", "running", "waiting_for_user"))
_MEDIA_TYPES = {"image": "image", "video": "video", "audio": "audio"}
_MIME = {"image": "image/png", "video": "video/mp4", "audio": "audio/mpeg"}
_INPUT_MEDIA = "$input_media"
_QUESTION = "ask_clarifying_question"
_END_EVENTS = {
    "completed": ("workflow_completed", "Workflow completed"),
    "partial_failure": ("workflow_partial_failure", "Some steps failed"),
    "failed": ("workflow_failed", "Workflow failed"),
    "cancelled": ("workflow_cancelled", "Workflow cancelled"),
}


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class StepRec:
    id: str
    sequence: int
    tool: str
    arguments: dict[str, Any]
    depends_on: list[dict[str, Any]]
    seed: int
    status: str = "pending"
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    project_id: str | None = None

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "sequence": self.sequence,
            "toolName": self.tool,
            "arguments": self.arguments,
            "status": self.status,
            "seed": self.seed,
            "artifacts": self.artifacts,
        }
        if self.depends_on:
            out["dependsOn"] = self.depends_on
        if self.error is not None:
            out["error"] = {"message": self.error, "stepId": self.id, "toolName": self.tool}
        if self.project_id is not None:
            out["projectId"] = self.project_id
        return out


@dataclass
class WorkflowRec:
    id: str
    account: FakeAccount
    body: dict[str, Any]
    title: str | None
    steps: list[StepRec]
    media_references: list[dict[str, Any]]
    key: str | None = None
    template_id: str | None = None
    status: str = "queued"
    events: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    waiting_reason: str | None = None
    awaiting_cost_approval: bool = False
    approved: bool = False
    billing_preview: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    create_time: int = field(default_factory=now_ms)
    update_time: int = field(default_factory=now_ms)
    task: asyncio.Task[None] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def finished(self) -> bool:
        return self.status in FINAL

    def poke(self) -> None:
        """Wake the streams that follow this workflow."""
        self.changed.set()
        self.changed = asyncio.Event()

    def record(self) -> dict[str, Any]:
        body = self.body
        out: dict[str, Any] = {
            "workflowId": self.id,
            "status": self.status,
            "safeContentFilter": body.get("safe_content_filter", True) is not False,
            "awaitingCostApproval": self.awaiting_cost_approval,
            "input": body.get("input") or {"workflow_id": self.template_id},
            "steps": [s.wire() for s in self.steps],
            "events": self.events,
            "artifacts": self.artifacts,
            "createTime": self.create_time,
            "updateTime": self.update_time,
            "createdAt": iso(self.create_time / 1000),
            "updatedAt": iso(self.update_time / 1000),
        }
        for key, value in (
            ("title", self.title),
            ("waitingReason", self.waiting_reason),
            ("templateId", self.template_id),
            ("billingPreview", self.billing_preview),
            ("error", self.error),
        ):
            if value is not None:
                out[key] = value
        copied: dict[str, Any] = json.loads(json.dumps(out))  # the workflow changes on
        return copied

    def reference(self, base: str) -> dict[str, Any]:
        """How a hosted chat names this workflow (``creative_workflows`` items)."""
        url = f"{base}/v1/creative-agent/workflows/{self.id}"
        return {
            "workflowId": self.id,
            "status": self.status,
            "url": url,
            "eventsUrl": url + "/events",
            "streamUrl": url + "/events/stream",
        }


class PlanError(Exception):
    """A plan the service refuses at start (400)."""


def build_steps(plan_steps: Any, seeds: dict[str, int] | None = None) -> list[StepRec]:
    """The steps of a plan, checked: ids unique, dependencies on known steps, no cycle."""
    if not isinstance(plan_steps, list) or not plan_steps:
        raise PlanError("input.steps must be a non-empty list")
    if len(plan_steps) > 20:
        raise PlanError("input.steps may hold at most 20 steps")  # [INV-WF-LIMITS]
    steps: list[StepRec] = []
    seen: set[str] = set()
    for i, raw in enumerate(plan_steps):
        if not isinstance(raw, dict):
            raise PlanError(f"input.steps[{i}] must be an object")
        step_id = raw.get("id") or f"step_{i + 1}"
        tool = raw.get("toolName")
        arguments = raw.get("arguments", {})
        depends = raw.get("dependsOn") or []
        if not isinstance(step_id, str) or step_id in seen or step_id == _INPUT_MEDIA:
            raise PlanError(f"input.steps[{i}].id must be a unique string")
        if not isinstance(tool, str) or not tool:
            raise PlanError(f"input.steps[{i}].toolName is required")
        if not isinstance(arguments, dict):
            raise PlanError(f"input.steps[{i}].arguments must be an object")
        if not isinstance(depends, list) or not all(isinstance(d, dict) for d in depends):
            raise PlanError(f"input.steps[{i}].dependsOn must be a list of objects")
        for j, dep in enumerate(depends):
            source = dep.get("sourceStepId")
            if source != _INPUT_MEDIA and source not in seen:
                # Steps may only depend on earlier ones: this also rules out cycles.
                raise PlanError(
                    f"input.steps[{i}].dependsOn[{j}].sourceStepId {source!r} is not an "
                    "earlier step"
                )
        seen.add(step_id)
        given_seed = arguments.get("seed")
        seed = (seeds or {}).get(step_id)
        if seed is None:
            seed = given_seed if isinstance(given_seed, int) else random.randrange(2**31)
        steps.append(
            StepRec(step_id, i, tool, copy.deepcopy(arguments), copy.deepcopy(depends), seed)
        )
    return steps


class WorkflowService:
    """Every workflow of one FakeSupernet; lives on the server loop."""

    def __init__(self, fake: FakeSupernet) -> None:
        self.fake = fake
        self.executor = ToolExecutor(fake)
        self.workflows: dict[str, WorkflowRec] = {}
        self.by_key: dict[tuple[str, str, str], WorkflowRec] = {}
        self.hold_at: int | None = None
        self._released = asyncio.Event()
        self._counter = 0

    # ------------------------------------------------------------------ control

    def set_hold(self, at: int | None) -> None:
        self.hold_at = at
        self._released.set()
        self._released = asyncio.Event()

    def active(self, account: FakeAccount) -> int:
        return sum(
            1 for w in self.workflows.values() if w.account is account and w.status in ACTIVE
        )

    # ------------------------------------------------------------------ the log

    def append(
        self,
        wf: WorkflowRec,
        kind: str,
        message: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        if wf.events and wf.events[-1]["status"] in FINAL:
            return  # nothing follows the end (a resume starts a new stretch of the log)
        sequence = len(wf.events) + 1
        event: dict[str, Any] = {
            "id": str(sequence),
            "workflowId": wf.id,
            "sequence": sequence,
            "timestamp": iso(),
            "type": kind,
            "status": wf.status,
            "data": data or {},
        }
        if message:
            event["message"] = message
        wf.events.append(event)
        wf.update_time = now_ms()
        wf.poke()

    async def emit(
        self,
        wf: WorkflowRec,
        kind: str,
        message: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append an event once the workflow may go on (a test can hold it at a sequence)."""
        while self.hold_at is not None and len(wf.events) + 1 >= self.hold_at:
            await self._released.wait()
        self.append(wf, kind, message, data)

    # ------------------------------------------------------------------ starting

    def create(
        self,
        account: FakeAccount,
        body: dict[str, Any],
        steps: list[StepRec],
        title: str | None,
        key: str | None,
        template_id: str | None = None,
    ) -> WorkflowRec:
        self._counter += 1
        workflow_id = f"wf_{self._counter:04d}{time.time_ns() % 10**12:012d}"
        references = body.get("media_references")
        wf = WorkflowRec(
            workflow_id,
            account,
            body,
            title,
            steps,
            [r for r in references if isinstance(r, dict)] if isinstance(references, list) else [],
            key,
            template_id,
        )
        self.workflows[workflow_id] = wf
        if key is not None:
            self.by_key[(account.wallet_address, "start", key)] = wf
        self.launch(wf)
        return wf

    def launch(self, wf: WorkflowRec) -> None:
        wf.task = asyncio.ensure_future(self._guarded(wf))

    async def _guarded(self, wf: WorkflowRec) -> None:
        try:
            await self._execute(wf)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # pragma: no cover - a bug must end the workflow, not the server
            logging.getLogger("sogni.testing").exception("fake workflow %s failed", wf.id)
            self.finish(wf, "failed", {"message": f"internal error: {exc}"})

    # ------------------------------------------------------------------ the engine

    async def _execute(self, wf: WorkflowRec) -> None:
        if wf.status == "queued":
            wf.status = "running"
            await self.emit(wf, "workflow_started", "Workflow started")
        if await self._needs_approval(wf):
            return
        for step in wf.steps:
            if step.status in ("completed", "failed", "skipped"):
                continue
            if step.tool == _QUESTION and step.status != "answered":
                step.status = "waiting_for_user"
                await self._pause(
                    wf,
                    "ask_clarifying_question",
                    {"stepId": step.id, "question": step.arguments.get("question")},
                )
                return
            await self._run_step(wf, step)
        self._conclude(wf)

    async def _needs_approval(self, wf: WorkflowRec) -> bool:
        """[INV-WF-COST] a start with ``max_estimated_capacity_units`` below the estimate of
        its paid steps (and no ``confirm_cost: true``) waits for approval; ``resume`` gives
        it."""
        cap = wf.body.get("max_estimated_capacity_units")
        if wf.approved or wf.body.get("confirm_cost") is True or not isinstance(cap, (int, float)):
            return False
        usd = Decimal(0)
        for step in wf.steps:
            tool = STEP_TOOLS.get(step.tool)
            if tool is not None and step.status != "completed":
                usd += self.executor.estimate_usd(wf.account, tool, step.arguments)
        units = math.ceil(usd * 1000)  # [INV-CAPACITY-UNITS]
        if units <= cap:
            return False
        wf.billing_preview = {"estimatedCapacityUnits": units, "maxEstimatedCapacityUnits": cap}
        wf.awaiting_cost_approval = True
        await self._pause(wf, "cost_approval_required", {"billingPreview": wf.billing_preview})
        return True

    async def _pause(self, wf: WorkflowRec, reason: str, data: dict[str, Any]) -> None:
        wf.status = "waiting_for_user"
        wf.waiting_reason = reason
        await self.emit(
            wf,
            "workflow_waiting_for_user",
            f"Waiting for the user ({reason})",
            {**data, "waitingReason": reason, "awaitingCostApproval": wf.awaiting_cost_approval},
        )

    async def _run_step(self, wf: WorkflowRec, step: StepRec) -> None:
        step.status = "running"
        step.error = None
        await self.emit(
            wf, "step_started", f"{step.tool} started", {"stepId": step.id, "toolName": step.tool}
        )
        problem = self._bind(wf, step)
        tool = STEP_TOOLS.get(step.tool)
        if problem is None and tool is None:
            problem = f"{step.tool} is not run by this server"
        if problem is not None:
            await self._step_failed(
                wf, step, problem, "skipped" if problem.startswith("skipped") else "failed"
            )
            return

        async def progress(update: dict[str, Any]) -> None:
            step.project_id = update.get("projectId") or step.project_id
            await self.emit(
                wf,
                "workflow_progress",
                f"{step.tool} {update.get('status', 'running')}",
                {"stepId": step.id, "toolName": step.tool, **update},
            )

        assert tool is not None
        outcome = await self.executor.execute(
            wf.account,
            f"{wf.id}:{step.id}",
            tool,
            step.arguments,
            token_type=wf.body.get("token_type"),
            on_progress=progress,
        )
        if not outcome.ok:
            await self._step_failed(wf, step, outcome.error or "the step failed", "failed")
            return
        media = outcome.media_type or "image"
        for url in outcome.urls:
            artifact = {
                "id": f"art_{len(wf.artifacts) + 1}",
                "url": url,
                "type": media,
                "mediaType": media,
                "kind": media,
                "mimeType": _MIME[media],
                "stepId": step.id,
                "toolName": step.tool,
            }
            wf.artifacts.append(artifact)
            step.artifacts.append(artifact)
            await self.emit(wf, "artifact_created", None, {"stepId": step.id, "artifact": artifact})
        step.status = "completed"
        await self.emit(
            wf,
            "step_completed",
            f"{step.tool} finished",
            {"stepId": step.id, "stepStatus": "completed"},
        )

    async def _step_failed(self, wf: WorkflowRec, step: StepRec, error: str, status: str) -> None:
        step.status, step.error = status, error
        await self.emit(
            wf, "step_failed", error, {"stepId": step.id, "stepStatus": status, "error": error}
        )

    def _bind(self, wf: WorkflowRec, step: StepRec) -> str | None:
        """Fill the step's arguments from its dependencies; the reason it cannot run, if any."""
        by_id = {s.id: s for s in wf.steps}
        for dep in step.depends_on:
            source_id = dep.get("sourceStepId")
            required = dep.get("required", True) is not False
            if source_id == _INPUT_MEDIA:
                pool = [
                    {
                        "url": r.get("url"),
                        "mediaType": r.get("type") or r.get("mediaType"),
                        "id": r.get("id"),
                    }
                    for r in wf.media_references
                ]
            else:
                source = by_id[str(source_id)]
                if source.status != "completed":
                    if required:
                        return f"skipped: step {source_id} did not complete"
                    continue
                pool = source.artifacts
            target = dep.get("targetArgument")
            if not target:
                continue  # ordering only
            artifact = _pick(pool, dep)
            if artifact is None:
                if required:
                    return f"{source_id} has no result matching dependency of {target}"
                continue
            value = self._transform(wf, dep.get("transform") or "artifact_url", artifact, target)
            if isinstance(value, str) and value.startswith("!"):
                return value[1:]
            step.arguments[target] = value
        return None

    def _transform(
        self, wf: WorkflowRec, transform: str, artifact: dict[str, Any], target: str
    ) -> Any:
        media = artifact.get("mediaType")
        url = artifact.get("url")
        if transform == "artifact_url":
            return url
        kind, _, how = transform.partition("_")
        if kind not in _MEDIA_TYPES or how not in ("url", "index"):
            return f"!transform {transform!r} is not supported by this server"
        if media is not None and media != kind:
            return f"!transform {transform} needs {kind} media, got {media}"
        if how == "url":
            return url
        same = [a.get("url") for a in wf.artifacts if a.get("mediaType") == kind]
        same += [
            r.get("url")
            for r in wf.media_references
            if (r.get("type") or r.get("mediaType")) == kind and r.get("url") not in same
        ]
        index = same.index(url) if url in same else 0
        return [index] if target.lower().endswith("indices") else index

    def _conclude(self, wf: WorkflowRec) -> None:
        done = [s for s in wf.steps if s.status == "completed"]
        failed = [s for s in wf.steps if s.status in ("failed", "skipped")]
        if not failed:
            self.finish(wf, "completed", {"artifactIds": [a["id"] for a in wf.artifacts]})
            return
        first = failed[0]
        wf.error = {
            "code": "step_failed",
            "message": f"{first.tool} failed: {first.error}",
            "classification": "provider",
            "retryable": True,
            "stepId": first.id,
            "toolName": first.tool,
        }
        status = "partial_failure" if done else "failed"
        self.finish(wf, status, {"error": wf.error, "artifactIds": [a["id"] for a in wf.artifacts]})

    # ------------------------------------------------------------------ the end, and after

    def finish(self, wf: WorkflowRec, status: str, data: dict[str, Any]) -> None:
        if wf.finished:
            return
        wf.status = status
        wf.waiting_reason = None
        wf.awaiting_cost_approval = False
        kind, message = _END_EVENTS[status]
        self.append(wf, kind, message, data)

    def cancel(self, wf: WorkflowRec) -> bool:
        """Cancel a workflow; False when it had already ended."""
        if wf.finished:
            return False
        if wf.task is not None and not wf.task.done():
            wf.task.cancel()  # stops (and refunds) the project of a step in flight
        for step in wf.steps:
            if step.status in ("pending", "running", "waiting_for_user"):
                step.status = "cancelled"
        self.finish(wf, "cancelled", {"reason": "Cancelled by the user"})
        return True

    def resume(self, wf: WorkflowRec) -> None:
        """[INV-WF-RESUME] go on after a pause, or retry what failed."""
        if wf.status == "waiting_for_user":
            if wf.awaiting_cost_approval:
                wf.approved = True
            for step in wf.steps:
                if step.status == "waiting_for_user":
                    step.status = "answered"
        else:
            for step in wf.steps:
                if step.status in ("failed", "skipped"):
                    step.status, step.error = "pending", None
            wf.error = None
        wf.status = "running"
        wf.waiting_reason = None
        wf.awaiting_cost_approval = False
        # A new stretch of the log after the end or the pause.
        sequence = len(wf.events) + 1
        wf.events.append(
            {
                "id": str(sequence),
                "workflowId": wf.id,
                "sequence": sequence,
                "timestamp": iso(),
                "type": "workflow_resumed",
                "status": "running",
                "message": "Workflow resumed",
                "data": {},
            }
        )
        wf.update_time = now_ms()
        wf.poke()
        self.launch(wf)


def _pick(pool: list[dict[str, Any]], dep: dict[str, Any]) -> dict[str, Any] | None:
    wanted_id = dep.get("sourceArtifactId")
    if isinstance(wanted_id, str):
        return next((a for a in pool if a.get("id") == wanted_id), None)
    media = dep.get("mediaType")
    if media in _MEDIA_TYPES:
        typed = [a for a in pool if a.get("mediaType") in (None, media)]
        pool = typed or pool
    index = dep.get("sourceArtifactIndex", 0)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0 or index >= len(pool):
        return None
    return pool[index]
