"""Server-side validation of video and audio ``jobRequest`` key frames.

The fake's own reading of the protocol: the official clients check little here (the TypeScript
client leaves steps, guidance, fps, audio ranges and LoRA limits to the server), so the fake
enforces them. Families and workflows come from the catalog's ``serving`` section, never from the
client's model-id predicates. Every problem is appended to the caller's list, naming the wire key;
``_jobcheck`` turns the list into one refusal (``[INV-JOB-REFUSALS]``). This module holds the
rules and tables both media share, the frame math and the audio checks; the video checks,
family by family, are in ``_videocheck``.

Frame math: ``frames`` is on the wire, the duration never is. The clip length
the server derives from it, per family: WAN 2.2 ``(frames-1)/16`` whatever ``fps`` (32 only
interpolates), LTX, Seedance, HappyHorse and Wan 3 ``(frames-1)/fps``, MiniMax H3 ``frames/24``,
FlashVSR ``frames/fps``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeGuard

if TYPE_CHECKING:
    from ._state import FakeAccount
    from ._storage import Storage

__all__ = [
    "KeyFrameCheck",
    "MediaPlan",
    "check_audio",
    "default_video_fps",
    "fmt_number",
    "frames_for_seconds",
    "is_int",
    "is_number",
    "js_blank",
    "js_length",
    "video_base_size",
    "video_seconds",
]

# (min, max) seconds per family; WAN uses its tier's frame range instead.
_DURATIONS: Final = {
    "ltx": (1.0, 20.0),
    "seedance": (4.0, 15.0),
    "happyhorse": (3.0, 15.0),
    "wan3": (2.0, 30.0),
}
SEEDANCE_25_MAX_SECONDS: Final = 30.0
WAN_RENDER_FPS: Final = 16
H3_FPS: Final = 24
H3_BASE_FRAMES: Final = 124
H3_FRAME_STEP: Final = 17
H3_MAX_FRAMES: Final = 362
H3_GRID: Final = 32
H3_MAX_KEYFRAMES: Final = 8
H3_REFERENCE_SECONDS: Final = (2.0, 15.0)
H3_SECONDS_SLACK: Final = 0.05
FREE_FPS_RANGE: Final = (1, 60)
DOCUMENTED_SHIFT: Final = (1.0, 8.0)
# [INV-VIDEO-DEFAULT-LENGTH] a request without ``frames`` renders 5 seconds (H3: its shortest).
DEFAULT_SECONDS: Final = 5.0
# [INV-AUDIO-DEFAULT-LENGTH] speech models (no duration in the tier) count as 10 s tracks.
SPEECH_SECONDS: Final = Decimal(10)
VENDOR_FAMILIES: Final = ("seedance", "happyhorse", "wan3")
URL_KEYS: Final = ("referenceImageURLs", "referenceVideoURLs", "referenceAudioURLs")
LINK_KEYS: Final = ("referenceFileURL", "referenceLinkURL")
SEEDANCE_TASKS: Final = ("reference", "edit", "extend")
WAN3_RATIOS: Final = ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")
WAN3_MAX_SEED: Final = 2_147_483_647
WAN3_LIMITS: Final = (10, 5, 5)  # URL images, videos, audios
HAPPYHORSE_R2V_IMAGES: Final = (1, 9)
VIDEO_CONTROLNETS: Final = ("canny", "pose", "depth", "detailer", "outpaint", "inpaint")
OUTPAINT_POSITIONS: Final = ("center", "top", "bottom", "left", "right")
FLASHVSR_DETAIL: Final = ("stable", "sharper")
FLASHVSR_SPEED: Final = ("stable", "faster")
H3_R2V_LIMITS: Final = (9, 3, 3, 12)  # images, videos, audios, files

# The single-slot inputs: wire flag -> (asset name, upload slot, content-type key, MIME family).
# ``hasReferenceAudioIdentity`` shares the ``referenceAudio`` slot.
SINGLE_ASSETS: Final = {
    "hasReferenceImage": ("referenceImage", "referenceImage", "referenceImageContentType", "image"),
    "hasReferenceImageEnd": (
        "referenceImageEnd",
        "referenceImageEnd",
        "referenceImageEndContentType",
        "image",
    ),
    "hasReferenceAudio": ("referenceAudio", "referenceAudio", "referenceAudioContentType", "audio"),
    "hasReferenceAudioIdentity": (
        "referenceAudioIdentity",
        "referenceAudio",
        "referenceAudioIdentityContentType",
        "audio",
    ),
    "hasReferenceVideo": ("referenceVideo", "referenceVideo", "referenceVideoContentType", "video"),
    "hasReferenceMask": ("referenceMask", "referenceMask", "referenceMaskContentType", "image"),
}
_R, _O, _F = "required", "optional", "forbidden"
_ASSET_ORDER: Final = (
    "referenceImage",
    "referenceImageEnd",
    "referenceAudio",
    "referenceAudioIdentity",
    "referenceVideo",
    "referenceMask",
)
# Workflow -> requirement of each asset of _ASSET_ORDER. The r2v row is
# HappyHorse's, which runs its own checks (check_happyhorse) instead of this table.
_WORKFLOW_ASSETS: Final = {
    "upscale": (_F, _F, _F, _F, _R, _F),
    "t2v": (_F, _F, _F, _O, _F, _F),
    "i2v": (_O, _O, _F, _O, _F, _F),
    "flf2v": (_R, _R, _F, _F, _F, _F),
    "flfa2v": (_R, _R, _R, _F, _F, _F),
    "s2v": (_R, _F, _R, _F, _F, _F),
    "ia2v": (_R, _F, _R, _F, _F, _F),
    "a2v": (_F, _F, _R, _F, _F, _F),
    "animate-move": (_R, _F, _F, _F, _R, _F),
    "animate-replace": (_R, _F, _F, _F, _R, _F),
    "v2v": (_O, _F, _F, _O, _R, _O),
    "r2v": (_O, _F, _F, _F, _F, _F),
}
_H3_WORKFLOW_ASSETS: Final = {
    "i2v": (_O, _O, _F, _F, _F, _F),
    "r2v": (_O, _F, _O, _F, _O, _F),
}
# Audio key frame options, checked against the tier entry of the same name.
_AUDIO_RANGES: Final = ("duration", "bpm", "promptStrength", "creativity", "shift")
_AUDIO_LISTS: Final = ("timesignature", "language", "keyscale", "speaker")


@dataclass
class MediaPlan:
    """What a valid video or audio key frame adds to the plan."""

    family: str
    workflow: str | None
    width: int
    height: int
    duration: Decimal
    frames: int | None = None
    fps: int | float | None = None
    video_input: bool = False
    last_frame: bool = False


# ---------------------------------------------------------------------------- frame math


def default_video_fps(family: str, tier: dict[str, Any]) -> int:
    """The fps a video renders at when the request names none."""
    spec = tier.get("fps")
    if isinstance(spec, dict) and is_number(spec.get("default")):
        return int(spec["default"])
    return 24


def video_base_size(tier: dict[str, Any]) -> tuple[int, int]:
    """The tier's default output size (what a request without width/height renders)."""
    width, height = tier.get("width"), tier.get("height")
    return (
        int(width.get("default", 1280)) if isinstance(width, dict) else 1280,
        int(height.get("default", 720)) if isinstance(height, dict) else 720,
    )


