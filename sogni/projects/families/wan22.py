"""WAN 2.2 (14B): text, image and sound to video, and animate (move, replace).

It always renders at 16 fps: ``fps=32`` only interpolates afterwards, so the frame count is
``round(duration * 16) + 1`` whatever ``fps`` says. Clips are 1-10 s (animate 1-20 s);
``shift`` is 1-8 when the tier gives no range; ``sam2_coordinates`` is for animate-replace.
"""

from __future__ import annotations

from typing import ClassVar, Final

from .._numbers import js_round
from ..catalog import NumericRange
from ._video import DOCUMENTED_SHIFT, VideoCheck, VideoFamily

__all__ = ["WAN_ANIMATE_MODEL_IDS", "WAN_FPS", "WAN_MODEL_IDS", "WAN_RENDER_FPS", "Wan22"]

#: The Wan 2.2 video model ids.
WAN_MODEL_IDS: Final = frozenset(
    {
        "wan_v2.2-14b-fp8_t2v",
        "wan_v2.2-14b-fp8_i2v",
        "wan_v2.2-14b-fp8_t2v_lightx2v",
        "wan_v2.2-14b-fp8_i2v_lightx2v",
        "wan_v2.2-14b-fp8_s2v",
        "wan_v2.2-14b-fp8_s2v_lightx2v",
        "wan_v2.2-14b-fp8_animate-move_lightx2v",
        "wan_v2.2-14b-fp8_animate-replace_lightx2v",
    }
)
#: The Wan 2.2 Animate ids (animate-move and animate-replace).
WAN_ANIMATE_MODEL_IDS: Final = frozenset(
    {"wan_v2.2-14b-fp8_animate-move_lightx2v", "wan_v2.2-14b-fp8_animate-replace_lightx2v"}
)
#: The frame rate Wan 2.2 renders at; frame counts are computed at this rate.
WAN_RENDER_FPS: Final = 16
#: The output frame rates Wan 2.2 accepts.
WAN_FPS: Final = (16, 32)


class Wan22(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "wan22"
    model_ids: ClassVar[frozenset[str]] = WAN_MODEL_IDS

    def workflow(self, model_id: str) -> str | None:
        if "_i2v" in model_id:
            return "i2v"
        if "_t2v" in model_id:
            return "t2v"
        return next(
            (w for w in ("s2v", "animate-move", "animate-replace") if f"_{w}" in model_id), None
        )

    def shift_range(self, model_id: str) -> NumericRange | None:
        return NumericRange(*DOCUMENTED_SHIFT, step=0.1, default=5)

    def frames(self, model_id: str, duration: float, fps: float | None) -> int:
        return js_round(duration * WAN_RENDER_FPS) + 1

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return (1, 20) if model_id in WAN_ANIMATE_MODEL_IDS else (1, 10)

    def check_fps(self, check: VideoCheck, fps: float) -> bool:
        if fps not in WAN_FPS:
            check.add("fps", "WAN 2.2 renders at 16 fps; fps must be 16, or 32 to interpolate")
            return False
        return True

    def validate(self, check: VideoCheck) -> None:
        _refuse_sam2(check)
        super().validate(check)

    def refuse(self, check: VideoCheck) -> None:
        _refuse_sam2(check)


def _refuse_sam2(check: VideoCheck) -> None:
    if "sam2_coordinates" in check.ok and check.workflow != "animate-replace":
        check.add(
            "sam2_coordinates", "sam2Coordinates is only supported for animate-replace workflows."
        )
