"""Video parameters: construction through ``make_params``, nested values, typos and retired
names, the TypeScript name table, reprs."""

from __future__ import annotations

import attrs
import pytest

from sogni.errors import ValidationError
from sogni.projects.params import (
    PARAM_NAMES_TS,
    PROJECT_TYPES,
    AudioProjectParams,
    ImageProjectParams,
    Sam2Coordinate,
    VideoControlNetParams,
    VideoKeyframe,
    VideoProjectParams,
    make_params,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


def test_project_types_are_registered() -> None:
    assert {
        "image": ImageProjectParams,
        "video": VideoProjectParams,
        "audio": AudioProjectParams,
    } == PROJECT_TYPES
    assert isinstance(make_params("video", model_id="m"), VideoProjectParams)
    assert isinstance(make_params(type="audio", model_id="m"), AudioProjectParams)
    with pytest.raises(ValidationError, match="must be one of 'image', 'video', 'audio'"):
        make_params("3d", model_id="m")
    with pytest.raises(TypeError, match="type='image', 'video' or 'audio'"):
        make_params(model_id="m")


def test_nested_values_and_lists_are_converted() -> None:
    params = make_params(
        "video",
        model_id="m",
        control_net={"name": "canny", "strength": 0.6},
        keyframes=[{"image": PNG, "frame_index": 10}],
        sam2_coordinates=[{"x": 0.5, "y": 0.25}],
        context_images=[PNG],
        reference_image_urls=["https://a.example/x.png"],
        reference_video_durations=[4, 5],
    )
    assert isinstance(params, VideoProjectParams)
    assert params.control_net == VideoControlNetParams(name="canny", strength=0.6)
    assert params.keyframes == (VideoKeyframe(image=PNG, frame_index=10),)
    assert params.sam2_coordinates == (Sam2Coordinate(x=0.5, y=0.25),)
    assert params.context_images == (PNG,)
    assert params.reference_image_urls == ("https://a.example/x.png",)
    assert params.reference_video_durations == (4, 5)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("referenceImage", "reference_image"),
        ("teacacheThreshold", "teacache_threshold"),
        ("audioIdentityStrength", "audio_identity_strength"),
        ("referenceImageUrls", "reference_image_urls"),
        ("refrence_video", "reference_video"),
        ("durration", "duration"),
        ("first_frame_strenght", "first_frame_strength"),
    ],
)
def test_typos_name_the_closest_parameter(name: str, suggestion: str) -> None:
    with pytest.raises(TypeError, match=f"did you mean '{suggestion}'"):
        make_params("video", model_id="m", **{name: 1})


def test_typos_inside_nested_values() -> None:
    with pytest.raises(TypeError, match="did you mean 'frame_index'"):
        make_params("video", model_id="m", keyframes=[{"image": PNG, "frameIndex": 3}])
    with pytest.raises(TypeError, match="did you mean 'x'"):
        make_params("video", model_id="m", sam2_coordinates=[{"xx": 1, "y": 2}])


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("output_scale", "two-stage model id"),
        ("outputScale", "two-stage model id"),
        ("smart_duration", "explicit duration between 2 and 30 seconds"),
        ("smartDuration", "explicit duration"),
        ("wan3TaskType", "Wan 3 picks its operation"),
    ],
)
def test_retired_parameters_are_explained(name: str, hint: str) -> None:
    with pytest.raises(TypeError, match=f"retired parameter '{name}'.*{hint}"):
        make_params("video", model_id="m", **{name: 2})


def test_replacing_fields_on_existing_params() -> None:
    params = make_params("video", model_id="m", duration=5)
    changed = make_params(params, fps=24)
    assert isinstance(changed, VideoProjectParams)
    assert (changed.duration, changed.fps) == (5, 24)
    assert make_params(params) is params
    with pytest.raises(TypeError, match="did you mean 'fps'"):
        make_params(params, fsp=24)
    with pytest.raises(ValidationError):
        make_params(params, type="audio")


def test_typescript_names_of_video_parameters() -> None:
    for name, ts in {
        "reference_image": "referenceImage",
        "reference_image_end": "referenceImageEnd",
        "reference_audio_identity": "referenceAudioIdentity",
        "audio_identity_strength": "audioIdentityStrength",
        "reference_image_urls": "referenceImageUrls",
        "reference_file_url": "referenceFileUrl",
        "teacache_threshold": "teacacheThreshold",
        "sam2_coordinates": "sam2Coordinates",
        "sam2_coordinates[].x": "sam2Coordinates[].x",
        "keyframes[].frame_index": "keyframes[].frameIndex",
        "reference_video_durations": "referenceVideoDurations",
        "seedance_task_type": "seedanceTaskType",
        "upscale_resolution": "upscaleResolution",
        "trim_end_frame": "trimEndFrame",
        "control_net.strength": "controlNet.strength",
    }.items():
        assert PARAM_NAMES_TS[name] == ts, name
    for cls in (VideoProjectParams, AudioProjectParams, VideoKeyframe, Sam2Coordinate):
        for field in attrs.fields(cls):
            assert field.metadata["sogni.ts"], field.name


def test_reprs_summarise_media() -> None:
    params = make_params(
        "video",
        model_id="m",
        reference_video=bytes(5000),
        reference_videos=[bytes(10)],
        keyframes=[{"image": bytes(7), "frame_index": 2}],
    )
    text = repr(params)
    assert "<bytes of 5000 bytes>" in text
    assert "(<bytes of 10 bytes>,)" in text
    assert "<bytes of 7 bytes>" in text
    assert "\\x00" not in text
