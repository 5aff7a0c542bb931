"""Every check made before a project is sent, collected into one :class:`ValidationError`.

:func:`validate` runs the checks the official TypeScript SDK makes before sending (for images,
protocol/02 §7.1-§7.3: model and tier, sampler/scheduler/VAE lists, custom sizes, ControlNet,
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
:mod:`._validate_video` and :mod:`._validate_audio`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from typing import Any, Final

from ..errors import ValidationError, ValidationProblem
from . import _families as fam
from ._checks import MediaSlot, Problems, alias, check_choice, check_common, model_options
from ._validate_audio import validate_audio
from ._validate_video import validate_video
from .catalog import Catalog, ImageModelOptions, sampler_alias, scheduler_alias
from .params import (
    ControlNetParams,
    ImageProjectParams,
    ProjectParams,
    Sam3Box,
    Sam3Point,
    Sam3Prompt,
)

__all__ = ["MediaSlot", "validate"]

IMAGE_OUTPUT_FORMATS: Final = ("png", "jpg", "webp")
_PNG_DATA_URI: Final = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
_MAX_MASK_BASE64: Final = math.ceil(50 * 1024 * 1024 * 4 / 3)

SAM3_MAX_POINTS: Final = 32
SAM3_MAX_BOXES: Final = 16
SAM3_MAX_TEXT: Final = 240
SAM3_MAX_INSTANCES: Final = 16
PIXAL3D_LIMITS: Final = {
    "texture_size": (1024, 4096),
    "mesh_target_faces": (5000, 700000),
    "normal_map_size": (512, 2048),
    "ambient_occlusion_size": (256, 1024),
    "shape_resolution": (1024, 1536),
}
# Pixal3D multi-view orbit views and their fixed contextImage slots.
PIXAL3D_VIEW_SLOTS: Final = {"left_view_image": 1, "back_view_image": 2, "right_view_image": 3}


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


# ---------------------------------------------------------------------------- image


def _validate_image(params: ProjectParams, catalog: Catalog, p: Problems) -> list[MediaSlot]:
    assert isinstance(params, ImageProjectParams)
    options = model_options(params, catalog, p)
    image_options = options if isinstance(options, ImageModelOptions) else None
    check_common(
        params,
        p,
        steps=image_options.steps if image_options else None,
        guidance=image_options.guidance if image_options else None,
    )
    model = params.model_id if isinstance(params.model_id, str) else ""
    slots: list[MediaSlot] = []

    p.number("number_of_previews", params.number_of_previews, 0, integer=True)
    if not (fam.is_pixal3d_model(model) or fam.is_segmentation_model(model)):
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
    vae_options = image_options.vae if image_options and fam.is_comfy_model(model) else None
    check_choice(p, "vae", params.vae, vae_options.allowed if vae_options else (), "VAE")

    _check_size(params, model, p)
    _check_gpt_image(params, model, p, slots)
    _check_starting_image(params, p, slots)
    _check_control_net(params.control_net, p, slots)
    _check_context_images(params, model, p, slots)
    _check_sam3(params, model, p)
    _check_birefnet(params, model, p)
    _check_pixal3d(params, model, p, slots)
    return slots


def _check_size(params: ImageProjectParams, model: str, p: Problems) -> None:
    width, height, preset = params.width, params.height, params.size_preset
    p.string("size_preset", preset, empty=False)
    low, high = fam.custom_image_size_bounds(model)
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


def _check_starting_image(params: ImageProjectParams, p: Problems, slots: list[MediaSlot]) -> None:
    if params.starting_image is not None:
        p.media(slots, "startingImage", "starting_image", params.starting_image)
    strength = params.starting_image_strength
    if p.number("starting_image_strength", strength, 0, 1):
        if strength == 0:
            p.add(
                "starting_image_strength",
                "must be greater than 0 (0 < strength <= 1; higher keeps more of the image)",
            )
        if params.starting_image is None:
            p.add("starting_image_strength", "is only used with a starting_image")


def _check_control_net(cn: Any, p: Problems, slots: list[MediaSlot]) -> None:
    if not p.instance("control_net", cn, ControlNetParams):
        return
    assert isinstance(cn, ControlNetParams)
    if cn.name is None:
        p.add("control_net.name", "is required")
    else:
        p.string("control_net.name", cn.name, choices=fam.CONTROLNET_NAMES)
    if (
        cn.mode is not None
        and p.string("control_net.mode", cn.mode)
        and (cn.mode not in fam.CONTROLNET_MODES)
    ):
        p.add(
            "control_net.mode",
            f"Invalid control mode {cn.mode}: must be one of "
            + ", ".join(map(repr, fam.CONTROLNET_MODES)),
        )
    p.number("control_net.strength", cn.strength, 0, 1)
    ok_start = p.number("control_net.guidance_start", cn.guidance_start, 0, 1)
    ok_end = p.number("control_net.guidance_end", cn.guidance_end, 0, 1)
    if ok_start and ok_end and cn.guidance_start >= cn.guidance_end:  # type: ignore[operator]
        p.add("control_net.guidance_start", "must be less than control_net.guidance_end")
    if cn.image is not None:
        p.media(slots, "cnImage", "control_net.image", cn.image)


def _check_context_images(
    params: ImageProjectParams, model: str, p: Problems, slots: list[MediaSlot]
) -> None:
    images = params.context_images
    if not p.sequence("context_images", images):
        return
    gpt = fam.is_gpt_image_model(model)
    if gpt:
        if len(images) > 16 or any(image is None for image in images):
            p.add(
                "context_images", "GPT Image accepts up to 16 non-empty references in source order"
            )
    elif len(images) > fam.max_context_images(model):
        p.add(
            "context_images",
            f"Up to {fam.max_context_images(model)} context images are supported for this model",
        )
    if fam.is_pixal3d_model(model) and any(image is not None for image in images):
        p.add(
            "context_images",
            "Pixal3D takes its extra views as left_view_image, back_view_image and "
            "right_view_image, not context_images",
        )
    for index, image in enumerate(images[:16]):
        if image is not None:
            p.media(slots, f"contextImage{index + 1}", f"context_images[{index}]", image)


def _mask_data_uri(url: Any) -> bool:
    return isinstance(url, str) and url.startswith("data:")


def _check_gpt_image(
    params: ImageProjectParams, model: str, p: Problems, slots: list[MediaSlot]
) -> None:
    mask, url = params.gpt_image_mask, params.gpt_image_mask_url
    fmt = params.output_format
    if not fam.is_gpt_image_model(model):
        for name in (
            "gpt_image_mask",
            "gpt_image_mask_url",
            "gpt_image_quality",
            "gpt_image_background",
            "gpt_image_output_compression",
        ):
            if getattr(params, name) is not None:
                p.add(
                    name,
                    "is only supported by GPT Image models ("
                    + ", ".join(sorted(fam.GPT_IMAGE_MODEL_IDS))
                    + ")",
                )
        return
    has_references = isinstance(params.context_images, tuple) and len(params.context_images) > 0
    if mask is not None and url is not None:
        p.add("gpt_image_mask", "Provide one GPT Image mask, not both media and URL")
    elif url is not None and p.string("gpt_image_mask_url", url, empty=False):
        if _mask_data_uri(url):
            _mask_from_data_uri(url, p, slots)
        elif not url.startswith("https://"):
            p.add("gpt_image_mask_url", "must be an https:// URL or a data:image/png;base64 URI")
        if not has_references:
            p.add("gpt_image_mask_url", "GPT Image mask requires a first reference image")
    if mask is not None and url is None:
        p.media(slots, "referenceMask", "gpt_image_mask", mask)
        if not has_references:
            p.add("gpt_image_mask", "GPT Image mask requires a first reference image")

    quality = params.gpt_image_quality
    if quality is not None and p.string("gpt_image_quality", quality):
        allowed = fam.gpt_image_qualities(model)
        if quality == "auto":
            extra = ", xhigh or max" if fam.is_gpt_image_25_model(model) else ""
            p.add(
                "gpt_image_quality",
                f"Unsupported quality for {model}: auto. Choose low, medium or high{extra}.",
            )
        elif quality not in allowed:
            p.add("gpt_image_quality", f"Unsupported quality for {model}: {quality}")
    background = params.gpt_image_background
    if background is not None and p.string("gpt_image_background", background):
        if background not in fam.gpt_image_backgrounds(model):
            p.add("gpt_image_background", f"Unsupported background for {model}: {background}")
        elif background == "transparent" and fmt == "jpg":
            p.add("gpt_image_background", "Transparent GPT Image output requires PNG or WebP")
    compression = params.gpt_image_output_compression
    if compression is not None:
        if (
            isinstance(compression, bool)
            or not isinstance(compression, int)
            or not (0 <= compression <= 100)
        ):
            p.add(
                "gpt_image_output_compression",
                "GPT Image output compression must be an integer from 0 to 100",
            )
        elif fmt not in ("jpg", "webp"):
            p.add(
                "gpt_image_output_compression", "GPT Image output compression requires JPEG or WebP"
            )


def _mask_from_data_uri(url: str, p: Problems, slots: list[MediaSlot]) -> None:
    match = _PNG_DATA_URI.fullmatch(url)
    data: bytes | None = None
    if match and len(match.group(1)) < _MAX_MASK_BASE64:
        try:
            data = base64.b64decode(match.group(1), validate=True)
        except (binascii.Error, ValueError):
            data = None
    if data is None:
        p.add("gpt_image_mask_url", "GPT Image mask must be a PNG data URI smaller than 50 MB")
        return
    p.media(slots, "referenceMask", "gpt_image_mask_url", data)


def _check_sam3(params: ImageProjectParams, model: str, p: Problems) -> None:
    prompt = params.sam3_prompt
    if model != fam.SAM3_MODEL_ID:
        if prompt is not None:
            p.add("sam3_prompt", f"is only supported by {fam.SAM3_MODEL_ID}")
        return
    if params.starting_image is None:
        p.add("starting_image", "SAM3 image segmentation requires starting_image")
    if prompt is None:
        p.add("sam3_prompt", "SAM3 image segmentation requires sam3_prompt")
    elif p.instance("sam3_prompt", prompt, Sam3Prompt):
        _check_sam3_prompt(prompt, p)


def _bounded(p: Problems, param: str, value: Any, limit: int) -> tuple[Any, ...]:
    if not p.sequence(param, value):
        return ()
    if len(value) > limit:
        p.add(param, f"must contain at most {limit} entries")
    return tuple(value)


def _check_sam3_prompt(prompt: Sam3Prompt, p: Problems) -> None:
    points = _bounded(p, "sam3_prompt.points", prompt.points, SAM3_MAX_POINTS)
    for i, point in enumerate(points):
        where = f"sam3_prompt.points[{i}]"
        if p.instance(where, point, Sam3Point):
            p.number(f"{where}.x", point.x, 0, 1)
            p.number(f"{where}.y", point.y, 0, 1)
            p.string(f"{where}.label", point.label, choices=("positive", "negative"))
    boxes = _bounded(p, "sam3_prompt.boxes", prompt.boxes, SAM3_MAX_BOXES)
    for i, box in enumerate(boxes):
        where = f"sam3_prompt.boxes[{i}]"
        if not p.instance(where, box, Sam3Box):
            continue
        oks = [p.number(f"{where}.{c}", getattr(box, c), 0, 1) for c in ("x0", "y0", "x1", "y1")]
        p.string(f"{where}.label", box.label, choices=("positive", "negative"))
        if all(oks) and (box.x0 >= box.x1 or box.y0 >= box.y1):
            p.add(where, "must have x0 < x1 and y0 < y1")
    text = prompt.text
    if (
        p.string("sam3_prompt.text", text)
        and isinstance(text, str)
        and not 1 <= len(text.strip()) <= SAM3_MAX_TEXT
    ):
        p.add("sam3_prompt.text", f"must contain 1 to {SAM3_MAX_TEXT} characters")
    has_text = isinstance(text, str) and bool(text.strip())
    if not points and not boxes and not has_text:
        p.add("sam3_prompt", "requires at least one point, box, or text prompt")
    if has_text and points:
        p.add("sam3_prompt", "cannot combine text and point prompts")
    if points and len(boxes) > 1:
        p.add("sam3_prompt.boxes", "at most one box when point prompts are present")
    if points and any(isinstance(b, Sam3Box) and b.label == "negative" for b in boxes):
        p.add("sam3_prompt.boxes", "negative boxes require a text prompt")
    p.number("sam3_prompt.threshold", prompt.threshold, 0, 1)
    if p.boolean("sam3_prompt.multimask", prompt.multimask) and prompt.multimask and not points:
        p.add("sam3_prompt.multimask", "requires point prompts")
    p.boolean("sam3_prompt.apply_mask", prompt.apply_mask)
    p.number("sam3_prompt.max_instances", prompt.max_instances, 1, SAM3_MAX_INSTANCES, integer=True)


def _check_birefnet(params: ImageProjectParams, model: str, p: Problems) -> None:
    if model != fam.BIREFNET_MODEL_ID:
        if params.apply_mask is not None:
            p.add("apply_mask", f"is only supported by {fam.BIREFNET_MODEL_ID}")
        return
    if params.starting_image is None:
        p.add("starting_image", "BiRefNet background removal requires starting_image")
    p.boolean("apply_mask", params.apply_mask)


def _check_pixal3d(
    params: ImageProjectParams, model: str, p: Problems, slots: list[MediaSlot]
) -> None:
    pixal = fam.is_pixal3d_model(model)
    multiview = fam.is_pixal3d_multiview_model(model)
    if pixal and params.starting_image is None:
        p.add(
            "starting_image",
            "Pixal3D multi-view reconstruction requires starting_image (the front view)"
            if multiview
            else "Pixal3D reconstruction requires starting_image",
        )
    for name, slot in PIXAL3D_VIEW_SLOTS.items():
        value = getattr(params, name)
        if value is None:
            continue
        if not multiview:
            p.add(name, f"is only supported by {fam.PIXAL3D_MULTIVIEW_MODEL_ID}")
        else:
            p.media(slots, f"contextImage{slot}", name, value)
    if params.template_variant is not None:
        if model != fam.PIXAL3D_MODEL_ID:
            p.add("template_variant", f"is only supported by {fam.PIXAL3D_MODEL_ID}")
        else:
            p.string(
                "template_variant", params.template_variant, choices=fam.PIXAL3D_TEMPLATE_VARIANTS
            )
    for name, (low, high) in PIXAL3D_LIMITS.items():
        value = getattr(params, name)
        if value is None:
            continue
        if not pixal:
            p.add(
                name,
                f"is only supported by {fam.PIXAL3D_MODEL_ID} and {fam.PIXAL3D_MULTIVIEW_MODEL_ID}",
            )
        else:
            p.number(name, value, low, high, integer=True)


_VALIDATORS: Final[dict[str, Callable[[Any, Catalog, Problems], list[MediaSlot]]]] = {
    "image": _validate_image,
    "video": validate_video,
    "audio": validate_audio,
}
