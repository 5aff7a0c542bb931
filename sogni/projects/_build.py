"""Build the exact ``jobRequest`` body from validated parameters.

Call :func:`sogni.projects._validation.validate` first: the builder trusts its input. Where the
official clients disagree the body follows the TypeScript SDK, including the JavaScript rules it
rests on (:mod:`sogni._wire.js`): one number type, so a whole float (``7.0``, ``1 - 2.0``) is
sent as ``7``; ``trim``'s whitespace; a parameter left unset is a key left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from .._wire.converter import unstructure
from .._wire.fields import OMIT, Omit
from .._wire.job_request import (
    AudioKeyFrame,
    ControlNetJob,
    ImageKeyFrame,
    JobRequest,
    VideoControlNetJob,
    VideoKeyFrame,
    WorldGenerationReceiptWire,
)
from .._wire.js import omit_none, stringify, trim
from ._checks import MediaSlot
from ._numbers import js_number
from ._numbers import opt_number as _opt_number
from ._validate_audio import time_signature
from ._validation import CONTROLNET_MODES
from .catalog import (
    AudioModelOptions,
    Catalog,
    ImageModelOptions,
    VideoModelOptions,
    sampler_alias,
    scheduler_alias,
)
from .families import VideoFamily, audio_family, image_family, video_family
from .families._base import with_defaults
from .params import (
    AudioProjectParams,
    ImageProjectParams,
    ProjectParams,
    VideoProjectParams,
    WorkloadAttribution,
    WorldGenerationReceipt,
)

__all__ = ["build_job_request", "js_number", "resolve_attribution"]


def build_job_request(
    params: ProjectParams,
    *,
    job_id: str,
    catalog: Catalog,
    app_source: str | None,
    slots: Sequence[MediaSlot],
) -> dict[str, Any]:
    """The JSON-ready ``jobRequest`` body for a validated project.

    ``app_source`` is the client-level default, used (trimmed, as the official client keeps it)
    when ``params.app_source`` is unset or empty.
    ``slots`` are the uploaded media (video and audio bodies carry their content types; image
    bodies only carry ``has*`` flags, so the image builder does not need them).
    """
    builder = _BUILDERS[params.type]
    request = builder(params, job_id, catalog, trim(app_source or "") or None, slots)
    body: dict[str, Any] = unstructure(request)
    return body


# ---------------------------------------------------------------------------- shared parts


def _receipt(receipt: WorldGenerationReceipt | None) -> WorldGenerationReceiptWire | Omit:
    if receipt is None:
        return OMIT
    if receipt.stage == "target_still":
        return WorldGenerationReceiptWire(
            stage=receipt.stage,
            source_image_sha256=str(receipt.source_image_sha256).lower(),
            selection_hash=str(receipt.selection_hash).lower(),
        )
    return WorldGenerationReceiptWire(
        stage=receipt.stage,
        first_frame_sha256=str(receipt.first_frame_sha256).lower(),
        last_frame_sha256=str(receipt.last_frame_sha256).lower(),
    )


def common_key_frame_fields(params: ProjectParams) -> dict[str, Any]:
    """Key-frame fields every media type sets the same way."""
    return {
        "steps": _opt_number(params.steps),
        "guidance_scale": _opt_number(params.guidance),
        "model_id": params.model_id,
        "seed": _opt_number(params.seed),
        "positive_prompt": omit_none(params.positive_prompt),
        "style_prompt": params.style_prompt or "",
        "loras": list(params.loras) if params.loras else OMIT,
        "lora_strengths": [js_number(s) for s in params.lora_strengths]
        if params.lora_strengths
        else OMIT,
        "world_generation_receipt": _receipt(params.world_generation_receipt),
    }


_AGENT_FIELDS: Final = (
    "agent_framework",
    "agent_framework_version",
    "agent_surface",
    "agent_surface_version",
    "execution_mode",
)


def resolve_attribution(
    attribution: WorkloadAttribution | None, fallback_operation_id: str
) -> dict[str, str]:
    """The flat attribution fields of a request, snake_case keys.

    Strings are trimmed (JavaScript's ``trim``); an operation id defaults to the project id;
    the scope is derived
    from the lineage (``top_level`` roots itself, ``child`` inherits its root as parent).
    """
    if attribution is None:
        return {}
    result: dict[str, str] = {}
    for name in ("workload_kind", *_AGENT_FIELDS, "operation_scope"):
        value = getattr(attribution, name)
        if isinstance(value, str) and trim(value):
            result[name] = trim(value)
    for name in ("operation_id", "root_operation_id", "parent_operation_id"):
        value = getattr(attribution, name)
        if value:
            result[name] = value
    if result.get("workload_kind", "agent_mediated") != "agent_mediated":
        result.pop("agent_framework", None)
        result.pop("agent_framework_version", None)
    if not result:
        return {}
    result.setdefault("operation_id", fallback_operation_id)
    operation_id = result["operation_id"]
    root, parent = result.get("root_operation_id"), result.get("parent_operation_id")
    if "operation_scope" not in result:
        child = parent is not None or (root is not None and root != operation_id)
        result["operation_scope"] = "child" if child else "top_level"
    if result["operation_scope"] == "child" and root and not parent:
        result["parent_operation_id"] = root
    if result["operation_scope"] == "top_level":
        result["root_operation_id"] = operation_id
        result.pop("parent_operation_id", None)
    return result


def job_request_fields(
    params: ProjectParams, job_id: str, app_source: str | None, output_format: str
) -> dict[str, Any]:
    """Top-level fields every media type sets the same way."""
    source = params.app_source or app_source
    return {
        "job_id": job_id,
        "disable_safety": bool(params.disable_nsfw_filter),
        "token_type": params.token_type or OMIT,
        "billing_mode": params.billing_mode or OMIT,
        "output_format": output_format,
        **resolve_attribution(params.attribution, job_id),
        "network": params.network or OMIT,
        "app_source": source or OMIT,
    }


# ---------------------------------------------------------------------------- image


def _control_net(params: ImageProjectParams) -> list[ControlNetJob] | Omit:
    cn = params.control_net
    if cn is None:
        return OMIT
    return [
        ControlNetJob(
            name=cn.name,
            has_image=cn.image is not None,
            control_strength=_opt_number(cn.strength),
            control_mode=CONTROLNET_MODES[cn.mode] if cn.mode else OMIT,
            control_guidance_start=_opt_number(cn.guidance_start),
            control_guidance_end=_opt_number(cn.guidance_end),
        )
    ]


def _choice(value: str | None, allowed: Sequence[str], alias: Callable[[str], str]) -> str | None:
    """The validated value, or null when unset or when the model offers no choice."""
    if not value or not allowed:
        return None
    return alias(value)


def _build_image(
    params: ProjectParams,
    job_id: str,
    catalog: Catalog,
    app_source: str | None,
    slots: Sequence[MediaSlot],
) -> JobRequest:
    assert isinstance(params, ImageProjectParams)
    family = image_family(params.model_id)
    params = with_defaults(params, family)
    options = catalog.model_options(params.model_id)
    assert isinstance(options, ImageModelOptions)
    model = params.model_id
    kf: dict[str, Any] = common_key_frame_fields(params)
    kf["negative_prompt"] = params.negative_prompt or ""

    preset = params.size_preset or ("custom" if params.width and params.height else None)
    kf["size_preset"] = preset or OMIT
    if preset == "custom" and params.width and params.height:
        kf["width"] = js_number(params.width)
        kf["height"] = js_number(params.height)

    for index, image in enumerate(params.context_images[:16]):
        kf[f"has_context_image{index + 1}"] = image is not None

    sampler = _choice(params.sampler, options.sampler.allowed, sampler_alias)
    scheduler = _choice(params.scheduler, options.scheduler.allowed, scheduler_alias)
    if family.comfy_names(model):
        kf["comfy_sampler"] = sampler
        kf["comfy_scheduler"] = scheduler
        kf["vae"] = _choice(params.vae, options.vae.allowed if options.vae else (), str)
    else:
        kf["scheduler"] = sampler
        kf["time_step_spacing"] = scheduler

    if params.starting_image is not None:
        kf["has_starting_image"] = True
        kf["strength_is_enabled"] = True
        keep = params.starting_image_strength or 0.5
        kf["strength"] = js_number(1 - keep)

    kf["current_control_nets_job"] = _control_net(params)
    family.write_key_frame(params, kf)
    return JobRequest(
        key_frames=[ImageKeyFrame(**kf)],
        previews=params.number_of_previews or 0 if family.takes_previews else 0,
        number_of_images=1 if family.single_output else params.number_of_media or 1,
        **job_request_fields(params, job_id, app_source, family.output_format(params)),
    )


# ---------------------------------------------------------------------------- video

# Upload slot -> the key frame field that carries the uploaded file's content type.
_CONTENT_TYPE_FIELDS: Final = {
    "referenceImage": "reference_image_content_type",
    "referenceImageEnd": "reference_image_end_content_type",
    "referenceAudio": "reference_audio_content_type",
    "referenceVideo": "reference_video_content_type",
    "referenceMask": "reference_mask_content_type",
    **{f"referenceAudio{n}": f"reference_audio{n}_content_type" for n in (1, 2, 3)},
    **{f"referenceVideo{n}": f"reference_video{n}_content_type" for n in (1, 2, 3)},
}


def _set_if_given(kf: dict[str, Any], params: Any, *names: str) -> None:
    for name in names:
        value = getattr(params, name)
        if value is not None:
            kf[name] = js_number(value) if isinstance(value, float) else value


def _video_references(params: VideoProjectParams, family: VideoFamily, kf: dict[str, Any]) -> None:
    """The ``has*`` flags and URL lists; numbered sets for families that number them."""
    if params.reference_image is not None:
        kf["has_reference_image"] = True
    if family.numbered_references(params.model_id):
        offset = 1 if params.reference_image is not None else 0
        for index in range(len(params.context_images)):
            kf[f"has_context_image{offset + index + 1}"] = True
        audios = (params.reference_audio is not None) + len(params.reference_audios)
        for n in range(1, audios + 1):
            kf[f"has_reference_audio{n}"] = True
        videos = (params.reference_video is not None) + len(params.reference_videos)
        for n in range(1, videos + 1):
            kf[f"has_reference_video{n}"] = True
            if n <= len(params.reference_video_durations):
                seconds = params.reference_video_durations[n - 1]
                kf[f"reference_video{n}_duration_seconds"] = js_number(seconds)
    else:
        if params.reference_audio is not None:
            kf["has_reference_audio"] = True
        if params.reference_video is not None:
            kf["has_reference_video"] = True
    for name in ("reference_image_urls", "reference_audio_urls", "reference_video_urls"):
        urls = getattr(params, name)
        if urls:
            kf[name] = list(urls)
    if params.reference_image_end is not None:
        kf["has_reference_image_end"] = True
    if params.reference_mask is not None and _video_cn_name(params) == "inpaint":
        kf["has_reference_mask"] = True
    if params.reference_audio_identity is not None:
        kf["has_reference_audio_identity"] = True


def _video_cn_name(params: VideoProjectParams) -> str | None:
    return params.control_net.name if params.control_net is not None else None


def _video_timing(params: VideoProjectParams, family: VideoFamily, kf: dict[str, Any]) -> None:
    """``fps`` (only where a default applies when unset) and ``frames`` by the family rule."""
    model = params.model_id
    fps = params.fps if params.fps is not None else family.default_fps(model)
    if fps is not None:
        kf["fps"] = js_number(fps)
    if params.frames is not None:
        kf["frames"] = params.frames
    elif params.duration is not None:
        kf["frames"] = family.frames(model, params.duration, params.fps)


def _video_content_types(slots: Sequence[MediaSlot], kf: dict[str, Any]) -> None:
    """Content types of the uploaded files, as the official client adds them after upload."""
    for slot in slots:
        if slot.source.param == "reference_audio_identity":
            kf["reference_audio_identity_content_type"] = slot.source.content_type
        field = _CONTENT_TYPE_FIELDS.get(slot.upload_id or slot.slot)
        if field is not None:
            kf[field] = slot.source.content_type


def _build_video(
    params: ProjectParams,
    job_id: str,
    catalog: Catalog,
    app_source: str | None,
    slots: Sequence[MediaSlot],
) -> JobRequest:
    assert isinstance(params, VideoProjectParams)
    family = video_family(params.model_id)
    assert family is not None, "validate() refuses a video id no family claims"
    params = with_defaults(params, family)
    options = catalog.model_options(params.model_id)
    assert isinstance(options, VideoModelOptions)
    kf: dict[str, Any] = common_key_frame_fields(params)
    if family.sends_negative_prompt:
        kf["negative_prompt"] = params.negative_prompt or ""
    else:
        kf["negative_prompt"] = OMIT
    _video_references(params, family, kf)
    _set_if_given(
        kf,
        params,
        "generate_audio",
        "reference_file_url",
        "reference_link_url",
        "prompt_extend",
        "watermark",
        "ratio",
        "return_last_frame",
        "seedance_task_type",
    )
    if params.audio_identity_strength is not None:
        kf["identity_guidance_scale"] = js_number(params.audio_identity_strength)
    _video_timing(params, family, kf)
    _set_if_given(
        kf, params, "shift", "teacache_threshold", "audio_start", "audio_duration", "video_start"
    )
    for index in range(len(params.keyframes)):
        kf[f"has_keyframe_image{index + 1}"] = True
    if params.keyframes:
        kf["keyframe_frame_indices"] = [k.frame_index for k in params.keyframes]
    if params.sam2_coordinates is not None:
        points = [{"x": c.x, "y": c.y} for c in params.sam2_coordinates]
        kf["sam2_coordinates"] = stringify(points)
    if params.trim_end_frame:
        kf["trim_end_frame"] = True
    _set_if_given(kf, params, "first_frame_strength", "last_frame_strength")
    if params.control_net is not None:
        strength = params.control_net.strength
        kf["current_control_nets_job"] = [
            VideoControlNetJob(name=params.control_net.name, control_strength=_opt_number(strength))
        ]
    _set_if_given(kf, params, "detailer_strength")
    if params.width and params.height:
        kf["width"], kf["height"] = params.width, params.height
    _set_if_given(kf, params, "outpaint_position")
    kf["comfy_sampler"] = _choice(params.sampler, options.sampler.allowed, sampler_alias)
    kf["comfy_scheduler"] = _choice(params.scheduler, options.scheduler.allowed, scheduler_alias)
    family.write_key_frame(params, kf)
    _video_content_types(slots, kf)
    return JobRequest(
        key_frames=[VideoKeyFrame(**kf)],
        number_of_images=params.number_of_media or 1,
        **job_request_fields(params, job_id, app_source, params.output_format or "mp4"),
    )


# ---------------------------------------------------------------------------- audio


def _build_audio(
    params: ProjectParams,
    job_id: str,
    catalog: Catalog,
    app_source: str | None,
    slots: Sequence[MediaSlot],
) -> JobRequest:
    assert isinstance(params, AudioProjectParams)
    family = audio_family(params.model_id)
    params = with_defaults(params, family)
    options = catalog.model_options(params.model_id)
    assert isinstance(options, AudioModelOptions)
    kf: dict[str, Any] = common_key_frame_fields(params)
    _set_if_given(kf, params, "duration", "bpm")
    if params.time_signature is not None:
        kf["timesignature"] = time_signature(params.time_signature)
    _set_if_given(
        kf,
        params,
        "language",
        "lyrics",
        "keyscale",
        "composer_mode",
        "prompt_strength",
        "creativity",
        "shift",
        "speaker",
        "instruct",
        "reference_text",
    )
    if params.reference_audio is not None:
        kf["has_reference_audio"] = True
    sampler = options.sampler.allowed if options.sampler else ()
    scheduler = options.scheduler.allowed if options.scheduler else ()
    kf["comfy_sampler"] = _choice(params.sampler, sampler, sampler_alias)
    kf["comfy_scheduler"] = _choice(params.scheduler, scheduler, scheduler_alias)
    family.write_key_frame(params, kf)
    for slot in slots:
        kf["reference_audio_content_type"] = slot.source.content_type
    return JobRequest(
        key_frames=[AudioKeyFrame(**kf)],
        number_of_images=params.number_of_media or 1,
        **job_request_fields(params, job_id, app_source, params.output_format or "mp3"),
    )


_Builder = Callable[[Any, str, Catalog, "str | None", Sequence[MediaSlot]], JobRequest]
_BUILDERS: Final[dict[str, _Builder]] = {
    "image": _build_image,
    "video": _build_video,
    "audio": _build_audio,
}
