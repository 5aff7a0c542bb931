"""Which model a platform tool call runs on, and the model facts its request needs.

A tool call names a model loosely (``videoModel: "ltx23"``, ``model: "z-turbo"``) or not at
all. The selector tables turn a name into a model id; :func:`select_model` then picks from the
models with workers online now: the requested one if it can do the job, else the first
preferred id online (the one with most workers if listed twice), else the compatible model with
the most workers. These rules, the default sizes and frame rates, and the workflow of each video
model follow the official executor, so a tool call renders on the same model with the same
request whichever SDK runs it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeGuard

__all__ = [
    "PREFERRED",
    "AvailableLike",
    "calculate_h3_frames",
    "clamp_variations",
    "control_mode",
    "h3_frames_for_audio",
    "is_edit_image_model",
    "is_external_video_model",
    "is_h3_audio_guide_model",
    "is_h3_model",
    "max_context_images",
    "model_selector",
    "select_model",
    "time_signature",
    "video_defaults",
    "video_workflow",
]


class AvailableLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def media(self) -> str: ...

    @property
    def worker_count(self) -> int: ...


PREFERRED = {
    "t2v": "ltx23-22b-fp8_t2v_distilled",
    "i2v": "ltx23-22b-fp8_i2v_distilled",
    "a2v": "ltx23-22b-fp8_a2v_distilled",
    "ia2v": "ltx23-22b-fp8_ia2v_distilled",
    "s2v": "wan_v2.2-14b-fp8_s2v_lightx2v",
    "v2v": "ltx23-22b-fp8_v2v_distilled",
    "seedance_v2v": "seedance-2-0",
    "h3_flf2v": "minimax-h3-fl2va-fp8_flf2v",
    "happyhorse_r2v": "happyhorse-1.1-r2v",
    "h3_flfa2v": "minimax-h3-fastvideo-int8_flfa2v_turbo",
    "animate-move": "wan_v2.2-14b-fp8_animate-move_lightx2v",
    "animate-replace": "wan_v2.2-14b-fp8_animate-replace_lightx2v",
}
MUSIC_PREFERENCE = (
    "ace_step_1.5_xl_turbo",
    "ace_step_1.5_xl_sft",
    "ace_step_1.5_turbo",
    "ace_step_1.5_sft",
    "minimax_music3",
    # Speech models share the audio media type; they come last.
    "qwen3_tts_1.7b_custom_voice_bf16",
    "qwen3_tts_1.7b_voice_clone_bf16",
    "qwen3_tts_1.7b_voice_design_bf16",
)

# ---------------------------------------------------------------------------- model families

_LTX_WORKFLOWS = ("t2v", "i2v", "a2v", "ia2v", "v2v")
_LTX = frozenset(
    [
        f"{prefix}_{w}{suffix}"
        for w in _LTX_WORKFLOWS
        for prefix, suffix in (
            ("ltx2-19b-fp8", ""),
            ("ltx2-19b-fp8", "_distilled"),
            ("ltx23-22b-fp8", "_distilled"),
            ("ltx23-22b-fp8", "_dev"),
            ("ltx25-22b-int8", "_distilled"),
            ("ltx25-22b-int8", "_dev"),
        )
    ]
    + ["ltx23-22b-10eros-v1.4-fp8mixed_i2v"]
)
_WAN = frozenset(
    [
        "wan_v2.2-14b-fp8_t2v",
        "wan_v2.2-14b-fp8_i2v",
        "wan_v2.2-14b-fp8_t2v_lightx2v",
        "wan_v2.2-14b-fp8_i2v_lightx2v",
        "wan_v2.2-14b-fp8_s2v_lightx2v",
        "wan_v2.2-14b-fp8_animate-move_lightx2v",
        "wan_v2.2-14b-fp8_animate-replace_lightx2v",
    ]
)
_SEEDANCE = frozenset(["seedance-2-0", "seedance-2-0-mini", "seedance-2-0-fast", "seedance-2-5"])
_HAPPYHORSE = frozenset(["happyhorse-1.1-t2v", "happyhorse-1.1-i2v", "happyhorse-1.1-r2v"])
_WAN3 = frozenset(["wan3.0-video", "wan3.0-spicy-video"])
_H3 = frozenset(
    [
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
    ]
)
_H3_AUDIO_GUIDE = re.compile(r"^minimax-h3-fastvideo-int8_(?:ia2v|flfa2v|a2v)_turbo(?:_2stage)?$")
_UPSCALE = "flashvsr_v1.1_tiny_long_bf16"
_GPT_IMAGE = frozenset(["gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"])
_QWEN_IMAGE = frozenset(
    [
        "qwen_image_2512_fp8",
        "qwen_image_2512_fp8_lightning",
        "qwen_image_edit_2511_fp8",
        "qwen_image_edit_2511_fp8_lightning",
    ]
)
_QWEN_EDIT = frozenset(["qwen_image_edit_2511_fp8", "qwen_image_edit_2511_fp8_lightning"])
_KREA_IDENTITY = frozenset(["krea2_identity_edit_v1_2", "dark_beast_krea2_identity_edit_v1_2"])

H3_FPS = 24
H3_STEP = 17
H3_BASE = 124
H3_MIN = 124
H3_MAX = 362


def is_h3_model(model_id: str) -> bool:
    return model_id in _H3


def is_h3_audio_guide_model(model_id: str) -> bool:
    return bool(_H3_AUDIO_GUIDE.match(model_id))


def is_external_video_model(model_id: str) -> bool:
    """Seedance, HappyHorse and Wan 3: vendor models that take HTTPS media references."""
    return model_id in _SEEDANCE or model_id in _HAPPYHORSE or model_id in _WAN3


def is_edit_image_model(model_id: str) -> bool:
    return model_id in _GPT_IMAGE or model_id in _QWEN_EDIT or model_id in _KREA_IDENTITY


def max_context_images(model_id: str) -> int:
    if model_id in _GPT_IMAGE:
        return 16
    if model_id in _QWEN_IMAGE:
        return 3
    if model_id in _KREA_IDENTITY or "kontext" in model_id:
        return 2
    return 3


def video_workflow(model_id: str) -> str | None:
    """The workflow a video model id runs (``t2v``, ``i2v``, ``flf2v``, ``ia2v`` ...)."""
    if not model_id:
        return None
    if model_id == _UPSCALE:
        return "upscale"
    wan, ltx, seedance = model_id in _WAN, model_id in _LTX, model_id in _SEEDANCE
    if not (
        wan
        or ltx
        or seedance
        or model_id in _HAPPYHORSE
        or model_id in _WAN3
        or is_h3_model(model_id)
    ):
        return None
    if model_id in _WAN3:
        return "t2v"
    if model_id in _HAPPYHORSE:
        for workflow in ("r2v", "i2v", "t2v"):
            if f"-{workflow}" in model_id:
                return workflow
        return None
    if is_h3_model(model_id):
        # The checkpoint names contain bare "f2v"/"l2v"; only "_<workflow>" counts.
        for workflow in ("r2v", "flfa2v", "ia2v", "a2v", "flf2v", "i2v", "t2v"):
            if f"_{workflow}" in model_id:
                return workflow
        return None
    if "_i2v" in model_id:
        return "i2v"
    if "_t2v" in model_id:
        return "t2v"
    if (ltx or seedance) and "_v2v" in model_id:
        return "v2v"
    if (ltx or seedance) and "_ia2v" in model_id:
        return "ia2v"
    if ltx and "_a2v" in model_id:
        return "a2v"
    if wan:
        for workflow in ("s2v", "animate-move", "animate-replace"):
            if f"_{workflow}" in model_id:
                return workflow
    return None


def compatible_workflows(model_id: str) -> tuple[str, ...]:
    if model_id in _WAN3:
        return ("t2v", "i2v", "flf2v", "r2v", "a2v", "ia2v")
    if model_id == "seedance-2-5":
        return ("t2v", "i2v", "flf2v", "r2v", "ia2v", "v2v")
    if model_id in ("seedance-2-0", "seedance-2-0-mini", "seedance-2-0-fast"):
        return ("t2v", "i2v", "ia2v", "v2v")
    workflow = video_workflow(model_id)
    return (workflow,) if workflow else ()


def video_defaults(model_id: str) -> tuple[int, int, int]:
    """Width, height and fps a tool's video uses when the call gives none."""
    workflow = video_workflow(model_id)
    if model_id in _WAN3:
        return 1920, 1080, 30
    if is_h3_model(model_id):
        if model_id == "minimax-h3-ref2va-fp8_r2v_turbo":
            return 960, 544, 24
        return 1344, 768, 24
    if workflow in ("s2v", "animate-move", "animate-replace"):
        return 832, 480, 16
    if model_id in ("seedance-2-0-mini", "seedance-2-0-fast"):
        return 1280, 720, 24
    if model_id in _SEEDANCE or model_id in _HAPPYHORSE:
        return 1920, 1080, 24
    if model_id in _LTX:
        return 1920, 1088, 24
    return 848, 480, 16


