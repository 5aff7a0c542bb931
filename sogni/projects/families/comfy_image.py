"""Comfy image models: Z-Image, Krea 2 (with Identity Edit) and the RTX VSR upscaler.

They take Comfy field names (``comfySampler``, ``comfyScheduler``, ``vae``); custom sizes and
context images are limited per id.
"""

from __future__ import annotations

from typing import ClassVar, Final

from ._image import ImageFamily

__all__ = ["KREA_IDENTITY_EDIT_MODEL_IDS", "ComfyImage"]

#: The Krea identity-edit model ids.
KREA_IDENTITY_EDIT_MODEL_IDS: Final = frozenset(
    {"krea2_identity_edit_v1_2", "dark_beast_krea2_identity_edit_v1_2"}
)
_EXTENDED_SIZE_IDS: Final = frozenset(
    {"z_image_bf16", "z_image_turbo_bf16", "krea2_turbo_fp8_scaled"}
)


class ComfyImage(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "comfy_image"
    prefixes: ClassVar[tuple[str, ...]] = (
        "z_image_",
        "dark_beast_z_image_",
        "krea2_",
        "dark_beast_krea2_",
        "rtx_vsr_",
    )

    def size_bounds(self, model_id: str) -> tuple[int, int]:
        if model_id == "rtx_vsr_pro":
            return 512, 15360
        if model_id in KREA_IDENTITY_EDIT_MODEL_IDS:
            return 512, 2048
        if model_id in _EXTENDED_SIZE_IDS:
            return 256, 2560
        return 256, 2048

    def max_context_images(self, model_id: str) -> int:
        if model_id in KREA_IDENTITY_EDIT_MODEL_IDS or "kontext" in model_id:
            return 2
        return 3
