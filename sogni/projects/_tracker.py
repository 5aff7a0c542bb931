"""The in-flight state of one project: frames in, events and the future out, recovery.

Frame handlers run on the transport thread and never block: anything that needs REST
(minting result and preview URLs, staleness checks, recovery lookups) is handed to the I/O
workers. Timers (runtime budgets, the staleness watchdog, recovery re-checks, the 1001 resend
window) run on the transport thread through ``SocketTransport.call_later``.

Every path ends the future: result, job/project error, cancel, runtime budget, staleness,
lost project, terminal close, client close.

Events are queued (never delivered inline) while the lock is held, where the state changed, so
they leave in order whichever thread changed it; nothing follows the final event. When the
project ends it lets go of its timers, registry entry, listeners and iterators, so a client that
runs for weeks keeps nothing of it (docs/design.md).

Recovery and the watchdogs live in ``_recovery.py``; result URLs and files in ``_results.py``.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._futures import SogniFuture
from .._handles import deliver
from .._log import get_logger
from .._wire.envelope import Frame
from .._wire.js import js_round
from .._wire.messages import (
    EVENT_TYPES,
    ArtistCancelConfirmation,
    CancelJob,
    JobError,
    JobEta,
    JobProgress,
    JobResult,
    JobRetry,
    JobState,
    ProjectQueue,
    RecoveredProject,
)
from ..errors import (
    CancellationError,
    ClientClosedError,
    ProjectCanceledError,
    ProjectError,
    ProtocolError,
    ResultUnavailableError,
    SogniError,
)
from . import _recovery
from ._codes import error_from_frame, int_or_none
from .handles import (
    Job,
    JobStatus,
    Project,
    ProjectEvent,
    ProjectEventType,
    ProjectStatus,
)

if TYPE_CHECKING:
    from ._job_events import JobWatch
    from ._service import ProjectsService

log = get_logger("sogni.projects")

CANCEL_UNCONFIRMED = (
    "Cancellation could not be confirmed. The job is still running; please try again."
)
Emission = tuple[str, Any, ProjectEvent]


class ProjectTracker:
    """Registry entry and state holder behind a :class:`Project` handle."""

    def __init__(
        self,
        service: ProjectsService,
        project_id: str,
        *,
        params: Any,
        media: str,
        request: dict[str, Any] | None,
        number_of_media: int,
        steps: int | None,
        output_format: str | None,
        network: str | None,
        recovered: bool = False,
    ) -> None:
        self.service = service
        self.core = service.core
        self.project_id = project_id.upper()
        self.params = params
        self.media = media
        self.request = request
        self.number_of_media = max(1, number_of_media)
        self.steps = steps or 0
        self.output_format = output_format
        self.network = network
        self.recovered = recovered
        self.lock = threading.RLock()
        self.status = ProjectStatus.PENDING
        self.queue_position = -1
        self.queue_status: str | None = None
        self.estimated_start_at: float | None = None
        self.jobs: list[Job] = []
        self.error: SogniError | None = None
        self.cost_actual: Decimal | None = None  # from the last server record seen
        self.future: SogniFuture[list[str]] = SogniFuture(self.core.callbacks)
        self.future.set_running_or_notify_cancel()  # a local wait can never cancel paid work
        self.handle = Project(self)
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {}
        self._subscribers: list[queue.Queue[ProjectEvent]] = []
        self._last_progress: int | None = None
        self._admitted = recovered
        # A project created elsewhere counts as written before our first connection, so a
        # reconnect that does not list it looks it up over REST (never resends: no request).
        self._written_generation: int | None = 0 if recovered else None
        self._resent = False
        self._refused_1001 = False
        self._restart_timer: Any = None
        self._server_completed = False
        self._created = time.monotonic()
        self._last_activity = time.monotonic()
        self._strikes = 0
        self._staleness_timer: Any = None
        self._budget_timers: dict[int, Any] = {}
        self._cancel_future: SogniFuture[None] | None = None
        self._final_event: ProjectEvent | None = None  # once set, the project says no more
        self._mints: list[tuple[Job, str]] = []
        self.job_watch: JobWatch | None = None  # the job.on listeners, made on first use

    # ------------------------------------------------------------------ clocks

    @staticmethod
    def now_wall() -> float:
        return time.time()

    # ------------------------------------------------------------------ submitting

    def submit(self) -> None:
        """Register, then queue the request on the socket."""
        assert self.request is not None
        self.core.registry.add(self.project_id, self)
        self._arm_staleness()
        self._send_request()

    def follow(self) -> None:
        """Follow a project created elsewhere (``projects.get``): its frames, and the
        staleness watchdog that looks it up over REST when they do not come (they go to the
        connection of the app that created it)."""
        self.core.registry.add(self.project_id, self)
        self._arm_staleness()

    def _send_request(self) -> None:
        assert self.request is not None
        try:
            sent = self.core.send("jobRequest", self.request)
        except SogniError as exc:
            self._finish_failed(exc)
            return

        def on_sent(future: Any) -> None:
            exc = future.exception()
            if exc is not None:
                self._finish_failed(exc)
                return
            with self.lock:
                self._written_generation = future.result()

        sent._add_internal_callback(on_sent)

    # ------------------------------------------------------------------ listeners

    def add_listener(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        with self.lock:
            if self._final_event is None:  # a finished project would only keep it forever
                self._listeners.setdefault(event, []).append(fn)

        def remove() -> None:
            with self.lock:
                if fn in self._listeners.get(event, []):
                    self._listeners[event].remove(fn)

        return remove

    def add_subscriber(self, subscriber: queue.Queue[ProjectEvent]) -> None:
        with self.lock:
            if self._final_event is not None:
                subscriber.put_nowait(self._final_event)
                return
            self._subscribers.append(subscriber)

    def remove_subscriber(self, subscriber: queue.Queue[ProjectEvent]) -> None:
        with self.lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def _emit(self, emissions: list[Emission]) -> None:
        """Hand events on: listeners to the callback worker, pull iterators to their queues.

        Called with the lock held, right where the state changed, so events leave in the order
        the state changed, whichever thread changed it. Nothing here blocks or runs user code
        (it only queues). Nothing follows the final event, and once it is out the project lets
        go of its listeners and iterators.
        """
        if not emissions and self.job_watch is None:
            return  # the usual case for a frame: nothing to hand on
        with self.lock:
            if self.job_watch is not None:
                self.job_watch.flush()  # a job's events go before its project's
            for name, arg, event in emissions:
                if self._final_event is not None:
                    return
                final = event.is_final
                for fn in self._listeners.get(name, ()):
                    self.core.callbacks.submit(fn, arg, essential=final)
                for sub in self._subscribers:
                    deliver(sub, event, last=final, what="project")
                self.service.emit_api_event(name, self.handle, event)
                if final:
                    self._final_event = event
                    self.job_watch = None
                    self._listeners.clear()
                    self._subscribers.clear()
                    # The future settles after the final event is queued, so listeners of the
                    # final event run before done-callbacks.
                    if event.type == "completed":
                        self.future.settle(list(event.result_urls or ()))
                    else:
                        self.future.fail(event.error or ProjectError("Project failed"))

    def _event(self, name: str, arg: Any, **fields: Any) -> Emission:
        kind = _EVENT_KINDS[name]
        return (name, arg, ProjectEvent(type=kind, project_id=self.project_id, **fields))

    # ------------------------------------------------------------------ frames (transport thread)

    def _frame_arrived(self, frame: Frame) -> None:
        # Only the project event types: a frame type is server data, not a method name.
        route = _FRAME_ROUTES.get(frame.type)
        if route is None:
            return
        handler, cls = route
        try:
            message: Any = self.core.structure_as(frame.payload, cls)
        except ProtocolError as exc:
            # A malformed frame fails only the project it names.
            log.warning("Malformed %s frame for project %s", frame.type, self.project_id)
            self._finish_failed(ProtocolError(f"malformed {frame.type} frame: {exc.__cause__}"))
            return
        emissions: list[Emission] = []
        with self.lock:
            self._last_activity = time.monotonic()
            if self.status.finished and frame.type != "artistCancelConfirmation":
                return
            handler(self, message, emissions)
            emissions += self._progress_emission()
            self._emit(emissions)
        self._start_mints()
        self._maybe_finish()

    def _on_jobState(self, msg: JobState, out: list[Emission]) -> None:
        if msg.type in ("pending", "assigned"):
            self._admitted = True
            return
        self._admitted = True
        if msg.type == "queued":
            self.status = ProjectStatus.QUEUED
            self.queue_position = msg.queue_position if msg.queue_position is not None else -1
            self.queue_status = (
                msg.queue_status if msg.queue_status in ("waiting", "no-workers") else None
            )
            est = msg.estimated_start_seconds
            valid = isinstance(est, (int, float)) and not isinstance(est, bool) and est >= 0
            self.estimated_start_at = self.now_wall() + est if valid else None
            # A project queued again means no render sits on a worker: stop budgets.
            for timer in self._budget_timers.values():
                timer.cancel()
            self._budget_timers.clear()
            out.append(
                self._event("queued", self.queue_position, queue_position=self.queue_position)
            )
        elif msg.type in ("initiatingModel", "jobStarted"):
            if not isinstance(msg.img_id, str):
                return
            self.estimated_start_at = None
            self.queue_status = None
            job = self._job_for(msg.img_id, msg.job_index, out)
            if msg.worker_name:
                job._worker_name = msg.worker_name
            if msg.positive_prompt is not None:
                job._positive_prompt = msg.positive_prompt
            if msg.type == "initiatingModel":
                if job._status == JobStatus.PENDING:
                    job._status = JobStatus.INITIATING
            else:
                self._start_processing(job)
        elif msg.type == "jobCompleted":
            self._server_completed = True

    def _on_jobProgress(self, msg: JobProgress, out: list[Emission]) -> None:
        self._admitted = True
        if not isinstance(msg.img_id, str):
            return
        job = self._job_for(msg.img_id, None, out)
        if job._status.finished:
            return
        self._start_processing(job)
        if self.status in (ProjectStatus.PENDING, ProjectStatus.QUEUED):
            self.status = ProjectStatus.PROCESSING
        if msg.step is not None:
            job._step = max(job._step, msg.step)
        if msg.step_count is not None:
            job._step_count = msg.step_count
        if msg.progress is not None:
            job._external_progress = msg.progress
        if msg.eta_min is not None and msg.eta_max is not None and msg.eta_max > 0:
            job._eta_range = (msg.eta_min, msg.eta_max)
        if msg.has_image:
            self.service.io.submit(self._mint_preview, job, job._id)

    def _on_jobETA(self, msg: JobEta, out: list[Emission]) -> None:
        if not isinstance(msg.img_id, str) or msg.eta_seconds is None:
            return
        job = self._job_for(msg.img_id, None, out)
        now = self.now_wall()
        job._eta = now + msg.eta_seconds
        if job._eta_started_at is None:
            job._eta_started_at = now

    def _on_jobResult(self, msg: JobResult, out: list[Emission]) -> None:
        self._admitted = True
        if not isinstance(msg.img_id, str):
            return
        job = self._job_for(msg.img_id, int_or_none(msg.job_index), out)
        self._apply_result(
            job,
            performed_steps=msg.performed_step_count,
            seed=msg.last_seed,
            nsfw=msg.triggered_nsfw_filter is True,
            nsfw_detected=msg.nsfw_detected is True,
            nsfw_sources=msg.nsfw_sources,
            user_canceled=msg.user_canceled is True,
            direct_url=msg.result_url or msg.video_url or msg.video_file,
            last_frame_url=msg.last_frame_url,
            output_format=msg.output_format,
            out=out,
        )

    def _on_jobError(self, msg: JobError, out: list[Emission]) -> None:
        error = error_from_frame(msg, self.project_id)
        if msg.img_id:
            self._admitted = True
            job = self._find_job(msg.img_id, None)
            if job is None:
                job = self._job_for(msg.img_id, None, out)
            if job._status.finished:
                return  # a late error for a finished job changes nothing
            job._status = JobStatus.FAILED
            job._error = error
            self._stop_budget(job)
            out.append(self._event("job_failed", job, job=job, error=error))
            return
        if error.error_code == 1001 and not self._admitted:
            # Error 1001: refused while the server shuts down; never queued nor billed.
            if self._refused_1001 or self._resent:
                self._fail_locked(error, out)
                return
            self._refused_1001 = True
            transport = self.core.transport
            if transport is not None:
                self._restart_timer = transport.call_later(
                    self.core.config.timeouts.resend_after_restart,
                    lambda: self._restart_window_over(error),
                )
            return
        self._admitted = True
        self._fail_locked(error, out)

    def _on_jobRetry(self, msg: JobRetry, out: list[Emission]) -> None:
        self._admitted = True
        job = self._find_job(msg.img_id, msg.job_index) if msg.img_id else None
        if job is None or job._status.finished:
            return
        # The render moves to another worker; nothing failed for the artist.
        job._status = JobStatus.PENDING
        job._step = 0
        job._worker_name = None
        job._preview_url = None
        job._external_progress = None
        job._eta = job._eta_started_at = None
        job._eta_range = None
        job._awaiting_reassignment = True
        job._started_processing = False
        self._stop_budget(job)

    def _on_projectQueue(self, msg: ProjectQueue, out: list[Emission]) -> None:
        self._admitted = True

    def _on_artistCancelConfirmation(
        self, msg: ArtistCancelConfirmation, out: list[Emission]
    ) -> None:
        waiter = self._cancel_future
        if waiter is None or waiter.done():
            return
        if msg.did_cancel:
            self._cancel_locked(out)  # its teardown ends the waiting cancel()
        elif self._server_completed or self.status.finished:
            # Refused because the project finished first: cancel() returns once the local
            # side has finished too (result URLs still being minted).
            return
        else:
            waiter.fail(CancellationError(msg.error_message or CANCEL_UNCONFIRMED))

    # ------------------------------------------------------------------ job helpers

    def _find_job(self, img_id: str | None, job_index: int | None) -> Job | None:
        if img_id:
            for job in self.jobs:
                if job._id == img_id.upper():
                    return job
        return None

    def _job_for(self, img_id: str, job_index: int | None, out: list[Emission]) -> Job:
        img_id = img_id.upper()
        job = self._find_job(img_id, job_index)
        if job is not None:
            if job_index is not None and job._job_index is None:
                job._job_index = job_index
            return job
        # A reassigned render reclaims its job: same jobIndex, else the one awaiting it.
        candidates = [
            j
            for j in self.jobs
            if not j._status.finished
            and (
                (job_index is not None and j._job_index == job_index)
                or (job_index is None and j._awaiting_reassignment and j._job_index is None)
            )
        ]
        if candidates:
            job = candidates[0]
            job._id = img_id
            job._awaiting_reassignment = False
            return job
        job = Job(self, img_id, job_index)
        job._step_count = self.steps
        self.jobs.append(job)
        self.jobs.sort(key=lambda j: (j._job_index is None, j._job_index or 0))
        out.append(self._event("job_started", job, job=job))
        return job

    def _start_processing(self, job: Job) -> None:
        job._status = JobStatus.PROCESSING
        if job._started_processing:
            return
        job._started_processing = True
        transport = self.core.transport
        if transport is None:
            return
        limit = self.service.runtime_limit(self.media, self.network, job)
        key = id(job)
        self._budget_timers[key] = transport.call_later(
            limit, lambda: self._budget_expired(job, limit)
        )

    def _stop_budget(self, job: Job) -> None:
        timer = self._budget_timers.pop(id(job), None)
        if timer is not None:
            timer.cancel()

    def _apply_result(
        self,
        job: Job,
        *,
        performed_steps: Any,
        seed: Any,
        nsfw: bool,
        nsfw_detected: bool,
        nsfw_sources: Any,
        user_canceled: bool,
        direct_url: str | None,
        last_frame_url: str | None,
        output_format: str | None,
        out: list[Emission],
    ) -> None:
        self._stop_budget(job)
        if isinstance(performed_steps, (int, float)) and not isinstance(performed_steps, bool):
            job._step = performed_steps
        elif job._step_count > 0:
            job._step = job._step_count
        seed_value = int_or_none(seed)
        if seed_value is not None:
            job._seed = seed_value
        job._is_nsfw = nsfw
        job._nsfw_detected = nsfw_detected
        job._nsfw_sources = tuple(s for s in (nsfw_sources or ()) if isinstance(s, str))
        job._user_canceled = user_canceled
        job._last_frame_url = last_frame_url
        job._output_format = output_format or job._output_format
        withheld = nsfw and not nsfw_detected
        if user_canceled:
            job._status = JobStatus.CANCELED
            return
        if direct_url:
            job._result_url = direct_url
        elif not withheld:
            job._minting = True
            self._mints.append((job, job._id))  # started by _start_mints, once unlocked
        job._status = JobStatus.COMPLETED
        if not job._minting:
            out.append(self._event("job_completed", job, job=job, url=job._result_url))

    # ------------------------------------------------------------------ REST work (I/O workers)

    def _start_mints(self, *, inline: bool = False) -> None:
        """Mint the result URLs that completed jobs need: on the I/O workers, or on this
        thread (``projects.get`` of a finished project returns it with its URLs)."""
        if not self._mints:
            return  # read unlocked: whoever queues a mint calls this afterwards
        with self.lock:
            mints, self._mints = self._mints, []
        for job, img_id in mints:
            if inline:
                self._mint_result(job, img_id)
            else:
                self.service.io.submit(self._mint_result, job, img_id, essential=True)

    def _mint_result(self, job: Job, img_id: str) -> None:
        url: str | None = None
        error: SogniError | None = None
        try:
            url = self.service.mint_result_url(self, img_id)
        except SogniError as exc:
            log.warning(
                "Could not get the result URL of a job of project %s (%s)",
                self.project_id,
                type(exc).__name__,
            )
            error = ResultUnavailableError(
                f"The result of job {img_id} of project {self.project_id} is ready, but its URL "
                f"could not be obtained ({type(exc).__name__}: {exc}). Call "
                "job.refresh_result_url() to try again.",
                job_id=self.project_id,
                details={"job": img_id},
            )
        with self.lock:
            job._minting = False
            if job._id == img_id:
                if url is not None:
                    job._result_url = url
                else:
                    job._error = error
            if job._status == JobStatus.COMPLETED:
                self._emit([self._event("job_completed", job, job=job, url=job._result_url)])
        self._maybe_finish()

    def _mint_preview(self, job: Job, img_id: str) -> None:
        try:
            url = self.service.mint_preview_url(self, img_id)
        except SogniError as exc:
            log.debug("Preview URL unavailable (%s)", type(exc).__name__)
            return
        with self.lock:
            if job._id != img_id:
                return  # the render moved to another worker meanwhile
            job._preview_url = url
            # Dropped by _emit if the project has ended meanwhile: nothing follows the end.
            self._emit([self._event("preview", job, job=job, url=url)])

    # ------------------------------------------------------------------ completion

    def progress_locked(self) -> int:
        if self.status == ProjectStatus.COMPLETED:
            return 100
        if not self.jobs:
            return 0
        now = self.now_wall()
        total = sum([j._progress_locked(now) for j in self.jobs])
        return max(0, min(100, js_round(total / max(1, self.number_of_media))))

    def _progress_emission(self) -> list[Emission]:
        value = self.progress_locked()
        if value == self._last_progress:
            return []
        self._last_progress = value
        return [self._event("progress", value, progress=value)]

    def result_urls_locked(self) -> list[str]:
        ordered = sorted(self.jobs, key=lambda j: (j._job_index is None, j._job_index or 0))
        return [
            j._result_url
            for j in ordered
            if j._status == JobStatus.COMPLETED
            and j._result_url
            and not (j._is_nsfw and not j._nsfw_detected)
        ]

    def _maybe_finish(self) -> None:
        emissions: list[Emission] = []
        with self.lock:
            if self.status.finished:
                return
            jobs_done = (  # never without a failed job or the server's jobCompleted
                (self._server_completed or any(j._status == JobStatus.FAILED for j in self.jobs))
                and len(self.jobs) >= self.number_of_media
                and all(j._status.finished and not j._minting for j in self.jobs)
            )
            if jobs_done and self.jobs and all(j._status == JobStatus.FAILED for j in self.jobs):
                first = next(j._error for j in self.jobs if j._error is not None)
                self._fail_locked(
                    first or ProjectError("Project failed", job_id=self.project_id), emissions
                )
            elif (
                self.number_of_media == 1 and self.jobs and self.jobs[0]._status == JobStatus.FAILED
            ):
                self._fail_locked(
                    self.jobs[0]._error or ProjectError("Project failed", job_id=self.project_id),
                    emissions,
                )
            elif jobs_done and self._server_completed:
                unavailable = [j for j in self.jobs if isinstance(j._error, ResultUnavailableError)]
                if unavailable:
                    # Never a silently shorter list: the caller learns which results to fetch.
                    self._fail_locked(self._unavailable_error(unavailable), emissions)
                else:
                    self.status = ProjectStatus.COMPLETED
                    urls = self.result_urls_locked()
                    emissions += self._progress_emission()
                    emissions.append(self._event("completed", urls, result_urls=urls))
                    self._teardown_locked()
            self._emit(emissions)

    def _unavailable_error(self, jobs: list[Job]) -> ProjectError:
        ids = [j._id for j in jobs]
        causes = "; ".join(str(j._error) for j in jobs[:1])
        return ProjectError(
            f"Project {self.project_id} finished, but the result URLs of {len(ids)} of "
            f"{len(self.jobs)} jobs could not be obtained (jobs {', '.join(ids)}). {causes}",
            job_id=self.project_id,
            details={"unavailable_jobs": ids},
            retryable=False,
        )

    def _fail_locked(self, error: SogniError, out: list[Emission]) -> None:
        if self.status.finished:
            return
        self.status = ProjectStatus.FAILED
        self.error = error
        for job in self.jobs:
            if not job._status.finished:
                job._status = JobStatus.FAILED
                job._error = job._error or error
        out.append(self._event("failed", error, error=error))
        self._teardown_locked()

    def _cancel_locked(self, out: list[Emission]) -> None:
        if self.status.finished:
            return
        self.status = ProjectStatus.CANCELED
        error = ProjectCanceledError("Project canceled", job_id=self.project_id, error_code=0)
        self.error = error
        for job in self.jobs:
            if not job._status.finished:
                job._status = JobStatus.CANCELED
        out.append(self._event("canceled", None, error=error))
        self._teardown_locked()

    def _finish_failed(self, error: BaseException) -> None:
        emissions: list[Emission] = []
        err = (
            error
            if isinstance(error, SogniError)
            else ProjectError(str(error), job_id=self.project_id)
        )
        with self.lock:
            self._fail_locked(err, emissions)
            self._emit(emissions)

    def _teardown_locked(self) -> None:
        """The project is over: let go of everything that kept it alive from outside (timers,
        the in-flight registry, the tracked list) and end a cancel that is waiting."""
        for timer in [
            *list(self._budget_timers.values()),
            self._staleness_timer,
            self._restart_timer,
        ]:
            if timer is not None:
                timer.cancel()
        self._budget_timers.clear()
        self._staleness_timer = self._restart_timer = None
        self.core.registry.remove(self.project_id, self)
        self.service.forget(self)
        waiter = self._cancel_future
        if waiter is not None:
            # However it ended, there is nothing left to cancel: cancel() returns.
            waiter.settle(None)

    # ------------------------------------------------------------------ transport events

    def _connection_lost(self) -> None:
        with self.lock:
            self._last_activity = time.monotonic()

    def _fail(self, error: SogniError) -> None:
        self._finish_failed(error)

    def _authenticated(self, generation: int, payload: Any) -> None:
        """Reconcile with the server's snapshot after a (re)connection."""
        records = self.service.snapshot_records(payload)
        self.reconcile(records, generation)

    # ------------------------------------------------------------------ recovery and timers
    # (the rules live in _recovery.py; these are the entry points the SDK calls)

    def reconcile(self, records: dict[str, RecoveredProject], generation: int) -> None:
        _recovery.reconcile(self, records, generation)

    def apply_record(self, record: RecoveredProject, *, mint_inline: bool = False) -> None:
        """Replay a server record (snapshot or REST) through the normal state transitions.
        With ``mint_inline`` the result URLs are minted on this thread before it returns."""
        _recovery.apply_record(self, record, mint_inline=mint_inline)

    def _submit_resolve_missing(self) -> None:
        self.service.io.submit(self._resolve_missing, essential=True)

    def _resolve_missing(self) -> None:
        _recovery.resolve_missing(self)

    def _restart_window_over(self, error: ProjectError) -> None:
        _recovery.restart_window_over(self, error)

    def _arm_staleness(self) -> None:
        _recovery.arm_staleness(self)

    def _staleness_due(self) -> None:
        _recovery.staleness_due(self)

    def _staleness_check(self) -> None:
        _recovery.staleness_check(self)

    def _budget_expired(self, job: Job, limit: float) -> None:
        _recovery.budget_expired(self, job, limit)

    # ------------------------------------------------------------------ cancel

    def _send_cancel_quietly(self) -> None:
        try:
            self.core.send("jobError", self.service.unstructure(CancelJob(job_id=self.project_id)))
        except SogniError:
            pass

    def cancel(self, timeout: float | None) -> None:
        with self.lock:
            if self.status.finished:
                return
            waiter = self._cancel_future
            first = waiter is None or waiter.done()
            if first:
                waiter = SogniFuture(self.core.callbacks)
                self._cancel_future = waiter
        assert waiter is not None
        if first:
            try:
                self.core.send(
                    "jobError", self.service.unstructure(CancelJob(job_id=self.project_id))
                )
            except SogniError as exc:
                waiter.fail(exc)
        limit = self.core.config.timeouts.cancel_confirmation if timeout is None else timeout
        try:
            waiter.result(limit)
        except concurrent.futures.TimeoutError:
            if waiter.done():
                raise  # the cancel could not be sent (e.g. the socket never became ready)
            raise CancellationError(CANCEL_UNCONFIRMED) from None

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        self._finish_failed(ClientClosedError("the client was closed"))


_Handler = Callable[[ProjectTracker, Any, list[Emission]], None]
# Each project frame type with its handler and message class, looked up once, not per frame.
_FRAME_ROUTES: dict[str, tuple[_Handler, type[Any]]] = {
    name: (getattr(ProjectTracker, "_on_" + name), cls)
    for name, cls in EVENT_TYPES.items()
    if hasattr(ProjectTracker, "_on_" + name)
}


_EVENT_KINDS = {kind.value: kind for kind in ProjectEventType}
