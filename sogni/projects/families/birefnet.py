"""BiRefNet background removal: a starting image in, one PNG out (optionally as a mask)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._image import ImageCheck, ImageFamily

if TYPE_CHECKING:
    from ..params import ImageProjectParams

__all__ = ["BIREFNET_MODEL_ID", "BiRefNet"]

#: The BiRefNet background-removal model id.
BIREFNET_MODEL_ID: Final = "birefnet_image_background_removal_fp16"


class BiRefNet(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "birefnet"
    model_ids: ClassVar[frozenset[str]] = frozenset({BIREFNET_MODEL_ID})
    forced_output_format: ClassVar[str | None] = "png"
    takes_previews: ClassVar[bool] = False
    single_output: ClassVar[bool] = True

    def refuse(self, check: ImageCheck) -> None:
        if check.params.apply_mask is not None:
            check.add("apply_mask", f"is only supported by {BIREFNET_MODEL_ID}")

    def validate(self, check: ImageCheck) -> None:
        if check.params.starting_image is None:
            check.add("starting_image", "BiRefNet background removal requires starting_image")
        check.p.boolean("apply_mask", check.params.apply_mask)

    def write_key_frame(self, params: ImageProjectParams, kf: dict[str, Any]) -> None:
        kf["apply_mask"] = params.apply_mask is True
