"""Model family predicates and per-family limits (protocol/02 §3.2, §3.5, §7.3, §9.1).

The official clients recognise families by exact id sets or id prefixes, not by the catalog;
the wire field names and several limits depend on them. Video and audio predicates join this
module when those project types do.
"""

from __future__ import annotations

import re
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


# ---------------------------------------------------------------------------- video

WAN_MODEL_IDS: Final = frozenset(
    {
        "wan_v2.2-14b-fp8_t2v",
        "wan_v2.2-14b-fp8_i2v",
        "wan_v2.2-14b-fp8_t2v_lightx2v",
        "wan_v2.2-14b-fp8_i2v_lightx2v",
        "wan_v2.2-14b-fp8_s2v",
        "wan_v2.2-14b-fp8_s2v_lightx2v",
        "wan_v2.2-14b-fp8_animate-move_lightx2v",
        "wan_v2.2-14b-fp8_animate-replace_lightx2v",
    }
)
WAN_ANIMATE_MODEL_IDS: Final = frozenset(
    {"wan_v2.2-14b-fp8_animate-move_lightx2v", "wan_v2.2-14b-fp8_animate-replace_lightx2v"}
)
LTX_WORKFLOWS: Final = ("t2v", "i2v", "a2v", "ia2v", "v2v")
LTX_MODEL_IDS: Final = frozenset(
    {
        f"{checkpoint}_{workflow}{suffix}"
        for workflow in LTX_WORKFLOWS
        for checkpoint, suffix in (
            ("ltx2-19b-fp8", ""),
            ("ltx2-19b-fp8", "_distilled"),
            ("ltx23-22b-fp8", "_distilled"),
            ("ltx23-22b-fp8", "_dev"),
            ("ltx25-22b-int8", "_distilled"),
            ("ltx25-22b-int8", "_dev"),
        )
    }
    | {"ltx23-22b-10eros-v1.4-fp8mixed_i2v"}
)
# Per-model caps on Seedance references: images, videos, audios, total files. The uncensored
# ids are the same models under their own ids (newer Python SDK).
SEEDANCE_REFERENCE_LIMITS: Final = {
    "seedance-2-0": (9, 3, 3, 12),
    "seedance-2-0-mini": (9, 3, 3, 12),
    "seedance-2-0-mini-uncensored": (9, 3, 3, 12),
    "seedance-2-0-fast": (9, 3, 3, 12),
    "seedance-2-5": (30, 10, 10, 50),
    "seedance-2-5-uncensored": (30, 10, 10, 50),
}
SEEDANCE_MODEL_IDS: Final = frozenset(SEEDANCE_REFERENCE_LIMITS)
SEEDANCE_25_MODEL_IDS: Final = frozenset({"seedance-2-5", "seedance-2-5-uncensored"})
# The documented output classes (4K, 720p, 1080p) as the longest allowed short edge, on the
# 32 px grid the video models render on (1080p is 1920x1088).
SEEDANCE_MAX_SHORT_EDGE: Final = {
    "seedance-2-0": 2176,
    "seedance-2-0-mini": 736,
    "seedance-2-0-mini-uncensored": 736,
    "seedance-2-0-fast": 736,
    "seedance-2-5": 1088,
    "seedance-2-5-uncensored": 1088,
}
SEEDANCE_TASK_TYPES: Final = ("reference", "edit", "extend")
HAPPYHORSE_MODEL_IDS: Final = frozenset(
    {"happyhorse-1.1-t2v", "happyhorse-1.1-i2v", "happyhorse-1.1-r2v"}
)
WAN3_MODEL_IDS: Final = frozenset({"wan3.0-video", "wan3.0-spicy-video"})
WAN3_ENHANCED_MODEL_ID: Final = "wan3.0-spicy-video"
WAN3_RATIOS: Final = ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")
WAN3_MAX_SEED: Final = 2_147_483_647
FLASHVSR_MODEL_ID: Final = "flashvsr_v1.1_tiny_long_bf16"

