"""The results of a project's jobs: URLs, file names, enhancement (on the caller's thread)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import NotFoundError, ProjectError, ResultUnavailableError, ValidationError

if TYPE_CHECKING:
    from ._tracker import ProjectTracker
    from .handles import Job

__all__ = ["default_filename", "enhance", "refresh", "result_url"]

_EXTENSION = re.compile(r"[a-z0-9]{1,8}")
_ENHANCE_STRENGTH = {"light": 0.15, "medium": 0.35, "heavy": 0.49}


def result_url(tracker: ProjectTracker, job: Job, *, refresh: bool) -> str:
    """The job's result URL, minted now when it has none yet or ``refresh`` asks for a fresh
    one; a fresh URL clears a ``ResultUnavailableError``."""
    with tracker.lock:
        status, url, withheld = (
            job._status,
            job._result_url,
            job._is_nsfw and not job._nsfw_detected,
        )
        img_id = job._id
    if withheld:
        raise ProjectError(
            "No result media available: withheld by the NSFW filter", job_id=tracker.project_id
        )
    if status != "completed":
        raise ProjectError("Job is not completed yet", job_id=tracker.project_id)
    if url and not refresh:
        return url
    fresh = tracker.service.mint_result_url(tracker, img_id)
    with tracker.lock:
        job._result_url = fresh
        if isinstance(job._error, ResultUnavailableError):
            job._error = None
    return fresh


def refresh(tracker: ProjectTracker) -> None:
    """Read the project's record (``/v2/projects/{id}``: any stage, own projects) and apply
    it; result URLs it needs are minted on this thread."""
    tracker.core.check()
    record = tracker.service.fetch_record(tracker.project_id, version=2, config=tracker.core.config)
    if record is None:
        raise NotFoundError(f"No project {tracker.project_id}", status=404)
    tracker.apply_record(record, mint_inline=True)


def default_filename(tracker: ProjectTracker, job: Job) -> str:
    fallback = {"image": "png", "video": "mp4", "audio": "mp3"}.get(tracker.media, "bin")
    ext = (job.output_format or tracker.output_format or fallback).lower()
    # The format comes from the server: it names a file extension, never a path.
    ext = "jpg" if ext == "jpeg" else ext if _EXTENSION.fullmatch(ext) else fallback
    index = job.job_index if job.job_index is not None else tracker.jobs.index(job)
    return f"{tracker.project_id}-{index}.{ext}"


def enhance(tracker: ProjectTracker, job: Job, strength: str, overrides: dict[str, Any]) -> str:
    if tracker.media != "image":
        raise ProjectError("Only image results can be enhanced", job_id=tracker.project_id)
    if job.is_withheld:
        raise ProjectError("Job did not pass NSFW filter", job_id=tracker.project_id)
    if strength not in _ENHANCE_STRENGTH:
        raise ValidationError([("strength", f"must be one of {sorted(_ENHANCE_STRENGTH)}")])
    data = job.get_result_data()
    return tracker.service.enhance(tracker, job, data, 1 - _ENHANCE_STRENGTH[strength], overrides)
