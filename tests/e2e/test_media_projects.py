"""Video and audio projects end to end through the public API, over real sockets.

For every workflow: the project completes, the body the fake received is exactly the body our
builder made (checked key by key, with the frame math and asset flags asserted explicitly), and
the downloaded result is real media of its format (parsed, not sized).
"""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sogni import SogniClient, ValidationError
from sogni.projects import video_frames
from sogni.testing import FakeSupernet, read_media_metadata

from ..media_checks import CHECKS

SAMPLE_MP4 = resources.files("sogni.testing").joinpath("data/sample.mp4").read_bytes()


def png(size: tuple[int, int] = (832, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def wav(seconds: float = 2.0, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(9000 * math.sin(i / 9))) for i in range(int(seconds * rate))
            )
        )
    return buffer.getvalue()


WAN_SPEED = "wan_v2.2-14b-fp8_{}_lightx2v"
LTX = "ltx23-22b-fp8_{}_distilled"

# name -> (type, params, explicit key-frame expectations, output format)
WORKFLOWS: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "wan_t2v_speed": (
        "video",
        {
            "model_id": WAN_SPEED.format("t2v"),
            "duration": 5,
            "fps": 32,
            "width": 832,
            "height": 480,
            "steps": 4,
        },
        {"frames": 81},
        "mp4",
    ),
    "wan_t2v_quality": (
        "video",
        {
            "model_id": "wan_v2.2-14b-fp8_t2v",
            "duration": 2,
            "width": 832,
            "height": 480,
            "steps": 20,
            "shift": 8,
        },
        {"frames": 33, "shift": 8},
        "mp4",
    ),
    "wan_i2v_end_frame": (
        "video",
        {
            "model_id": WAN_SPEED.format("i2v"),
            "duration": 3,
            "width": 832,
            "height": 480,
            "reference_image": png(),
            "reference_image_end": png(),
        },
        {"frames": 49, "hasReferenceImage": True, "hasReferenceImageEnd": True},
        "mp4",
    ),
    "wan_s2v": (
        "video",
        {
            "model_id": WAN_SPEED.format("s2v"),
            "duration": 2,
            "width": 832,
            "height": 480,
            "reference_image": png(),
            "reference_audio": wav(),
            "audio_start": 0,
            "audio_duration": 2,
        },
        {"hasReferenceImage": True, "hasReferenceAudio": True},
        "mp4",
    ),
    "wan_animate_move": (
        "video",
        {
            "model_id": "wan_v2.2-14b-fp8_animate-move_lightx2v",
            "duration": 2,
            "width": 832,
            "height": 480,
            "reference_image": png(),
            "reference_video": SAMPLE_MP4,
            "video_start": 0,
        },
        {"hasReferenceImage": True, "hasReferenceVideo": True},
        "mp4",
    ),
    "wan_animate_replace": (
        "video",
        {
            "model_id": "wan_v2.2-14b-fp8_animate-replace_lightx2v",
            "duration": 2,
            "width": 832,
            "height": 480,
            "reference_image": png(),
            "reference_video": SAMPLE_MP4,
        },
        {"hasReferenceImage": True, "hasReferenceVideo": True},
        "mp4",
    ),
    "ltx_t2v": (
        "video",
        {"model_id": LTX.format("t2v"), "duration": 5, "fps": 24, "width": 768, "height": 512},
        {"frames": 121},
        "mp4",
    ),
    "ltx_i2v_strengths": (
        "video",
        {
            "model_id": LTX.format("i2v"),
            "duration": 2,
            "fps": 24,
            "width": 768,
            "height": 512,
            "reference_image": png((768, 512)),
            "reference_image_end": png((768, 512)),
            "first_frame_strength": 0.9,
            "last_frame_strength": 0.6,
        },
        {"frames": 49, "hasReferenceImage": True},
        "mp4",
    ),
    "ltx_a2v": (
        "video",
        {
            "model_id": LTX.format("a2v"),
            "duration": 2,
            "fps": 24,
            "width": 768,
            "height": 512,
            "reference_audio": wav(),
        },
        {"hasReferenceAudio": True},
        "mp4",
    ),
    "ltx_ia2v": (
        "video",
        {
            "model_id": LTX.format("ia2v"),
            "duration": 2,
            "fps": 24,
            "width": 768,
            "height": 512,
            "reference_image": png((768, 512)),
            "reference_audio": wav(),
        },
        {"hasReferenceImage": True, "hasReferenceAudio": True},
        "mp4",
    ),
    "ltx_v2v_canny": (
        "video",
        {
            "model_id": LTX.format("v2v"),
            "duration": 2,
            "fps": 24,
            "width": 768,
            "height": 512,
            "reference_video": SAMPLE_MP4,
            "control_net": {"name": "canny", "strength": 0.7},
        },
        {"frames": 49, "hasReferenceVideo": True},
        "mp4",
    ),
    "ltx_v2v_detailer": (
        "video",
        {
            "model_id": LTX.format("v2v"),
            "duration": 2,
            "fps": 24,
            "width": 768,
            "height": 512,
            "reference_video": SAMPLE_MP4,
            "control_net": {"name": "detailer", "strength": 0.5},
            "detailer_strength": 0.4,
        },
        {"hasReferenceVideo": True},
        "mp4",
    ),
    "ltx25_t2v": (
        "video",
        {
            "model_id": "ltx25-22b-int8_t2v_distilled",
            "duration": 3,
            "fps": 25,
            "width": 768,
            "height": 512,
        },
        {"frames": 73},
        "mp4",
    ),
    "seedance_t2v": (
        "video",
        {
            "model_id": "seedance-2-0",
            "duration": 5,
            "width": 1280,
            "height": 720,
            "token_type": "spark",
        },
        {"frames": 121},
        "mp4",
    ),
    "seedance_fast_i2v": (
        "video",
        {
            "model_id": "seedance-2-0-fast",
            "duration": 4,
            "width": 1280,
            "height": 720,
            "token_type": "spark",
            "reference_image": png((1280, 720)),
        },
        {"hasReferenceImage": True},
        "mp4",
    ),
    "seedance_25_mov": (
        "video",
        {
            "model_id": "seedance-2-5",
            "duration": 4,
            "width": 1280,
            "height": 720,
            "token_type": "spark",
            "output_format": "mov",
        },
        {},
        "mov",
    ),
    "wan3": (
        "video",
        {
            "model_id": "wan3.0-video",
            "duration": 5,
            "width": 1280,
            "height": 720,
            "token_type": "spark",
        },
        {"frames": 151},
        "mp4",
    ),
    "happyhorse_t2v": (
        "video",
        {
            "model_id": "happyhorse-1.1-t2v",
            "duration": 5,
            "width": 1280,
            "height": 720,
            "token_type": "spark",
        },
        {"frames": 121},
        "mp4",
    ),
    "seedance_url_references": (
        "video",
        {
            "model_id": "seedance-2-0",
            "duration": 5,
            "width": 1280,
            "height": 720,
            "token_type": "spark",
            "reference_image_urls": ["https://example.com/a.png", "https://example.com/b.png"],
            "reference_video_urls": ["https://example.com/clip.mp4"],
            "reference_audio_urls": ["https://example.com/a.mp3"],
        },
        {},
        "mp4",
    ),
    "h3_flf2v_keyframes": (
        "video",
        {
            "model_id": "minimax-h3-fl2va-fp8_flf2v",
            "duration": 10,
            "width": 768,
            "height": 448,
            "reference_image": png((768, 448)),
            "reference_image_end": png((768, 448)),
            "keyframes": [{"image": png((768, 448)), "frame_index": 60}],
        },
        {"hasKeyframeImage1": True, "keyframeFrameIndices": [60]},
        "mp4",
    ),
    "h3_ia2v_audio_guide_two_stage": (
        "video",
        {
            "model_id": "minimax-h3-fastvideo-int8_ia2v_turbo_2stage",
            "duration": 6,
            "width": 768,
            "height": 448,
            "reference_image": png((768, 448)),
            "reference_audio": wav(6.0, 8000),
            "audio_start": 0,
        },
        {"hasReferenceImage": True, "hasReferenceAudio": True, "fps": 24},
        "mp4",
    ),
    "h3_r2v_context": (
        "video",
        {
            "model_id": "minimax-h3-ref2va-fp8_r2v_balanced",
            "duration": 6,
            "width": 768,
            "height": 448,
            "reference_image": png((768, 448)),
            "context_images": [png((768, 448))],
        },
        {"hasReferenceImage": True, "hasContextImage2": True},
        "mp4",
    ),
    "ace_step_turbo_mp3": (
        "audio",
        {
            "model_id": "ace_step_1.5_turbo",
            "duration": 30,
            "bpm": 120,
            "keyscale": "C major",
            "time_signature": "4",
            "lyrics": "[verse]\nla la la",
            "language": "en",
        },
        {},
        "mp3",
    ),
    "ace_step_sft_wav": (
        "audio",
        {
            "model_id": "ace_step_1.5_sft",
            "duration": 20,
            "output_format": "wav",
            "number_of_media": 2,
        },
        {},
        "wav",
    ),
    "ace_step_flac": (
        "audio",
        {
            "model_id": "ace_step_1.5_turbo",
            "duration": 15,
            "output_format": "flac",
            "composer_mode": True,
            "prompt_strength": 2,
            "creativity": 1,
        },
        {},
        "flac",
    ),
    "ace_step_xl": (
        "audio",
        {
            "model_id": "ace_step_1.5_xl_turbo",
            "duration": 30,
            "keyscale": "F# major",
            "time_signature": "3",
        },
        {},
        "mp3",
    ),
}


