"""The fake's project records, and the shapes it reports them in: ``RawProject`` (REST),
``RecoveredProject`` (the recovery lists of ``authenticated``) and the control plane's
snapshot."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import _costs
from ._jobcheck import Plan

if TYPE_CHECKING:
    from ._state import FakeAccount

__all__ = [
    "NORMALIZED_STATUS",
    "UNCLAIMED_HOLD_SECONDS",
    "JobRec",
    "JobRule",
    "ProjectRec",
    "marked",
    "media_fields",
    "now_ms",
    "parse_markers",
    "project_snapshot",
    "raw_project",
    "recovered",
]

UNCLAIMED_HOLD_SECONDS = 3600
_FINISHED = ("completed", "errored", "cancelled")
NORMALIZED_STATUS = {
    "active": "queued",
    "assigned": "processing",
    "progress": "processing",
    "completed": "completed",
    "errored": "failed",
    "cancelled": "canceled",
}
# [INV-PROMPT-MARKERS] scripting hooks of the fake, documented in the module docstring.
_MARKER = re.compile(r"\[(nsfw|fail|retry)(?::(\d+))?\]", re.IGNORECASE)


@dataclass
class JobRule:
    """A scripted failure or retry, consumed by the next job attempt it matches."""

    job_index: int | None
    error: str | int
    message: str
    after_steps: int


@dataclass
class JobRec:
    index: int
    seed: int
    img_id: str | None = None
    worker: str | None = None
    status: str = "created"
    reason: str | None = None
    performed_steps: int = 0
    attempts: int = 0
    create_time: int = 0
    start_time: int | None = None
    update_time: int = 0
    end_time: int | None = None
    nsfw_withheld: bool = False
    nsfw_detected: bool = False
    nsfw_sources: list[str] = field(default_factory=list)
    media_key: str | None = None
    preview_keys: list[str] = field(default_factory=list)
    result_url: str | None = None
    last_frame_key: str | None = None
    last_frame_url: str | None = None
    error: str | int | None = None
    error_message: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("jobCompleted", "jobError")


@dataclass
class ProjectRec:
    id: str
    sid: int
    account: FakeAccount
    app_id: str
    request: dict[str, Any]
    plan: Plan
    quote: _costs.Quote
    covered: bool
    held: Decimal
    create_time: int
    update_time: int
    jobs: list[JobRec]
    nsfw: set[int] | None
    fail: set[int] | None
    retry: set[int] | None
    status: str = "active"
    reason: str | None = None
    end_time: int | None = None
    charged: Decimal = Decimal(0)
    stopped: bool = False
    unclaimed: bool = False
    task: asyncio.Task[None] | None = None

    @property
    def finished(self) -> bool:
        return self.status in _FINISHED

    def touch(self) -> None:
        self.update_time = now_ms()


def now_ms() -> int:
    return int(time.time() * 1000)


def marked(markers: set[int] | None, index: int) -> bool:
    return markers is not None and (-1 in markers or index in markers)


def parse_markers(prompt: str) -> dict[str, set[int] | None]:
    found: dict[str, set[int] | None] = {"nsfw": None, "fail": None, "retry": None}
    for match in _MARKER.finditer(prompt):
        kind = match.group(1).lower()
        indices = found[kind] or set()
        indices.add(int(match.group(2)) if match.group(2) else -1)
        found[kind] = indices
    return found


# ------------------------------------------------------------------ shapes


def recovered(project: ProjectRec) -> dict[str, Any]:
    """The ``RecoveredProject`` shape."""
    body = raw_project(project, socket_form=True)
    body["clientRequestData"] = base64.b64encode(
        json.dumps(project.request, separators=(",", ":"), ensure_ascii=False).encode()
    ).decode()
    return body


def raw_project(project: ProjectRec, *, socket_form: bool = False) -> dict[str, Any]:
    """The ``RawProject`` shape; ``socket_form`` for recovery lists."""
    plan = project.plan
    account = project.account
    q = project.quote
    in_flight = [j for j in project.jobs if j.img_id is not None and not j.finished]
    finished = [j for j in project.jobs if j.finished and j.img_id is not None]
    body: dict[str, Any] = {
        "id": project.id,
        "SID": project.sid,
        "appId": project.app_id,
        "artist": {
            "id": account.wallet_address,
            "address": account.wallet_address,
            "addressSID": account.sid,
            "username": account.username,
            "name": account.username,
        },
        "model": {
            "id": plan.model_id,
            "SID": plan.model.get("SID"),
            "name": plan.model.get("name"),
            "type": plan.model.get("media", "image"),
        },
        "imageCount": plan.count,
        "stepCount": plan.steps,
        "previewCount": plan.previews,
        "hasGuideImage": plan.denoise > 0,
        "denoiseStrength": _costs.dec_str(plan.denoise),
        "costEstimate": {
            "rate": {"network": plan.network},
            "quote": {"project": q.costs(q.project_usd, q.job_render_sec * plan.count)},
        },
        "costActual": _cost_actual(project),
        "createTime": project.create_time,
        "updateTime": project.update_time,
        "status": project.status,
        "network": plan.network,
        "tokenType": plan.token_type,
        "workerJobs": [_raw_job(project, j, socket_form) for j in in_flight],
        "completedWorkerJobs": [_raw_job(project, j, socket_form) for j in finished],
    }
    if project.reason is not None:
        body["reason"] = project.reason
    if project.end_time is not None:
        body["endTime"] = project.end_time
    if plan.billing_mode is not None:
        body["billingMode"] = plan.billing_mode
    source = project.request.get("appSource")
    if isinstance(source, str):
        body["appSource"] = source
    if plan.size_preset is not None:
        body["sizePreset"] = plan.size_preset
    if plan.media != "audio":
        body["width"], body["height"] = plan.width, plan.height
    body.update(media_fields(plan))
    return body


def media_fields(plan: Plan) -> dict[str, Any]:
    """``modelType`` and the clip's shape on video and audio records."""
    av = plan.av
    if av is None:
        return {}
    if plan.media == "video":
        return {"modelType": "video", "videoFrames": av.frames, "videoFps": av.fps}
    return {"modelType": "audio", "audioDuration": float(av.duration)}


