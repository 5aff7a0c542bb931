"""Checks shared by every project type: the problem collector, media slots, common parameters.

:mod:`sogni.projects._validation` (images), :mod:`._validate_video` and :mod:`._validate_audio`
build on these; each reports problems with the parameter's snake_case name and never stops at
the first one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs

from .._wire.js import trim, utf16_length
from ..errors import ValidationError, ValidationProblem
from .catalog import Catalog, ModelOptions, NumericRange
from .media import MediaKind, MediaSource, resolve_media
from .params import ProjectParams, WorkloadAttribution, WorldGenerationReceipt

__all__ = [
    "MAX_SEED",
    "MediaSlot",
    "Problems",
    "alias",
    "check_choice",
    "check_common",
    "model_options",
]

TOKEN_TYPES: Final = ("sogni", "spark")
NETWORKS: Final = ("fast", "relaxed")
BILLING_MODES: Final = ("auto", "subscription", "tokens")
MAX_SEED: Final = 2**32 - 1
MAX_LORAS: Final = 8
LORA_STRENGTH_LIMIT: Final = 100

WORKLOAD_KINDS: Final = ("direct", "agent_mediated", "service", "unknown")
OPERATION_SCOPES: Final = ("top_level", "child", "unknown")
AGENT_SURFACES: Final = (
    "native_web",
    "native_mobile",
    "native_desktop",
    "plugin",
    "personal_skill",
    "mcp",
    "cli",
    "sdk",
    "openai_compatible",
    "direct_api",
    "unknown",
)
EXECUTION_MODES: Final = ("browser", "durable", "server", "unknown")
_CONTROL_CHARS: Final = re.compile(r"[\x00-\x1f\x7f]")
_VERSION: Final = re.compile(r"[0-9][0-9A-Za-z.+_-]*")
_OPERATION_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_SHA256: Final = re.compile(r"[a-fA-F0-9]{64}")


@attrs.frozen
class MediaSlot:
    """One upload: ``slot`` is the wire upload ``type`` (``startingImage``, ``cnImage``,
    ``contextImage1``…), ``kind`` picks the endpoint (image, or media for audio/video) and
    ``upload_id`` is the media endpoint's optional ``id`` for numbered slots."""

    slot: str
    kind: MediaKind
    source: MediaSource
    upload_id: str | None = None


class Problems:
    def __init__(self) -> None:
        self.items: list[ValidationProblem] = []

    def add(self, param: str, message: str) -> None:
        self.items.append(ValidationProblem(param, message))

    def absorb(self, error: ValidationError) -> None:
        self.items.extend(error.problems)

    # -- type and range checks; each returns whether the value is usable for further checks

    def string(
        self, param: str, value: Any, *, choices: Sequence[str] | None = None, empty: bool = True
    ) -> bool:
        if value is None:
            return False
        if not isinstance(value, str):
            self.add(param, f"must be a string, not {type(value).__name__}")
            return False
        if not empty and not trim(value):
            self.add(param, "must not be empty")
            return False
        if choices is not None and value not in choices:
            self.add(param, f"must be one of {', '.join(map(repr, choices))}, got {value!r}")
            return False
        return True

    def boolean(self, param: str, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(param, f"must be True or False, not {type(value).__name__}")
            return False
        return True

    def number(
        self,
        param: str,
        value: Any,
        low: float | None = None,
        high: float | None = None,
        *,
        integer: bool = False,
    ) -> bool:
        if value is None:
            return False
        kind = "an integer" if integer else "a number"
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (integer and not isinstance(value, int))
        ):
            self.add(param, f"must be {kind}, not {type(value).__name__}")
            return False
        if not math.isfinite(value):
            self.add(param, f"must be a finite number, got {value!r}")
            return False
        if low is not None and value < low:
            self.add(param, f"must be greater than or equal to {low}, got {value!r}")
            return False
        if high is not None and value > high:
            self.add(param, f"must be less than or equal to {high}, got {value!r}")
            return False
        return True

    def instance(self, param: str, value: Any, cls: type[Any]) -> bool:
        if value is None:
            return False
        if not isinstance(value, cls):
            self.add(param, f"must be a {cls.__name__} or a dict, not {type(value).__name__}")
            return False
        return True

    def sequence(self, param: str, value: Any) -> bool:
        if not isinstance(value, tuple):
            self.add(param, f"must be a list, not {type(value).__name__}")
            return False
        return True

    def media(
        self,
        slots: list[MediaSlot],
        slot: str,
        param: str,
        value: Any,
        kind: MediaKind = "image",
        upload_id: str | None = None,
    ) -> None:
        if isinstance(value, bool):
            self.add(param, "must be a file path, bytes or a binary file object")
            return
        try:
            source = resolve_media(value, param, kind=kind)
        except ValidationError as exc:
            self.absorb(exc)
            return
        slots.append(MediaSlot(slot=slot, kind=kind, source=source, upload_id=upload_id))


def model_options(
    params: ProjectParams, catalog: Catalog, problems: Problems
) -> ModelOptions | None:
    """The model's options when the model is known and of the project's type."""
    if not problems.string("model_id", params.model_id, empty=False):
        if params.model_id is None:
            problems.add("model_id", "is required")
        return None
    try:
        options = catalog.model_options(params.model_id)
    except ValidationError as exc:
        problems.absorb(exc)
        return None
    if options.type != params.type:
        problems.add(
            "model_id",
            f"Invalid model type. Model does not support {params.type} generation. "
            "Please use a different model.",
        )
        return None
    return options


