"""The image ``jobRequest`` body, compared key by key with protocol/02 §10 and §2-§3."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sogni.projects._build import build_job_request, js_number, resolve_attribution
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog
from sogni.projects.params import ImageProjectParams, WorkloadAttribution, make_params

from ._support import first_difference, load_catalog

DATA = Path(__file__).parent / "data"
JOB_ID = "9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0" + bytes(40)
ABSENT = object()  # in expected(): the key is left out of the body


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("image_catalog")


def build(catalog: Catalog, app_source: str | None = None, **kwargs: Any) -> dict[str, Any]:
    params = make_params(type="image", **kwargs)
    slots = validate(params, catalog)
    body = build_job_request(
        params, job_id=JOB_ID, catalog=catalog, app_source=app_source, slots=slots
    )
    return json.loads(json.dumps(body))  # exactly what goes on the wire


def assert_same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    diff = first_difference(actual, expected)
    assert diff is None, diff


def template() -> dict[str, Any]:
    """The body of a minimal image request (protocol/02 §2.1, §2.2, §3.1)."""
    kf: dict[str, Any] = {
        "stepsIsEnabled": True,
        "siRotation": 0,
        "siDragOffsetIsEnabled": True,
        "strength": 0.5,
        "siZoomScaleIsEnabled": True,
        "isEnabled": True,
        "processing": "CPU, GPU",
        "useLastImageAsGuideImageInAnimation": True,
        "guidanceScaleIsEnabled": True,
        "siImageBackgroundColor": "black",
        "cnDragOffset": [0, 0],
        "scheduler": None,
        "timeStepSpacing": None,
        "cnRotation": 0,
        "siZoomScale": 1,
        "modelID": "",
        "cnRotationIsEnabled": True,
        "negativePrompt": "",
        "startingImageZoomPanIsOn": False,
        "siRotationIsEnabled": True,
        "cnImageBackgroundColor": "clear",
        "strengthIsEnabled": True,
        "siDragOffset": [0, 0],
        "useLastImageAsCNImageInAnimation": False,
        "positivePrompt": "",
        "controlNetZoomPanIsOn": False,
        "cnZoomScaleIsEnabled": True,
        "currentControlNets": None,
        "stylePrompt": "",
        "cnDragOffsetIsEnabled": True,
        "frameIndex": 0,
        "startingImage": None,
        "cnZoomScale": 1,
    }
    kf.update({f"hasContextImage{i}": False for i in range(1, 17)})
    return {
        "selectedUpscalingModel": "OFF",
        "cnVideoFramesSketch": [],
        "cnVideoFramesSegmentedSubject": [],
        "cnVideoFramesFace": [],
        "doCanvasBlending": False,
        "animationIsOn": False,
        "cnVideoFramesBoth": [],
        "cnVideoFramesDepth": [],
        "keyFrames": [kf],
        "previews": 0,
        "frameRate": 24,
        "generatedVideoSeconds": 10,
        "canvasIsOn": False,
        "cnVideoFrames": [],
        "disableSafety": False,
        "cnVideoFramesSegmentedBackground": [],
        "cnVideoFramesSegmented": [],
        "numberOfImages": 1,
        "cnVideoFramesPose": [],
        "jobID": JOB_ID,
        "siVideoFrames": [],
        "outputFormat": "png",
    }


def expected(kf: dict[str, Any], top: dict[str, Any] | None = None) -> dict[str, Any]:
    body = template()
    frame = body["keyFrames"][0]
    frame.update(kf)
    body.update(top or {})
    for mapping in (frame, body):
        for key in [k for k, v in mapping.items() if v is ABSENT]:
            del mapping[key]
    return body


def kf_of(body: dict[str, Any]) -> dict[str, Any]:
    frame: dict[str, Any] = body["keyFrames"][0]
    return frame


# ---------------------------------------------------------------------------- §10.1


def test_example_10_1_complete_request(catalog: Catalog) -> None:
    wanted = json.loads((DATA / "job_request_10_1.json").read_text())
    params = ImageProjectParams(
        model_id="coreml-cyberrealistic_v70_768",
        positive_prompt="Professional portrait photo, soft window light",
        negative_prompt="blurry, watermark",
        style_prompt="photorealistic",
        number_of_media=2,
        number_of_previews=2,
        steps=25,
        guidance=7,
        seed=1234567,
        sampler="dpm_pp",
        scheduler="karras",
        size_preset="portrait_7_9",
        starting_image=JPEG,
        starting_image_strength=0.6,
        control_net={
            "name": "openpose",
            "image": PNG,
            "strength": 0.8,
            "mode": "balanced",
            "guidance_start": 0,
            "guidance_end": 0.9,
        },
        network="relaxed",
        token_type="sogni",
        output_format="jpg",
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.source.content_type) for s in slots] == [
        ("startingImage", "image", "image/jpeg"),
        ("cnImage", "image", "image/png"),
    ]
    body = build_job_request(
        params, job_id=wanted["jobID"], catalog=catalog, app_source="my-python-app", slots=slots
    )
    wire = json.loads(json.dumps(body))
    assert_same(wire, wanted)
    # Same key order as the official client's text, key for key.
    assert list(wire) == list(wanted)
    assert list(kf_of(wire)) == list(kf_of(wanted))


def test_example_10_1_differs_when_one_value_differs(catalog: Catalog) -> None:
    wanted = json.loads((DATA / "job_request_10_1.json").read_text())
    changed = copy.deepcopy(wanted)
    changed["keyFrames"][0]["guidanceScale"] = 7.0
    assert (
        first_difference(changed, wanted) == "$.keyFrames[0].guidanceScale: 7.0 != 7 (float vs int)"
    )
    changed["keyFrames"][0]["guidanceScale"] = 7
    changed["disableSafety"] = 0
    assert first_difference(changed, wanted) is not None
    del changed["disableSafety"]
    changed["network"] = None
    assert first_difference(changed, wanted) is not None


# ---------------------------------------------------------------------------- §10.4 image rows


def test_sd15_minimal_sends_null_sampler_keys(catalog: Catalog) -> None:
    body = build(catalog, model_id="coreml-cyberrealistic_v70_768", positive_prompt="a fox")
    assert_same(
        body, expected({"modelID": "coreml-cyberrealistic_v70_768", "positivePrompt": "a fox"})
    )
    kf = kf_of(body)
    for absent in ("steps", "guidanceScale", "seed", "sizePreset", "comfySampler", "vae"):
        assert absent not in kf
    for absent in ("tokenType", "network", "appSource", "billingMode", "workloadKind"):
        assert absent not in body


def test_flux_custom_size_and_lora(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="flux1-schnell-fp8",
        positive_prompt="A cat wearing a hat",
        style_prompt="photorealistic",
        steps=4,
        guidance=1,
        size_preset="custom",
        width=1920,
        height=1080,
        loras=["multiple_angles"],
        lora_strengths=[0.9],
    )
    assert_same(
        body,
        expected(
            {
                "steps": 4,
                "guidanceScale": 1,
                "modelID": "flux1-schnell-fp8",
                "positivePrompt": "A cat wearing a hat",
                "stylePrompt": "photorealistic",
                "loras": ["multiple_angles"],
                "loraStrengths": [0.9],
                "sizePreset": "custom",
                "width": 1920,
                "height": 1080,
            },
            {"previews": 0, "outputFormat": "png"},
        ),
    )


def test_z_image_turbo_comfy_names_and_implicit_custom(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="z_image_turbo_bf16",
        positive_prompt="A lighthouse at dusk",
        steps=8,
        guidance=1,
        width=2560,
        height=1440,
        sampler="res_multistep",
        scheduler="simple",
        output_format="webp",
    )
    assert_same(
        body,
        expected(
            {
                "steps": 8,
                "guidanceScale": 1,
                "modelID": "z_image_turbo_bf16",
                "positivePrompt": "A lighthouse at dusk",
                "sizePreset": "custom",
                "comfySampler": "res_multistep",
                "comfyScheduler": "simple",
                "vae": None,
                "width": 2560,
                "height": 1440,
            },
            {"outputFormat": "webp"},
        ),
    )


def test_qwen_image_edit_three_context_images(catalog: Catalog) -> None:
    params = make_params(
        type="image",
        model_id="qwen_image_edit_2511_fp8_lightning",
        positive_prompt="Combine these into one scene",
        steps=4,
        guidance=1,
        context_images=[PNG, JPEG, PNG],
    )
    slots = validate(params, catalog)
    assert [s.slot for s in slots] == ["contextImage1", "contextImage2", "contextImage3"]
    body = build_job_request(params, job_id=JOB_ID, catalog=catalog, app_source=None, slots=slots)
    assert_same(
        json.loads(json.dumps(body)),
        expected(
            {
                "steps": 4,
                "guidanceScale": 1,
                "modelID": "qwen_image_edit_2511_fp8_lightning",
                "positivePrompt": "Combine these into one scene",
                "hasContextImage1": True,
                "hasContextImage2": True,
                "hasContextImage3": True,
                "comfySampler": None,
                "comfyScheduler": None,
                "vae": None,
            }
        ),
    )


def test_gpt_image_2_two_references(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="gpt-image-2",
        positive_prompt="A product poster",
        context_images=[PNG, PNG],
        gpt_image_quality="high",
        gpt_image_background="opaque",
        gpt_image_output_compression=80,
        output_format="webp",
        size_preset="custom",
        width=1536,
        height=1024,
        token_type="spark",
    )
    assert_same(
        body,
        expected(
            {
                "modelID": "gpt-image-2",
                "positivePrompt": "A product poster",
                "sizePreset": "custom",
                "hasContextImage1": True,
                "hasContextImage2": True,
                "width": 1536,
                "height": 1024,
                "gptImageQuality": "high",
                "gptImageBackground": "opaque",
                "gptImageOutputCompression": 80,
            },
            {"tokenType": "spark", "outputFormat": "webp"},
        ),
    )


def test_gpt_image_2_with_a_mask(catalog: Catalog) -> None:
    params = make_params(
        type="image",
        model_id="gpt-image-2",
        positive_prompt="Replace the sky",
        context_images=[JPEG],
        gpt_image_mask=PNG,
    )
    slots = validate(params, catalog)
    assert [s.slot for s in slots] == ["referenceMask", "contextImage1"]
    body = build_job_request(params, job_id=JOB_ID, catalog=catalog, app_source=None, slots=slots)
    assert_same(
        json.loads(json.dumps(body)),
        expected(
            {
                "modelID": "gpt-image-2",
                "positivePrompt": "Replace the sky",
                "hasContextImage1": True,
                "hasReferenceMask": True,
                "referenceMaskContentType": "image/png",
            }
        ),
    )


def test_gpt_image_mask_as_png_data_uri_is_uploaded(catalog: Catalog) -> None:
    import base64

    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    params = make_params(
        type="image",
        model_id="gpt-image-2",
        positive_prompt="x",
        context_images=[JPEG],
        gpt_image_mask_url=uri,
    )
    slots = validate(params, catalog)
    assert slots[0].slot == "referenceMask"
    assert slots[0].source.open().read() == PNG
    kf = kf_of(
        json.loads(
            json.dumps(
                build_job_request(
                    params, job_id=JOB_ID, catalog=catalog, app_source=None, slots=slots
                )
            )
        )
    )
    assert kf["hasReferenceMask"] is True
    assert kf["referenceMaskContentType"] == "image/png"
    assert "gptImageMaskUrl" not in kf


def test_gpt_image_mask_url_is_sent_as_is(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="gpt-image-2",
        context_images=[PNG],
        gpt_image_mask_url="https://cdn.example.com/mask.png",
    )
    assert kf_of(body)["gptImageMaskUrl"] == "https://cdn.example.com/mask.png"
    assert "hasReferenceMask" not in kf_of(body)


# ---------------------------------------------------------------------------- §10.5 image rows


def test_sam3_forced_values_and_normalised_prompt(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="sam3_image_segment_bf16",
        starting_image=PNG,
        sam3_prompt={"text": "dog", "max_instances": 1},
        number_of_media=3,
        number_of_previews=2,
        output_format="jpg",
    )
    assert_same(
        body,
        expected(
            {
                "positivePrompt": ABSENT,  # no prompt given: no key
                "modelID": "sam3_image_segment_bf16",
                "hasStartingImage": True,
                "sam3Prompt": {
                    "points": [],
                    "boxes": [],
                    "text": "dog",
                    "threshold": 0.5,
                    "applyMask": False,
                    "maxInstances": 1,
                },
            },
            {"numberOfImages": 1, "previews": 0, "outputFormat": "png"},
        ),
    )


def test_sam3_points_get_multimask_and_boxes_a_label(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="sam3_image_segment_bf16",
        starting_image=PNG,
        sam3_prompt={
            "points": [{"x": 0.5, "y": 0.25, "label": "positive"}],
            "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 0.9, "y1": 1.0}],
            "threshold": 0.7,
            "apply_mask": True,
        },
    )
    assert kf_of(body)["sam3Prompt"] == {
        "points": [{"x": 0.5, "y": 0.25, "label": "positive"}],
        "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 0.9, "y1": 1, "label": "positive"}],
        "threshold": 0.7,
        "multimask": True,
        "applyMask": True,
    }


def test_birefnet(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="birefnet_image_background_removal_fp16",
        starting_image=PNG,
        apply_mask=True,
        output_format="webp",
    )
    assert_same(
        body,
        expected(
            {
                "positivePrompt": ABSENT,  # no prompt given: no key
                "modelID": "birefnet_image_background_removal_fp16",
                "hasStartingImage": True,
                "applyMask": True,
            },
            {"outputFormat": "png"},
        ),
    )
    plain = build(catalog, model_id="birefnet_image_background_removal_fp16", starting_image=PNG)
    assert kf_of(plain)["applyMask"] is False


def test_pixal3d_multiview(catalog: Catalog) -> None:
    params = make_params(
        type="image",
        model_id="pixal3d_multiview_int8_i23d",
        starting_image=PNG,
        left_view_image=PNG,
        right_view_image=JPEG,
        mesh_target_faces=100000,
        number_of_previews=3,
    )
    slots = validate(params, catalog)
    assert [s.slot for s in slots] == ["startingImage", "contextImage1", "contextImage3"]
    body = build_job_request(params, job_id=JOB_ID, catalog=catalog, app_source=None, slots=slots)
    assert_same(
        json.loads(json.dumps(body)),
        expected(
            {
                "positivePrompt": ABSENT,  # no prompt given: no key
                "modelID": "pixal3d_multiview_int8_i23d",
                "hasContextImage1": True,
                "hasContextImage3": True,
                "hasStartingImage": True,
                "meshTargetFaces": 100000,
            },
            {"outputFormat": "glb", "previews": 0},
        ),
    )


def test_pixal3d_single_view_template_variant(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="pixal3d_int8_i23d",
        starting_image=PNG,
        template_variant="i23d-birefnet",
        texture_size=2048,
        shape_resolution=1536,
    )
    kf = kf_of(body)
    assert kf["templateVariant"] == "i23d-birefnet"
    assert kf["textureSize"] == 2048
    assert kf["shapeResolution"] == 1536
    assert body["outputFormat"] == "glb"


# ---------------------------------------------------------------------------- rules


def test_seed_zero_is_kept_and_unset_values_are_absent(catalog: Catalog) -> None:
    kf = kf_of(build(catalog, model_id="flux1-schnell-fp8", seed=0))
    assert kf["seed"] == 0
    assert type(kf["seed"]) is int
    kf = kf_of(build(catalog, model_id="flux1-schnell-fp8"))
    assert "seed" not in kf
    assert "steps" not in kf
    assert "guidanceScale" not in kf


@pytest.mark.parametrize(
    ("keep", "wire"),
    [(None, 0.5), (0.6, 0.4), (0.7, 0.30000000000000004), (1, 0), (0.25, 0.75)],
)
def test_starting_image_strength_is_inverted(
    catalog: Catalog, keep: float | None, wire: float
) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="flux1-schnell-fp8",
            starting_image=PNG,
            starting_image_strength=keep,
        )
    )
    assert kf["strength"] == wire
    assert type(kf["strength"]) is type(wire)
    assert kf["hasStartingImage"] is True
    assert kf["strengthIsEnabled"] is True


def test_javascript_number_rendering(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="flux1-schnell-fp8",
        guidance=1.0,
        loras=["a", "b"],
        lora_strengths=[1.0, -2.5],
        control_net={"name": "canny", "strength": 1.0, "guidance_end": 1.0},
    )
    text = json.dumps(body)
    assert '"guidanceScale": 1,' in text
    assert kf_of(body)["loraStrengths"] == [1, -2.5]
    assert type(kf_of(body)["loraStrengths"][0]) is int
    cn = kf_of(body)["currentControlNetsJob"][0]
    assert type(cn["controlStrength"]) is int
    assert js_number(2.0**53) == 2.0**53  # beyond the safe range stays a float
    assert js_number(-0.5) == -0.5


@pytest.mark.parametrize(
    ("model", "sampler", "scheduler", "keys"),
    [
        # Legacy naming: sampler -> scheduler, scheduler -> timeStepSpacing.
        (
            "coreml-cyberrealistic_v70_768",
            "dpm_pp",
            "sgm_uniform",
            {"scheduler": "dpm_pp", "timeStepSpacing": "sgm_uniform"},
        ),
        # A display name is accepted and the alias is what is sent.
        (
            "coreml-cyberrealistic_v70_768",
            "DPM++ 2M",
            "Karras",
            {"scheduler": "dpmpp_2m", "timeStepSpacing": "karras"},
        ),
        # Unknown values in the tier pass through unchanged.
        ("coreml-cyberrealistic_v70_768", "my_custom", None, {"scheduler": "my_custom"}),
        # flux1 uses legacy names even though its tier is a Comfy tier: the id decides.
        (
            "flux1-schnell-fp8",
            "euler_a",
            "normal",
            {"scheduler": "euler_a", "timeStepSpacing": "normal"},
        ),
        (
            "z_image_turbo_bf16",
            "euler",
            "beta",
            {
                "comfySampler": "euler",
                "comfyScheduler": "beta",
                "scheduler": None,
                "timeStepSpacing": None,
            },
        ),
        # No sampler list: a value is dropped and null is sent.
        ("qwen_image_edit_2511_fp8_lightning", None, None, {"comfySampler": None}),
        ("gpt-image-2", "euler", None, {"scheduler": None, "timeStepSpacing": None}),
    ],
)
def test_sampler_and_scheduler_field_names(
    catalog: Catalog, model: str, sampler: str | None, scheduler: str | None, keys: dict[str, Any]
) -> None:
    kf = kf_of(build(catalog, model_id=model, sampler=sampler, scheduler=scheduler))
    for key, value in keys.items():
        assert kf[key] == value, key
    if model.startswith(("z_image", "qwen_image")):
        assert "vae" in kf
    else:
        assert "comfySampler" not in kf
        assert "vae" not in kf


def test_vae_is_sent_for_comfy_models(catalog: Catalog) -> None:
    kf = kf_of(build(catalog, model_id="z_image_turbo_bf16", vae="ae_alt.safetensors"))
    assert kf["vae"] == "ae_alt.safetensors"


def test_controlnet_modes_map_to_numbers(catalog: Catalog) -> None:
    for mode, number in (("balanced", 0), ("prompt_priority", 1), ("cn_priority", 2)):
        kf = kf_of(
            build(
                catalog, model_id="flux1-schnell-fp8", control_net={"name": "depth", "mode": mode}
            )
        )
        assert kf["currentControlNetsJob"] == [
            {"name": "depth", "cnImageState": "original", "hasImage": False, "controlMode": number}
        ]


def test_context_image_holes_keep_positions(catalog: Catalog) -> None:
    params = make_params(
        type="image",
        model_id="qwen_image_edit_2511_fp8_lightning",
        context_images=[PNG, None, JPEG],
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.source.param) for s in slots] == [
        ("contextImage1", "context_images[0]"),
        ("contextImage3", "context_images[2]"),
    ]
    kf = kf_of(
        build_job_request(params, job_id=JOB_ID, catalog=catalog, app_source=None, slots=slots)
    )
    assert [kf[f"hasContextImage{i}"] for i in (1, 2, 3, 4)] == [True, False, True, False]


def test_named_preset_sends_only_its_id(catalog: Catalog) -> None:
    kf = kf_of(build(catalog, model_id="flux1-schnell-fp8", size_preset="square_hd"))
    assert kf["sizePreset"] == "square_hd"
    assert "width" not in kf
    assert "height" not in kf


def test_top_level_options(catalog: Catalog) -> None:
    body = build(
        catalog,
        app_source="client-default",
        model_id="flux1-schnell-fp8",
        negative_prompt="",
        number_of_media=3,
        number_of_previews=1,
        disable_nsfw_filter=True,
        billing_mode="subscription",
        network="fast",
        token_type="spark",
    )
    assert body["numberOfImages"] == 3
    assert body["previews"] == 1
    assert body["disableSafety"] is True
    assert body["billingMode"] == "subscription"
    assert body["network"] == "fast"
    assert body["tokenType"] == "spark"
    assert body["appSource"] == "client-default"
    assert kf_of(body)["negativePrompt"] == ""


def test_per_project_app_source_wins(catalog: Catalog) -> None:
    params = make_params(type="image", model_id="flux1-schnell-fp8", app_source="mine")
    body = build_job_request(params, job_id=JOB_ID, catalog=catalog, app_source="default", slots=[])
    assert body["appSource"] == "mine"


def test_world_generation_receipt_is_lower_cased(catalog: Catalog) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="flux1-schnell-fp8",
            world_generation_receipt={
                "stage": "transition",
                "first_frame_sha256": "AB" * 32,
                "last_frame_sha256": "cd" * 32,
            },
        )
    )
    assert kf["worldGenerationReceipt"] == {
        "stage": "transition",
        "firstFrameSha256": "ab" * 32,
        "lastFrameSha256": "cd" * 32,
    }


def test_attribution_fields(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="flux1-schnell-fp8",
        attribution={
            "workload_kind": "agent_mediated",
            "agent_framework": " codex ",
            "agent_surface": "mcp",
        },
    )
    assert {
        k: body[k]
        for k in body
        if k
        in (
            "workloadKind",
            "agentFramework",
            "agentSurface",
            "operationScope",
            "operationId",
            "rootOperationId",
            "parentOperationId",
        )
    } == {
        "workloadKind": "agent_mediated",
        "agentFramework": "codex",
        "agentSurface": "mcp",
        "operationScope": "top_level",
        "operationId": JOB_ID,
        "rootOperationId": JOB_ID,
    }
    assert list(body)[-6:] == [
        "workloadKind",
        "agentFramework",
        "agentSurface",
        "operationScope",
        "operationId",
        "rootOperationId",
    ]


@pytest.mark.parametrize(
    ("given", "wanted"),
    [
        ({}, {}),
        (
            {"workload_kind": "direct", "agent_framework": "codex"},
            {
                "workload_kind": "direct",
                "operation_id": "P",
                "operation_scope": "top_level",
                "root_operation_id": "P",
            },
        ),
        (
            {"operation_scope": "child", "root_operation_id": "root-1", "operation_id": "op-2"},
            {
                "operation_scope": "child",
                "operation_id": "op-2",
                "root_operation_id": "root-1",
                "parent_operation_id": "root-1",
            },
        ),
        (
            {"root_operation_id": "root-1"},
            {
                "operation_scope": "child",
                "operation_id": "P",
                "root_operation_id": "root-1",
                "parent_operation_id": "root-1",
            },
        ),
        (
            {"operation_id": "op", "parent_operation_id": "up", "operation_scope": "top_level"},
            {"operation_scope": "top_level", "operation_id": "op", "root_operation_id": "op"},
        ),
    ],
)
def test_resolve_attribution(given: dict[str, str], wanted: dict[str, str]) -> None:
    assert resolve_attribution(WorkloadAttribution(**given), "P") == wanted
    assert resolve_attribution(None, "P") == {}
