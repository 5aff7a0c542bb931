"""Video and audio projects on FakeSupernet's server side, driven over real loopback with a raw
WebSocket (websocket-client), plain ``requests`` and the envelope codec: no SDK projects code.
Every delivered file is checked by a parser: an ISO-BMFF box walk, MPEG audio frame headers,
the ``wave`` module, the FLAC STREAMINFO block."""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import wave
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from sogni.testing import FakeSupernet, read_media_metadata

from ..raw_artist import Artist, api, new_project_id, socket_rest

DATA = Path(__file__).resolve().parent.parent / "unit" / "data"
WAN_T2V = "wan_v2.2-14b-fp8_t2v_lightx2v"
WAN_I2V = "wan_v2.2-14b-fp8_i2v_lightx2v"
WAN_S2V = "wan_v2.2-14b-fp8_s2v_lightx2v"
WAN_REPLACE = "wan_v2.2-14b-fp8_animate-replace_lightx2v"
LTX_T2V = "ltx23-22b-fp8_t2v_distilled"
LTX_I2V = "ltx23-22b-fp8_i2v_distilled"
LTX_V2V = "ltx23-22b-fp8_v2v_distilled"
LTX_A2V = "ltx23-22b-fp8_a2v_distilled"
SEEDANCE = "seedance-2-0"
SEEDANCE_25 = "seedance-2-5"
H3_T2V = "minimax-h3-fl2va-fp8_t2v_turbo"
H3_R2V = "minimax-h3-ref2va-fp8_r2v_turbo"
H3_IA2V = "minimax-h3-fastvideo-int8_ia2v_turbo"
ACE = "ace_step_1.5_turbo"

TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


@pytest.fixture
def artist(fake: FakeSupernet) -> Iterator[Artist]:
    conn = Artist(fake)
    yield conn
    conn.close()