@pytest.fixture
def client(make_client: Callable[..., SogniClient]) -> SogniClient:
    c = make_client()
    c.connect()
    return c


@pytest.mark.parametrize("name", list(WORKFLOWS))
def test_workflow_end_to_end(
    name: str, client: SogniClient, fake: FakeSupernet, tmp_path: Path
) -> None:
    kind, params, expected_kf, fmt = WORKFLOWS[name]
    project = client.projects.create(
        type=kind, positive_prompt=f"workflow {name}", seed=5, **params
    )
    urls = project.wait(timeout=60)
    assert len(urls) == params.get("number_of_media", 1)

    [received] = [f for f in fake.frames("jobRequest") if f.payload["jobID"] == project.id]
    body = received.payload
    # The exact body our builder made for these params (no key added, lost or retyped in transit).
    from sogni.projects._build import build_job_request
    from sogni.projects._service import ProjectsService
    from sogni.projects._validation import validate

    service = client._core.extension("projects", ProjectsService)
    catalog = service.catalog(client.config)
    built = build_job_request(
        project.params,
        job_id=project.id,
        catalog=catalog,
        app_source=None,
        slots=validate(project.params, catalog),
    )
    assert body == built
    key_frame = body["keyFrames"][0]
    for key, value in expected_kf.items():
        assert key_frame[key] == value, key
    if kind == "video" and "frames" in key_frame:
        assert key_frame["frames"] == video_frames(
            params["model_id"], params["duration"], params.get("fps") or key_frame.get("fps")
        )
    assert body["previews"] == 0 and body["outputFormat"] == fmt

    for path in project.download(tmp_path):
        data = path.read_bytes()
        CHECKS[fmt](data)
        meta = read_media_metadata(data)
        assert meta["project_id"] == project.id
        assert meta["seed"] in {"5", "6"}


