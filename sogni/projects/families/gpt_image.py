"""GPT Image 2 and 2.5 (vendor-rendered): up to 16 references in source order, an optional
mask over the first one, quality/background/compression options, sizes up to 3840 px."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._image import ImageCheck, ImageFamily

if TYPE_CHECKING:
    from ..params import ImageProjectParams

__all__ = ["GPT_IMAGE_MODEL_IDS", "GptImage", "gpt_image_backgrounds", "gpt_image_qualities"]

#: The GPT Image model ids (a vendor family).
GPT_IMAGE_MODEL_IDS: Final = frozenset(
    {"gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"}
)
MAX_REFERENCES: Final = 16
OPTIONS: Final = (
    "gpt_image_mask",
    "gpt_image_mask_url",
    "gpt_image_quality",
    "gpt_image_background",
    "gpt_image_output_compression",
)
_PNG_DATA_URI: Final = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
_MAX_MASK_BASE64: Final = math.ceil(50 * 1024 * 1024 * 4 / 3)


def _is_25(model_id: str) -> bool:
    return model_id in GPT_IMAGE_MODEL_IDS and model_id != "gpt-image-2"


def gpt_image_qualities(model_id: str) -> tuple[str, ...]:
    """The ``quality`` values a GPT Image model accepts (2.5 adds ``xhigh`` and ``max``)."""
    base = ("low", "medium", "high", "standard", "hd")
    return (*base, "xhigh", "max") if _is_25(model_id) else base


def gpt_image_backgrounds(model_id: str) -> tuple[str, ...]:
    """The ``background`` values a GPT Image model accepts (2.5 adds ``transparent``)."""
    base = ("opaque", "auto")
    return (*base, "transparent") if _is_25(model_id) else base


def _data_uri(url: Any) -> bool:
    return isinstance(url, str) and url.startswith("data:")


class GptImage(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "gpt_image"
    model_ids: ClassVar[frozenset[str]] = GPT_IMAGE_MODEL_IDS

    def size_bounds(self, model_id: str) -> tuple[int, int]:
        return 256, 3840

    def max_context_images(self, model_id: str) -> int:
        return MAX_REFERENCES

    def check_context_images(self, check: ImageCheck, images: Sequence[Any]) -> None:
        if len(images) > MAX_REFERENCES or any(image is None for image in images):
            check.add(
                "context_images", "GPT Image accepts up to 16 non-empty references in source order"
            )

    def refuse(self, check: ImageCheck) -> None:
        for name in OPTIONS:
            if getattr(check.params, name) is not None:
                check.add(
                    name,
                    "is only supported by GPT Image models ("
                    + ", ".join(sorted(GPT_IMAGE_MODEL_IDS))
                    + ")",
                )

    def validate(self, check: ImageCheck) -> None:
        params, p, model = check.params, check.p, check.model_id
        mask, url = params.gpt_image_mask, params.gpt_image_mask_url
        fmt = params.output_format
        has_references = isinstance(params.context_images, tuple) and len(params.context_images) > 0
        if mask is not None and url is not None:
            p.add("gpt_image_mask", "Provide one GPT Image mask, not both media and URL")
        elif url is not None and p.string("gpt_image_mask_url", url, empty=False):
            if _data_uri(url):
                _mask_from_data_uri(url, check)
            elif not url.startswith("https://"):
                p.add(
                    "gpt_image_mask_url", "must be an https:// URL or a data:image/png;base64 URI"
                )
            if not has_references:
                p.add("gpt_image_mask_url", "GPT Image mask requires a first reference image")
        if mask is not None and url is None:
            check.media("referenceMask", "gpt_image_mask", mask)
            if not has_references:
                p.add("gpt_image_mask", "GPT Image mask requires a first reference image")

        quality = params.gpt_image_quality
        if quality is not None and p.string("gpt_image_quality", quality):
            if quality == "auto":
                extra = ", xhigh or max" if _is_25(model) else ""
                p.add(
                    "gpt_image_quality",
                    f"Unsupported quality for {model}: auto. Choose low, medium or high{extra}.",
                )
            elif quality not in gpt_image_qualities(model):
                p.add("gpt_image_quality", f"Unsupported quality for {model}: {quality}")
        background = params.gpt_image_background
        if background is not None and p.string("gpt_image_background", background):
            if background not in gpt_image_backgrounds(model):
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
                    "gpt_image_output_compression",
                    "GPT Image output compression requires JPEG or WebP",
                )

    def write_key_frame(self, params: ImageProjectParams, kf: dict[str, Any]) -> None:
        mask_url = params.gpt_image_mask_url
        if params.gpt_image_mask is not None or (mask_url and mask_url.startswith("data:")):
            # A data: URI mask is uploaded as bytes, exactly like a binary mask.
            kf["has_reference_mask"] = True
            kf["reference_mask_content_type"] = "image/png"
        elif mask_url is not None:
            kf["gpt_image_mask_url"] = mask_url
        if params.gpt_image_quality:
            kf["gpt_image_quality"] = params.gpt_image_quality
        if params.gpt_image_background:
            kf["gpt_image_background"] = params.gpt_image_background
        if params.gpt_image_output_compression is not None:
            kf["gpt_image_output_compression"] = params.gpt_image_output_compression


def _mask_from_data_uri(url: str, check: ImageCheck) -> None:
    match = _PNG_DATA_URI.fullmatch(url)
    data: bytes | None = None
    if match and len(match.group(1)) < _MAX_MASK_BASE64:
        try:
            data = base64.b64decode(match.group(1), validate=True)
        except (binascii.Error, ValueError):
            data = None
    if data is None:
        check.add("gpt_image_mask_url", "GPT Image mask must be a PNG data URI smaller than 50 MB")
        return
    check.media("referenceMask", "gpt_image_mask_url", data)
