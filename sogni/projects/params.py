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
from typing import Any, ClassVar, Final, TypeAlias, TypeVar

import attrs

from ..errors import ValidationError, ValidationProblem
from .media import MediaInput

__all__ = [
    "PARAM_NAMES_TS",
    "PROJECT_TYPES",
    "ControlNetParams",
    "ImageProjectParams",
    "ProjectParams",
    "Sam3Box",
    "Sam3Point",
    "Sam3Prompt",
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


def _unknown_name_error(name: str, cls: type[Any], where: str) -> TypeError:
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


# ---------------------------------------------------------------------------- project params


@attrs.frozen(kw_only=True)
class _BaseProjectParams:
    """Parameters every project type shares."""

    type: ClassVar[str]

    model_id: str = _p("modelId")
    positive_prompt: str = _p("positivePrompt", default="")
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


ProjectParams: TypeAlias = ImageProjectParams
"""Any project's parameters (video and audio join this union with their classes)."""

PROJECT_TYPES: Final[dict[str, type[ImageProjectParams]]] = {"image": ImageProjectParams}
"""Project ``type`` -> its params class."""

_NESTED: Final[dict[str, type[Any]]] = {
    "control_net": ControlNetParams,
    "sam3_prompt": Sam3Prompt,
    "sam3_prompt.points[]": Sam3Point,
    "sam3_prompt.boxes[]": Sam3Box,
    "attribution": WorkloadAttribution,
    "world_generation_receipt": WorldGenerationReceipt,
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
    :class:`ImageProjectParams`; ``make_params(existing)`` returns it unchanged and
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
            "create() needs type='image' (or a params object such as ImageProjectParams)"
        )
    params_cls = PROJECT_TYPES.get(type)
    if params_cls is None:
        raise ValidationError(
            [ValidationProblem("type", f"must be one of {', '.join(map(repr, PROJECT_TYPES))}")]
        )
    return _construct(params_cls, kwargs, "create()")
