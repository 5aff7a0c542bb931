"""The video ``jobRequest`` body, key by key: protocol/02 §10.2, every §10.4/§10.5 video delta,
and one body per workflow of every family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sogni.projects._build import build_job_request
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog
from sogni.projects.params import VideoProjectParams, make_params
from tests.unit.test_image_build import assert_same as assert_values
from tests.unit.test_image_build import first_difference, kf_of

from ._support import load_catalog

DATA = Path(__file__).parent / "data"
JOB_ID = "1B4E28BA-2FA1-41D2-883F-0016D3CCA427"
JPEG = b"\xff\xd8\xff\xe0" + bytes(40)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
M4A = b"\x00\x00\x00\x20ftypM4A " + bytes(40)
MP3 = b"ID3\x04" + bytes(40)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40)
MP4 = b"\x00\x00\x00\x20ftypisom" + bytes(40)
MOV = b"\x00\x00\x00\x14ftypqt  " + bytes(40)
ABSENT = object()  # a template key in its place, left out unless a test sets it


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("media_catalog")


def wire(catalog: Catalog, params: Any) -> dict[str, Any]:
    slots = validate(params, catalog)
    body = build_job_request(params, job_id=JOB_ID, catalog=catalog, app_source=None, slots=slots)
    return json.loads(json.dumps(body))  # exactly what goes on the wire


def assert_same(actual: dict[str, Any], wanted: dict[str, Any]) -> None:
    """Same JSON value by value (types included) and the same key order."""
    assert_values(actual, wanted)
    assert list(actual) == list(wanted)
    assert list(kf_of(actual)) == list(kf_of(wanted))


def build(catalog: Catalog, **kwargs: Any) -> dict[str, Any]:
    return wire(catalog, make_params("video", **kwargs))


def template(model_id: str, prompt: Any = ABSENT) -> dict[str, Any]:
    """A video body with no options: the template, ``modelID`` and null sampler keys (no
    ``positivePrompt`` unless one is given: an unset prompt is left out)."""
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
        "steps": ABSENT,
        "cnRotation": 0,
        "guidanceScale": ABSENT,
        "siZoomScale": 1,
        "modelID": model_id,
        "cnRotationIsEnabled": True,
        "negativePrompt": "",
        "startingImageZoomPanIsOn": False,
        "seed": ABSENT,
        "siRotationIsEnabled": True,
        "cnImageBackgroundColor": "clear",
        "strengthIsEnabled": True,
        "siDragOffset": [0, 0],
        "useLastImageAsCNImageInAnimation": False,
        "positivePrompt": prompt,
        "controlNetZoomPanIsOn": False,
        "cnZoomScaleIsEnabled": True,
        "currentControlNets": None,
        "stylePrompt": "",
        "cnDragOffsetIsEnabled": True,
        "frameIndex": 0,
        "startingImage": None,
        "cnZoomScale": 1,
        "comfySampler": None,
        "comfyScheduler": None,
    }
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
        "tokenType": ABSENT,
        "billingMode": ABSENT,
        "outputFormat": "mp4",
        "network": ABSENT,
        "appSource": ABSENT,
    }


def expected(
    model_id: str,
    kf: dict[str, Any],
    top: dict[str, Any] | None = None,
    *,
    drop: tuple[str, ...] = (),
    prompt: Any = ABSENT,
) -> dict[str, Any]:
    """The body with ``kf`` merged in, keys in the official client's order: template keys in
    place, then the given keys in order, with the sampler pair before the keys added last
    (FlashVSR's forced keys and the uploads' content types) unless ``kf`` places it."""
    body = template(model_id, prompt)
    frame = body["keyFrames"][0]
    sampler = {key: frame.pop(key) for key in ("comfySampler", "comfyScheduler")}
    added = [key for key in kf if key not in frame]
    late = next((i for i, key in enumerate(added) if _added_last(key, added)), len(added))
    for index, key in enumerate(added):
        if index == late:
            frame.update({k: kf.get(k, v) for k, v in sampler.items()})
        frame[key] = kf[key]
    if late == len(added):
        frame.update({k: kf.get(k, v) for k, v in sampler.items()})
    frame.update({k: v for k, v in kf.items() if k not in added})
    for key in drop:
        del frame[key]
    body.update(top or {})
    for mapping in (frame, body):
        for key in [k for k, v in mapping.items() if v is ABSENT]:
            del mapping[key]
    return body


def _added_last(key: str, added: list[str]) -> bool:
    if key.endswith("ContentType") or key in ("upscaleResolution", "interpolation"):
        return True
    return key == "generateAudio" and "upscaleResolution" in added[: added.index(key)]


# ---------------------------------------------------------------------------- §10.2


def example_10_2() -> VideoProjectParams:
    return VideoProjectParams(
        model_id="wan_v2.2-14b-fp8_i2v_lightx2v",
        positive_prompt="The subject slowly turns their head and smiles",
        negative_prompt="blurry, distorted",
        duration=5,
        fps=32,
        steps=4,
        guidance=1,
        shift=5,
        seed=98765,
        width=832,
        height=480,
        sampler="euler",
        scheduler="simple",
        reference_image=JPEG,
        reference_image_end=PNG,
        network="fast",
        token_type="spark",
    )


def test_example_10_2_complete_request(catalog: Catalog) -> None:
    wanted = json.loads((DATA / "job_request_10_2.json").read_text())
    params = example_10_2()
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.source.content_type) for s in slots] == [
        ("referenceImage", "image", "image/jpeg"),
        ("referenceImageEnd", "image", "image/png"),
    ]
    body = build_job_request(
        params, job_id=wanted["jobID"], catalog=catalog, app_source=None, slots=slots
    )
    actual = json.loads(json.dumps(body))
    assert_same(actual, wanted)
    assert list(actual) == list(wanted)
    assert list(kf_of(actual)) == list(kf_of(wanted))


def test_example_10_2_floats_are_sent_as_javascript_numbers(catalog: Catalog) -> None:
    wanted = json.loads((DATA / "job_request_10_2.json").read_text())
    params = make_params(example_10_2(), shift=5.0, guidance=1.0, fps=32.0, duration=5.0)
    body = wire(catalog, params)
    body["jobID"] = wanted["jobID"]
    assert first_difference(body, wanted) is None


def test_wan_frames_do_not_depend_on_fps(catalog: Catalog) -> None:
    at_16 = kf_of(wire(catalog, make_params(example_10_2(), fps=16)))
    at_32 = kf_of(wire(catalog, example_10_2()))
    assert (at_16["frames"], at_32["frames"]) == (81, 81)
    assert (at_16["fps"], at_32["fps"]) == (16, 32)


# ---------------------------------------------------------------------------- WAN 2.2


def test_wan_t2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan_v2.2-14b-fp8_t2v_lightx2v",
        negative_prompt="blurry",
        duration=5,
        fps=16,
        shift=5,
        steps=4,
        guidance=1,
        width=640,
        height=640,
        teacache_threshold=0.15,
        sampler="euler",
        scheduler="simple",
        seed=42,
        network="fast",
    )
    assert_same(
        body,
        expected(
            "wan_v2.2-14b-fp8_t2v_lightx2v",
            {
                "steps": 4,
                "guidanceScale": 1,
                "negativePrompt": "blurry",
                "seed": 42,
                "fps": 16,
                "frames": 81,
                "shift": 5,
                "teacacheThreshold": 0.15,
                "width": 640,
                "height": 640,
                "comfySampler": "euler",
                "comfyScheduler": "simple",
            },
            {"network": "fast"},
        ),
    )


def test_wan_quality_t2v_without_fps_sends_no_fps(catalog: Catalog) -> None:
    body = build(catalog, model_id="wan_v2.2-14b-fp8_t2v", positive_prompt="a fox", duration=3)
    assert_same(body, expected("wan_v2.2-14b-fp8_t2v", {"frames": 49}, prompt="a fox"))


def test_wan_i2v_with_only_an_end_frame_and_trim(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan_v2.2-14b-fp8_i2v_lightx2v",
        reference_image_end=PNG,
        duration=2,
        trim_end_frame=True,
    )
    assert_same(
        body,
        expected(
            "wan_v2.2-14b-fp8_i2v_lightx2v",
            {
                "hasReferenceImageEnd": True,
                "frames": 33,
                "trimEndFrame": True,
                "referenceImageEndContentType": "image/png",
            },
        ),
    )


def test_wan_s2v(catalog: Catalog) -> None:
    params = make_params(
        "video",
        model_id="wan_v2.2-14b-fp8_s2v_lightx2v",
        reference_image=JPEG,
        reference_audio=M4A,
        audio_start=0,
        audio_duration=5,
        duration=5,
        fps=16,
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.source.content_type) for s in slots] == [
        ("referenceImage", "image", "image/jpeg"),
        ("referenceAudio", "audio", "audio/mp4"),
    ]
    assert_same(
        wire(catalog, params),
        expected(
            "wan_v2.2-14b-fp8_s2v_lightx2v",
            {
                "hasReferenceImage": True,
                "hasReferenceAudio": True,
                "fps": 16,
                "frames": 81,
                "audioStart": 0,
                "audioDuration": 5,
                "referenceImageContentType": "image/jpeg",
                "referenceAudioContentType": "audio/mp4",
            },
        ),
    )


def test_wan_quality_s2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan_v2.2-14b-fp8_s2v",
        reference_image=JPEG,
        reference_audio=MP3,
        duration=4,
        audio_start=1.5,
    )
    assert kf_of(body)["frames"] == 65
    assert kf_of(body)["audioStart"] == 1.5
    assert kf_of(body)["referenceAudioContentType"] == "audio/mpeg"


def test_wan_animate_move(catalog: Catalog) -> None:
    params = make_params(
        "video",
        model_id="wan_v2.2-14b-fp8_animate-move_lightx2v",
        reference_image=JPEG,
        reference_video=MP4,
        video_start=0,
        duration=5,
        fps=16,
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind) for s in slots] == [
        ("referenceImage", "image"),
        ("referenceVideo", "video"),
    ]
    assert_same(
        wire(catalog, params),
        expected(
            "wan_v2.2-14b-fp8_animate-move_lightx2v",
            {
                "hasReferenceImage": True,
                "hasReferenceVideo": True,
                "fps": 16,
                "frames": 81,
                "videoStart": 0,
                "referenceImageContentType": "image/jpeg",
                "referenceVideoContentType": "video/mp4",
            },
        ),
    )


def test_wan_animate_allows_twenty_seconds(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan_v2.2-14b-fp8_animate-move_lightx2v",
        reference_image=JPEG,
        reference_video=MP4,
        duration=20,
    )
    assert kf_of(body)["frames"] == 321


def test_wan_animate_replace_with_sam2_coordinates(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan_v2.2-14b-fp8_animate-replace_lightx2v",
        reference_image=JPEG,
        reference_video=MOV,
        video_start=1.5,
        duration=5,
        fps=16,
        sam2_coordinates=[{"x": 0.5, "y": 0.5}],
    )
    assert_same(
        body,
        expected(
            "wan_v2.2-14b-fp8_animate-replace_lightx2v",
            {
                "hasReferenceImage": True,
                "hasReferenceVideo": True,
                "fps": 16,
                "frames": 81,
                "videoStart": 1.5,
                "sam2Coordinates": '[{"x":0.5,"y":0.5}]',
                "referenceImageContentType": "image/jpeg",
                "referenceVideoContentType": "video/quicktime",
            },
        ),
    )


def test_sam2_coordinates_in_pixels_are_javascript_numbers(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan_v2.2-14b-fp8_animate-replace_lightx2v",
        reference_image=JPEG,
        reference_video=MP4,
        sam2_coordinates=[{"x": 320.0, "y": 180}, {"x": 10.25, "y": 0}],
    )
    assert kf_of(body)["sam2Coordinates"] == '[{"x":320,"y":180},{"x":10.25,"y":0}]'


# ---------------------------------------------------------------------------- LTX


def test_ltx23_t2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_t2v_dev",
        positive_prompt="A butterfly landing on a flower",
        duration=8,
        fps=24,
        width=1536,
        height=1024,
    )
    assert_same(
        body,
        expected(
            "ltx23-22b-fp8_t2v_dev",
            {"fps": 24, "frames": 193, "width": 1536, "height": 1024},
            prompt="A butterfly landing on a flower",
        ),
    )


def test_ltx23_i2v_keyframes_and_voice_identity(catalog: Catalog) -> None:
    params = make_params(
        "video",
        model_id="ltx23-22b-fp8_i2v_dev",
        reference_image=JPEG,
        reference_image_end=PNG,
        reference_audio_identity=WAV,
        audio_identity_strength=3,
        fps=24,
        duration=8,
        first_frame_strength=0.6,
        last_frame_strength=0.6,
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.source.param) for s in slots] == [
        ("referenceImage", "image", "reference_image"),
        ("referenceImageEnd", "image", "reference_image_end"),
        ("referenceAudio", "audio", "reference_audio_identity"),
    ]
    body = wire(catalog, params)
    wanted = expected(
        "ltx23-22b-fp8_i2v_dev",
        {
            "hasReferenceImage": True,
            "hasReferenceImageEnd": True,
            "hasReferenceAudioIdentity": True,
            "identityGuidanceScale": 3,
            "fps": 24,
            "frames": 193,
            "firstFrameStrength": 0.6,
            "lastFrameStrength": 0.6,
            "referenceImageContentType": "image/jpeg",
            "referenceImageEndContentType": "image/png",
            "referenceAudioIdentityContentType": "audio/wav",
            "referenceAudioContentType": "audio/wav",
        },
    )
    assert_same(body, wanted)
    # The identity clip's type is written first, then copied to the shared slot's key.
    assert list(kf_of(body))[-2:] == [
        "referenceAudioIdentityContentType",
        "referenceAudioContentType",
    ]


def test_ltx_last_frame_only_mode(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_i2v_distilled",
        reference_image_end=PNG,
        first_frame_strength=0,
        duration=4,
    )
    assert kf_of(body)["firstFrameStrength"] == 0
    assert kf_of(body)["frames"] == 97
    assert "fps" not in kf_of(body)


def test_ltx23_a2v_without_fps(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_a2v_distilled",
        reference_audio=MP3,
        duration=6,
        audio_start=2,
        audio_duration=6,
    )
    assert_same(
        body,
        expected(
            "ltx23-22b-fp8_a2v_distilled",
            {
                "hasReferenceAudio": True,
                "frames": 145,
                "audioStart": 2,
                "audioDuration": 6,
                "referenceAudioContentType": "audio/mpeg",
            },
        ),
    )


def test_ltx23_ia2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_ia2v_distilled",
        reference_image=JPEG,
        reference_audio=MP3,
        duration=6,
        fps=24,
    )
    assert_same(
        body,
        expected(
            "ltx23-22b-fp8_ia2v_distilled",
            {
                "hasReferenceImage": True,
                "hasReferenceAudio": True,
                "fps": 24,
                "frames": 145,
                "referenceImageContentType": "image/jpeg",
                "referenceAudioContentType": "audio/mpeg",
            },
        ),
    )


def test_ltx23_v2v_canny(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_v2v_distilled",
        reference_video=MP4,
        fps=24,
        duration=5,
        control_net={"name": "canny", "strength": 0.6},
        detailer_strength=0.6,
    )
    assert_same(
        body,
        expected(
            "ltx23-22b-fp8_v2v_distilled",
            {
                "hasReferenceVideo": True,
                "fps": 24,
                "frames": 121,
                "currentControlNetsJob": [{"name": "canny", "controlStrength": 0.6}],
                "detailerStrength": 0.6,
                "referenceVideoContentType": "video/mp4",
            },
        ),
    )


@pytest.mark.parametrize(("name", "strength"), [("pose", 0.85), ("depth", 0.6), ("detailer", 1)])
def test_ltx_v2v_other_controls(catalog: Catalog, name: str, strength: float) -> None:
    body = build(
        catalog,
        model_id="ltx25-22b-int8_v2v_dev",
        reference_video=MP4,
        reference_image=JPEG if name == "pose" else None,
        control_net={"name": name, "strength": strength},
        duration=4,
    )
    kf = kf_of(body)
    assert kf["currentControlNetsJob"] == [{"name": name, "controlStrength": strength}]
    assert kf.get("hasReferenceImage") is (True if name == "pose" else None)


def test_ltx23_v2v_inpaint_uploads_the_mask(catalog: Catalog) -> None:
    params = make_params(
        "video",
        model_id="ltx23-22b-fp8_v2v_distilled",
        reference_video=MP4,
        reference_mask=PNG,
        duration=5,
        control_net={"name": "inpaint"},
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind) for s in slots] == [
        ("referenceVideo", "video"),
        ("referenceMask", "image"),
    ]
    assert_same(
        wire(catalog, params),
        expected(
            "ltx23-22b-fp8_v2v_distilled",
            {
                "hasReferenceVideo": True,
                "hasReferenceMask": True,
                "frames": 121,
                "currentControlNetsJob": [{"name": "inpaint"}],
                "referenceVideoContentType": "video/mp4",
                "referenceMaskContentType": "image/png",
            },
        ),
    )


def test_ltx23_v2v_outpaint(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_v2v_distilled",
        reference_video=MP4,
        control_net={"name": "outpaint"},
        width=1920,
        height=1088,
        outpaint_position="left",
    )
    assert_same(
        body,
        expected(
            "ltx23-22b-fp8_v2v_distilled",
            {
                "hasReferenceVideo": True,
                "currentControlNetsJob": [{"name": "outpaint"}],
                "width": 1920,
                "height": 1088,
                "outpaintPosition": "left",
                "referenceVideoContentType": "video/mp4",
            },
        ),
    )


def test_ltx25_t2v_at_another_fps(catalog: Catalog) -> None:
    body = build(catalog, model_id="ltx25-22b-int8_t2v_distilled", duration=5, fps=30)
    assert (kf_of(body)["fps"], kf_of(body)["frames"]) == (30, 153)


# ---------------------------------------------------------------------------- Seedance


def test_seedance_t2v_sends_no_negative_prompt(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="seedance-2-0",
        positive_prompt="A cinematic neon skyline time lapse",
        duration=5,
        width=1920,
        height=1088,
        token_type="spark",
    )
    assert_same(
        body,
        expected(
            "seedance-2-0",
            {"fps": 24, "frames": 121, "width": 1920, "height": 1088},
            {"tokenType": "spark"},
            drop=("negativePrompt",),
            prompt="A cinematic neon skyline time lapse",
        ),
    )


def test_seedance_multimodal_url_references(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="seedance-2-0",
        duration=8,
        fps=24,
        width=1920,
        height=1088,
        reference_image_urls=["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"],
        reference_video_urls=["https://cdn.example.com/m.mp4"],
        reference_audio_urls=["https://cdn.example.com/r.m4a"],
    )
    wanted = expected(
        "seedance-2-0",
        {
            "referenceImageURLs": [
                "https://cdn.example.com/a.png",
                "https://cdn.example.com/b.png",
            ],
            "referenceAudioURLs": ["https://cdn.example.com/r.m4a"],
            "referenceVideoURLs": ["https://cdn.example.com/m.mp4"],
            "fps": 24,
            "frames": 193,
            "width": 1920,
            "height": 1088,
        },
        drop=("negativePrompt",),
    )
    assert_same(body, wanted)
    assert list(kf_of(body)) == list(kf_of(wanted))


def test_seedance_i2v_and_v2v_from_files(catalog: Catalog) -> None:
    i2v = build(
        catalog, model_id="seedance-2-0", reference_image=JPEG, generate_audio=False, duration=5
    )
    assert_same(
        i2v,
        expected(
            "seedance-2-0",
            {
                "hasReferenceImage": True,
                "generateAudio": False,
                "fps": 24,
                "frames": 121,
                "referenceImageContentType": "image/jpeg",
            },
            drop=("negativePrompt",),
        ),
    )
    v2v = build(catalog, model_id="seedance-2-0-mini", reference_video=MP4, duration=5, fps=24)
    assert_same(
        v2v,
        expected(
            "seedance-2-0-mini",
            {
                "hasReferenceVideo": True,
                "fps": 24,
                "frames": 121,
                "referenceVideoContentType": "video/mp4",
            },
            drop=("negativePrompt",),
        ),
    )


def test_seedance_fast_legacy_id(catalog: Catalog) -> None:
    body = build(catalog, model_id="seedance-2-0-fast", duration=4, width=1280, height=720)
    assert (kf_of(body)["frames"], kf_of(body)["fps"]) == (97, 24)


def test_seedance_25_edit_as_mov_with_last_frame(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="seedance-2-5",
        reference_video_urls=["https://cdn.example.com/src.mp4"],
        return_last_frame=True,
        seedance_task_type="edit",
        duration=12,
        output_format="mov",
    )
    assert_same(
        body,
        expected(
            "seedance-2-5",
            {
                "referenceVideoURLs": ["https://cdn.example.com/src.mp4"],
                "returnLastFrame": True,
                "seedanceTaskType": "edit",
                "fps": 24,
                "frames": 289,
            },
            {"outputFormat": "mov"},
            drop=("negativePrompt",),
        ),
    )


def test_seedance_25_first_and_last_frame(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="seedance-2-5",
        reference_image=JPEG,
        reference_image_end=PNG,
        duration=30,
    )
    kf = kf_of(body)
    assert (kf["hasReferenceImage"], kf["hasReferenceImageEnd"], kf["frames"]) == (True, True, 721)


# ---------------------------------------------------------------------------- other families


def test_happyhorse_r2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="happyhorse-1.1-r2v",
        reference_image=JPEG,
        reference_image_urls=["https://cdn.example.com/a.png"],
        duration=5,
    )
    assert_same(
        body,
        expected(
            "happyhorse-1.1-r2v",
            {
                "hasReferenceImage": True,
                "referenceImageURLs": ["https://cdn.example.com/a.png"],
                "fps": 24,
                "frames": 121,
                "referenceImageContentType": "image/jpeg",
            },
            drop=("negativePrompt",),
        ),
    )


@pytest.mark.parametrize("model_id", ["happyhorse-1.1-t2v", "happyhorse-1.1-i2v"])
def test_happyhorse_t2v_and_i2v(catalog: Catalog, model_id: str) -> None:
    image = JPEG if model_id.endswith("i2v") else None
    body = build(catalog, model_id=model_id, reference_image=image, duration=3)
    assert kf_of(body)["frames"] == 73
    assert kf_of(body).get("hasReferenceImage") is (True if image else None)


def test_wan3_document_reference(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="wan3.0-video",
        positive_prompt="A product explainer",
        reference_file_url="https://cdn.example.com/brief.pdf",
        prompt_extend=False,
        watermark=False,
        ratio="16:9",
        duration=5,
    )
    assert_same(
        body,
        expected(
            "wan3.0-video",
            {
                "referenceFileURL": "https://cdn.example.com/brief.pdf",
                "promptExtend": False,
                "watermark": False,
                "ratio": "16:9",
                "fps": 30,
                "frames": 151,
            },
            drop=("negativePrompt",),
            prompt="A product explainer",
        ),
    )


def test_wan3_enhanced_with_a_link_free_prompt(catalog: Catalog) -> None:
    body = build(catalog, model_id="wan3.0-spicy-video", positive_prompt="x", duration=30)
    assert (kf_of(body)["fps"], kf_of(body)["frames"]) == (30, 901)


def test_h3_i2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="minimax-h3-fl2va-fp8_i2v",
        reference_image=JPEG,
        duration=6,
        width=1344,
        height=768,
    )
    assert_same(
        body,
        expected(
            "minimax-h3-fl2va-fp8_i2v",
            {
                "hasReferenceImage": True,
                "fps": 24,
                "frames": 141,
                "width": 1344,
                "height": 768,
                "referenceImageContentType": "image/jpeg",
            },
            drop=("negativePrompt",),
        ),
    )


def test_h3_r2v_numbered_slots(catalog: Catalog) -> None:
    params = make_params(
        "video",
        model_id="minimax-h3-ref2va-fp8_r2v",
        reference_image=JPEG,
        context_images=[PNG, JPEG],
        reference_video=MP4,
        reference_videos=[MOV],
        reference_video_durations=[4, 5],
        reference_audio=MP3,
        duration=6,
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.upload_id, s.source.param) for s in slots] == [
        ("referenceImage", "image", None, "reference_image"),
        ("contextImage2", "image", None, "context_images[0]"),
        ("contextImage3", "image", None, "context_images[1]"),
        ("referenceAudio", "audio", "referenceAudio1", "reference_audio"),
        ("referenceVideo", "video", "referenceVideo1", "reference_video"),
        ("referenceVideo", "video", "referenceVideo2", "reference_videos[0]"),
    ]
    body = wire(catalog, params)
    wanted = expected(
        "minimax-h3-ref2va-fp8_r2v",
        {
            "hasReferenceImage": True,
            "hasContextImage2": True,
            "hasContextImage3": True,
            "hasReferenceAudio1": True,
            "hasReferenceVideo1": True,
            "referenceVideo1DurationSeconds": 4,
            "hasReferenceVideo2": True,
            "referenceVideo2DurationSeconds": 5,
            "fps": 24,
            "frames": 141,
            "referenceImageContentType": "image/jpeg",
            "referenceAudio1ContentType": "audio/mpeg",
            "referenceVideo1ContentType": "video/mp4",
            "referenceVideo2ContentType": "video/quicktime",
        },
        drop=("negativePrompt",),
    )
    assert_same(body, wanted)
    assert list(kf_of(body)) == list(kf_of(wanted))


def test_h3_r2v_without_reference_image_numbers_context_images_from_one(
    catalog: Catalog,
) -> None:
    params = make_params(
        "video",
        model_id="minimax-h3-ref2va-fp8_r2v_balanced",
        context_images=[PNG],
        reference_audios=[MP3, WAV],
        steps=8,
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.upload_id) for s in slots] == [
        ("contextImage1", None),
        ("referenceAudio", "referenceAudio1"),
        ("referenceAudio", "referenceAudio2"),
    ]
    kf = kf_of(wire(catalog, params))
    assert (kf["hasContextImage1"], kf["hasReferenceAudio1"], kf["hasReferenceAudio2"]) == (
        True,
        True,
        True,
    )
    assert kf["referenceAudio2ContentType"] == "audio/wav"
    assert "hasReferenceAudio" not in kf
    assert "referenceAudioContentType" not in kf


def test_h3_audio_guide_ia2v(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="minimax-h3-fastvideo-int8_ia2v_turbo",
        reference_image=JPEG,
        reference_audio=MP3,
        duration=6,
        audio_start=1.5,
    )
    assert_same(
        body,
        expected(
            "minimax-h3-fastvideo-int8_ia2v_turbo",
            {
                "hasReferenceImage": True,
                "hasReferenceAudio": True,
                "fps": 24,
                "frames": 141,
                "audioStart": 1.5,
                "referenceImageContentType": "image/jpeg",
                "referenceAudioContentType": "audio/mpeg",
            },
            drop=("negativePrompt",),
        ),
    )


@pytest.mark.parametrize(
    ("model_id", "media"),
    [
        ("minimax-h3-fastvideo-int8_flfa2v_turbo_2stage", ("image", "end", "audio")),
        ("minimax-h3-fastvideo-int8_a2v_turbo", ("audio",)),
        ("minimax-h3-fl2va-fp8_flf2v_balanced", ("image", "end")),
        ("minimax-h3-fastvideo-int8_t2v_turbo_2stage", ()),
    ],
)
def test_h3_workflows_and_two_stage_ids(
    catalog: Catalog, model_id: str, media: tuple[str, ...]
) -> None:
    body = build(
        catalog,
        model_id=model_id,
        reference_image=JPEG if "image" in media else None,
        reference_image_end=PNG if "end" in media else None,
        reference_audio=MP3 if "audio" in media else None,
        frames=192 - 17 * 4,
        width=672,
        height=384,
    )
    kf = kf_of(body)
    assert (kf["frames"], kf["fps"], kf["width"], kf["height"]) == (124, 24, 672, 384)
    assert kf.get("hasReferenceAudio") is (True if "audio" in media else None)
    assert "negativePrompt" not in kf


def test_h3_keyframes(catalog: Catalog) -> None:
    params = make_params(
        "video",
        model_id="minimax-h3-fl2va-fp8_flf2v",
        reference_image=JPEG,
        reference_image_end=PNG,
        duration=10,
        keyframes=[{"image": PNG, "frame_index": 180}, {"image": JPEG, "frame_index": 60}],
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.source.param) for s in slots] == [
        ("referenceImage", "image", "reference_image"),
        ("keyframeImage1", "image", "keyframes[0].image"),
        ("keyframeImage2", "image", "keyframes[1].image"),
        ("referenceImageEnd", "image", "reference_image_end"),
    ]
    kf = kf_of(wire(catalog, params))
    assert kf["frames"] == 243
    assert (kf["hasKeyframeImage1"], kf["hasKeyframeImage2"]) == (True, True)
    assert kf["keyframeFrameIndices"] == [180, 60]
    assert "hasKeyframeImage3" not in kf
    keys = list(kf)
    assert keys.index("frames") < keys.index("hasKeyframeImage1") < keys.index("comfySampler")


def test_h3_r2v_keeps_context_slots_next_to_keyframes(catalog: Catalog) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="minimax-h3-ref2va-fp8_r2v",
            reference_image=JPEG,
            context_images=[PNG, PNG],
            duration=10,
            keyframes=[{"image": PNG, "frame_index": 60}, {"image": PNG, "frame_index": 150}],
        )
    )
    assert [k for k in kf if k.startswith("hasContextImage")] == [
        "hasContextImage2",
        "hasContextImage3",
    ]
    assert [k for k in kf if k.startswith("hasKeyframeImage")] == [
        "hasKeyframeImage1",
        "hasKeyframeImage2",
    ]


def test_h3_fasth3_reference_runs_eight_steps(catalog: Catalog) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="minimax-h3-fastvideo-omni-int8_r2v_turbo",
            reference_image=JPEG,
            steps=8,
            duration=6,
        )
    )
    assert (kf["steps"], kf["frames"]) == (8, 141)


def test_flashvsr_minimal(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="flashvsr_v1.1_tiny_long_bf16",
        reference_video=MP4,
        upscale_resolution=1080,
    )
    assert_same(
        body,
        expected(
            "flashvsr_v1.1_tiny_long_bf16",
            {
                "steps": 1,
                "seed": 0,
                "hasReferenceVideo": True,
                "upscaleResolution": 1080,
                "detailPreference": "stable",
                "processingSpeed": "stable",
                "generateAudio": True,
                "interpolation": "none",
                "referenceVideoContentType": "video/mp4",
            },
        ),
    )
    assert list(kf_of(body))[-3:] == ["generateAudio", "interpolation", "referenceVideoContentType"]


def test_flashvsr_source_timing_and_options(catalog: Catalog) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="flashvsr_v1.1_tiny_long_bf16",
            reference_video=MP4,
            width=960,
            height=720,
            upscale_resolution=1440,
            fps=30,
            duration=2.5,
            generate_audio=True,
            seed=-1,
            detail_preference="sharper",
            processing_speed="faster",
        )
    )
    assert (kf["upscaleResolution"], kf["frames"], kf["fps"], kf["seed"]) == (1440, 75, 30, -1)
    assert (kf["width"], kf["height"]) == (960, 720)
    assert (kf["detailPreference"], kf["processingSpeed"]) == ("sharper", "faster")
    # Given by the caller, the key stays where the caller's keys go.
    keys = list(kf)
    assert keys.index("generateAudio") < keys.index("fps")


def test_flashvsr_explicit_frames(catalog: Catalog) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="flashvsr_v1.1_tiny_long_bf16",
            reference_video=MP4,
            upscale_resolution=1440,
            frames=158,
            fps=24,
        )
    )
    assert (kf["frames"], kf["upscaleResolution"]) == (158, 1440)


# ---------------------------------------------------------------------------- shared keys


def test_common_keys_on_a_video_request(catalog: Catalog) -> None:
    body = build(
        catalog,
        model_id="ltx23-22b-fp8_t2v_distilled",
        style_prompt="film grain",
        loras=["ltx-detail"],
        lora_strengths=[0.75],
        number_of_media=3,
        disable_nsfw_filter=True,
        billing_mode="tokens",
        app_source="my-app",
        attribution={"workload_kind": "direct"},
        output_format="mp4",
        duration=4,
    )
    kf = kf_of(body)
    assert (kf["stylePrompt"], kf["loras"], kf["loraStrengths"]) == (
        "film grain",
        ["ltx-detail"],
        [0.75],
    )
    assert (body["numberOfImages"], body["previews"], body["disableSafety"]) == (3, 0, True)
    assert (body["billingMode"], body["appSource"], body["outputFormat"]) == (
        "tokens",
        "my-app",
        "mp4",
    )
    assert (body["workloadKind"], body["operationScope"], body["operationId"]) == (
        "direct",
        "top_level",
        JOB_ID,
    )


def test_sampler_display_names_are_sent_as_aliases(catalog: Catalog) -> None:
    kf = kf_of(
        build(
            catalog,
            model_id="wan_v2.2-14b-fp8_t2v_lightx2v",
            sampler="DPM++ 2M",
            scheduler="Beta",
        )
    )
    assert (kf["comfySampler"], kf["comfyScheduler"]) == ("dpmpp_2m", "beta")


def test_a_sampler_on_a_model_without_samplers_is_sent_as_null(catalog: Catalog) -> None:
    kf = kf_of(build(catalog, model_id="seedance-2-0", sampler="euler", duration=5))
    assert kf["comfySampler"] is None
