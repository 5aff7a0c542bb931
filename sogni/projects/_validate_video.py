"""Video checks, collected like the image checks.

The official TypeScript client checks, before sending: export options, which models take
``context_images`` and the numbered H3 reference lists, the workflow's required and forbidden
media (§7.5), the Seedance, HappyHorse, Wan 3, FlashVSR and MiniMax H3 rules, the duration
range of each family, ``teacache_threshold`` 0..1, ControlNet strength 0..1, a 480 px video
minimum and the sampler/scheduler lists. This module checks all of them and, because a refusal
is cheaper before the uploads, this documented superset:

* every value's type; ``frames`` a positive integer and not together with ``duration``;
  ``width``/``height`` integers given together, within the tier's maximum and pixel budget;
* ``fps``: 16 or 32 on WAN 2.2, 1-60 on LTX and FlashVSR, 24 on Seedance and HappyHorse
  (documented as fixed), and the tier's ``fps`` list when it declares one;
* ``steps``, ``guidance`` and ``shift`` inside the tier's ranges (``shift`` 1-8 on WAN/LTX
  when the tier gives none), ``audio_start``/``video_start`` >= 0 and ``audio_duration`` > 0
  (and the tier's minimums), first/last-frame and detailer strengths 0..1,
  ``audio_identity_strength`` 0..10;
* Seedance output sizes inside the documented classes (2.0 up to 4K, Mini/Fast 720p, 2.5
  1080p, as the short edge on the 32 px grid: 2176, 736, 1088);
* Seedance, HappyHorse and Wan 3 are Spark-only (``token_type="sogni"`` is refused) and take
  no negative prompt (the official client drops it silently);
* inputs that would be dropped silently are refused: ``reference_mask`` without an
  ``inpaint`` ControlNet, ``control_net`` off the LTX v2v models, the Wan 3 options
  (``prompt_extend``, ``watermark``, ``ratio``, ``reference_file_url``, ``reference_link_url``)
  on other models, ``sam2_coordinates`` off animate-replace, and ``reference_audio`` together
  with ``reference_audio_identity`` (both upload to the one ``referenceAudio`` slot);
* MiniMax H3 ``keyframes`` (newer Python SDK): H3 i2v/flf2v/audio-guide/r2v ids only, at most
  8, each frame index an unused integer in 1 .. frames - 2.

This module is the walk every video project takes; each family's own rules live in its module
under :mod:`sogni.projects.families`, which the walk asks in this order: the options other
families own (``refuse``), the references (``check_references``), the family's rules
(``validate``), then the shared ControlNet, timing (``check_fps``, ``check_duration``) and size
(``check_size``) checks.

Media is uploaded in the official client's order: reference image, H3 context images,
keyframe images, end image, audio, audio identity, video, H3 numbered audios and videos, mask.
"""

from __future__ import annotations

from typing import Any, Final

from .._wire.js import trim
from ._checks import MAX_SEED, MediaSlot, Problems, alias, check_choice, check_common, model_options
from .catalog import Catalog, VideoModelOptions, sampler_alias, scheduler_alias
from .families import VideoCheck, VideoFamily, registered_families, video_family
from .families._base import with_defaults
from .families._video import URL_FIELDS, ts_name
from .media import MediaKind
from .params import Sam2Coordinate, VideoControlNetParams, VideoKeyframe, VideoProjectParams

__all__ = ["MAX_KEYFRAMES", "VIDEO_CONTROLNET_NAMES", "validate_video"]

VIDEO_CONTROLNET_NAMES: Final = ("canny", "pose", "depth", "detailer", "outpaint", "inpaint")
OUTPAINT_POSITIONS: Final = ("center", "top", "bottom", "left", "right")
VIDEO_OUTPUT_FORMATS: Final = ("mp4", "mov")
# The request has eight hasKeyframeImageN keys.
MAX_KEYFRAMES: Final = 8


def validate_video(params: Any, catalog: Catalog, p: Problems) -> list[MediaSlot]:
    assert isinstance(params, VideoProjectParams)
    model = params.model_id if isinstance(params.model_id, str) else ""
    family = video_family(model)
    params = with_defaults(params, family)
    options = model_options(params, catalog, p)
    tier = options if isinstance(options, VideoModelOptions) else None
    if tier is not None and family is None:
        p.add("model_id", "Video generation is only supported for video models.")
    check = VideoCheck(params, model, tier, p, family)
    _run(check)
    return check.slots


