"""The media a fake project's jobs produce: previews, results and last frames, rendered with
``_media`` (their metadata names the project, job, seed and prompt) and put in storage.

Storage draws the images when a client first downloads them (``Storage.put_lazy``): everything they
depend on is captured here, when the worker makes them, so the bytes are the same either way."""

from __future__ import annotations

import functools
import importlib.util
from typing import TYPE_CHECKING

from . import _media

if TYPE_CHECKING:
    from ._project_records import JobRec, ProjectRec
    from ._storage import Storage

__all__ = ["image_metadata", "store_preview", "store_result"]


def image_metadata(project: ProjectRec, job: JobRec) -> dict[str, str]:
    meta = {
        "project_id": project.id,
        "job_id": job.img_id or "",
        "job_index": str(job.index),
        "seed": str(job.seed),
        "prompt_sha256": _media.prompt_sha256(project.plan.prompt),
        "model_id": project.plan.model_id,
    }
    av = project.plan.av
    if av is not None and project.plan.media == "video":
        meta["requested_size"] = f"{av.width}x{av.height}"
        meta["frames"] = str(av.frames)
        meta["fps"] = f"{av.fps:g}" if av.fps is not None else ""
    elif av is not None:
        meta["duration"] = f"{av.duration:g}"
    return meta


def _require_pillow() -> None:
    """Fail the worker when Pillow is missing, as drawing the image now would, not a download
    later. Looked up, not imported: a fake whose images nobody downloads never loads it."""
    if not _pillow_installed():
        raise ModuleNotFoundError("No module named 'PIL'", name="PIL")


@functools.cache
def _pillow_installed() -> bool:
    return importlib.util.find_spec("PIL") is not None


def store_preview(storage: Storage, project: ProjectRec, job: JobRec, step: int) -> None:
    plan = project.plan
    _require_pillow()
    render = functools.partial(
        _media.render_image,
        prompt=plan.prompt,
        seed=job.seed,
        width=plan.width,
        height=plan.height,
        fmt="jpg",
        metadata=image_metadata(project, job),
        preview_step=step,
    )
    key = f"results/{project.id}/{job.img_id}/preview-{step}.jpg"
    storage.put_lazy(key, render, "image/jpeg")
    job.preview_keys.append(key)


def store_result(storage: Storage, project: ProjectRec, job: JobRec) -> None:
    plan = project.plan
    meta = image_metadata(project, job)
    key = f"results/{project.id}/{job.img_id}/complete.{plan.fmt}"
    content_type = _media.content_type_for(plan.fmt)
    if plan.media == "image":
        _require_pillow()
        render = functools.partial(
            _media.render_image,
            prompt=plan.prompt,
            seed=job.seed,
            width=plan.width,
            height=plan.height,
            fmt=plan.fmt,
            metadata=meta,
        )
        storage.put_lazy(key, render, content_type)
    else:
        # A sample file with its metadata: cheap, made at once.
        storage.put_bytes(key, _media.render_media(fmt=plan.fmt, metadata=meta), content_type)
    job.media_key = key
    if plan.av is not None and plan.av.last_frame:
        # Seedance 2.5 returnLastFrame: the clip's final frame as a JPEG.
        _require_pillow()
        frame = functools.partial(
            _media.render_image,
            prompt=plan.prompt,
            seed=job.seed,
            width=plan.width,
            height=plan.height,
            fmt="jpg",
            metadata={**meta, "artifact": "lastFrame"},
        )
        job.last_frame_key = f"results/{project.id}/{job.img_id}/last-frame.jpg"
        storage.put_lazy(job.last_frame_key, frame, "image/jpeg")
    if plan.vendor:
        # [INV-VENDOR-RESULT-URL] vendor jobs deliver a direct resultUrl.
        job.result_url = storage.signed_url("GET", key)
        if job.last_frame_key is not None:
            job.last_frame_url = storage.signed_url("GET", job.last_frame_key)
