"""Server-side validation of video ``jobRequest`` key frames, family by family.

The rules, tables and frame math shared with the audio checks are in ``_mediacheck``; this
module applies them to the video families and workflows (the catalog's ``serving`` section
names them).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._mediacheck import (
    _ASSET_ORDER,
    _DURATIONS,
    _F,
    _H3_WORKFLOW_ASSETS,
    _R,
    _WORKFLOW_ASSETS,
    DEFAULT_SECONDS,
    DOCUMENTED_SHIFT,
    FLASHVSR_DETAIL,
    FLASHVSR_SPEED,
    FREE_FPS_RANGE,
    H3_BASE_FRAMES,
    H3_FRAME_STEP,
    H3_GRID,
    H3_MAX_FRAMES,
    H3_MAX_KEYFRAMES,
    H3_R2V_LIMITS,
    H3_REFERENCE_SECONDS,
    H3_SECONDS_SLACK,
    HAPPYHORSE_R2V_IMAGES,
    LINK_KEYS,
    OUTPAINT_POSITIONS,
    SEEDANCE_25_MAX_SECONDS,
    SEEDANCE_TASKS,
    SINGLE_ASSETS,
    URL_EDGE,
    URL_KEYS,
    VENDOR_FAMILIES,
    VIDEO_CONTROLNETS,
    WAN3_LIMITS,
    WAN3_MAX_SEED,
    WAN3_RATIOS,
    KeyFrameCheck,
    MediaPlan,
    default_video_fps,
    fmt_number,
    frames_for_seconds,
    is_int,
    is_number,
    js_blank,
    video_base_size,
    video_seconds,
)

if TYPE_CHECKING:
    from ._state import FakeAccount
    from ._storage import Storage

__all__ = ["check_video"]


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


class _VideoCheck(KeyFrameCheck):
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
            if is_number(value) and value in allowed:
                return float(value) if not is_int(value) else int(value)
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
            if isinstance(spec, dict) and is_int(spec.get("default")):
                return int(spec["default"])
            seconds = max(DEFAULT_SECONDS, self.duration_bounds()[0])
            return frames_for_seconds(self.family, seconds, fps)
        fallback = frames_for_seconds(self.family, DEFAULT_SECONDS, fps)
        if not is_int(value) or value < 1:
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
                f"{fmt_number(min_s)} to {fmt_number(max_s)}"
                if max_s is not None
                else f"at least {fmt_number(min_s)}"
            )
            self.add(
                f"keyFrames[0].frames {frames} at {fmt_number(fps)} fps is {seconds:.2f} s; "
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
            if not is_int(value) or not low <= value <= high:
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
        if is_int(max_pixels) and sizes[0] * sizes[1] > max_pixels:
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
            isinstance(u, str) and u.strip(URL_EDGE).lower().startswith(("https://", "http://"))
            for u in value
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
            # The documented sampling-shift range for tiers that give none.
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
            self.number(key, float(low) if is_number(low) else 0.0, None)
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
            isinstance(p, dict) and is_number(p.get("x")) and is_number(p.get("y")) for p in points
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
        if strength is not None and (not is_number(strength) or not 0 <= strength <= 1):
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
        if is_int(seed) and seed > WAN3_MAX_SEED:
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
        if not (isinstance(prompt, str) and not js_blank(prompt)) and not has_input:
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
            or not all(is_int(i) and 1 <= i <= last for i in indices)
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
            if isinstance(text, str) and not js_blank(text):
                self.add(f"keyFrames[0].{key} must be empty: FlashVSR is promptless")
        for key in ("teacacheThreshold", "videoStart"):
            if self.given(key):
                self.add(f"keyFrames[0].{key} is not a FlashVSR option")
        if self.kf.get("trimEndFrame") is True:
            self.add("keyFrames[0].trimEndFrame is not a FlashVSR option")
        if self.kf.get("generateAudio") is False:
            self.add("FlashVSR keeps the source audio: keyFrames[0].generateAudio false")