H3_MODEL_IDS: Final = frozenset(
    {
        "minimax-h3-fl2va-fp8_t2v",
        "minimax-h3-fl2va-fp8_i2v",
        "minimax-h3-fl2va-fp8_flf2v",
        "minimax-h3-ref2va-fp8_r2v",
        "minimax-h3-fl2va-fp8_t2v_turbo",
        "minimax-h3-fl2va-fp8_i2v_turbo",
        "minimax-h3-fl2va-fp8_flf2v_turbo",
        "minimax-h3-fastvideo-int8_t2v_turbo",
        "minimax-h3-fastvideo-int8_i2v_turbo",
        "minimax-h3-fastvideo-int8_flf2v_turbo",
        "minimax-h3-fastvideo-int8_t2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_i2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_flf2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_ia2v_turbo",
        "minimax-h3-fastvideo-int8_flfa2v_turbo",
        "minimax-h3-fastvideo-int8_a2v_turbo",
        "minimax-h3-fastvideo-int8_ia2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_flfa2v_turbo_2stage",
        "minimax-h3-fastvideo-int8_a2v_turbo_2stage",
        "minimax-h3-ref2va-fp8_r2v_turbo",
        "minimax-h3-fl2va-fp8_t2v_balanced",
        "minimax-h3-fl2va-fp8_i2v_balanced",
        "minimax-h3-fl2va-fp8_flf2v_balanced",
        "minimax-h3-ref2va-fp8_r2v_balanced",
        "minimax-h3-ref2va-fp8_r2v_2stage",
        "minimax-h3-ref2va-fp8_r2v_balanced_2stage",
        # FastH3 Reference (newer Python SDK): r2v ids that run 8 steps despite "_turbo".
        "minimax-h3-fastvideo-omni-int8_r2v_turbo",
        "minimax-h3-fastvideo-omni-int8_r2v_turbo_2stage",
    }
)
_H3_TURBO: Final = re.compile(
    r"minimax-h3-(?:fl2va-fp8_(?:t2v|i2v|flf2v)_turbo"
    r"|fastvideo-int8_(?:t2v|i2v|flf2v|ia2v|flfa2v|a2v)_turbo(?:_2stage)?"
    r"|ref2va-fp8_r2v_turbo)"
)
_H3_BALANCED: Final = re.compile(
    r"minimax-h3-(?:fl2va-fp8_(?:t2v|i2v|flf2v)_balanced|ref2va-fp8_r2v_balanced(?:_2stage)?)"
)
_H3_FASTH3_REFERENCE: Final = re.compile(r"minimax-h3-fastvideo-omni-int8_r2v_turbo(?:_2stage)?")
_H3_AUDIO_GUIDE: Final = re.compile(
    r"minimax-h3-fastvideo-int8_(?:ia2v|flfa2v|a2v)_turbo(?:_2stage)?"
)
H3_FPS: Final = 24
H3_BASE_FRAMES: Final = 124
H3_FRAME_STEP: Final = 17
H3_MAX_FRAMES: Final = 362
H3_DIMENSION_STEP: Final = 32
H3_MAX_DIMENSION: Final = 1344
H3_MAX_PIXELS: Final = 1_032_192
H3_MAX_KEYFRAMES: Final = 8
# r2v reference ceilings: images, videos, audios, total files.
H3_REFERENCE_LIMITS: Final = (9, 3, 3, 12)

VIDEO_CONTROLNET_NAMES: Final = ("canny", "pose", "depth", "detailer", "outpaint", "inpaint")
OUTPAINT_POSITIONS: Final = ("center", "top", "bottom", "left", "right")
VIDEO_OUTPUT_FORMATS: Final = ("mp4", "mov")

# The media inputs the workflow table speaks about, by parameter name.
VIDEO_ASSETS: Final = (
    "reference_image",
    "reference_image_end",
    "reference_audio",
    "reference_audio_identity",
    "reference_video",
    "reference_mask",
)
_R, _O, _F = "required", "optional", "forbidden"
# Workflow -> requirement of each of VIDEO_ASSETS, in that order (protocol/02 §7.5).
_WORKFLOW_ASSETS: Final = {
    "upscale": (_F, _F, _F, _F, _R, _F),
    "t2v": (_F, _F, _F, _O, _F, _F),
    "i2v": (_O, _O, _F, _O, _F, _F),
    "flf2v": (_R, _R, _F, _F, _F, _F),
    "flfa2v": (_R, _R, _R, _F, _F, _F),
    "s2v": (_R, _F, _R, _F, _F, _F),
    "ia2v": (_R, _F, _R, _F, _F, _F),
    "a2v": (_F, _F, _R, _F, _F, _F),
    "animate-move": (_R, _F, _F, _F, _R, _F),
    "animate-replace": (_R, _F, _F, _F, _R, _F),
    "v2v": (_O, _F, _F, _O, _R, _O),
    "r2v": (_O, _F, _F, _F, _F, _F),
}
_H3_WORKFLOW_ASSETS: Final = {
    "i2v": (_O, _O, _F, _F, _F, _F),
    "r2v": (_O, _F, _O, _F, _O, _F),
}


def is_wan_model(model_id: str) -> bool:
    """WAN 2.2 (renders at 16 fps whatever ``fps`` says; 32 only interpolates)."""
    return model_id in WAN_MODEL_IDS


def is_ltx_model(model_id: str) -> bool:
    """LTX 2.x (2.0 legacy ids, 2.3 and 2.5): frames snap to 1 + 8n."""
    return model_id in LTX_MODEL_IDS


def is_seedance_model(model_id: str) -> bool:
    return model_id in SEEDANCE_MODEL_IDS


def is_seedance_25_model(model_id: str) -> bool:
    return model_id in SEEDANCE_25_MODEL_IDS


def is_happyhorse_model(model_id: str) -> bool:
    return model_id in HAPPYHORSE_MODEL_IDS


def is_wan3_model(model_id: str) -> bool:
    return model_id in WAN3_MODEL_IDS


def is_h3_model(model_id: str) -> bool:
    """MiniMax H3: fixed 24 fps, frames on the 124 + 17n grid."""
    return model_id in H3_MODEL_IDS


