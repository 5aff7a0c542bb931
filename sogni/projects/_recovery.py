"""Recovery and timers of a media project: reconnects, server records, watchdogs, budgets.

Each function takes the project's tracker and follows its locking rules (state changes and
their events under ``tracker.lock``; REST on the I/O workers; timers on the transport thread,
never blocking). They are apart from ``_tracker.py`` only to keep each file readable.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import TYPE_CHECKING

from .._log import get_logger
from .._wire.messages import RecoveredProject, RecoveredWorkerJob
from ..errors import (
    ProjectError,
    ProjectInsufficientFundsError,
    ProjectLostError,
    is_insufficient_balance,
)
from ._codes import (
    LOST_MESSAGE,
    RAW_JOB_STATUS,
    RAW_PROJECT_STATUS,
    SYMBOLIC_CODES,
    human_duration,
    int_or_none,
)
from .handles import Job, JobStatus, ProjectStatus

if TYPE_CHECKING:
    from ._tracker import Emission, ProjectTracker

__all__ = [
    "apply_record",
    "record_cost",
    "arm_staleness",
    "budget_expired",
    "reconcile",
    "resolve_missing",
    "restart_window_over",
    "staleness_check",
    "staleness_due",
]

log = get_logger("sogni.projects")


def reconcile(
    tracker: ProjectTracker, records: dict[str, RecoveredProject], generation: int
) -> None:
    resend = False
    check_missing = False
    with tracker.lock:
        tracker._last_activity = time.monotonic()
        if tracker.status.finished:
            return
        record = records.get(tracker.project_id)
        if record is not None:
            tracker._admitted = True
            if tracker._restart_timer is not None:
                tracker._restart_timer.cancel()
        elif tracker._refused_1001 and not tracker._resent:
            resend = True
        elif tracker._written_generation is None:
            pass  # still queued: it goes out on this connection
        elif (
            not tracker._admitted
            and tracker._written_generation < generation
            and not tracker._resent
        ):
            resend = True  # written just before a drop and never seen by the server
        elif tracker._written_generation < generation:
            check_missing = True
        if resend:
            tracker._resent = True
            tracker._refused_1001 = False
            if tracker._restart_timer is not None:
                tracker._restart_timer.cancel()
    if record is not None:
        tracker.apply_record(record)
    elif resend:
        log.info("Resending the request of project %s once after the reconnect", tracker.project_id)
        tracker._send_request()
    elif check_missing:
        age = time.monotonic() - tracker._created
        min_age = tracker.core.config.timeouts.recovery_min_age
        transport = tracker.core.transport
        if age >= min_age:
            tracker.service.io.submit(tracker._resolve_missing, essential=True)
        elif transport is not None:
            transport.call_later(min_age - age + 0.25, tracker._submit_resolve_missing)


def restart_window_over(tracker: ProjectTracker, error: ProjectError) -> None:
    emissions: list[Emission] = []
    with tracker.lock:
        if tracker._refused_1001 and not tracker._resent:
            tracker._fail_locked(error, emissions)
        tracker._emit(emissions)


def resolve_missing(tracker: ProjectTracker) -> None:
    """The project vanished from the snapshot: ask REST what became of it."""
    verdict, record = tracker.service.resolve_missing(tracker)
    if verdict == "finished" and record is not None:
        tracker.apply_record(record)
    elif verdict == "lost":
        tracker._finish_failed(
            ProjectLostError(
                LOST_MESSAGE, job_id=tracker.project_id, error_code=0, original_code="projectLost"
            )
        )


def apply_record(
    tracker: ProjectTracker, record: RecoveredProject, *, mint_inline: bool = False
) -> None:
    """Replay a server record (snapshot or REST) through the normal state transitions.
    With ``mint_inline`` the result URLs are minted on this thread before it returns."""
    emissions: list[Emission] = []
    with tracker.lock:
        cost = record_cost(record)
        if cost is not None:
            tracker.cost_actual = cost
        if tracker.status.finished:
            return
        tracker._admitted = True
        if isinstance(record.image_count, int) and record.image_count > 0:
            tracker.number_of_media = record.image_count
        seen: set[str] = set()
        for raw_job in list(record.completed_worker_jobs) + list(record.worker_jobs):
            if not raw_job.img_id or raw_job.img_id.upper() in seen:
                continue
            seen.add(raw_job.img_id.upper())
            apply_raw_job(tracker, raw_job, emissions)
        status = RAW_PROJECT_STATUS.get(record.status or "")
        if status == ProjectStatus.COMPLETED:
            tracker._server_completed = True
        elif status == ProjectStatus.FAILED:
            reason = record.reason
            code = int(reason) if isinstance(reason, str) and reason.isdigit() else 0
            message = str(reason) if reason else "Project failed"
            cls = ProjectInsufficientFundsError if is_insufficient_balance(code) else ProjectError
            tracker._fail_locked(
                cls(message, job_id=tracker.project_id, error_code=code), emissions
            )
        elif status == ProjectStatus.CANCELED:
            tracker._cancel_locked(emissions)
        elif (
            status in (ProjectStatus.QUEUED, ProjectStatus.PENDING)
            and tracker.status == ProjectStatus.PENDING
        ):
            tracker.status = ProjectStatus.QUEUED
        elif status == ProjectStatus.PROCESSING:
            tracker.status = ProjectStatus.PROCESSING
        emissions += tracker._progress_emission()
        tracker._emit(emissions)
    tracker._start_mints(inline=mint_inline)
    tracker._maybe_finish()


def record_cost(record: RecoveredProject) -> Decimal | None:
    """``costActual.costInToken`` of a project record (a decimal string), if it has one."""
    cost = record.cost_actual.get("costInToken") if isinstance(record.cost_actual, dict) else None
    if isinstance(cost, bool) or not isinstance(cost, (str, int, float)):
        return None
    try:
        value = Decimal(str(cost))
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def apply_raw_job(tracker: ProjectTracker, raw: RecoveredWorkerJob, out: list[Emission]) -> None:
    assert raw.img_id is not None
    job = tracker._job_for(raw.img_id, int_or_none(raw.job_index), out)
    worker = raw.worker if isinstance(raw.worker, dict) else {}
    name = worker.get("username") or worker.get("name")
    if isinstance(name, str):
        job._worker_name = name
    status = RAW_JOB_STATUS.get(raw.status or "", JobStatus.PENDING)
    if job._status.finished:
        return
    if status == JobStatus.COMPLETED:
        tracker._apply_result(
            job,
            performed_steps=raw.performed_steps,
            seed=raw.seed_used,
            nsfw=raw.triggered_nsfw_filter is True,
            nsfw_detected=raw.nsfw_detected is True,
            nsfw_sources=raw.nsfw_sources,
            user_canceled=raw.reason == "artistCanceled",
            direct_url=raw.result_url or raw.image_url or raw.video_url,
            last_frame_url=raw.last_frame_url,
            output_format=raw.output_format,
            out=out,
        )
    elif status == JobStatus.FAILED:
        reason = raw.reason or "genfailure"
        job._status = JobStatus.FAILED
        message = "Sensitive content detected." if reason == "sensitiveContent" else str(reason)
        job._error = ProjectError(
            message,
            job_id=tracker.project_id,
            error_code=SYMBOLIC_CODES.get(str(reason), 5000),
            original_code=str(reason),
        )
        out.append(tracker._event("job_failed", job, job=job, error=job._error))
    elif status == JobStatus.PROCESSING:
        tracker._start_processing(job)
        if isinstance(raw.performed_steps, (int, float)):
            job._step = max(job._step, raw.performed_steps)
        if tracker.status in (ProjectStatus.PENDING, ProjectStatus.QUEUED):
            tracker.status = ProjectStatus.PROCESSING
    elif status == JobStatus.INITIATING and job._status == JobStatus.PENDING:
        job._status = JobStatus.INITIATING


def arm_staleness(tracker: ProjectTracker) -> None:
    transport = tracker.core.transport
    if transport is None:
        return
    delay = tracker.core.config.timeouts.project_staleness
    with tracker.lock:
        if tracker.status.finished:
            return
        due = tracker._last_activity + delay - time.monotonic()
        tracker._staleness_timer = transport.call_later(max(0.0, due), tracker._staleness_due)


def staleness_due(tracker: ProjectTracker) -> None:
    transport = tracker.core.transport
    with tracker.lock:
        if tracker.status.finished:
            return
        silent = time.monotonic() - tracker._last_activity
        ready = transport is not None and transport.state.value == "ready"
        if not ready:
            tracker._last_activity = time.monotonic()  # the socket is down: only the clock moves
        if silent < tracker.core.config.timeouts.project_staleness or not ready:
            stale = False
        else:
            stale = True
    if stale:
        tracker.service.io.submit(tracker._staleness_check, essential=True)
    else:
        tracker._arm_staleness()


def staleness_check(tracker: ProjectTracker) -> None:
    """Three lookups in a row answering 'the server does not know it' end the project."""
    verdict, record = tracker.service.staleness_verdict(tracker)
    with tracker.lock:
        tracker._last_activity = time.monotonic()
        if verdict == "alive":
            tracker._strikes = 0
        elif verdict == "strike":
            tracker._strikes += 1
        strikes = tracker._strikes
    if verdict == "finished" and record is not None:
        tracker.apply_record(record)
    if strikes >= 3:
        tracker._send_cancel_quietly()
        tracker._finish_failed(
            ProjectError(
                "Project timed out. Please try again or contact support.",
                job_id=tracker.project_id,
                error_code=0,
                retryable=True,
            )
        )
        return
    tracker._arm_staleness()


def budget_expired(tracker: ProjectTracker, job: Job, limit: float) -> None:
    emissions: list[Emission] = []
    with tracker.lock:
        if job._status.finished or tracker.status.finished:
            return
        span = human_duration(limit)
        for other in tracker.jobs:
            if not other._status.finished:
                other._status = JobStatus.FAILED
                other._error = ProjectError(
                    f"Job exceeded the maximum runtime of {span}",
                    job_id=tracker.project_id,
                    error_code=0,
                )
        tracker._fail_locked(
            ProjectError(
                f"Job {job._id} exceeded the maximum runtime of {span}; project canceled",
                job_id=tracker.project_id,
                error_code=0,
            ),
            emissions,
        )
        tracker._emit(emissions)
    tracker._send_cancel_quietly()
