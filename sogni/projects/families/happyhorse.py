"""HappyHorse 1.1 (t2v, i2v, r2v): vendor-rendered, Spark-only video at 24 fps from images
only (files or URLs): none for t2v, exactly one first frame for i2v, 1-9 for r2v. 3-15 s."""

from __future__ import annotations

from typing import ClassVar, Final

from ._video import VideoCheck, VideoFamily

__all__ = ["HAPPYHORSE_MODEL_IDS", "HappyHorse"]

#: The HappyHorse video model ids (text, image and reference to video).
HAPPYHORSE_MODEL_IDS: Final = frozenset(
    {"happyhorse-1.1-t2v", "happyhorse-1.1-i2v", "happyhorse-1.1-r2v"}
)


class HappyHorse(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "happyhorse"
    model_ids: ClassVar[frozenset[str]] = HAPPYHORSE_MODEL_IDS
    vendor: ClassVar[bool] = True
    sends_negative_prompt: ClassVar[bool] = False

    def workflow(self, model_id: str) -> str | None:
        return next((w for w in ("r2v", "i2v", "t2v") if f"-{w}" in model_id), None)

    def default_fps(self, model_id: str) -> int | None:
        return 24

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return 3, 15

    def check_fps(self, check: VideoCheck, fps: float) -> bool:
        if fps != 24:
            check.add("fps", f"{check.model_id} renders at a fixed 24 fps")
            return False
        return True

    def check_references(self, check: VideoCheck) -> None:
        p, params = check.p, check.params
        if params.reference_video is not None or check.urls("reference_video_urls"):
            name = (
                "reference_video" if params.reference_video is not None else "reference_video_urls"
            )
            p.add(name, "HappyHorse models do not support reference video assets.")
        for name in ("reference_audio", "reference_audio_identity", "reference_audio_urls"):
            if check.given(name):
                p.add(name, "HappyHorse models do not support reference audio assets.")
        if params.reference_image_end is not None:
            p.add(
                "reference_image_end",
                "HappyHorse models do not support a separate end-frame image (referenceImageEnd).",
            )
        if "reference_image_urls" not in check.ok and check.given("reference_image_urls"):
            return
        images = (params.reference_image is not None) + len(check.urls("reference_image_urls"))
        if check.workflow == "i2v" and images != 1:
            p.add(
                "reference_image",
                "HappyHorse i2v requires exactly one first-frame reference image.",
            )
        elif check.workflow == "r2v" and not 1 <= images <= 9:
            p.add(
                "reference_image_urls", "HappyHorse r2v requires between 1 and 9 reference images."
            )
        elif check.workflow == "t2v" and images:
            p.add("reference_image", "HappyHorse t2v does not support reference images.")
