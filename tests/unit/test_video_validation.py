"""Video validation: every rule of protocol/02 §7.4-§7.6 and the documented superset, each with
its parameter name and message (one problem per mistake, all reported together)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sogni.projects._checks import MediaSlot
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog
from sogni.projects.params import make_params

from ._support import load_catalog, only_problem, problems_of

JPEG = b"\xff\xd8\xff\xe0" + bytes(40)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
MP3 = b"ID3\x04" + bytes(40)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40)
MP4 = b"\x00\x00\x00\x20ftypisom" + bytes(40)
URL = "https://cdn.example.com/"

WAN_T2V = "wan_v2.2-14b-fp8_t2v_lightx2v"
WAN_I2V = "wan_v2.2-14b-fp8_i2v_lightx2v"
LTX_V2V = "ltx23-22b-fp8_v2v_distilled"
H3_T2V = "minimax-h3-fl2va-fp8_t2v"
H3_R2V = "minimax-h3-ref2va-fp8_r2v"
FLASHVSR = "flashvsr_v1.1_tiny_long_bf16"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("media_catalog")


def check(catalog: Catalog, **kwargs: Any) -> list[MediaSlot]:
    kwargs.setdefault("model_id", WAN_T2V)
    return validate(make_params("video", **kwargs), catalog)


def problems(catalog: Catalog, **kwargs: Any) -> dict[str, list[str]]:
    return problems_of(lambda: check(catalog, **kwargs))


def only(catalog: Catalog, param: str, **kwargs: Any) -> str:
    return only_problem(problems(catalog, **kwargs), param)


# ---------------------------------------------------------------------------- model and types


def test_valid_requests_pass(catalog: Catalog) -> None:
    assert check(catalog, duration=5, fps=16, width=832, height=480, steps=4, guidance=1) == []
    assert check(catalog, model_id="ltx23-22b-fp8_t2v_dev", duration=20, fps=60) == []


def test_unknown_video_id_in_the_catalog(catalog: Catalog) -> None:
    message = only(catalog, "model_id", model_id="sora-99-video")
    assert message == "Video generation is only supported for video models."


def test_wrong_model_type(catalog: Catalog) -> None:
    message = only(catalog, "model_id", model_id="ace_step_1.5_turbo")
    assert message == (
        "Invalid model type. Model does not support video generation. Please use a different model."
    )


def test_unknown_model(catalog: Catalog) -> None:
    assert only(catalog, "model_id", model_id="nope") == "Model nope not supported"


def test_several_problems_are_reported_together(catalog: Catalog) -> None:
    found = problems(
        catalog,
        duration="5",
        fps=24,
        teacache_threshold=2,
        width=832,
        trim_end_frame="yes",
        generate_audio=1,
        reference_image=JPEG,
    )
    assert set(found) == {
        "duration",
        "fps",
        "teacache_threshold",
        "height",
        "trim_end_frame",
        "generate_audio",
        "reference_image",
    }


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"duration": "5"}, "duration", "must be a number, not str"),
        ({"frames": 80.0}, "frames", "must be an integer, not float"),
        ({"frames": 0}, "frames", "must be greater than or equal to 1, got 0"),
        ({"fps": 0}, "fps", "must be greater than 0, got 0"),
        ({"width": 832.0, "height": 480}, "width", "must be an integer, not float"),
        ({"shift": 9}, "shift", "must be less than or equal to 8, got 9"),
        ({"shift": 0.5}, "shift", "must be greater than or equal to 1, got 0.5"),
        ({"teacache_threshold": -0.1}, "teacache_threshold", "must be greater than or equal"),
        ({"teacache_threshold": 1.01}, "teacache_threshold", "must be less than or equal to 1"),
        ({"video_start": -1}, "video_start", "must be greater than or equal to 0, got -1"),
        ({"generate_audio": "no"}, "generate_audio", "must be True or False, not str"),
        ({"output_format": "gif"}, "output_format", "must be one of 'mp4', 'mov', got 'gif'"),
        ({"outpaint_position": "middle"}, "outpaint_position", "must be one of 'center'"),
        ({"steps": 11}, "steps", "must be less than or equal to 10, got 11"),
        ({"guidance": 2}, "guidance", "must be less than or equal to 1.6, got 2"),
        ({"seed": -1}, "seed", "must be greater than or equal to 0, got -1"),
        ({"number_of_media": 0}, "number_of_media", "must be greater than or equal to 1"),
        ({"token_type": "eth"}, "token_type", "must be one of 'sogni', 'spark'"),
    ],
)
def test_types_and_ranges(
    catalog: Catalog, kwargs: dict[str, Any], param: str, message: str
) -> None:
    assert only(catalog, param, **kwargs).startswith(message)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"first_frame_strength": 1.5}, "first_frame_strength"),
        ({"last_frame_strength": -0.1}, "last_frame_strength"),
        ({"detailer_strength": 2}, "detailer_strength"),
        ({"audio_identity_strength": 11}, "audio_identity_strength"),
        ({"audio_duration": 0}, "audio_duration"),
        ({"audio_start": -0.5}, "audio_start"),
    ],
)
def test_documented_strength_and_audio_ranges(
    catalog: Catalog, kwargs: dict[str, Any], param: str
) -> None:
    found = problems(catalog, model_id="ltx23-22b-fp8_a2v_distilled", reference_audio=MP3, **kwargs)
    assert list(found) == [param], found


def test_sampler_and_scheduler_from_the_tier(catalog: Catalog) -> None:
    found = problems(catalog, sampler="lms", scheduler="karras")
    assert found["sampler"] == [
        'Invalid sampler lms. Must be one of "euler", "euler_a", "uni_pc", "dpmpp_2m", '
        '"res_multistep".'
    ]
    assert found["scheduler"] == [
        'Invalid scheduler karras. Must be one of "simple", "normal", "beta".'
    ]
    assert check(catalog, sampler="Euler a", scheduler="normal") == []


# ---------------------------------------------------------------------------- export options


def test_mov_only_on_seedance_25(catalog: Catalog) -> None:
    assert only(catalog, "output_format", output_format="mov") == (
        "MOV output is supported only by Seedance 2.5."
    )


def test_return_last_frame_only_on_seedance_25(catalog: Catalog) -> None:
    assert only(catalog, "return_last_frame", return_last_frame=True) == (
        "Last-frame export is supported only by Seedance 2.5."
    )
    assert check(catalog, return_last_frame=False) == []
    assert only(catalog, "return_last_frame", return_last_frame="yes").startswith(
        "must be True or False"
    )


# ---------------------------------------------------------------------------- H3 lists


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("context_images", [PNG]),
        ("reference_audios", [MP3]),
        ("reference_videos", [MP4]),
        ("reference_video_durations", [4]),
    ],
)
def test_numbered_reference_lists_only_on_h3_r2v(catalog: Catalog, name: str, value: Any) -> None:
    message = only(catalog, name, **{name: value})
    assert message == "is supported only by the MiniMax H3 r2v workflow (minimax-h3-ref2va-fp8_r2v)"


@pytest.mark.parametrize("name", ["context_images", "reference_audios", "reference_videos"])
def test_numbered_lists_have_no_holes(catalog: Catalog, name: str) -> None:
    media = {"context_images": PNG, "reference_audios": MP3, "reference_videos": MP4}[name]
    message = only(catalog, name, model_id=H3_R2V, reference_image=JPEG, **{name: [media, None]})
    assert message.startswith("must not contain empty entries")


# ---------------------------------------------------------------------------- asset table


@pytest.mark.parametrize(
    ("model_id", "given", "param", "message"),
    [
        (
            WAN_I2V,
            {},
            "reference_image",
            "i2v workflow requires at least one of referenceImage or referenceImageEnd. "
            "Please provide this asset.",
        ),
        (
            "wan_v2.2-14b-fp8_s2v_lightx2v",
            {"reference_image": JPEG},
            "reference_audio",
            "s2v workflow requires referenceAudio. Please provide this asset.",
        ),
        (
            "wan_v2.2-14b-fp8_s2v",
            {"reference_audio": MP3},
            "reference_image",
            "s2v workflow requires referenceImage. Please provide this asset.",
        ),
        (
            "wan_v2.2-14b-fp8_animate-move_lightx2v",
            {"reference_image": JPEG},
            "reference_video",
            "animate-move workflow requires referenceVideo. Please provide this asset.",
        ),
        (
            "wan_v2.2-14b-fp8_animate-replace_lightx2v",
            {"reference_video": MP4},
            "reference_image",
            "animate-replace workflow requires referenceImage. Please provide this asset.",
        ),
        (
            WAN_T2V,
            {"reference_image": JPEG},
            "reference_image",
            "t2v workflow does not support referenceImage. Please remove this asset.",
        ),
        (
            WAN_T2V,
            {"reference_video": MP4},
            "reference_video",
            "t2v workflow does not support referenceVideo. Please remove this asset.",
        ),
        (
            WAN_I2V,
            {"reference_image": JPEG, "reference_audio": MP3},
            "reference_audio",
            "i2v workflow does not support referenceAudio. Please remove this asset.",
        ),
        (
            "ltx23-22b-fp8_ia2v_distilled",
            {"reference_image": JPEG, "reference_audio": MP3, "reference_image_end": PNG},
            "reference_image_end",
            "ia2v workflow does not support referenceImageEnd. Please remove this asset.",
        ),
        (
            "ltx23-22b-fp8_a2v_dev",
            {"reference_audio": MP3, "reference_audio_identity": WAV},
            "reference_audio_identity",
            "a2v workflow does not support referenceAudioIdentity. Please remove this asset.",
        ),
        (
            "ltx23-22b-fp8_a2v_dev",
            {},
            "reference_audio",
            "a2v workflow requires referenceAudio. Please provide this asset.",
        ),
        (
            LTX_V2V,
            {},
            "reference_video",
            "v2v workflow requires referenceVideo. Please provide this asset.",
        ),
        (
            LTX_V2V,
            {"reference_video": MP4, "reference_image_end": PNG},
            "reference_image_end",
            "v2v workflow does not support referenceImageEnd. Please remove this asset.",
        ),
        (
            "minimax-h3-fl2va-fp8_flf2v_turbo",
            {"reference_image": JPEG},
            "reference_image_end",
            "flf2v workflow requires referenceImageEnd. Please provide this asset.",
        ),
        (
            "minimax-h3-fastvideo-int8_flfa2v_turbo",
            {"reference_image": JPEG, "reference_image_end": PNG},
            "reference_audio",
            "flfa2v workflow requires referenceAudio. Please provide this asset.",
        ),
        (
            "minimax-h3-fl2va-fp8_i2v",
            {"reference_image": JPEG, "reference_audio_identity": WAV},
            "reference_audio_identity",
            "i2v workflow does not support referenceAudioIdentity. Please remove this asset.",
        ),
        (
            H3_R2V,
            {"reference_image": JPEG, "reference_image_end": PNG},
            "reference_image_end",
            "r2v workflow does not support referenceImageEnd. Please remove this asset.",
        ),
        (
            FLASHVSR,
            {"upscale_resolution": 1080},
            "reference_video",
            "upscale workflow requires referenceVideo. Please provide this asset.",
        ),
        (
            FLASHVSR,
            {"upscale_resolution": 1080, "reference_video": MP4, "reference_image": JPEG},
            "reference_image",
            "upscale workflow does not support referenceImage. Please remove this asset.",
        ),
    ],
)
def test_workflow_assets(
    catalog: Catalog, model_id: str, given: dict[str, Any], param: str, message: str
) -> None:
    assert only(catalog, param, model_id=model_id, **given) == message


def test_i2v_accepts_either_end(catalog: Catalog) -> None:
    assert [s.slot for s in check(catalog, model_id=WAN_I2V, reference_image_end=PNG)] == [
        "referenceImageEnd"
    ]
    assert [
        s.slot
        for s in check(catalog, model_id="minimax-h3-fl2va-fp8_i2v_turbo", reference_image=JPEG)
    ] == ["referenceImage"]


def test_t2v_quirk_accepts_an_audio_identity(catalog: Catalog) -> None:
    slots = check(catalog, model_id="ltx23-22b-fp8_t2v_distilled", reference_audio_identity=WAV)
    assert [(s.slot, s.source.param) for s in slots] == [
        ("referenceAudio", "reference_audio_identity")
    ]


def test_sam2_coordinates_only_on_animate_replace(catalog: Catalog) -> None:
    assert only(catalog, "sam2_coordinates", sam2_coordinates=[{"x": 0.5, "y": 0.5}]) == (
        "sam2Coordinates is only supported for animate-replace workflows."
    )
    message = only(
        catalog,
        "sam2_coordinates[0].x",
        model_id="wan_v2.2-14b-fp8_animate-replace_lightx2v",
        reference_image=JPEG,
        reference_video=MP4,
        sam2_coordinates=[{"x": -1, "y": 0.5}],
    )
    assert message.startswith("must be greater than or equal to 0")


def test_external_urls_only_on_vendor_models(catalog: Catalog) -> None:
    found = problems(
        catalog,
        reference_image_urls=[URL + "a.png"],
        reference_video_urls=[URL + "v.mp4"],
        reference_audio_urls=[URL + "a.mp3"],
        reference_file_url=URL + "brief.pdf",
        reference_link_url=URL,
    )
    message = (
        "External reference URLs are supported only by Seedance, HappyHorse, and Wan 3 models."
    )
    for name in (
        "reference_image_urls",
        "reference_video_urls",
        "reference_audio_urls",
        "reference_file_url",
        "reference_link_url",
    ):
        assert found[name][0] == message


def test_audio_and_audio_identity_share_one_slot(catalog: Catalog) -> None:
    message = only(
        catalog,
        "reference_audio_identity",
        model_id="seedance-2-0",
        reference_image=JPEG,
        reference_audio=MP3,
        reference_audio_identity=WAV,
    )
    assert message.startswith("reference_audio and reference_audio_identity upload to the same")


# ---------------------------------------------------------------------------- ControlNet


def test_control_net_rules(catalog: Catalog) -> None:
    assert only(
        catalog,
        "control_net.strength",
        model_id=LTX_V2V,
        reference_video=MP4,
        control_net={"name": "canny", "strength": 1.2},
    ).startswith("must be less than or equal to 1")
    assert only(
        catalog,
        "control_net.name",
        model_id=LTX_V2V,
        reference_video=MP4,
        control_net={"name": "openpose"},
    ).startswith("must be one of 'canny', 'pose', 'depth', 'detailer', 'outpaint', 'inpaint'")
    assert (
        only(catalog, "control_net", control_net={"name": "canny"})
        == "is supported only by the LTX v2v models"
    )


def test_inpaint_needs_a_mask_and_a_mask_needs_inpaint(catalog: Catalog) -> None:
    assert (
        only(
            catalog,
            "reference_mask",
            model_id=LTX_V2V,
            reference_video=MP4,
            control_net={"name": "inpaint"},
        )
        == "control_net 'inpaint' needs a reference_mask"
    )
    assert (
        only(
            catalog,
            "reference_mask",
            model_id=LTX_V2V,
            reference_video=MP4,
            reference_mask=PNG,
            control_net={"name": "canny"},
        )
        == "is only used with control_net name 'inpaint'"
    )


def test_control_net_as_a_dict_with_a_typo_names_the_field() -> None:
    with pytest.raises(TypeError, match="did you mean 'strength'"):
        make_params("video", model_id=LTX_V2V, control_net={"name": "canny", "strenght": 1})


# ---------------------------------------------------------------------------- durations and fps


@pytest.mark.parametrize(
    ("model_id", "duration", "given"),
    [
        (WAN_T2V, 10.01, {}),
        (WAN_T2V, 0.99, {}),
        (
            "wan_v2.2-14b-fp8_animate-move_lightx2v",
            20.5,
            {"reference_image": JPEG, "reference_video": MP4},
        ),
        ("ltx23-22b-fp8_t2v_dev", 21, {}),
        ("seedance-2-0", 3.9, {}),
        ("seedance-2-0", 15.5, {}),
        ("seedance-2-5", 30.5, {}),
        ("happyhorse-1.1-t2v", 2.9, {}),
        ("wan3.0-video", 1.5, {"positive_prompt": "x"}),
        ("wan3.0-video", 31, {"positive_prompt": "x"}),
        (H3_T2V, 5, {}),
        (H3_T2V, 15.1, {}),
    ],
)
def test_duration_out_of_range(
    catalog: Catalog, model_id: str, duration: float, given: dict[str, Any]
) -> None:
    message = only(catalog, "duration", model_id=model_id, duration=duration, **given)
    assert message.startswith("must be ")
    assert message.endswith(f"seconds for {model_id}, got {duration!r}")


@pytest.mark.parametrize(
    ("model_id", "duration", "given"),
    [
        (WAN_T2V, 10, {}),
        (WAN_T2V, 1, {}),
        (
            "wan_v2.2-14b-fp8_animate-replace_lightx2v",
            20,
            {"reference_image": JPEG, "reference_video": MP4},
        ),
        ("ltx2-19b-fp8_t2v", 1, {}),
        ("seedance-2-0", 4, {}),
        ("seedance-2-0", 15, {}),
        ("seedance-2-5", 30, {}),
        ("happyhorse-1.1-t2v", 3, {}),
        ("wan3.0-video", 2, {"positive_prompt": "x"}),
        (H3_T2V, 124 / 24, {}),
        (H3_T2V, 362 / 24, {}),
    ],
)
def test_duration_at_its_limits(
    catalog: Catalog, model_id: str, duration: float, given: dict[str, Any]
) -> None:
    assert check(catalog, model_id=model_id, duration=duration, **given) == [
        *check(catalog, model_id=model_id, **given)
    ]


def test_duration_and_frames_together(catalog: Catalog) -> None:
    assert only(catalog, "frames", duration=5, frames=81) == (
        "give duration or frames, not both (frames is deprecated)"
    )


def test_frames_inside_the_tier_range(catalog: Catalog) -> None:
    assert only(catalog, "frames", frames=200) == f"must be 17 to 161 for {WAN_T2V}"


@pytest.mark.parametrize(
    ("model_id", "fps", "message", "given"),
    [
        (WAN_T2V, 24, "WAN 2.2 renders at 16 fps; fps must be 16, or 32 to interpolate", {}),
        ("ltx23-22b-fp8_t2v_dev", 61, "LTX fps must be 1 to 60", {}),
        ("ltx23-22b-fp8_t2v_dev", 0.5, "LTX fps must be 1 to 60", {}),
        ("seedance-2-0", 30, "seedance-2-0 renders at a fixed 24 fps", {}),
        ("happyhorse-1.1-t2v", 25, "happyhorse-1.1-t2v renders at a fixed 24 fps", {}),
        ("wan3.0-video", 24, "Wan 3 output is fixed at 30 fps.", {"positive_prompt": "x"}),
        (H3_T2V, 30, "MiniMax H3 fps is fixed at 24. Omit fps or set it to 24.", {}),
    ],
)
def test_fps_per_family(
    catalog: Catalog, model_id: str, fps: float, message: str, given: dict[str, Any]
) -> None:
    assert only(catalog, "fps", model_id=model_id, fps=fps, **given) == message


@pytest.mark.parametrize(
    ("model_id", "fps"),
    [(WAN_T2V, 16), (WAN_T2V, 32), ("ltx23-22b-fp8_t2v_dev", 1), ("ltx23-22b-fp8_t2v_dev", 60)],
)
def test_fps_accepted_at_the_edges(catalog: Catalog, model_id: str, fps: float) -> None:
    assert check(catalog, model_id=model_id, fps=fps, duration=1) == []


# ---------------------------------------------------------------------------- size


def test_size_rules(catalog: Catalog) -> None:
    assert (
        only(catalog, "width", width=479, height=480) == "Video width must be at least 480, got 479"
    )
    assert (
        only(catalog, "height", width=832, height=400)
        == "Video height must be at least 480, got 400"
    )
    assert only(catalog, "height", width=832) == "width and height must be given together"
    assert only(catalog, "width", width=1296, height=480) == (
        f"must be at most 1280 for {WAN_T2V}, got 1296"
    )
    assert only(catalog, "width", width=1280, height=1280) == (
        f"width x height must be at most 921600 pixels for {WAN_T2V}"
    )
    assert check(catalog, width=480, height=480) == []


@pytest.mark.parametrize(
    ("model_id", "width", "height", "ok"),
    [
        ("seedance-2-0-mini", 1280, 736, True),
        ("seedance-2-0-mini", 800, 768, False),
        ("seedance-2-0-fast", 736, 1280, True),
        ("seedance-2-5", 1920, 1088, True),
        ("seedance-2-5", 1120, 1120, False),
        ("seedance-2-0", 3840, 2176, True),
    ],
)
def test_seedance_resolution_classes(
    catalog: Catalog, model_id: str, width: int, height: int, ok: bool
) -> None:
    if ok:
        assert check(catalog, model_id=model_id, width=width, height=height) == []
    else:
        message = only(catalog, "height", model_id=model_id, width=width, height=height)
        assert message.startswith(f"{model_id} output is capped at a ")


# ---------------------------------------------------------------------------- Seedance


@pytest.mark.parametrize(
    ("model_id", "given", "param", "message"),
    [
        (
            "seedance-2-0",
            {"seedance_task_type": "reference"},
            "seedance_task_type",
            "seedanceTaskType is supported only by Seedance 2.5.",
        ),
        (
            "seedance-2-5",
            {"seedance_task_type": "remix"},
            "seedance_task_type",
            "seedanceTaskType must be reference, edit, or extend.",
        ),
        (
            "seedance-2-5",
            {"reference_audio_urls": [URL + "a.m4a"]},
            "seedance_task_type",
            "Seedance 2.5 loose-reference requests require seedanceTaskType.",
        ),
        (
            "seedance-2-5",
            {"reference_image": JPEG, "seedance_task_type": "reference"},
            "seedance_task_type",
            "seedanceTaskType is for Seedance 2.5 loose-reference, edit, or extend requests; "
            "omit it for first/last-frame generation.",
        ),
        (
            "seedance-2-5",
            {"reference_image_urls": [URL + "a.png"], "seedance_task_type": "extend"},
            "seedance_task_type",
            "Seedance 2.5 extend requires at least one reference video.",
        ),
        (
            "seedance-2-5",
            {"seedance_task_type": "reference"},
            "seedance_task_type",
            "Seedance 2.5 reference requires at least one loose image, video, or audio reference.",
        ),
        (
            "seedance-2-0",
            {"reference_audio_urls": [URL + "a.m4a"]},
            "reference_audio_urls",
            "Seedance audio references require at least one image or video reference.",
        ),
        (
            "seedance-2-0-mini",
            {"reference_audio": MP3},
            "reference_audio",
            "Seedance audio references require at least one image or video reference.",
        ),
        (
            "seedance-2-0",
            {"reference_image_urls": [URL + f"{i}.png" for i in range(10)]},
            "reference_image_urls",
            "seedance-2-0 supports at most 9 image assets.",
        ),
        (
            "seedance-2-0",
            {"reference_image": JPEG, "reference_video_urls": [URL + "v.mp4"] * 4},
            "reference_video_urls",
            "seedance-2-0 supports at most 3 video assets.",
        ),
        (
            "seedance-2-0",
            {"reference_image": JPEG, "reference_audio": MP3, "reference_audio_urls": [URL] * 3},
            "reference_audio_urls",
            "seedance-2-0 supports at most 3 audio assets.",
        ),
        (
            "seedance-2-0",
            {
                "reference_image_urls": [URL + f"{i}.png" for i in range(8)],
                "reference_video_urls": [URL + "v.mp4"] * 3,
                "reference_audio_urls": [URL + "a.mp3"] * 2,
            },
            "model_id",
            "seedance-2-0 supports at most 12 total asset files.",
        ),
        (
            "seedance-2-5",
            {"reference_image_urls": [URL] * 31, "seedance_task_type": "reference"},
            "reference_image_urls",
            "seedance-2-5 supports at most 30 image assets.",
        ),
        (
            "seedance-2-0",
            {"reference_image_urls": [URL + "a.png", "  "]},
            "reference_image_urls",
            "referenceImageUrls must contain only non-empty URL strings.",
        ),
        (
            "seedance-2-0",
            {"token_type": "sogni"},
            "token_type",
            "seedance-2-0 is Spark-only: use token_type='spark'",
        ),
        (
            "seedance-2-0",
            {"negative_prompt": "blurry"},
            "negative_prompt",
            "seedance-2-0 takes no negative prompt",
        ),
    ],
)
def test_seedance_rules(
    catalog: Catalog, model_id: str, given: dict[str, Any], param: str, message: str
) -> None:
    assert only(catalog, param, model_id=model_id, **given) == message


def test_seedance_accepts_the_limits_exactly(catalog: Catalog) -> None:
    assert check(
        catalog,
        model_id="seedance-2-0",
        reference_image=JPEG,
        reference_image_end=PNG,
        reference_image_urls=[URL + f"{i}.png" for i in range(7)],
        reference_video_urls=[URL + "v.mp4"] * 2,
        reference_audio_urls=[URL + "a.mp3"],
        token_type="spark",
    ) == [*check(catalog, model_id="seedance-2-0", reference_image=JPEG, reference_image_end=PNG)]
    # Seedance 2.5 accepts audio alone, with a task type.
    assert (
        check(
            catalog,
            model_id="seedance-2-5",
            reference_audio_urls=[URL + "a.m4a"],
            seedance_task_type="reference",
        )
        == []
    )


def test_a_url_list_must_be_a_list_of_strings(catalog: Catalog) -> None:
    assert only(
        catalog, "reference_image_urls", model_id="seedance-2-0", reference_image_urls=URL
    ).startswith("must be a list")


# ---------------------------------------------------------------------------- HappyHorse, Wan 3


@pytest.mark.parametrize(
    ("model_id", "given", "param", "message"),
    [
        (
            "happyhorse-1.1-i2v",
            {},
            "reference_image",
            "HappyHorse i2v requires exactly one first-frame reference image.",
        ),
        (
            "happyhorse-1.1-i2v",
            {"reference_image": JPEG, "reference_image_urls": [URL + "b.png"]},
            "reference_image",
            "HappyHorse i2v requires exactly one first-frame reference image.",
        ),
        (
            "happyhorse-1.1-r2v",
            {},
            "reference_image_urls",
            "HappyHorse r2v requires between 1 and 9 reference images.",
        ),
        (
            "happyhorse-1.1-r2v",
            {"reference_image": JPEG, "reference_image_urls": [URL] * 9},
            "reference_image_urls",
            "HappyHorse r2v requires between 1 and 9 reference images.",
        ),
        (
            "happyhorse-1.1-t2v",
            {"reference_image": JPEG},
            "reference_image",
            "HappyHorse t2v does not support reference images.",
        ),
        (
            "happyhorse-1.1-t2v",
            {"reference_video": MP4},
            "reference_video",
            "HappyHorse models do not support reference video assets.",
        ),
        (
            "happyhorse-1.1-t2v",
            {"reference_audio": MP3},
            "reference_audio",
            "HappyHorse models do not support reference audio assets.",
        ),
        (
            "happyhorse-1.1-i2v",
            {"reference_image": JPEG, "reference_image_end": PNG},
            "reference_image_end",
            "HappyHorse models do not support a separate end-frame image (referenceImageEnd).",
        ),
    ],
)
def test_happyhorse_rules(
    catalog: Catalog, model_id: str, given: dict[str, Any], param: str, message: str
) -> None:
    assert only(catalog, param, model_id=model_id, **given) == message


@pytest.mark.parametrize(
    ("model_id", "given", "param", "message"),
    [
        (
            "wan3.0-video",
            {},
            "positive_prompt",
            "Wan 3 requires a prompt or at least one media, file, or link input.",
        ),
        (
            "wan3.0-video",
            {"reference_file_url": "http://x.example/a.pdf"},
            "reference_file_url",
            "referenceFileUrl must be a valid public HTTPS URL.",
        ),
        (
            "wan3.0-video",
            {"reference_link_url": " "},
            "reference_link_url",
            "referenceLinkUrl must be a non-empty public HTTPS URL.",
        ),
        (
            "wan3.0-video",
            {"reference_file_url": URL + "a.pdf", "reference_link_url": URL},
            "reference_link_url",
            "Wan 3 accepts either one reference file or one reference link, not both.",
        ),
        (
            "wan3.0-spicy-video",
            {"reference_link_url": URL},
            "reference_link_url",
            "Wan 3.0 Enhanced does not accept document or webpage references.",
        ),
        (
            "wan3.0-spicy-video",
            {"positive_prompt": "x", "watermark": False},
            "watermark",
            "Wan 3.0 Enhanced does not expose a watermark option.",
        ),
        (
            "wan3.0-video",
            {"positive_prompt": "x", "ratio": "21:9"},
            "ratio",
            "Wan 3 ratio must be adaptive, 16:9, 4:3, 1:1, 3:4, or 9:16.",
        ),
        (
            "wan3.0-video",
            {"positive_prompt": "x", "reference_mask": PNG},
            "reference_mask",
            "Wan 3 does not support audio-identity or mask inputs.",
        ),
        (
            "wan3.0-video",
            {"positive_prompt": "x", "reference_audio_identity": WAV},
            "reference_audio_identity",
            "Wan 3 does not support audio-identity or mask inputs.",
        ),
        (
            "wan3.0-video",
            {"reference_image_end": PNG},
            "reference_image",
            "Wan 3 last-frame generation requires a first-frame referenceImage.",
        ),
        (
            "wan3.0-video",
            {"reference_image": JPEG, "reference_audio_urls": [URL + "a.mp3"]},
            "reference_image",
            "Wan 3 first/last-frame anchors cannot be combined with loose media, file, or link references.",
        ),
        (
            "wan3.0-video",
            {"reference_image_urls": [URL] * 11},
            "reference_image_urls",
            "Wan 3 supports at most 10 reference images.",
        ),
        (
            "wan3.0-video",
            {"reference_video_urls": [URL] * 6},
            "reference_video_urls",
            "Wan 3 supports at most 5 reference videos.",
        ),
        (
            "wan3.0-video",
            {"reference_audio": MP3, "reference_audio_urls": [URL] * 5},
            "reference_audio_urls",
            "Wan 3 supports at most 5 reference audio clips.",
        ),
        (
            "wan3.0-video",
            {"positive_prompt": "x", "seed": 2**31},
            "seed",
            "must be less than or equal to 2147483647, got 2147483648",
        ),
        (
            "wan3.0-video",
            {"positive_prompt": "x", "token_type": "sogni"},
            "token_type",
            "wan3.0-video is Spark-only: use token_type='spark'",
        ),
    ],
)
def test_wan3_rules(
    catalog: Catalog, model_id: str, given: dict[str, Any], param: str, message: str
) -> None:
    assert only(catalog, param, model_id=model_id, **given) == message


def test_wan3_enhanced_last_frame_alone_is_accepted(catalog: Catalog) -> None:
    assert [
        s.slot for s in check(catalog, model_id="wan3.0-spicy-video", reference_image_end=PNG)
    ] == ["referenceImageEnd"]


@pytest.mark.parametrize(
    "name", ["prompt_extend", "watermark", "ratio", "reference_file_url", "reference_link_url"]
)
def test_wan3_options_elsewhere(catalog: Catalog, name: str) -> None:
    value = {"ratio": "16:9", "reference_file_url": URL + "a.pdf", "reference_link_url": URL}.get(
        name, False
    )
    assert only(catalog, name, model_id="seedance-2-0", **{name: value}) == (
        "is supported only by Wan 3 (wan3.0-video)"
    )


# ---------------------------------------------------------------------------- MiniMax H3


@pytest.mark.parametrize(
    ("model_id", "given", "param", "message"),
    [
        (H3_T2V, {"steps": 8}, "steps", "MiniMax H3 steps are fixed at 20."),
        (
            "minimax-h3-fl2va-fp8_t2v_turbo",
            {"steps": 20},
            "steps",
            "MiniMax H3 Turbo steps are fixed at 4.",
        ),
        (
            "minimax-h3-fl2va-fp8_t2v_balanced",
            {"steps": 4},
            "steps",
            "MiniMax H3 Balanced steps are fixed at 8.",
        ),
        (
            "minimax-h3-fastvideo-omni-int8_r2v_turbo",
            {"steps": 4, "reference_image": JPEG},
            "steps",
            "MiniMax H3 FastH3 Reference steps are fixed at 8.",
        ),
        (H3_T2V, {"guidance": 1.5}, "guidance", "MiniMax H3 guidance is fixed at 1."),
        (
            H3_T2V,
            {"negative_prompt": "blur"},
            "negative_prompt",
            "MiniMax H3 has no negative-prompt input. Put requested exclusions in positivePrompt.",
        ),
        (
            H3_T2V,
            {"frames": 125},
            "frames",
            "MiniMax H3 frames must be 124 + n*17 in the inclusive range 124-362.",
        ),
        (
            H3_T2V,
            {"frames": 379},
            "frames",
            "MiniMax H3 frames must be 124 + n*17 in the inclusive range 124-362.",
        ),
        (
            H3_T2V,
            {"width": 1344},
            "height",
            "MiniMax H3 width and height must be provided together.",
        ),
        (
            H3_T2V,
            {"width": 1344, "height": 770},
            "width",
            "MiniMax H3 dimensions must use a 32px grid, stay at or below 1344px per axis, and fit "
            "within 1,032,192 pixels.",
        ),
        (
            H3_T2V,
            {"width": 1344, "height": 800},
            "width",
            "MiniMax H3 dimensions must use a 32px grid, stay at or below 1344px per axis, and fit "
            "within 1,032,192 pixels.",
        ),
        (
            H3_T2V,
            {"audio_duration": 5},
            "audio_duration",
            "MiniMax H3 has no audioDuration input. Set frames or duration; the uploaded audio is "
            "trimmed to the video length.",
        ),
        (
            H3_T2V,
            {"audio_start": 1},
            "audio_start",
            "audioStart is supported only by the MiniMax H3 FastH3 audio-guide workflows "
            "(minimax-h3-fastvideo-int8_ia2v_turbo, minimax-h3-fastvideo-int8_flfa2v_turbo, "
            "minimax-h3-fastvideo-int8_a2v_turbo and their _2stage ids).",
        ),
        (
            "minimax-h3-fastvideo-int8_a2v_turbo",
            {"reference_audio": MP3, "generate_audio": False},
            "generate_audio",
            "MiniMax H3 a2v output always carries the uploaded audio. Omit generateAudio or set it "
            "to true.",
        ),
        (
            "minimax-h3-fastvideo-int8_ia2v_turbo_2stage",
            {"reference_audio": MP3, "reference_image": JPEG, "loras": ["x"]},
            "loras",
            "MiniMax H3 ia2v does not support LoRAs. Remove loras and loraStrengths.",
        ),
        (
            "minimax-h3-fl2va-fp8_i2v",
            {"reference_image": JPEG, "reference_audio": MP3},
            "reference_audio",
            "i2v workflow does not support referenceAudio. Please remove this asset.",
        ),
    ],
)
def test_h3_rules(
    catalog: Catalog, model_id: str, given: dict[str, Any], param: str, message: str
) -> None:
    assert only(catalog, param, model_id=model_id, **given) == message


def test_h3_accepts_its_grid_and_canvas(catalog: Catalog) -> None:
    assert (
        check(catalog, model_id=H3_T2V, frames=362, width=1344, height=768, steps=20, guidance=1)
        == []
    )
    assert check(catalog, model_id=H3_T2V, frames=124, width=672, height=384, fps=24) == []
    slots = check(
        catalog, model_id="minimax-h3-fastvideo-int8_a2v_turbo", reference_audio=MP3, audio_start=0
    )
    assert [(s.slot, s.upload_id) for s in slots] == [("referenceAudio", None)]


@pytest.mark.parametrize(
    ("given", "param", "message"),
    [
        (
            {"reference_image": JPEG, "reference_image_urls": [URL]},
            "reference_image_urls",
            "MiniMax H3 r2v does not accept referenceImageUrls; pass files through the Sogni asset "
            "upload fields instead.",
        ),
        (
            {"reference_audio": MP3},
            "reference_image",
            "MiniMax H3 r2v needs at least one uploaded visual reference: an image "
            "(reference_image, context_images) or a video (reference_video, reference_videos).",
        ),
        (
            {"reference_image": JPEG, "context_images": [PNG] * 9},
            "context_images",
            "MiniMax H3 r2v supports at most 9 uploaded reference images (got 10).",
        ),
        (
            {"reference_video": MP4, "reference_videos": [MP4] * 3},
            "reference_videos",
            "MiniMax H3 r2v supports at most 3 uploaded reference videos (got 4).",
        ),
        (
            {"reference_image": JPEG, "reference_audios": [MP3] * 4},
            "reference_audios",
            "MiniMax H3 r2v supports at most 3 uploaded reference audios (got 4).",
        ),
        (
            {"reference_video": MP4, "reference_video_durations": [4, 5]},
            "reference_video_durations",
            "MiniMax H3 r2v referenceVideoDurations must contain one entry for each uploaded "
            "reference video (expected 1).",
        ),
        (
            {"reference_video": MP4, "reference_video_durations": [1.9]},
            "reference_video_durations[0]",
            "MiniMax H3 r2v referenceVideoDurations[0] must be between 2 and 15 seconds.",
        ),
        (
            {
                "reference_video": MP4,
                "reference_videos": [MP4],
                "reference_video_durations": [8, 7.1],
            },
            "reference_video_durations",
            "MiniMax H3 r2v reference videos may total at most 15 seconds (got 15.1).",
        ),
    ],
)
def test_h3_r2v_rules(catalog: Catalog, given: dict[str, Any], param: str, message: str) -> None:
    assert only(catalog, param, model_id=H3_R2V, **given) == message


def test_h3_r2v_total_file_limit(catalog: Catalog) -> None:
    message = only(
        catalog,
        "model_id",
        model_id=H3_R2V,
        reference_image=JPEG,
        context_images=[PNG] * 7,
        reference_video=MP4,
        reference_videos=[MP4],
        reference_audio=MP3,
        reference_audios=[MP3, WAV],
    )
    assert message == (
        "MiniMax H3 r2v supports at most 12 reference files in total (got 13: 8 image, 2 video, "
        "3 audio)."
    )


def test_h3_r2v_duration_tolerance(catalog: Catalog) -> None:
    slots = check(
        catalog,
        model_id=H3_R2V,
        reference_video=MP4,
        reference_videos=[MP4],
        reference_video_durations=[1.95, 13.1],
    )
    assert [s.upload_id for s in slots] == ["referenceVideo1", "referenceVideo2"]


@pytest.mark.parametrize(
    ("given", "param", "message"),
    [
        (
            {
                "model_id": H3_T2V,
                "reference_image": None,
                "frames": 141,
                "keyframes": [{"image": PNG, "frame_index": 60}],
            },
            "keyframes",
            "keyframes is supported only by the MiniMax H3 image-to-video, first/last-frame, Sound "
            "to Video and Reference to Video workflows (i2v, flf2v, ia2v, flfa2v, a2v and r2v "
            f"model ids); {H3_T2V} does not accept keyframes.",
        ),
        (
            {
                "model_id": "ltx23-22b-fp8_i2v_dev",
                "reference_image": JPEG,
                "keyframes": [{"image": PNG, "frame_index": 3}],
                "duration": 4,
            },
            "keyframes",
            "keyframes is supported only by the MiniMax H3 image-to-video, first/last-frame, Sound "
            "to Video and Reference to Video workflows (i2v, flf2v, ia2v, flfa2v, a2v and r2v "
            "model ids); ltx23-22b-fp8_i2v_dev does not accept keyframes.",
        ),
        (
            {"keyframes": [{"image": PNG, "frame_index": 60}]},
            "keyframes",
            "keyframes need the video length: pass frames or duration.",
        ),
        (
            {"frames": 362, "keyframes": [{"image": PNG, "frame_index": 10 + i} for i in range(9)]},
            "keyframes",
            "keyframes accepts at most 8 entries (got 9).",
        ),
        (
            {"frames": 141, "keyframes": [{"image": PNG, "frame_index": 140}]},
            "keyframes[0].frame_index",
            "keyframes[0].frameIndex must be an integer between 1 and 139 for a 141-frame video "
            "(got 140); use referenceImage and referenceImageEnd for the first and last frames.",
        ),
        (
            {"frames": 141, "keyframes": [{"image": PNG, "frame_index": 0}]},
            "keyframes[0].frame_index",
            "keyframes[0].frameIndex must be an integer between 1 and 139 for a 141-frame video "
            "(got 0); use referenceImage and referenceImageEnd for the first and last frames.",
        ),
        (
            {"frames": 141, "keyframes": [{"image": PNG, "frame_index": 150}]},
            "keyframes[0].frame_index",
            "keyframes[0].frameIndex must be an integer between 1 and 139 for a 141-frame video "
            "(got 150).",
        ),
        (
            {"duration": 6, "keyframes": [{"image": PNG, "frame_index": 144}]},
            "keyframes[0].frame_index",
            "keyframes[0].frameIndex must be an integer between 1 and 139 for the 141-frame video "
            "that duration 6 resolves to (got 144).",
        ),
        (
            {
                "frames": 141,
                "keyframes": [{"image": PNG, "frame_index": 60}, {"image": PNG, "frame_index": 60}],
            },
            "keyframes[1].frame_index",
            "keyframes must use different frames; frame 60 is used twice.",
        ),
        (
            {"frames": 141, "keyframes": [{"image": PNG, "frame_index": 6.5}]},
            "keyframes[0].frame_index",
            "must be an integer, not float",
        ),
        (
            {"frames": 141, "keyframes": [{"image": None, "frame_index": 6}]},
            "keyframes[0].image",
            "keyframes[0].image is required.",
        ),
    ],
)
def test_h3_keyframe_rules(
    catalog: Catalog, given: dict[str, Any], param: str, message: str
) -> None:
    given.setdefault("model_id", "minimax-h3-fl2va-fp8_i2v")
    given.setdefault("reference_image", JPEG)
    assert only(catalog, param, **given) == message


@pytest.mark.parametrize(
    ("model_id", "given", "hint"),
    [
        (
            "minimax-h3-fastvideo-int8_ia2v_turbo",
            {"reference_image": JPEG, "reference_audio": MP3},
            "use referenceImage for the first frame, and the last frame (140) cannot be pinned",
        ),
        (
            "minimax-h3-fastvideo-int8_a2v_turbo",
            {"reference_audio": MP3},
            "frames 0 and 140 cannot be pinned",
        ),
        (H3_R2V, {"reference_image": JPEG}, "frames 0 and 140 cannot be pinned"),
    ],
)
def test_h3_keyframe_edge_hints(
    catalog: Catalog, model_id: str, given: dict[str, Any], hint: str
) -> None:
    message = only(
        catalog,
        "keyframes[0].frame_index",
        model_id=model_id,
        frames=141,
        keyframes=[{"image": PNG, "frame_index": 140}],
        **given,
    )
    assert message.endswith(f"(got 140); {hint}.")


def test_h3_keyframes_at_both_pinnable_ends(catalog: Catalog) -> None:
    slots = check(
        catalog,
        model_id="minimax-h3-fastvideo-int8_flf2v_turbo_2stage",
        reference_image=JPEG,
        reference_image_end=PNG,
        duration=10,
        keyframes=[{"image": PNG, "frame_index": 241}, {"image": JPEG, "frame_index": 1}],
    )
    assert [s.slot for s in slots] == [
        "referenceImage",
        "keyframeImage1",
        "keyframeImage2",
        "referenceImageEnd",
    ]


# ---------------------------------------------------------------------------- FlashVSR


@pytest.mark.parametrize(
    ("given", "param", "message"),
    [
        (
            {},
            "upscale_resolution",
            "Choose 1080p or 1440p for video upscaling (or give width and height whose shorter side is one of them).",
        ),
        (
            {"upscale_resolution": 720},
            "upscale_resolution",
            "Choose 1080p or 1440p for video upscaling (or give width and height whose shorter side is one of them).",
        ),
        (
            {"upscale_resolution": 1080, "positive_prompt": "sharper"},
            "positive_prompt",
            "FlashVSR is promptless.",
        ),
        (
            {"upscale_resolution": 1080, "negative_prompt": "blur"},
            "negative_prompt",
            "FlashVSR is promptless.",
        ),
        (
            {"upscale_resolution": 1080, "fps": 61},
            "fps",
            "must be the source's frame rate, 1 to 60",
        ),
        (
            {"upscale_resolution": 1080, "duration": 5},
            "fps",
            "a FlashVSR duration needs the source's fps",
        ),
        (
            {"upscale_resolution": 1080, "duration": 0.01, "fps": 24},
            "duration",
            "must be at least 0.0416667 seconds for flashvsr_v1.1_tiny_long_bf16, got 0.01",
        ),
        (
            {"upscale_resolution": 1080, "teacache_threshold": 0.1},
            "teacache_threshold",
            "Video upscaling preserves the complete source video and its audio; generation controls are unsupported.",
        ),
        (
            {"upscale_resolution": 1080, "video_start": 0},
            "video_start",
            "Video upscaling preserves the complete source video and its audio; generation controls are unsupported.",
        ),
        (
            {"upscale_resolution": 1080, "trim_end_frame": True},
            "trim_end_frame",
            "Video upscaling keeps every source frame.",
        ),
        (
            {"upscale_resolution": 1080, "generate_audio": False},
            "generate_audio",
            "Video upscaling keeps the source audio.",
        ),
        (
            {"upscale_resolution": 1080, "number_of_media": 2},
            "number_of_media",
            "Upscale one source video per project.",
        ),
        (
            {"upscale_resolution": 1080, "detail_preference": "crisp"},
            "detail_preference",
            "must be one of 'stable', 'sharper', got 'crisp'",
        ),
        (
            {"upscale_resolution": 1080, "processing_speed": "fastest"},
            "processing_speed",
            "must be one of 'stable', 'faster', got 'fastest'",
        ),
        (
            {"upscale_resolution": 1080, "seed": -2},
            "seed",
            "must be greater than or equal to -1, got -2",
        ),
        (
            {"upscale_resolution": 1080, "reference_image_urls": [URL]},
            "reference_image_urls",
            "External reference URLs are supported only by Seedance, HappyHorse, and Wan 3 models.",
        ),
    ],
)
def test_flashvsr_rules(catalog: Catalog, given: dict[str, Any], param: str, message: str) -> None:
    assert only(catalog, param, model_id=FLASHVSR, reference_video=MP4, **given) == message


def test_flashvsr_resolution_from_the_size_and_a_random_seed(catalog: Catalog) -> None:
    assert check(
        catalog, model_id=FLASHVSR, reference_video=MP4, width=2560, height=1440, seed=-1
    ) == [*check(catalog, model_id=FLASHVSR, reference_video=MP4, upscale_resolution=1440)]


# ---------------------------------------------------------------------------- media


def test_media_must_match_their_kind(catalog: Catalog, tmp_path: Path) -> None:
    found = problems(
        catalog,
        model_id="wan_v2.2-14b-fp8_s2v_lightx2v",
        reference_image=MP3,
        reference_audio=JPEG,
    )
    assert found["reference_image"] == ["must be a JPEG, PNG, WebP or GIF image (found audio/mpeg)"]
    assert found["reference_audio"] == [
        "must be an MP3, M4A, WAV, FLAC, Ogg or WebM audio file (found image/jpeg)"
    ]
    missing = tmp_path / "missing.mp4"
    found = problems(
        catalog,
        model_id="wan_v2.2-14b-fp8_animate-move_lightx2v",
        reference_image=JPEG,
        reference_video=str(missing),
    )
    assert found == {"reference_video": [f"file not found: {str(missing)!r}"]}


def test_media_paths_are_resolved_without_reading_them(catalog: Catalog, tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(MP4 + bytes(1_000_000))
    slots = check(
        catalog,
        model_id="wan_v2.2-14b-fp8_animate-move_lightx2v",
        reference_image=JPEG,
        reference_video=video,
    )
    source = slots[1].source
    assert (source.size, source.content_type, source.filename) == (
        len(MP4) + 1_000_000,
        "video/mp4",
        "clip.mp4",
    )


def test_booleans_are_not_media(catalog: Catalog) -> None:
    assert only(catalog, "reference_image_end", model_id=WAN_I2V, reference_image_end=True) == (
        "must be a file path, bytes or a binary file object"
    )
