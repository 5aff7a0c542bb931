"""Video frame and duration math: how many frames a ``duration`` becomes.

Video requests carry a frame count, never the duration. Each model family turns seconds into
frames its own way (its module under :mod:`sogni.projects.families` holds the rule, which the
request builder, the validator and the cost estimates ask); these helpers ask the same family:

* WAN 2.2 always renders at 16 fps: ``round(duration * 16) + 1``; ``fps=32`` only doubles the
  frames afterwards by interpolation, so 5 s is 81 frames at 16 and at 32 fps.
* LTX 2.x renders at ``fps`` (1-60, default 24): ``round(duration * fps) + 1`` snapped to the
  nearest ``1 + 8n`` (ties go up), so 5 s at 24 fps is 121 frames.
* Seedance and HappyHorse (24 fps) and Wan 3 (30 fps): ``round(duration * fps) + 1``.
* MiniMax H3 renders at 24 fps on the ``124 + 17n`` grid from 124 to 362 frames, with no
  ``+ 1``: 6 s is 141 frames.
* FlashVSR keeps the source's frames: ``round(duration * fps)``.

Rounding is JavaScript's ``Math.round`` (halves go up), as the service's own client computes
it; Python's ``round`` would round halves to even and disagree at every ``.5``.
"""

from __future__ import annotations

from typing import Final

from ._numbers import js_round
from .families import VideoFamily, video_family
from .families.ltx import LTX_FRAME_STEP
from .families.minimax_h3 import H3_BASE_FRAMES, H3_MAX_FRAMES, h3_frames_for_audio
from .families.wan22 import WAN_RENDER_FPS

__all__ = [
    "H3_MAX_FRAMES",
    "H3_MIN_FRAMES",
    "LTX_FRAME_STEP",
    "WAN_RENDER_FPS",
    "default_fps",
    "h3_frames_for_audio",
    "js_round",
    "video_duration_range",
    "video_frames",
]

#: The fewest frames a MiniMax H3 clip has (its base length).
H3_MIN_FRAMES: Final = H3_BASE_FRAMES
# Ids no family claims follow the generic rule (the official client refuses them anyway).
_GENERIC: Final = VideoFamily()


def _family(model_id: str) -> VideoFamily:
    return video_family(model_id) or _GENERIC


def default_fps(model_id: str) -> int | None:
    """The ``fps`` a request carries when the caller gives none: 30 for Wan 3, 24 for Seedance,
    HappyHorse and MiniMax H3, and none for WAN 2.2, LTX and FlashVSR."""
    return _family(model_id).default_fps(model_id)


def _math_fps(model_id: str, fps: float | None) -> float:
    return _family(model_id).math_fps(model_id, fps)


def video_frames(model_id: str, duration: float, fps: float | None = None) -> int:
    """The frame count a ``duration`` (seconds) becomes on ``model_id``.

    ``fps`` is the project's ``fps`` (None: the family's default; WAN and MiniMax H3 ignore it).
    The duration is not range-checked here; see :func:`video_duration_range`.
    """
    return _family(model_id).frames(model_id, duration, fps)


def video_duration_range(model_id: str, fps: float | None = None) -> tuple[float, float | None]:
    """``(min, max)`` seconds a ``duration`` may take on ``model_id`` (max None: no limit).

    WAN t2v/i2v/s2v 1-10, WAN animate 1-20, LTX 1-20, Seedance 2.0 4-15, Seedance 2.5 4-30,
    HappyHorse 3-15, Wan 3 2-30, MiniMax H3 124/24-362/24, FlashVSR one frame (``1 / fps``)
    and up.
    """
    return _family(model_id).duration_range(model_id, fps)
