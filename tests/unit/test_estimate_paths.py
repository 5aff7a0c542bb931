"""Cost-estimate paths and queries (protocol/03 §8.7) for image, video and audio parameters;
the expected paths are the ones the official TypeScript client requests for the same inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sogni.errors import ValidationError
from sogni.projects._estimate import (
    audio_estimate_path,
    image_estimate_path,
    video_estimate_path,
)
from sogni.projects.catalog import Catalog, SizePreset
from sogni.projects.params import make_params

DATA = Path(__file__).parent / "data"
JPEG = b"\xff\xd8\xff\xe0" + bytes(40)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
MP4 = b"\x00\x00\x00\x20ftypisom" + bytes(40)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    media = json.loads((DATA / "media_catalog.json").read_text())
    image = json.loads((DATA / "image_catalog.json").read_text())
    known = {m["id"] for m in media["models"]}
    models = media["models"] + [m for m in image["models"] if m["id"] not in known]
    return Catalog(models, {**image["tiers"], **media["tiers"]})


PRESETS = [SizePreset(label="Square HD", id="square_hd", width=1024, height=1024)]


def presets(network: str, model_id: str) -> list[SizePreset]:
    presets.calls.append((network, model_id))  # type: ignore[attr-defined]
    return PRESETS


presets.calls = []  # type: ignore[attr-defined]


def image(
    catalog: Catalog, network: str | None = None, **kwargs: Any
) -> tuple[str, dict[str, str]]:
    return image_estimate_path(
        make_params("image", **kwargs), catalog, network=network, size_presets=presets
    )


def video(
    catalog: Catalog, network: str | None = None, **kwargs: Any
) -> tuple[str, dict[str, str]]:
    options = {
        k: kwargs.pop(k)
        for k in list(kwargs)
        if k.startswith(
            (
                "source_",
                "reference_image_count",
                "reference_video_count",
                "keyframe_count",
                "reference_video_duration_seconds",
            )
        )
    }
    return video_estimate_path(make_params("video", **kwargs), catalog, network=network, **options)


# ---------------------------------------------------------------------------- image


def test_image_v2_with_defaults(catalog: Catalog) -> None:
    path, query = image(
        catalog, model_id="flux1-schnell-fp8", number_of_media=2, steps=4, number_of_previews=1
    )
    assert path == "/api/v2/job/estimate/spark/fast/flux1-schnell-fp8/2/4/1/0/0/0/0"
    assert query == {}


def test_image_v3_with_preset_starting_image_controlnet_and_sampler(catalog: Catalog) -> None:
    presets.calls.clear()  # type: ignore[attr-defined]
    path, query = image(
        catalog,
        model_id="coreml-cyberrealistic_v70_768",
        number_of_media=2,
        steps=25,
        number_of_previews=2,
        control_net={"name": "openpose"},
        starting_image=JPEG,
        starting_image_strength=0.6,
        size_preset="square_hd",
        guidance=7,
        sampler="dpm_pp",
        network="relaxed",
        output_format="jpg",
        billing_mode="tokens",
    )
    assert path == (
        "/api/v3/job/estimate/spark/relaxed/coreml-cyberrealistic_v70_768/2/25/2/1/0.4/1024/1024"
        "/7/dpm_pp/0"
    )
    assert query == {"outputFormat": "jpg", "billingMode": "tokens"}
    assert presets.calls == [("relaxed", "coreml-cyberrealistic_v70_768")]  # type: ignore[attr-defined]


def test_image_v3_for_context_images_and_gpt_quality(catalog: Catalog) -> None:
    path, query = image(
        catalog,
        model_id="gpt-image-2",
        width=1536,
        height=1024,
        context_images=[PNG, JPEG],
        gpt_image_quality="high",
        output_format="webp",
        token_type="sogni",
    )
    assert path == "/api/v3/job/estimate/sogni/fast/gpt-image-2/1/1/0/0/0/1536/1024/0/_/2"
    assert query == {"gptImageQuality": "high", "outputFormat": "webp"}


def test_image_network_falls_back_to_the_connection(catalog: Catalog) -> None:
    path, _ = image(catalog, network="relaxed", model_id="flux1-schnell-fp8")
    assert path.startswith("/api/v2/job/estimate/spark/relaxed/flux1-schnell-fp8/1/4/0/")
    assert image(catalog, model_id="flux1-schnell-fp8")[0].startswith(
        "/api/v2/job/estimate/spark/fast/"
    )


def test_image_starting_image_default_strength(catalog: Catalog) -> None:
    path, _ = image(catalog, model_id="flux1-schnell-fp8", starting_image=JPEG)
    assert path == "/api/v2/job/estimate/spark/fast/flux1-schnell-fp8/1/4/0/0/0.5/0/0"


def test_image_estimate_refusals(catalog: Catalog) -> None:
    with pytest.raises(ValidationError) as info:
        image(catalog, model_id="flux1-schnell-fp8", size_preset="giant")
    assert info.value.problems[0].param == "size_preset"
    assert info.value.problems[0].message == "Invalid size preset"
    with pytest.raises(ValidationError) as info:
        image(catalog, model_id="coreml-cyberrealistic_v70_768", sampler="nope", steps="x")
    assert {p.param for p in info.value.problems} == {"sampler", "steps"}
    with pytest.raises(ValidationError) as info:
        image_estimate_path(
            make_params("image", model_id="flux1-schnell-fp8", size_preset="square_hd"), catalog
        )
    assert info.value.problems[0].param == "size_preset"
    with pytest.raises(ValidationError) as info:
        image_estimate_path(make_params("video", model_id="seedance-2-0"), catalog)
    assert info.value.problems[0].message == "this estimate is for image projects, not 'video'"


# ---------------------------------------------------------------------------- video


def test_video_h3_r2v_with_reference_metadata(catalog: Catalog) -> None:
    path, query = video(
        catalog,
        model_id="minimax-h3-ref2va-fp8_r2v",
        width=1344,
        height=768,
        duration=6,
        steps=20,
        reference_image=JPEG,
        reference_video=MP4,
        reference_videos=[MP4],
        reference_video_durations=[4, 5],
    )
    assert path == "/api/v1/job-video/estimate/spark/minimax-h3-ref2va-fp8_r2v/1344/768/141/24/20/1"
    assert query == {
        "hasVideoInput": "1",
        "referenceImageCount": "1",
        "referenceVideoCount": "2",
        "referenceVideoDurationSeconds": "9",
        "network": "fast",
    }


def test_video_wan_without_steps_and_several_videos(catalog: Catalog) -> None:
    path, query = video(
        catalog,
        model_id="wan_v2.2-14b-fp8_t2v_lightx2v",
        width=512,
        height=512,
        duration=5,
        fps=32,
        number_of_media=2,
        token_type="sogni",
        network="relaxed",
        billing_mode="auto",
    )
    assert (
        path == "/api/v1/job-video/estimate/sogni/wan_v2.2-14b-fp8_t2v_lightx2v/512/512/81/32/0/2"
    )
    assert query == {"network": "relaxed", "billingMode": "auto"}


def test_video_defaults_come_from_the_tier(catalog: Catalog) -> None:
    path, query = video(catalog, "relaxed", model_id="wan_v2.2-14b-fp8_t2v_lightx2v", duration=3)
    assert path == "/api/v1/job-video/estimate/spark/wan_v2.2-14b-fp8_t2v_lightx2v/832/480/49/16"
    assert query == {"network": "relaxed"}


def test_video_seedance_with_url_references(catalog: Catalog) -> None:
    path, query = video(
        catalog,
        model_id="seedance-2-0",
        width=1920,
        height=1088,
        duration=8,
        reference_image_urls=["https://a.example/1.png", "https://a.example/2.png"],
        reference_video_urls=["https://a.example/v.mp4"],
    )
    assert path == "/api/v1/job-video/estimate/spark/seedance-2-0/1920/1088/193/24"
    assert query == {"hasVideoInput": "1", "referenceImageCount": "2", "network": "fast"}


def test_video_ltx_frames_snap(catalog: Catalog) -> None:
    path, _ = video(
        catalog, model_id="ltx23-22b-fp8_t2v_dev", width=1536, height=1024, duration=2.5, fps=30
    )
    assert path == "/api/v1/job-video/estimate/spark/ltx23-22b-fp8_t2v_dev/1536/1024/73/30"


def test_video_flashvsr_quotes_the_output_size(catalog: Catalog) -> None:
    path, query = video(
        catalog,
        model_id="flashvsr_v1.1_tiny_long_bf16",
        width=1280,
        height=720,
        upscale_resolution=1440,
        frames=158,
        fps=24,
    )
    assert (
        path == "/api/v1/job-video/estimate/spark/flashvsr_v1.1_tiny_long_bf16/2560/1440/158/24/1/1"
    )
    assert query == {"sourceWidth": "1280", "sourceHeight": "720", "network": "fast"}
    # Odd scaled sides are rounded to even pixels.
    path, _ = video(
        catalog,
        model_id="flashvsr_v1.1_tiny_long_bf16",
        source_width=854,
        source_height=480,
        upscale_resolution=1080,
        duration=2,
        fps=25,
    )
    assert path.endswith("/1922/1080/50/25/1/1")


def test_video_explicit_estimate_metadata_and_keyframes(catalog: Catalog) -> None:
    _, query = video(
        catalog,
        model_id="minimax-h3-fl2va-fp8_i2v",
        duration=10,
        keyframes=[{"image": PNG, "frame_index": 30}, {"image": PNG, "frame_index": 90}],
        reference_image_count=5.9,
        reference_video_count=0,
        reference_video_duration_seconds=13.5,
    )
    assert query == {
        "referenceImageCount": "5",
        "referenceVideoCount": "0",
        "referenceVideoDurationSeconds": "13.5",
        "keyframeCount": "2",
        "network": "fast",
    }


def test_video_path_segments_are_encoded(catalog: Catalog) -> None:
    path, _ = video(catalog, model_id="wan_v2.2-14b-fp8_t2v", width=640, height=640, duration=1.25)
    assert path == "/api/v1/job-video/estimate/spark/wan_v2.2-14b-fp8_t2v/640/640/21/16"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"model_id": "seedance-2-0"}, "duration"),
        ({"model_id": "seedance-2-0", "duration": 16}, "duration"),
        ({"model_id": "seedance-2-0", "duration": 5, "width": 1920.5, "height": 1080}, "width"),
        ({"model_id": "ace_step_1.5_turbo", "duration": 5}, "model_id"),
        ({"model_id": "flashvsr_v1.1_tiny_long_bf16", "frames": 10, "fps": 24}, "width"),
    ],
)
def test_video_estimate_refusals(catalog: Catalog, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(ValidationError) as info:
        video(catalog, **kwargs)
    assert info.value.problems[0].param == param


# ---------------------------------------------------------------------------- audio


def test_audio_paths(catalog: Catalog) -> None:
    path, query = audio_estimate_path(
        make_params(
            "audio", model_id="ace_step_1.5_turbo", duration=30, steps=8, number_of_media=2
        ),
        catalog,
        network="fast",
    )
    assert path == "/api/v1/job-audio/estimate/spark/ace_step_1.5_turbo/30/8/2"
    assert query == {"network": "fast"}
    path, query = audio_estimate_path(
        make_params(
            "audio",
            model_id="ace_step_1.5_sft",
            duration=92.5,
            token_type="sogni",
            billing_mode="subscription",
            network="relaxed",
        ),
        catalog,
    )
    assert path == "/api/v1/job-audio/estimate/sogni/ace_step_1.5_sft/92.5/50/1"
    assert query == {"network": "relaxed", "billingMode": "subscription"}


def test_audio_defaults_and_refusals(catalog: Catalog) -> None:
    path, _ = audio_estimate_path(make_params("audio", model_id="minimax_music3"), catalog)
    assert path == "/api/v1/job-audio/estimate/spark/minimax_music3/60/30/1"
    with pytest.raises(ValidationError) as info:
        audio_estimate_path(
            make_params("audio", model_id="qwen3_tts_1.7b_voice_clone_bf16"), catalog
        )
    assert info.value.problems[0].param == "duration"
    with pytest.raises(ValidationError) as info:
        audio_estimate_path(make_params("audio", model_id="seedance-2-0", duration=5), catalog)
    assert info.value.problems[0].param == "model_id"
