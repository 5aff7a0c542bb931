"""``Project`` and ``Job``: handles on work running on the Supernet.

A handle is a read-only view: the transport thread updates the state behind it as frames
arrive, and every property read is consistent (taken under the project's lock). Waiting
(``wait``, ``future``, ``events()``) happens on the caller's thread; listeners registered with
``on`` run on the client's callback worker.
"""

from __future__ import annotations

import concurrent.futures
import os
import queue
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, Literal

import attrs

from .._enums import StrEnum
from .._events import check_event
from .._log import get_logger
from .._wire.js import js_round
from ..errors import SogniError, SogniTimeoutError
from . import _results
from ._kwargs import ParamsT_co

if TYPE_CHECKING:
    from .._futures import SogniFuture
    from ._tracker import ProjectTracker

__all__ = [
    "EventIterator",
    "Job",
    "JobStatus",
    "Project",
    "ProjectEvent",
    "ProjectEventType",
    "ProjectStatus",
]

log = get_logger("sogni.projects")


class ProjectStatus(StrEnum):
    """Where a project is. Members are strings: ``project.status == "completed"`` works."""

    PENDING = "pending"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        """``completed``, ``failed`` or ``canceled``: nothing more will happen."""
        return self in (ProjectStatus.COMPLETED, ProjectStatus.FAILED, ProjectStatus.CANCELED)


class JobStatus(StrEnum):
    """Where one job (media item) of a project is."""

    PENDING = "pending"
    INITIATING = "initiating"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED)


class ProjectEventType(StrEnum):
    """The events of a project (``project.on``, ``project.events()``)."""

    QUEUED = "queued"
    PROGRESS = "progress"
    JOB_STARTED = "job_started"
    JOB_COMPLETED = "job_completed"
    JOB_FAILED = "job_failed"
    PREVIEW = "preview"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        return self in (
            ProjectEventType.COMPLETED,
            ProjectEventType.FAILED,
            ProjectEventType.CANCELED,
        )


PROJECT_EVENTS = tuple(event.value for event in ProjectEventType)
# Why a queued project waits, as the server says it (open: other values arrive as they came).
QueueStatus = Literal["waiting", "no-workers"] | str


@attrs.frozen
class ProjectEvent:
    """One event from ``project.events()``.

    ``type`` is a :class:`ProjectEventType`: ``queued``, ``progress``, ``job_started``,
    ``job_completed``, ``job_failed``, ``preview``, ``completed``, ``failed``, ``canceled``. The
    other fields are set when they apply to that type.
    """

    type: ProjectEventType
    project_id: str
    job: Job | None = None
    progress: int | None = None
    queue_position: int | None = None
    url: str | None = None
    result_urls: list[str] | None = None
    error: SogniError | None = None

    @property
    def is_final(self) -> bool:
        """``completed``, ``failed`` or ``canceled``: the last event of the project."""
        return self.type.is_final