def media_request(model: str, *, kf: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """A video/audio jobRequest as the official clients build it (trimmed legacy template)."""
    frame = {
        "modelID": model,
        "positivePrompt": "a lighthouse in a storm",
        "stylePrompt": "",
        "scheduler": None,
        "timeStepSpacing": None,
        "strength": 0.5,
        "startingImage": None,
        "currentControlNets": None,
        "comfySampler": None,
        "comfyScheduler": None,
    }
    frame.update(kf or {})
    body = {
        "jobID": new_project_id(),
        "keyFrames": [frame],
        "numberOfImages": 1,
        "previews": 0,
        "disableSafety": False,
        "tokenType": "spark",
        "outputFormat": "mp4",
        "selectedUpscalingModel": "OFF",
        "frameRate": 24,
        "generatedVideoSeconds": 10,
    }
    body.update(top)
    return body


def upload(
    fake: FakeSupernet, pid: str, slot: str, data: bytes, content_type: str, **q: str
) -> None:
    """A presigned upload on the image endpoint (image slots) or the media endpoint."""
    media = slot.startswith(("referenceAudio", "referenceVideo"))
    params = {"jobId": pid, "type": slot, "contentType": content_type, **q}
    if not media:
        params["imageId"] = new_project_id()
    endpoint = "/v1/media/uploadUrl" if media else "/v1/image/uploadUrl"
    response = api(fake, endpoint, **params)
    assert response.status_code == 200, response.text
    put = requests.put(
        response.json()["data"]["uploadUrl"],
        data=data,
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert put.status_code == 200


def sample(fmt: str) -> bytes:
    """An input file of ``fmt`` (the fake's own samples are real files)."""
    from sogni.testing._media import render_media

    return render_media(fmt=fmt, metadata={})


def media_download(fake: FakeSupernet, pid: str, img_id: str, **extra: str) -> requests.Response:
    response = api(fake, "/v1/media/downloadUrl", jobId=pid, id=img_id, type="complete", **extra)
    assert response.status_code == 200, response.text
    fetched = requests.get(response.json()["data"]["downloadUrl"], timeout=10)
    assert fetched.status_code == 200
    return fetched


def run(artist: Artist, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    pid = artist.submit(body)
    kind, payload = artist.finish(pid)
    assert (kind, payload.get("type")) == ("jobState", "jobCompleted"), payload
    results = sorted((p for _, p in artist.of(pid, "jobResult")), key=lambda r: r["jobIndex"])
    return pid, results


# =============================================================================== parsers


def mp4_boxes(data: bytes) -> list[bytes]:
    """Top-level ISO-BMFF box types; every size must add up to the file length."""
    kinds, pos = [], 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        assert size >= 8 and pos + size <= len(data), (kind, size)
        kinds.append(kind)
        pos += size
    assert pos == len(data)
    return kinds


def assert_mp4(data: bytes, brand: bytes = b"isom") -> None:
    kinds = mp4_boxes(data)
    assert kinds[0] == b"ftyp" and data[8:12] == brand
    assert b"moov" in kinds and b"mdat" in kinds


def assert_mp3(data: bytes) -> None:
    assert data[:3] == b"ID3"
    size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]
    pos, frames = 10 + size, 0
    bitrates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]  # MPEG-2 L3
    while pos + 4 <= len(data):
        header = int.from_bytes(data[pos : pos + 4], "big")
        assert header >> 21 == 0x7FF, f"no frame sync at {pos}"
        version, layer = (header >> 19) & 3, (header >> 17) & 3
        bitrate_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
        assert version == 2 and layer == 1  # MPEG-2, Layer III
        assert bitrate_index not in (0, 15) and rate_index != 3
        rate = (22050, 24000, 16000)[rate_index]
        padding = (header >> 9) & 1
        pos += 72 * bitrates[bitrate_index] * 1000 // rate + padding
        frames += 1
    assert pos == len(data) and frames >= 10


def assert_wav(data: bytes) -> None:
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        assert reader.getframerate() == 8000 and reader.getnframes() > 0
        assert len(reader.readframes(reader.getnframes())) == 2 * reader.getnframes()


def assert_flac(data: bytes) -> None:
    assert data[:4] == b"fLaC"
    assert data[4] & 0x7F == 0  # STREAMINFO comes first
    assert int.from_bytes(data[5:8], "big") == 34
    info = data[8:42]
    min_block, max_block = struct.unpack(">HH", info[:4])
    packed = int.from_bytes(info[10:18], "big")
    rate, channels = packed >> 44, ((packed >> 41) & 7) + 1
    bits, samples = ((packed >> 36) & 31) + 1, packed & (2**36 - 1)
    assert 16 <= min_block <= max_block
    assert (rate, channels, bits) == (8000, 1, 16) and samples > 0


# =============================================================================== video happy paths


def test_wan_t2v_renders_an_mp4_with_steps_and_a_per_second_eta(
    fake: FakeSupernet, artist: Artist
) -> None:
    body = media_request(
        WAN_T2V,
        kf={"steps": 4, "guidanceScale": 1, "seed": 42, "frames": 81, "shift": 5},
        network="fast",
    )
    pid, (result,) = run(artist, body)
    img = result["imgID"]
    frames = [(k, p) for k, p in artist.of(pid) if p.get("imgID") == img]
    states = [(k, p.get("type"), (p.get("preparation") or {}).get("step")) for k, p in frames]
    assert states[:3] == [
        ("jobState", "initiatingModel", "start"),
        ("jobState", "initiatingModel", "end"),
        ("jobState", "jobStarted", None),
    ]
    assert frames[0][1]["preparation"]["model"] == "WAN"
    progress = [p for k, p in frames if k == "jobProgress"]
    assert [p["step"] for p in progress] == [1, 2, 3, 4]
    assert all(p["stepCount"] == 4 and "hasImage" not in p for p in progress)
    etas = [p["etaSeconds"] for k, p in frames if k == "jobETA"]
    # Four steps of five simulated seconds: one ETA per simulated second, counting down.
    assert len(etas) == 20 and etas == sorted(etas, reverse=True) and etas[-1] >= 0
    assert all(p["jobID"] == pid and p["imgID"] == img for k, p in frames if k == "jobETA")
    assert result == {
        "jobID": pid,
        "imgID": img,
        "performedStepCount": 4,
        "lastSeed": "42",
        "triggeredNSFWFilter": False,
        "nsfwDetected": False,
        "nsfwSources": [],
        "userCanceled": False,
        "outputFormat": "mp4",
        "jobIndex": 0,
    }
    fetched = media_download(fake, pid, img)
    assert fetched.headers["Content-Type"] == "video/mp4"
    assert_mp4(fetched.content)
    meta = read_media_metadata(fetched.content)
    assert (meta["project_id"], meta["job_id"], meta["job_index"], meta["seed"]) == (
        pid,
        img,
        "0",
        "42",
    )
    assert (meta["frames"], meta["fps"], meta["requested_size"]) == ("81", "16", "832x480")
    assert (meta["model_id"], meta["format"]) == (WAN_T2V, "mp4")
    # The image endpoint points media results elsewhere (PY 5.70 retries on this message).
    wrong = api(fake, "/v1/image/downloadUrl", jobId=pid, imageId=img, type="complete")
    assert wrong.status_code == 404 and "/v1/media/downloadUrl" in wrong.text


def test_wan_i2v_protocol_example_with_fps_32(fake: FakeSupernet, artist: Artist) -> None:
    body = json.loads((DATA / "job_request_10_2.json").read_text())
    pid = body["jobID"] = new_project_id()
    upload(fake, pid, "referenceImage", TINY_PNG, "image/jpeg")
    upload(fake, pid, "referenceImageEnd", TINY_PNG, "image/png")
    _, (result,) = run(artist, body)
    assert result["lastSeed"] == "98765" and result["outputFormat"] == "mp4"
    meta = read_media_metadata(media_download(fake, pid, result["imgID"]).content)
    assert (meta["frames"], meta["fps"], meta["requested_size"]) == ("81", "32", "832x480")
    record = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]
    assert (record["modelType"], record["videoFrames"], record["videoFps"]) == ("video", 81, 32)