def js_round(value: float) -> int:
    return math.floor(value + 0.5)


def calculate_h3_frames(duration: float) -> int:
    """MiniMax H3 frames for a duration: 24 fps on the ``124 + 17n`` grid, 124-362."""
    requested = js_round(duration * H3_FPS)
    low_step = math.ceil((H3_MIN - H3_BASE) / H3_STEP)
    high_step = math.floor((H3_MAX - H3_BASE) / H3_STEP)
    step = min(high_step, max(low_step, js_round((requested - H3_BASE) / H3_STEP)))
    return H3_BASE + step * H3_STEP


def h3_frames_for_audio(seconds: float) -> int:
    """The shortest H3 frame count covering ``seconds`` of audio (capped at 362)."""
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("audio duration must be a positive number of seconds")
    needed = math.ceil(seconds * H3_FPS - 1e-6)
    steps = max(0, math.ceil((needed - H3_BASE) / H3_STEP))
    return min(H3_MAX, H3_BASE + steps * H3_STEP)


# ---------------------------------------------------------------------------- argument helpers


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def clamp_variations(value: Any, fallback: Any = 1) -> int:
    """1-16 results: ``numberOfVariations`` if given (rounded), else the fallback."""
    if value is None:
        value = fallback
    count = value if is_number(value) else 1
    return max(1, min(16, js_round(count)))


