"""The model catalog: supported models, tiers mapped to options, size presets, LoRAs.

Pure data and computation: the client fetches the raw
JSON and hands it here. Sampler and scheduler display names from the tiers are mapped to the
aliases callers pass and the wire carries (``DPM++ 2M`` -> ``dpmpp_2m``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

import attrs

from .._wire.fields import wire
from ..errors import ProtocolError, ValidationError, ValidationProblem

__all__ = [
    "AudioModelOptions",
    "AvailableModel",
    "Catalog",
    "ImageModelOptions",
    "LoraCatalog",
    "LoraConstraints",
    "LoraEntry",
    "LoraUI",
    "ModelOptions",
    "NumberChoices",
    "NumericRange",
    "OptionList",
    "StartOption",
    "SizePreset",
    "SupportedModel",
    "TextLimit",
    "VideoModelOptions",
    "sampler_alias",
    "scheduler_alias",
]

_SAMPLER_ALIASES: Final = {
    "Euler": "euler",
    "Euler a": "euler_a",
    "Euler Ancestral": "euler_ancestral",
    "Heun": "heun",
    "DPM++ 2M": "dpmpp_2m",
    "DPM++ 2M SDE": "dpmpp_2m_sde",
    "DPM++ SDE": "dpmpp_sde",
    "DPM++ 3M SDE": "dpmpp_3m_sde",
    "UniPC": "uni_pc",
    "LCM (Latent Consistency Model)": "lcm",
    "LMS": "lms",
    "DPM 2": "dpm_2",
    "DPM 2 Ancestral": "dpm_2_ancestral",
    "DPM Fast": "dpm_fast",
    "DPM Adaptive": "dpm_adaptive",
    "DPM++ 2S Ancestral": "dpmpp_2s_ancestral",
    "DDPM": "ddpm",
    "Discrete Flow Sampler (SD3)": "dfs_sd3",
    "Discrete Flow Scheduler (SD3)": "dfs_sd3",
    "DPM Solver Multistep (DPM-Solver++)": "dpm_pp",
    "PNDM (Pseudo-linear multi-step)": "pndm_plms",
}
_SCHEDULER_ALIASES: Final = {
    "Simple": "simple",
    "Normal": "normal",
    "Karras": "karras",
    "Exponential": "exponential",
    "SGM Uniform": "sgm_uniform",
    "DDIM Uniform": "ddim_uniform",
    "Beta": "beta",
    "Linear Quadratic": "linear_quadratic",
    "KL Optimal": "kl_optimal",
    "DDIM": "ddim",
    "Leading": "leading",
    "Linear": "linear",
}


def sampler_alias(value: str) -> str:
    """The alias of a sampler display name; other values (aliases, Comfy names) unchanged."""
    return _SAMPLER_ALIASES.get(value, value)


def scheduler_alias(value: str) -> str:
    """The alias of a scheduler display name; other values unchanged."""
    return _SCHEDULER_ALIASES.get(value, value)


# ---------------------------------------------------------------------------- models


@attrs.frozen
class SupportedModel:
    """One entry of ``GET /api/v1/models/list``. ``tier`` is a key into the tiers map;
    ``media`` is ``image``, ``video``, ``audio`` or ``model`` (a 3D artifact)."""

    id: str = wire("id")
    name: str = wire("name", default="")
    sid: int | None = wire("SID", default=None)
    tier: str = wire("tier", default="")
    media: str = wire("media", default="image")


@attrs.frozen
class AvailableModel:
    """A model with workers online right now."""

    id: str
    name: str
    worker_count: int
    media: str


@attrs.frozen
class SizePreset:
    """A named output size (``GET /api/v1/size-presets/...``); ``aspect`` is a string."""

    label: str = wire("label")
    id: str = wire("id")
    width: int = wire("width")
    height: int = wire("height")
    ratio: str = wire("ratio", default="")
    aspect: str = wire("aspect", default="")


# ---------------------------------------------------------------------------- options


@attrs.frozen
class NumericRange:
    """A numeric option: ``step`` is ``10**-decimals`` when the tier gives decimals."""

    min: float
    max: float
    step: float
    default: float


@attrs.frozen
class OptionList:
    """Allowed string values (aliases for samplers and schedulers) and the default."""

    allowed: tuple[str, ...] = ()
    default: str | None = None


@attrs.frozen
class ImageModelOptions:
    """What an image model accepts. ``vae`` is None when the tier has none;
    ``guidance`` is None for promptless or guidance-free tiers."""

    steps: NumericRange
    sampler: OptionList
    scheduler: OptionList
    guidance: NumericRange | None = None
    vae: OptionList | None = None
    type: str = "image"


@attrs.frozen
class NumberChoices:
    """Allowed numbers (a video tier's ``fps``) and the default."""

    allowed: tuple[float, ...] = ()
    default: float | None = None


@attrs.frozen
class StartOption:
    """A seconds option with a lower bound and a default (``audio_start``, ``video_start``,
    ``audio_duration`` of a video tier)."""

    min: float
    default: float


@attrs.frozen
class TextLimit:
    """A speech model's text option: its maximum length and whether it is required."""

    max_length: int
    required: bool = False


@attrs.frozen
class VideoModelOptions:
    """What a video model accepts. Ranges the tier does not declare are
    None; ``fps`` lists the allowed rates when the tier restricts them."""

    sampler: OptionList
    scheduler: OptionList
    width: NumericRange | None = None
    height: NumericRange | None = None
    max_pixels: int | None = None
    steps: NumericRange | None = None
    guidance: NumericRange | None = None
    shift: NumericRange | None = None
    frames: NumericRange | None = None
    fps: NumberChoices | None = None
    audio_start: StartOption | None = None
    audio_duration: StartOption | None = None
    video_start: StartOption | None = None
    task: str | None = None
    output_resolutions: tuple[int, ...] | None = None
    preserves_source_timing: bool | None = None
    requires_reference_video: bool | None = None
    type: str = "video"


@attrs.frozen
class AudioModelOptions:
    """What an audio model accepts: music models declare tempo, key and
    composer options, speech models their voices and text limits; undeclared ones are None.
    ``sampler``/``scheduler`` are None for speech models, which have no sampler."""

    steps: NumericRange
    guidance: NumericRange | None = None
    sampler: OptionList | None = None
    scheduler: OptionList | None = None
    duration: NumericRange | None = None
    bpm: NumericRange | None = None
    time_signature: OptionList | None = None
    language: OptionList | None = None
    keyscale: OptionList | None = None
    composer_mode_default: bool | None = None
    prompt_strength: NumericRange | None = None
    creativity: NumericRange | None = None
    shift: NumericRange | None = None
    speaker: OptionList | None = None
    instruct: TextLimit | None = None
    reference_text: TextLimit | None = None
    accepts_reference_audio: bool = False
    requires_reference_audio: bool = False
    type: str = "audio"


ModelOptions: TypeAlias = ImageModelOptions | VideoModelOptions | AudioModelOptions
"""Options of any model."""


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} is not a number: {value!r}")
    return value


