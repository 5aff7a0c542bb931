"""The catalog: supported models, image tiers mapped to options, presets, LoRAs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sogni.testing
from sogni._wire.converter import structure
from sogni.errors import ProtocolError, ValidationError
from sogni.projects.catalog import (
    AvailableModel,
    Catalog,
    ImageModelOptions,
    LoraCatalog,
    LoraConstraints,
    NumericRange,
    OptionList,
    SizePreset,
    SupportedModel,
    sampler_alias,
    scheduler_alias,
)

from ._support import load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("image_catalog")


def test_supported_models(catalog: Catalog) -> None:
    model = catalog.model("gpt-image-2")
    assert model == SupportedModel(
        id="gpt-image-2", name="GPT Image 2", sid=5, tier="gpt_image", media="image"
    )
    assert catalog.model("nope") is None
    assert len(catalog.supported_models()) == 15
    assert catalog.media_of("pixal3d_int8_i23d") == "model"
    assert catalog.media_of("wan_v2.2-14b-fp8_t2v_lightx2v") == "video"
    with pytest.raises(ValidationError) as info:
        catalog.media_of("nope")
    assert info.value.params == ["model_id"]


def test_legacy_tier_options(catalog: Catalog) -> None:
    options = catalog.model_options("coreml-cyberrealistic_v70_768")
    assert options == ImageModelOptions(
        steps=NumericRange(min=1, max=50, step=1, default=20),
        guidance=NumericRange(min=1, max=20, step=0.1, default=7.5),
        sampler=OptionList(
            allowed=("dpm_pp", "euler", "euler_a", "dpmpp_2m", "lcm", "my_custom"), default="dpm_pp"
        ),
        scheduler=OptionList(
            allowed=("karras", "normal", "leading", "sgm_uniform"), default="karras"
        ),
        vae=None,
    )
    assert options.type == "image"


def test_comfy_tier_options(catalog: Catalog) -> None:
    options = catalog.model_options("z_image_turbo_bf16")
    assert options.steps == NumericRange(min=4, max=12, step=2, default=8)
    assert options.guidance == NumericRange(min=0, max=5, step=0.01, default=1)
    assert options.sampler == OptionList(
        allowed=("euler", "res_multistep"), default="res_multistep"
    )
    assert options.scheduler == OptionList(allowed=("simple", "beta"), default="simple")
    # VAE file names are not aliased.
    assert options.vae == OptionList(
        allowed=("ae.safetensors", "ae_alt.safetensors"), default="ae.safetensors"
    )


def test_missing_lists_and_ranges(catalog: Catalog) -> None:
    gpt = catalog.model_options("gpt-image-2")
    assert gpt.sampler == OptionList(allowed=(), default=None)
    assert gpt.scheduler == OptionList(allowed=(), default=None)
    assert gpt.guidance is None
    assert gpt.vae is None
    assert catalog.model_options("sam3_image_segment_bf16").sampler == OptionList()


def test_options_errors_name_model_id(catalog: Catalog) -> None:
    cases = {
        "unknown-model": "Model unknown-model not supported",
        "orphan-model": 'Unable to find model tier "no_such_tier" please contact support',
        "strange-model": 'Unsupported model tier "strange"',
    }
    for model_id, message in cases.items():
        with pytest.raises(ValidationError) as info:
            catalog.model_options(model_id)
        assert [(p.param, p.message) for p in info.value.problems] == [("model_id", message)]


def test_malformed_tier_is_unsupported() -> None:
    catalog = Catalog(
        [{"id": "m", "name": "M", "SID": 1, "tier": "t", "media": "image"}],
        {"t": {"type": "image", "steps": {"min": "one", "max": 2, "default": 1}}},
    )
    with pytest.raises(ValidationError, match='Unsupported model tier "t"'):
        catalog.model_options("m")


def test_options_are_cached(catalog: Catalog) -> None:
    assert catalog.model_options("flux1-schnell-fp8") is catalog.model_options("flux1-schnell-fp8")


def test_alias_tables() -> None:
    assert sampler_alias("DPM Solver Multistep (DPM-Solver++)") == "dpm_pp"
    assert sampler_alias("PNDM (Pseudo-linear multi-step)") == "pndm_plms"
    assert sampler_alias("Discrete Flow Scheduler (SD3)") == "dfs_sd3"
    assert sampler_alias("res_multistep") == "res_multistep"
    assert scheduler_alias("KL Optimal") == "kl_optimal"
    assert scheduler_alias("manual_sigmas") == "manual_sigmas"


def test_the_fake_servers_catalog_maps() -> None:
    path = Path(sogni.testing.__file__).parent / "data" / "catalog.json"
    raw = json.loads(path.read_text())
    catalog = Catalog(raw["models"], raw["tiers"])
    for model in catalog.supported_models():
        if model.media == "image":
            assert catalog.model_options(model.id).type == "image"


def test_malformed_catalog_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        Catalog({"models": []}, {})
    with pytest.raises(ProtocolError):
        Catalog([], [])
    with pytest.raises(ProtocolError):
        Catalog([{"name": "no id"}], {})


def test_available_models(catalog: Catalog) -> None:
    assert catalog.available_models({"5": 12, "99": 1, "13": 0}) == [
        AvailableModel(id="gpt-image-2", name="GPT Image 2", worker_count=12, media="image"),
        AvailableModel(id="99", name="99", worker_count=1, media="image"),
        AvailableModel(
            id="wan_v2.2-14b-fp8_t2v_lightx2v", name="WAN 2.2 T2V", worker_count=0, media="video"
        ),
    ]
    unknown = catalog.available_models({"some-worker-model": 2})[0]
    assert (unknown.id, unknown.name) == ("some-worker-model", "some worker model")


def test_size_presets_structure_from_the_wire() -> None:
    presets = structure_as(
        [
            {
                "label": "Portrait: Standard",
                "id": "portrait_7_9",
                "width": 896,
                "height": 1152,
                "ratio": "7:9",
                "aspect": "0.78",
            }
        ]
    )
    assert presets == [
        SizePreset(
            label="Portrait: Standard",
            id="portrait_7_9",
            width=896,
            height=1152,
            ratio="7:9",
            aspect="0.78",
        )
    ]


def structure_as(data: object) -> list[SizePreset]:
    from sogni._wire.converter import get_converter

    result: list[SizePreset] = get_converter().structure(data, list[SizePreset])
    return result


def test_raw_tiers_are_available(catalog: Catalog) -> None:
    assert catalog.tiers["gpt_image"]["steps"] == {"min": 1, "max": 1, "default": 1}


LORAS = {
    "lastUpdated": "2026-08-19",
    "loras": [
        {
            "loraId": "krea2-warm-light",
            "slug": "krea2-warm-light",
            "name": "Warm Light",
            "description": "Warms or cools the grade.",
            "relatedLoraIds": [],
            "modelIds": ["krea2_turbo_fp8_scaled"],
            "ui": {
                "min": -10,
                "max": 10,
                "default": 1,
                "step": 0.1,
                "recommendedMin": -3,
                "recommendedMax": 3,
                "rangeLabels": {"min": "Cooler", "max": "Warmer"},
                "category": "lighting",
                "nsfw": False,
                "sexual": False,
                "creator": "alcaitiff",
                "sourceUrl": "https://civitai.com/models/2",
            },
        },
        {
            "loraId": "h3-motion",
            "modelIds": ["minimax-h3-fl2va-fp8_t2v"],
            "ui": {"min": 0, "max": 2},
        },
    ],
    "models": ["krea2_turbo_fp8_scaled", "minimax-h3-fl2va-fp8_t2v", "z_image_turbo_bf16"],
    "constraints": {"maxPerRequest": 6, "minStrength": -50, "maxStrength": 50},
}


def test_lora_catalog() -> None:
    catalog = structure(LORAS, LoraCatalog)
    assert catalog.last_updated == "2026-08-19"
    assert [lora.lora_id for lora in catalog.loras] == ["krea2-warm-light", "h3-motion"]
    warm = catalog.get("krea2-warm-light")
    assert warm is not None
    assert (warm.ui.min, warm.ui.max, warm.ui.recommended_min, warm.ui.source_url) == (
        -10,
        10,
        -3,
        "https://civitai.com/models/2",
    )
    assert warm.ui.range_labels == {"min": "Cooler", "max": "Warmer"}
    assert catalog.constraints == LoraConstraints(
        max_per_request=6, min_strength=-50, max_strength=50
    )
    assert catalog.supports("z_image_turbo_bf16")
    assert catalog.get("nope") is None
    only_krea = catalog.for_model("krea2_turbo_fp8_scaled")
    assert [lora.lora_id for lora in only_krea.loras] == ["krea2-warm-light"]
    assert only_krea.model_ids == LORAS["models"]


def test_lora_catalog_defaults() -> None:
    data = {key: value for key, value in LORAS.items() if key not in ("models", "constraints")}
    catalog = structure(data, LoraCatalog)
    assert catalog.models is None
    # Derived from the rows; filtering keeps the full list.
    assert catalog.model_ids == ["krea2_turbo_fp8_scaled", "minimax-h3-fl2va-fp8_t2v"]
    assert catalog.for_model("krea2_turbo_fp8_scaled").model_ids == catalog.model_ids
    assert catalog.constraints == LoraConstraints(
        max_per_request=8, min_strength=-100, max_strength=100
    )
