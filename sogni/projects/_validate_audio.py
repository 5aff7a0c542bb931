"""Audio checks, collected like the image checks.

The official TypeScript client checks only the sampler and scheduler of an audio project and
sends everything else unchanged; the service then refuses out-of-range values. This module
checks those ranges before anything is sent, from the model's tier when it declares them and
otherwise from the documented catalog:

* ACE-Step: ``duration`` 10-600 s, ``bpm`` 30-300, ``time_signature`` "2"/"3"/"4"/"6",
  ``keyscale`` one of the 70 keys (every root, sharp and flat, ASCII and Unicode, major and
  minor), ``language`` one of the 51 lyric languages, ``prompt_strength`` 0-10,
  ``creativity`` 0-2, ``shift`` 1-5;
* MiniMax Music 3: ``duration`` 10-300 s, ``prompt_strength`` 0-10; it has no tempo, time
  signature or shift;
* ``steps`` and ``guidance`` inside the tier's ranges, and no ``guidance`` on a tier without
  one (ACE-Step Turbo);
* speech models (Qwen3-TTS): ``speaker`` from the tier's voices, ``instruct`` and
  ``reference_text`` within the tier's lengths (``instruct`` when the tier requires it), and
  ``reference_audio`` only where the tier accepts it (required where the tier says so); none
  of these on a model whose tier does not declare them (the service refuses them there);
* ``output_format`` mp3, wav or flac, ``number_of_media`` (versions) 1-4, no negative prompt
  (the official client drops it silently).

The documented ranges and lists belong to the families (:mod:`sogni.projects.families`);
this module is the walk every audio project takes.
"""

from __future__ import annotations

from typing import Any, Final

from .._wire.js import trim, utf16_length
from ._checks import MediaSlot, Problems, alias, check_choice, check_common, model_options
from .catalog import AudioModelOptions, Catalog, NumericRange, sampler_alias, scheduler_alias
from .families import AudioCheck, AudioFamily, audio_family, registered_families
from .families._base import with_defaults
from .params import AudioProjectParams

__all__ = ["AUDIO_MAX_VERSIONS", "AUDIO_OUTPUT_FORMATS", "time_signature", "validate_audio"]

AUDIO_OUTPUT_FORMATS: Final = ("mp3", "wav", "flac")
AUDIO_MAX_VERSIONS: Final = 4
_RANGED: Final = ("duration", "bpm", "prompt_strength", "creativity", "shift")


def validate_audio(params: Any, catalog: Catalog, p: Problems) -> list[MediaSlot]:
    assert isinstance(params, AudioProjectParams)
    model = params.model_id if isinstance(params.model_id, str) else ""
    family = audio_family(model)
    params = with_defaults(params, family)
    options = model_options(params, catalog, p)
    tier = options if isinstance(options, AudioModelOptions) else None
    check_common(
        params,
        p,
        steps=tier.steps if tier else None,
        guidance=tier.guidance if tier else None,
    )
    versions = params.number_of_media
    if isinstance(versions, int) and versions > AUDIO_MAX_VERSIONS:
        p.add(
            "number_of_media",
            f"must be less than or equal to {AUDIO_MAX_VERSIONS}, got {versions}",
        )
    p.string("output_format", params.output_format, choices=AUDIO_OUTPUT_FORMATS)
    if isinstance(params.negative_prompt, str) and trim(params.negative_prompt):
        p.add("negative_prompt", "audio models take no negative prompt")
    if tier is not None and tier.guidance is None and params.guidance is not None:
        p.add("guidance", f"is not used by {model} (its tier has no guidance)")
    check = AudioCheck(params, model, tier, p, family)
    _check_music(check)
    _check_speech(params, model, tier, p)
    check_choice(
        p,
        "sampler",
        alias(params.sampler, sampler_alias),
        tier.sampler.allowed if tier and tier.sampler else (),
        "sampler",
    )
    check_choice(
        p,
        "scheduler",
        alias(params.scheduler, scheduler_alias),
        tier.scheduler.allowed if tier and tier.scheduler else (),
        "scheduler",
    )
    p.string("lyrics", params.lyrics)
    p.boolean("composer_mode", params.composer_mode)
    for other in registered_families("audio"):
        if other is not family:
            assert isinstance(other, AudioFamily)
            other.refuse(check)
    family.validate(check)
    slots: list[MediaSlot] = []
    if params.reference_audio is not None:
        p.media(slots, "referenceAudio", "reference_audio", params.reference_audio, "audio")
    return slots


def _check_music(check: AudioCheck) -> None:
    params, p, model, tier = check.params, check.p, check.model_id, check.tier
    documented = check.family.documented_ranges(model)
    for name in _RANGED:
        value = getattr(params, name)
        declared: NumericRange | None = getattr(tier, name) if tier else None
        limits = declared or documented.get(name)
        if value is not None and declared is None and name in documented and limits is None:
            p.add(name, f"is not an option of {model}")
            continue
        p.number(name, value, *((limits.min, limits.max) if limits else (None, None)))
    choices = check.family.documented_choices(model)
    refused = check.family.refused_options(model)
    _check_listed(
        p,
        "time_signature",
        time_signature(params.time_signature),
        tier.time_signature.allowed if tier and tier.time_signature else None,
        choices.get("time_signature"),
        refused="time_signature" in refused,
        model=model,
    )
    for name in ("keyscale", "language"):
        listed = getattr(tier, name) if tier else None
        _check_listed(
            p,
            name,
            getattr(params, name),
            listed.allowed if listed else None,
            choices.get(name),
            refused=name in refused,
            model=model,
        )


def time_signature(value: Any) -> Any:
    """The time signature as the wire's string; an int such as 4 is accepted too."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_listed(
    p: Problems,
    name: str,
    value: Any,
    declared: tuple[str, ...] | None,
    documented: tuple[str, ...] | None,
    *,
    model: str,
    refused: bool = False,
) -> None:
    if value is None:
        return
    if refused and declared is None:
        p.add(name, f"is not an option of {model}")
        return
    allowed = declared or documented
    if not p.string(name, value) or allowed is None or value in allowed:
        return
    if len(allowed) > 12:
        p.add(name, f"{value!r} is not one of the {len(allowed)} values {model} accepts")
    else:
        p.add(name, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _check_speech(
    params: AudioProjectParams, model: str, tier: AudioModelOptions | None, p: Problems
) -> None:
    _check_listed(
        p,
        "speaker",
        params.speaker,
        tier.speaker.allowed if tier and tier.speaker else None,
        None,
        model=model,
    )
    if tier is not None:
        for name in ("speaker", "instruct", "reference_text"):
            if getattr(params, name) is not None and getattr(tier, name) is None:
                p.add(name, f"is not an option of {model}")
    for name in ("instruct", "reference_text"):
        value = getattr(params, name)
        limit = getattr(tier, name) if tier else None
        # The service counts as JavaScript does: UTF-16 code units, so an emoji is 2.
        if p.string(name, value) and limit is not None and utf16_length(value) > limit.max_length:
            p.add(
                name,
                f"must be at most {limit.max_length} characters (UTF-16 code units) for {model}",
            )
        if limit is not None and limit.required and not (isinstance(value, str) and trim(value)):
            p.add(name, f"is required by {model}")
    if tier is None:
        return
    if params.reference_audio is None and tier.requires_reference_audio:
        p.add("reference_audio", f"{model} needs a reference_audio (the voice to clone)")
    elif params.reference_audio is not None and not tier.accepts_reference_audio:
        p.add("reference_audio", f"is not an input of {model}")