def test_wan_s2v_takes_an_image_and_an_audio_clip(fake: FakeSupernet, artist: Artist) -> None:
    body = media_request(
        WAN_S2V,
        kf={
            "hasReferenceImage": True,
            "hasReferenceAudio": True,
            "fps": 16,
            "frames": 81,
            "audioStart": 0,
            "audioDuration": 5,
            "referenceImageContentType": "image/png",
            "referenceAudioContentType": "audio/mpeg",
        },
    )
    upload(fake, body["jobID"], "referenceImage", TINY_PNG, "image/png")
    upload(fake, body["jobID"], "referenceAudio", sample("mp3"), "audio/mpeg")
    pid, (result,) = run(artist, body)
    assert_mp4(media_download(fake, pid, result["imgID"]).content)
    kinds = {(u["type"], u["endpoint"]) for u in fake.uploads(pid)}
    assert kinds == {("referenceImage", "image"), ("referenceAudio", "media")}


def test_wan_animate_replace_takes_an_image_a_video_and_coordinates(
    fake: FakeSupernet, artist: Artist
) -> None:
    body = media_request(
        WAN_REPLACE,
        kf={
            "hasReferenceImage": True,
            "hasReferenceVideo": True,
            "frames": 161,
            "videoStart": 1.5,
            "sam2Coordinates": '[{"x":0.5,"y":0.5}]',
            "referenceVideoContentType": "video/mp4",
        },
    )
    upload(fake, body["jobID"], "referenceImage", TINY_PNG, "image/png")
    upload(fake, body["jobID"], "referenceVideo", sample("mp4"), "video/mp4")
    pid, (result,) = run(artist, body)
    assert (
        read_media_metadata(media_download(fake, pid, result["imgID"]).content)["frames"] == "161"
    )


@pytest.mark.parametrize(
    ("model", "kf", "uploads"),
    [
        (LTX_T2V, {"fps": 24, "frames": 193, "width": 1536, "height": 1024, "shift": 3}, []),
        (
            LTX_I2V,
            {
                "hasReferenceImage": True,
                "hasReferenceImageEnd": True,
                "hasReferenceAudioIdentity": True,
                "identityGuidanceScale": 3,
                "fps": 24,
                "frames": 193,
                "firstFrameStrength": 0.6,
                "lastFrameStrength": 0.6,
                "referenceAudioIdentityContentType": "audio/wav",
                "referenceAudioContentType": "audio/wav",
                "loras": ["ltx-handheld-camera"],
                "loraStrengths": [0.8],
            },
            [("referenceImage", "png"), ("referenceImageEnd", "png"), ("referenceAudio", "wav")],
        ),
        (
            LTX_V2V,
            {
                "hasReferenceVideo": True,
                "fps": 24,
                "frames": 121,
                "currentControlNetsJob": [{"name": "canny", "controlStrength": 0.6}],
                "detailerStrength": 0.6,
            },
            [("referenceVideo", "mp4")],
        ),
        (
            LTX_A2V,
            {"hasReferenceAudio": True, "frames": 145, "audioStart": 2, "audioDuration": 6},
            [("referenceAudio", "flac")],
        ),
    ],
    ids=["t2v", "i2v", "v2v", "a2v"],
)
def test_ltx_workflows(
    fake: FakeSupernet,
    artist: Artist,
    model: str,
    kf: dict[str, Any],
    uploads: list[tuple[str, str]],
) -> None:
    body = media_request(model, kf={"negativePrompt": "", **kf})
    for slot, fmt in uploads:
        ctype = {"png": "image/png", "mp4": "video/mp4", "wav": "audio/wav", "flac": "audio/flac"}
        data = TINY_PNG if fmt == "png" else sample(fmt)
        upload(fake, body["jobID"], slot, data, ctype[fmt])
    pid, (result,) = run(artist, body)
    assert [p["step"] for _, p in artist.of(pid, "jobProgress")] == list(range(1, 9))
    assert artist.of(pid, "jobETA")
    data = media_download(fake, pid, result["imgID"]).content
    assert_mp4(data)
    meta = read_media_metadata(data)
    assert meta["frames"] == str(kf["frames"]) and meta["fps"] == "24"  # fps implied when absent


