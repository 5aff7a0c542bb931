"""Image families: the :class:`ImageFamily` hooks and the :class:`ImageCheck` they receive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._base import Family, FamilyCheck, MediaType

if TYPE_CHECKING:
    from ..catalog import ImageModelOptions
    from ..params import ImageProjectParams

__all__ = ["COMFY_PREFIXES", "ImageCheck", "ImageFamily"]

# The official clients' one list of ids that take Comfy field names (comfySampler, vae…);
# it names video and audio prefixes too, which only ever matter for images.
COMFY_PREFIXES: Final = (
    "z_image_",
    "dark_beast_z_image_",
    "krea2_",
    "dark_beast_krea2_",
    "qwen_image_",
    "rtx_vsr_",
    "flashvsr_",
    "wan_",
    "ace_step",
    "minimax_music3",
    "qwen3_tts_",
)


class ImageCheck(FamilyCheck):
    """One image project under validation, as the family hooks see it."""

    params: ImageProjectParams
    tier: ImageModelOptions | None
    family: ImageFamily


class ImageFamily(Family):
    """Hooks of an image family; the defaults are those of a Stable Diffusion or Flux model."""

    media: ClassVar[MediaType] = "image"
    forced_output_format: ClassVar[str | None] = None
    """The output format the request always carries (the caller's is then ignored)."""
    takes_previews: ClassVar[bool] = True
    """False: ``previews`` is always 0."""
    single_output: ClassVar[bool] = False
    """True: one result per project whatever ``number_of_media`` says."""

    def comfy_names(self, model_id: str) -> bool:
        """Whether the sampler and scheduler travel as ``comfySampler``/``comfyScheduler``
        (with ``vae``) rather than as ``scheduler``/``timeStepSpacing``."""
        return model_id.startswith(COMFY_PREFIXES)

    def size_bounds(self, model_id: str) -> tuple[int, int]:
        """``(min, max)`` for each side of a custom size."""
        return 256, 2048

    def max_context_images(self, model_id: str) -> int:
        return 3

    def check_context_images(self, check: ImageCheck, images: Sequence[Any]) -> None:
        """The count check, made before any upload."""
        limit = self.max_context_images(check.model_id)
        if len(images) > limit:
            check.add(
                "context_images", f"Up to {limit} context images are supported for this model"
            )

    def validate(self, check: ImageCheck) -> None:
        """The family's own rules (after the checks every image project shares)."""

    def refuse(self, check: ImageCheck) -> None:
        """Called for image projects of other families: refuse options only this one takes."""

    def output_format(self, params: ImageProjectParams) -> str:
        return self.forced_output_format or params.output_format or "png"

    def write_key_frame(self, params: ImageProjectParams, kf: dict[str, Any]) -> None:
        """Set the family's own key-frame fields (snake_case names of
        :class:`sogni._wire.job_request.ImageKeyFrame`) on a validated project."""
