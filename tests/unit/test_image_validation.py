"""Image validation: every rule of protocol/02 §7.1-§7.3 and §8, plus the documented superset."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from sogni.errors import ValidationError
from sogni.projects._validation import (
    CONTROLNET_NAMES,
    MediaSlot,
    custom_image_size_bounds,
    validate,
)
from sogni.projects.catalog import Catalog
from sogni.projects.params import make_params

from ._support import load_catalog, only_problem, problems_of

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
MP3 = b"ID3\x04" + bytes(40)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("image_catalog")


def check(catalog: Catalog, **kwargs: Any) -> list[MediaSlot]:
    kwargs.setdefault("model_id", "flux1-schnell-fp8")
    return validate(make_params(type="image", **kwargs), catalog)


def problems(catalog: Catalog, **kwargs: Any) -> dict[str, list[str]]:
    return problems_of(lambda: check(catalog, **kwargs))


def only(catalog: Catalog, param: str, **kwargs: Any) -> str:
    return only_problem(problems(catalog, **kwargs), param)


def test_valid_request_returns_no_slots(catalog: Catalog) -> None:
    assert check(catalog, positive_prompt="a cat", steps=4, guidance=1.5, seed=0) == []


def test_several_problems_are_reported_together(catalog: Catalog, tmp_path: Path) -> None:
    found = problems(
        catalog,
        steps="20",
        guidance=-1,
        seed=-5,
        number_of_media=0,
        output_format="gif",
        network="slow",
        token_type="eth",
        disable_nsfw_filter="yes",
        starting_image=tmp_path / "missing.png",
        context_images=[PNG, b"", b"plain text here!"],
        control_net={"name": "canny", "strength": 2},
    )
    assert set(found) == {
        "steps",
        "guidance",
        "seed",
        "number_of_media",
        "output_format",
        "network",
        "token_type",
        "disable_nsfw_filter",
        "starting_image",
        "context_images[1]",
        "context_images[2]",
        "control_net.strength",
    }
    assert found["steps"] == ["must be an integer, not str"]
    assert "file not found" in found["starting_image"][0]
    assert found["context_images[1]"] == ["is empty"]


def test_error_message_lists_every_problem(catalog: Catalog) -> None:
    with pytest.raises(ValidationError) as info:
        check(catalog, steps=100, seed=2**32)
    assert str(info.value).startswith("2 invalid parameters:")
    assert "steps: must be less than or equal to 8, got 100" in str(info.value)
    assert "seed: must be less than or equal to 4294967295" in str(info.value)
    assert info.value.retryable is False


# ---------------------------------------------------------------------------- §7.1 model


def test_unknown_model(catalog: Catalog) -> None:
    assert (
        only(catalog, "model_id", model_id="no-such-model") == "Model no-such-model not supported"
    )


def test_model_with_missing_tier(catalog: Catalog) -> None:
    message = only(catalog, "model_id", model_id="orphan-model")
    assert message == 'Unable to find model tier "no_such_tier" please contact support'


def test_model_with_unknown_tier_kind(catalog: Catalog) -> None:
    assert only(catalog, "model_id", model_id="strange-model") == 'Unsupported model tier "strange"'


def test_empty_model_id(catalog: Catalog) -> None:
    assert only(catalog, "model_id", model_id=" ") == "must not be empty"


def test_model_problems_do_not_hide_others(catalog: Catalog) -> None:
    found = problems(catalog, model_id="no-such-model", seed="x", number_of_previews=-1)
    assert set(found) == {"model_id", "seed", "number_of_previews"}


# ---------------------------------------------------------------------------- §7.2 common


def test_steps_and_guidance_follow_the_tier(catalog: Catalog) -> None:
    check(catalog, steps=8, guidance=2)
    assert only(catalog, "steps", steps=9) == "must be less than or equal to 8, got 9"
    assert only(catalog, "steps", steps=0) == "must be greater than or equal to 1, got 0"
    assert only(catalog, "steps", steps=4.0) == "must be an integer, not float"
    assert only(catalog, "guidance", guidance=2.5) == "must be less than or equal to 2, got 2.5"
    assert only(catalog, "guidance", guidance=float("nan")).startswith("must be a finite number")
    # A tier without a guidance range accepts any non-negative guidance.
    check(catalog, model_id="gpt-image-2", guidance=30)


def test_booleans_are_not_numbers(catalog: Catalog) -> None:
    assert only(catalog, "steps", steps=True) == "must be an integer, not bool"


@pytest.mark.parametrize(
    ("param", "value"),
    [("token_type", "sogni"), ("token_type", "spark"), ("network", "fast"), ("network", "relaxed")]
    + [("billing_mode", v) for v in ("auto", "subscription", "tokens")]
    + [("output_format", v) for v in ("png", "jpg", "webp")],
)
def test_enumerations_accept_their_values(catalog: Catalog, param: str, value: str) -> None:
    check(catalog, **{param: value})


def test_enumerations_refuse_others(catalog: Catalog) -> None:
    found = problems(
        catalog, token_type="SOGNI", network="slow", billing_mode="free", output_format="jpeg"
    )
    assert found["output_format"] == ["must be one of 'png', 'jpg', 'webp', got 'jpeg'"]
    assert set(found) == {"token_type", "network", "billing_mode", "output_format"}


def test_sampler_must_be_in_the_mapped_list(catalog: Catalog) -> None:
    message = only(
        catalog, "sampler", model_id="coreml-cyberrealistic_v70_768", sampler="dpm_pp_2m"
    )
    assert message == (
        'Invalid sampler dpm_pp_2m. Must be one of "dpm_pp", "euler", "euler_a", "dpmpp_2m", '
        '"lcm", "my_custom".'
    )
    message = only(catalog, "scheduler", model_id="coreml-cyberrealistic_v70_768", scheduler="beta")
    assert message.startswith('Invalid scheduler beta. Must be one of "karras", "normal"')
    # Case matters, and display names map to their alias.
    only(catalog, "sampler", model_id="coreml-cyberrealistic_v70_768", sampler="Dpm_pp")
    check(
        catalog, model_id="coreml-cyberrealistic_v70_768", sampler="LCM (Latent Consistency Model)"
    )


def test_sampler_is_free_when_the_tier_lists_none(catalog: Catalog) -> None:
    check(catalog, model_id="gpt-image-2", sampler="anything", scheduler="whatever")
    assert (
        only(catalog, "sampler", model_id="gpt-image-2", sampler=3) == "must be a string, not int"
    )


def test_vae_against_the_comfy_tier(catalog: Catalog) -> None:
    check(catalog, model_id="z_image_turbo_bf16", vae="ae.safetensors")
    message = only(catalog, "vae", model_id="z_image_turbo_bf16", vae="other.safetensors")
    assert (
        message
        == 'Invalid VAE other.safetensors. Must be one of "ae.safetensors", "ae_alt.safetensors".'
    )


def test_loras(catalog: Catalog) -> None:
    check(catalog, loras=[f"l{i}" for i in range(8)], lora_strengths=[-100, 0, 100])
    found = problems(
        catalog,
        loras=[f"l{i}" for i in range(9)] + [""],
        lora_strengths=[1] * 11,
    )
    assert found["loras"] == ["at most 8 LoRAs per request, got 10"]
    assert found["loras[9]"] == ["must not be empty"]
    assert found["lora_strengths"] == ["has 11 values for 10 LoRAs"]
    assert only(catalog, "lora_strengths[0]", loras=["a"], lora_strengths=[100.5]).startswith(
        "must be less than or equal to 100"
    )
    assert only(catalog, "loras", loras="abc") == "must be a list, not str"


def test_attribution_values(catalog: Catalog) -> None:
    check(
        catalog,
        attribution={
            "workload_kind": "agent_mediated",
            "agent_framework": "codex",
            "agent_framework_version": "1.2.3",
            "agent_surface": "mcp",
            "execution_mode": "server",
            "operation_id": "op:1",
        },
    )
    found = problems(
        catalog,
        attribution={
            "workload_kind": "robot",
            "agent_framework_version": "v1",
            "operation_id": "-bad",
            "root_operation_id": "root\n",
            "agent_framework": "x" * 129,
        },
    )
    assert set(found) == {
        "attribution.workload_kind",
        "attribution.agent_framework_version",
        "attribution.operation_id",
        "attribution.root_operation_id",
        "attribution.agent_framework",
    }


def test_world_generation_receipt(catalog: Catalog) -> None:
    check(
        catalog,
        world_generation_receipt={
            "stage": "target_still",
            "source_image_sha256": "A" * 64,
            "selection_hash": "0" * 64,
        },
    )
    found = problems(
        catalog,
        world_generation_receipt={
            "stage": "target_still",
            "source_image_sha256": "a" * 64 + "\n",
            "first_frame_sha256": "0" * 64,
        },
    )
    assert found == {
        "world_generation_receipt.source_image_sha256": ["must be a SHA-256 hex digest"],
        "world_generation_receipt.selection_hash": ["must be a SHA-256 hex digest"],
        "world_generation_receipt.first_frame_sha256": ["is not part of a target_still receipt"],
    }
    assert only(
        catalog, "world_generation_receipt.stage", world_generation_receipt={"stage": "x"}
    ) == ("must be target_still or transition")


# ---------------------------------------------------------------------------- §7.3 sizes


@pytest.mark.parametrize(
    ("model", "low", "high"),
    [
        ("flux1-schnell-fp8", 256, 2048),
        ("coreml-cyberrealistic_v70_768", 256, 2048),
        ("z_image_turbo_bf16", 256, 2560),
        ("qwen_image_edit_2511_fp8_lightning", 256, 2560),
        ("gpt-image-2", 256, 3840),
        ("gpt-image-2.5-flare", 256, 3840),
        ("krea2_identity_edit_v1_2", 512, 2048),
    ],
)
def test_custom_size_bounds_per_model(catalog: Catalog, model: str, low: int, high: int) -> None:
    check(catalog, model_id=model, width=low, height=high)
    check(catalog, model_id=model, size_preset="custom", width=high, height=low)
    found = problems(catalog, model_id=model, width=low - 1, height=high + 1)
    assert found == {
        "width": [f"must be greater than or equal to {low}, got {low - 1}"],
        "height": [f"must be less than or equal to {high}, got {high + 1}"],
    }


def test_size_bound_table() -> None:
    assert custom_image_size_bounds("rtx_vsr_pro") == (512, 15360)
    assert custom_image_size_bounds("dark_beast_krea2_identity_edit_v1_2") == (512, 2048)
    assert custom_image_size_bounds("z_image_bf16") == (256, 2560)
    assert custom_image_size_bounds("qwen_image_2512_fp8") == (256, 2560)
    assert custom_image_size_bounds("anything-else") == (256, 2048)


def test_custom_size_needs_both_sides(catalog: Catalog) -> None:
    assert only(catalog, "height", width=1024) == "width and height must be given together"
    assert only(catalog, "size_preset", size_preset="custom") == "'custom' needs width and height"
    assert only(catalog, "width", width=1024.5, height=1024) == "must be an integer, not float"
    message = only(catalog, "width", size_preset="square_hd", width=1024, height=1024)
    assert message == "width and height are only used with size_preset='custom', not 'square_hd'"


# ---------------------------------------------------------------------------- ControlNet


@pytest.mark.parametrize("name", CONTROLNET_NAMES)
def test_every_controlnet_name(catalog: Catalog, name: str) -> None:
    check(catalog, control_net={"name": name, "image": PNG})


def test_fifteen_controlnets() -> None:
    assert len(CONTROLNET_NAMES) == 15


@pytest.mark.parametrize("mode", ["balanced", "prompt_priority", "cn_priority"])
def test_every_controlnet_mode(catalog: Catalog, mode: str) -> None:
    check(catalog, control_net={"name": "canny", "mode": mode})


def test_controlnet_problems(catalog: Catalog) -> None:
    found = problems(
        catalog,
        control_net={
            "name": "sketch",
            "mode": "strict",
            "strength": 1.5,
            "guidance_start": -0.1,
            "guidance_end": 2,
        },
    )
    assert found["control_net.name"][0].startswith("must be one of 'canny', 'depth'")
    assert found["control_net.mode"] == [
        "Invalid control mode strict: must be one of 'balanced', 'prompt_priority', 'cn_priority'"
    ]
    assert set(found) == {
        "control_net.name",
        "control_net.mode",
        "control_net.strength",
        "control_net.guidance_start",
        "control_net.guidance_end",
    }


def test_controlnet_guidance_window(catalog: Catalog) -> None:
    check(catalog, control_net={"name": "canny", "guidance_start": 0, "guidance_end": 1})
    check(catalog, control_net={"name": "canny", "guidance_start": 0.3})
    message = only(
        catalog,
        "control_net.guidance_start",
        control_net={"name": "canny", "guidance_start": 0.5, "guidance_end": 0.5},
    )
    assert message == "must be less than control_net.guidance_end"


def test_controlnet_must_be_params_or_dict(catalog: Catalog) -> None:
    assert only(catalog, "control_net", control_net="canny").startswith(
        "must be a ControlNetParams"
    )


def test_controlnet_image_slot(catalog: Catalog) -> None:
    slots = check(catalog, control_net={"name": "tile", "image": PNG})
    assert [(s.slot, s.source.param) for s in slots] == [("cnImage", "control_net.image")]


# ---------------------------------------------------------------------------- starting image


def test_starting_image_strength(catalog: Catalog) -> None:
    check(catalog, starting_image=PNG, starting_image_strength=1)
    check(catalog, starting_image=PNG, starting_image_strength=0.01)
    assert only(
        catalog, "starting_image_strength", starting_image=PNG, starting_image_strength=0
    ).startswith("must be greater than 0")
    assert (
        only(catalog, "starting_image_strength", starting_image=PNG, starting_image_strength=1.5)
        == "must be less than or equal to 1, got 1.5"
    )
    assert only(catalog, "starting_image_strength", starting_image_strength=0.5) == (
        "is only used with a starting_image"
    )


# ---------------------------------------------------------------------------- context images


@pytest.mark.parametrize(
    ("model", "limit"),
    [
        ("qwen_image_edit_2511_fp8_lightning", 3),
        ("krea2_identity_edit_v1_2", 2),
        ("flux1-kontext-dev", 2),
        ("flux1-schnell-fp8", 3),
    ],
)
def test_context_image_limits(catalog: Catalog, model: str, limit: int) -> None:
    slots = check(catalog, model_id=model, context_images=[PNG] * limit)
    assert [s.slot for s in slots] == [f"contextImage{i}" for i in range(1, limit + 1)]
    message = only(catalog, "context_images", model_id=model, context_images=[PNG] * (limit + 1))
    assert message == f"Up to {limit} context images are supported for this model"


def test_gpt_image_takes_sixteen_references_without_holes(catalog: Catalog) -> None:
    slots = check(catalog, model_id="gpt-image-2", context_images=[PNG] * 16)
    assert slots[-1].slot == "contextImage16"
    wanted = "GPT Image accepts up to 16 non-empty references in source order"
    assert (
        only(catalog, "context_images", model_id="gpt-image-2", context_images=[PNG] * 17) == wanted
    )
    assert (
        only(catalog, "context_images", model_id="gpt-image-2", context_images=[PNG, None])
        == wanted
    )


def test_context_images_must_be_a_list(catalog: Catalog) -> None:
    assert only(catalog, "context_images", context_images=PNG) == "must be a list, not bytes"


# ---------------------------------------------------------------------------- GPT Image


@pytest.mark.parametrize("quality", ["low", "medium", "high", "standard", "hd"])
def test_gpt_image_2_qualities(catalog: Catalog, quality: str) -> None:
    check(catalog, model_id="gpt-image-2", gpt_image_quality=quality)


def test_gpt_image_quality_rules(catalog: Catalog) -> None:
    for quality in ("xhigh", "max"):
        check(catalog, model_id="gpt-image-2.5-flare", gpt_image_quality=quality)
        assert only(
            catalog, "gpt_image_quality", model_id="gpt-image-2", gpt_image_quality=quality
        ) == (f"Unsupported quality for gpt-image-2: {quality}")
    assert only(catalog, "gpt_image_quality", model_id="gpt-image-2", gpt_image_quality="auto") == (
        "Unsupported quality for gpt-image-2: auto. Choose low, medium or high."
    )
    assert (
        only(catalog, "gpt_image_quality", model_id="gpt-image-2.5-flare", gpt_image_quality="auto")
        == "Unsupported quality for gpt-image-2.5-flare: auto. "
        "Choose low, medium or high, xhigh or max."
    )


def test_gpt_image_background_rules(catalog: Catalog) -> None:
    check(catalog, model_id="gpt-image-2", gpt_image_background="opaque")
    check(catalog, model_id="gpt-image-2", gpt_image_background="auto")
    check(
        catalog,
        model_id="gpt-image-2.5-flare",
        gpt_image_background="transparent",
        output_format="webp",
    )
    assert (
        only(
            catalog,
            "gpt_image_background",
            model_id="gpt-image-2",
            gpt_image_background="transparent",
        )
        == "Unsupported background for gpt-image-2: transparent"
    )
    assert (
        only(
            catalog,
            "gpt_image_background",
            model_id="gpt-image-2.5-flare",
            gpt_image_background="transparent",
            output_format="jpg",
        )
        == "Transparent GPT Image output requires PNG or WebP"
    )


def test_gpt_image_compression_rules(catalog: Catalog) -> None:
    check(catalog, model_id="gpt-image-2", gpt_image_output_compression=0, output_format="jpg")
    check(catalog, model_id="gpt-image-2", gpt_image_output_compression=100, output_format="webp")
    wanted = "GPT Image output compression must be an integer from 0 to 100"
    for bad in (101, -1, 50.5, True):
        assert (
            only(
                catalog,
                "gpt_image_output_compression",
                model_id="gpt-image-2",
                gpt_image_output_compression=bad,
                output_format="jpg",
            )
            == wanted
        )
    for fmt in (None, "png"):
        assert (
            only(
                catalog,
                "gpt_image_output_compression",
                model_id="gpt-image-2",
                gpt_image_output_compression=50,
                output_format=fmt,
            )
            == "GPT Image output compression requires JPEG or WebP"
        )


def test_gpt_image_options_need_a_gpt_model(catalog: Catalog) -> None:
    found = problems(
        catalog,
        gpt_image_mask=PNG,
        gpt_image_quality="high",
        gpt_image_background="auto",
        gpt_image_output_compression=5,
    )
    assert set(found) == {
        "gpt_image_mask",
        "gpt_image_quality",
        "gpt_image_background",
        "gpt_image_output_compression",
    }
    assert found["gpt_image_mask"][0].startswith("is only supported by GPT Image models")


def test_gpt_image_mask_rules(catalog: Catalog) -> None:
    slots = check(catalog, model_id="gpt-image-2", context_images=[PNG], gpt_image_mask=PNG)
    assert [s.slot for s in slots] == ["referenceMask", "contextImage1"]
    check(
        catalog,
        model_id="gpt-image-2",
        context_images=[PNG],
        gpt_image_mask_url="https://cdn.example.com/m.png",
    )
    assert only(catalog, "gpt_image_mask", model_id="gpt-image-2", gpt_image_mask=PNG) == (
        "GPT Image mask requires a first reference image"
    )
    assert (
        only(
            catalog,
            "gpt_image_mask_url",
            model_id="gpt-image-2",
            gpt_image_mask_url="https://x/m.png",
        )
        == "GPT Image mask requires a first reference image"
    )
    assert (
        only(
            catalog,
            "gpt_image_mask",
            model_id="gpt-image-2",
            context_images=[PNG],
            gpt_image_mask=PNG,
            gpt_image_mask_url="https://x/m.png",
        )
        == "Provide one GPT Image mask, not both media and URL"
    )
    assert (
        only(
            catalog,
            "gpt_image_mask_url",
            model_id="gpt-image-2",
            context_images=[PNG],
            gpt_image_mask_url="http://x/m.png",
        )
        == "must be an https:// URL or a data:image/png;base64 URI"
    )
    assert (
        only(
            catalog,
            "gpt_image_mask_url",
            model_id="gpt-image-2",
            context_images=[PNG],
            gpt_image_mask_url="  ",
        )
        == "must not be empty"
    )


def test_gpt_image_mask_data_uri(catalog: Catalog) -> None:
    good = "data:image/png;base64," + base64.b64encode(PNG).decode()
    slots = check(catalog, model_id="gpt-image-2", context_images=[PNG], gpt_image_mask_url=good)
    assert (slots[0].slot, slots[0].source.param, slots[0].source.size) == (
        "referenceMask",
        "gpt_image_mask_url",
        len(PNG),
    )
    wanted = "GPT Image mask must be a PNG data URI smaller than 50 MB"
    for bad in (
        "data:image/jpeg;base64," + base64.b64encode(PNG).decode(),
        "data:image/png;base64,@@@",
        "data:image/png;base64,abc",  # not valid base64 padding
    ):
        assert (
            only(
                catalog,
                "gpt_image_mask_url",
                model_id="gpt-image-2",
                context_images=[PNG],
                gpt_image_mask_url=bad,
            )
            == wanted
        )


# ---------------------------------------------------------------------- SAM3, BiRefNet, Pixal3D


def test_sam3_requirements(catalog: Catalog) -> None:
    found = problems(catalog, model_id="sam3_image_segment_bf16")
    assert found == {
        "starting_image": ["SAM3 image segmentation requires starting_image"],
        "sam3_prompt": ["SAM3 image segmentation requires sam3_prompt"],
    }
    assert only(catalog, "sam3_prompt", sam3_prompt={"text": "dog"}) == (
        "is only supported by sam3_image_segment_bf16"
    )


def test_sam3_prompt_rules(catalog: Catalog) -> None:
    def sam3(**prompt: Any) -> dict[str, list[str]]:
        return problems(
            catalog, model_id="sam3_image_segment_bf16", starting_image=PNG, sam3_prompt=prompt
        )

    point = {"x": 0.5, "y": 0.5, "label": "positive"}
    check(
        catalog,
        model_id="sam3_image_segment_bf16",
        starting_image=PNG,
        sam3_prompt={"points": [point]},
    )
    assert sam3() == {"sam3_prompt": ["requires at least one point, box, or text prompt"]}
    assert sam3(text="dog", points=[point]) == {
        "sam3_prompt": ["cannot combine text and point prompts"]
    }
    assert sam3(points=[point] * 33) == {"sam3_prompt.points": ["must contain at most 32 entries"]}
    assert sam3(text="a" * 241) == {
        "sam3_prompt.text": ["must contain 1 to 240 characters (UTF-16 code units, once trimmed)"]
    }
    assert sam3(text="dog", multimask=True) == {"sam3_prompt.multimask": ["requires point prompts"]}
    assert sam3(text="dog", max_instances=17)["sam3_prompt.max_instances"]
    assert sam3(text="dog", threshold=1.5)["sam3_prompt.threshold"]
    assert sam3(points=[{"x": 1.2, "y": 0, "label": "maybe"}]) == {
        "sam3_prompt.points[0].x": ["must be less than or equal to 1, got 1.2"],
        "sam3_prompt.points[0].label": ["must be one of 'positive', 'negative', got 'maybe'"],
    }
    box = {"x0": 0.5, "y0": 0.1, "x1": 0.4, "y1": 0.9}
    assert sam3(boxes=[box]) == {"sam3_prompt.boxes[0]": ["must have x0 < x1 and y0 < y1"]}
    fine = {"x0": 0.1, "y0": 0.1, "x1": 0.4, "y1": 0.9}
    assert sam3(points=[point], boxes=[fine, fine]) == {
        "sam3_prompt.boxes": ["at most one box when point prompts are present"]
    }
    assert sam3(points=[point], boxes=[{**fine, "label": "negative"}]) == {
        "sam3_prompt.boxes": ["negative boxes require a text prompt"]
    }


def test_birefnet_rules(catalog: Catalog) -> None:
    model = "birefnet_image_background_removal_fp16"
    assert only(catalog, "starting_image", model_id=model) == (
        "BiRefNet background removal requires starting_image"
    )
    assert only(catalog, "apply_mask", model_id=model, starting_image=PNG, apply_mask="yes") == (
        "must be True or False, not str"
    )
    assert only(catalog, "apply_mask", apply_mask=True) == (
        "is only supported by birefnet_image_background_removal_fp16"
    )


def test_pixal3d_rules(catalog: Catalog) -> None:
    single, multi = "pixal3d_int8_i23d", "pixal3d_multiview_int8_i23d"
    assert (
        only(catalog, "starting_image", model_id=single)
        == "Pixal3D reconstruction requires starting_image"
    )
    assert only(catalog, "starting_image", model_id=multi).endswith("(the front view)")
    assert only(catalog, "context_images", model_id=multi, starting_image=PNG, context_images=[PNG])
    assert only(
        catalog, "back_view_image", model_id=single, starting_image=PNG, back_view_image=PNG
    ) == ("is only supported by pixal3d_multiview_int8_i23d")
    assert only(
        catalog, "template_variant", model_id=multi, starting_image=PNG, template_variant="x"
    )
    assert (
        only(catalog, "template_variant", model_id=single, starting_image=PNG, template_variant="x")
        == "must be one of 'i23d-birefnet', got 'x'"
    )
    found = problems(
        catalog,
        model_id=single,
        starting_image=PNG,
        texture_size=512,
        mesh_target_faces=800000,
        normal_map_size=4096,
        ambient_occlusion_size=128,
        shape_resolution=1024.0,
    )
    assert set(found) == {
        "texture_size",
        "mesh_target_faces",
        "normal_map_size",
        "ambient_occlusion_size",
        "shape_resolution",
    }
    assert only(catalog, "texture_size", texture_size=2048) == (
        "is only supported by pixal3d_int8_i23d and pixal3d_multiview_int8_i23d"
    )


# ---------------------------------------------------------------------------- §8 media


def test_media_problems_name_their_parameter(catalog: Catalog, tmp_path: Path) -> None:
    found = problems(
        catalog,
        model_id="qwen_image_edit_2511_fp8_lightning",
        starting_image="https://example.com/a.png",
        context_images=[tmp_path, MP3, 42],
        control_net={"name": "canny", "image": True},
    )
    assert found["starting_image"] == [
        "URLs are not accepted here; pass a file path, bytes or a file object"
    ]
    assert found["context_images[0]"][0].startswith("is a directory")
    assert found["context_images[1]"] == [
        "must be a JPEG, PNG, WebP or GIF image (found audio/mpeg)"
    ]
    assert found["context_images[2]"] == [
        "must be a file path, bytes or a binary file object, not int"
    ]
    assert found["control_net.image"] == ["must be a file path, bytes or a binary file object"]


def test_slots_come_in_upload_order(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "start.png"
    path.write_bytes(PNG)
    slots = check(
        catalog,
        model_id="gpt-image-2",
        starting_image=path,
        context_images=[PNG, PNG],
        gpt_image_mask=PNG,
        control_net={"name": "canny", "image": PNG},
    )
    assert [s.slot for s in slots] == [
        "referenceMask",
        "startingImage",
        "cnImage",
        "contextImage1",
        "contextImage2",
    ]
    assert all(s.kind == "image" and s.upload_id is None for s in slots)
    assert slots[1].source.filename == "start.png"
