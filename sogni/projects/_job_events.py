"""Per-job events (``job.on``): ``updated``, ``progress``, ``preview``, ``completed``, ``failed``.

A project's tracker calls :meth:`JobWatch.flush` under its lock each time it hands events on,
which is wherever its state changed. The watch compares each watched job with what it last
saw and queues the differences for the callback worker, before the project's own events of
that change (a job completes before its project does). A job's ``completed`` or ``failed`` is
its last event, and a cancelled job's last is its ``updated``; then its listeners are
released, and the tracker drops the whole watch when the project ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from .handles import JobStatus

if TYPE_CHECKING:
    from ._tracker import ProjectTracker
    from .handles import Job

__all__ = ["JOB_EVENTS", "JobProgress", "JobWatch"]

JOB_EVENTS = ("updated", "progress", "preview", "completed", "failed")

# What ``updated`` reports, by its public name, read from the job's private state.
_FIELDS = (
    ("status", "_status"),
    ("step", "_step"),
    ("step_count", "_step_count"),
    ("worker_name", "_worker_name"),
    ("preview_url", "_preview_url"),
    ("result_url", "_result_url"),
    ("seed", "_seed"),
    ("error", "_error"),
    ("eta", "_eta"),
    ("progress", "_external_progress"),
)
_PROGRESS_KEYS = {"step", "step_count", "progress", "eta"}


@attrs.frozen
class JobProgress:
    """The payload of ``job.on("progress")``: the step the render reached, of how many, and
    the job's progress 0-100."""

    step: int
    step_count: int
    progress: int


class _Watched:
    __slots__ = ("listeners", "seen")

    def __init__(self, seen: dict[str, Any]) -> None:
        self.seen = seen
        self.listeners: dict[str, list[Callable[[Any], Any]]] = {}


def _state(job: Job) -> dict[str, Any]:
    return {name: getattr(job, attr) for name, attr in _FIELDS}


def _over(job: Job, seen: dict[str, Any]) -> bool:
    """Whether ``job`` already said its last word (as of ``seen``)."""
    status = seen["status"]
    if status == JobStatus.COMPLETED:
        return not job._minting  # completed once its result URL is known
    return bool(status.finished)


class JobWatch:
    """The ``job.on`` listeners of one project's jobs. Every method runs under the tracker's
    lock (the tracker's ``lock`` is re-entrant)."""

    def __init__(self, tracker: ProjectTracker) -> None:
        self._tracker = tracker
        self._jobs: dict[int, tuple[Job, _Watched]] = {}

    def add(self, job: Job, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        tracker = self._tracker
        with tracker.lock:
            entry = self._jobs.get(id(job))
            if entry is None:
                seen = _state(job)
                if _over(job, seen):
                    return _nothing  # a finished job would only keep the listener forever
                entry = (job, _Watched(seen))
                self._jobs[id(job)] = entry
            entry[1].listeners.setdefault(event, []).append(fn)

        def remove() -> None:
            with tracker.lock:
                current = self._jobs.get(id(job))
                if current is not None and fn in current[1].listeners.get(event, ()):
                    current[1].listeners[event].remove(fn)

        return remove

    def flush(self) -> None:
        """Queue the events of what changed since the last flush (called under the lock)."""
        submit = self._tracker.core.callbacks.submit
        for key, (job, watched) in list(self._jobs.items()):
            now = _state(job)
            changed = [name for name, _ in _FIELDS if now[name] != watched.seen[name]]
            final = _over(job, now)
            if not changed and not final:
                continue
            out: list[tuple[str, Any]] = []
            if changed:
                out.append(("updated", changed))
            if _PROGRESS_KEYS.intersection(changed):
                percent = job._progress_locked(self._tracker.now_wall())
                step, count = int(job._step), int(job._step_count)
                out.append(("progress", JobProgress(step, count, percent)))
            if "preview_url" in changed and job._preview_url:
                out.append(("preview", job._preview_url))
            if final and now["status"] == JobStatus.COMPLETED:
                out.append(("completed", job._result_url))
            elif final and now["status"] == JobStatus.FAILED:
                out.append(("failed", job._error))
            watched.seen = now
            for name, arg in out:
                for fn in watched.listeners.get(name, ()):
                    submit(fn, arg, essential=final)
            if final:
                del self._jobs[key]  # nothing follows a job's last event


def _nothing() -> None:
    return None