def _range(raw: Any, where: str) -> NumericRange:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} is not a range")
    decimals = raw.get("decimals")
    step: float = (
        10 ** -int(decimals) if decimals else _number(raw.get("step") or 1, f"{where}.step")
    )
    return NumericRange(
        min=_number(raw.get("min"), f"{where}.min"),
        max=_number(raw.get("max"), f"{where}.max"),
        step=step,
        default=_number(raw.get("default"), f"{where}.default"),
    )


def _options(raw: Any, alias: Any = None) -> OptionList:
    if not isinstance(raw, Mapping):
        return OptionList()
    mapper = alias or (lambda value: value)
    allowed = tuple(mapper(str(v)) for v in raw.get("allowed") or ())
    default = raw.get("default")
    return OptionList(allowed=allowed, default=None if default is None else mapper(str(default)))


def _image_options(
    tier: Mapping[str, Any], sampler: str, scheduler: str, *, comfy: bool
) -> ImageModelOptions:
    return ImageModelOptions(
        steps=_range(tier.get("steps"), "steps"),
        guidance=_range(tier["guidance"], "guidance") if tier.get("guidance") else None,
        sampler=_options(tier.get(sampler), sampler_alias),
        scheduler=_options(tier.get(scheduler), scheduler_alias),
        vae=_options(tier["vae"]) if comfy and tier.get("vae") else None,
    )


