"""MiniMax H3 video (standard, Turbo, Balanced, FastH3, audio-guide and Reference ids).

It renders at a fixed 24 fps on the ``124 + 17n`` frame grid (124-362 frames, no ``+ 1``), on
a 32 px size grid up to 1344 px a side and 1,032,192 pixels, with fixed steps (4 Turbo, 8
Balanced and FastH3 Reference, else 20) and guidance 1, and no negative prompt. The r2v ids
take numbered reference sets (images, videos, audios); every id but t2v takes up to 8
``keyframes``; the audio-guide ids take ``audio_start`` and no LoRAs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from ..._wire.js import trim
from .._numbers import js_round, number_to_string
from ..params import VideoKeyframe
from ._video import URL_FIELDS, VIDEO_ASSETS, VideoCheck, VideoFamily, check_assets, ts_name

__all__ = [
    "H3_BASE_FRAMES",
    "H3_DIMENSION_STEP",
    "H3_FPS",
    "H3_FRAME_STEP",
    "H3_MAX_DIMENSION",
    "H3_MAX_FRAMES",
    "H3_MAX_KEYFRAMES",
    "H3_MAX_PIXELS",
    "H3_MODEL_IDS",
    "H3_REFERENCE_LIMITS",
    "H3_SECONDS_TOLERANCE",
    "H3_VIDEO_SECONDS",
    "H3_WORKFLOW_ASSETS",
    "MinimaxH3",
    "h3_fixed_steps",
    "h3_frames_for_audio",
    "is_h3_audio_guide_model",
]

#: The MiniMax H3 video model ids.
H3_MODEL_IDS: Final = frozenset(
    {
        "minimax-h3-fl2va-fp8_t2v",
        "minimax-h3-fl2va-fp8_i2v",
        "minimax-h3-fl2va-fp8_flf2v",
        "minimax-h3-ref2va-fp8_r2v",
        "minimax-h3-fl2va-fp8_t2v_turbo",
        "minimax-h3-fl2va-fp8_i2v_turbo",
        "minimax-h3-fl2va-fp8_flf2v_turbo",
        "minimax-h3-fastvideo-int8_t2v_turbo",
        "minimax-h3-fastvideo-int8_i2v_turbo",
        "minimax-h3-fastvideo-int8_flf2v_turbo",
        "minimax-h3-fastvideo-int8_t2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_i2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_flf2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_ia2v_turbo",
        "minimax-h3-fastvideo-int8_flfa2v_turbo",
        "minimax-h3-fastvideo-int8_a2v_turbo",
        "minimax-h3-fastvideo-int8_ia2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_flfa2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_a2v_turbo_2stage",
        "minimax-h3-ref2va-fp8_r2v_turbo",
        "minimax-h3-fl2va-fp8_t2v_balanced",
        "minimax-h3-fl2va-fp8_i2v_balanced",
        "minimax-h3-fl2va-fp8_flf2v_balanced",
        "minimax-h3-ref2va-fp8_r2v_balanced",
        "minimax-h3-ref2va-fp8_r2v_2stage",
        "minimax-h3-ref2va-fp8_r2v_balanced_2stage",
        # FastH3 Reference (newer Python SDK): r2v ids that run 8 steps despite "_turbo".
        "minimax-h3-fastvideo-omni-int8_r2v_turbo",
        "minimax-h3-fastvideo-omni-int8_r2v_turbo_2stage",
    }
)
_TURBO: Final = re.compile(
    r"minimax-h3-(?:fl2va-fp8_(?:t2v|i2v|flf2v)_turbo"
    r"|fastvideo-int8_(?:t2v|i2v|flf2v|ia2v|flfa2v|a2v)_turbo(?:_2stage)?"
    r"|ref2va-fp8_r2v_turbo)"
)
_BALANCED: Final = re.compile(
    r"minimax-h3-(?:fl2va-fp8_(?:t2v|i2v|flf2v)_balanced|ref2va-fp8_r2v_balanced(?:_2stage)?)"
)
_FASTH3_REFERENCE: Final = re.compile(r"minimax-h3-fastvideo-omni-int8_r2v_turbo(?:_2stage)?")
_AUDIO_GUIDE: Final = re.compile(r"minimax-h3-fastvideo-int8_(?:ia2v|flfa2v|a2v)_turbo(?:_2stage)?")
#: MiniMax H3 renders at this many frames per second.
H3_FPS: Final = 24
#: The frame count of the shortest H3 clip.
H3_BASE_FRAMES: Final = 124
#: H3 clips grow from the base length in steps of this many frames.
H3_FRAME_STEP: Final = 17
#: The frame count of the longest H3 clip.
H3_MAX_FRAMES: Final = 362
_MAX_STEP: Final = (H3_MAX_FRAMES - H3_BASE_FRAMES) // H3_FRAME_STEP
#: H3 widths and heights are multiples of this.
H3_DIMENSION_STEP: Final = 32
#: The largest H3 width or height.
H3_MAX_DIMENSION: Final = 1344
#: The largest H3 frame area (width x height).
H3_MAX_PIXELS: Final = 1_032_192
#: The most keyframes an H3 project takes.
H3_MAX_KEYFRAMES: Final = 8
# r2v reference ceilings: images, videos, audios, total files.
H3_REFERENCE_LIMITS: Final = (9, 3, 3, 12)
#: The shortest and longest reference video H3 accepts, in seconds.
H3_VIDEO_SECONDS: Final = (2, 15)
#: How far (in seconds) a reference video may fall outside that range.
H3_SECONDS_TOLERANCE: Final = 0.05
_R, _O, _F = "required", "optional", "forbidden"
# Where H3 departs from the shared workflow table.
H3_WORKFLOW_ASSETS: Final = {
    "i2v": (_O, _O, _F, _F, _F, _F),
    "r2v": (_O, _F, _O, _F, _O, _F),
}
_LISTS: Final = (
    "context_images",
    "reference_audios",
    "reference_videos",
    "reference_video_durations",
)


def is_h3_audio_guide_model(model_id: str) -> bool:
    """Whether an H3 id is one of the audio-guided FastVideo tiers (a2v, ia2v, flfa2v)."""
    return _AUDIO_GUIDE.fullmatch(model_id) is not None


def h3_fixed_steps(model_id: str) -> tuple[int, str]:
    """The steps an H3 id runs (they are fixed) and its tier's name for messages."""
    if _FASTH3_REFERENCE.fullmatch(model_id):
        return 8, " FastH3 Reference"
    if _TURBO.fullmatch(model_id):
        return 4, " Turbo"
    if _BALANCED.fullmatch(model_id):
        return 8, " Balanced"
    return 20, ""


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
    needed = math.ceil(seconds * H3_FPS - 1e-6)
    step = max(0, math.ceil((needed - H3_BASE_FRAMES) / H3_FRAME_STEP))
    return min(H3_MAX_FRAMES, H3_BASE_FRAMES + step * H3_FRAME_STEP)