def test_seedance_reports_provider_progress_and_a_direct_url(
    fake: FakeSupernet, artist: Artist
) -> None:
    body = media_request(SEEDANCE, kf={"fps": 24, "frames": 121, "width": 1920, "height": 1088})
    pid, (result,) = run(artist, body)
    fractions = [p["progress"] for _, p in artist.of(pid, "jobProgress")]
    assert len(fractions) == 7 and all(math.isfinite(f) and 0 < f < 1 for f in fractions)
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert all("step" not in p for _, p in artist.of(pid, "jobProgress"))
    etas = [p["etaSeconds"] for _, p in artist.of(pid, "jobETA")]
    assert etas and etas == sorted(etas, reverse=True)
    assert result["outputFormat"] == "mp4" and "lastFrameUrl" not in result
    fetched = requests.get(result["resultUrl"], timeout=10)
    assert fetched.headers["Content-Type"] == "video/mp4"
    assert_mp4(fetched.content)
    assert read_media_metadata(fetched.content)["requested_size"] == "1920x1088"
    (job,) = api(fake, f"/v1/projects/{pid}").json()["data"]["project"]["completedWorkerJobs"]
    assert job["resultUrl"] == result["resultUrl"]


def test_seedance_25_delivers_mov_and_a_last_frame(fake: FakeSupernet, artist: Artist) -> None:
    body = media_request(
        SEEDANCE_25,
        kf={
            "referenceVideoURLs": ["https://cdn.example.com/src.mp4"],
            "returnLastFrame": True,
            "seedanceTaskType": "edit",
            "fps": 24,
            "frames": 289,
        },
        outputFormat="mov",
    )
    pid, (result,) = run(artist, body)
    assert result["outputFormat"] == "mov"
    fetched = requests.get(result["resultUrl"], timeout=10)
    assert fetched.headers["Content-Type"] == "video/quicktime"
    assert_mp4(fetched.content, brand=b"qt  ")
    last = requests.get(result["lastFrameUrl"], timeout=10)
    assert last.headers["Content-Type"] == "image/jpeg" and last.content[:3] == b"\xff\xd8\xff"
    minted = media_download(fake, pid, result["imgID"], artifact="lastFrame")
    assert minted.content == last.content
    no_frame = api(fake, "/v1/media/downloadUrl", jobId=pid, id="nope", type="complete")
    assert no_frame.status_code == 404


def test_h3_t2v_on_its_frame_grid(fake: FakeSupernet, artist: Artist) -> None:
    body = media_request(
        H3_T2V, kf={"steps": 4, "guidanceScale": 1, "fps": 24, "frames": 141, "width": 1344}
    )
    body["keyFrames"][0]["height"] = 768
    pid, (result,) = run(artist, body)
    assert [p["step"] for _, p in artist.of(pid, "jobProgress")] == [1, 2, 3, 4]
    meta = read_media_metadata(media_download(fake, pid, result["imgID"]).content)
    assert (meta["frames"], meta["fps"], meta["requested_size"]) == ("141", "24", "1344x768")


def test_h3_r2v_numbered_reference_slots(fake: FakeSupernet, artist: Artist) -> None:
    body = media_request(
        H3_R2V,
        kf={
            "hasReferenceImage": True,
            "hasContextImage2": True,
            "hasReferenceVideo1": True,
            "referenceVideo1DurationSeconds": 4,
            "hasReferenceAudio1": True,
            "hasReferenceAudio2": True,
            "fps": 24,
            "frames": 141,
            "referenceVideo1ContentType": "video/mp4",
            "referenceAudio2ContentType": "audio/wav",
        },
    )
    pid = body["jobID"]
    upload(fake, pid, "referenceImage", TINY_PNG, "image/png")
    upload(fake, pid, "contextImage2", TINY_PNG, "image/png")
    upload(fake, pid, "referenceVideo", sample("mp4"), "video/mp4", id="referenceVideo1")
    upload(fake, pid, "referenceAudio", sample("mp3"), "audio/mpeg", id="referenceAudio1")
    upload(fake, pid, "referenceAudio2", sample("wav"), "audio/wav")  # the Python SDK's form
    _, (result,) = run(artist, body)
    assert_mp4(media_download(fake, pid, result["imgID"]).content)
    ids = {(u["type"], u["id"]) for u in fake.uploads(pid) if u["endpoint"] == "media"}
    assert ids == {
        ("referenceVideo", "referenceVideo1"),
        ("referenceAudio", "referenceAudio1"),
        ("referenceAudio", "referenceAudio2"),
    }


# =============================================================================== audio happy paths


def test_ace_step_protocol_example_renders_two_mp3_tracks(
    fake: FakeSupernet, artist: Artist
) -> None:
    body = json.loads((DATA / "job_request_10_3.json").read_text())
    pid = body["jobID"] = new_project_id()
    _, results = run(artist, body)
    assert [r["lastSeed"] for r in results] == ["424242", "424243"]
    assert not artist.of(pid, "jobETA")  # jobETA is the video workers' habit
    for result in results:
        assert result["outputFormat"] == "mp3" and result["performedStepCount"] == 8
        fetched = media_download(fake, pid, result["imgID"], contentType="audio/mpeg")
        assert fetched.headers["Content-Type"] == "audio/mpeg"
        assert_mp3(fetched.content)
        meta = read_media_metadata(fetched.content)
        assert (meta["job_index"], meta["duration"]) == (str(result["jobIndex"]), "30")