def test_vendor_progress_is_finite_and_monotonic(client: SogniClient) -> None:
    seen: list[int] = []
    project = client.projects.create(
        type="video",
        model_id="seedance-2-0",
        positive_prompt="waves",
        duration=4,
        width=1280,
        height=720,
        token_type="spark",
    )
    project.on("progress", seen.append)
    [url] = project.wait(timeout=60)
    assert url.startswith("http")
    assert seen and seen == sorted(seen) and all(0 <= p <= 100 for p in seen)


def test_client_refuses_before_sending(client: SogniClient, fake: FakeSupernet) -> None:
    with pytest.raises(ValidationError) as info:
        client.projects.create(
            type="video",
            model_id="seedance-2-0",
            positive_prompt="x",
            duration=30,
            token_type="sogni",
            fps=30,
            reference_audio=wav(),
        )
    assert {"duration", "token_type", "fps"} <= set(info.value.params)
    with pytest.raises(ValidationError) as info:
        client.projects.create(
            type="audio", model_id="ace_step_1.5_turbo", duration=5, bpm=999, number_of_media=9
        )
    assert {"duration", "bpm", "number_of_media"} <= set(info.value.params)
    assert fake.frames("jobRequest") == []


def test_video_and_audio_estimates(client: SogniClient) -> None:
    video = client.projects.estimate_video_cost(
        model_id=WAN_SPEED.format("t2v"),
        positive_prompt="x",
        duration=5,
        fps=16,
        width=832,
        height=480,
        steps=4,
    )
    audio = client.projects.estimate_audio_cost(
        model_id="ace_step_1.5_turbo", positive_prompt="x", duration=30
    )
    assert video.spark and video.spark > 0
    assert audio.spark and audio.spark > 0
