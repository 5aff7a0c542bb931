"""LTX 2.x video (the 2.0 legacy ids, 2.3 and 2.5): text, image, audio and video to video.

It renders at ``fps`` (1-60, 24 when unset; no ``fps`` key is sent then) and snaps the frame
count to the nearest ``1 + 8n`` (ties go up). Clips are 1-20 s; ``shift`` is 1-8 when the tier
gives no range. Video ControlNet (canny, pose, depth, detailer, outpaint, inpaint) is for the
v2v ids only.
"""

from __future__ import annotations

from typing import ClassVar, Final

from .._numbers import js_round
from ..catalog import NumericRange
from ._video import DOCUMENTED_SHIFT, VideoCheck, VideoFamily

__all__ = ["LTX_FRAME_STEP", "LTX_MODEL_IDS", "LTX_WORKFLOWS", "Ltx"]

#: LTX frame counts are 1 plus a multiple of this step.
LTX_FRAME_STEP: Final = 8
#: The LTX workflows: text, image, audio, image+audio and video to video.
LTX_WORKFLOWS: Final = ("t2v", "i2v", "a2v", "ia2v", "v2v")
#: The LTX video model ids.
LTX_MODEL_IDS: Final = frozenset(
    {
        f"{checkpoint}_{workflow}{suffix}"
        for workflow in LTX_WORKFLOWS
        for checkpoint, suffix in (
            ("ltx2-19b-fp8", ""),
            ("ltx2-19b-fp8", "_distilled"),
            ("ltx23-22b-fp8", "_distilled"),
            ("ltx23-22b-fp8", "_dev"),
            ("ltx25-22b-int8", "_distilled"),
            ("ltx25-22b-int8", "_dev"),
        )
    }
    | {"ltx23-22b-10eros-v1.4-fp8mixed_i2v"}
)


class Ltx(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "ltx"
    model_ids: ClassVar[frozenset[str]] = LTX_MODEL_IDS

    def workflow(self, model_id: str) -> str | None:
        return next((w for w in ("i2v", "t2v", "v2v", "ia2v", "a2v") if f"_{w}" in model_id), None)

    def shift_range(self, model_id: str) -> NumericRange | None:
        return NumericRange(*DOCUMENTED_SHIFT, step=0.1, default=5)

    def frames(self, model_id: str, duration: float, fps: float | None) -> int:
        frames = super().frames(model_id, duration, fps)
        return js_round((frames - 1) / LTX_FRAME_STEP) * LTX_FRAME_STEP + 1

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return 1, 20

    def check_fps(self, check: VideoCheck, fps: float) -> bool:
        if not 1 <= fps <= 60:
            check.add("fps", "LTX fps must be 1 to 60")
            return False
        return True

    def validate(self, check: VideoCheck) -> None:
        if check.workflow != "v2v":
            _refuse_control_net(check)
        super().validate(check)

    def refuse(self, check: VideoCheck) -> None:
        _refuse_control_net(check)


def _refuse_control_net(check: VideoCheck) -> None:
    if "control_net" in check.ok:
        check.add("control_net", "is supported only by the LTX v2v models")
