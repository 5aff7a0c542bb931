"""Cost-estimate requests for a project's parameters, without I/O.

Each function turns the parameters a project would be created with into the socket-host path
and query of its estimate endpoint; the caller sends ``GET path?query`` and reads the
``EstimationResponse``. Only what the path needs is checked (the model's type, numbers,
the duration range); the media a project would upload are not needed for a quote.

* image: ``/api/v2/job/estimate/{token}/{network}/{model}/{count}/{steps}/{previews}/{cn}/
  {denoise}/{width}/{height}``, or ``/api/v3/...`` with ``/{guidance}/{sampler|_}/
  {contextImages}`` appended when a sampler or context images are given; query
  ``gptImageQuality``, ``outputFormat``, ``billingMode`` when set. Segments are not encoded.
* video: ``/api/v1/job-video/estimate/{token}/{model}/{width}/{height}/{frames}/{fps}``
  ``[/{steps}/{count}]`` (``/0/{count}`` without steps when count != 1), segments encoded
  (``encodeURIComponent``);
  frames by the family rules (:mod:`sogni.projects.families`).
* audio: ``/api/v1/job-audio/estimate/{token}/{model}/{duration}/{steps}/{count}``.

The token type defaults to ``spark`` (as the official client's estimates do); the network is
the project's, else the connection's (``network=``), else ``fast``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

from .._wire.js import encode_uri_component, number_to_string
from ..errors import ValidationError, ValidationProblem
from ._checks import Problems, alias, check_choice, model_options
from .catalog import (
    AudioModelOptions,
    Catalog,
    ImageModelOptions,
    SizePreset,
    VideoModelOptions,
    sampler_alias,
)
from .families import VideoFamily, audio_family, image_family, video_family
from .families._base import with_defaults
from .params import AudioProjectParams, ImageProjectParams, ProjectParams, VideoProjectParams

__all__ = ["audio_estimate_path", "image_estimate_path", "video_estimate_path"]

DEFAULT_TOKEN_TYPE: Final = "spark"
DEFAULT_NETWORK: Final = "fast"

SizePresets = Callable[[str, str], Sequence[SizePreset]]
"""``(network, model_id) -> presets``, called only for a named ``size_preset``."""


def _segment(value: Any) -> str:
    """A path segment as the official client writes it: numbers as ``String(number)`` does
    (``7.0`` is ``7``, ``1e-05`` is ``0.00001``), everything else as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_to_string(value)
    return str(value)


def _expect(params: Any, cls: type[Any]) -> None:
    if not isinstance(params, cls):
        given = getattr(params, "type", type(params).__name__)
        raise ValidationError(
            [
                ValidationProblem(
                    "type",
                    f"this estimate is for {cls.type} projects, not {given!r}",
                )
            ]
        )


def _raise(p: Problems) -> None:
    if p.items:
        raise ValidationError(p.items)


def _common(params: Any, p: Problems, network: str | None) -> tuple[str, str]:
    """The token type and network of a quote, checked."""
    p.string("token_type", params.token_type, choices=("sogni", "spark"))
    p.string("network", params.network, choices=("fast", "relaxed"))
    p.string("billing_mode", params.billing_mode, choices=("auto", "subscription", "tokens"))
    p.number("number_of_media", params.number_of_media, 1, integer=True)
    return params.token_type or DEFAULT_TOKEN_TYPE, params.network or network or DEFAULT_NETWORK


# ---------------------------------------------------------------------------- image