@pytest.mark.parametrize(
    ("fmt", "content_type", "check"),
    [
        ("mp3", "audio/mpeg", assert_mp3),
        ("wav", "audio/wav", assert_wav),
        ("flac", "audio/flac", assert_flac),
    ],
)
def test_ace_step_output_formats(
    fake: FakeSupernet, artist: Artist, fmt: str, content_type: str, check: Any
) -> None:
    body = media_request(
        ACE,
        kf={"duration": 45, "bpm": 90, "timesignature": "3", "keyscale": "F\u266f minor"},
        outputFormat=fmt,
    )
    pid, (result,) = run(artist, body)
    assert result["outputFormat"] == fmt
    fetched = media_download(fake, pid, result["imgID"])
    assert fetched.headers["Content-Type"] == content_type
    check(fetched.content)
    meta = read_media_metadata(fetched.content)
    assert (meta["project_id"], meta["format"], meta["duration"]) == (pid, fmt, "45")
    assert meta["seed"] == result["lastSeed"]


# =============================================================================== refusals


def _refusal(artist: Artist, body: dict[str, Any]) -> dict[str, Any]:
    pid = artist.submit(body)
    _, payload = artist.wait_for("jobError", lambda p: p["jobID"] == pid)
    assert "imgID" not in payload and payload["isFromWorker"] is False
    assert artist.fake.project_snapshot(pid) is None
    return dict(payload)


