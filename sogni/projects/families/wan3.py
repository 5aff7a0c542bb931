"""Wan 3.0 (and Wan 3.0 Enhanced, ``wan3.0-spicy-video``): vendor-rendered, Spark-only video
at a fixed 30 fps, 2-30 s.

It takes first/last-frame anchors, or loose media (up to 10 images, 5 videos, 5 audio clips by
URL), or one document or web page reference (not on Enhanced), plus ``ratio``,
``prompt_extend`` and ``watermark`` (not on Enhanced); seeds are 0..2**31-1.
"""

from __future__ import annotations

from typing import ClassVar, Final

from ..._wire.js import is_https_url, trim
from ._video import VideoCheck, VideoFamily, ts_name

__all__ = [
    "WAN3_ENHANCED_MODEL_ID",
    "WAN3_MAX_SEED",
    "WAN3_MODEL_IDS",
    "WAN3_OPTIONS",
    "WAN3_RATIOS",
    "Wan3",
]

#: The Wan 3 video model ids.
WAN3_MODEL_IDS: Final = frozenset({"wan3.0-video", "wan3.0-spicy-video"})
#: The Wan 3 id with the enhanced (spicy) mode.
WAN3_ENHANCED_MODEL_ID: Final = "wan3.0-spicy-video"
#: The aspect ratios Wan 3 accepts.
WAN3_RATIOS: Final = ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")
#: The largest seed Wan 3 accepts (2**31 - 1).
WAN3_MAX_SEED: Final = 2_147_483_647
WAN3_FPS: Final = 30
# The options only Wan 3 takes.
WAN3_OPTIONS: Final = (
    "prompt_extend",
    "watermark",
    "ratio",
    "reference_file_url",
    "reference_link_url",
)


class Wan3(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "wan3"
    model_ids: ClassVar[frozenset[str]] = WAN3_MODEL_IDS
    vendor: ClassVar[bool] = True
    sends_negative_prompt: ClassVar[bool] = False

    def workflow(self, model_id: str) -> str | None:
        return "t2v"

    def default_fps(self, model_id: str) -> int | None:
        return WAN3_FPS

    def math_fps(self, model_id: str, fps: float | None) -> float:
        return fps if fps is not None else WAN3_FPS

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return 2, 30

    def seed_range(self, model_id: str) -> tuple[int, int]:
        return 0, WAN3_MAX_SEED

    def check_fps(self, check: VideoCheck, fps: float) -> bool:
        if fps != WAN3_FPS:
            check.add("fps", "Wan 3 output is fixed at 30 fps.")
            return False
        return True

    def refuse(self, check: VideoCheck) -> None:
        vendor = check.family is not None and check.family.vendor
        for name in WAN3_OPTIONS:
            # Elsewhere the document and link URLs already got the external-URL refusal.
            if check.given(name) and (vendor or not name.endswith("_url")):
                check.add(name, "is supported only by Wan 3 (wan3.0-video)")

    def check_references(self, check: VideoCheck) -> None:
        p, params = check.p, check.params
        enhanced = check.model_id == WAN3_ENHANCED_MODEL_ID
        for name in ("reference_file_url", "reference_link_url"):
            value = check.ok.get(name)
            if value is None:
                continue
            if not trim(value):
                p.add(name, f"{ts_name(name)} must be a non-empty public HTTPS URL.")
            elif not is_https_url(value):
                p.add(name, f"{ts_name(name)} must be a valid public HTTPS URL.")
        if params.reference_file_url and params.reference_link_url:
            p.add(
                "reference_link_url",
                "Wan 3 accepts either one reference file or one reference link, not both.",
            )
        if enhanced:
            for name in ("reference_file_url", "reference_link_url"):
                if check.given(name):
                    p.add(name, "Wan 3.0 Enhanced does not accept document or webpage references.")
            if params.watermark is not None:
                p.add("watermark", "Wan 3.0 Enhanced does not expose a watermark option.")
        for name in ("reference_audio_identity", "reference_mask"):
            if check.given(name):
                p.add(name, "Wan 3 does not support audio-identity or mask inputs.")
        if check.given("reference_mask"):
            # Refused here already: no second refusal from the ControlNet rules.
            check.ok["forbidden:reference_mask"] = True
        loose_images = len(check.urls("reference_image_urls"))
        videos = (params.reference_video is not None) + len(check.urls("reference_video_urls"))
        audios = (params.reference_audio is not None) + len(check.urls("reference_audio_urls"))
        anchors = params.reference_image is not None or params.reference_image_end is not None
        documents = bool(params.reference_file_url or params.reference_link_url)
        loose = loose_images > 0 or videos > 0 or audios > 0 or documents
        if (
            not enhanced
            and params.reference_image_end is not None
            and params.reference_image is None
        ):
            p.add(
                "reference_image",
                "Wan 3 last-frame generation requires a first-frame referenceImage.",
            )
        if anchors and loose:
            p.add(
                "reference_image" if params.reference_image is not None else "reference_image_end",
                "Wan 3 first/last-frame anchors cannot be combined with loose media, file, or "
                "link references.",
            )
        for name, count, limit, label in (
            ("reference_image_urls", loose_images, 10, "reference images"),
            ("reference_video_urls", videos, 5, "reference videos"),
            ("reference_audio_urls", audios, 5, "reference audio clips"),
        ):
            if count > limit:
                p.add(name, f"Wan 3 supports at most {limit} {label}.")
        prompt = params.positive_prompt if isinstance(params.positive_prompt, str) else ""
        if not trim(prompt) and not anchors and not loose:
            p.add(
                "positive_prompt",
                "Wan 3 requires a prompt or at least one media, file, or link input.",
            )

    def validate(self, check: VideoCheck) -> None:
        ratio = check.params.ratio
        if isinstance(ratio, str) and ratio not in WAN3_RATIOS:
            check.add("ratio", "Wan 3 ratio must be adaptive, 16:9, 4:3, 1:1, 3:4, or 9:16.")
        super().validate(check)
