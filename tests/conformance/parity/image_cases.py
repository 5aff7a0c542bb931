"""Image rows of the wire-parity table: every image parameter, through both SDKs.

``ts_params`` are exactly what the TypeScript SDK's ``projects.create`` takes; ``py_params`` the
keyword arguments of ``client.projects.create``. Defaults are left out on our side where a user
would leave them out (``number_of_media``), and numbers are sometimes written as a Python user
would (``2.0``) to prove the wire still matches.
"""

from __future__ import annotations

import base64
from typing import Any

from .case import MediaFile, ParityCase, media

__all__ = ["IMAGE_CASES"]

FLUX = "flux1-schnell-fp8"
Z_TURBO = "z_image_turbo_bf16"
Z_IMAGE = "z_image_bf16"
KREA = "krea2_turbo_fp8_scaled"
KREA_IDENTITY = "krea2_identity_edit_v1_2"
QWEN_IMAGE = "qwen_image_2512_fp8"
SD15 = "coreml-cyberrealistic_v70_768"  # legacy tier
SDXL = "coreml-sdxl_turbo_1.0"  # legacy tier
QWEN_EDIT = "qwen_image_edit_2511_fp8_lightning"
GPT = "gpt-image-2"
GPT_25 = "gpt-image-2.5-sunburst"

_COLORS = (
    "red", "green", "blue", "yellow", "cyan", "magenta", "white", "black",
    "orange", "purple", "pink", "brown", "gray", "navy", "teal", "olive",
)  # fmt: skip
_KINDS = ("png", "jpg", "webp")


def _mask_data_uri() -> str:
    return (
        "data:image/png;base64,"
        + base64.b64encode(MediaFile("png", 16, 16, "white").render()).decode()
    )


def _case(
    name: str,
    ts: dict[str, Any],
    py: dict[str, Any],
    files: dict[str, MediaFile] | None = None,
) -> ParityCase:
    return ParityCase(name, {"type": "image", **ts}, {"type": "image", **py}, files or {})


def _gpt_refs() -> tuple[dict[str, MediaFile], list[Any], list[Any]]:
    files = {
        f"ref{i + 1}": MediaFile(_KINDS[i % 3], 24 + i, 24, color)
        for i, color in enumerate(_COLORS)
    }
    # Buffers and typed Blobs on the TypeScript side; paths, bytes and open files on ours.
    ts = [
        media(name, "blob", blob_type=f"image/{'jpeg' if f.kind == 'jpg' else f.kind}")
        if i % 2
        else media(name)
        for i, (name, f) in enumerate(files.items())
    ]
    py = [media(name, ("path", "bytes", "file")[i % 3]) for i, name in enumerate(files)]
    return files, ts, py


_GPT_FILES, _GPT_TS_REFS, _GPT_PY_REFS = _gpt_refs()

