"""Seedance 2.0 (with Mini and Fast) and 2.5: vendor-rendered, Spark-only video at 24 fps.

Any mix of file and URL references up to per-model limits; 2.5 adds MOV output, last-frame
export and ``seedance_task_type`` (reference, edit, extend) for loose-reference requests.
Clips are 4-15 s (2.5: 4-30 s); output sizes stay inside the documented classes (2.0 up to 4K,
Mini and Fast 720p, 2.5 1080p), as the longest short edge on the 32 px grid.
"""

from __future__ import annotations

from typing import ClassVar, Final

from ._video import VideoCheck, VideoFamily

__all__ = [
    "SEEDANCE_25_MODEL_IDS",
    "SEEDANCE_MAX_SHORT_EDGE",
    "SEEDANCE_MODEL_IDS",
    "SEEDANCE_REFERENCE_LIMITS",
    "SEEDANCE_TASK_TYPES",
    "Seedance",
]

# Per-model caps on references: images, videos, audios, total files. The uncensored ids are
# the same models under their own ids (newer Python SDK).
SEEDANCE_REFERENCE_LIMITS: Final = {
    "seedance-2-0": (9, 3, 3, 12),
    "seedance-2-0-mini": (9, 3, 3, 12),
    "seedance-2-0-mini-uncensored": (9, 3, 3, 12),
    "seedance-2-0-fast": (9, 3, 3, 12),
    "seedance-2-5": (30, 10, 10, 50),
    "seedance-2-5-uncensored": (30, 10, 10, 50),
}
#: The Seedance video model ids.
SEEDANCE_MODEL_IDS: Final = frozenset(SEEDANCE_REFERENCE_LIMITS)
#: The Seedance 2.5 ids (higher reference caps, ``return_last_frame``).
SEEDANCE_25_MODEL_IDS: Final = frozenset({"seedance-2-5", "seedance-2-5-uncensored"})
#: The largest short edge (pixels) of a Seedance clip, by model id.
SEEDANCE_MAX_SHORT_EDGE: Final = {
    "seedance-2-0": 2176,
    "seedance-2-0-mini": 736,
    "seedance-2-0-mini-uncensored": 736,
    "seedance-2-0-fast": 736,
    "seedance-2-5": 1088,
    "seedance-2-5-uncensored": 1088,
}
#: Seedance's task types.
SEEDANCE_TASK_TYPES: Final = ("reference", "edit", "extend")


class Seedance(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "seedance"
    model_ids: ClassVar[frozenset[str]] = SEEDANCE_MODEL_IDS
    vendor: ClassVar[bool] = True
    sends_negative_prompt: ClassVar[bool] = False

    def workflow(self, model_id: str) -> str | None:
        # The plain ids name none: they take any mix of references.
        return next((w for w in ("i2v", "t2v", "v2v", "ia2v") if f"_{w}" in model_id), None)

    def default_fps(self, model_id: str) -> int | None:
        return 24

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return 4, 30 if model_id in SEEDANCE_25_MODEL_IDS else 15

    def check_fps(self, check: VideoCheck, fps: float) -> bool:
        if fps != 24:
            check.add("fps", f"{check.model_id} renders at a fixed 24 fps")
            return False
        return True

    def refuse(self, check: VideoCheck) -> None:
        _task_type(check)
        _refuse_25_options(check)

    def check_references(self, check: VideoCheck) -> None:
        p, params, model = check.p, check.params, check.model_id
        task = _task_type(check)
        videos_given = params.reference_video is not None or bool(
            check.urls("reference_video_urls")
        )
        loose = (
            bool(check.urls("reference_image_urls"))
            or videos_given
            or params.reference_audio is not None
            or bool(check.urls("reference_audio_urls"))
        )
        anchors = params.reference_image is not None or params.reference_image_end is not None
        is_25 = model in SEEDANCE_25_MODEL_IDS
        if is_25:
            if params.seedance_task_type is None and loose:
                p.add(
                    "seedance_task_type",
                    "Seedance 2.5 loose-reference requests require seedanceTaskType.",
                )
            if task is not None and anchors:
                p.add(
                    "seedance_task_type",
                    "seedanceTaskType is for Seedance 2.5 loose-reference, edit, or extend "
                    "requests; omit it for first/last-frame generation.",
                )
            elif task in ("edit", "extend") and not videos_given:
                p.add(
                    "seedance_task_type",
                    f"Seedance 2.5 {task} requires at least one reference video.",
                )
            elif task == "reference" and not loose:
                p.add(
                    "seedance_task_type",
                    "Seedance 2.5 reference requires at least one loose image, video, or audio "
                    "reference.",
                )
        images = (
            (params.reference_image is not None)
            + (params.reference_image_end is not None)
            + len(check.urls("reference_image_urls"))
        )
        videos = (params.reference_video is not None) + len(check.urls("reference_video_urls"))
        audios = (
            params.reference_audio is not None or params.reference_audio_identity is not None
        ) + len(check.urls("reference_audio_urls"))
        max_images, max_videos, max_audios, max_total = SEEDANCE_REFERENCE_LIMITS[model]
        for name, count, limit, label in (
            ("reference_image_urls", images, max_images, "image assets"),
            ("reference_video_urls", videos, max_videos, "video assets"),
            ("reference_audio_urls", audios, max_audios, "audio assets"),
        ):
            if count > limit:
                p.add(name, f"{model} supports at most {limit} {label}.")
        if images + videos + audios > max_total:
            p.add("model_id", f"{model} supports at most {max_total} total asset files.")
        if not is_25 and audios and not images and not videos:
            p.add(
                "reference_audio_urls" if check.urls("reference_audio_urls") else "reference_audio",
                "Seedance audio references require at least one image or video reference.",
            )

    def validate(self, check: VideoCheck) -> None:
        _refuse_25_options(check)
        super().validate(check)

    def check_size(self, check: VideoCheck) -> None:
        super().check_size(check)
        width, height = check.params.width, check.params.height
        if width is None or height is None or "width" not in check.ok or "height" not in check.ok:
            return
        short_edge = SEEDANCE_MAX_SHORT_EDGE.get(check.model_id)
        if short_edge is not None and min(width, height) > short_edge:
            check.add(
                "height" if height <= width else "width",
                f"{check.model_id} output is capped at a {short_edge} px short edge",
            )


def _task_type(check: VideoCheck) -> str | None:
    """``seedance_task_type`` when given and valid (checked once per project)."""
    if "checked:seedance_task_type" in check.ok:
        task = check.ok.get("seedance_task_type")
        return task if isinstance(task, str) else None
    check.ok["checked:seedance_task_type"] = True
    value = check.params.seedance_task_type
    if not check.p.string("seedance_task_type", value):
        return None
    if value not in SEEDANCE_TASK_TYPES:
        check.add("seedance_task_type", "seedanceTaskType must be reference, edit, or extend.")
        return None
    check.ok["seedance_task_type"] = value
    return value


def _refuse_25_options(check: VideoCheck) -> None:
    if check.model_id in SEEDANCE_25_MODEL_IDS:
        return
    if check.params.output_format == "mov":
        check.add("output_format", "MOV output is supported only by Seedance 2.5.")
    if check.ok.get("return_last_frame") is True:
        check.add("return_last_frame", "Last-frame export is supported only by Seedance 2.5.")
    if "seedance_task_type" in check.ok:
        check.add("seedance_task_type", "seedanceTaskType is supported only by Seedance 2.5.")
