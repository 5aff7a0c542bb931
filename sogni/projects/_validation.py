"""Every check made before a project is sent, collected into one :class:`ValidationError`.

:func:`validate` runs the checks the official TypeScript SDK makes before sending (for images,
the official client's checks: model and tier, sampler/scheduler/VAE lists, custom sizes, ControlNet,
GPT Image options and masks, SAM3, BiRefNet and Pixal3D rules, context-image limits) and,
because a problem is cheaper to fix before anything is uploaded or paid, this superset:

* every value's type (the TypeScript types), with the parameter's snake_case name;
* ``steps`` and ``guidance`` inside the model tier's advertised range; ``seed`` a Uint32;
  ``number_of_media`` >= 1 and ``number_of_previews`` >= 0, integers;
* ``token_type`` (sogni|spark), ``network`` (fast|relaxed), ``billing_mode``
  (auto|subscription|tokens) and the image ``output_format`` (png|jpg|webp) from their sets;
* at most 8 ``loras`` (the service's per-request limit), non-empty ids, strengths finite in
  -100..100 and no more strengths than LoRAs;
* ``starting_image_strength`` in (0, 1] and only with a ``starting_image`` (the TypeScript SDK
  turns 0 into 0.5, the Python SDK into 0: refusing 0 keeps the wire unambiguous);
* ``control_net.name`` among the 15 ControlNets and ``guidance_start`` < ``guidance_end``
  (both documented, neither checked by the official client);
* ``width``/``height`` given together, ``size_preset="custom"`` with both, and no
  ``width``/``height`` next to a named preset (it would be silently ignored);
* the ``gpt_image_*`` options only on GPT Image models, a mask URL over https;
* the context-image limit checked before any upload (the official client checks it halfway
  through the uploads);
* media: the file exists, is not empty and is a recognisable image (magic bytes);
* ``attribution`` values in their sets and formats (the official client drops bad ones).

On success :func:`validate` returns the media to upload, in upload order, as :class:`MediaSlot`.
The checks every type shares live in :mod:`._checks`; video and audio projects are checked by
:mod:`._validate_video` and :mod:`._validate_audio`. What differs per model family (GPT Image,
SAM3, BiRefNet, Pixal3D, Qwen, Comfy models…) is asked of the family
(:mod:`sogni.projects.families`): its size bounds, context-image limit, field naming, its own
rules, and the refusal of options only it takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ..errors import ValidationError, ValidationProblem
from ._checks import MediaSlot, Problems, alias, check_choice, check_common, model_options
from ._validate_audio import validate_audio
from ._validate_video import validate_video
from .catalog import Catalog, ImageModelOptions, sampler_alias, scheduler_alias
from .families import ImageCheck, ImageFamily, image_family, registered_families
from .families._base import with_defaults
from .params import ControlNetParams, ImageProjectParams, ProjectParams

__all__ = [
    "CONTROLNET_MODES",
    "CONTROLNET_NAMES",
    "MediaSlot",
    "custom_image_size_bounds",
    "max_context_images",
    "validate",
]

IMAGE_OUTPUT_FORMATS: Final = ("png", "jpg", "webp")
CONTROLNET_NAMES: Final = (
    "canny",
    "depth",
    "inpaint",
    "instrp2p",
    "lineart",
    "lineartanime",
    "mlsd",
    "normalbae",
    "openpose",
    "scribble",
    "segmentation",
    "shuffle",
    "softedge",
    "tile",
    "instantid",
)
# Public mode name -> wire `controlMode`.
CONTROLNET_MODES: Final = {"balanced": 0, "prompt_priority": 1, "cn_priority": 2}
# Upload order: the mask, the starting image, the ControlNet image, then the context slots.
_SLOT_ORDER: Final = {
    name: rank
    for rank, name in enumerate(
        ["referenceMask", "startingImage", "cnImage", *(f"contextImage{n}" for n in range(1, 17))]
    )
}


def validate(params: ProjectParams, catalog: Catalog) -> list[MediaSlot]:
    """Check ``params`` against the protocol and the model's options.

    Raises one :class:`ValidationError` listing every problem; returns the media to upload.
    """
    check = _VALIDATORS.get(params.type)
    if check is None:
        raise ValidationError(
            [
                ValidationProblem(
                    "type", 'Invalid project type. Must be "image", "video", or "audio".'
                )
            ]
        )
    problems = Problems()
    slots = check(params, catalog, problems)
    if problems.items:
        raise ValidationError(problems.items)
    return slots


def custom_image_size_bounds(model_id: str) -> tuple[int, int]:
    """``(min, max)`` for each side of a custom image size on ``model_id``."""
    return image_family(model_id).size_bounds(model_id)


def max_context_images(model_id: str) -> int:
    return image_family(model_id).max_context_images(model_id)


# ---------------------------------------------------------------------------- image


def _validate_image(params: ProjectParams, catalog: Catalog, p: Problems) -> list[MediaSlot]:
    assert isinstance(params, ImageProjectParams)
    model = params.model_id if isinstance(params.model_id, str) else ""
    family = image_family(model)
    params = with_defaults(params, family)
    options = model_options(params, catalog, p)
    image_options = options if isinstance(options, ImageModelOptions) else None
    check_common(
        params,
        p,
        steps=image_options.steps if image_options else None,
        guidance=image_options.guidance if image_options else None,
    )
    check = ImageCheck(params, model, image_options, p, family)

    p.number("number_of_previews", params.number_of_previews, 0, integer=True)
    if family.forced_output_format is None:
        p.string("output_format", params.output_format, choices=IMAGE_OUTPUT_FORMATS)

    check_choice(
        p,
        "sampler",
        alias(params.sampler, sampler_alias),
        image_options.sampler.allowed if image_options else (),
        "sampler",
    )
    check_choice(
        p,
        "scheduler",
        alias(params.scheduler, scheduler_alias),
        image_options.scheduler.allowed if image_options else (),
        "scheduler",
    )
    vae_options = image_options.vae if image_options and family.comfy_names(model) else None
    check_choice(p, "vae", params.vae, vae_options.allowed if vae_options else (), "VAE")

    _check_size(params, family.size_bounds(model), p)
    _check_starting_image(check)
    _check_control_net(check)
    _check_context_images(check)
    for other in registered_families("image"):
        if other is not family:
            assert isinstance(other, ImageFamily)
            other.refuse(check)
    family.validate(check)
    return sorted(check.slots, key=lambda s: _SLOT_ORDER.get(s.slot, len(_SLOT_ORDER)))


def _check_size(params: ImageProjectParams, bounds: tuple[int, int], p: Problems) -> None:
    width, height, preset = params.width, params.height, params.size_preset
    p.string("size_preset", preset, empty=False)
    low, high = bounds
    p.number("width", width, low, high, integer=True)
    p.number("height", height, low, high, integer=True)
    if preset is None or preset == "custom":
        if (width is None) != (height is None):
            missing = "height" if height is None else "width"
            p.add(missing, "width and height must be given together")
        elif preset == "custom" and width is None:
            p.add("size_preset", "'custom' needs width and height")
    elif width is not None or height is not None:
        p.add(
            "width" if width is not None else "height",
            f"width and height are only used with size_preset='custom', not {preset!r}",
        )


def _check_starting_image(check: ImageCheck) -> None:
    params, p = check.params, check.p
    if params.starting_image is not None:
        check.media("startingImage", "starting_image", params.starting_image)
    strength = params.starting_image_strength
    if p.number("starting_image_strength", strength, 0, 1):
        if strength == 0:
            p.add(
                "starting_image_strength",
                "must be greater than 0 (0 < strength <= 1; higher keeps more of the image)",
            )
        if params.starting_image is None:
            p.add("starting_image_strength", "is only used with a starting_image")


def _check_control_net(check: ImageCheck) -> None:
    cn: Any = check.params.control_net
    p = check.p
    if not p.instance("control_net", cn, ControlNetParams):
        return
    assert isinstance(cn, ControlNetParams)
    if cn.name is None:
        p.add("control_net.name", "is required")
    else:
        p.string("control_net.name", cn.name, choices=CONTROLNET_NAMES)
    if (
        cn.mode is not None
        and p.string("control_net.mode", cn.mode)
        and (cn.mode not in CONTROLNET_MODES)
    ):
        p.add(
            "control_net.mode",
            f"Invalid control mode {cn.mode}: must be one of "
            + ", ".join(map(repr, CONTROLNET_MODES)),
        )
    p.number("control_net.strength", cn.strength, 0, 1)
    ok_start = p.number("control_net.guidance_start", cn.guidance_start, 0, 1)
    ok_end = p.number("control_net.guidance_end", cn.guidance_end, 0, 1)
    if ok_start and ok_end and cn.guidance_start >= cn.guidance_end:  # type: ignore[operator]
        p.add("control_net.guidance_start", "must be less than control_net.guidance_end")
    if cn.image is not None:
        check.media("cnImage", "control_net.image", cn.image)


def _check_context_images(check: ImageCheck) -> None:
    images = check.params.context_images
    if not check.p.sequence("context_images", images):
        return
    check.family.check_context_images(check, images)
    for index, image in enumerate(images[:16]):
        if image is not None:
            check.media(f"contextImage{index + 1}", f"context_images[{index}]", image)


_VALIDATORS: Final[dict[str, Callable[[Any, Catalog, Problems], list[MediaSlot]]]] = {
    "image": _validate_image,
    "video": validate_video,
    "audio": validate_audio,
}