def video_seconds(family: str, frames: int, fps: float) -> float:
    """The clip length ``frames`` stands for (the client's frame formula, inverted)."""
    if family == "wan":
        return (frames - 1) / WAN_RENDER_FPS
    if family == "h3":
        return frames / H3_FPS
    if family == "flashvsr":
        return frames / fps
    return (frames - 1) / fps


def frames_for_seconds(family: str, seconds: float, fps: float) -> int:
    """``frames`` for a clip of ``seconds``, as the official clients compute it."""
    if family == "wan":
        return math.floor(seconds * WAN_RENDER_FPS + 0.5) + 1
    if family == "h3":
        wanted = math.floor(seconds * H3_FPS + 0.5)
        k = min(14, max(0, math.floor((wanted - H3_BASE_FRAMES) / H3_FRAME_STEP + 0.5)))
        return H3_BASE_FRAMES + H3_FRAME_STEP * k
    if family == "flashvsr":
        return max(1, math.floor(seconds * fps + 0.5))
    frames = math.floor(seconds * fps + 0.5) + 1
    if family == "ltx":
        frames = 8 * math.floor((frames - 1) / 8 + 0.5) + 1
    return frames


# ---------------------------------------------------------------------------- helpers

# The service is JavaScript: ``trim`` removes ECMAScript's whitespace (U+FEFF too, but not
# U+001C-U+001F or U+0085, which str.strip removes) and a string's length is in UTF-16 code
# units. The fake keeps its own copy of both rules (it imports no client code).
JS_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# What the URL parser ignores around a URL: C0 controls and space.
URL_EDGE: Final = "".join(chr(c) for c in range(0x21))


