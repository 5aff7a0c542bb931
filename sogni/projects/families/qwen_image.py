"""Qwen Image 2512 and Qwen Image Edit 2511: Comfy field names, custom sizes up to 2560 px,
up to three context images."""

from __future__ import annotations

from typing import ClassVar, Final

from ._image import ImageFamily

__all__ = ["QWEN_IMAGE_MODEL_IDS", "QwenImage"]

#: The Qwen Image model ids.
QWEN_IMAGE_MODEL_IDS: Final = frozenset(
    {
        "qwen_image_2512_fp8",
        "qwen_image_2512_fp8_lightning",
        "qwen_image_edit_2511_fp8",
        "qwen_image_edit_2511_fp8_lightning",
    }
)


class QwenImage(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "qwen_image"
    model_ids: ClassVar[frozenset[str]] = QWEN_IMAGE_MODEL_IDS

    def size_bounds(self, model_id: str) -> tuple[int, int]:
        return 256, 2560

    def max_context_images(self, model_id: str) -> int:
        return 3
