"""Video and audio tiers mapped to model options (protocol/03 §8.2-§8.3), and the catalog's media
kinds for them."""

from __future__ import annotations

import pytest

from sogni.errors import ValidationError
from sogni.projects.catalog import (
    AudioModelOptions,
    Catalog,
    NumberChoices,
    NumericRange,
    OptionList,
    StartOption,
    TextLimit,
    VideoModelOptions,
)

from ._support import load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("media_catalog")


def test_wan_tier(catalog: Catalog) -> None:
    options = catalog.model_options("wan_v2.2-14b-fp8_s2v_lightx2v")
    assert isinstance(options, VideoModelOptions)
    assert options.type == "video"
    assert options.width == NumericRange(min=480, max=1280, step=16, default=832)
    assert options.max_pixels == 921600
    assert options.guidance == NumericRange(min=0.7, max=1.6, step=0.01, default=1)
    assert options.shift == NumericRange(min=1, max=8, step=0.1, default=8)
    assert options.fps == NumberChoices(allowed=(16, 32), default=16)
    assert options.frames == NumericRange(min=17, max=161, step=1, default=81)
    assert options.audio_start == StartOption(min=0, default=0)
    assert options.audio_duration == StartOption(min=1, default=30)
    assert options.video_start is None
    # Display names become the aliases callers pass and the wire carries.
    assert options.sampler == OptionList(
        allowed=("euler", "euler_a", "uni_pc", "dpmpp_2m", "res_multistep"), default="euler"
    )
    assert options.scheduler == OptionList(allowed=("simple", "normal", "beta"), default="simple")


def test_vendor_tier_without_samplers_or_steps(catalog: Catalog) -> None:
    options = catalog.model_options("seedance-2-5")
    assert isinstance(options, VideoModelOptions)
    assert options.sampler == OptionList()
    assert options.steps is None
    assert options.guidance is None
    assert options.fps == NumberChoices(allowed=(24,), default=24)


def test_flashvsr_tier(catalog: Catalog) -> None:
    options = catalog.model_options("flashvsr_v1.1_tiny_long_bf16")
    assert isinstance(options, VideoModelOptions)
    assert (options.task, options.output_resolutions) == ("video-upscale", (1080, 1440))
    assert (options.preserves_source_timing, options.requires_reference_video) == (True, True)


def test_ace_step_tier(catalog: Catalog) -> None:
    options = catalog.model_options("ace_step_1.5_sft")
    assert isinstance(options, AudioModelOptions)
    assert options.type == "audio"
    assert options.steps == NumericRange(min=10, max=200, step=1, default=50)
    assert options.guidance == NumericRange(min=1, max=15, step=0.1, default=5)
    assert options.duration == NumericRange(min=10, max=600, step=1, default=30)
    assert options.time_signature == OptionList(allowed=("2", "3", "4", "6"), default="4")
    assert options.keyscale is not None and len(options.keyscale.allowed) == 70
    assert options.language is not None and options.language.default == "en"
    assert options.composer_mode_default is True
    assert options.creativity == NumericRange(min=0, max=2, step=0.01, default=0.85)
    assert options.sampler == OptionList(
        allowed=("euler", "res_multistep", "er_sde"), default="euler"
    )
    assert (options.accepts_reference_audio, options.requires_reference_audio) == (False, False)
    turbo = catalog.model_options("ace_step_1.5_turbo")
    assert isinstance(turbo, AudioModelOptions)
    assert turbo.guidance is None


def test_music3_tier_declares_only_its_options(catalog: Catalog) -> None:
    options = catalog.model_options("minimax_music3")
    assert isinstance(options, AudioModelOptions)
    assert options.duration == NumericRange(min=10, max=300, step=1, default=60)
    assert (options.bpm, options.time_signature, options.shift, options.keyscale) == (
        None,
        None,
        None,
        None,
    )


def test_speech_tiers(catalog: Catalog) -> None:
    clone = catalog.model_options("qwen3_tts_1.7b_voice_clone_bf16")
    assert isinstance(clone, AudioModelOptions)
    assert clone.sampler is None and clone.scheduler is None
    assert clone.reference_text == TextLimit(max_length=500)
    assert (clone.accepts_reference_audio, clone.requires_reference_audio) == (True, True)
    design = catalog.model_options("qwen3_tts_1.7b_voice_design_bf16")
    assert isinstance(design, AudioModelOptions)
    assert design.instruct == TextLimit(max_length=500, required=True)
    custom = catalog.model_options("qwen3_tts_1.7b_custom_voice_bf16")
    assert isinstance(custom, AudioModelOptions)
    assert custom.speaker is not None and custom.speaker.default == "ryan"


def test_audio_tier_accepting_input_audio() -> None:
    tiers = {
        "t": {
            "type": "audio",
            "steps": {"min": 1, "max": 1, "default": 1},
            "acceptInputAudio": True,
        }
    }
    catalog = Catalog([{"id": "m", "tier": "t", "media": "audio"}], tiers)
    options = catalog.model_options("m")
    assert isinstance(options, AudioModelOptions)
    assert (options.accepts_reference_audio, options.requires_reference_audio) == (True, False)


@pytest.mark.parametrize(
    "tier",
    [
        {"type": "audio"},  # audio tiers always declare steps
        {"type": "audio", "steps": {"min": "1", "max": 2, "default": 1}},
        {"type": "video", "width": {"min": 1}},
        {"type": "video", "audioStart": 5},
        {"type": "spatial"},
    ],
)
def test_malformed_tiers_are_unsupported(tier: dict[str, object]) -> None:
    catalog = Catalog([{"id": "m", "tier": "t", "media": "video"}], {"t": tier})
    with pytest.raises(ValidationError) as info:
        catalog.model_options("m")
    assert info.value.problems[0].param == "model_id"
    assert info.value.problems[0].message == 'Unsupported model tier "t"'


def test_media_kinds(catalog: Catalog) -> None:
    assert catalog.media_of("ltx25-22b-int8_a2v_dev") == "video"
    assert catalog.media_of("ace_step_1.5_xl_turbo") == "audio"
    assert catalog.media_of("flux1-schnell-fp8") == "image"


def test_every_fixture_model_has_options(catalog: Catalog) -> None:
    for model in catalog.supported_models():
        options = catalog.model_options(model.id)
        assert options.type == model.media
