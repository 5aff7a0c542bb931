"""Regression rows for the JavaScript rules on the wire: each is a set the property-based
parity test (``test_property_parity.py``) found different and shrank, or the direct case of a
rule it exercises, kept here so that the difference cannot come back.

* an unset prompt is ``undefined``: no ``positivePrompt`` key at all (``""`` when given);
* strings are JavaScript's UTF-16: a lone surrogate is sent escaped (``"\\ud800"``) and a pair
  given as two code points is the astral character it encodes;
* numbers are written as ``JSON.stringify`` writes them: ``1e-7``, ``0.00001``, not ``1e-07``;
* ``trim`` is JavaScript's: U+FEFF is whitespace, U+001C-U+001F and U+0085 are not.

The image rows run with ``test_image_parity.py``, the others with ``test_media_parity.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sogni.testing import FakeSupernet

from .case import MediaFile, ParityCase, media
from .media_cases import row

__all__ = ["EXTRA_MODELS", "JS_IMAGE_CASES", "JS_MEDIA_CASES", "add_extra_models"]

FLUX = "flux1-schnell-fp8"
SAM3 = "sam3_image_segment_bf16"
SOURCE = MediaFile("png", 40, 24, "teal")
MOTION = MediaFile("mp4")


def _utility_tier() -> dict[str, Any]:
    path = Path(__file__).parents[2] / "unit" / "data" / "image_catalog.json"
    tier: dict[str, Any] = json.loads(path.read_text("utf-8"))["tiers"]["utility"]
    return tier


# Models the fake's catalog lacks, served for these rows with FakeSupernet.add_model().
EXTRA_MODELS: dict[str, dict[str, Any]] = {SAM3: _utility_tier()}


def add_extra_models(fake: FakeSupernet) -> None:
    for model_id, tier in EXTRA_MODELS.items():
        fake.add_model(model_id, tier=tier, name="SAM 3")


def _image(name: str, files: dict[str, MediaFile] | None = None, **py: object) -> ParityCase:
    """An image row (no prompt unless given), the TypeScript side derived like a media row."""
    return row(name, "image", files, **{"positive_prompt": None, **py})


JS_IMAGE_CASES: tuple[ParityCase, ...] = (
    # Shrunk: the TypeScript SDK leaves the key out, ours sent "".
    _image("prompt_left_out", model_id=FLUX),
    _image("empty_prompt_is_sent", model_id=FLUX, positive_prompt=""),
    # Shrunk: ours failed with UnicodeEncodeError; the TypeScript SDK sends "\ud800".
    _image("lone_surrogate_app_source", model_id=FLUX, app_source="\ud800"),
    _image(
        "surrogate_pair_as_two_code_points",
        model_id=FLUX,
        positive_prompt="\ud83e\udd8a fox \udfff",
        style_prompt="\ud83d\ude00",
    ),
    # Shrunk: the TypeScript SDK sent 1e-7, ours 1e-07.
    _image("tiny_guidance", model_id=FLUX, guidance=1e-07),
    _image(
        "tiny_controlnet_strength",
        model_id=FLUX,
        control_net={
            "name": "canny",
            "strength": 1e-07,
            "mode": "balanced",
            "guidance_start": 0.0,
            "guidance_end": 1.0,
        },
    ),
    _image(
        "tiny_controlnet_guidance_start",
        model_id=FLUX,
        control_net={
            "name": "canny",
            "strength": 0.0,
            "mode": "balanced",
            "guidance_start": 1e-07,
            "guidance_end": 1.0,
        },
    ),
    # Shrunk with the LoRA "lora-a"; the table takes one the fake serves for this model.
    _image("tiny_lora_strength", model_id=FLUX, loras=["multiple_angles"], lora_strengths=[1e-07]),
    _image("small_numbers_plain_and_exponent", model_id=FLUX, guidance=0.00001234),
    # JavaScript's trim keeps the trailing U+001C and removes the leading U+FEFF.
    _image(
        "sam3_text_trimmed_as_javascript_trims",
        {"start": SOURCE},
        model_id=SAM3,
        starting_image=media("start"),
        sam3_prompt={"text": "\ufeff dog\x1c"},
    ),
)

JS_MEDIA_CASES: tuple[ParityCase, ...] = (
    # Shrunk: the prompt key (ours sent "").
    row(
        "flashvsr_prompt_left_out",
        "video",
        {"source": MOTION},
        positive_prompt=None,
        model_id="flashvsr_v1.1_tiny_long_bf16",
        reference_video=media("source"),
        fps=25,
        frames=1,
        width=1920,
        height=1080,
        seed=0,
    ),
    row(
        "tts_prompt_left_out",
        "audio",
        positive_prompt=None,
        model_id="qwen3_tts_1.7b_custom_voice_bf16",
    ),
    # Shrunk: ours failed with UnicodeEncodeError.
    row(
        "happyhorse_lone_surrogate_app_source",
        "video",
        positive_prompt=None,
        model_id="happyhorse-1.1-t2v",
        app_source="\ud800",
        duration=3.0,
    ),
    row(
        "tts_lone_surrogate_style_prompt",
        "audio",
        positive_prompt=None,
        model_id="qwen3_tts_1.7b_custom_voice_bf16",
        style_prompt="\ud800",
    ),
    # Shrunk: the TypeScript SDK sent 1e-7, ours 1e-07.
    row(
        "ace_tiny_creativity",
        "audio",
        positive_prompt=None,
        model_id="ace_step_1.5_turbo",
        creativity=1e-07,
    ),
    row(
        "music3_tiny_prompt_strength",
        "audio",
        positive_prompt=None,
        model_id="minimax_music3",
        prompt_strength=1e-07,
    ),
    # Found by the property test: a JSON text whose numbers JSON.stringify writes.
    row(
        "animate_sam2_tiny_coordinate",
        "video",
        {"face": SOURCE, "motion": MOTION},
        model_id="wan_v2.2-14b-fp8_animate-replace_lightx2v",
        duration=1,
        reference_image=media("face"),
        reference_video=media("motion"),
        sam2_coordinates=[{"x": 2000, "y": 1.5e-07}, {"x": 206.5, "y": 0.00001}],
    ),
    # Shrunk: ours refused "\x1c" as blank (str.strip); it is not whitespace to JavaScript.
    row(
        "tts_design_instruct_not_blank_to_javascript",
        "audio",
        positive_prompt=None,
        model_id="qwen3_tts_1.7b_voice_design_bf16",
        instruct="\x1c",
    ),
    row(
        "wan3_prompt_not_blank_to_javascript",
        "video",
        model_id="wan3.0-spicy-video",
        positive_prompt="\x1c",
        duration=2.0,
    ),
    # Shrunk: ours refused "sdk\ufeff" (str.strip keeps U+FEFF; trim removes it).
    row(
        "attribution_padded_with_feff",
        "video",
        positive_prompt=None,
        model_id="wan_v2.2-14b-fp8_t2v_lightx2v",
        attribution={"agent_surface": "sdk\ufeff"},
        duration=1.0,
        width=480,
        height=480,
    ),
    # Found by the property test: ours sent the trailing U+FEFF of agentFramework.
    row(
        "attribution_framework_trimmed_as_javascript_trims",
        "video",
        model_id="ltx23-22b-fp8_t2v_distilled",
        duration=2,
        attribution={"workload_kind": "agent_mediated", "agent_framework": "langgraph\ufeff "},
    ),
)