@pytest.mark.parametrize(
    ("model", "kf", "top", "needle"),
    [
        # WAN: fps 16/32 only, tier steps/guidance ranges, frame range, formats
        (WAN_T2V, {"fps": 24}, {}, "keyFrames[0].fps must be one of 16, 32"),
        (WAN_T2V, {"steps": 20}, {}, "keyFrames[0].steps"),
        (WAN_T2V, {"guidanceScale": 5}, {}, "keyFrames[0].guidanceScale"),
        (WAN_T2V, {"frames": 200}, {}, "keyFrames[0].frames must be from 17 to 161"),
        (WAN_T2V, {"shift": 9}, {}, "keyFrames[0].shift"),
        (WAN_T2V, {}, {"outputFormat": "mov"}, "mov is supported only by Seedance 2.5"),
        (WAN_T2V, {}, {"outputFormat": "png"}, "outputFormat must be mov, mp4"),
        (WAN_T2V, {}, {"numberOfImages": 5}, "numberOfImages must be an integer from 1 to 4"),
        (WAN_T2V, {"teacacheThreshold": 2}, {}, "teacacheThreshold"),
        (WAN_T2V, {"audioStart": 1}, {}, "audioStart is not used"),
        (WAN_T2V, {"sam2Coordinates": "[]"}, {}, "sam2Coordinates is only supported"),
        (WAN_T2V, {"referenceImageURLs": ["https://x/a.png"]}, {}, "external reference URLs"),
        # LoRA limits
        (LTX_T2V, {"loras": ["ltx-handheld-camera"] * 9}, {}, "at most 8 LoRAs"),
        (LTX_T2V, {"loras": ["wan-slow-motion"]}, {}, "does not support"),
        (LTX_T2V, {"loras": ["ltx-handheld-camera"], "loraStrengths": [500]}, {}, "loraStrengths"),
        # LTX frame grid and fps
        (LTX_T2V, {"frames": 100}, {}, "1 + 8n"),
        (LTX_T2V, {"fps": 120}, {}, "keyFrames[0].fps must be a number from 1 to 60"),
        (LTX_T2V, {"frames": 505}, {}, "renders 1 to 20 s"),
        (LTX_T2V, {"width": 4000, "height": 720}, {}, "keyFrames[0].width"),
        (LTX_T2V, {"shift": 9}, {}, "keyFrames[0].shift must be a number from 1 to 8"),
        (SEEDANCE, {"shift": 3}, {}, "keyFrames[0].shift is not supported"),
        # Required and forbidden assets per workflow (protocol/02 §7.5)
        (WAN_S2V, {"hasReferenceImage": True}, {}, "requires referenceAudio"),
        (WAN_I2V, {}, {}, "requires referenceImage or referenceImageEnd"),
        (WAN_T2V, {"hasReferenceVideo": True}, {}, "does not take referenceVideo"),
        (LTX_I2V, {"hasReferenceImage": True}, {}, "referenceImage was not uploaded"),
        (LTX_A2V, {}, {}, "requires referenceAudio"),
        (
            LTX_V2V,
            {"hasReferenceVideo": True, "currentControlNetsJob": [{"name": "x"}]},
            {},
            "name",
        ),
        # Vendors: Spark only, their own durations and fps
        (SEEDANCE, {}, {"tokenType": "sogni"}, "billed in Spark only"),
        (SEEDANCE, {"frames": 481}, {}, "renders 4 to 15 s"),
        (SEEDANCE, {"fps": 30}, {}, "keyFrames[0].fps must be one of 24"),
        (SEEDANCE, {"seedanceTaskType": "edit"}, {}, "supported only by Seedance 2.5"),
        (SEEDANCE, {"returnLastFrame": True}, {}, "only by Seedance 2.5"),
        (SEEDANCE_25, {"seedanceTaskType": "edit"}, {}, "edit requires at least one reference"),
        ("happyhorse-1.1-i2v", {}, {}, "exactly one first-frame reference image"),
        ("wan3.0-video", {"fps": 24}, {}, "keyFrames[0].fps must be one of 30"),
        ("wan3.0-spicy-video", {"watermark": True}, {}, "no watermark option"),
        # MiniMax H3: fixed steps, fps and guidance; frame and size grids
        (H3_T2V, {"steps": 8}, {}, "keyFrames[0].steps is fixed at 4"),
        (H3_T2V, {"fps": 30}, {}, "keyFrames[0].fps must be one of 24"),
        (H3_T2V, {"guidanceScale": 2}, {}, "keyFrames[0].guidanceScale is fixed at 1"),
        (H3_T2V, {"frames": 130}, {}, "MiniMax H3 grid"),
        (H3_T2V, {"width": 1000, "height": 768}, {}, "multiple of 32"),
        (H3_T2V, {"audioDuration": 5}, {}, "no audioDuration"),
        (H3_IA2V, {"loras": ["wan-slow-motion"]}, {}, "does not take LoRAs"),
        (H3_R2V, {}, {}, "at least one reference image or video"),
        ("flashvsr_v1.1_tiny_long_bf16", {}, {"numberOfImages": 2}, "1 for FlashVSR"),
        # Audio: the tier's ranges and lists
        (ACE, {"bpm": 400}, {"outputFormat": "mp3"}, "keyFrames[0].bpm"),
        (ACE, {"duration": 5}, {"outputFormat": "mp3"}, "keyFrames[0].duration"),
        (ACE, {"timesignature": "5"}, {"outputFormat": "mp3"}, "keyFrames[0].timesignature"),
        (ACE, {"language": "xx"}, {"outputFormat": "mp3"}, "keyFrames[0].language"),
        (ACE, {"keyscale": "H major"}, {"outputFormat": "mp3"}, "keyFrames[0].keyscale"),
        (ACE, {"creativity": 3}, {"outputFormat": "mp3"}, "keyFrames[0].creativity"),
        (ACE, {"promptStrength": 11}, {"outputFormat": "mp3"}, "keyFrames[0].promptStrength"),
        (ACE, {"steps": 20}, {"outputFormat": "mp3"}, "keyFrames[0].steps"),
        (ACE, {"comfySampler": "heun"}, {"outputFormat": "mp3"}, "keyFrames[0].comfySampler"),
        (ACE, {}, {"outputFormat": "ogg"}, "outputFormat must be flac, mp3, wav"),
        (ACE, {}, {"outputFormat": "mp3", "numberOfImages": 5}, "from 1 to 4"),
        ("ace_step_1.5_sft", {"guidanceScale": 20}, {"outputFormat": "mp3"}, "guidanceScale"),
        ("minimax_music3", {"bpm": 120}, {"outputFormat": "mp3"}, "bpm is not supported"),
        (
            "qwen3_tts_1.7b_voice_clone_bf16",
            {},
            {"outputFormat": "wav"},
            "requires referenceAudio",
        ),
        ("qwen3_tts_1.7b_voice_design_bf16", {}, {"outputFormat": "wav"}, "instruct is required"),
        (
            "qwen3_tts_1.7b_custom_voice_bf16",
            {"speaker": "bob"},
            {"outputFormat": "wav"},
            "speaker",
        ),
    ],
)
def test_invalid_media_requests_are_refused(
    artist: Artist, model: str, kf: dict[str, Any], top: dict[str, Any], needle: str
) -> None:
    refusal = _refusal(artist, media_request(model, kf=kf, **top))
    assert refusal["error"] == 4000
    assert needle in refusal["error_message"], refusal["error_message"]


def test_vendor_models_bill_in_spark_without_a_token_type(
    fake: FakeSupernet, artist: Artist
) -> None:
    body = media_request("wan3.0-video", kf={"frames": 151})
    del body["tokenType"]
    pid, (result,) = run(artist, body)
    snapshot = fake.project_snapshot(pid)
    assert snapshot is not None and snapshot["token_type"] == "spark"
    assert Decimal(snapshot["charged"]) > 0 and result["resultUrl"]


