"""Static typing of project keywords: TypedDicts mirroring the params classes, and the
type variable that makes a :class:`~sogni.projects.Project` handle generic in its params.

``create(type="video", **kwargs)`` is typed with ``Unpack[VideoProjectKwargs]``, so a type
checker reports a misspelled or mistyped keyword in the caller's code. Each TypedDict holds the
fields of its params class, key for key with the same annotations, except that a nested
parameter (``control_net``, ``keyframes`` …) also takes the mapping its converter accepts.
``tests/unit/test_project_kwargs.py`` compares them field by field, so they cannot drift.
The project ``type`` is not a key: it is the separate ``Literal`` argument the overloads of
``create`` dispatch on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from .media import MediaInput
from .params import (
    ControlNetParams,
    Sam2Coordinate,
    Sam3Prompt,
    VideoControlNetParams,
    VideoKeyframe,
    WorkloadAttribution,
    WorldGenerationReceipt,
)

__all__ = ["AudioProjectKwargs", "ImageProjectKwargs", "ParamsT_co", "VideoProjectKwargs"]

if TYPE_CHECKING:
    # A default (PEP 696) makes a bare ``Project`` mean ``Project[ProjectParams | None]``;
    # ``typing.TypeVar`` takes one only from 3.13, so the runtime variable goes without.
    from typing_extensions import TypeVar

    from .params import ProjectParams

    ParamsT_co = TypeVar(
        "ParamsT_co",
        bound=ProjectParams | None,
        default=ProjectParams | None,
        covariant=True,
    )
else:
    from typing import TypeVar

    ParamsT_co = TypeVar("ParamsT_co", covariant=True)

_Mapping = Mapping[str, Any]  # a nested parameter given as a dict, converted on construction


class _RequiredProjectKwargs(TypedDict):
    # ``Required`` is 3.11+; a total base class is the 3.10 way to mark the one required key.
    model_id: str


class _BaseProjectKwargs(_RequiredProjectKwargs, total=False):
    positive_prompt: str | None
    negative_prompt: str
    style_prompt: str
    number_of_media: int
    steps: int | None
    guidance: float | None
    seed: int | None
    sampler: str | None
    scheduler: str | None
    output_format: str | None
    token_type: str | None
    network: str | None
    billing_mode: str | None
    disable_nsfw_filter: bool
    loras: Sequence[str]
    lora_strengths: Sequence[float]
    app_source: str | None
    attribution: WorkloadAttribution | _Mapping | None
    world_generation_receipt: WorldGenerationReceipt | _Mapping | None


class ImageProjectKwargs(_BaseProjectKwargs, total=False):
    """Keyword arguments of ``create(type="image", ...)`` and ``estimate_cost``: the fields
    of :class:`~sogni.projects.ImageProjectParams` (``model_id`` is required)."""

    number_of_previews: int
    size_preset: str | None
    width: int | None
    height: int | None
    vae: str | None
    starting_image: MediaInput | None
    starting_image_strength: float | None
    context_images: Sequence[MediaInput | None]
    control_net: ControlNetParams | _Mapping | None
    gpt_image_quality: str | None
    gpt_image_background: str | None
    gpt_image_output_compression: int | None
    gpt_image_mask: MediaInput | None
    gpt_image_mask_url: str | None
    sam3_prompt: Sam3Prompt | _Mapping | None
    apply_mask: bool | None
    left_view_image: MediaInput | None
    back_view_image: MediaInput | None
    right_view_image: MediaInput | None
    template_variant: str | None
    texture_size: int | None
    mesh_target_faces: int | None
    normal_map_size: int | None
    ambient_occlusion_size: int | None
    shape_resolution: int | None


class VideoProjectKwargs(_BaseProjectKwargs, total=False):
    """Keyword arguments of ``create(type="video", ...)`` and ``estimate_video_cost``: the
    fields of :class:`~sogni.projects.VideoProjectParams` (``model_id`` is required)."""

    duration: float | None
    frames: int | None
    fps: float | None
    width: int | None
    height: int | None
    shift: float | None
    teacache_threshold: float | None
    reference_image: MediaInput | None
    reference_image_end: MediaInput | None
    reference_audio: MediaInput | None
    reference_video: MediaInput | None
    reference_audio_identity: MediaInput | None
    reference_mask: MediaInput | None
    context_images: Sequence[MediaInput]
    reference_audios: Sequence[MediaInput]
    reference_videos: Sequence[MediaInput]
    reference_video_durations: Sequence[float]
    keyframes: Sequence[VideoKeyframe | _Mapping]
    reference_image_urls: Sequence[str]
    reference_video_urls: Sequence[str]
    reference_audio_urls: Sequence[str]
    reference_file_url: str | None
    reference_link_url: str | None
    generate_audio: bool | None
    prompt_extend: bool | None
    watermark: bool | None
    ratio: str | None
    return_last_frame: bool | None
    seedance_task_type: str | None
    audio_identity_strength: float | None
    audio_start: float | None
    audio_duration: float | None
    video_start: float | None
    sam2_coordinates: Sequence[Sam2Coordinate | _Mapping] | None
    trim_end_frame: bool
    first_frame_strength: float | None
    last_frame_strength: float | None
    control_net: VideoControlNetParams | _Mapping | None
    detailer_strength: float | None
    outpaint_position: str | None
    upscale_resolution: int | None
    detail_preference: str | None
    processing_speed: str | None


class AudioProjectKwargs(_BaseProjectKwargs, total=False):
    """Keyword arguments of ``create(type="audio", ...)`` and ``estimate_audio_cost``: the
    fields of :class:`~sogni.projects.AudioProjectParams` (``model_id`` is required)."""

    duration: float | None
    bpm: float | None
    keyscale: str | None
    time_signature: str | int | None
    language: str | None
    lyrics: str | None
    composer_mode: bool | None
    prompt_strength: float | None
    creativity: float | None
    shift: float | None
    speaker: str | None
    instruct: str | None
    reference_text: str | None
    reference_audio: MediaInput | None