class EventIterator(Iterator[ProjectEvent]):
    """The iterator of :meth:`Project.events`, subscribed from the moment it is made."""

    def __init__(self, tracker: ProjectTracker, timeout: float | None) -> None:
        self._tracker: ProjectTracker | None = tracker
        self._project_id = tracker.project_id
        self._timeout = timeout
        self._queue: queue.Queue[ProjectEvent] = queue.Queue(maxsize=10000)
        tracker.add_subscriber(self._queue)

    def __iter__(self) -> EventIterator:
        return self

    def __next__(self) -> ProjectEvent:
        if self._tracker is None:
            raise StopIteration
        try:
            event = self._queue.get(timeout=self._timeout)
        except queue.Empty:
            raise SogniTimeoutError(
                f"no event from project {self._project_id} within {self._timeout}s"
            ) from None
        if event.is_final:
            self.close()
        return event

    def close(self) -> None:
        """Stop listening; the iterator ends."""
        tracker, self._tracker = self._tracker, None
        if tracker is not None:
            tracker.remove_subscriber(self._queue)

    def __enter__(self) -> EventIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _create_partial(target: Path) -> tuple[str, IO[bytes]]:
    """A new, empty temporary file beside ``target``, created with mode 0666 so that the umask
    applies as for any new file (``tempfile`` would make it 0600)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        name = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(name, flags, 0o666)
        except FileExistsError:
            continue
        return name, os.fdopen(fd, "w+b")


def _utc(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=timezone.utc)


class Job:
    """One media item of a project (``imgID`` on the wire; it changes if a render is reassigned)."""

    def __init__(self, tracker: ProjectTracker, job_id: str, job_index: int | None) -> None:
        self._tracker = tracker
        self._id = job_id
        self._job_index = job_index
        self._status = JobStatus.PENDING
        self._step = 0.0
        self._step_count = 0.0
        self._external_progress: float | None = None
        self._eta: float | None = None  # wall-clock timestamp
        self._eta_started_at: float | None = None
        self._eta_range: tuple[float, float] | None = None
        self._worker_name: str | None = None
        self._seed: int | None = None
        self._preview_url: str | None = None
        self._result_url: str | None = None
        self._last_frame_url: str | None = None
        self._output_format: str | None = None
        self._is_nsfw = False
        self._nsfw_detected = False
        self._nsfw_sources: tuple[str, ...] = ()
        self._user_canceled = False
        self._error: SogniError | None = None
        self._positive_prompt: str | None = None
        self._awaiting_reassignment = False
        self._minting = False
        self._started_processing = False

    def _read(self, name: str) -> Any:
        with self._tracker.lock:
            return getattr(self, name)

    # ------------------------------------------------------------------ identity

    @property
    def id(self) -> str:
        return str(self._read("_id"))

    @property
    def project_id(self) -> str:
        return self._tracker.project_id

    @property
    def job_index(self) -> int | None:
        with self._tracker.lock:
            return self._job_index

    # ------------------------------------------------------------------ state

    @property
    def status(self) -> JobStatus:
        value: JobStatus = self._read("_status")
        return value

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def step(self) -> int:
        return int(self._read("_step"))

    @property
    def step_count(self) -> int:
        return int(self._read("_step_count"))

    @property
    def progress(self) -> int:
        """0-100: from the steps done, the provider's own progress, or the ETA for vendor jobs."""
        with self._tracker.lock:
            return self._progress_locked(self._tracker.now_wall())

    def _progress_locked(self, now: float) -> int:
        # Rounded with Math.round (halves up), as the official client rounds its progress.
        if self._status == JobStatus.COMPLETED:
            return 100
        ext = self._external_progress
        if ext is not None:
            value = ext * 100 if 0 <= ext <= 1 else ext
            return max(0, min(100, js_round(value)))
        if self._step_count > 0:
            return max(0, min(100, js_round(self._step / self._step_count * 100)))
        if self._eta_started_at is not None and self._eta is not None:
            total = self._eta - self._eta_started_at
            if total <= 0:
                return 0
            elapsed = now - self._eta_started_at
            if elapsed <= 0:
                return 1
            return max(1, min(95, js_round(elapsed / total * 100)))
        return 0

    @property
    def eta(self) -> datetime | None:
        return _utc(self._read("_eta"))

    @property
    def eta_seconds(self) -> int | None:
        eta: float | None = self._read("_eta")
        if eta is None:
            return None
        return max(0, js_round(eta - self._tracker.now_wall()))

    @property
    def eta_range(self) -> tuple[float, float] | None:
        value: tuple[float, float] | None = self._read("_eta_range")
        return value

    @property
    def worker_name(self) -> str | None:
        value: str | None = self._read("_worker_name")
        return value

    @property
    def seed(self) -> int | None:
        value: int | None = self._read("_seed")
        return value

    @property
    def preview_url(self) -> str | None:
        value: str | None = self._read("_preview_url")
        return value

    @property
    def result_url(self) -> str | None:
        value: str | None = self._read("_result_url")
        return value

    @property
    def last_frame_url(self) -> str | None:
        value: str | None = self._read("_last_frame_url")
        return value

    @property
    def output_format(self) -> str | None:
        value: str | None = self._read("_output_format")
        return value

    @property
    def is_nsfw(self) -> bool:
        """The NSFW filter fired (with the filter on, the media is withheld)."""
        return bool(self._read("_is_nsfw"))

    @property
    def nsfw_detected(self) -> bool:
        """Advisory label: a signal fired but the media was delivered (filter off)."""
        return bool(self._read("_nsfw_detected"))

    @property
    def nsfw_sources(self) -> tuple[str, ...]:
        value: tuple[str, ...] = self._read("_nsfw_sources")
        return value

    @property
    def is_withheld(self) -> bool:
        with self._tracker.lock:
            return self._is_nsfw and not self._nsfw_detected

    @property
    def has_result_media(self) -> bool:
        with self._tracker.lock:
            return self._status == JobStatus.COMPLETED and not (
                self._is_nsfw and not self._nsfw_detected
            )

    @property
    def error(self) -> SogniError | None:
        value: SogniError | None = self._read("_error")
        return value

    @property
    def type(self) -> str:
        return self._tracker.media

    # ------------------------------------------------------------------ results

    def get_result_url(self) -> str:
        """The (signed) URL of the result, minted now if needed. Signed URLs expire after about
        30 minutes; :meth:`refresh_result_url` gets a fresh one."""
        return _results.result_url(self._tracker, self, refresh=False)

    def refresh_result_url(self) -> str:
        """Mint a fresh result URL. Also the way to retry a job whose URL could not be
        obtained when it finished (``job.error`` is a ``ResultUnavailableError``): on success
        the error is cleared."""
        return _results.result_url(self._tracker, self, refresh=True)

    def download(self, path: str | os.PathLike[str], *, timeout: float | None = None) -> Path:
        """Stream the result to ``path`` (a file, or a directory to put it in) within
        ``timeout`` seconds (default ``Timeouts.download``). The data goes to a temporary file
        beside it, renamed into place, so ``path`` is never partial. The file gets the usual
        permissions of a new file (0666 less the umask), so a web server can serve it."""
        url = self.get_result_url()
        target = Path(path)
        if target.is_dir():
            target = target / _results.default_filename(self._tracker, self)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_name, sink = _create_partial(target)
        try:
            with sink:
                self._tracker.service.download(url, sink, timeout)
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
            raise
        return target

    def get_result_data(self, *, timeout: float | None = None) -> bytes:
        """The result's bytes (fine for images; prefer ``download`` for large media)."""
        import io

        buffer = io.BytesIO()
        self._tracker.service.download(self.get_result_url(), buffer, timeout)
        return buffer.getvalue()

    def enhance(self, strength: str = "medium", **overrides: Any) -> str:
        """Run an enhancement pass on this image (a new project that uses the result as its
        starting image) and return its first result URL. Blocks until it finishes."""
        return _results.enhance(self._tracker, self, strength, overrides)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``fn`` on the callback worker for each of this job's ``event``: ``progress``
        (a ``JobProgress`` with ``step``, ``step_count``, ``progress``; every step, in order),
        ``preview`` (its URL), ``completed`` (the result URL, ``None`` if withheld),
        ``failed`` (the error), ``updated`` (the names of the fields that changed). Nothing
        follows ``completed`` or ``failed``, and the listeners are let go when the job or
        its project ends. An unknown name raises ``ValidationError`` naming the closest one.
        Returns a function that removes the listener."""
        from ._job_events import JOB_EVENTS, JobWatch

        name = check_event(event, JOB_EVENTS, owner="job")
        tracker = self._tracker
        with tracker.lock:
            if tracker.job_watch is None:
                if tracker.status.finished:
                    return lambda: None  # nothing more will happen to it
                tracker.job_watch = JobWatch(tracker)
            return tracker.job_watch.add(self, name, fn)

    def __repr__(self) -> str:
        return f"Job(id={self.id!r}, index={self.job_index}, status={self.status!r})"


class Project(Generic[ParamsT_co]):
    """A generation request and its jobs. ``future`` is a stdlib ``Future`` of the result URLs.

    Generic in its parameters: ``create(type="video", ...)`` returns a
    ``Project[VideoProjectParams]``; a bare ``Project`` is ``Project[ProjectParams | None]``."""

    def __init__(self, tracker: ProjectTracker) -> None:
        self._tracker = tracker

    # ------------------------------------------------------------------ identity

    @property
    def id(self) -> str:
        return self._tracker.project_id

    @property
    def type(self) -> str:
        return self._tracker.media

    @property
    def params(self) -> ParamsT_co:
        """The parameters the project was created with. Never ``None`` on a handle from
        ``create``; ``None`` for some recovered ones (``get`` and ``tracked`` are typed so)."""
        params: ParamsT_co = self._tracker.params
        return params

    @property
    def recovered(self) -> bool:
        """Rebuilt from a server record (``projects.get`` or reconnect recovery)."""
        return self._tracker.recovered

    # ------------------------------------------------------------------ state

    @property
    def future(self) -> SogniFuture[list[str]]:
        return self._tracker.future

    @property
    def status(self) -> ProjectStatus:
        with self._tracker.lock:
            return self._tracker.status

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def progress(self) -> int:
        with self._tracker.lock:
            return self._tracker.progress_locked()

    @property
    def queue_position(self) -> int:
        with self._tracker.lock:
            return self._tracker.queue_position

    @property
    def queue_status(self) -> QueueStatus | None:
        with self._tracker.lock:
            return self._tracker.queue_status

    @property
    def estimated_start_at(self) -> datetime | None:
        with self._tracker.lock:
            return _utc(self._tracker.estimated_start_at)

    @property
    def eta(self) -> datetime | None:
        with self._tracker.lock:
            etas = [j._eta for j in self._tracker.jobs if j._eta is not None]
        return _utc(max(etas)) if etas else None

    @property
    def jobs(self) -> list[Job]:
        with self._tracker.lock:
            return list(self._tracker.jobs)

    def job(self, job_id: str) -> Job | None:
        with self._tracker.lock:
            for job in self._tracker.jobs:
                if job._id == job_id.upper():
                    return job
        return None

    @property
    def result_urls(self) -> list[str]:
        with self._tracker.lock:
            return self._tracker.result_urls_locked()

    @property
    def error(self) -> SogniError | None:
        with self._tracker.lock:
            return self._tracker.error

    @property
    def cost_actual(self) -> Decimal | None:
        """What the project cost so far, in its token type (``costActual`` of its server
        record). Known once a record has been read: a finished project from
        :meth:`ProjectsAPI.get <sogni.projects.ProjectsAPI.get>` has it, and :meth:`refresh`
        reads it; ``None`` before. Balances are shared by every client of the account, so
        this, not a balance difference, is what one project cost."""
        with self._tracker.lock:
            return self._tracker.cost_actual

    def refresh(self) -> None:
        """Read the project's server record now and apply it: :attr:`cost_actual` is
        updated, and a project whose frames go to another connection (one created under
        another ``app_id``) moves on to the state the record shows. Raises ``NotFoundError``
        if the server does not know the project."""
        _results.refresh(self._tracker)

    # ------------------------------------------------------------------ waiting

    def wait(self, timeout: float | None = None) -> list[str]:
        """Block until the project finishes; return its result URLs (withheld NSFW results are
        left out). Raises the project's error if it failed or was canceled.

        A timeout here is local: it raises ``SogniTimeoutError`` and the project keeps running
        (use :meth:`cancel` to stop paid work)."""
        try:
            return self.future.result(timeout)
        except concurrent.futures.TimeoutError:
            # SogniTimeoutError is a TimeoutError too: only a pending future means our wait ran out.
            if self.future.done():
                raise
            raise SogniTimeoutError(
                f"project {self.id} is still running after {timeout}s (wait() does not cancel it)"
            ) from None

    def cancel(self, timeout: float | None = None) -> None:
        """Cancel the project on the server and wait for its confirmation.

        Returns once the server confirms, or once the project ends some other way meanwhile
        (it completed or failed first: :attr:`status` tells which). Raises
        ``CancellationError`` if the server refuses while the project goes on, or nothing
        happens within ``timeout`` (default ``Timeouts.cancel_confirmation``); the project then
        keeps running. Cancelling a finished project does nothing."""
        self._tracker.cancel(timeout)

    def download(
        self, directory: str | os.PathLike[str], *, timeout: float | None = None
    ) -> list[Path]:
        """Wait for the project, then stream every result into ``directory`` (one file each,
        each within ``timeout`` seconds, default ``Timeouts.download``)."""
        self.wait()
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        return [job.download(target, timeout=timeout) for job in self.jobs if job.has_result_media]

    # ------------------------------------------------------------------ events

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``fn`` on the callback worker for each ``event``: ``progress`` (int 0-100),
        ``queued`` (queue position), ``job_started`` / ``job_completed`` / ``job_failed`` /
        ``preview`` (the Job), ``completed`` (result URLs), ``failed`` (the error),
        ``canceled`` (None). An unknown name raises ``ValidationError`` naming the closest one.
        Returns a function that removes the listener."""
        name = check_event(event, PROJECT_EVENTS, owner="project")
        return self._tracker.add_listener(name, fn)

    def events(self, timeout: float | None = None) -> EventIterator:
        """Iterate over the project's events as they happen, ending after the final one
        (``completed``, ``failed`` or ``canceled``). ``timeout`` bounds the wait for each event
        (``SogniTimeoutError``).

        The subscription starts with this call, not at the first ``next()``: every event after
        it is delivered. Earlier events are not replayed, except that a finished project yields
        its final event. ``close()`` (or leaving a ``with`` block) stops early."""
        return EventIterator(self._tracker, timeout)

    def __repr__(self) -> str:
        return f"Project(id={self.id!r}, type={self.type!r}, status={self.status!r})"
