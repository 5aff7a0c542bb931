"""Server-side validation of video and audio ``jobRequest`` key frames (protocol/02 §4-§7).

The fake's own reading of the protocol: the official clients check little here (the TypeScript
client leaves steps, guidance, fps, audio ranges and LoRA limits to the server), so the fake
enforces them. Families and workflows come from the catalog's ``serving`` section, never from the
client's model-id predicates. Every problem is appended to the caller's list, naming the wire key;
``_jobcheck`` turns the list into one refusal (``[INV-JOB-REFUSALS]``).

Frame math (protocol/02 §6): ``frames`` is on the wire, the duration never is. The clip length
the server derives from it, per family: WAN 2.2 ``(frames-1)/16`` whatever ``fps`` (32 only
interpolates), LTX, Seedance, HappyHorse and Wan 3 ``(frames-1)/fps``, MiniMax H3 ``frames/24``,
FlashVSR ``frames/fps``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeGuard

if TYPE_CHECKING:
    from ._state import FakeAccount
    from ._storage import Storage

__all__ = [
    "MediaPlan",
    "check_audio",
    "check_video",
    "default_video_fps",
    "frames_for_seconds",
    "video_base_size",
    "video_seconds",
]

# (min, max) seconds per family (protocol/02 §6.4); WAN uses its tier's frame range instead.
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
# ``hasReferenceAudioIdentity`` shares the ``referenceAudio`` slot (protocol/02 §8.2).
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
# Workflow -> requirement of each asset of _ASSET_ORDER (protocol/02 §7.5). The r2v row is
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
    if isinstance(spec, dict) and _is_number(spec.get("default")):
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
    """The clip length ``frames`` stands for (protocol/02 §6.2, inverted)."""
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


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Check:
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
        ok = _is_int(value) if integer else _is_number(value)
        if ok and (low is None or value >= low) and (high is None or value <= high):
            return float(value)
        if low is not None and high is not None:
            bounds = f" from {_fmt(low)} to {_fmt(high)}"
        elif low is not None:
            bounds = f" of at least {_fmt(low)}"
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
            float(low) if _is_number(low) else None,
            float(high) if _is_number(high) else None,
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
        # Video and audio always carry comfySampler/comfyScheduler (protocol/02 §4.1, §5).
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


# ---------------------------------------------------------------------------- video


def check_video(
    storage: Storage,
    account: FakeAccount,
    job_id: str,
    model: dict[str, Any],
    tier: dict[str, Any],
    serving: dict[str, Any],
    payload: dict[str, Any],
    problems: list[str],
) -> MediaPlan:
    """Check a video key frame; problems go to ``problems``."""
    return _VideoCheck(storage, account, job_id, model, tier, serving, payload, problems).run()


class _VideoCheck(_Check):
    def run(self) -> MediaPlan:
        self.present: dict[str, bool] = {}
        self.urls: dict[str, list[str]] = {key: [] for key in URL_KEYS}
        self.check_exports()
        fps = self.check_fps()
        frames = self.check_frames(fps)
        width, height = self.check_size()
        self.check_assets()
        self.check_urls()
        self.check_common_options()
        family_check = {
            "wan": self.check_wan,
            "ltx": self.check_ltx,
            "seedance": self.check_seedance,
            "happyhorse": self.check_happyhorse,
            "wan3": self.check_wan3,
            "h3": self.check_h3,
            "flashvsr": self.check_flashvsr,
        }.get(self.family)
        if family_check is not None:
            family_check()
        if self.family == "h3":
            self.check_keyframes(frames)
        elif any(self.flag(f"hasKeyframeImage{n}") for n in range(1, 17)):
            self.add("keyFrames[0].hasKeyframeImage<n>: keyframes are taken by MiniMax H3 only")
        self.sampling()
        return MediaPlan(
            family=self.family,
            workflow=self.workflow,
            width=width,
            height=height,
            duration=Decimal(str(round(video_seconds(self.family, frames, fps), 4))),
            frames=frames,
            fps=fps,
            video_input=self.video_input(),
            last_frame=self.kf.get("returnLastFrame") is True,
        )

    # -------------------------------------------------------------- export, fps, frames, size

    def check_exports(self) -> None:
        fmt = self.payload.get("outputFormat")
        if fmt == "mov" and not self.serving.get("seedance25"):
            self.add(f"outputFormat mov is supported only by Seedance 2.5, not {self.model_id}")
        last = self.boolean("returnLastFrame")
        if last and not self.serving.get("seedance25"):
            self.add(
                "keyFrames[0].returnLastFrame: last-frame export is supported only by Seedance 2.5"
            )

    def check_fps(self) -> float:
        value = self.kf.get("fps")
        fallback = default_video_fps(self.family, self.tier)
        if value is None:
            return fallback
        spec = self.tier.get("fps")
        allowed = spec.get("allowed") if isinstance(spec, dict) else None
        if isinstance(allowed, list) and allowed:
            if _is_number(value) and value in allowed:
                return float(value) if not _is_int(value) else int(value)
            listed = ", ".join(str(a) for a in allowed)
            self.add(f"keyFrames[0].fps must be one of {listed} for {self.model_id}, got {value!r}")
            return fallback
        low, high = FREE_FPS_RANGE
        checked = self.number("fps", low, high)
        return checked if checked is not None else fallback

    def duration_bounds(self) -> tuple[float, float | None]:
        if self.family == "seedance" and self.serving.get("seedance25"):
            return _DURATIONS["seedance"][0], SEEDANCE_25_MAX_SECONDS
        low, high = _DURATIONS.get(self.family, (0.0, None))
        return low, high

    def check_frames(self, fps: float) -> int:
        value = self.kf.get("frames")
        if value is None:
            spec = self.tier.get("frames")
            if isinstance(spec, dict) and _is_int(spec.get("default")):
                return int(spec["default"])
            seconds = max(DEFAULT_SECONDS, self.duration_bounds()[0])
            return frames_for_seconds(self.family, seconds, fps)
        fallback = frames_for_seconds(self.family, DEFAULT_SECONDS, fps)
        if not _is_int(value) or value < 1:
            self.add(f"keyFrames[0].frames must be a positive integer, got {value!r}")
            return fallback
        frames = int(value)
        if self.family == "h3":
            on_grid = (frames - H3_BASE_FRAMES) % H3_FRAME_STEP == 0
            if not (H3_BASE_FRAMES <= frames <= H3_MAX_FRAMES and on_grid):
                self.add(
                    f"keyFrames[0].frames must be on the MiniMax H3 grid 124 + 17n from "
                    f"{H3_BASE_FRAMES} to {H3_MAX_FRAMES}, got {frames}"
                )
                return H3_BASE_FRAMES
            return frames
        if self.family == "ltx" and (frames - 1) % 8:
            self.add(f"keyFrames[0].frames must be 1 + 8n for LTX models, got {frames}")
            return fallback
        spec = self.tier.get("frames")
        if self.family == "wan" and isinstance(spec, dict):
            low, high = int(spec.get("min", 1)), int(spec.get("max", frames))
            if not low <= frames <= high:
                self.add(
                    f"keyFrames[0].frames must be from {low} to {high} for {self.model_id}, "
                    f"got {frames}"
                )
                return fallback
            return frames
        min_s, max_s = self.duration_bounds()
        seconds = video_seconds(self.family, frames, fps)
        # A frame count rounded from an in-range duration is in range (half a frame of slack).
        slack = 0.5 / fps
        if seconds < min_s - slack or (max_s is not None and seconds > max_s + slack):
            span = (
                f"{_fmt(min_s)} to {_fmt(max_s)}"
                if max_s is not None
                else f"at least {_fmt(min_s)}"
            )
            self.add(
                f"keyFrames[0].frames {frames} at {_fmt(fps)} fps is {seconds:.2f} s; "
                f"{self.model_id} renders {span} s"
            )
            return fallback
        return frames

    def check_size(self) -> tuple[int, int]:
        width_spec, height_spec = self.tier.get("width"), self.tier.get("height")
        defaults = video_base_size(self.tier)
        width, height = self.kf.get("width"), self.kf.get("height")
        if width is None and height is None:
            return defaults
        if width is None or height is None:
            self.add("keyFrames[0].width and keyFrames[0].height must be given together")
            return defaults
        sizes = []
        for key, value, spec in (("width", width, width_spec), ("height", height, height_spec)):
            low = int(spec.get("min", 1)) if isinstance(spec, dict) else 1
            high = int(spec.get("max", 7680)) if isinstance(spec, dict) else 7680
            if not _is_int(value) or not low <= value <= high:
                self.add(
                    f"keyFrames[0].{key} must be an integer from {low} to {high} for "
                    f"{self.model_id}, got {value!r}"
                )
                return defaults
            if self.family == "h3" and value % H3_GRID:
                self.add(
                    f"keyFrames[0].{key} must be a multiple of {H3_GRID} for MiniMax H3, "
                    f"got {value}"
                )
                return defaults
            sizes.append(int(value))
        max_pixels = self.tier.get("maxPixels")
        if _is_int(max_pixels) and sizes[0] * sizes[1] > max_pixels:
            self.add(
                f"keyFrames[0].width x height is {sizes[0] * sizes[1]} pixels; {self.model_id} "
                f"renders at most {max_pixels}"
            )
            return defaults
        return sizes[0], sizes[1]

    # -------------------------------------------------------------- assets

    def check_assets(self) -> None:
        """Flags need their uploads; content types must match; the workflow table applies."""
        h3_r2v = self.family == "h3" and self.workflow == "r2v"
        for flag, (asset, slot, type_key, mime) in SINGLE_ASSETS.items():
            if self.flag(flag):
                self.present[asset] = True
                self.require_upload(flag, slot)
                self.content_type(type_key, mime)
        for kind in ("Audio", "Video"):
            for n in range(1, 4):
                flag = f"hasReference{kind}{n}"
                if not self.flag(flag):
                    continue
                if not h3_r2v:
                    self.add(
                        f"keyFrames[0].{flag}: numbered reference slots are MiniMax H3 r2v only"
                    )
                    continue
                self.present[f"reference{kind}"] = True
                self.require_upload(flag, f"reference{kind}", f"reference{kind}{n}")
                self.content_type(f"reference{kind}{n}ContentType", kind.lower())
        for n in range(1, 17):
            flag = f"hasContextImage{n}"
            if not self.flag(flag):
                continue
            if not h3_r2v:
                self.add(f"keyFrames[0].{flag}: context images are MiniMax H3 r2v only for video")
                continue
            self.require_upload(flag, f"contextImage{n}")
        if self.present.get("referenceAudio") and self.present.get("referenceAudioIdentity"):
            self.add(
                "keyFrames[0].hasReferenceAudio and hasReferenceAudioIdentity share the "
                "referenceAudio upload: send one of them"
            )
        if self.workflow is None or self.family in VENDOR_FAMILIES:
            return
        table = _H3_WORKFLOW_ASSETS if self.family == "h3" else {}
        rules = table.get(self.workflow) or _WORKFLOW_ASSETS.get(self.workflow)
        if rules is None:
            return
        for asset, rule in zip(_ASSET_ORDER, rules):
            present = self.present.get(asset, False)
            if rule == _R and not present:
                self.add(
                    f"{self.model_id} ({self.workflow}) requires {asset}: set "
                    f"keyFrames[0].has{asset[0].upper()}{asset[1:]} and upload it"
                )
            elif rule == _F and present:
                self.add(f"{self.model_id} ({self.workflow}) does not take {asset}")
        if self.workflow == "i2v" and not (
            self.present.get("referenceImage") or self.present.get("referenceImageEnd")
        ):
            self.add(
                f"{self.model_id} (i2v) requires referenceImage or referenceImageEnd "
                "(keyFrames[0].hasReferenceImage / hasReferenceImageEnd)"
            )

    def url_list(self, key: str) -> list[str]:
        value = self.kf.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            isinstance(u, str) and u.strip().startswith(("https://", "http://")) for u in value
        ):
            self.add(f"keyFrames[0].{key} must be a list of http(s) URLs")
            return []
        return list(value)

    def check_urls(self) -> None:
        # [INV-REFERENCE-URLS] reference URLs must be absolute http(s) URLs.
        given = [k for k in (*URL_KEYS, *LINK_KEYS) if self.given(k)]
        if given and self.family not in VENDOR_FAMILIES:
            self.add(
                f"keyFrames[0].{given[0]}: external reference URLs are supported only by "
                "Seedance, HappyHorse and Wan 3 models"
            )
            return
        self.urls = {key: self.url_list(key) for key in URL_KEYS}
        if self.urls["referenceVideoURLs"]:
            self.present["referenceVideoURL"] = True

    def video_input(self) -> bool:
        return bool(self.present.get("referenceVideo") or self.present.get("referenceVideoURL"))

    def check_common_options(self) -> None:
        self.number("teacacheThreshold", 0, 1)
        self.boolean("generateAudio")
        self.boolean("trimEndFrame")
        if self.given("shift") and "shift" not in self.tier and self.family in ("wan", "ltx"):
            # The documented sampling-shift range (protocol/02 §4.1) for tiers that give none.
            self.number("shift", *DOCUMENTED_SHIFT)
        elif self.given("shift"):
            self.tier_range("shift")
        for key in ("audioStart", "videoStart", "audioDuration"):
            spec = self.tier.get(key)
            if not self.given(key):
                continue
            if not isinstance(spec, dict):
                self.add(f"keyFrames[0].{key} is not used by {self.model_id}")
                continue
            low = spec.get("min", 0)
            self.number(key, float(low) if _is_number(low) else 0.0, None)
        if self.given("sam2Coordinates") and self.workflow != "animate-replace":
            self.add("keyFrames[0].sam2Coordinates is only supported for animate-replace workflows")
        nets = self.kf.get("currentControlNetsJob")
        if nets is not None and not (self.family == "ltx" and self.workflow == "v2v"):
            self.add("keyFrames[0].currentControlNetsJob: video ControlNets are LTX v2v only")
        if self.flag("hasReferenceMask") and self.family == "ltx":
            name = (
                nets[0].get("name")
                if isinstance(nets, list) and nets and isinstance(nets[0], dict)
                else None
            )
            if name != "inpaint":
                self.add("keyFrames[0].hasReferenceMask is used only by the inpaint ControlNet")

    # -------------------------------------------------------------- families

    def check_wan(self) -> None:
        coords = self.kf.get("sam2Coordinates")
        if coords is None or self.workflow != "animate-replace":
            return
        try:
            points = json.loads(coords) if isinstance(coords, str) else None
        except ValueError:
            points = None
        if not isinstance(points, list) or not all(
            isinstance(p, dict) and _is_number(p.get("x")) and _is_number(p.get("y"))
            for p in points
        ):
            self.add('keyFrames[0].sam2Coordinates must be a JSON string like [{"x":0.5,"y":0.5}]')

    def check_ltx(self) -> None:
        for key in ("firstFrameStrength", "lastFrameStrength", "detailerStrength"):
            self.number(key, 0, 1)
        self.number("identityGuidanceScale", 0, 10)
        self.choice("outpaintPosition", OUTPAINT_POSITIONS)
        nets = self.kf.get("currentControlNetsJob")
        if nets is None or self.workflow != "v2v":
            return
        if not isinstance(nets, list) or len(nets) != 1 or not isinstance(nets[0], dict):
            self.add("keyFrames[0].currentControlNetsJob must hold one {name, controlStrength?}")
            return
        name, strength = nets[0].get("name"), nets[0].get("controlStrength")
        if name not in VIDEO_CONTROLNETS:
            listed = ", ".join(VIDEO_CONTROLNETS)
            self.add(
                f"keyFrames[0].currentControlNetsJob[0].name must be one of {listed}, got {name!r}"
            )
        if strength is not None and (not _is_number(strength) or not 0 <= strength <= 1):
            self.add(
                "keyFrames[0].currentControlNetsJob[0].controlStrength must be a number from 0 "
                f"to 1, got {strength!r}"
            )
        if name == "inpaint" and not self.flag("hasReferenceMask"):
            self.add(
                "the inpaint ControlNet requires referenceMask (keyFrames[0].hasReferenceMask)"
            )

    def loose_counts(self) -> tuple[int, int, int]:
        images = (
            int(self.present.get("referenceImage", False))
            + int(self.present.get("referenceImageEnd", False))
            + len(self.urls["referenceImageURLs"])
        )
        videos = int(self.present.get("referenceVideo", False)) + len(
            self.urls["referenceVideoURLs"]
        )
        audio_file = self.present.get("referenceAudio") or self.present.get(
            "referenceAudioIdentity"
        )
        audios = int(bool(audio_file)) + len(self.urls["referenceAudioURLs"])
        return images, videos, audios

    def check_seedance(self) -> None:
        for key in LINK_KEYS:
            if self.given(key):
                self.add(f"keyFrames[0].{key} is a Wan 3 option, not taken by {self.model_id}")
        images, videos, audios = self.loose_counts()
        limits = self.serving.get("referenceLimits") or [9, 3, 3, 12]
        for count, limit, what in zip(
            (images, videos, audios, images + videos + audios),
            limits,
            ("image assets", "video assets", "audio assets", "total asset files"),
        ):
            if count > limit:
                self.add(f"{self.model_id} supports at most {limit} {what}, got {count}")
        is_25 = bool(self.serving.get("seedance25"))
        task = self.kf.get("seedanceTaskType")
        if task is not None:
            if not is_25:
                self.add("keyFrames[0].seedanceTaskType is supported only by Seedance 2.5")
            elif task not in SEEDANCE_TASKS:
                self.add(
                    f"keyFrames[0].seedanceTaskType must be reference, edit or extend, got {task!r}"
                )
        if not is_25:
            if audios and not (images or videos):
                self.add("Seedance audio references require at least one image or video reference")
            return
        frames_given = self.present.get("referenceImage") or self.present.get("referenceImageEnd")
        loose = bool(self.urls["referenceImageURLs"]) or videos > 0 or audios > 0
        if task is None and loose:
            self.add("Seedance 2.5 loose-reference requests require keyFrames[0].seedanceTaskType")
        if task is not None and frames_given:
            self.add(
                "keyFrames[0].seedanceTaskType is for loose-reference, edit or extend requests; "
                "omit it for first/last-frame generation"
            )
        if task in ("edit", "extend") and not videos:
            self.add(f"Seedance 2.5 {task} requires at least one reference video")
        if task == "reference" and not loose:
            self.add("Seedance 2.5 reference requires at least one loose image, video or audio")

    def check_happyhorse(self) -> None:
        images, videos, audios = self.loose_counts()
        if videos:
            self.add("HappyHorse models do not take reference video")
        if audios:
            self.add("HappyHorse models do not take reference audio")
        if self.present.get("referenceImageEnd"):
            self.add("HappyHorse models do not take a separate end-frame image (referenceImageEnd)")
        for key in LINK_KEYS:
            if self.given(key):
                self.add(f"keyFrames[0].{key} is a Wan 3 option, not taken by {self.model_id}")
        low, high = HAPPYHORSE_R2V_IMAGES
        if self.workflow == "i2v" and images != 1:
            self.add(
                f"HappyHorse i2v requires exactly one first-frame reference image, got {images}"
            )
        elif self.workflow == "r2v" and not low <= images <= high:
            self.add(f"HappyHorse r2v requires between 1 and 9 reference images, got {images}")
        elif self.workflow == "t2v" and images:
            self.add("HappyHorse t2v does not take reference images")

    def check_wan3(self) -> None:
        enhanced = bool(self.serving.get("enhanced"))
        self.choice("ratio", WAN3_RATIOS)
        self.boolean("promptExtend")
        if self.boolean("watermark") is not None and enhanced:
            self.add("Wan 3.0 Enhanced has no watermark option (keyFrames[0].watermark)")
        links = [k for k in LINK_KEYS if self.given(k)]
        for key in links:
            value = self.kf.get(key)
            if not isinstance(value, str) or not value.startswith("https://"):
                self.add(f"keyFrames[0].{key} must be a public https URL")
        if len(links) == 2:
            self.add("Wan 3 takes either one reference file or one reference link, not both")
        if links and enhanced:
            self.add("Wan 3.0 Enhanced does not take document or webpage references")
        if self.present.get("referenceAudioIdentity") or self.present.get("referenceMask"):
            self.add("Wan 3 does not take audio-identity or mask inputs")
        seed = self.kf.get("seed")
        if _is_int(seed) and seed > WAN3_MAX_SEED:
            self.add(f"keyFrames[0].seed must be at most {WAN3_MAX_SEED} for Wan 3, got {seed}")
        first, last = self.present.get("referenceImage"), self.present.get("referenceImageEnd")
        if last and not first and not enhanced:
            self.add("Wan 3 last-frame generation requires a first-frame referenceImage")
        loose = (
            any(self.urls[k] for k in URL_KEYS)
            or self.present.get("referenceVideo")
            or (self.present.get("referenceAudio"))
        )
        if (first or last) and (loose or links):
            self.add("Wan 3 frame anchors cannot be mixed with loose media or file/link references")
        for key, limit in zip(URL_KEYS, WAN3_LIMITS):
            if len(self.urls[key]) > limit:
                self.add(f"keyFrames[0].{key} takes at most {limit} URLs for Wan 3")
        prompt = self.kf.get("positivePrompt")
        has_input = bool(first or last or loose or links)
        if not (isinstance(prompt, str) and prompt.strip()) and not has_input:
            self.add("Wan 3 needs a prompt (keyFrames[0].positivePrompt) or at least one input")

    def check_h3(self) -> None:
        if self.given("audioDuration"):
            self.add("keyFrames[0].audioDuration: MiniMax H3 has no audioDuration input")
        audio_guide = bool(self.serving.get("audioGuide"))
        if audio_guide:
            if self.kf.get("generateAudio") is False:
                self.add(f"{self.model_id} always renders audio: keyFrames[0].generateAudio false")
            if self.kf.get("loras"):
                self.add(f"{self.model_id} does not take LoRAs (keyFrames[0].loras)")
        if self.workflow != "r2v":
            return
        images = int(self.present.get("referenceImage", False)) + sum(
            1 for n in range(1, 17) if self.flag(f"hasContextImage{n}")
        )
        videos = sum(1 for n in range(1, 4) if self.flag(f"hasReferenceVideo{n}")) + int(
            self.flag("hasReferenceVideo")
        )
        audios = sum(1 for n in range(1, 4) if self.flag(f"hasReferenceAudio{n}")) + int(
            self.flag("hasReferenceAudio")
        )
        for count, limit, what in zip(
            (images, videos, audios, images + videos + audios),
            H3_R2V_LIMITS,
            ("images", "videos", "audios", "files"),
        ):
            if count > limit:
                self.add(f"{self.model_id} takes at most {limit} reference {what}, got {count}")
        if not images and not videos:
            self.add(f"{self.model_id} needs at least one reference image or video")
        low, high = H3_REFERENCE_SECONDS
        total = 0.0
        for n in range(1, 4):
            key = f"referenceVideo{n}DurationSeconds"
            value = self.kf.get(key)
            if value is None:
                continue
            if not self.flag(f"hasReferenceVideo{n}"):
                self.add(f"keyFrames[0].{key} has no hasReferenceVideo{n}")
            elif self.number(key, low - H3_SECONDS_SLACK, high + H3_SECONDS_SLACK) is not None:
                total += float(value)
        if total > high + H3_SECONDS_SLACK:
            self.add(f"the reference videos add up to {total:g} s; at most {high:g} s in all")

    def check_keyframes(self, frames: int) -> None:
        slots = [n for n in range(1, 17) if self.flag(f"hasKeyframeImage{n}")]
        indices = self.kf.get("keyframeFrameIndices")
        if not slots:
            if indices is not None:
                self.add("keyFrames[0].keyframeFrameIndices without hasKeyframeImage<n> flags")
            return
        if self.workflow == "t2v":
            self.add(f"{self.model_id} (t2v) does not take keyframes")
            return
        if len(slots) > H3_MAX_KEYFRAMES or slots != list(range(1, len(slots) + 1)):
            self.add(f"keyframes use hasKeyframeImage1..{H3_MAX_KEYFRAMES} in order, got {slots}")
        for n in slots:
            self.require_upload(f"hasKeyframeImage{n}", f"keyframeImage{n}")
        last = frames - 2
        if (
            not isinstance(indices, list)
            or len(indices) != len(slots)
            or not all(_is_int(i) and 1 <= i <= last for i in indices)
            or len(set(indices)) != len(indices)
        ):
            self.add(
                f"keyFrames[0].keyframeFrameIndices must hold {len(slots)} different integers "
                f"from 1 to {last} (one per keyframe image), got {indices!r}"
            )

    def check_flashvsr(self) -> None:
        if self.payload.get("numberOfImages", 1) != 1:
            self.add("numberOfImages must be 1 for FlashVSR upscaling")
        resolutions = self.tier.get("outputResolutions") or [1080, 1440]
        value = self.kf.get("upscaleResolution")
        if value is not None and value not in resolutions:
            listed = " or ".join(str(r) for r in resolutions)
            self.add(f"keyFrames[0].upscaleResolution must be {listed}, got {value!r}")
        self.choice("detailPreference", FLASHVSR_DETAIL)
        self.choice("processingSpeed", FLASHVSR_SPEED)
        for key in ("positivePrompt", "negativePrompt"):
            text = self.kf.get(key)
            if isinstance(text, str) and text.strip():
                self.add(f"keyFrames[0].{key} must be empty: FlashVSR is promptless")
        for key in ("teacacheThreshold", "videoStart"):
            if self.given(key):
                self.add(f"keyFrames[0].{key} is not a FlashVSR option")
        if self.kf.get("trimEndFrame") is True:
            self.add("keyFrames[0].trimEndFrame is not a FlashVSR option")
        if self.kf.get("generateAudio") is False:
            self.add("FlashVSR keeps the source audio: keyFrames[0].generateAudio false")


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
    """Check an audio key frame against its tier's ranges and lists (protocol/02 §5, §7.7)."""
    check = _Check(storage, account, job_id, model, tier, serving, payload, problems)
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
        if isinstance(value, str) and _is_int(limit) and len(value) > limit:
            check.add(f"keyFrames[0].{key} is {len(value)} characters; at most {limit}")
        if spec.get("required") and not (isinstance(value, str) and value.strip()):
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
    if _is_number(value):
        seconds = Decimal(str(value))
    elif isinstance(spec, dict) and _is_number(spec.get("default")):
        seconds = Decimal(str(spec["default"]))
    else:
        seconds = SPEECH_SECONDS
    return MediaPlan(family=check.family, workflow=None, width=0, height=0, duration=seconds)