def is_h3_audio_guide_model(model_id: str) -> bool:
    return _H3_AUDIO_GUIDE.fullmatch(model_id) is not None


def is_h3_reference_model(model_id: str) -> bool:
    """H3 r2v: the one video workflow with numbered reference slots."""
    return is_h3_model(model_id) and video_workflow(model_id) == "r2v"


def is_h3_keyframe_model(model_id: str) -> bool:
    """H3 ids that take intermediate keyframes: every workflow but t2v."""
    return is_h3_model(model_id) and video_workflow(model_id) != "t2v"


def h3_fixed_steps(model_id: str) -> tuple[int, str]:
    """The steps an H3 id runs (they are fixed) and its tier's name for messages."""
    if _H3_FASTH3_REFERENCE.fullmatch(model_id):
        return 8, " FastH3 Reference"
    if _H3_TURBO.fullmatch(model_id):
        return 4, " Turbo"
    if _H3_BALANCED.fullmatch(model_id):
        return 8, " Balanced"
    return 20, ""


def is_flashvsr_model(model_id: str) -> bool:
    return model_id == FLASHVSR_MODEL_ID


def is_external_video_model(model_id: str) -> bool:
    """Vendor-rendered video (Seedance, HappyHorse, Wan 3): Spark-only, no negative prompt."""
    return is_seedance_model(model_id) or is_happyhorse_model(model_id) or is_wan3_model(model_id)


def is_video_model(model_id: str) -> bool:
    """A video id the request builder knows (the official client refuses any other)."""
    return (
        is_wan_model(model_id)
        or is_ltx_model(model_id)
        or is_external_video_model(model_id)
        or is_h3_model(model_id)
        or is_flashvsr_model(model_id)
    )


def video_workflow(model_id: str) -> str | None:
    """The workflow an id names (``t2v``, ``i2v``, ``s2v``, ``r2v``…), None when it names none
    (plain Seedance ids take any mix of references)."""
    if is_flashvsr_model(model_id):
        return "upscale"
    if is_wan3_model(model_id):
        return "t2v"
    if is_happyhorse_model(model_id):
        return next((w for w in ("r2v", "i2v", "t2v") if f"-{w}" in model_id), None)
    if is_h3_model(model_id):
        order = ("r2v", "flfa2v", "ia2v", "a2v", "flf2v", "i2v", "t2v")
        return next((w for w in order if f"_{w}" in model_id), None)
    ltx, wan = is_ltx_model(model_id), is_wan_model(model_id)
    if not (ltx or wan or is_seedance_model(model_id)):
        return None
    if "_i2v" in model_id:
        return "i2v"
    if "_t2v" in model_id:
        return "t2v"
    if not wan and "_v2v" in model_id:
        return "v2v"
    if not wan and "_ia2v" in model_id:
        return "ia2v"
    if ltx and "_a2v" in model_id:
        return "a2v"
    if wan:
        return next(
            (w for w in ("s2v", "animate-move", "animate-replace") if f"_{w}" in model_id), None
        )
    return None


def video_asset_rules(model_id: str) -> dict[str, str] | None:
    """Parameter -> required/optional/forbidden for the id's workflow (protocol/02 §7.5)."""
    workflow = video_workflow(model_id)
    if workflow is None:
        return None
    table = _H3_WORKFLOW_ASSETS if is_h3_model(model_id) else {}
    rules = table.get(workflow) or _WORKFLOW_ASSETS[workflow]
    return dict(zip(VIDEO_ASSETS, rules))


# ---------------------------------------------------------------------------- audio

AUDIO_OUTPUT_FORMATS: Final = ("mp3", "wav", "flac")
AUDIO_MAX_VERSIONS: Final = 4
MUSIC3_MODEL_ID: Final = "minimax_music3"
_KEY_ROOTS: Final = tuple(
    f"{letter}{accidental}"
    for letter in "ABCDEFG"
    for accidental in ("", "#", "b", "\u266f", "\u266d")
)
KEYSCALES: Final = tuple(f"{root} {mode}" for root in _KEY_ROOTS for mode in ("major", "minor"))
TIME_SIGNATURES: Final = ("2", "3", "4", "6")
# fmt: off
LYRICS_LANGUAGES: Final = (
    "ar", "az", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fr", "he",
    "hi", "hr", "ht", "hu", "id", "is", "it", "ja", "ko", "la", "lt", "ms", "ne", "nl", "no",
    "pa", "pl", "pt", "ro", "ru", "sa", "sk", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr",
    "uk", "ur", "vi", "yue", "zh", "unknown",
)
# fmt: on


def is_ace_step_model(model_id: str) -> bool:
    return model_id.startswith("ace_step")


def is_audio_model(model_id: str) -> bool:
    """Music (ACE-Step, MiniMax Music 3) and speech (Qwen3-TTS) ids."""
    return (
        is_ace_step_model(model_id)
        or model_id == MUSIC3_MODEL_ID
        or model_id.startswith("qwen3_tts_")
    )