def _optional_range(tier: Mapping[str, Any], key: str) -> NumericRange | None:
    return _range(tier[key], key) if tier.get(key) else None


def _optional_options(tier: Mapping[str, Any], key: str, alias: Any = None) -> OptionList | None:
    return _options(tier[key], alias) if tier.get(key) else None


def _start(tier: Mapping[str, Any], key: str) -> StartOption | None:
    raw = tier.get(key)
    if not raw:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError(f"{key} is not an option")
    return StartOption(
        min=_number(raw.get("min"), f"{key}.min"), default=_number(raw.get("default"), key)
    )


def _text_limit(tier: Mapping[str, Any], key: str) -> TextLimit | None:
    raw = tier.get(key)
    if not raw:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError(f"{key} is not an option")
    return TextLimit(
        max_length=int(_number(raw.get("maxLength"), f"{key}.maxLength")),
        required=raw.get("required") is True,
    )


def _video_options(tier: Mapping[str, Any]) -> VideoModelOptions:
    fps = tier.get("fps")
    resolutions = tier.get("outputResolutions")
    return VideoModelOptions(
        sampler=_options(tier.get("comfySampler"), sampler_alias),
        scheduler=_options(tier.get("comfyScheduler"), scheduler_alias),
        width=_optional_range(tier, "width"),
        height=_optional_range(tier, "height"),
        max_pixels=int(_number(tier["maxPixels"], "maxPixels")) if tier.get("maxPixels") else None,
        steps=_optional_range(tier, "steps"),
        guidance=_optional_range(tier, "guidance"),
        shift=_optional_range(tier, "shift"),
        frames=_optional_range(tier, "frames"),
        fps=NumberChoices(
            allowed=tuple(_number(v, "fps") for v in fps.get("allowed") or ()),
            default=fps.get("default"),
        )
        if isinstance(fps, Mapping)
        else None,
        audio_start=_start(tier, "audioStart"),
        audio_duration=_start(tier, "audioDuration"),
        video_start=_start(tier, "videoStart"),
        task=tier.get("task"),
        output_resolutions=tuple(int(_number(v, "outputResolutions")) for v in resolutions)
        if isinstance(resolutions, list)
        else None,
        preserves_source_timing=tier.get("preservesSourceTiming"),
        requires_reference_video=tier.get("requiresReferenceVideo"),
    )


def _audio_options(tier: Mapping[str, Any]) -> AudioModelOptions:
    composer = tier.get("composerMode")
    requires = tier.get("requiresReferenceAudio") is True
    return AudioModelOptions(
        steps=_range(tier.get("steps"), "steps"),
        guidance=_optional_range(tier, "guidance"),
        sampler=_optional_options(tier, "comfySampler", sampler_alias),
        scheduler=_optional_options(tier, "comfyScheduler", scheduler_alias),
        duration=_optional_range(tier, "duration"),
        bpm=_optional_range(tier, "bpm"),
        time_signature=_optional_options(tier, "timesignature"),
        language=_optional_options(tier, "language"),
        keyscale=_optional_options(tier, "keyscale"),
        composer_mode_default=composer.get("default") if isinstance(composer, Mapping) else None,
        prompt_strength=_optional_range(tier, "promptStrength"),
        creativity=_optional_range(tier, "creativity"),
        shift=_optional_range(tier, "shift"),
        speaker=_optional_options(tier, "speaker"),
        instruct=_text_limit(tier, "instruct"),
        reference_text=_text_limit(tier, "referenceText"),
        accepts_reference_audio=requires or tier.get("acceptInputAudio") is True,
        requires_reference_audio=requires,
    )


