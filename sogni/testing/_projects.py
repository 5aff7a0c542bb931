"""Media projects on the fake Supernet (images, video, audio): admission of ``jobRequest``
(validation in ``_jobcheck``, ``_mediacheck`` and ``_videocheck``, pricing in ``_costs``),
simulated workers, cancellation, balance holds and result storage. The records and the shapes
they are reported in are in ``_project_records``; the HTTP side is ``_project_routes``.

Timeline of one project (simulated seconds, scaled by ``time_scale``; the shape of the
service's own events):
``jobState:queued`` at once and again every 0.5 s while it waits (1 s, or while workers are
paused or the model has no workers); then per job, on its own worker, 0.05 s apart:
``initiatingModel`` with ``preparation`` loadingModel start, 0.8 s later its end,
``jobStarted``, one ``jobProgress`` per step (``hasImage`` on the preview steps), ``jobResult``;
after the last job, ``jobState:jobCompleted`` (or a project-level ``jobError`` when every job
failed). A step lasts the tier's seconds per step at the output size (0.05-5 s).

Video and audio [INV-MEDIA-TIMELINE]: no previews. ComfyUI video workers (WAN, LTX, MiniMax H3,
FlashVSR) also send ``jobETA`` once per simulated second while they render. Vendor models
(Seedance, HappyHorse, Wan 3, GPT Image) report provider progress instead of steps: a
``jobETA`` and a ``jobProgress`` with a ``progress`` fraction (finite, rising, below 1) per tick,
then a ``jobResult`` with a direct ``resultUrl``; vendor video runs 8 ticks of 0.25-2 s (its
render seconds spread over them), vendor images 4 ticks.

Prompt markers (case-insensitive, anywhere in the positive prompt) script a project from any
client, the official SDKs included:

* ``[nsfw]`` / ``[nsfw:N]``: every job / job index N trips the safety filter (source
  ``"prompt"``). Filter on: ``triggeredNSFWFilter:true``, no media and no previews. Filter off
  (``disableSafety``): media delivered with ``nsfwDetected:true``.
* ``[fail]`` / ``[fail:N]``: every job / job index N fails after its first step with
  ``jobError`` ``genfailure``.
* ``[retry]`` / ``[retry:N]``: the first attempt of every job / job index N is abandoned after
  its first step (``jobRetry``), then reassigned under a new ``imgID``.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import logging
import math
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import _costs
from ._jobcheck import Plan, Refusal, check_job_request
from ._mediacheck import video_base_size
from ._project_records import NORMALIZED_STATUS as NORMALIZED_STATUS
from ._project_records import (
    UNCLAIMED_HOLD_SECONDS,
    JobRec,
    JobRule,
    ProjectRec,
    marked,
    now_ms,
    parse_markers,
    project_snapshot,
    recovered,
)
from ._project_results import store_preview, store_result
from ._server import FakeServer, Session
from ._state import new_id
from ._storage import Storage

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

log = logging.getLogger("sogni.testing")

__all__ = ["ProjectsExtension", "install"]

# Simulated seconds of the timeline [INV-TIMELINE] (the protocol gives only the 500 ms queue
# broadcast; the rest follows the shape of the service's event sequence).
QUEUE_WAIT = 1.0
QUEUE_BROADCAST = 0.5
LOAD_MODEL = 0.8
START_GAP = 0.1
JOB_STAGGER = 0.05
RESULT_GAP = 0.15
COMPLETE_GAP = 0.1
REQUEUE_WAIT = 0.5
VENDOR_TICKS = 4
VENDOR_VIDEO_TICKS = 8
VENDOR_VIDEO_TICK = (0.25, 2.0)
ETA_INTERVAL = 1.0

SERVER_RESTARTING = 1001
# [INV-INSUFFICIENT-BALANCE] the protocol names no render-path code; the fake reuses the
# account API's INSUFFICIENT_BALANCE (123).
INSUFFICIENT_BALANCE = 123
NOT_ENTITLED = 4078
MAX_ATTEMPTS = 3

_FAMILIES = (
    ("wan_", "WAN"),
    ("ltx", "LTX"),
    ("minimax-h3", "MiniMaxH3"),
    ("flashvsr", "FlashVSR"),
    ("ace_step", "ACEStep"),
    ("minimax_music3", "MiniMaxMusic3"),
    ("qwen3_tts", "Qwen3TTS"),
    ("flux", "Flux"),
    ("z_image", "ZImage"),
    ("krea2", "Krea2"),
    ("qwen_image", "QwenImage"),
    ("coreml-sdxl", "SDXL"),
    ("coreml-", "SD15"),
)


class ProjectsExtension:
    """Project state and behaviour of one FakeSupernet; lives on the server loop."""

    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        self.fake = fake
        self.server = server
        self.storage = Storage(fake, server)
        self.projects: dict[str, ProjectRec] = {}
        # The projects that may still wait in the queue (status "active"): the queue position
        # counts them, and scanning every project ever made would make a long run quadratic.
        self._queued: dict[str, ProjectRec] = {}
        self._sids = iter(range(5001, 10**9))
        self._seeds = random.Random(fake.seed)
        self._workers = random.Random(fake.seed + 1)
        self.paused = False
        self._resumed = asyncio.Event()
        self._resumed.set()
        self.holding = False
        self._released = asyncio.Event()
        self._released.set()
        self.fail_rules: list[JobRule] = []
        self.retry_rules: list[JobRule] = []
        self.cancel_refusals: collections.deque[str] = collections.deque()
        self.cancels_to_ignore = 0
        self.drop_next: bool | None = None

    # ================================================================== socket: jobRequest

    async def on_job_request(self, session: Session, payload: Any) -> None:
        if not isinstance(payload, dict) or not isinstance(payload.get("jobID"), str):
            log.debug("jobRequest without a jobID ignored")
            return
        job_id = payload["jobID"]
        if self.drop_next is not None:
            keep, self.drop_next = self.drop_next, None
            session.abort()
            if not keep:
                return
        if job_id in self.projects:
            # [INV-DUPLICATE-JOBID] a repeated jobID (a client's resend) is ignored, not re-run.
            return
        if self.server.restarting:
            await self._refuse(session, job_id, SERVER_RESTARTING, "Server is restarting")
            return
        try:
            plan = check_job_request(
                self.fake, self.storage, session.account, session.network, payload
            )
            project = self._admit(session.account, session.app_id, payload, plan)
        except Refusal as refusal:
            await self._refuse(session, job_id, refusal.code, refusal.message)
            return
        await self._start(project)

    async def submit(
        self, account: FakeAccount, app_id: str, network: str, payload: dict[str, Any]
    ) -> ProjectRec:
        """Admit and start a project the server makes itself (the tool executor of hosted chat
        and runs): checked and priced like a client's; raises ``Refusal``."""
        plan = check_job_request(self.fake, self.storage, account, network, payload)
        project = self._admit(account, app_id, payload, plan)
        await self._start(project)
        return project

    async def _start(self, project: ProjectRec) -> None:
        self.projects[project.id] = project
        self._queued[project.id] = project
        ledger = project.account.ledger(project.plan.token_type)
        ledger.debit += project.held
        self.fake.ledger_log.record(
            project.account, project.plan.token_type, "hold", project.held, project.id
        )
        if project.held:
            await self.server.broadcast_balance(project.account)
        project.task = asyncio.ensure_future(self._run_project(project))

    async def _refuse(self, session: Session, job_id: str, code: int, message: str) -> None:
        await session.send(
            "jobError",
            {"jobID": job_id, "isFromWorker": False, "error": code, "error_message": message},
        )

    def _admit(
        self, account: FakeAccount, app_id: str, payload: dict[str, Any], plan: Plan
    ) -> ProjectRec:
        """Price the plan and check the account can pay for it (raises ``Refusal``)."""
        q = _costs.quote(self.quote_input(plan))
        # [INV-SUBSCRIPTION-COVERAGE] an active subscription covers non-vendor renders unless
        # billingMode is "tokens"; billingMode "subscription" without coverage is refused 4078.
        subscription = account.subscription or {}
        covered = (
            bool(subscription.get("active")) and plan.billing_mode != "tokens" and not plan.vendor
        )
        if plan.billing_mode == "subscription" and not covered:
            raise Refusal(NOT_ENTITLED, "This render is not covered by your subscription")
        cost = Decimal(0) if covered else _costs.money(q.project_cost())
        ledger = account.ledger(plan.token_type)
        if ledger.net < cost:
            raise Refusal(
                INSUFFICIENT_BALANCE,
                f"Insufficient balance: this render costs {_costs.dec_str(cost)} "
                f"{plan.token_type} and {_costs.dec_str(ledger.net)} is available",
            )
        markers = parse_markers(plan.prompt)
        now = now_ms()
        jobs = [
            JobRec(
                index=i,
                seed=(plan.seed + i) % 2**32
                if plan.seed is not None
                else self._seeds.randrange(2**32),
                create_time=now,
                update_time=now,
            )
            for i in range(plan.count)
        ]
        return ProjectRec(
            id=payload["jobID"],
            sid=next(self._sids),
            account=account,
            app_id=app_id,
            request=_copy_json(payload),
            plan=plan,
            quote=q,
            covered=covered,
            held=cost,
            create_time=now,
            update_time=now,
            jobs=jobs,
            nsfw=markers["nsfw"],
            fail=markers["fail"],
            retry=markers["retry"],
        )

    def quote_input(self, plan: Plan) -> _costs.QuoteInput:
        av = plan.av
        return _costs.QuoteInput(
            model_id=plan.model_id,
            model_name=plan.model.get("name", plan.model_id),
            tier=plan.tier,
            network=plan.network,
            token_type=plan.token_type,
            image_count=plan.count,
            steps=plan.steps,
            previews=plan.previews,
            controlnet=plan.controlnet,
            denoise=plan.denoise,
            width=plan.width,
            height=plan.height,
            context_images=plan.context_images,
            fee_usd=plan.fee_usd,
            media=plan.media,
            duration=av.duration if av is not None else Decimal(0),
            base_size=video_base_size(plan.tier) if plan.media == "video" else (1024, 1024),
            video_input=av is not None and av.video_input,
            fee_usd_per_sec=Decimal(str(plan.serving.get("feeUSDPerSecond", "0"))),
        )

    # ================================================================== delivery

    async def _deliver(self, project: ProjectRec, frame_type: str, payload: dict[str, Any]) -> bool:
        """Send to the live, authenticated connection(s) of the project's account + appId."""
        if project.stopped:
            return False
        delivered = False
        for session in self.server.sessions_for(project.account, project.app_id):
            if session.authenticated and await session.send(frame_type, payload):
                delivered = True
        return delivered

    async def _gate(self) -> None:
        while self.paused:
            await self._resumed.wait()

    # ================================================================== workers

    async def _run_project(self, project: ProjectRec) -> None:
        try:
            await self._queue(project)
            runs = [self._run_job(project, j, i * JOB_STAGGER) for i, j in enumerate(project.jobs)]
            await asyncio.gather(*runs)
            await self.fake.sleep(COMPLETE_GAP)
            await self._finish(project)
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - a bug here must not kill the server loop
            log.exception("simulated workers failed for project %s", project.id)

    def _queue_frame(self, project: ProjectRec, remaining: float | None) -> dict[str, Any]:
        # A project leaves the queue for good (its status never goes back to "active"), or is
        # forgotten: both are dropped here, the others counted.
        projects = self.projects
        self._queued = queued = {
            pid: p
            for pid, p in self._queued.items()
            if p.status == "active" and projects.get(pid) is p
        }
        mine = (project.create_time, project.sid)
        ahead = sum(1 for p in queued.values() if (p.create_time, p.sid) < mine)
        no_workers = self.fake.worker_counts.get(project.plan.model_id, 3) <= 0
        return {
            "type": "queued",
            "jobID": project.id,
            "queuePosition": ahead + 1,
            "estimatedStartSeconds": None
            if no_workers or remaining is None
            else max(0, math.ceil(remaining)),
            "queueStatus": "no-workers" if no_workers else "waiting",
        }

    async def _queue(self, project: ProjectRec) -> None:
        waited = 0.0
        while True:
            workers = self.fake.worker_counts.get(project.plan.model_id, 3)
            can_start = not self.paused and workers > 0
            if can_start and waited >= QUEUE_WAIT:
                return
            remaining = QUEUE_WAIT - waited if not self.paused else None
            await self._deliver(project, "jobState", self._queue_frame(project, remaining))
            await self.fake.sleep(QUEUE_BROADCAST)
            waited += QUEUE_BROADCAST

    def _take_rule(self, rules: list[JobRule], index: int) -> JobRule | None:
        for rule in rules:
            if rule.job_index is None or rule.job_index == index:
                rules.remove(rule)
                return rule
        return None

    def _worker_name(self, project: ProjectRec) -> str:
        kind = "mac" if project.plan.network == "relaxed" else "gpu"
        return f"{kind}-worker-{self._workers.randrange(1, 64):02d}"

    async def _run_job(self, project: ProjectRec, job: JobRec, delay: float) -> None:
        await self.fake.sleep(delay)
        while await self._attempt(project, job):
            await self.fake.sleep(REQUEUE_WAIT)

    def _job_frame(self, project: ProjectRec, job: JobRec, **extra: Any) -> dict[str, Any]:
        return {"jobID": project.id, "imgID": job.img_id, **extra}

    async def _attempt(self, project: ProjectRec, job: JobRec) -> bool:
        """One worker's attempt at ``job``. True when the render must be retried elsewhere."""
        plan = project.plan
        fail = self._take_rule(self.fail_rules, job.index)
        if fail is None and marked(project.fail, job.index):
            fail = JobRule(job.index, "genfailure", "Generation failed on worker", 1)
        # A failing attempt cannot also be abandoned: a retry rule waits for a later attempt.
        retry = None if fail is not None else self._take_rule(self.retry_rules, job.index)
        if (
            retry is None
            and fail is None
            and job.attempts == 0
            and marked(project.retry, job.index)
        ):
            retry = JobRule(job.index, "workerDisconnected", "Worker disconnected", 1)
        job.attempts += 1
        job.img_id = new_id()
        job.worker = self._worker_name(project)
        job.performed_steps = 0
        job.preview_keys = []
        job.status = "initiatingModel"
        job.update_time = now_ms()
        if project.status == "active":
            project.status = "assigned"
        project.touch()
        base = {
            "workerName": job.worker,
            "jobIndex": job.index,
            "positivePrompt": plan.prompt,
            "negativePrompt": plan.negative_prompt,
        }
        family = next((n for prefix, n in _FAMILIES if plan.model_id.startswith(prefix)), None)
        prep: dict[str, Any] = {"phase": "loadingModel", "model": family or plan.model["name"]}
        await self._deliver(
            project,
            "jobState",
            {
                "type": "initiatingModel",
                **self._job_frame(project, job, **base),
                "preparation": {**prep, "step": "start"},
            },
        )
        await self.fake.sleep(LOAD_MODEL)
        await self._gate()
        await self._deliver(
            project,
            "jobState",
            {
                "type": "initiatingModel",
                **self._job_frame(project, job, **base),
                "preparation": {**prep, "step": "end", "elapsedSec": LOAD_MODEL},
            },
        )
        await self.fake.sleep(START_GAP)
        job.status = "jobStarted"
        job.start_time = job.update_time = now_ms()
        await self._deliver(
            project,
            "jobState",
            {
                "type": "jobStarted",
                **self._job_frame(project, job, workerName=job.worker, jobIndex=job.index),
            },
        )
        nsfw = marked(project.nsfw, job.index)
        # [INV-NSFW-NO-PREVIEWS] a job whose media will be withheld streams no previews either.
        withheld = nsfw and not plan.disable_safety
        step_seconds = min(5.0, max(0.05, float(project.quote.sec_per_step * project.quote.weight)))
        ticks = VENDOR_TICKS if plan.vendor else plan.steps
        if plan.vendor and plan.media == "video":
            ticks = VENDOR_VIDEO_TICKS
            low, high = VENDOR_VIDEO_TICK
            step_seconds = min(high, max(low, float(project.quote.job_render_sec) / ticks))
        # ComfyUI video workers report an ETA every second while they infer.
        eta_clock = [0.0] if plan.media == "video" and not plan.vendor else None
        preview_steps = {
            max(1, min(ticks - 1, round((k + 1) * ticks / (plan.previews + 1))))
            for k in range(plan.previews)
        }
        for step in range(1, ticks + 1):
            await self._gate()
            if eta_clock is None:
                await self.fake.sleep(step_seconds)
            else:
                left = (ticks - step) * step_seconds + RESULT_GAP
                await self._render_with_eta(project, job, step_seconds, left, eta_clock)
            await self._gate()
            if fail is not None and step > fail.after_steps:
                await self._fail_job(project, job, fail)
                return False
            if retry is not None and step > retry.after_steps:
                await self._retry_job(project, job, retry)
                return True
            frame: dict[str, Any]
            if plan.vendor:
                # External providers report a fraction and an ETA, not diffusion steps.
                eta = math.ceil((ticks - step) * step_seconds)
                eta_frame = self._job_frame(project, job, etaSeconds=eta)
                await self._deliver(project, "jobETA", eta_frame)
                if step == ticks:
                    break
                frame = self._job_frame(project, job, progress=round(step / ticks, 4))
            else:
                frame = self._progress_frame(project, job, step, step_seconds)
                if step in preview_steps and not withheld:
                    frame["hasImage"] = True
                    store_preview(self.storage, project, job, step)
                job.performed_steps = step
            job.status = "jobProgress"
            job.update_time = now_ms()
            project.status = "progress"
            project.touch()
            await self._deliver(project, "jobProgress", frame)
        await self.fake.sleep(RESULT_GAP)
        job.nsfw_withheld = withheld
        job.nsfw_detected = nsfw and plan.disable_safety
        job.nsfw_sources = ["prompt"] if nsfw else []
        if not withheld:
            store_result(self.storage, project, job)
        while self.holding:
            await self._released.wait()
        if project.stopped:
            return False
        job.performed_steps = plan.steps
        job.status = "jobCompleted"
        job.reason = "jobCompleted"
        job.end_time = job.update_time = now_ms()
        project.touch()
        result: dict[str, Any] = {
            **self._job_frame(project, job),
            "performedStepCount": plan.steps,
            "lastSeed": str(job.seed),
            "triggeredNSFWFilter": withheld,
            "nsfwDetected": job.nsfw_detected,
            "nsfwSources": list(job.nsfw_sources),
            "userCanceled": False,
            "outputFormat": plan.fmt,
            # [INV-RESULT-JOBINDEX] jobResult carries jobIndex (PY 5.70 reads it).
            "jobIndex": job.index,
        }
        if job.result_url is not None:
            result["resultUrl"] = job.result_url
        if job.last_frame_url is not None:
            result["lastFrameUrl"] = job.last_frame_url
        await self._deliver(project, "jobResult", result)
        return False

    async def _render_with_eta(
        self,
        project: ProjectRec,
        job: JobRec,
        seconds: float,
        left_after: float,
        clock: list[float],
    ) -> None:
        """Sleep ``seconds`` of one step, sending ``jobETA`` whenever a simulated second passed
        since the last one (``clock[0]`` carries the time since it across steps)."""
        remaining = seconds
        while remaining > 1e-9:
            chunk = min(remaining, ETA_INTERVAL - clock[0])
            await self.fake.sleep(chunk)
            remaining -= chunk
            clock[0] += chunk
            if clock[0] >= ETA_INTERVAL - 1e-9:
                clock[0] = 0.0
                eta = math.ceil(left_after + remaining)
                await self._deliver(
                    project, "jobETA", self._job_frame(project, job, etaSeconds=eta)
                )

    def _progress_frame(
        self, project: ProjectRec, job: JobRec, step: int, step_seconds: float
    ) -> dict[str, Any]:
        eta = (project.plan.steps - step) * step_seconds + RESULT_GAP
        return self._job_frame(
            project,
            job,
            step=step,
            stepCount=project.plan.steps,
            etaSeconds=math.ceil(eta),
            etaMin=math.floor(eta * 0.7),
            etaMax=math.ceil(eta * 1.5),
        )

    async def _fail_job(self, project: ProjectRec, job: JobRec, rule: JobRule) -> None:
        job.status = "jobError"
        job.reason = str(rule.error)
        job.error = rule.error
        job.error_message = rule.message
        job.end_time = job.update_time = now_ms()
        project.touch()
        await self._deliver(
            project,
            "jobError",
            {
                **self._job_frame(project, job),
                "isFromWorker": True,
                "error": rule.error,
                "error_message": rule.message,
            },
        )

    async def _retry_job(self, project: ProjectRec, job: JobRec, rule: JobRule) -> None:
        await self._deliver(
            project,
            "jobRetry",
            {
                **self._job_frame(project, job),
                "jobIndex": job.index,
                "attempt": job.attempts,
                "maxAttempts": MAX_ATTEMPTS,
                "isFromWorker": True,
                "error": rule.error,
                "error_message": rule.message,
            },
        )
        job.status = "queued"
        job.img_id = None
        job.worker = None
        job.performed_steps = 0
        job.update_time = now_ms()
        # `queued` tells clients no render of the project is on a worker: only say it when true.
        on_worker = any(
            j is not job and j.img_id is not None and not j.finished for j in project.jobs
        )
        if not on_worker:
            await self._deliver(
                project,
                "jobState",
                {
                    "type": "queued",
                    "jobID": project.id,
                    "queuePosition": 1,
                    "estimatedStartSeconds": math.ceil(REQUEUE_WAIT),
                    "queueStatus": "waiting",
                },
            )

    async def _finish(self, project: ProjectRec) -> None:
        if project.stopped:
            return
        done = [j for j in project.jobs if j.status == "jobCompleted"]
        project.end_time = now_ms()
        project.touch()
        if done:
            project.status = "completed"
            project.reason = "allJobsCompleted"
            frame_type = "jobState"
            payload: dict[str, Any] = {"type": "jobCompleted", "jobID": project.id}
        else:
            # [INV-ALL-FAILED] when every job failed, a project-level jobError closes the project
            # (the service may or may not send it); otherwise jobState:jobCompleted does.
            last = project.jobs[-1]
            project.status = "errored"
            project.reason = str(last.error or "genfailure")
            frame_type = "jobError"
            payload = {
                "jobID": project.id,
                "isFromWorker": False,
                "error": last.error or "genfailure",
                "error_message": last.error_message or "Generation failed",
            }
        await self._settle(project, len(done))
        delivered = await self._deliver(project, frame_type, payload)
        # [INV-UNCLAIMED] "finished while the appId had no socket" = its final frame found no
        # live connection; such a project is announced once by the next `authenticated` frame.
        project.unclaimed = not delivered

    async def _settle(self, project: ProjectRec, completed_jobs: int) -> None:
        """Release the hold and charge the jobs that rendered (refunds the rest)."""
        token_type = project.plan.token_type
        ledger = project.account.ledger(token_type)
        ledger.debit -= project.held
        log_entry = self.fake.ledger_log.record
        log_entry(project.account, token_type, "release", project.held, project.id)
        project.held = Decimal(0)
        if not project.covered:
            project.charged = _costs.money(project.quote.job_cost() * completed_jobs)
            ledger.settled -= project.charged
            self.fake.ledger_log.record(
                project.account, token_type, "charge", project.charged, project.id
            )
        await self.server.broadcast_balance(project.account)

    # ================================================================== socket: cancel

    async def on_job_error(self, session: Session, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("error") != "artistCanceled":
            return
        job_id = str(payload.get("jobID", "")).upper()
        if self.cancels_to_ignore > 0:
            self.cancels_to_ignore -= 1
            return
        project = self.projects.get(job_id)
        reply: dict[str, Any] = {"jobID": job_id, "didCancel": False}
        if self.cancel_refusals:
            reply["error_message"] = self.cancel_refusals.popleft()
        elif project is None or project.account is not session.account:
            # [INV-CANCEL-UNKNOWN] refused with a message for unknown and finished projects.
            reply["error_message"] = "Project not found"
        elif project.finished:
            reply["error_message"] = "Project already finished"
        else:
            self._mark_cancelled(project)
            reply["didCancel"] = True
        await session.send("artistCancelConfirmation", reply)
        if reply["didCancel"] and project is not None:
            done = sum(1 for j in project.jobs if j.status == "jobCompleted")
            await self._settle(project, done)

    def _mark_cancelled(self, project: ProjectRec) -> None:
        self._stop(project)
        project.status = "cancelled"
        project.reason = "artistCanceled"
        project.end_time = now_ms()
        project.touch()
        for job in project.jobs:
            if not job.finished:
                job.status = "jobError"
                job.reason = "artistCanceled"
                job.end_time = job.update_time = project.end_time

    async def cancel(self, project: ProjectRec) -> None:
        """Stop a project the server made (its run was cancelled): no more work, the unrendered
        jobs refunded."""
        if project.finished:
            return
        self._mark_cancelled(project)
        await self._settle(project, sum(1 for j in project.jobs if j.status == "jobCompleted"))

    def _stop(self, project: ProjectRec) -> None:
        """No more frames and no more work for ``project`` (before anything yields)."""
        project.stopped = True
        if project.task is not None and not project.task.done():
            project.task.cancel()

    # ================================================================== recovery

    def authenticated_extras(self, session: Session) -> dict[str, Any]:
        mine = [
            p
            for p in self.projects.values()
            if p.account is session.account and p.app_id == session.app_id
        ]
        cutoff = now_ms() - UNCLAIMED_HOLD_SECONDS * 1000
        unclaimed = [p for p in mine if p.finished and p.unclaimed and (p.end_time or 0) >= cutoff]
        for project in unclaimed:
            project.unclaimed = False  # delivered once
        return {
            "activeProjects": [recovered(p) for p in mine if not p.finished],
            "unclaimedCompletedProjects": [recovered(p) for p in unclaimed],
        }

    # ================================================================== control plane backend

    def forget(self, project_id: str) -> bool:
        project = self.projects.pop(project_id.upper(), None)
        self.storage.delete_prefix(f"uploads/{project_id.upper()}/")
        if project is None:
            return False
        self._stop(project)
        self.storage.delete_prefix(f"results/{project.id}/")
        project.account.ledger(project.plan.token_type).debit -= project.held
        self.fake.ledger_log.record(
            project.account, project.plan.token_type, "release", project.held, project.id
        )
        project.held = Decimal(0)
        return True

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if paused:
            self._resumed.clear()
        else:
            self._resumed.set()

    def set_holding(self, hold: bool) -> None:
        self.holding = hold
        if hold:
            self._released.clear()
        else:
            self._released.set()

    def snapshot(self) -> list[dict[str, Any]]:
        return [project_snapshot(p) for p in self.projects.values()]


def _copy_json(value: Any) -> Any:
    """A deep copy of decoded JSON, faster than ``copy.deepcopy`` (which the rest falls to)."""
    kind = type(value)
    if kind is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [_copy_json(v) for v in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def install(fake: FakeSupernet, server: FakeServer) -> None:
    from ._project_routes import ProjectRoutes

    ext = ProjectsExtension(fake, server)
    fake._projects_ext = ext
    server.frame_handlers["jobRequest"] = ext.on_job_request
    server.frame_handlers["jobError"] = ext.on_job_error
    server.authenticated_extras.append(ext.authenticated_extras)
    ProjectRoutes(fake, server, ext).install()