def js_blank(value: str) -> bool:
    """Whether ``value.trim()`` is empty."""
    return not value.strip(JS_WHITESPACE)


def js_length(value: str) -> int:
    """``value.length``: UTF-16 code units (an emoji counts 2)."""
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def fmt_number(value: float) -> str:
    return f"{value:g}"


class KeyFrameCheck:
    """Shared state of one key frame's checks."""

    def __init__(
        self,
        storage: Storage,
        account: FakeAccount,
        job_id: str,
        model: dict[str, Any],
        tier: dict[str, Any],
        serving: dict[str, Any],
        payload: dict[str, Any],
        problems: list[str],
    ) -> None:
        self.storage = storage
        self.account = account
        self.job_id = job_id
        self.model_id: str = model["id"]
        self.name: str = model.get("name", model["id"])
        self.tier = tier
        self.serving = serving
        self.payload = payload
        self.kf: dict[str, Any] = payload["keyFrames"][0]
        self.problems = problems
        self.family: str = str(serving.get("family", ""))
        workflow = serving.get("workflow")
        self.workflow: str | None = workflow if isinstance(workflow, str) else None

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def given(self, key: str) -> bool:
        return self.kf.get(key) is not None

    def number(
        self, key: str, low: float | None, high: float | None, *, integer: bool = False
    ) -> float | None:
        """``kf[key]`` when it is a number within [low, high]; None (with a problem) otherwise."""
        value = self.kf.get(key)
        if value is None:
            return None
        kind = "an integer" if integer else "a number"
        ok = is_int(value) if integer else is_number(value)
        if ok and (low is None or value >= low) and (high is None or value <= high):
            return float(value)
        if low is not None and high is not None:
            bounds = f" from {fmt_number(low)} to {fmt_number(high)}"
        elif low is not None:
            bounds = f" of at least {fmt_number(low)}"
        else:
            bounds = ""
        self.add(f"keyFrames[0].{key} must be {kind}{bounds} for {self.model_id}, got {value!r}")
        return None

    def tier_range(self, key: str) -> None:
        """``kf[key]`` inside the tier's numeric range; refused when the tier has none
        [INV-UNDECLARED-OPTIONS]: an option the model's tier does not declare is refused."""
        spec = self.tier.get(key)
        if not self.given(key):
            return
        if not isinstance(spec, dict):
            self.add(f"keyFrames[0].{key} is not supported by {self.model_id}")
            return
        low, high = spec.get("min"), spec.get("max")
        self.number(
            key,
            float(low) if is_number(low) else None,
            float(high) if is_number(high) else None,
        )

    def boolean(self, key: str) -> bool | None:
        value = self.kf.get(key)
        if value is not None and not isinstance(value, bool):
            self.add(f"keyFrames[0].{key} must be a boolean, got {value!r}")
            return None
        return value

    def choice(self, key: str, allowed: tuple[str, ...] | list[str]) -> None:
        value = self.kf.get(key)
        if value is not None and value not in allowed:
            listed = ", ".join(str(a) for a in allowed)
            self.add(
                f"keyFrames[0].{key} must be one of {listed} for {self.model_id}, got {value!r}"
            )

    def flag(self, key: str) -> bool:
        return self.kf.get(key) is True

    def require_upload(self, flag: str, slot: str, slot_id: str | None = None) -> None:
        if self.storage.find_upload(self.account, self.job_id, slot, slot_id) is None:
            named = f"{slot} (id {slot_id})" if slot_id else slot
            self.add(
                f"keyFrames[0].{flag}: {named} was not uploaded for project {self.job_id}: "
                "upload it (GET /v1/image/uploadUrl or /v1/media/uploadUrl, then PUT the bytes) "
                "before sending the jobRequest"
            )

    def content_type(self, key: str, family: str) -> None:
        # [INV-CONTENT-TYPES] a content-type hint must name the slot's kind (image/audio/video).
        value = self.kf.get(key)
        if value is None:
            return
        if not isinstance(value, str) or not value.startswith(f"{family}/"):
            self.add(f"keyFrames[0].{key} must be an {family}/* MIME type, got {value!r}")

    def sampling(self) -> None:
        # Video and audio always carry comfySampler/comfyScheduler.
        from ._jobcheck import SAMPLER_ALIASES, SCHEDULER_ALIASES, allowed_names

        for key, aliases in (
            ("comfySampler", SAMPLER_ALIASES),
            ("comfyScheduler", SCHEDULER_ALIASES),
        ):
            value = self.kf.get(key)
            allowed = allowed_names(self.tier.get(key), aliases)
            if value is None or not allowed:
                continue
            if value not in allowed:
                listed = ", ".join(sorted(allowed))
                self.add(f"keyFrames[0].{key} must be one of {listed}; got {value!r}")