# Tier `type` -> mapper; legacy image tiers have no `type` key and other field names.
_TIER_MAPPERS: Final[dict[str | None, Callable[[Mapping[str, Any]], ModelOptions]]] = {
    None: functools.partial(_image_options, sampler="sampler", scheduler="scheduler", comfy=False),
    "image": functools.partial(
        _image_options, sampler="comfySampler", scheduler="comfyScheduler", comfy=True
    ),
    "video": _video_options,
    "audio": _audio_options,
}


class Catalog:
    """Supported models and their tiers, from the raw JSON of ``/api/v1/models/list`` and
    ``/api/v2/models/tiers``. Immutable once built; safe to share between threads."""

    def __init__(self, models_json: Any, tiers_json: Any) -> None:
        if not isinstance(models_json, list):
            raise ProtocolError("the models list is not a JSON array")
        if not isinstance(tiers_json, Mapping):
            raise ProtocolError("the model tiers are not a JSON object")
        from .._wire.converter import structure

        models: dict[str, SupportedModel] = {}
        for item in models_json:
            try:
                model = structure(item, SupportedModel)
            except Exception as exc:  # a malformed row must not hide the others
                raise ProtocolError(f"malformed model entry in the models list: {exc}") from exc
            models.setdefault(model.id, model)
        self._models = models
        self._tiers: Mapping[str, Any] = dict(tiers_json)
        self._options: dict[str, ModelOptions] = {}

    @property
    def tiers(self) -> Mapping[str, Any]:
        """The raw tiers map (tier name -> tier JSON)."""
        return self._tiers

    def supported_models(self) -> list[SupportedModel]:
        return list(self._models.values())

    def model(self, model_id: str) -> SupportedModel | None:
        return self._models.get(model_id)

    def media_of(self, model_id: str) -> str:
        """``image``, ``video``, ``audio`` or ``model`` (3D), as the catalog declares it."""
        return self._require(model_id).media

    def _require(self, model_id: str) -> SupportedModel:
        model = self._models.get(model_id)
        if model is None:
            raise ValidationError(
                [ValidationProblem("model_id", f"Model {model_id} not supported")]
            )
        return model

    def tier(self, model_id: str) -> Mapping[str, Any]:
        """The raw tier of a model (raises :class:`ValidationError` naming ``model_id``)."""
        model = self._require(model_id)
        tier = self._tiers.get(model.tier)
        if not isinstance(tier, Mapping):
            raise ValidationError(
                [
                    ValidationProblem(
                        "model_id",
                        f'Unable to find model tier "{model.tier}" please contact support',
                    )
                ]
            )
        return tier

    def model_options(self, model_id: str) -> ModelOptions:
        """The options of a model; raises :class:`ValidationError` naming ``model_id`` when the
        model is unknown or its tier is missing or of an unknown kind."""
        cached = self._options.get(model_id)
        if cached is not None:
            return cached
        model = self._require(model_id)
        tier = self.tier(model_id)
        mapper = _TIER_MAPPERS.get(tier.get("type"))
        options: ModelOptions | None = None
        if mapper is not None:
            try:
                options = mapper(tier)
            except (ValueError, TypeError, KeyError):
                options = None
        if options is None:
            raise ValidationError(
                [ValidationProblem("model_id", f'Unsupported model tier "{model.tier}"')]
            )
        self._options[model_id] = options  # same value for every thread; a race is harmless
        return options

    def available_models(self, workers_by_sid: Any) -> list[AvailableModel]:
        """Map ``GET /api/v1/status/network/{network}/models`` (SID -> worker count) onto the
        catalog. An SID the catalog does not know keeps the SID as id and name."""
        if not isinstance(workers_by_sid, Mapping):
            raise ProtocolError("the network status is not a JSON object")
        by_sid = {str(m.sid): m for m in self._models.values() if m.sid is not None}
        result = []
        for sid, count in workers_by_sid.items():
            model = by_sid.get(str(sid))
            workers = int(count) if isinstance(count, (int, float)) else 0
            if model is None:
                result.append(
                    AvailableModel(
                        id=str(sid),
                        name=str(sid).replace("-", " "),
                        worker_count=workers,
                        media="image",
                    )
                )
            else:
                result.append(
                    AvailableModel(
                        id=model.id, name=model.name, worker_count=workers, media=model.media
                    )
                )
        return result


