"""The project each of the six direct-dispatch platform tools runs, built from its arguments.

The request follows the official executor argument for argument, so a call renders the same
project whichever SDK runs it. Where the service's manifest (what the model is told) and that
executor (what it reads) name an argument differently, both are accepted, the executor's
spelling first:

==================  ============================================  ==============================
tool                manifest spelling                             executor spelling
==================  ============================================  ==============================
generate_image      ``negativePrompt``                            ``negative_prompt``
edit_image          ``sourceImageIndex`` (an index)               ``source_image_url`` (data URI)
sound_to_video      ``audioSourceIndex``, ``sourceImageIndex``,   ``reference_audio_url``,
                    ``endImageIndex`` (indices), ``audioStart``   ``reference_image_url``,
                                                                  ``reference_image_end_url``,
                                                                  ``audio_start``
video_to_video      ``videoSourceIndex``, ``sourceImageIndex``    ``reference_video_url``,
                    (indices), ``controlMode``                    ``reference_image_url``,
                                                                  ``control_mode``
generate_music      ``timesig``                                   ``timesignature``
==================  ============================================  ==============================

Other manifest arguments the direct executor does not use (``guidance``, ``loras``,
``aspectRatio``, ``maskImageIndex`` ...) are ignored here; hosted chat and durable runs honour
them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._tool_media import Kind, MediaContext, ToolInputError, integer_indices, load_media
from ._tool_routing import (
    MUSIC_PREFERENCE,
    PREFERRED,
    AvailableLike,
    NoModelError,
    calculate_h3_frames,
    clamp_variations,
    control_mode,
    h3_frames_for_audio,
    is_edit_image_model,
    is_external_video_model,
    is_h3_audio_guide_model,
    is_h3_model,
    is_number,
    max_context_images,
    model_selector,
    select_model,
    time_signature,
    video_defaults,
    video_workflow,
)

if TYPE_CHECKING:
    from ..config import ClientConfig

__all__ = ["DispatchOptions", "Plan", "plan_project"]


@attrs.frozen
class Plan:
    """What to run: the keyword arguments of ``projects.create`` and what the result says."""

    media: str
    model_id: str
    params: dict[str, Any]
    prompt: Any


@attrs.frozen
class DispatchOptions:
    config: ClientConfig
    models: Callable[[], Sequence[AvailableLike]]
    context: MediaContext | None = None
    number_of_media: int | None = None
    token_type: str | None = None
    network: str | None = None


def plan_project(name: str, args: Mapping[str, Any], options: DispatchOptions) -> Plan:
    """The project for one direct-dispatch call. Raises :class:`ToolInputError` (or
    ``NoModelError``) with the message the model will read."""
    builder = _BUILDERS[name]
    try:
        return builder(_Call(name, args, options))
    except NoModelError as exc:
        raise ToolInputError(str(exc)) from None


def _nonempty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _given(args: Mapping[str, Any], key: str) -> bool:
    """Present and not null (the official executor's ``!== undefined`` after JSON)."""
    return args.get(key) is not None


class _Call:
    def __init__(self, name: str, args: Mapping[str, Any], options: DispatchOptions) -> None:
        self.name = name
        self.args = args
        self.options = options

    def select(self, media: str, **kwargs: Any) -> str:
        return select_model(self.options.models(), media, **kwargs)

    def base(self, media: str, model_id: str) -> dict[str, Any]:
        count = self.args.get("numberOfVariations")
        fallback = self.options.number_of_media
        number = clamp_variations(count) if count is not None else clamp_variations(fallback)
        return {
            "type": media,
            "model_id": model_id,
            "positive_prompt": self.args.get("prompt"),
            "number_of_media": number,
        }

    def finish(self, media: str, model_id: str, params: dict[str, Any]) -> Plan:
        if self.options.token_type:
            params["token_type"] = self.options.token_type
        if self.options.network:
            params["network"] = self.options.network
        return Plan(media, model_id, params, self.args.get("prompt"))

    # ------------------------------------------------------------------ media

    def inline(self, key: str, kind: Kind) -> bytes | None:
        """A direct ``*_url`` argument: an inline data URI (None when absent)."""
        value = self.args.get(key)
        if not isinstance(value, str) or not value.strip():
            return None
        return load_media(value, kind, config=self.options.config, inline_only=True)

    def indexed(self, index: Any, kind: Kind, name: str) -> bytes:
        return self.load(self.resolve([self.index(index, name)], kind)[0], kind)

    def index(self, value: Any, name: str) -> int:
        return integer_indices([value], name)[0]

    def resolve(self, indices: Sequence[int], kind: Kind) -> list[Any]:
        if not indices:
            return []
        context = self.options.context
        if context is None:
            raise ToolInputError(
                f"Indexed {kind} arguments need a media context (media_context=...) when "
                "calling chat.tools.execute()"
            )
        return [context.resolve(kind, i) for i in indices]

    def load(self, value: Any, kind: Kind) -> bytes:
        return load_media(value, kind, config=self.options.config, context=self.options.context)

    def image_options(self, params: dict[str, Any]) -> None:
        args = self.args
        quality = _trimmed(_first(args, "gpt_image_quality", "gptImageQuality"))
        if quality:
            params["gpt_image_quality"] = quality.lower()
        if args.get("mask_image_url") is not None:
            params["gpt_image_mask_url"] = args["mask_image_url"]
        background = _trimmed(_first(args, "gpt_image_background", "gptImageBackground"))
        if background:
            params["gpt_image_background"] = background.lower()
        compression = _first(args, "gpt_image_output_compression", "gptImageOutputCompression")
        if compression is not None:
            params["gpt_image_output_compression"] = compression
        fmt = (_trimmed(_first(args, "output_format", "outputFormat")) or "").lower()
        fmt = "jpg" if fmt == "jpeg" else fmt
        if fmt in ("png", "jpg", "webp"):
            params["output_format"] = fmt

    def export_options(self, params: dict[str, Any]) -> None:
        if _given(self.args, "outputFormat"):
            params["output_format"] = self.args["outputFormat"]
        if _given(self.args, "returnLastFrame"):
            params["return_last_frame"] = self.args["returnLastFrame"]


def _first(args: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if args.get(key) is not None:
            return args[key]
    return None


def _trimmed(value: Any) -> str | None:
    return value.strip() if _nonempty(value) else None


def _truthy(value: Any) -> bool:
    """JavaScript truthiness, for arguments the official executor tests with ``if (x)``."""
    return value not in (None, False, 0, "") and not (isinstance(value, float) and value != value)


def _size(params: dict[str, Any], args: Mapping[str, Any]) -> None:
    if _truthy(args.get("width")) and _truthy(args.get("height")):
        params.update(width=args["width"], height=args["height"], size_preset="custom")


# ---------------------------------------------------------------------------- images


def _generate_image(call: _Call) -> Plan:
    args = call.args
    model_id = call.select("image", requested=model_selector("generate_image", args))
    params = call.base("image", model_id)
    negative = args.get("negative_prompt") or args.get("negativePrompt")
    if _truthy(negative):
        params["negative_prompt"] = negative
    _size(params, args)
    for key in ("steps", "seed"):
        if _given(args, key):
            params[key] = args[key]
    call.image_options(params)
    return call.finish("image", model_id, params)


def _edit_image(call: _Call) -> Plan:
    args = call.args
    sources: list[Any] = []
    if _nonempty(args.get("source_image_url")):
        sources.append(("inline", args["source_image_url"]))
    elif args.get("sourceImageIndex") is not None:
        sources.append(("index", args["sourceImageIndex"]))
    references = args.get("reference_image_urls")
    if isinstance(references, list):
        sources += [("inline", url) for url in references if _nonempty(url)]
    if not sources:
        raise ToolInputError(
            "edit_image requires source_image_url, reference_image_urls or sourceImageIndex"
        )
    model_id = call.select(
        "image", requested=model_selector("edit_image", args), accept=is_edit_image_model
    )
    limit = max_context_images(model_id)
    if len(sources) > limit:
        raise ToolInputError(
            f"{model_id} accepts at most {limit} reference images; this request supplies "
            f"{len(sources)}"
        )
    images = [
        load_media(value, "image", config=call.options.config, inline_only=True)
        if how == "inline"
        else call.indexed(value, "image", "sourceImageIndex")
        for how, value in sources
    ]
    params = call.base("image", model_id)
    params["context_images"] = images
    if _truthy(args.get("negative_prompt")):
        params["negative_prompt"] = args["negative_prompt"]
    _size(params, args)
    if _given(args, "seed"):
        params["seed"] = args["seed"]
    call.image_options(params)
    return call.finish("image", model_id, params)


# ---------------------------------------------------------------------------- video


def _generate_video(call: _Call) -> Plan:
    args = call.args
    image_indices = integer_indices(args.get("referenceImageIndices"), "referenceImageIndices")
    video_indices = integer_indices(args.get("referenceVideoIndices"), "referenceVideoIndices")
    audio_indices = integer_indices(args.get("referenceAudioIndices"), "referenceAudioIndices")
    images = call.resolve(image_indices, "image")
    videos = call.resolve(video_indices, "video")
    audio = call.resolve(audio_indices, "audio")
    legacy = args.get("reference_image_url") if _nonempty(args.get("reference_image_url")) else None
    legacy_end = (
        args.get("reference_image_end_url")
        if _nonempty(args.get("reference_image_end_url"))
        else None
    )
    if images and (legacy or legacy_end):
        raise ToolInputError(
            "Use either referenceImageIndices with a media context or inline "
            "reference_image_url arguments, not both"
        )
    has_images = bool(images) or bool(legacy) or bool(legacy_end)
    chosen = args.get("videoModel")
    if has_images and isinstance(chosen, str):
        lowered = chosen.strip().lower()
        if lowered in ("minimax-h3-t2v", "minimax-h3-t2v-turbo"):
            raise ToolInputError(
                f"{lowered} does not accept reference images; use the matching MiniMax H3 i2v "
                "or flf2v workflow"
            )
    if chosen == "minimax-h3-r2v":
        raise ToolInputError(
            "generate_video with videoModel 'minimax-h3-r2v' cannot run from chat.tools.execute(); "
            "run it with hosted chat or a durable run, or create the project directly with "
            "client.projects.create(type='video', model_id='minimax-h3-ref2va-fp8_r2v', ...)"
        )
    routing = {**args, "referenceImageIndices": [0]} if has_images and not image_indices else args
    requested = model_selector("generate_video", routing)
    workflow = video_workflow(requested) if requested else None
    if workflow in ("flf2v", "r2v"):
        workflows = [workflow]
        preferred = [PREFERRED["h3_flf2v" if workflow == "flf2v" else "happyhorse_r2v"]]
    else:
        workflows = ["i2v" if has_images else "t2v"]
        preferred = [PREFERRED[workflows[0]]]
    model_id = call.select("video", requested=requested, workflows=workflows, preferred=preferred)
    width, height, fps = video_defaults(model_id)
    external = is_external_video_model(model_id)
    params: dict[str, Any] = {}
    call.export_options(params)
    params.update(call.base("video", model_id))
    params["width"] = args.get("width") if _truthy(args.get("width")) else width
    params["height"] = args.get("height") if _truthy(args.get("height")) else height
    params["fps"] = args.get("fps") if _truthy(args.get("fps")) else fps
    negative = args.get("negativePrompt")
    if _truthy(negative) and is_h3_model(model_id):
        raise ToolInputError("MiniMax H3 has no negative-prompt input; put exclusions in prompt")
    if _truthy(negative) and not external:
        params["negative_prompt"] = negative
    duration: Any = args.get("duration")
    if is_number(duration):
        if is_h3_model(model_id):
            params["frames"] = calculate_h3_frames(duration)
        else:
            params["duration"] = duration
    if _given(args, "seed"):
        params["seed"] = args["seed"]
    if legacy:
        params["reference_image"] = call.inline("reference_image_url", "image")
    if legacy_end:
        params["reference_image_end"] = call.inline("reference_image_end_url", "image")
    if images:
        _video_images(call, params, images, external, workflow)
    if videos or audio:
        if not external:
            raise ToolInputError(
                "referenceVideoIndices/referenceAudioIndices need an external video model "
                "(Seedance, HappyHorse or Wan 3)"
            )
        _external_refs(call, params, videos, "video", "reference_video", "reference_video_urls")
        _external_refs(call, params, audio, "audio", "reference_audio", "reference_audio_urls")
    _audio_identity(call, params)
    for source, target in (
        ("audio_identity_strength", "audio_identity_strength"),
        ("first_frame_strength", "first_frame_strength"),
        ("last_frame_strength", "last_frame_strength"),
    ):
        if _given(args, source):
            params[target] = args[source]
    if isinstance(args.get("generateAudio"), bool):
        params["generate_audio"] = args["generateAudio"]
    return call.finish("video", model_id, params)


def _is_https(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith("https://")


def _video_images(
    call: _Call, params: dict[str, Any], images: list[Any], external: bool, workflow: Any
) -> None:
    if external:
        remote = [v for v in images if _is_https(v)]
        local = [v for v in images if not _is_https(v)]
        if len(local) > 1:
            raise ToolInputError(
                "External-API video models take at most one inline image; use HTTPS "
                "references for more"
            )
        if local:
            params["reference_image"] = call.load(local[0], "image")
        if remote:
            params["reference_image_urls"] = remote
        return
    limit = 2 if workflow == "flf2v" else 1
    if len(images) > limit:
        raise ToolInputError(f"{workflow or 'video'} accepts at most {limit} image input(s)")
    params["reference_image"] = call.load(images[0], "image")
    if len(images) > 1:
        params["reference_image_end"] = call.load(images[1], "image")


def _external_refs(
    call: _Call,
    params: dict[str, Any],
    values: list[Any],
    kind: Kind,
    local_key: str,
    urls_key: str,
) -> None:
    remote = [v for v in values if _is_https(v)]
    local = [v for v in values if not _is_https(v)]
    if len(local) > 1:
        raise ToolInputError(
            f"External-API video models take at most one inline {kind}; use HTTPS references "
            f"for more {kind} inputs"
        )
    if local:
        params[local_key] = call.load(local[0], kind)
    if remote:
        params[urls_key] = remote


def _audio_identity(call: _Call, params: dict[str, Any]) -> None:
    identity = call.inline("reference_audio_identity_url", "audio")
    if identity is not None:
        params["reference_audio_identity"] = identity


def _sound_to_video(call: _Call) -> Plan:
    args = call.args
    has_audio = (
        _nonempty(args.get("reference_audio_url")) or args.get("audioSourceIndex") is not None
    )
    if not has_audio:
        raise ToolInputError("sound_to_video requires reference_audio_url or audioSourceIndex")
    has_image = (
        _nonempty(args.get("reference_image_url")) or args.get("sourceImageIndex") is not None
    )
    has_end = (
        _nonempty(args.get("reference_image_end_url")) or args.get("endImageIndex") is not None
    )
    if has_end and not has_image:
        raise ToolInputError(
            "sound_to_video needs a first frame (reference_image_url or sourceImageIndex) "
            "for its last frame"
        )
    if has_end:
        workflows, preferred = ["flfa2v"], [PREFERRED["h3_flfa2v"]]
    elif has_image:
        workflows, preferred = ["ia2v", "s2v"], [PREFERRED["ia2v"], PREFERRED["s2v"]]
    else:
        workflows, preferred = ["a2v"], [PREFERRED["a2v"]]
    requested = model_selector("sound_to_video", args)
    if requested and is_h3_audio_guide_model(requested):
        wanted = video_workflow(requested)
        if wanted not in workflows:
            needs = {
                "flfa2v": "a first and a last frame",
                "ia2v": "a first frame and no last frame",
            }.get(str(wanted), "no reference images")
            raise ToolInputError(f"{requested} (MiniMax H3 {wanted}) needs {needs}")
    model_id = call.select("video", requested=requested, workflows=workflows, preferred=preferred)
    width, height, fps = video_defaults(model_id)
    given: Any = args.get("duration")
    duration: float = given if is_number(given) else 5
    audio = call.inline("reference_audio_url", "audio")
    if audio is None:
        audio = call.indexed(args["audioSourceIndex"], "audio", "audioSourceIndex")
    generate_audio = args.get("generateAudio")
    params: dict[str, Any] = {}
    call.export_options(params)
    params.update(call.base("video", model_id))
    params["reference_audio"] = audio
    if is_h3_audio_guide_model(model_id):
        # The audio guide keeps the uploaded audio and runs on H3's frame grid.
        if generate_audio is False:
            raise ToolInputError(
                f"{model_id} output always carries the uploaded audio; generateAudio: false "
                "is not supported"
            )
        params.update(width=width, height=height, fps=24, frames=h3_frames_for_audio(duration))
        start = _first(args, "audioStart", "audio_start")
    else:
        params["width"] = args.get("width") if _truthy(args.get("width")) else width
        params["height"] = args.get("height") if _truthy(args.get("height")) else height
        params.update(fps=fps, duration=duration, audio_duration=duration)
        start = _first(args, "audio_start", "audioStart")
        if isinstance(generate_audio, bool):
            params["generate_audio"] = generate_audio
    if start is not None:
        params["audio_start"] = start
    if has_image:
        params["reference_image"] = call.inline("reference_image_url", "image") or call.indexed(
            args.get("sourceImageIndex"), "image", "sourceImageIndex"
        )
    if has_end:
        params["reference_image_end"] = call.inline(
            "reference_image_end_url", "image"
        ) or call.indexed(args.get("endImageIndex"), "image", "endImageIndex")
    if _given(args, "seed"):
        params["seed"] = args["seed"]
    return call.finish("video", model_id, params)


def _video_to_video(call: _Call) -> Plan:
    args = call.args
    if not (_nonempty(args.get("reference_video_url")) or args.get("videoSourceIndex") is not None):
        raise ToolInputError("video_to_video requires reference_video_url or videoSourceIndex")
    mode = control_mode(args["control_mode"] if "control_mode" in args else args.get("controlMode"))
    animate = mode in ("animate-move", "animate-replace")
    if animate:
        workflows, preferred = [mode], [PREFERRED[mode]]
    elif mode == "seedance-v2v":
        workflows, preferred = ["v2v"], [PREFERRED["seedance_v2v"], PREFERRED["v2v"]]
    else:
        workflows, preferred = ["v2v"], [PREFERRED["v2v"]]
    model_id = call.select(
        "video",
        requested=model_selector("video_to_video", args),
        workflows=workflows,
        preferred=preferred,
    )
    width, height, fps = video_defaults(model_id)
    external = is_external_video_model(model_id)
    has_image = (
        _nonempty(args.get("reference_image_url")) or args.get("sourceImageIndex") is not None
    )
    if animate and not has_image:
        raise ToolInputError(f"{mode} requires reference_image_url or sourceImageIndex")
    video = call.inline("reference_video_url", "video")
    if video is None:
        video = call.indexed(args["videoSourceIndex"], "video", "videoSourceIndex")
    params: dict[str, Any] = {}
    call.export_options(params)
    params.update(call.base("video", model_id))
    params["reference_video"] = video
    params["width"] = args.get("width") if _truthy(args.get("width")) else width
    params["height"] = args.get("height") if _truthy(args.get("height")) else height
    params["fps"] = fps
    params["duration"] = args.get("duration") if is_number(args.get("duration")) else 5
    if _truthy(args.get("negativePrompt")) and not external:
        params["negative_prompt"] = args["negativePrompt"]
    if _given(args, "seed"):
        params["seed"] = args["seed"]
    if has_image:
        params["reference_image"] = call.inline("reference_image_url", "image") or call.indexed(
            args.get("sourceImageIndex"), "image", "sourceImageIndex"
        )
    _audio_identity(call, params)
    if _given(args, "audio_identity_strength"):
        params["audio_identity_strength"] = args["audio_identity_strength"]
    if _given(args, "video_start"):
        params["video_start"] = args["video_start"]
    if isinstance(args.get("generateAudio"), bool):
        params["generate_audio"] = args["generateAudio"]
    if not animate and not external:
        params["control_net"] = {"name": mode, "strength": 1 if mode == "detailer" else 0.85}
    if not external and _given(args, "detailer_strength"):
        params["detailer_strength"] = args["detailer_strength"]
    return call.finish("video", model_id, params)


# ---------------------------------------------------------------------------- audio


def _generate_music(call: _Call) -> Plan:
    args = call.args
    model_id = call.select(
        "audio", requested=model_selector("generate_music", args), preferred=MUSIC_PREFERENCE
    )
    params = call.base("audio", model_id)
    for key in ("duration", "bpm"):
        if _given(args, key):
            params[key] = args[key]
    for key in ("keyscale", "lyrics", "language"):
        if _truthy(args.get(key)):
            params[key] = args[key]
    fmt = _first(args, "output_format", "outputFormat")
    if _truthy(fmt):
        params["output_format"] = fmt
    signature = time_signature(
        args["timesignature"] if "timesignature" in args else args.get("timesig")
    )
    if signature:
        params["time_signature"] = signature
    if isinstance(args.get("composer_mode"), bool):
        params["composer_mode"] = args["composer_mode"]
    for source, target in (("prompt_strength", "prompt_strength"), ("creativity", "creativity")):
        if is_number(args.get(source)):
            params[target] = args[source]
    if _given(args, "seed"):
        params["seed"] = args["seed"]
    return call.finish("audio", model_id, params)


_BUILDERS: dict[str, Callable[[_Call], Plan]] = {
    "generate_image": _generate_image,
    "edit_image": _edit_image,
    "generate_video": _generate_video,
    "sound_to_video": _sound_to_video,
    "video_to_video": _video_to_video,
    "generate_music": _generate_music,
}