def test_video_models_run_on_the_fast_network_only(artist: Artist) -> None:
    refusal = _refusal(artist, media_request(WAN_T2V, network="relaxed"))
    assert refusal["error"] == 4104 and "fast" in refusal["error_message"]


def test_every_media_problem_is_listed(artist: Artist) -> None:
    body = media_request(H3_T2V, kf={"steps": 20, "fps": 30, "frames": 100}, outputFormat="wav")
    message = _refusal(artist, body)["error_message"]
    for key in ("outputFormat", "keyFrames[0].steps", "keyFrames[0].fps", "keyFrames[0].frames"):
        assert key in message


def test_content_types_must_match_the_slot(fake: FakeSupernet, artist: Artist) -> None:
    body = media_request(
        WAN_S2V,
        kf={
            "hasReferenceImage": True,
            "hasReferenceAudio": True,
            "referenceAudioContentType": "video/mp4",
        },
    )
    upload(fake, body["jobID"], "referenceImage", TINY_PNG, "image/png")
    upload(fake, body["jobID"], "referenceAudio", sample("mp3"), "audio/mpeg")
    assert "referenceAudioContentType" in _refusal(artist, body)["error_message"]


def test_prompt_markers_script_video_projects(fake: FakeSupernet, artist: Artist) -> None:
    body = media_request(SEEDANCE, kf={"positivePrompt": "a storm [retry] [nsfw]"})
    pid, (result,) = run(artist, body)
    assert len(artist.of(pid, "jobRetry")) == 1
    assert result["triggeredNSFWFilter"] is True and "resultUrl" not in result
    missing = api(fake, "/v1/media/downloadUrl", jobId=pid, id=result["imgID"], type="complete")
    assert missing.status_code == 404
    failing = artist.submit(media_request(WAN_T2V, kf={"positivePrompt": "[fail]"}))
    kind, payload = artist.finish(failing)
    assert (kind, payload["error"]) == ("jobError", "genfailure")


# =============================================================================== estimates