# ---------------------------------------------------------------------------- LoRAs


@attrs.frozen
class LoraUI:
    """Slider data for one LoRA: the valid range, the author's recommended band, labels."""

    min: float = wire("min", default=-100)
    max: float = wire("max", default=100)
    default: float = wire("default", default=1)
    step: float = wire("step", default=0.1)
    recommended_min: float | None = wire("recommendedMin", default=None)
    recommended_max: float | None = wire("recommendedMax", default=None)
    range_labels: dict[str, str] | None = wire("rangeLabels", default=None)
    category: str | None = wire("category", default=None)
    section: dict[str, Any] | None = wire("section", default=None)
    nsfw: bool = wire("nsfw", default=False)
    sexual: bool = wire("sexual", default=False)
    creator: str | None = wire("creator", default=None)
    source_url: str | None = wire("sourceUrl", default=None)
    license: str | None = wire("license", default=None)
    license_url: str | None = wire("licenseUrl", default=None)
    examples: Any = wire("examples", default=None)
    example_groups: Any = wire("exampleGroups", default=None)
    example_prompt: str | None = wire("examplePrompt", default=None)
    example_negative_prompt: str | None = wire("exampleNegativePrompt", default=None)


@attrs.frozen
class LoraEntry:
    """One LoRA; ``lora_id`` is the value to put in ``loras``."""

    lora_id: str = wire("loraId")
    slug: str = wire("slug", default="")
    name: str = wire("name", default="")
    description: str = wire("description", default="")
    related_lora_ids: list[str] = wire("relatedLoraIds", factory=list)
    model_ids: list[str] = wire("modelIds", factory=list)
    ui: LoraUI = wire("ui", factory=LoraUI)


@attrs.frozen
class LoraConstraints:
    """Per-request LoRA limits (the service's defaults when it does not say)."""

    max_per_request: int = wire("maxPerRequest", default=8)
    min_strength: float = wire("minStrength", default=-100)
    max_strength: float = wire("maxStrength", default=100)


@attrs.frozen
class LoraCatalog:
    """``GET /v1/loras/comfy``: the LoRAs, the LoRA-capable models and per-request limits.

    ``models`` is every LoRA-capable model as the service lists it (None when it does not;
    :attr:`model_ids` then derives the list from the rows).
    """

    loras: list[LoraEntry] = wire("loras", factory=list)
    models: list[str] | None = wire("models", default=None)
    constraints: LoraConstraints = wire("constraints", factory=LoraConstraints)
    last_updated: str | None = wire("lastUpdated", default=None)

    @property
    def model_ids(self) -> list[str]:
        """Every LoRA-capable model id."""
        if self.models is not None:
            return list(self.models)
        return sorted({m for lora in self.loras for m in lora.model_ids})

    def for_model(self, model_id: str) -> LoraCatalog:
        """Only the LoRAs for ``model_id`` (the model list stays the full one)."""
        return attrs.evolve(
            self,
            loras=[lora for lora in self.loras if model_id in lora.model_ids],
            models=self.model_ids,
        )

    def get(self, lora_id: str) -> LoraEntry | None:
        return next((lora for lora in self.loras if lora.lora_id == lora_id), None)

    def supports(self, model_id: str) -> bool:
        return model_id in self.model_ids
