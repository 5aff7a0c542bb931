"""Project parameters: frozen attrs classes with snake_case names, and :func:`make_params`.

The classes hold what the caller asked for, unchanged except that lists become tuples and
nested mappings (``control_net={...}``) become their classes. Types and ranges are checked by
:func:`sogni.projects._validation.validate`, which reports every problem at once; a misspelled
keyword is a ``TypeError`` naming the closest valid name, raised here.

Every field records the TypeScript SDK's name for it; :data:`PARAM_NAMES_TS` is that table.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Final, TypeAlias, TypeVar, cast

import attrs

from ..errors import ValidationError, ValidationProblem
from .media import MediaInput

__all__ = [
    "PARAM_NAMES_TS",
    "PROJECT_TYPES",
    "AudioProjectParams",
    "ControlNetParams",
    "ImageProjectParams",
    "ProjectParams",
    "Sam2Coordinate",
    "Sam3Box",
    "Sam3Point",
    "Sam3Prompt",
    "VideoControlNetParams",
    "VideoKeyframe",
    "VideoProjectParams",
    "WorkloadAttribution",
    "WorldGenerationReceipt",
    "make_params",
]

TS_KEY: Final = "sogni.ts"
_T = TypeVar("_T")


def _p(ts_name: str, **kwargs: Any) -> Any:
    """A parameter field that records the TypeScript SDK's name for it."""
    metadata = dict(kwargs.pop("metadata", {}) or {})
    metadata[TS_KEY] = ts_name
    return attrs.field(metadata=metadata, **kwargs)


def _media_repr(value: Any) -> str:
    """Media in reprs: paths as given, buffers and streams summarised (never their bytes)."""
    if isinstance(value, (tuple, list)):
        return (
            "(" + ", ".join(_media_repr(v) for v in value) + ("," if len(value) == 1 else "") + ")"
        )
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{type(value).__name__} of {len(value)} bytes>"
    if value is None or isinstance(value, (str, os.PathLike)):
        return repr(value)
    return f"<{type(value).__name__}>"


def _media(ts_name: str, **kwargs: Any) -> Any:
    return _p(ts_name, repr=_media_repr, **kwargs)


# Retired request fields: naming them gets this explanation instead of a spelling hint.
_RETIRED: Final = {
    "output_scale": (
        "outputScale is retired; for MiniMax H3 1080p or 2K output use a two-stage model id "
        "such as minimax-h3-fastvideo-int8_t2v_turbo_2stage"
    ),
    "smart_duration": (
        "Wan 3 smartDuration is retired; send an explicit duration between 2 and 30 seconds"
    ),
    "wan3_task_type": "wan3TaskType is retired; Wan 3 picks its operation from the media given",
}
_RETIRED_TS: Final = {
    "outputScale": "output_scale",
    "smartDuration": "smart_duration",
    "wan3TaskType": "wan3_task_type",
}


def _unknown_name_error(name: str, cls: type[Any], where: str) -> TypeError:
    retired = _RETIRED.get(_RETIRED_TS.get(name, name))
    if retired is not None:
        return TypeError(f"{where} got a retired parameter {name!r}: {retired}")
    fields = {f.alias or f.name: f for f in attrs.fields(cls)}
    by_ts = {f.metadata.get(TS_KEY): alias for alias, f in fields.items()}
    suggestion = by_ts.get(name)
    if suggestion is None:
        close = difflib.get_close_matches(name, list(fields), n=1)
        if not close:
            ts_close = difflib.get_close_matches(name, [k for k in by_ts if k], n=1)
            close = [by_ts[ts_close[0]]] if ts_close else []
        suggestion = close[0] if close else None
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    return TypeError(f"{where} got an unknown parameter {name!r}{hint}")


def _construct(cls: type[_T], values: Mapping[str, Any], where: str) -> _T:
    names = {f.alias or f.name for f in attrs.fields(cls)}  # type: ignore[arg-type]
    for key in values:
        if key not in names:
            raise _unknown_name_error(str(key), cls, where)
    return cls(**values)


def _nested(cls: type[_T], where: str) -> Callable[[Any], Any]:
    """Converter: a mapping with snake_case keys becomes ``cls``; anything else is kept."""

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            return _construct(cls, value, where)
        return value

    return convert