def _cost_actual(project: ProjectRec) -> dict[str, Any]:
    q = project.quote
    done = sum(1 for j in project.jobs if j.status == "jobCompleted")
    usd = Decimal(0) if project.covered else q.job_usd * done
    costs = q.costs(usd, q.job_render_sec * done)
    return {
        "costInRenderSec": costs["costInRenderSec"],
        "costInUSD": costs["costInUSD"],
        "costInToken": costs["costInToken"],
        "calculatedStepCount": project.plan.steps,
    }


def _raw_job(project: ProjectRec, job: JobRec, socket_form: bool) -> dict[str, Any]:
    q = project.quote
    charged = job.status == "jobCompleted" and not project.covered
    costs = q.costs(q.job_usd, q.job_render_sec) if charged else q.costs(Decimal(0), Decimal(0))
    body: dict[str, Any] = {
        # Recovery lists rewrite a job's id to the project id (legacy clients).
        "id": project.id if socket_form else job.img_id,
        "imgID": job.img_id,
        "SID": str(project.sid * 100 + job.index),
        "jobIndex": job.index,
        "worker": {"username": job.worker, "name": job.worker},
        "createTime": job.create_time,
        "startTime": job.start_time,
        "updateTime": job.update_time,
        "status": job.status,
        "performedSteps": job.performed_steps,
        "triggeredNSFWFilter": job.nsfw_withheld,
        "nsfwDetected": job.nsfw_detected,
        "nsfwSources": list(job.nsfw_sources),
        "seedUsed": job.seed,
        "costActual": {
            "costInRenderSec": costs["costInRenderSec"],
            "costInUSD": costs["costInUSD"],
            "costInToken": costs["costInToken"],
        },
        "network": project.plan.network,
        "tokenType": project.plan.token_type,
        "outputFormat": project.plan.fmt,
    }
    if job.reason is not None:
        body["reason"] = job.reason
    if job.end_time is not None:
        body["endTime"] = job.end_time
    if job.result_url is not None:
        body["resultUrl"] = job.result_url
    if job.last_frame_url is not None:
        body["lastFrameUrl"] = job.last_frame_url
    media = media_fields(project.plan)
    if media.get("modelType") == "video":
        media["width"], media["height"] = project.plan.width, project.plan.height
    body.update(media)
    return body


def project_snapshot(p: ProjectRec) -> dict[str, Any]:
    """A project as the control plane's ``projects_snapshot`` reports it."""
    plan = p.plan
    return {
        "id": p.id,
        "account": p.account.username,
        "app_id": p.app_id,
        "status": p.status,
        "finished": p.finished,
        "reason": p.reason,
        "model_id": plan.model_id,
        "network": plan.network,
        "token_type": plan.token_type,
        "number_of_media": plan.count,
        "steps": plan.steps,
        "previews": plan.previews,
        "width": plan.width,
        "height": plan.height,
        "output_format": plan.fmt,
        "media": plan.media,
        "frames": plan.av.frames if plan.av is not None else None,
        "fps": plan.av.fps if plan.av is not None else None,
        "duration": float(plan.av.duration) if plan.av is not None else None,
        "prompt": plan.prompt,
        "cost": _costs.dec_str(p.quote.project_cost()),
        "held": _costs.dec_str(p.held),
        "charged": _costs.dec_str(p.charged),
        "unclaimed": p.unclaimed,
        "request": copy.deepcopy(p.request),
        "jobs": [
            {
                "job_index": j.index,
                "img_id": j.img_id,
                "worker": j.worker,
                "status": j.status,
                "reason": j.reason,
                "seed": j.seed,
                "performed_steps": j.performed_steps,
                "attempts": j.attempts,
                "nsfw_withheld": j.nsfw_withheld,
                "nsfw_detected": j.nsfw_detected,
                "has_media": j.media_key is not None,
                "previews": len(j.preview_keys),
            }
            for j in p.jobs
        ],
    }