def control_mode(value: Any) -> str:
    """A ``video_to_video`` control mode; anything unknown is ``animate-move``."""
    modes = (
        "animate-replace",
        "seedance-v2v",
        "canny",
        "pose",
        "depth",
        "detailer",
        "outpaint",
        "inpaint",
    )
    return value if isinstance(value, str) and value in modes else "animate-move"


def time_signature(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if is_number(value):
        return str(js_round(value))
    return None


# ---------------------------------------------------------------------------- selectors

_GPT_ALIASES = (
    "chatgpt",
    "chatgpt-image",
    "chat-gpt",
    "chat-gpt-image",
    "openai",
    "openai-image",
    "open-ai",
    "open-ai-image",
    "gpt",
    "gpt-image",
    "gpt2",
    "gpt-2",
    "gpt2-image",
    "gpt-2-image",
    "gptimage2",
    "gpt-image2",
    "gpt-image-2.0",
    "gpt-image-2",
)
_GPT25 = {
    "gpt-image-2.5-sunburst": "gpt-image-2.5-sunburst",
    "gpt-image-2.5-flare": "gpt-image-2.5-flare",
    "gpt-image-2.5": "gpt-image-2.5-flare",
    "gpt-image2.5": "gpt-image-2.5-flare",
    "sunburst": "gpt-image-2.5-sunburst",
    "flare": "gpt-image-2.5-flare",
}
_IMAGE_SELECTORS = {
    **dict.fromkeys(_GPT_ALIASES, "gpt-image-2"),
    **_GPT25,
    "z-turbo": "z_image_turbo_bf16",
    "krea-2-turbo": "krea2_turbo_fp8_scaled",
    "krea2-turbo": "krea2_turbo_fp8_scaled",
    "z-image": "z_image_bf16",
    "chroma-v46-flash": "chroma-v.46-flash_fp8",
    "chroma-detail": "chroma-v48-detail-svd_fp8",
    "chroma-hd": "chroma1-hd_fp8_scaled",
    "chroma1-hd": "chroma1-hd_fp8_scaled",
    "dark-beast-z-image-turbo": "dark_beast_z_image_turbo_v9_bf16",
    "dark-beast-z-turbo": "dark_beast_z_image_turbo_v9_bf16",
    "dark-beast-krea-2": "dark_beast_krea2_fp8",
    "dark-beast-krea2": "dark_beast_krea2_fp8",
    "one-obsession-v22": "one_obsession_v22_fp16",
    "one-obsession": "one_obsession_v22_fp16",
    "pony-v7": "coreml-cyberrealisticPony_v7",
    "qwen-2512": "qwen_image_2512_fp8",
    "qwen-2512-lightning": "qwen_image_2512_fp8_lightning",
    "albedo-xl": "coreml-albedobaseXL_v31Large",
    "animagine-xl": "coreml-animagineXL40_v4Opt",
    "anima-pencil-xl": "coreml-animaPencilXL_v500",
    "art-universe-xl": "coreml-artUniverse_sdxlV60",
    "hyphoria-real": "coreml-hyphoriaRealIllu_v05",
    "analog-madness-xl": "coreml-analogMadnessSDXL_xl2",
    "cyberrealistic-xl": "coreml-cyberrealisticXL_v60",
    "real-dream-xl": "coreml-realDream_sdxlPony11",
    "faetastic-xl": "coreml-sdxlFaetastic_v24",
    "zavychroma-xl": "coreml-zavychromaxl_v80",
    "pony-faetality": "coreml-ponyFaetality_v11",
    "dreamshaper-xl": "coreml-DreamShaper-XL1-Alpha2",
}
_KREA_EDIT = "krea2_identity_edit_v1_2"
_DARK_KREA_EDIT = "dark_beast_krea2_identity_edit_v1_2"
_EDIT_SELECTORS = {
    **dict.fromkeys(_GPT_ALIASES, "gpt-image-2"),
    **_GPT25,
    "qwen-lightning": "qwen_image_edit_2511_fp8_lightning",
    "qwen": "qwen_image_edit_2511_fp8",
    **dict.fromkeys(
        (
            "krea-2-identity-edit",
            "krea2-identity-edit",
            "krea-identity-edit",
            "krea-2-identity-edit-lora",
            "krea-2-identity-edit-lora-v1-2",
        ),
        _KREA_EDIT,
    ),
    **dict.fromkeys(
        (
            "dark-beast-krea-2-identity-edit",
            "dark-beast-krea2-identity-edit",
            "dark-beast-krea-2-identity-edit-lora",
            "dark-beast-krea-2-identity-edit-lora-v1-2",
        ),
        _DARK_KREA_EDIT,
    ),
}
_H3_T = "minimax-h3-fl2va-fp8_{}"
_H3_FAST = "minimax-h3-fastvideo-int8_{}"
_H3_REF = "minimax-h3-ref2va-fp8_{}"
_WAN3_SELECTORS = dict.fromkeys(("wan3", "wan3.0", "wan3-video"), "wan3.0-video")
_R2V_SELECTORS = {
    "minimax-h3-r2v": _H3_REF.format("r2v"),
    "minimax-h3-r2v-turbo": _H3_REF.format("r2v_turbo"),
    "minimax-h3-r2v-balanced": _H3_REF.format("r2v_balanced"),
    "minimax-h3-r2v-2stage": _H3_REF.format("r2v_2stage"),
    "minimax-h3-r2v-balanced-2stage": _H3_REF.format("r2v_balanced_2stage"),
}
_TEXT_VIDEO_SELECTORS = {
    "ltx25": "ltx25-22b-int8_t2v_distilled",
    "ltx23": PREFERRED["t2v"],
    "wan22": "wan_v2.2-14b-fp8_t2v_lightx2v",
    "seedance2": "seedance-2-0",
    "seedance2-mini": "seedance-2-0-mini",
    "seedance2-fast": "seedance-2-0-mini",
    "seedance2-5": "seedance-2-5",
    "minimax-h3": _H3_T.format("t2v"),
    "minimax-h3-t2v": _H3_T.format("t2v"),
    "minimax-h3-turbo": _H3_T.format("t2v_turbo"),
    "minimax-h3-t2v-turbo": _H3_T.format("t2v_turbo"),
    "minimax-h3-fasth3-turbo": _H3_FAST.format("t2v_turbo"),
    "minimax-h3-fasth3-t2v-turbo": _H3_FAST.format("t2v_turbo"),
    "minimax-h3-fasth3-turbo-2stage": _H3_FAST.format("t2v_turbo_2stage"),
    "minimax-h3-fasth3-t2v-turbo-2stage": _H3_FAST.format("t2v_turbo_2stage"),
    "minimax-h3-balanced": _H3_T.format("t2v_balanced"),
    "minimax-h3-t2v-balanced": _H3_T.format("t2v_balanced"),
    **_R2V_SELECTORS,
    "happyhorse": "happyhorse-1.1-t2v",
    "happyhorse1.1": "happyhorse-1.1-t2v",
    **_WAN3_SELECTORS,
}
_IMAGE_VIDEO_SELECTORS = {
    "ltx25": "ltx25-22b-int8_i2v_distilled",
    "ltx23": PREFERRED["i2v"],
    "wan22": "wan_v2.2-14b-fp8_i2v_lightx2v",
    "seedance2": "seedance-2-0",
    "seedance2-mini": "seedance-2-0-mini",
    "seedance2-fast": "seedance-2-0-mini",
    "seedance2-5": "seedance-2-5",
    "minimax-h3": _H3_T.format("i2v"),
    "minimax-h3-i2v": _H3_T.format("i2v"),
    "minimax-h3-flf2v": _H3_T.format("flf2v"),
    "minimax-h3-turbo": _H3_T.format("i2v_turbo"),
    "minimax-h3-i2v-turbo": _H3_T.format("i2v_turbo"),
    "minimax-h3-flf2v-turbo": _H3_T.format("flf2v_turbo"),
    "minimax-h3-fasth3-turbo": _H3_FAST.format("i2v_turbo"),
    "minimax-h3-fasth3-i2v-turbo": _H3_FAST.format("i2v_turbo"),
    "minimax-h3-fasth3-flf2v-turbo": _H3_FAST.format("flf2v_turbo"),
    "minimax-h3-fasth3-turbo-2stage": _H3_FAST.format("i2v_turbo_2stage"),
    "minimax-h3-fasth3-i2v-turbo-2stage": _H3_FAST.format("i2v_turbo_2stage"),
    "minimax-h3-fasth3-flf2v-turbo-2stage": _H3_FAST.format("flf2v_turbo_2stage"),
    "minimax-h3-balanced": _H3_T.format("i2v_balanced"),
    "minimax-h3-i2v-balanced": _H3_T.format("i2v_balanced"),
    "minimax-h3-flf2v-balanced": _H3_T.format("flf2v_balanced"),
    **_R2V_SELECTORS,
    "happyhorse": "happyhorse-1.1-i2v",
    "happyhorse1.1": "happyhorse-1.1-i2v",
    "happyhorse-1.1-i2v": "happyhorse-1.1-i2v",
    "happyhorse-1.1-r2v": "happyhorse-1.1-r2v",
    **_WAN3_SELECTORS,
}
_V2V_SELECTORS = {
    "ltx25": "ltx25-22b-int8_v2v_distilled",
    "ltx25-v2v": "ltx25-22b-int8_v2v_distilled",
    "ltx23": PREFERRED["v2v"],
    "ltx23-v2v": PREFERRED["v2v"],
    "seedance2": "seedance-2-0",
    "seedance2-5": "seedance-2-5",
}
_SOUND_VIDEO_SELECTORS = {
    "wan-s2v": PREFERRED["s2v"],
    "seedance2-mini": "seedance-2-0",
    "seedance2-fast": "seedance-2-0",
    "seedance2-5": "seedance-2-5",
    "seedance2": "seedance-2-0",
    "ltx25-ia2v": "ltx25-22b-int8_ia2v_distilled",
    "ltx25-a2v": "ltx25-22b-int8_a2v_distilled",
    "ltx23-ia2v": PREFERRED["ia2v"],
    "ltx23-a2v": PREFERRED["a2v"],
    "minimax-h3-fasth3-ia2v-turbo": _H3_FAST.format("ia2v_turbo"),
    "minimax-h3-fasth3-flfa2v-turbo": _H3_FAST.format("flfa2v_turbo"),
    "minimax-h3-fasth3-a2v-turbo": _H3_FAST.format("a2v_turbo"),
    "minimax-h3-fasth3-ia2v-turbo-2stage": _H3_FAST.format("ia2v_turbo_2stage"),
    "minimax-h3-fasth3-flfa2v-turbo-2stage": _H3_FAST.format("flfa2v_turbo_2stage"),
    "minimax-h3-fasth3-a2v-turbo-2stage": _H3_FAST.format("a2v_turbo_2stage"),
    **_WAN3_SELECTORS,
}
_VIDEO_TOOLS = ("generate_video", "animate_photo", "sound_to_video", "video_to_video")


def _selector_key(value: str) -> str:
    return re.sub(r"[_\s]+", "-", value.strip().lower())


def model_selector(tool: str, args: Mapping[str, Any]) -> str | None:
    """The model id a call asks for (``videoModel`` for video tools, ``model`` otherwise),
    through the tool's selector table; an unknown name passes through as given. None when the
    call names none (or, for ``video_to_video``, names a model without a v2v workflow)."""
    value = args.get("videoModel" if tool in _VIDEO_TOOLS else "model")
    if not isinstance(value, str) or not value.strip():
        return None
    tables: dict[str, Mapping[str, str]] = {
        "generate_image": _IMAGE_SELECTORS,
        "edit_image": _EDIT_SELECTORS,
        "animate_photo": _IMAGE_VIDEO_SELECTORS,
        "sound_to_video": _SOUND_VIDEO_SELECTORS,
        "video_to_video": _V2V_SELECTORS,
    }
    table: Mapping[str, str]
    if tool == "generate_video":
        indices = args.get("referenceImageIndices")
        table = (
            _IMAGE_VIDEO_SELECTORS
            if isinstance(indices, list) and indices
            else _TEXT_VIDEO_SELECTORS
        )
    elif tool in tables:
        table = tables[tool]
    else:
        return value
    resolved = table.get(value) or table.get(_selector_key(value)) or value
    if tool == "video_to_video" and "v2v" not in compatible_workflows(resolved):
        return None
    return resolved


class NoModelError(Exception):
    """No online model can run the call (the message says why)."""


def select_model(
    models: Sequence[AvailableLike],
    media: str,
    *,
    requested: str | None = None,
    workflows: Sequence[str] | None = None,
    accept: Callable[[str], bool] | None = None,
    preferred: Sequence[str] = (),
) -> str:
    """Pick the model a tool call runs on (see the module docstring)."""
    of_media = [m for m in models if m.media == media]
    if not of_media:
        raise NoModelError(f"No {media} models currently available on the network")

    def fits(model_id: str) -> bool:
        if accept is not None and not accept(model_id):
            return False
        if workflows is not None:
            return any(w in workflows for w in compatible_workflows(model_id))
        return True

    compatible = [m for m in of_media if fits(m.id)]
    if requested:
        for model in compatible:
            if model.id == requested:
                return model.id
    if not compatible:
        if workflows is not None:
            raise NoModelError(
                f"No compatible {media} models available for workflows: {', '.join(workflows)}"
            )
        raise NoModelError(f"No compatible {media} models currently available on the network")
    for wanted in preferred:
        matches = [m for m in compatible if m.id == wanted]
        if matches:
            return max(matches, key=lambda m: m.worker_count).id
    # The first of the busiest, in the order the server listed them.
    best = compatible[0]
    for model in compatible[1:]:
        if model.worker_count > best.worker_count:
            best = model
    return best.id