# ---------------------------------------------------------------------------- audio


def check_audio(
    storage: Storage,
    account: FakeAccount,
    job_id: str,
    model: dict[str, Any],
    tier: dict[str, Any],
    serving: dict[str, Any],
    payload: dict[str, Any],
    problems: list[str],
) -> MediaPlan:
    """Check an audio key frame against its tier's ranges and lists."""
    check = KeyFrameCheck(storage, account, job_id, model, tier, serving, payload, problems)
    kf = check.kf
    for key in _AUDIO_RANGES:
        check.tier_range(key)
    for key in _AUDIO_LISTS:
        value = kf.get(key)
        if value is None:
            continue
        spec = tier.get(key)
        allowed = [str(a) for a in spec.get("allowed") or []] if isinstance(spec, dict) else []
        if not allowed:
            check.add(f"keyFrames[0].{key} is not supported by {check.model_id}")
        # [INV-TIMESIGNATURE-NUMBER] a numeric time signature is read as its string.
        elif (
            not isinstance(value, (str, int))
            or isinstance(value, bool)
            or str(value) not in allowed
        ):
            shown = ", ".join(allowed) if len(allowed) <= 12 else f"{len(allowed)} values"
            check.add(
                f"keyFrames[0].{key} must be one of {shown} for {check.model_id}, got {value!r}"
            )
    if check.given("composerMode"):
        if not isinstance(tier.get("composerMode"), dict):
            check.add(f"keyFrames[0].composerMode is not supported by {check.model_id}")
        else:
            check.boolean("composerMode")
    for key in ("lyrics", "instruct", "referenceText"):
        value = kf.get(key)
        if value is not None and not isinstance(value, str):
            check.add(f"keyFrames[0].{key} must be a string")
    for key in ("instruct", "referenceText"):
        spec, value = tier.get(key), kf.get(key)
        if not isinstance(spec, dict):
            if value is not None:
                check.add(f"keyFrames[0].{key} is not supported by {check.model_id}")
            continue
        limit = spec.get("maxLength")
        if isinstance(value, str) and is_int(limit) and js_length(value) > limit:
            check.add(f"keyFrames[0].{key} is {js_length(value)} characters; at most {limit}")
        if spec.get("required") and not (isinstance(value, str) and not js_blank(value)):
            check.add(f"keyFrames[0].{key} is required by {check.model_id}")
    requires = tier.get("requiresReferenceAudio") is True
    accepts = requires or tier.get("acceptInputAudio") is True
    if check.flag("hasReferenceAudio"):
        if not accepts:
            check.add(f"keyFrames[0].hasReferenceAudio: {check.model_id} takes no reference audio")
        else:
            check.require_upload("hasReferenceAudio", "referenceAudio")
            check.content_type("referenceAudioContentType", "audio")
    elif requires:
        check.add(
            f"{check.model_id} requires referenceAudio: set keyFrames[0].hasReferenceAudio and "
            "upload it (GET /v1/media/uploadUrl)"
        )
    check.sampling()
    spec = tier.get("duration")
    value = kf.get("duration")
    if is_number(value):
        seconds = Decimal(str(value))
    elif isinstance(spec, dict) and is_number(spec.get("default")):
        seconds = Decimal(str(spec["default"]))
    else:
        seconds = SPEECH_SECONDS
    return MediaPlan(family=check.family, workflow=None, width=0, height=0, duration=seconds)
