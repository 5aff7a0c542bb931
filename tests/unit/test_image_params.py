"""Image project parameters: construction, typos, nested values, the TypeScript name table."""

from __future__ import annotations

import attrs
import pytest

from sogni.errors import ValidationError
from sogni.projects.params import (
    PARAM_NAMES_TS,
    ControlNetParams,
    ImageProjectParams,
    Sam3Box,
    Sam3Point,
    Sam3Prompt,
    WorkloadAttribution,
    make_params,
)


def test_make_params_builds_image_params() -> None:
    assert make_params("image", model_id="m") == make_params(type="image", model_id="m")
    with pytest.raises(TypeError, match="two project types"):
        make_params("image", type="video", model_id="m")
    params = make_params(type="image", model_id="flux1-schnell-fp8", steps=4, seed=0)
    assert isinstance(params, ImageProjectParams)
    assert params.type == "image"
    assert params.steps == 4
    assert params.seed == 0
    assert params.number_of_media == 1
    assert params.positive_prompt is None  # unset: no positivePrompt key at all


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("stpes", "steps"),
        ("guidence", "guidance"),
        ("number_of_image", "number_of_media"),
        ("modelId", "model_id"),
        ("numberOfMedia", "number_of_media"),
        ("disableNSFWFilter", "disable_nsfw_filter"),
        ("startingImageStrength", "starting_image_strength"),
        ("context_image", "context_images"),
    ],
)
def test_misspelled_keyword_names_the_closest_one(name: str, suggestion: str) -> None:
    with pytest.raises(TypeError) as info:
        make_params(type="image", model_id="flux1-schnell-fp8", **{name: 1})
    assert f"unknown parameter {name!r}; did you mean {suggestion!r}?" in str(info.value)


def test_hopeless_keyword_has_no_suggestion() -> None:
    with pytest.raises(TypeError, match=r"unknown parameter 'zzzzqqq'$"):
        make_params(type="image", model_id="m", zzzzqqq=1)


def test_nested_mapping_becomes_its_class_and_typos_are_caught() -> None:
    params = make_params(
        type="image",
        model_id="m",
        control_net={"name": "canny", "guidance_start": 0.1},
        sam3_prompt={"points": [{"x": 0.1, "y": 0.2, "label": "positive"}], "boxes": []},
        attribution={"workload_kind": "direct"},
    )
    assert params.control_net == ControlNetParams(name="canny", guidance_start=0.1)
    assert params.sam3_prompt == Sam3Prompt(points=(Sam3Point(x=0.1, y=0.2, label="positive"),))
    assert params.attribution == WorkloadAttribution(workload_kind="direct")
    with pytest.raises(TypeError, match="'strenght'; did you mean 'strength'"):
        make_params(type="image", model_id="m", control_net={"name": "canny", "strenght": 1})
    with pytest.raises(TypeError, match="'guidanceStart'; did you mean 'guidance_start'"):
        make_params(type="image", model_id="m", control_net={"name": "canny", "guidanceStart": 0})
    with pytest.raises(TypeError, match=r"sam3_prompt.boxes\[\] .*'lable'; did you mean 'label'"):
        Sam3Prompt(boxes=[{"x0": 0, "y0": 0, "x1": 1, "y1": 1, "lable": "negative"}])
    assert Sam3Prompt(boxes=[Sam3Box(x0=0, y0=0, x1=1, y1=1)]).boxes[0].label is None


def test_lists_become_tuples_and_params_are_frozen() -> None:
    params = make_params(type="image", model_id="m", loras=["a"], lora_strengths=[0.5])
    assert params.loras == ("a",)
    assert params.lora_strengths == (0.5,)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        params.steps = 3  # type: ignore[misc]


def test_params_object_passes_through_or_is_copied() -> None:
    params = ImageProjectParams(model_id="m", steps=4)
    assert make_params(params) is params
    assert make_params(params, type="image") is params
    copy = make_params(params, seed=7)
    assert copy.seed == 7
    assert copy.steps == 4
    assert params.seed is None
    with pytest.raises(TypeError, match="did you mean 'seed'"):
        make_params(params, sead=7)
    with pytest.raises(ValidationError) as info:
        make_params(params, type="video")
    assert info.value.params == ["type"]
    with pytest.raises(TypeError, match="expected project parameters"):
        make_params({"model_id": "m"})  # type: ignore[arg-type]


def test_type_is_required_and_must_be_known() -> None:
    with pytest.raises(TypeError, match="type='image'"):
        make_params(model_id="m")
    with pytest.raises(ValidationError) as info:
        make_params(type="hologram", model_id="m")
    assert info.value.params == ["type"]


def test_model_id_is_required() -> None:
    with pytest.raises(TypeError, match="model_id"):
        make_params(type="image")


def test_typescript_name_table_covers_every_parameter() -> None:
    for field in attrs.fields(ImageProjectParams):
        assert field.name in PARAM_NAMES_TS
    for field in attrs.fields(ControlNetParams):
        assert f"control_net.{field.name}" in PARAM_NAMES_TS
    assert PARAM_NAMES_TS["type"] == "type"
    assert PARAM_NAMES_TS["model_id"] == "modelId"
    assert PARAM_NAMES_TS["number_of_media"] == "numberOfMedia"
    assert PARAM_NAMES_TS["disable_nsfw_filter"] == "disableNSFWFilter"
    assert PARAM_NAMES_TS["gpt_image_mask_url"] == "gptImageMaskUrl"
    assert PARAM_NAMES_TS["control_net"] == "controlNet"
    assert PARAM_NAMES_TS["control_net.guidance_start"] == "controlNet.guidanceStart"
    assert PARAM_NAMES_TS["sam3_prompt.apply_mask"] == "sam3Prompt.applyMask"
    assert PARAM_NAMES_TS["sam3_prompt.points[].label"] == "sam3Prompt.points[].label"
    assert PARAM_NAMES_TS["attribution.operation_id"] == "attribution.operationId"
    assert (
        PARAM_NAMES_TS["world_generation_receipt.source_image_sha256"]
        == "worldGenerationReceipt.sourceImageSha256"
    )
    # Names are unique on both sides.
    assert len(set(PARAM_NAMES_TS.values())) == len(PARAM_NAMES_TS)


def test_repr_never_shows_media_bytes() -> None:
    big = b"\x89PNG" + b"secret-pixels" * 1000
    params = ImageProjectParams(
        model_id="m",
        starting_image=big,
        context_images=[bytearray(b"abc"), None, "ref.png"],
        control_net={"name": "canny", "image": memoryview(b"xy")},
    )
    text = repr(params)
    assert "secret-pixels" not in text
    assert f"starting_image=<bytes of {len(big)} bytes>" in text
    assert "context_images=(<bytearray of 3 bytes>, None, 'ref.png')" in text
    assert "image=<memoryview of 2 bytes>" in text