def _run(check: VideoCheck) -> None:
    params, tier, family = check.params, check.tier, check.family
    check_common(
        params,
        check.p,
        steps=tier.steps if tier is not None and (family is None or family.tier_steps) else None,
        guidance=tier.guidance
        if tier is not None and (family is None or family.tier_guidance)
        else None,
        seed_range=family.seed_range(check.model_id) if family is not None else (0, MAX_SEED),
    )
    _check_types(check)
    if family is None:
        return
    _check_option_types(check)
    for other in registered_families("video"):
        if other is not family:
            assert isinstance(other, VideoFamily)
            other.refuse(check)
    family.check_references(check)
    family.validate(check)
    _check_control_net_media(check)
    _check_timing(check, family)
    family.check_size(check)
    _collect_media(check, family)


# ---------------------------------------------------------------------------- types


def _check_types(check: VideoCheck) -> None:
    params, p, tier, family = check.params, check.p, check.tier, check.family
    check.number("duration")
    check.number("frames", 1, integer=True)
    check.number("fps")
    if check.ok.get("fps") is not None and check.ok["fps"] <= 0:
        p.add("fps", f"must be greater than 0, got {params.fps!r}")
        del check.ok["fps"]
    check.number("width", 1, integer=True)
    check.number("height", 1, integer=True)
    shift = tier.shift if tier else None
    if shift is None and family is not None:
        shift = family.shift_range(check.model_id)
    check.number("shift", *((shift.min, shift.max) if shift else (None, None)))
    check.number("teacache_threshold", 0, 1)
    for name, floor in (
        ("audio_start", tier.audio_start if tier else None),
        ("video_start", tier.video_start if tier else None),
    ):
        check.number(name, max(0, floor.min) if floor else 0)
    floor = tier.audio_duration if tier else None
    check.number("audio_duration", floor.min if floor else 0)
    if check.ok.get("audio_duration") == 0:
        p.add("audio_duration", "must be greater than 0")
    for name in ("first_frame_strength", "last_frame_strength", "detailer_strength"):
        check.number(name, 0, 1)
    check.number("audio_identity_strength", 0, 10)
    check.number("upscale_resolution", integer=True)
    for name in ("generate_audio", "prompt_extend", "watermark", "return_last_frame"):
        if p.boolean(name, getattr(params, name)):
            check.ok[name] = getattr(params, name)
    p.boolean("trim_end_frame", params.trim_end_frame)
    p.string("output_format", params.output_format, choices=VIDEO_OUTPUT_FORMATS)
    if family is not None:
        p.string("outpaint_position", params.outpaint_position, choices=OUTPAINT_POSITIONS)
        p.string("ratio", params.ratio)
    for name in URL_FIELDS:
        _check_url_list(check, name)
    for name in ("reference_file_url", "reference_link_url"):
        if p.string(name, getattr(params, name)):
            check.ok[name] = getattr(params, name)
    durations = params.reference_video_durations
    if p.sequence("reference_video_durations", durations) and all(
        [p.number(f"reference_video_durations[{i}]", d) for i, d in enumerate(durations)]
    ):
        check.ok["reference_video_durations"] = durations
    for name in ("context_images", "reference_audios", "reference_videos"):
        value = getattr(params, name)
        if p.sequence(name, value):
            if any(item is None for item in value):
                p.add(
                    name,
                    "must not contain empty entries: reference ordinals follow the list "
                    "position, so a hole would renumber every later reference",
                )
            else:
                check.ok[name] = value
    _check_choices(check)


def _check_url_list(check: VideoCheck, name: str) -> None:
    value = getattr(check.params, name)
    if not check.p.sequence(name, value):
        return
    if any(not isinstance(url, str) or not trim(url) for url in value):
        check.add(name, f"{ts_name(name)} must contain only non-empty URL strings.")
        return
    check.ok[name] = tuple(trim(url) for url in value)


def _check_choices(check: VideoCheck) -> None:
    tier = check.tier
    check_choice(
        check.p,
        "sampler",
        alias(check.params.sampler, sampler_alias),
        tier.sampler.allowed if tier else (),
        "sampler",
    )
    check_choice(
        check.p,
        "scheduler",
        alias(check.params.scheduler, scheduler_alias),
        tier.scheduler.allowed if tier else (),
        "scheduler",
    )


def _check_option_types(check: VideoCheck) -> None:
    """The structured options whose use the families then judge: ``sam2_coordinates``,
    ``control_net`` and ``keyframes`` (``ok`` holds each when its shape is usable)."""
    params, p = check.params, check.p
    coordinates = params.sam2_coordinates
    if coordinates is not None and p.sequence("sam2_coordinates", coordinates):
        for i, point in enumerate(coordinates):
            where = f"sam2_coordinates[{i}]"
            if p.instance(where, point, Sam2Coordinate):
                p.number(f"{where}.x", point.x, 0)
                p.number(f"{where}.y", point.y, 0)
        check.ok["sam2_coordinates"] = coordinates
    cn = params.control_net
    if p.instance("control_net", cn, VideoControlNetParams):
        assert isinstance(cn, VideoControlNetParams)
        if cn.name is None:
            p.add("control_net.name", "is required")
        elif p.string("control_net.name", cn.name, choices=VIDEO_CONTROLNET_NAMES):
            check.ok["control_net.name"] = cn.name
        p.number("control_net.strength", cn.strength, 0, 1)
        check.ok["control_net"] = cn
    keyframes = params.keyframes
    if p.sequence("keyframes", keyframes) and keyframes:
        check.ok["keyframes"] = keyframes


