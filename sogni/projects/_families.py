"""Model family predicates and per-family limits (protocol/02 §3.2, §3.5, §7.3, §9.1).

The official clients recognise families by exact id sets or id prefixes, not by the catalog;
the wire field names and several limits depend on them. Video and audio predicates join this
module when those project types do.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BIREFNET_MODEL_ID",
    "CONTROLNET_MODES",
    "CONTROLNET_NAMES",
    "GPT_IMAGE_MODEL_IDS",
    "PIXAL3D_MODEL_ID",
    "PIXAL3D_MULTIVIEW_MODEL_ID",
    "PIXAL3D_TEMPLATE_VARIANTS",
    "SAM3_MODEL_ID",
    "custom_image_size_bounds",
    "gpt_image_backgrounds",
    "gpt_image_qualities",
    "is_comfy_model",
    "is_gpt_image_model",
    "is_gpt_image_25_model",
    "is_pixal3d_model",
    "is_pixal3d_multiview_model",
    "is_segmentation_model",
    "max_context_images",
]

# Field naming (comfySampler vs scheduler) follows these prefixes only, never the tier type.
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

GPT_IMAGE_MODEL_IDS: Final = frozenset(
    {"gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"}
)
QWEN_IMAGE_MODEL_IDS: Final = frozenset(
    {
        "qwen_image_2512_fp8",
        "qwen_image_2512_fp8_lightning",
        "qwen_image_edit_2511_fp8",
        "qwen_image_edit_2511_fp8_lightning",
    }
)
KREA_IDENTITY_EDIT_MODEL_IDS: Final = frozenset(
    {"krea2_identity_edit_v1_2", "dark_beast_krea2_identity_edit_v1_2"}
)
EXTENDED_IMAGE_SIZE_MODEL_IDS: Final = frozenset(
    {"z_image_bf16", "z_image_turbo_bf16", "krea2_turbo_fp8_scaled"} | QWEN_IMAGE_MODEL_IDS
)

SAM3_MODEL_ID: Final = "sam3_image_segment_bf16"
BIREFNET_MODEL_ID: Final = "birefnet_image_background_removal_fp16"
PIXAL3D_MODEL_ID: Final = "pixal3d_int8_i23d"
PIXAL3D_MULTIVIEW_MODEL_ID: Final = "pixal3d_multiview_int8_i23d"
PIXAL3D_TEMPLATE_VARIANTS: Final = ("i23d-birefnet",)

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


def is_comfy_model(model_id: str) -> bool:
    return model_id.startswith(COMFY_PREFIXES)


def is_gpt_image_model(model_id: str) -> bool:
    return model_id in GPT_IMAGE_MODEL_IDS


def is_gpt_image_25_model(model_id: str) -> bool:
    return is_gpt_image_model(model_id) and model_id != "gpt-image-2"


def gpt_image_qualities(model_id: str) -> tuple[str, ...]:
    base = ("low", "medium", "high", "standard", "hd")
    return (*base, "xhigh", "max") if is_gpt_image_25_model(model_id) else base


def gpt_image_backgrounds(model_id: str) -> tuple[str, ...]:
    base = ("opaque", "auto")
    return (*base, "transparent") if is_gpt_image_25_model(model_id) else base


def is_segmentation_model(model_id: str) -> bool:
    return model_id in (SAM3_MODEL_ID, BIREFNET_MODEL_ID)


def is_pixal3d_model(model_id: str) -> bool:
    return model_id.startswith("pixal3d_")


def is_pixal3d_multiview_model(model_id: str) -> bool:
    return model_id == PIXAL3D_MULTIVIEW_MODEL_ID


def custom_image_size_bounds(model_id: str) -> tuple[int, int]:
    """``(min, max)`` for each side of a custom image size."""
    if model_id == "rtx_vsr_pro":
        return 512, 15360
    if model_id in KREA_IDENTITY_EDIT_MODEL_IDS:
        return 512, 2048
    if is_gpt_image_model(model_id):
        return 256, 3840
    if model_id in EXTENDED_IMAGE_SIZE_MODEL_IDS:
        return 256, 2560
    return 256, 2048


def max_context_images(model_id: str) -> int:
    if is_gpt_image_model(model_id):
        return 16
    if model_id in QWEN_IMAGE_MODEL_IDS:
        return 3
    if model_id in KREA_IDENTITY_EDIT_MODEL_IDS or "kontext" in model_id:
        return 2
    return 3