def image_estimate_path(
    params: ProjectParams,
    catalog: Catalog,
    *,
    network: str | None = None,
    size_presets: SizePresets | None = None,
) -> tuple[str, dict[str, str]]:
    """The image estimate for ``params``. ``size_presets`` resolves a named ``size_preset``
    to its width and height (an unknown preset is ``Invalid size preset``)."""
    _expect(params, ImageProjectParams)
    assert isinstance(params, ImageProjectParams)
    family = image_family(params.model_id)
    params = with_defaults(params, family)
    p = Problems()
    options = model_options(params, catalog, p)
    token, net = _common(params, p, network)
    p.number("steps", params.steps, 0, integer=True)
    p.number("guidance", params.guidance, 0)
    p.number("number_of_previews", params.number_of_previews, 0, integer=True)
    p.number("starting_image_strength", params.starting_image_strength, 0, 1)
    image = options if isinstance(options, ImageModelOptions) else None
    check_choice(
        p,
        "sampler",
        alias(params.sampler, sampler_alias),
        image.sampler.allowed if image else (),
        "sampler",
    )
    _raise(p)
    assert image is not None
    model = params.model_id
    steps = params.steps if params.steps is not None else image.steps.default
    previews = params.number_of_previews if family.takes_previews else 0
    denoise: float = 0
    if params.starting_image is not None:
        denoise = 1 - (params.starting_image_strength or 0.5)
    path: list[Any] = [
        token,
        net,
        model,
        1 if family.single_output else params.number_of_media,
        steps,
        previews,
        1 if params.control_net is not None else 0,
        denoise,
        *_image_size(params, net, size_presets),
    ]
    contexts = sum(1 for image_input in params.context_images if image_input is not None)
    version = 2
    if params.sampler or contexts:
        version = 3
        sampler = sampler_alias(params.sampler) if params.sampler else None
        path += [
            params.guidance or 0,
            sampler if sampler and image.sampler.allowed else "_",
            contexts,
        ]
    query = {
        key: value
        for key, value in (
            ("gptImageQuality", params.gpt_image_quality),
            ("outputFormat", params.output_format),
            ("billingMode", params.billing_mode),
        )
        if value
    }
    return f"/api/v{version}/job/estimate/" + "/".join(map(_segment, path)), query


def _image_size(
    params: ImageProjectParams, network: str, size_presets: SizePresets | None
) -> tuple[int, int]:
    preset = params.size_preset
    if preset and preset != "custom":
        if size_presets is None:
            raise ValidationError(
                [ValidationProblem("size_preset", "a named preset needs the model's size presets")]
            )
        for candidate in size_presets(network, params.model_id):
            if candidate.id == preset:
                return candidate.width, candidate.height
        raise ValidationError([ValidationProblem("size_preset", "Invalid size preset")])
    if params.width and params.height:
        return params.width, params.height
    return 0, 0


# ---------------------------------------------------------------------------- video