IMAGE_CASES: tuple[ParityCase, ...] = (
    # -------------------------------------------------------------- model, prompts, counts
    _case(
        "minimal",
        {"modelId": FLUX, "positivePrompt": "A red fox", "numberOfMedia": 1},
        {"model_id": FLUX, "positive_prompt": "A red fox"},
    ),
    # Every default spelled out in TypeScript, left out on our side. (An unset prompt is
    # undefined, so no key: ``positivePrompt: ""`` is not a default; see js_rule_cases.py.)
    _case(
        "explicit_defaults_match_omitted_ones",
        {
            "modelId": FLUX,
            "negativePrompt": "",
            "stylePrompt": "",
            "numberOfMedia": 1,
            "numberOfPreviews": 0,
            "disableNSFWFilter": False,
            "loras": [],
            "loraStrengths": [],
            "contextImages": [],
        },
        {"model_id": FLUX},
    ),
    _case(
        "prompts_positive_negative_style",
        {
            "modelId": FLUX,
            "positivePrompt": "Ein Fuchs im Schnee \u2014 \u96ea\u306e\u4e2d\u306e\u72d0 \U0001f98a",
            "negativePrompt": 'blurry, lowres, "text"',
            "stylePrompt": "watercolour\nsoft light",
            "numberOfMedia": 1,
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Ein Fuchs im Schnee \u2014 \u96ea\u306e\u4e2d\u306e\u72d0 \U0001f98a",
            "negative_prompt": 'blurry, lowres, "text"',
            "style_prompt": "watercolour\nsoft light",
        },
    ),
    _case(
        "media_and_previews",
        {
            "modelId": FLUX,
            "positivePrompt": "Kites",
            "numberOfMedia": 4,
            "numberOfPreviews": 2,
            "steps": 4,
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Kites",
            "number_of_media": 4,
            "number_of_previews": 2,
            "steps": 4,
        },
    ),
    _case(
        "steps_and_fractional_guidance",
        {
            "modelId": FLUX,
            "positivePrompt": "A bridge",
            "numberOfMedia": 1,
            "steps": 6,
            "guidance": 1.5,
        },
        {"model_id": FLUX, "positive_prompt": "A bridge", "steps": 6, "guidance": 1.5},
    ),
    _case(
        "whole_float_guidance",
        {
            "modelId": Z_TURBO,
            "positivePrompt": "A tower",
            "numberOfMedia": 1,
            "steps": 8,
            "guidance": 2,
        },
        {"model_id": Z_TURBO, "positive_prompt": "A tower", "steps": 8, "guidance": 2.0},
    ),
    _case(
        "seed_zero",
        {"modelId": FLUX, "positivePrompt": "Seed zero", "numberOfMedia": 2, "seed": 0},
        {"model_id": FLUX, "positive_prompt": "Seed zero", "number_of_media": 2, "seed": 0},
    ),
    _case(
        "seed_uint32_max",
        {"modelId": FLUX, "positivePrompt": "Seed max", "numberOfMedia": 1, "seed": 4294967295},
        {"model_id": FLUX, "positive_prompt": "Seed max", "seed": 4294967295},
    ),
    # -------------------------------------------------------------- sampler and scheduler
    _case(
        "legacy_sd15_sampler_scheduler",
        {
            "modelId": SD15,
            "positivePrompt": "A portrait",
            "numberOfMedia": 1,
            "network": "relaxed",
            "steps": 20,
            "guidance": 7.5,
            "sampler": "dpm_pp",
            "scheduler": "karras",
        },
        {
            "model_id": SD15,
            "positive_prompt": "A portrait",
            "network": "relaxed",
            "steps": 20,
            "guidance": 7.5,
            "sampler": "dpm_pp",
            "scheduler": "karras",
        },
    ),
    _case(
        "legacy_sdxl_sampler_scheduler",
        {
            "modelId": SDXL,
            "positivePrompt": "A car",
            "numberOfMedia": 1,
            "network": "relaxed",
            "steps": 4,
            "guidance": 0.5,
            "sampler": "euler_a",
            "scheduler": "leading",
        },
        {
            "model_id": SDXL,
            "positive_prompt": "A car",
            "network": "relaxed",
            "steps": 4,
            "guidance": 0.5,
            "sampler": "euler_a",
            "scheduler": "leading",
        },
    ),
    _case(
        "flux_sampler_on_legacy_keys",
        {
            "modelId": FLUX,
            "positivePrompt": "A boat",
            "numberOfMedia": 1,
            "sampler": "euler",
            "scheduler": "simple",
        },
        {"model_id": FLUX, "positive_prompt": "A boat", "sampler": "euler", "scheduler": "simple"},
    ),
    _case(
        "comfy_sampler_scheduler",
        {
            "modelId": Z_TURBO,
            "positivePrompt": "A lamp",
            "numberOfMedia": 1,
            "sampler": "res_multistep",
            "scheduler": "beta",
        },
        {
            "model_id": Z_TURBO,
            "positive_prompt": "A lamp",
            "sampler": "res_multistep",
            "scheduler": "beta",
        },
    ),
    _case(
        "comfy_sampler_scheduler_vae",
        {
            "modelId": Z_IMAGE,
            "positivePrompt": "A desk",
            "numberOfMedia": 1,
            "steps": 20,
            "guidance": 4,
            "sampler": "dpmpp_2m",
            "scheduler": "karras",
            "vae": "ae.safetensors",
        },
        {
            "model_id": Z_IMAGE,
            "positive_prompt": "A desk",
            "steps": 20,
            "guidance": 4,
            "sampler": "dpmpp_2m",
            "scheduler": "karras",
            "vae": "ae.safetensors",
        },
    ),
    _case(
        "comfy_unset_choices_are_null",
        {"modelId": KREA, "positivePrompt": "A chair", "numberOfMedia": 1},
        {"model_id": KREA, "positive_prompt": "A chair"},
    ),
    # -------------------------------------------------------------- size
    _case(
        "size_preset",
        {
            "modelId": FLUX,
            "positivePrompt": "Tall",
            "numberOfMedia": 1,
            "sizePreset": "portrait_7_9",
        },
        {"model_id": FLUX, "positive_prompt": "Tall", "size_preset": "portrait_7_9"},
    ),
    _case(
        "custom_size",
        {
            "modelId": FLUX,
            "positivePrompt": "Wide",
            "numberOfMedia": 1,
            "sizePreset": "custom",
            "width": 1024,
            "height": 768,
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Wide",
            "size_preset": "custom",
            "width": 1024,
            "height": 768,
        },
    ),
    _case(
        "width_height_without_preset",
        {
            "modelId": Z_TURBO,
            "positivePrompt": "Big",
            "numberOfMedia": 1,
            "width": 2560,
            "height": 1440,
        },
        {"model_id": Z_TURBO, "positive_prompt": "Big", "width": 2560, "height": 1440},
    ),
    # The TypeScript SDK silently drops width/height next to a named preset; ours refuses that
    # contradiction (ValidationError, tests/unit/test_image_validation.py), so the same wire
    # comes from the preset alone.
    _case(
        "named_preset_without_width_height",
        {
            "modelId": FLUX,
            "positivePrompt": "Square",
            "numberOfMedia": 1,
            "sizePreset": "square_hd",
            "width": 640,
            "height": 640,
        },
        {"model_id": FLUX, "positive_prompt": "Square", "size_preset": "square_hd"},
    ),
    # -------------------------------------------------------------- output, billing, network
    _case(
        "output_png",
        {"modelId": FLUX, "positivePrompt": "PNG", "numberOfMedia": 1, "outputFormat": "png"},
        {"model_id": FLUX, "positive_prompt": "PNG", "output_format": "png"},
    ),
    _case(
        "output_jpg",
        {"modelId": FLUX, "positivePrompt": "JPG", "numberOfMedia": 1, "outputFormat": "jpg"},
        {"model_id": FLUX, "positive_prompt": "JPG", "output_format": "jpg"},
    ),
    _case(
        "output_webp",
        {"modelId": FLUX, "positivePrompt": "WebP", "numberOfMedia": 1, "outputFormat": "webp"},
        {"model_id": FLUX, "positive_prompt": "WebP", "output_format": "webp"},
    ),
    _case(
        "token_type_sogni",
        {"modelId": FLUX, "positivePrompt": "Sogni", "numberOfMedia": 1, "tokenType": "sogni"},
        {"model_id": FLUX, "positive_prompt": "Sogni", "token_type": "sogni"},
    ),
    _case(
        "token_type_spark_billing_tokens",
        {
            "modelId": FLUX,
            "positivePrompt": "Spark",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "billingMode": "tokens",
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Spark",
            "token_type": "spark",
            "billing_mode": "tokens",
        },
    ),
    _case(
        "network_relaxed",
        {"modelId": FLUX, "positivePrompt": "Slow", "numberOfMedia": 1, "network": "relaxed"},
        {"model_id": FLUX, "positive_prompt": "Slow", "network": "relaxed"},
    ),
    _case(
        "nsfw_filter_off",
        {
            "modelId": FLUX,
            "positivePrompt": "Unfiltered",
            "numberOfMedia": 1,
            "disableNSFWFilter": True,
        },
        {"model_id": FLUX, "positive_prompt": "Unfiltered", "disable_nsfw_filter": True},
    ),
    _case(
        "app_source",
        {
            "modelId": FLUX,
            "positivePrompt": "Attributed",
            "numberOfMedia": 1,
            "appSource": "parity-suite",
        },
        {"model_id": FLUX, "positive_prompt": "Attributed", "app_source": "parity-suite"},
    ),
    _case(
        "attribution_child_operation",
        {
            "modelId": FLUX,
            "positivePrompt": "Agent work",
            "numberOfMedia": 1,
            "attribution": {
                "workloadKind": "agent_mediated",
                "agentFramework": "langgraph",
                "agentFrameworkVersion": "0.2.1",
                "agentSurface": "sdk",
                "agentSurfaceVersion": "1.0",
                "executionMode": "server",
                "operationId": "op-123",
                "parentOperationId": "root-1",
            },
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Agent work",
            "attribution": {
                "workload_kind": "agent_mediated",
                "agent_framework": "langgraph",
                "agent_framework_version": "0.2.1",
                "agent_surface": "sdk",
                "agent_surface_version": "1.0",
                "execution_mode": "server",
                "operation_id": "op-123",
                "parent_operation_id": "root-1",
            },
        },
    ),
    _case(
        "attribution_defaults_to_project_id",
        {
            "modelId": FLUX,
            "positivePrompt": "Direct work",
            "numberOfMedia": 1,
            "attribution": {
                "workloadKind": "direct",
                "agentFramework": "ignored",
                "agentSurface": "cli",
            },
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Direct work",
            "attribution": {
                "workload_kind": "direct",
                "agent_framework": "ignored",
                "agent_surface": "cli",
            },
        },
    ),
    _case(
        "world_generation_receipt",
        {
            "modelId": FLUX,
            "positivePrompt": "A world still",
            "numberOfMedia": 1,
            "worldGenerationReceipt": {
                "stage": "target_still",
                "sourceImageSha256": "AB" * 32,
                "selectionHash": "0f" * 32,
            },
        },
        {
            "model_id": FLUX,
            "positive_prompt": "A world still",
            "world_generation_receipt": {
                "stage": "target_still",
                "source_image_sha256": "AB" * 32,
                "selection_hash": "0f" * 32,
            },
        },
    ),
    # -------------------------------------------------------------- LoRAs
    _case(
        "loras_with_strengths",
        {
            "modelId": FLUX,
            "positivePrompt": "Grainy angles",
            "numberOfMedia": 1,
            "loras": ["multiple_angles", "film-grain"],
            "loraStrengths": [0.75, -1.5],
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Grainy angles",
            "loras": ["multiple_angles", "film-grain"],
            "lora_strengths": [0.75, -1.5],
        },
    ),
    _case(
        "lora_whole_strength",
        {
            "modelId": KREA,
            "positivePrompt": "Warm",
            "numberOfMedia": 1,
            "loras": ["krea2-warm-light"],
            "loraStrengths": [2],
        },
        {
            "model_id": KREA,
            "positive_prompt": "Warm",
            "loras": ["krea2-warm-light"],
            "lora_strengths": [2.0],
        },
    ),
    _case(
        "loras_without_strengths",
        {
            "modelId": Z_TURBO,
            "positivePrompt": "Grain",
            "numberOfMedia": 1,
            "loras": ["film-grain"],
        },
        {"model_id": Z_TURBO, "positive_prompt": "Grain", "loras": ["film-grain"]},
    ),
    # -------------------------------------------------------------- starting image
    _case(
        "starting_image_strength",
        {
            "modelId": FLUX,
            "positivePrompt": "Repaint",
            "numberOfMedia": 1,
            "startingImage": media("start"),
            "startingImageStrength": 0.7,
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Repaint",
            "starting_image": media("start"),
            "starting_image_strength": 0.7,
        },
        {"start": MediaFile("png", 40, 30, "teal")},
    ),
    _case(
        "starting_image_default_strength",
        {
            "modelId": FLUX,
            "positivePrompt": "Repaint",
            "numberOfMedia": 1,
            "startingImage": media("start", "blob", blob_type="image/jpeg"),
        },
        {"model_id": FLUX, "positive_prompt": "Repaint", "starting_image": media("start", "bytes")},
        {"start": MediaFile("jpg", 48, 48, "olive")},
    ),
    _case(
        "starting_image_full_strength",
        {
            "modelId": FLUX,
            "positivePrompt": "Keep it",
            "numberOfMedia": 1,
            "startingImage": media("start"),
            "startingImageStrength": 1,
        },
        {
            "model_id": FLUX,
            "positive_prompt": "Keep it",
            "starting_image": media("start", "file"),
            "starting_image_strength": 1.0,
        },
        {"start": MediaFile("webp", 32, 32, "pink")},
    ),
    # -------------------------------------------------------------- context images
    _case(
        "qwen_edit_context_images",
        {
            "modelId": QWEN_EDIT,
            "positivePrompt": "Combine them",
            "numberOfMedia": 1,
            "contextImages": [media("a"), media("b"), media("c")],
        },
        {
            "model_id": QWEN_EDIT,
            "positive_prompt": "Combine them",
            "context_images": [media("a"), media("b", "bytes"), media("c", "file")],
        },
        {
            "a": MediaFile("png"),
            "b": MediaFile("jpg", color="blue"),
            "c": MediaFile("webp", color="green"),
        },
    ),
    _case(
        "qwen_edit_context_image_hole",
        {
            "modelId": QWEN_EDIT,
            "positivePrompt": "First and third",
            "numberOfMedia": 1,
            "contextImages": [media("a"), None, media("c")],
        },
        {
            "model_id": QWEN_EDIT,
            "positive_prompt": "First and third",
            "context_images": [media("a"), None, media("c")],
        },
        {"a": MediaFile("png"), "c": MediaFile("png", color="yellow")},
    ),
    _case(
        "krea_identity_edit_two_references",
        {
            "modelId": KREA_IDENTITY,
            "positivePrompt": "Same face, new place",
            "numberOfMedia": 1,
            "contextImages": [media("face"), media("place")],
            "sizePreset": "custom",
            "width": 512,
            "height": 2048,
        },
        {
            "model_id": KREA_IDENTITY,
            "positive_prompt": "Same face, new place",
            "context_images": [media("face"), media("place")],
            "width": 512,
            "height": 2048,
        },
        {"face": MediaFile("jpg", 30, 40, "pink"), "place": MediaFile("png", 40, 30, "green")},
    ),
    _case(
        "qwen_image_largest_custom_size",
        {
            "modelId": QWEN_IMAGE,
            "positivePrompt": "Panorama",
            "numberOfMedia": 1,
            "width": 2560,
            "height": 256,
        },
        {
            "model_id": QWEN_IMAGE,
            "positive_prompt": "Panorama",
            "size_preset": "custom",
            "width": 2560,
            "height": 256,
        },
    ),
    # -------------------------------------------------------------- GPT Image
    _case(
        "gpt_image_2_sixteen_references",
        {
            "modelId": GPT,
            "positivePrompt": "A collage",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "gptImageQuality": "high",
            "gptImageBackground": "opaque",
            "outputFormat": "png",
            "contextImages": _GPT_TS_REFS,
        },
        {
            "model_id": GPT,
            "positive_prompt": "A collage",
            "token_type": "spark",
            "gpt_image_quality": "high",
            "gpt_image_background": "opaque",
            "output_format": "png",
            "context_images": _GPT_PY_REFS,
        },
        _GPT_FILES,
    ),
    _case(
        "gpt_image_2_jpg_compression",
        {
            "modelId": GPT,
            "positivePrompt": "A poster",
            "numberOfMedia": 2,
            "tokenType": "spark",
            "gptImageQuality": "low",
            "outputFormat": "jpg",
            "gptImageOutputCompression": 80,
        },
        {
            "model_id": GPT,
            "positive_prompt": "A poster",
            "number_of_media": 2,
            "token_type": "spark",
            "gpt_image_quality": "low",
            "output_format": "jpg",
            "gpt_image_output_compression": 80,
        },
    ),
    _case(
        "gpt_image_25_webp_transparent",
        {
            "modelId": GPT_25,
            "positivePrompt": "A sticker",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "gptImageQuality": "xhigh",
            "gptImageBackground": "transparent",
            "outputFormat": "webp",
            "gptImageOutputCompression": 0,
            "contextImages": [media("ref")],
        },
        {
            "model_id": GPT_25,
            "positive_prompt": "A sticker",
            "token_type": "spark",
            "gpt_image_quality": "xhigh",
            "gpt_image_background": "transparent",
            "output_format": "webp",
            "gpt_image_output_compression": 0,
            "context_images": [media("ref")],
        },
        {"ref": MediaFile("png", 20, 20, "purple")},
    ),
    _case(
        "gpt_image_2_standard_auto_background",
        {
            "modelId": GPT,
            "positivePrompt": "A badge",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "gptImageQuality": "standard",
            "gptImageBackground": "auto",
            "sizePreset": "custom",
            "width": 3840,
            "height": 2160,
        },
        {
            "model_id": GPT,
            "positive_prompt": "A badge",
            "token_type": "spark",
            "gpt_image_quality": "standard",
            "gpt_image_background": "auto",
            "width": 3840,
            "height": 2160,
        },
    ),
    _case(
        "gpt_image_mask_file",
        {
            "modelId": GPT,
            "positivePrompt": "Fill the hole",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "contextImages": [media("ref")],
            "gptImageMask": media("mask"),
        },
        {
            "model_id": GPT,
            "positive_prompt": "Fill the hole",
            "token_type": "spark",
            "context_images": [media("ref")],
            "gpt_image_mask": media("mask", "bytes"),
        },
        {"ref": MediaFile("jpg", 32, 32, "gray"), "mask": MediaFile("png", 32, 32, "white")},
    ),
    _case(
        "gpt_image_mask_url",
        {
            "modelId": GPT,
            "positivePrompt": "Fill the hole",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "contextImages": [media("ref")],
            "gptImageMaskUrl": "https://cdn.example.com/mask.png",
        },
        {
            "model_id": GPT,
            "positive_prompt": "Fill the hole",
            "token_type": "spark",
            "context_images": [media("ref")],
            "gpt_image_mask_url": "https://cdn.example.com/mask.png",
        },
        {"ref": MediaFile("png", 32, 32, "gray")},
    ),
    _case(
        "gpt_image_mask_data_uri",
        {
            "modelId": GPT,
            "positivePrompt": "Fill the hole",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "contextImages": [media("ref")],
            "gptImageMaskUrl": _mask_data_uri(),
        },
        {
            "model_id": GPT,
            "positive_prompt": "Fill the hole",
            "token_type": "spark",
            "context_images": [media("ref")],
            "gpt_image_mask_url": _mask_data_uri(),
        },
        {"ref": MediaFile("png", 32, 32, "gray")},
    ),
    _case(
        "sampler_without_choices_is_dropped",
        {
            "modelId": GPT,
            "positivePrompt": "No sampler",
            "numberOfMedia": 1,
            "tokenType": "spark",
            "sampler": "euler",
        },
        {
            "model_id": GPT,
            "positive_prompt": "No sampler",
            "token_type": "spark",
            "sampler": "euler",
        },
    ),
    # -------------------------------------------------------------- ControlNet (SD 1.5)
    _case(
        "controlnet_openpose_balanced_img2img",
        {
            "modelId": SD15,
            "positivePrompt": "Professional portrait photo, soft window light",
            "negativePrompt": "blurry, watermark",
            "stylePrompt": "photorealistic",
            "numberOfMedia": 2,
            "numberOfPreviews": 2,
            "steps": 25,
            "guidance": 7,
            "seed": 1234567,
            "sampler": "dpm_pp",
            "scheduler": "karras",
            "sizePreset": "portrait_7_9",
            "startingImage": media("start"),
            "startingImageStrength": 0.6,
            "controlNet": {
                "name": "openpose",
                "image": media("pose"),
                "strength": 0.8,
                "mode": "balanced",
                "guidanceStart": 0,
                "guidanceEnd": 0.9,
            },
            "network": "relaxed",
            "tokenType": "sogni",
            "outputFormat": "jpg",
            "appSource": "my-python-app",
        },
        {
            "model_id": SD15,
            "positive_prompt": "Professional portrait photo, soft window light",
            "negative_prompt": "blurry, watermark",
            "style_prompt": "photorealistic",
            "number_of_media": 2,
            "number_of_previews": 2,
            "steps": 25,
            "guidance": 7.0,
            "seed": 1234567,
            "sampler": "dpm_pp",
            "scheduler": "karras",
            "size_preset": "portrait_7_9",
            "starting_image": media("start"),
            "starting_image_strength": 0.6,
            "control_net": {
                "name": "openpose",
                "image": media("pose", "bytes"),
                "strength": 0.8,
                "mode": "balanced",
                "guidance_start": 0.0,
                "guidance_end": 0.9,
            },
            "network": "relaxed",
            "token_type": "sogni",
            "output_format": "jpg",
            "app_source": "my-python-app",
        },
        {"start": MediaFile("jpg", 48, 64, "brown"), "pose": MediaFile("png", 48, 64, "black")},
    ),
    _case(
        "controlnet_canny_prompt_priority",
        {
            "modelId": SD15,
            "positivePrompt": "Edges",
            "numberOfMedia": 1,
            "network": "relaxed",
            "controlNet": {
                "name": "canny",
                "image": media("edges"),
                "strength": 0.45,
                "mode": "prompt_priority",
                "guidanceStart": 0.1,
                "guidanceEnd": 0.75,
            },
        },
        {
            "model_id": SD15,
            "positive_prompt": "Edges",
            "network": "relaxed",
            "control_net": {
                "name": "canny",
                "image": media("edges", "file"),
                "strength": 0.45,
                "mode": "prompt_priority",
                "guidance_start": 0.1,
                "guidance_end": 0.75,
            },
        },
        {"edges": MediaFile("jpg", 32, 32, "white")},
    ),
    _case(
        "controlnet_depth_cn_priority",
        {
            "modelId": SD15,
            "positivePrompt": "Depth",
            "numberOfMedia": 1,
            "network": "relaxed",
            "controlNet": {"name": "depth", "image": media("depth"), "mode": "cn_priority"},
        },
        {
            "model_id": SD15,
            "positive_prompt": "Depth",
            "network": "relaxed",
            "control_net": {"name": "depth", "image": media("depth"), "mode": "cn_priority"},
        },
        {"depth": MediaFile("webp", 32, 32, "gray")},
    ),
    _case(
        "controlnet_tile_without_image_or_mode",
        {
            "modelId": SDXL,
            "positivePrompt": "Tiles",
            "numberOfMedia": 1,
            "network": "relaxed",
            "controlNet": {"name": "tile", "strength": 1, "guidanceEnd": 1},
        },
        {
            "model_id": SDXL,
            "positive_prompt": "Tiles",
            "network": "relaxed",
            "control_net": {"name": "tile", "strength": 1.0, "guidance_end": 1},
        },
    ),
)