class MinimaxH3(VideoFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "minimax_h3"
    model_ids: ClassVar[frozenset[str]] = H3_MODEL_IDS
    sends_negative_prompt: ClassVar[bool] = False
    tier_steps: ClassVar[bool] = False
    tier_guidance: ClassVar[bool] = False
    tier_fps: ClassVar[bool] = False
    tier_frames: ClassVar[bool] = False

    # ------------------------------------------------------------------ identity

    def workflow(self, model_id: str) -> str | None:
        order = ("r2v", "flfa2v", "ia2v", "a2v", "flf2v", "i2v", "t2v")
        return next((w for w in order if f"_{w}" in model_id), None)

    def asset_rules(self, model_id: str) -> Mapping[str, str] | None:
        workflow = self.workflow(model_id)
        if workflow in H3_WORKFLOW_ASSETS:
            return dict(zip(VIDEO_ASSETS, H3_WORKFLOW_ASSETS[workflow]))
        return super().asset_rules(model_id)

    def numbered_references(self, model_id: str) -> bool:
        return self.workflow(model_id) == "r2v"

    def takes_keyframes(self, model_id: str) -> bool:
        return self.workflow(model_id) != "t2v"

    # ------------------------------------------------------------------ frame math

    def default_fps(self, model_id: str) -> int | None:
        return H3_FPS

    def frames(self, model_id: str, duration: float, fps: float | None) -> int:
        step = js_round((js_round(duration * H3_FPS) - H3_BASE_FRAMES) / H3_FRAME_STEP)
        return H3_BASE_FRAMES + min(_MAX_STEP, max(0, step)) * H3_FRAME_STEP

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return H3_BASE_FRAMES / H3_FPS, H3_MAX_FRAMES / H3_FPS

    # ------------------------------------------------------------------ validation

    def refuse(self, check: VideoCheck) -> None:
        _refuse_lists(check)
        _refuse_keyframes(check)

    def check_references(self, check: VideoCheck) -> None:
        if not self.numbered_references(check.model_id):
            super().check_references(check)
            return
        _check_numbered_references(check)
        check_assets(check)

    def validate(self, check: VideoCheck) -> None:
        p, params, model = check.p, check.params, check.model_id
        if not self.numbered_references(model):
            _refuse_lists(check)
        if "fps" in check.ok and check.ok["fps"] != H3_FPS:
            p.add("fps", "MiniMax H3 fps is fixed at 24. Omit fps or set it to 24.")
        steps, label = h3_fixed_steps(model)
        if params.steps is not None and params.steps != steps:
            p.add("steps", f"MiniMax H3{label} steps are fixed at {steps}.")
        if params.guidance is not None and params.guidance != 1:
            p.add("guidance", "MiniMax H3 guidance is fixed at 1.")
        if isinstance(params.negative_prompt, str) and trim(params.negative_prompt):
            p.add(
                "negative_prompt",
                "MiniMax H3 has no negative-prompt input. Put requested exclusions in "
                "positivePrompt.",
            )
        frames = check.ok.get("frames")
        if frames is not None and not _on_grid(frames):
            p.add("frames", "MiniMax H3 frames must be 124 + n*17 in the inclusive range 124-362.")
        if params.audio_duration is not None:
            p.add(
                "audio_duration",
                "MiniMax H3 has no audioDuration input. Set frames or duration; the uploaded "
                "audio is trimmed to the video length.",
            )
        workflow = check.workflow
        if is_h3_audio_guide_model(model):
            if params.generate_audio is False:
                p.add(
                    "generate_audio",
                    f"MiniMax H3 {workflow} output always carries the uploaded audio. Omit "
                    "generateAudio or set it to true.",
                )
            for name in ("loras", "lora_strengths"):
                if check.given(name):
                    p.add(
                        name,
                        f"MiniMax H3 {workflow} does not support LoRAs. Remove loras and "
                        "loraStrengths.",
                    )
        elif params.audio_start is not None:
            p.add(
                "audio_start",
                "audioStart is supported only by the MiniMax H3 FastH3 audio-guide workflows "
                "(minimax-h3-fastvideo-int8_ia2v_turbo, minimax-h3-fastvideo-int8_flfa2v_turbo, "
                "minimax-h3-fastvideo-int8_a2v_turbo and their _2stage ids).",
            )
        if self.takes_keyframes(model):
            self._check_keyframes(check)
        else:
            _refuse_keyframes(check)
        super().validate(check)

    def check_size(self, check: VideoCheck) -> None:
        width, height = check.params.width, check.params.height
        if (width is None) != (height is None):
            check.add(
                "height" if height is None else "width",
                "MiniMax H3 width and height must be provided together.",
            )
        elif (
            width is not None
            and height is not None
            and "width" in check.ok
            and "height" in check.ok
            and not _on_canvas(width, height)
        ):
            check.add(
                "width",
                "MiniMax H3 dimensions must use a 32px grid, stay at or below 1344px per "
                "axis, and fit within 1,032,192 pixels.",
            )

    def _check_keyframes(self, check: VideoCheck) -> None:
        keyframes = check.ok.get("keyframes")
        if not keyframes:
            return
        p, params, model = check.p, check.params, check.model_id
        if len(keyframes) > H3_MAX_KEYFRAMES:
            p.add(
                "keyframes",
                f"keyframes accepts at most {H3_MAX_KEYFRAMES} entries (got {len(keyframes)}).",
            )
        frames = check.ok.get("frames")
        video = f"a {frames}-frame video"
        if frames is None and "duration" in check.ok:
            duration = check.ok["duration"]
            frames = self.frames(model, duration, check.ok.get("fps"))
            video = (
                f"the {frames}-frame video that duration {number_to_string(duration)} resolves to"
            )
        if frames is None and params.duration is None and params.frames is None:
            p.add("keyframes", "keyframes need the video length: pass frames or duration.")
        used: set[int] = set()
        for i, keyframe in enumerate(keyframes):
            where = f"keyframes[{i}]"
            if not p.instance(where, keyframe, VideoKeyframe):
                continue
            assert isinstance(keyframe, VideoKeyframe)
            if keyframe.image is None:
                p.add(f"{where}.image", f"keyframes[{i}].image is required.")
            index = keyframe.frame_index
            if not p.number(f"{where}.frame_index", index, integer=True) or frames is None:
                continue
            if not 1 <= index <= frames - 2:
                p.add(
                    f"{where}.frame_index",
                    f"keyframes[{i}].frameIndex must be an integer between 1 and {frames - 2} "
                    f"for {video} (got {index})"
                    + (
                        f"; {_edge_hint(check.workflow, frames)}"
                        if index in (0, frames - 1)
                        else ""
                    )
                    + ".",
                )
            elif index in used:
                p.add(
                    f"{where}.frame_index",
                    f"keyframes must use different frames; frame {index} is used twice.",
                )
            used.add(index)


def _refuse_lists(check: VideoCheck) -> None:
    for name in _LISTS:
        if check.given(name):
            check.add(
                name, "is supported only by the MiniMax H3 r2v workflow (minimax-h3-ref2va-fp8_r2v)"
            )


def _refuse_keyframes(check: VideoCheck) -> None:
    if check.ok.get("keyframes"):
        check.add(
            "keyframes",
            "keyframes is supported only by the MiniMax H3 image-to-video, first/last-frame, "
            "Sound to Video and Reference to Video workflows (i2v, flf2v, ia2v, flfa2v, a2v "
            f"and r2v model ids); {check.model_id} does not accept keyframes.",
        )


def _numbered_set(single: Any, many: Any) -> list[Any]:
    """A numbered reference set: the single field first, then the list."""
    return ([single] if single is not None else []) + list(many)


def _check_numbered_references(check: VideoCheck) -> None:
    p, params = check.p, check.params
    for name in URL_FIELDS:
        if check.given(name):
            p.add(
                name,
                f"MiniMax H3 r2v does not accept {ts_name(name)}; pass files through the Sogni "
                "asset upload fields instead.",
            )
    images = (params.reference_image is not None) + len(check.ok.get("context_images", ()))
    videos = len(_numbered_set(params.reference_video, check.ok.get("reference_videos", ())))
    audios = len(_numbered_set(params.reference_audio, check.ok.get("reference_audios", ())))
    durations = check.ok.get("reference_video_durations")
    if durations:
        if len(durations) != videos:
            p.add(
                "reference_video_durations",
                "MiniMax H3 r2v referenceVideoDurations must contain one entry for each "
                f"uploaded reference video (expected {videos}).",
            )
        else:
            low, high = H3_VIDEO_SECONDS
            slack = H3_SECONDS_TOLERANCE
            for i, seconds in enumerate(durations):
                if not (low - slack <= seconds <= high + slack):
                    p.add(
                        f"reference_video_durations[{i}]",
                        f"MiniMax H3 r2v referenceVideoDurations[{i}] must be between 2 and "
                        "15 seconds.",
                    )
            if sum(durations) > high + slack:
                p.add(
                    "reference_video_durations",
                    "MiniMax H3 r2v reference videos may total at most 15 seconds "
                    f"(got {sum(durations)}).",
                )
    max_images, max_videos, max_audios, max_total = H3_REFERENCE_LIMITS
    for name, count, limit, label in (
        ("context_images", images, max_images, "reference images"),
        ("reference_videos", videos, max_videos, "reference videos"),
        ("reference_audios", audios, max_audios, "reference audios"),
    ):
        if count > limit:
            p.add(
                name,
                f"MiniMax H3 r2v supports at most {limit} uploaded {label} (got {count}).",
            )
    total = images + videos + audios
    if total > max_total:
        p.add(
            "model_id",
            f"MiniMax H3 r2v supports at most {max_total} reference files in total (got "
            f"{total}: {images} image, {videos} video, {audios} audio).",
        )
    if images + videos < 1:
        p.add(
            "reference_image",
            "MiniMax H3 r2v needs at least one uploaded visual reference: an image "
            "(reference_image, context_images) or a video (reference_video, "
            "reference_videos).",
        )


def _on_grid(frames: int) -> bool:
    return (
        H3_BASE_FRAMES <= frames <= H3_MAX_FRAMES and (frames - H3_BASE_FRAMES) % H3_FRAME_STEP == 0
    )


def _on_canvas(width: int, height: int) -> bool:
    step, top = H3_DIMENSION_STEP, H3_MAX_DIMENSION
    return (
        step <= width <= top
        and step <= height <= top
        and width % step == 0
        and height % step == 0
        and width * height <= H3_MAX_PIXELS
    )


def _edge_hint(workflow: str | None, frames: int) -> str:
    if workflow in ("i2v", "flf2v", "flfa2v"):
        return "use referenceImage and referenceImageEnd for the first and last frames"
    if workflow == "ia2v":
        return (
            f"use referenceImage for the first frame, and the last frame ({frames - 1}) cannot "
            "be pinned"
        )
    return f"frames 0 and {frames - 1} cannot be pinned"