def test_video_estimates_match_the_amount_held(fake: FakeSupernet, artist: Artist) -> None:
    path = f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/81/16/4/2"
    estimate = socket_rest(fake, path, network="fast").json()
    quote = estimate["quote"]
    assert estimate["request"]["frames"] == 81 and estimate["request"]["duration"] == 5
    assert Decimal(quote["project"]["costInSpark"]) == 2 * Decimal(quote["job"]["costInSpark"])
    assert quote["job"]["calculatedStepCount"] == 4
    body = media_request(WAN_T2V, kf={"steps": 4, "frames": 81, "fps": 16}, numberOfImages=2)
    pid = artist.submit(body)
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    held = fake.project_snapshot(pid)
    assert held is not None and Decimal(held["held"]) == Decimal(quote["project"]["costInSpark"])
    # Six segments (no steps): the tier's default steps, one video.
    short = socket_rest(fake, f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/81/16").json()
    assert Decimal(short["quote"]["project"]["costInSpark"]) * 2 == Decimal(
        quote["project"]["costInSpark"]
    )
    # The TypeScript client sends "undefined" for unset sizes and fps.
    undefined = socket_rest(
        fake, f"/api/v1/job-video/estimate/spark/{WAN_T2V}/undefined/undefined/81/undefined"
    )
    assert undefined.json()["quote"] == short["quote"]
    longer = socket_rest(fake, f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/161/16").json()
    video_in = socket_rest(
        fake, f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/81/16", hasVideoInput="1"
    ).json()
    relaxed = socket_rest(
        fake, f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/81/16", network="relaxed"
    ).json()
    base = Decimal(short["quote"]["project"]["costInUSD"])
    assert Decimal(longer["quote"]["project"]["costInUSD"]) == 2 * base
    assert Decimal(video_in["quote"]["project"]["costInUSD"]) > base
    assert Decimal(relaxed["quote"]["project"]["costInUSD"]) * 2 == base


def test_vendor_video_estimates_add_a_fee_per_second(fake: FakeSupernet) -> None:
    five = socket_rest(fake, f"/api/v1/job-video/estimate/spark/{SEEDANCE}/1280/720/121/24")
    ten = socket_rest(fake, f"/api/v1/job-video/estimate/spark/{SEEDANCE}/1280/720/241/24")
    five_usd = Decimal(five.json()["quote"]["project"]["costInUSD"])
    ten_usd = Decimal(ten.json()["quote"]["project"]["costInUSD"])
    assert five_usd >= Decimal("0.5") and ten_usd == 2 * five_usd  # 0.10 USD a second + render


def test_audio_estimates_match_the_amount_held(fake: FakeSupernet, artist: Artist) -> None:
    estimate = socket_rest(fake, f"/api/v1/job-audio/estimate/spark/{ACE}/60/8/2").json()
    assert estimate["request"]["duration"] == 60 and estimate["request"]["imageCount"] == 2
    body = media_request(ACE, kf={"duration": 60, "steps": 8}, numberOfImages=2, outputFormat="wav")
    pid = artist.submit(body)
    artist.wait_for("jobState", lambda p: p["jobID"] == pid)
    held = fake.project_snapshot(pid)
    assert held is not None
    assert Decimal(held["held"]) == Decimal(estimate["quote"]["project"]["costInSpark"])
    half = socket_rest(fake, f"/api/v1/job-audio/estimate/sogni/{ACE}/30/8/2").json()
    assert Decimal(half["quote"]["project"]["costInUSD"]) * 2 == Decimal(
        estimate["quote"]["project"]["costInUSD"]
    )
    assert half["quote"]["project"]["costInToken"] == half["quote"]["project"]["costInSogni"]
    defaults = socket_rest(fake, f"/api/v1/job-audio/estimate/spark/{ACE}/30/undefined/1")
    assert defaults.json()["request"]["stepCount"] == 8


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/job-video/estimate/spark/nope/832/480/81/16", 404),
        ("/api/v1/job-video/estimate/spark/flux1-schnell-fp8/832/480/81/16", 400),
        (f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/0/16", 400),
        (f"/api/v1/job-video/estimate/spark/{WAN_T2V}/832/480/81", 404),
        (f"/api/v1/job-video/estimate/gold/{WAN_T2V}/832/480/81/16", 400),
        (f"/api/v1/job-audio/estimate/spark/{WAN_T2V}/30/8/1", 400),
        (f"/api/v1/job-audio/estimate/spark/{ACE}/-5/8/1", 400),
        (f"/api/v1/job-audio/estimate/spark/{ACE}/30/8", 404),
        (f"/api/v2/job/estimate/spark/fast/{WAN_T2V}/1/4/0/0/0/832/480", 400),
    ],
)
def test_bad_media_estimates_are_refused(fake: FakeSupernet, path: str, status: int) -> None:
    assert socket_rest(fake, path).status_code == status


# =============================================================================== records


def test_media_records_carry_model_type_frames_fps_and_duration(fake: FakeSupernet) -> None:
    conn = Artist(fake, app_id="recorder")
    fake.hold_results(True)
    video = conn.submit(media_request(LTX_T2V, kf={"frames": 121, "width": 1280, "height": 736}))
    audio = conn.submit(media_request(ACE, kf={"duration": 40}, outputFormat="flac"))
    for pid in (video, audio):
        conn.wait_for("jobProgress", lambda p, pid=pid: p["jobID"] == pid)
    conn.close()
    back = Artist(fake, app_id="recorder")
    active = {p["id"]: p for p in back.authenticated["activeProjects"]}
    synced = {
        p["id"]: p
        for p in socket_rest(fake, "/api/v1/artist/projects/sync", appId="recorder").json()[
            "activeProjects"
        ]
    }
    live = {pid: api(fake, f"/v2/projects/{pid}").json()["data"]["project"] for pid in active}
    for records in (active, synced, live):
        v, a = records[video], records[audio]
        assert (v["modelType"], v["videoFrames"], v["videoFps"]) == ("video", 121, 24)
        assert (v["width"], v["height"], v["model"]["type"]) == (1280, 736, "video")
        assert (a["modelType"], a["audioDuration"], a["model"]["type"]) == ("audio", 40, "audio")
        assert "videoFrames" not in a and "width" not in a
        (vjob,) = v["workerJobs"]
        assert (vjob["modelType"], vjob["videoFrames"], vjob["videoFps"]) == ("video", 121, 24)
        assert (vjob["width"], vjob["height"]) == (1280, 736)
        (ajob,) = a["workerJobs"]
        assert (ajob["modelType"], ajob["audioDuration"], ajob["outputFormat"]) == (
            "audio",
            40,
            "flac",
        )
    assert json.loads(base64.b64decode(active[video]["clientRequestData"]))["jobID"] == video
    fake.hold_results(False)
    for pid in (video, audio):
        back.finish(pid)
    done = api(fake, f"/v1/projects/{video}").json()["data"]["project"]
    assert (done["modelType"], done["videoFrames"], done["status"]) == ("video", 121, "completed")
    (job,) = done["completedWorkerJobs"]
    assert job["modelType"] == "video" and "resultUrl" not in job  # GPU jobs are minted
    back.close()


# =============================================================================== metadata reader


def test_read_media_metadata_reads_each_format_and_rejects_others() -> None:
    for fmt in ("mp4", "mov", "mp3", "wav", "flac"):
        assert read_media_metadata(sample(fmt)) == {"format": fmt}
    with pytest.raises(ValueError, match="not a media file"):
        read_media_metadata(b"definitely not media")