def video_estimate_path(
    params: ProjectParams,
    catalog: Catalog,
    *,
    network: str | None = None,
    source_width: int | None = None,
    source_height: int | None = None,
    reference_image_count: int | None = None,
    reference_video_count: int | None = None,
    reference_video_duration_seconds: float | None = None,
    keyframe_count: int | None = None,
) -> tuple[str, dict[str, str]]:
    """The video estimate for ``params``.

    ``frames`` comes from ``frames`` or ``duration`` by the family rule; ``fps`` is the
    project's, else the tier's default, else the family's (24 when none says). ``width`` and
    ``height`` default to the tier's. The reference counts default to what ``params`` carries
    (images: reference, end, context and URL images; MiniMax H3 r2v videos and the sum of
    ``reference_video_durations``; keyframes); pass them to quote media you have not attached.

    FlashVSR: ``width``/``height`` are the source size (or pass ``source_width`` and
    ``source_height``); the quoted size is the source scaled so its short edge is
    ``upscale_resolution``, each side rounded to an even number.
    """
    _expect(params, VideoProjectParams)
    assert isinstance(params, VideoProjectParams)
    family = video_family(params.model_id)
    params = with_defaults(params, family)
    p = Problems()
    options = model_options(params, catalog, p)
    tier = options if isinstance(options, VideoModelOptions) else None
    token, net = _common(params, p, network)
    model = params.model_id if isinstance(params.model_id, str) else ""
    for name in ("width", "height", "frames", "upscale_resolution"):
        p.number(name, getattr(params, name), 1, integer=True)
    p.number("steps", params.steps, 0, integer=True)
    fps_ok = p.number("fps", params.fps, 0)
    duration_ok = p.number("duration", params.duration)
    if duration_ok and family is not None and params.frames is None:
        low, high = family.duration_range(model, params.fps if fps_ok else None)
        if params.duration < low or (high is not None and params.duration > high):  # type: ignore[operator]
            limit = f"{low:g} to {high:g}" if high is not None else f"at least {low:g}"
            p.add("duration", f"must be {limit} seconds for {model}")
    if params.frames is None and params.duration is None:
        p.add("duration", "an estimate needs duration (or frames)")
    _raise(p)
    assert tier is not None
    quoted = family or VideoFamily()  # an unknown id is quoted by the generic rules
    fps = _estimate_fps(params, tier, quoted)
    frames = params.frames
    if frames is None:
        assert params.duration is not None
        frames = quoted.frames(model, params.duration, params.fps)
    query: dict[str, str] = {}
    width, height, steps = quoted.estimate_size(params, (source_width, source_height), query)
    if width is None and tier.width is not None:
        width = int(tier.width.default)
    if height is None and tier.height is not None:
        height = int(tier.height.default)
    if not width or not height:
        raise ValidationError(
            [ValidationProblem("width", "an estimate needs width and height (the model has none)")]
        )
    count = params.number_of_media
    path: list[Any] = [token, model, width, height, frames, fps]
    if steps is not None:
        path += [steps, count]
    elif count != 1:
        path += [0, count]
    if params.reference_video is not None or params.reference_videos or params.reference_video_urls:
        query["hasVideoInput"] = "1"
    images = reference_image_count
    if images is None:
        images = (
            (params.reference_image is not None)
            + (params.reference_image_end is not None)
            + len(params.context_images)
            + len(params.reference_image_urls)
        ) or None
    videos = reference_video_count
    if videos is None and quoted.numbered_references(model):
        videos = ((params.reference_video is not None) + len(params.reference_videos)) or None
    seconds = reference_video_duration_seconds
    if seconds is None and params.reference_video_durations:
        seconds = sum(params.reference_video_durations)
    keyframes = keyframe_count if keyframe_count is not None else len(params.keyframes) or None
    for key, value in (
        ("referenceImageCount", _count(images)),
        ("referenceVideoCount", _count(videos)),
        ("referenceVideoDurationSeconds", _seconds(seconds)),
        ("keyframeCount", _count(keyframes, positive=True)),
        ("network", net),
        ("billingMode", params.billing_mode),
    ):
        if value is not None:
            query[key] = value
    encoded = "/".join(encode_uri_component(_segment(v)) for v in path)
    return f"/api/v1/job-video/estimate/{encoded}", query


def _estimate_fps(
    params: VideoProjectParams, tier: VideoModelOptions, family: VideoFamily
) -> float:
    if params.fps is not None:
        return params.fps
    if tier.fps is not None and tier.fps.default is not None:
        return tier.fps.default
    return family.default_fps(params.model_id) or 24


def _count(value: float | None, *, positive: bool = False) -> str | None:
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return None
    if value < (1 if positive else 0):
        return None
    return number_to_string(math.floor(value))


def _seconds(value: float | None) -> str | None:
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return _segment(value)


# ---------------------------------------------------------------------------- audio


def audio_estimate_path(
    params: ProjectParams, catalog: Catalog, *, network: str | None = None
) -> tuple[str, dict[str, str]]:
    """The audio estimate for ``params``; ``duration`` and ``steps`` default to the tier's."""
    _expect(params, AudioProjectParams)
    assert isinstance(params, AudioProjectParams)
    params = with_defaults(params, audio_family(params.model_id))
    p = Problems()
    options = model_options(params, catalog, p)
    tier = options if isinstance(options, AudioModelOptions) else None
    token, net = _common(params, p, network)
    p.number("duration", params.duration, 0)
    p.number("steps", params.steps, 0, integer=True)
    _raise(p)
    assert tier is not None
    duration = params.duration
    if duration is None and tier.duration is not None:
        duration = tier.duration.default
    if duration is None:
        raise ValidationError(
            [ValidationProblem("duration", "an estimate needs the audio duration")]
        )
    steps = params.steps if params.steps is not None else tier.steps.default
    path = [token, params.model_id, duration, steps, params.number_of_media]
    query = {"network": net}
    if params.billing_mode:
        query["billingMode"] = params.billing_mode
    encoded = "/".join(encode_uri_component(_segment(v)) for v in path)
    return f"/api/v1/job-audio/estimate/{encoded}", query
