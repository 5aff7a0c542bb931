"""Stable Diffusion, Flux, Chroma and every image id no other family claims.

The sampler and scheduler travel as ``scheduler``/``timeStepSpacing`` unless the id has one of
the official Comfy prefixes; any id containing ``kontext`` takes two context images.
"""

from __future__ import annotations

from typing import ClassVar

from ._image import ImageFamily

__all__ = ["StandardImage"]


class StandardImage(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "image"

    def matches(self, model_id: str) -> bool:
        return True  # the fallback: consulted last

    def max_context_images(self, model_id: str) -> int:
        return 2 if "kontext" in model_id else 3