def check_common(
    params: ProjectParams,
    p: Problems,
    *,
    steps: NumericRange | None = None,
    guidance: NumericRange | None = None,
    seed_range: tuple[int, int] = (0, MAX_SEED),
) -> None:
    """Checks for the parameters every project type shares; ``steps`` and ``guidance`` are the
    model's advertised ranges (None: steps >= 1, guidance >= 0), ``seed_range`` the family's."""
    for name in ("positive_prompt", "negative_prompt", "style_prompt"):
        p.string(name, getattr(params, name))
    p.number("number_of_media", params.number_of_media, 1, integer=True)
    p.number(
        "steps",
        params.steps,
        steps.min if steps else 1,
        steps.max if steps else None,
        integer=True,
    )
    p.number(
        "guidance",
        params.guidance,
        guidance.min if guidance else 0,
        guidance.max if guidance else None,
    )
    p.number("seed", params.seed, *seed_range, integer=True)
    p.string("token_type", params.token_type, choices=TOKEN_TYPES)
    p.string("network", params.network, choices=NETWORKS)
    p.string("billing_mode", params.billing_mode, choices=BILLING_MODES)
    p.boolean("disable_nsfw_filter", params.disable_nsfw_filter)
    p.string("app_source", params.app_source)
    _check_loras(params, p)
    if params.attribution is not None and p.instance(
        "attribution", params.attribution, WorkloadAttribution
    ):
        _check_attribution(params.attribution, p)
    if params.world_generation_receipt is not None and p.instance(
        "world_generation_receipt", params.world_generation_receipt, WorldGenerationReceipt
    ):
        _check_receipt(params.world_generation_receipt, p)


def _check_loras(params: ProjectParams, p: Problems) -> None:
    loras, strengths = params.loras, params.lora_strengths
    if p.sequence("loras", loras):
        if len(loras) > MAX_LORAS:
            p.add("loras", f"at most {MAX_LORAS} LoRAs per request, got {len(loras)}")
        for i, lora in enumerate(loras):
            p.string(f"loras[{i}]", lora, empty=False)
    if p.sequence("lora_strengths", strengths):
        if isinstance(loras, tuple) and len(strengths) > len(loras):
            p.add("lora_strengths", f"has {len(strengths)} values for {len(loras)} LoRAs")
        for i, strength in enumerate(strengths):
            p.number(f"lora_strengths[{i}]", strength, -LORA_STRENGTH_LIMIT, LORA_STRENGTH_LIMIT)


def _trimmed(value: str | None) -> str | None:
    return trim(value) if isinstance(value, str) else value


def _check_attribution(a: WorkloadAttribution, p: Problems) -> None:
    enums = {
        "workload_kind": WORKLOAD_KINDS,
        "operation_scope": OPERATION_SCOPES,
        "agent_surface": AGENT_SURFACES,
        "execution_mode": EXECUTION_MODES,
    }
    for name, choices in enums.items():
        p.string(f"attribution.{name}", _trimmed(getattr(a, name)), choices=choices)
    for name, limit, pattern in (
        ("agent_framework", 128, None),
        ("agent_framework_version", 32, _VERSION),
        ("agent_surface_version", 32, _VERSION),
    ):
        value = _trimmed(getattr(a, name))
        if not (p.string(f"attribution.{name}", value, empty=False) and isinstance(value, str)):
            continue
        # Lengths are JavaScript's: UTF-16 code units (an emoji counts 2).
        if utf16_length(value) > limit or _CONTROL_CHARS.search(value):
            p.add(
                f"attribution.{name}",
                f"must be at most {limit} printable characters (UTF-16 code units)",
            )
        elif pattern is not None and not pattern.fullmatch(value):
            p.add(f"attribution.{name}", "must be a version such as '1.2.3'")
    for name in ("operation_id", "root_operation_id", "parent_operation_id"):
        value = getattr(a, name)
        if p.string(f"attribution.{name}", value) and (
            utf16_length(value) > 128 or not _OPERATION_ID.fullmatch(value)
        ):
            p.add(
                f"attribution.{name}",
                "must be 1-128 characters of letters, digits and ._:- "
                "starting with a letter or digit",
            )


def _check_receipt(r: WorldGenerationReceipt, p: Problems) -> None:
    fields = {
        "target_still": ("source_image_sha256", "selection_hash"),
        "transition": ("first_frame_sha256", "last_frame_sha256"),
    }
    wanted = fields.get(r.stage) if isinstance(r.stage, str) else None
    if wanted is None:
        p.add("world_generation_receipt.stage", "must be target_still or transition")
        return
    for name in wanted:
        value = getattr(r, name)
        if not isinstance(value, str) or not _SHA256.fullmatch(value):
            p.add(f"world_generation_receipt.{name}", "must be a SHA-256 hex digest")
    for name in {n for names in fields.values() for n in names} - set(wanted):
        if getattr(r, name) is not None:
            p.add(f"world_generation_receipt.{name}", f"is not part of a {r.stage} receipt")


def alias(value: Any, mapper: Callable[[str], str]) -> Any:
    """``mapper(value)`` for strings; anything else unchanged, for the type check to report."""
    return mapper(value) if isinstance(value, str) else value


def check_choice(
    p: Problems, param: str, value: str | None, allowed: Sequence[str], label: str
) -> None:
    """A sampler/scheduler/VAE against the model's list; an empty list accepts anything
    (the value is then not sent), as the service's own client does."""
    if not p.string(param, value) or not allowed:
        return
    if value not in allowed:
        p.add(param, f'Invalid {label} {value}. Must be one of "' + '", "'.join(allowed) + '".')