def _is_list_like(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _tuple(value: Any) -> Any:
    """Converter: lists become tuples; anything else is kept for validation to report."""
    return tuple(value) if _is_list_like(value) else value


def _tuple_of(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert_all(value: Any) -> Any:
        return tuple(convert(v) for v in value) if _is_list_like(value) else value

    return convert_all


# ---------------------------------------------------------------------------- nested values


@attrs.frozen(kw_only=True)
class ControlNetParams:
    """Image ControlNet: ``name`` is one of the 15 ControlNet models, ``mode`` one of
    ``balanced``, ``prompt_priority``, ``cn_priority``; strengths and the guidance window are
    0..1 (``guidance_start`` below ``guidance_end``)."""

    name: str = _p("name")
    image: MediaInput | None = _media("image", default=None)
    strength: float | None = _p("strength", default=None)
    mode: str | None = _p("mode", default=None)
    guidance_start: float | None = _p("guidanceStart", default=None)
    guidance_end: float | None = _p("guidanceEnd", default=None)


@attrs.frozen(kw_only=True)
class Sam3Point:
    """A click on the source image, coordinates normalised to 0..1."""

    x: float = _p("x")
    y: float = _p("y")
    label: str = _p("label")


@attrs.frozen(kw_only=True)
class Sam3Box:
    """A box on the source image, normalised to 0..1; ``label`` defaults to ``positive``."""

    x0: float = _p("x0")
    y0: float = _p("y0")
    x1: float = _p("x1")
    y1: float = _p("y1")
    label: str | None = _p("label", default=None)


@attrs.frozen(kw_only=True)
class Sam3Prompt:
    """What ``sam3_image_segment_bf16`` should select."""

    points: Sequence[Sam3Point] = _p(
        "points", default=(), converter=_tuple_of(_nested(Sam3Point, "sam3_prompt.points[]"))
    )
    boxes: Sequence[Sam3Box] = _p(
        "boxes", default=(), converter=_tuple_of(_nested(Sam3Box, "sam3_prompt.boxes[]"))
    )
    text: str | None = _p("text", default=None)
    threshold: float | None = _p("threshold", default=None)
    multimask: bool | None = _p("multimask", default=None)
    apply_mask: bool | None = _p("applyMask", default=None)
    max_instances: int | None = _p("maxInstances", default=None)


@attrs.frozen(kw_only=True)
class WorldGenerationReceipt:
    """Input-hash receipt: stage ``target_still`` (source image + selection hashes) or
    ``transition`` (first and last frame hashes); each hash is SHA-256 hex."""

    stage: str = _p("stage")
    source_image_sha256: str | None = _p("sourceImageSha256", default=None)
    selection_hash: str | None = _p("selectionHash", default=None)
    first_frame_sha256: str | None = _p("firstFrameSha256", default=None)
    last_frame_sha256: str | None = _p("lastFrameSha256", default=None)


@attrs.frozen(kw_only=True)
class WorkloadAttribution:
    """Who or what initiated the work (sent as flat fields on the request)."""

    workload_kind: str | None = _p("workloadKind", default=None)
    agent_framework: str | None = _p("agentFramework", default=None)
    agent_framework_version: str | None = _p("agentFrameworkVersion", default=None)
    agent_surface: str | None = _p("agentSurface", default=None)
    agent_surface_version: str | None = _p("agentSurfaceVersion", default=None)
    execution_mode: str | None = _p("executionMode", default=None)
    operation_scope: str | None = _p("operationScope", default=None)
    operation_id: str | None = _p("operationId", default=None)
    root_operation_id: str | None = _p("rootOperationId", default=None)
    parent_operation_id: str | None = _p("parentOperationId", default=None)


@attrs.frozen(kw_only=True)
class VideoControlNetParams:
    """LTX v2v control: ``name`` is ``canny``, ``pose``, ``depth``, ``detailer``, ``outpaint``
    or ``inpaint`` (the control signal comes from ``reference_video``; ``inpaint`` needs a
    ``reference_mask``, ``outpaint`` uses ``outpaint_position`` and the size); ``strength``
    is 0..1 (the service defaults to 0.85)."""

    name: str = _p("name")
    strength: float | None = _p("strength", default=None)


@attrs.frozen(kw_only=True)
class Sam2Coordinate:
    """A click on the subject to replace (animate-replace), normalised 0..1 or in pixels."""

    x: float = _p("x")
    y: float = _p("y")


@attrs.frozen(kw_only=True)
class VideoKeyframe:
    """A still pinned at ``frame_index`` (1 .. frames - 2) of a MiniMax H3 video."""

    image: MediaInput = _media("image")
    frame_index: int = _p("frameIndex")


# ---------------------------------------------------------------------------- project params


@attrs.frozen(kw_only=True)
class _BaseProjectParams:
    """Parameters every project type shares."""

    type: ClassVar[str]

    model_id: str = _p("modelId")
    # None: no positivePrompt key at all, as the official client sends (not "").
    positive_prompt: str | None = _p("positivePrompt", default=None)
    negative_prompt: str = _p("negativePrompt", default="")
    style_prompt: str = _p("stylePrompt", default="")
    number_of_media: int = _p("numberOfMedia", default=1)
    steps: int | None = _p("steps", default=None)
    guidance: float | None = _p("guidance", default=None)
    seed: int | None = _p("seed", default=None)
    sampler: str | None = _p("sampler", default=None)
    scheduler: str | None = _p("scheduler", default=None)
    output_format: str | None = _p("outputFormat", default=None)
    token_type: str | None = _p("tokenType", default=None)
    network: str | None = _p("network", default=None)
    billing_mode: str | None = _p("billingMode", default=None)
    disable_nsfw_filter: bool = _p("disableNSFWFilter", default=False)
    loras: Sequence[str] = _p("loras", default=(), converter=_tuple)
    lora_strengths: Sequence[float] = _p("loraStrengths", default=(), converter=_tuple)
    app_source: str | None = _p("appSource", default=None)
    attribution: WorkloadAttribution | None = _p(
        "attribution", default=None, converter=_nested(WorkloadAttribution, "attribution")
    )
    world_generation_receipt: WorldGenerationReceipt | None = _p(
        "worldGenerationReceipt",
        default=None,
        converter=_nested(WorldGenerationReceipt, "world_generation_receipt"),
    )


@attrs.frozen(kw_only=True)
class ImageProjectParams(_BaseProjectParams):
    """An image project (``type="image"``).

    Media fields take a file path, bytes or a binary file object. ``context_images`` entries
    may be None to leave a numbered slot empty (GPT Image models refuse holes).
    ``starting_image_strength`` is how much of the starting image to keep (0 < x <= 1, default
    0.5).
    """

    type: ClassVar[str] = "image"

    number_of_previews: int = _p("numberOfPreviews", default=0)
    size_preset: str | None = _p("sizePreset", default=None)
    width: int | None = _p("width", default=None)
    height: int | None = _p("height", default=None)
    vae: str | None = _p("vae", default=None)
    starting_image: MediaInput | None = _media("startingImage", default=None)
    starting_image_strength: float | None = _p("startingImageStrength", default=None)
    context_images: Sequence[MediaInput | None] = _media(
        "contextImages", default=(), converter=_tuple
    )
    control_net: ControlNetParams | None = _p(
        "controlNet", default=None, converter=_nested(ControlNetParams, "control_net")
    )
    gpt_image_quality: str | None = _p("gptImageQuality", default=None)
    gpt_image_background: str | None = _p("gptImageBackground", default=None)
    gpt_image_output_compression: int | None = _p("gptImageOutputCompression", default=None)
    gpt_image_mask: MediaInput | None = _media("gptImageMask", default=None)
    gpt_image_mask_url: str | None = _p("gptImageMaskUrl", default=None)
    sam3_prompt: Sam3Prompt | None = _p(
        "sam3Prompt", default=None, converter=_nested(Sam3Prompt, "sam3_prompt")
    )
    apply_mask: bool | None = _p("applyMask", default=None)
    left_view_image: MediaInput | None = _media("leftViewImage", default=None)
    back_view_image: MediaInput | None = _media("backViewImage", default=None)
    right_view_image: MediaInput | None = _media("rightViewImage", default=None)
    template_variant: str | None = _p("templateVariant", default=None)
    texture_size: int | None = _p("textureSize", default=None)
    mesh_target_faces: int | None = _p("meshTargetFaces", default=None)
    normal_map_size: int | None = _p("normalMapSize", default=None)
    ambient_occlusion_size: int | None = _p("ambientOcclusionSize", default=None)
    shape_resolution: int | None = _p("shapeResolution", default=None)


@attrs.frozen(kw_only=True)
class VideoProjectParams(_BaseProjectParams):
    """A video project (``type="video"``).

    ``duration`` (seconds) becomes the request's frame count by the family's rule (see
    :mod:`sogni.projects.frames`); ``frames`` sets it directly (deprecated, except for
    FlashVSR and MiniMax H3 audio sizing). ``fps`` is 16 or 32 on WAN 2.2 (32 interpolates),
    1-60 on LTX, fixed at 24 on Seedance, HappyHorse and MiniMax H3 and at 30 on Wan 3.
    Media fields take a file path, bytes or a binary file object; the ``*_urls`` fields take
    public HTTPS URLs (Seedance, HappyHorse, Wan 3 only).
    """

    type: ClassVar[str] = "video"

    duration: float | None = _p("duration", default=None)
    frames: int | None = _p("frames", default=None)
    fps: float | None = _p("fps", default=None)
    width: int | None = _p("width", default=None)
    height: int | None = _p("height", default=None)
    shift: float | None = _p("shift", default=None)
    teacache_threshold: float | None = _p("teacacheThreshold", default=None)
    reference_image: MediaInput | None = _media("referenceImage", default=None)
    reference_image_end: MediaInput | None = _media("referenceImageEnd", default=None)
    reference_audio: MediaInput | None = _media("referenceAudio", default=None)
    reference_video: MediaInput | None = _media("referenceVideo", default=None)
    reference_audio_identity: MediaInput | None = _media("referenceAudioIdentity", default=None)
    reference_mask: MediaInput | None = _media("referenceMask", default=None)
    context_images: Sequence[MediaInput] = _media("contextImages", default=(), converter=_tuple)
    reference_audios: Sequence[MediaInput] = _media("referenceAudios", default=(), converter=_tuple)
    reference_videos: Sequence[MediaInput] = _media("referenceVideos", default=(), converter=_tuple)
    reference_video_durations: Sequence[float] = _p(
        "referenceVideoDurations", default=(), converter=_tuple
    )
    keyframes: Sequence[VideoKeyframe] = _p(
        "keyframes", default=(), converter=_tuple_of(_nested(VideoKeyframe, "keyframes[]"))
    )
    reference_image_urls: Sequence[str] = _p("referenceImageUrls", default=(), converter=_tuple)
    reference_video_urls: Sequence[str] = _p("referenceVideoUrls", default=(), converter=_tuple)
    reference_audio_urls: Sequence[str] = _p("referenceAudioUrls", default=(), converter=_tuple)
    reference_file_url: str | None = _p("referenceFileUrl", default=None)
    reference_link_url: str | None = _p("referenceLinkUrl", default=None)
    generate_audio: bool | None = _p("generateAudio", default=None)
    prompt_extend: bool | None = _p("promptExtend", default=None)
    watermark: bool | None = _p("watermark", default=None)
    ratio: str | None = _p("ratio", default=None)
    return_last_frame: bool | None = _p("returnLastFrame", default=None)
    seedance_task_type: str | None = _p("seedanceTaskType", default=None)
    audio_identity_strength: float | None = _p("audioIdentityStrength", default=None)
    audio_start: float | None = _p("audioStart", default=None)
    audio_duration: float | None = _p("audioDuration", default=None)
    video_start: float | None = _p("videoStart", default=None)
    sam2_coordinates: Sequence[Sam2Coordinate] | None = _p(
        "sam2Coordinates",
        default=None,
        converter=_tuple_of(_nested(Sam2Coordinate, "sam2_coordinates[]")),
    )
    trim_end_frame: bool = _p("trimEndFrame", default=False)
    first_frame_strength: float | None = _p("firstFrameStrength", default=None)
    last_frame_strength: float | None = _p("lastFrameStrength", default=None)
    control_net: VideoControlNetParams | None = _p(
        "controlNet", default=None, converter=_nested(VideoControlNetParams, "control_net")
    )
    detailer_strength: float | None = _p("detailerStrength", default=None)
    outpaint_position: str | None = _p("outpaintPosition", default=None)
    upscale_resolution: int | None = _p("upscaleResolution", default=None)
    detail_preference: str | None = _p("detailPreference", default=None)
    processing_speed: str | None = _p("processingSpeed", default=None)


@attrs.frozen(kw_only=True)
class AudioProjectParams(_BaseProjectParams):
    """An audio project (``type="audio"``): music (ACE-Step, MiniMax Music 3) or speech
    (Qwen3-TTS). ``number_of_media`` (1-4) is how many versions; ``output_format`` is mp3
    (default), wav or flac; ``time_signature`` is ``"2"``, ``"3"``, ``"4"`` or ``"6"``."""

    type: ClassVar[str] = "audio"

    duration: float | None = _p("duration", default=None)
    bpm: float | None = _p("bpm", default=None)
    keyscale: str | None = _p("keyscale", default=None)
    time_signature: str | int | None = _p("timesignature", default=None)
    language: str | None = _p("language", default=None)
    lyrics: str | None = _p("lyrics", default=None)
    composer_mode: bool | None = _p("composerMode", default=None)
    prompt_strength: float | None = _p("promptStrength", default=None)
    creativity: float | None = _p("creativity", default=None)
    shift: float | None = _p("shift", default=None)
    speaker: str | None = _p("speaker", default=None)
    instruct: str | None = _p("instruct", default=None)
    reference_text: str | None = _p("referenceText", default=None)
    reference_audio: MediaInput | None = _media("referenceAudio", default=None)


ProjectParams: TypeAlias = ImageProjectParams | VideoProjectParams | AudioProjectParams
"""Any project's parameters."""

PROJECT_TYPES: Final[dict[str, type[_BaseProjectParams]]] = {
    "image": ImageProjectParams,
    "video": VideoProjectParams,
    "audio": AudioProjectParams,
}
"""Project ``type`` -> its params class."""

_NESTED: Final[dict[str, type[Any]]] = {
    "control_net": ControlNetParams,
    "sam3_prompt": Sam3Prompt,
    "sam3_prompt.points[]": Sam3Point,
    "sam3_prompt.boxes[]": Sam3Box,
    "attribution": WorkloadAttribution,
    "world_generation_receipt": WorldGenerationReceipt,
    "keyframes[]": VideoKeyframe,
    "sam2_coordinates[]": Sam2Coordinate,
}


def _ts_names() -> dict[str, str]:
    table = {"type": "type"}
    for cls in PROJECT_TYPES.values():
        for f in attrs.fields(cls):
            table[f.alias or f.name] = f.metadata[TS_KEY]
    for prefix, cls in _NESTED.items():
        ts_prefix = ".".join(table.get(part, part) for part in prefix.replace("[]", "").split("."))
        if prefix.endswith("[]"):
            ts_prefix += "[]"
        table[prefix] = ts_prefix
        for f in attrs.fields(cls):
            table[f"{prefix}.{f.alias or f.name}"] = f"{ts_prefix}.{f.metadata[TS_KEY]}"
    return table


PARAM_NAMES_TS: Final[Mapping[str, str]] = _ts_names()
"""Every parameter name (nested ones dotted, list items as ``[]``) -> the TypeScript SDK's name."""


def make_params(
    params: ProjectParams | str | None = None, /, *, type: str | None = None, **kwargs: Any
) -> ProjectParams:
    """Build (or pass through) a project's parameters.

    ``make_params("image", model_id=..., steps=4)`` (or ``type="image"``) builds
    :class:`ImageProjectParams` (``"video"``: :class:`VideoProjectParams`, ``"audio"``:
    :class:`AudioProjectParams`); ``make_params(existing)`` returns it unchanged and
    ``make_params(existing, seed=7)`` a copy with those fields replaced. An unknown keyword
    raises ``TypeError`` naming the closest valid one (a TypeScript camelCase name is pointed
    at its snake_case twin).
    """
    if isinstance(params, str):
        if type is not None and type != params:
            raise TypeError(f"two project types given: {params!r} and {type!r}")
        params, type = None, params
    if params is not None:
        if not isinstance(params, tuple(PROJECT_TYPES.values())):
            raise TypeError(
                f"expected project parameters such as ImageProjectParams, "
                f"not {params.__class__.__name__}"
            )
        if type is not None and type != params.type:
            raise ValidationError(
                [ValidationProblem("type", f"is {type!r} but the parameters are {params.type!r}")]
            )
        if not kwargs:
            return params
        cls = params.__class__
        names = {f.alias or f.name for f in attrs.fields(cls)}
        for key in kwargs:
            if key not in names:
                raise _unknown_name_error(key, cls, "create()")
        return attrs.evolve(params, **kwargs)
    if type is None:
        raise TypeError(
            "create() needs type='image', 'video' or 'audio' "
            "(or a params object such as ImageProjectParams)"
        )
    params_cls = PROJECT_TYPES.get(type)
    if params_cls is None:
        raise ValidationError(
            [ValidationProblem("type", f"must be one of {', '.join(map(repr, PROJECT_TYPES))}")]
        )
    return cast(ProjectParams, _construct(params_cls, kwargs, "create()"))