# ---------------------------------------------------------------------------- shared rules


def _check_control_net_media(check: VideoCheck) -> None:
    """The mask goes with an ``inpaint`` ControlNet; one ``referenceAudio`` slot."""
    params = check.params
    name = check.ok.get("control_net.name")
    if name == "inpaint" and params.reference_mask is None:
        check.add("reference_mask", "control_net 'inpaint' needs a reference_mask")
    elif (
        params.reference_mask is not None
        and name != "inpaint"
        and "forbidden:reference_mask" not in check.ok
    ):
        check.add("reference_mask", "is only used with control_net name 'inpaint'")
    if (
        params.reference_audio is not None
        and params.reference_audio_identity is not None
        and "forbidden:reference_audio_identity" not in check.ok
        and "forbidden:reference_audio" not in check.ok
    ):
        check.add(
            "reference_audio_identity",
            "reference_audio and reference_audio_identity upload to the same referenceAudio "
            "slot; give one of them",
        )


def _check_timing(check: VideoCheck, family: VideoFamily) -> None:
    p, params, model, tier = check.p, check.params, check.model_id, check.tier
    fps = check.ok.get("fps")
    if fps is not None:
        allowed = tier.fps.allowed if tier and tier.fps else ()
        if family.check_fps(check, fps) and family.tier_fps and allowed and fps not in allowed:
            p.add("fps", "must be one of " + ", ".join(f"{v:g}" for v in allowed))
    if params.duration is not None and params.frames is not None:
        p.add("frames", "give duration or frames, not both (frames is deprecated)")
    duration = check.ok.get("duration")
    if duration is not None:
        family.check_duration(check, duration, fps)
    frames = check.ok.get("frames")
    tier_frames = tier.frames if tier else None
    if (
        frames is not None
        and tier_frames is not None
        and family.tier_frames
        and not tier_frames.min <= frames <= tier_frames.max
    ):
        p.add("frames", f"must be {tier_frames.min:g} to {tier_frames.max:g} for {model}")


# ---------------------------------------------------------------------------- media (upload order)


def _collect_media(check: VideoCheck, family: VideoFamily) -> None:
    params = check.params
    numbered = family.numbered_references(check.model_id)
    if params.reference_image is not None:
        check.media("referenceImage", "reference_image", params.reference_image)
    offset = 1 if params.reference_image is not None else 0
    for i, image in enumerate(check.ok.get("context_images", ())):
        check.media(f"contextImage{offset + i + 1}", f"context_images[{i}]", image)
    if isinstance(params.keyframes, tuple):
        for i, keyframe in enumerate(params.keyframes[:MAX_KEYFRAMES]):
            if isinstance(keyframe, VideoKeyframe) and keyframe.image is not None:
                check.media(f"keyframeImage{i + 1}", f"keyframes[{i}].image", keyframe.image)
    if params.reference_image_end is not None:
        check.media("referenceImageEnd", "reference_image_end", params.reference_image_end)
    if not numbered and params.reference_audio is not None:
        check.media("referenceAudio", "reference_audio", params.reference_audio, "audio")
    if params.reference_audio_identity is not None:
        check.media(
            "referenceAudio",
            "reference_audio_identity",
            params.reference_audio_identity,
            "audio",
        )
    if not numbered and params.reference_video is not None:
        check.media("referenceVideo", "reference_video", params.reference_video, "video")
    if numbered:
        kinds: tuple[tuple[str, MediaKind, str, str], ...] = (
            ("referenceAudio", "audio", "reference_audio", "reference_audios"),
            ("referenceVideo", "video", "reference_video", "reference_videos"),
        )
        for slot, kind, single, many in kinds:
            first = getattr(params, single)
            named = [(single, first)] if first is not None else []
            named += [(f"{many}[{i}]", v) for i, v in enumerate(check.ok.get(many, ()))]
            for n, (param, value) in enumerate(named, 1):
                check.media(slot, param, value, kind, upload_id=f"{slot}{n}")
    if params.reference_mask is not None and check.ok.get("control_net.name") == "inpaint":
        check.media("referenceMask", "reference_mask", params.reference_mask)
