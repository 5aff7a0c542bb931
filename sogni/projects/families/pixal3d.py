"""Pixal3D image-to-3D: a front view (the starting image), for the multi-view id three more
views in fixed context slots, mesh options; the result is one GLB model, no previews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._image import ImageCheck, ImageFamily

if TYPE_CHECKING:
    from ..params import ImageProjectParams

__all__ = [
    "PIXAL3D_LIMITS",
    "PIXAL3D_MODEL_ID",
    "PIXAL3D_MULTIVIEW_MODEL_ID",
    "PIXAL3D_TEMPLATE_VARIANTS",
    "PIXAL3D_VIEW_SLOTS",
    "Pixal3D",
]

#: The Pixal3D image-to-3D model id.
PIXAL3D_MODEL_ID: Final = "pixal3d_int8_i23d"
#: The Pixal3D multi-view image-to-3D model id.
PIXAL3D_MULTIVIEW_MODEL_ID: Final = "pixal3d_multiview_int8_i23d"
#: The template variants Pixal3D accepts.
PIXAL3D_TEMPLATE_VARIANTS: Final = ("i23d-birefnet",)
#: Pixal3D's (min, max) ranges by parameter name.
PIXAL3D_LIMITS: Final = {
    "texture_size": (1024, 4096),
    "mesh_target_faces": (5000, 700000),
    "normal_map_size": (512, 2048),
    "ambient_occlusion_size": (256, 1024),
    "shape_resolution": (1024, 1536),
}
# The multi-view orbit views and their fixed contextImage slots.
PIXAL3D_VIEW_SLOTS: Final = {"left_view_image": 1, "back_view_image": 2, "right_view_image": 3}


class Pixal3D(ImageFamily):
    """The built-in family for the models above: ids, defaults, checks and request fields."""

    name: ClassVar[str] = "pixal3d"
    prefixes: ClassVar[tuple[str, ...]] = ("pixal3d_",)
    forced_output_format: ClassVar[str | None] = "glb"
    takes_previews: ClassVar[bool] = False

    def check_context_images(self, check: ImageCheck, images: Sequence[Any]) -> None:
        super().check_context_images(check, images)
        if any(image is not None for image in images):
            check.add(
                "context_images",
                "Pixal3D takes its extra views as left_view_image, back_view_image and "
                "right_view_image, not context_images",
            )

    def validate(self, check: ImageCheck) -> None:
        multiview = check.model_id == PIXAL3D_MULTIVIEW_MODEL_ID
        if check.params.starting_image is None:
            check.add(
                "starting_image",
                "Pixal3D multi-view reconstruction requires starting_image (the front view)"
                if multiview
                else "Pixal3D reconstruction requires starting_image",
            )
        _check_options(check, pixal=True, multiview=multiview)

    def refuse(self, check: ImageCheck) -> None:
        _check_options(check, pixal=False, multiview=False)

    def write_key_frame(self, params: ImageProjectParams, kf: dict[str, Any]) -> None:
        for name, slot in PIXAL3D_VIEW_SLOTS.items():
            if getattr(params, name) is not None:
                kf[f"has_context_image{slot}"] = True
        if params.template_variant is not None:
            kf["template_variant"] = params.template_variant
        for name in PIXAL3D_LIMITS:
            value = getattr(params, name)
            if value is not None:
                kf[name] = value


def _check_options(check: ImageCheck, *, pixal: bool, multiview: bool) -> None:
    params, p = check.params, check.p
    for name, slot in PIXAL3D_VIEW_SLOTS.items():
        value = getattr(params, name)
        if value is None:
            continue
        if not multiview:
            p.add(name, f"is only supported by {PIXAL3D_MULTIVIEW_MODEL_ID}")
        else:
            check.media(f"contextImage{slot}", name, value)
    if params.template_variant is not None:
        if check.model_id != PIXAL3D_MODEL_ID:
            p.add("template_variant", f"is only supported by {PIXAL3D_MODEL_ID}")
        else:
            p.string("template_variant", params.template_variant, choices=PIXAL3D_TEMPLATE_VARIANTS)
    for name, (low, high) in PIXAL3D_LIMITS.items():
        value = getattr(params, name)
        if value is None:
            continue
        if not pixal:
            p.add(name, f"is only supported by {PIXAL3D_MODEL_ID} and {PIXAL3D_MULTIVIEW_MODEL_ID}")
        else:
            p.number(name, value, low, high, integer=True)
