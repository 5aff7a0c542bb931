"""Video frame and duration math (protocol/02 §6): how many frames a ``duration`` becomes.

Video requests carry a frame count, never the duration. Each model family turns seconds into
frames its own way, and these helpers are the one implementation the request builder, the
validator and the cost estimates use:

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

import math
from typing import Final

from . import _families as fam

__all__ = [
    "H3_MAX_FRAMES",
    "H3_MIN_FRAMES",
    "LTX_FRAME_STEP",
    "default_fps",
    "h3_frames_for_audio",
    "js_round",
    "video_duration_range",
    "video_frames",
]

LTX_FRAME_STEP: Final = 8
WAN_RENDER_FPS: Final = 16
H3_MIN_FRAMES: Final = fam.H3_BASE_FRAMES
H3_MAX_FRAMES: Final = fam.H3_MAX_FRAMES
_H3_MAX_STEP: Final = (fam.H3_MAX_FRAMES - fam.H3_BASE_FRAMES) // fam.H3_FRAME_STEP


def js_round(value: float) -> int:
    """JavaScript's ``Math.round``: the nearest integer, halves rounded up (towards +inf)."""
    whole = math.floor(value)
    # value - floor(value) is exact for doubles, unlike value + 0.5.
    return int(whole) + (1 if value - whole >= 0.5 else 0)


def default_fps(model_id: str) -> int | None:
    """The ``fps`` a request carries when the caller gives none: 30 for Wan 3, 24 for Seedance,
    HappyHorse and MiniMax H3, and none for WAN 2.2, LTX and FlashVSR."""
    if fam.is_wan3_model(model_id):
        return 30
    if fam.is_external_video_model(model_id) or fam.is_h3_model(model_id):
        return fam.H3_FPS
    return None


def _math_fps(model_id: str, fps: float | None) -> float:
    if fps is not None:
        return fps
    return 30 if fam.is_wan3_model(model_id) else 24


def video_frames(model_id: str, duration: float, fps: float | None = None) -> int:
    """The frame count a ``duration`` (seconds) becomes on ``model_id``.

    ``fps`` is the project's ``fps`` (None: the family's default; WAN and MiniMax H3 ignore it).
    The duration is not range-checked here; see :func:`video_duration_range`.
    """
    rate = _math_fps(model_id, fps)
    if fam.is_flashvsr_model(model_id):
        return js_round(duration * rate)
    if fam.is_wan_model(model_id):
        return js_round(duration * WAN_RENDER_FPS) + 1
    if fam.is_h3_model(model_id):
        step = js_round((js_round(duration * fam.H3_FPS) - fam.H3_BASE_FRAMES) / fam.H3_FRAME_STEP)
        return fam.H3_BASE_FRAMES + min(_H3_MAX_STEP, max(0, step)) * fam.H3_FRAME_STEP
    frames = js_round(duration * rate) + 1
    if fam.is_ltx_model(model_id):
        frames = js_round((frames - 1) / LTX_FRAME_STEP) * LTX_FRAME_STEP + 1
    return frames


def h3_frames_for_audio(seconds: float) -> int:
    """The shortest MiniMax H3 frame count that covers an audio clip of ``seconds``.

    For the audio-guide ids, whose output is cut to the video: the first ``124 + 17n`` at or
    above ``seconds * 24`` frames, clamped to 124-362 (longer clips are cut; offset them with
    ``audio_start``). Raises ``ValueError`` unless ``seconds`` is a finite number above 0.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError("the audio duration must be a number of seconds")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("the audio duration must be a finite number of seconds above 0")
    # The epsilon keeps a duration exactly on the grid (141/24 s) from taking one step more.
    needed = math.ceil(seconds * fam.H3_FPS - 1e-6)
    step = max(0, math.ceil((needed - fam.H3_BASE_FRAMES) / fam.H3_FRAME_STEP))
    return min(fam.H3_MAX_FRAMES, fam.H3_BASE_FRAMES + step * fam.H3_FRAME_STEP)


def video_duration_range(model_id: str, fps: float | None = None) -> tuple[float, float | None]:
    """``(min, max)`` seconds a ``duration`` may take on ``model_id`` (max None: no limit).

    WAN t2v/i2v/s2v 1-10, WAN animate 1-20, LTX 1-20, Seedance 2.0 4-15, Seedance 2.5 4-30,
    HappyHorse 3-15, Wan 3 2-30, MiniMax H3 124/24-362/24, FlashVSR one frame (``1 / fps``)
    and up.
    """
    if fam.is_flashvsr_model(model_id):
        return 1 / (fps or 24), None
    if fam.is_h3_model(model_id):
        return fam.H3_BASE_FRAMES / fam.H3_FPS, fam.H3_MAX_FRAMES / fam.H3_FPS
    if fam.is_wan3_model(model_id):
        return 2, 30
    if fam.is_happyhorse_model(model_id):
        return 3, 15
    if fam.is_seedance_model(model_id):
        return 4, 30 if fam.is_seedance_25_model(model_id) else 15
    if fam.is_ltx_model(model_id) or model_id in fam.WAN_ANIMATE_MODEL_IDS:
        return 1, 20
    return 1, 10
