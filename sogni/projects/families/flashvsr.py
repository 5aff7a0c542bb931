"""FlashVSR video upscaling (``flashvsr_v1.1_tiny_long_bf16``): one source video in, the same
video out at a 1080 or 1440 px short edge, with its frames, timing and audio.

It is promptless and takes no generation controls; it always runs one step (seed 0 unless
given, -1 asks for a random one). A ``duration`` becomes ``round(duration * fps)`` frames (no
``+ 1``) and needs the source's ``fps``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..._wire.js import trim
from ...errors import ValidationError, ValidationProblem
from .._checks import MAX_SEED
from .._numbers import js_round
from ._video import VideoCheck, VideoFamily

if TYPE_CHECKING:
    from ..params import VideoProjectParams

__all__ = [
    "FLASHVSR_DETAIL",
    "FLASHVSR_MODEL_ID",
    "FLASHVSR_RESOLUTIONS",
    "FLASHVSR_SPEED",
    "FlashVsr",
]

#: The FlashVSR video upscaler's model id.
FLASHVSR_MODEL_ID: Final = "flashvsr_v1.1_tiny_long_bf16"
#: The output heights FlashVSR upscales to.
FLASHVSR_RESOLUTIONS: Final = (1080, 1440)
#: FlashVSR's detail settings.
FLASHVSR_DETAIL: Final = ("stable", "sharper")
#: FlashVSR's speed settings.
FLASHVSR_SPEED: Final = ("stable", "faster")
_DEFAULTS: Final = {
    "steps": 1,
    "seed": 0,
    "detail_preference": "stable",
    "processing_speed": "stable",
}


class FlashVsr(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "flashvsr"
    model_ids: ClassVar[frozenset[str]] = frozenset({FLASHVSR_MODEL_ID})
    tier_steps: ClassVar[bool] = False
    tier_fps: ClassVar[bool] = False

    def workflow(self, model_id: str) -> str | None:
        return "upscale"

    def defaults(self, model_id: str) -> Mapping[str, Any]:
        return _DEFAULTS

    def frames(self, model_id: str, duration: float, fps: float | None) -> int:
        return js_round(duration * self.math_fps(model_id, fps))

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return 1 / (fps or 24), None

    def seed_range(self, model_id: str) -> tuple[int, int]:
        return -1, MAX_SEED  # -1 asks the worker for a random seed

    def check_duration(self, check: VideoCheck, duration: float, fps: float | None) -> None:
        if check.params.fps is None:
            check.add("fps", "a FlashVSR duration needs the source's fps")
        else:
            super().check_duration(check, duration, fps)

    def validate(self, check: VideoCheck) -> None:
        p, params = check.p, check.params
        p.string("detail_preference", params.detail_preference, choices=FLASHVSR_DETAIL)
        p.string("processing_speed", params.processing_speed, choices=FLASHVSR_SPEED)
        allowed = (check.tier.output_resolutions if check.tier else None) or FLASHVSR_RESOLUTIONS
        resolution = check.ok.get("upscale_resolution")
        if resolution is None and params.upscale_resolution is None:
            width, height = check.ok.get("width"), check.ok.get("height")
            resolution = min(width, height) if width and height else None
        if resolution not in allowed and (
            params.upscale_resolution is None or "upscale_resolution" in check.ok
        ):
            p.add(
                "upscale_resolution",
                f"Choose {'p or '.join(map(str, allowed))}p for video upscaling (or give "
                "width and height whose shorter side is one of them).",
            )
        fps = check.ok.get("fps")
        if fps is not None and not 1 <= fps <= 60:
            p.add("fps", "must be the source's frame rate, 1 to 60")
        for name in ("positive_prompt", "negative_prompt"):
            value = getattr(params, name)
            if isinstance(value, str) and trim(value):
                p.add(name, "FlashVSR is promptless.")
        for name in ("teacache_threshold", "control_net", "video_start"):
            if check.given(name):
                p.add(
                    name,
                    "Video upscaling preserves the complete source video and its audio; "
                    "generation controls are unsupported.",
                )
        if params.trim_end_frame is True:
            p.add("trim_end_frame", "Video upscaling keeps every source frame.")
        if params.generate_audio is False:
            p.add("generate_audio", "Video upscaling keeps the source audio.")
        if params.number_of_media != 1:
            p.add("number_of_media", "Upscale one source video per project.")
        if params.steps is not None and params.steps != 1:
            p.add("steps", "FlashVSR always runs 1 step.")
        super().validate(check)

    def write_key_frame(self, params: VideoProjectParams, kf: dict[str, Any]) -> None:
        kf["upscale_resolution"] = params.upscale_resolution or min(
            params.width or 0, params.height or 0
        )
        kf["detail_preference"] = params.detail_preference
        kf["processing_speed"] = params.processing_speed
        # The official client forces the key where it already is, else adds it here.
        kf["generate_audio" if params.generate_audio is not None else "upscale_generate_audio"] = (
            True
        )
        kf["interpolation"] = "none"

    def estimate_size(
        self,
        params: VideoProjectParams,
        source: tuple[int | None, int | None],
        query: dict[str, str],
    ) -> tuple[int | None, int | None, int | None]:
        width, height = source[0] or params.width, source[1] or params.height
        if width and height:
            query["sourceWidth"], query["sourceHeight"] = str(width), str(height)
        scaled = _upscaled((width, height), params.upscale_resolution)
        return scaled[0], scaled[1], 1


def _upscaled(source: tuple[int | None, int | None], target: int | None) -> tuple[int, int]:
    """The output size: the source scaled to a ``target`` short edge, even sides."""
    width, height = source
    if not width or not height:
        raise ValidationError(
            [ValidationProblem("width", "a FlashVSR estimate needs the source's width and height")]
        )
    target = target or min(width, height)
    scale = target / min(width, height)
    return 2 * js_round(width * scale / 2), 2 * js_round(height * scale / 2)
