"""Video and audio media uploads (protocol/02 §8.2-§8.3): the slots validation returns, the
presigned-URL query of each (image or media endpoint, numbered ``id``), and the streamed PUT
with the sniffed content type."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from sogni._transport.rest import RestClient
from sogni.config import ClientConfig
from sogni.projects._uploads import upload_media
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog
from sogni.projects.params import make_params
from tests.scripted_http import ScriptedServer
from tests.scripted_http import scripted_server as scripted_server
from tests.unit.test_image_uploads import JOB_ID, query
from tests.unit.test_image_uploads import config as config
from tests.unit.test_image_uploads import mocked as mocked
from tests.unit.test_image_uploads import rest as rest

from ._support import load_catalog

JPEG = b"\xff\xd8\xff\xe0" + bytes(100)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
M4A = b"\x00\x00\x00\x20ftypM4A " + bytes(100)
MP3 = b"ID3\x04" + bytes(100)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(100)
FLAC = b"fLaC" + bytes(100)
MP4 = b"\x00\x00\x00\x20ftypisom" + bytes(100)
WEBM = b"\x1a\x45\xdf\xa3" + bytes(100)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("media_catalog")


class Store:
    """A presigning endpoint pair and an object store that records every PUT."""

    def __init__(self, mocked: ScriptedServer) -> None:
        self.mocked = mocked
        self.puts: list[dict[str, Any]] = []
        counter = iter(range(1, 100))

        def presign(request: Any) -> tuple[int, dict[str, str], str]:
            url = f"{mocked.url}/put/{next(counter)}"
            return 200, {}, json.dumps({"status": "success", "data": {"uploadUrl": url}})

        def put(request: Any) -> tuple[int, dict[str, str], str]:
            self.puts.append({"headers": request.headers, "data": request.body})
            return 200, {}, ""

        for endpoint in ("/v1/image/uploadUrl", "/v1/media/uploadUrl"):
            mocked.add_callback("GET", endpoint, callback=presign)
        mocked.add_callback("PUT", re.compile("/put/.*"), callback=put)

    def requests(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(endpoint path, query pairs) of every presign request, in order."""
        return [
            (c.request.path_url.split("?")[0], query(c.request.url))
            for c in self.mocked.calls
            if c.request.method == "GET"
        ]


@pytest.fixture
def store(mocked: ScriptedServer) -> Store:
    return Store(mocked)


def upload(
    rest: RestClient, config: ClientConfig, catalog: Catalog, type_: str, **kwargs: Any
) -> None:
    slots = validate(make_params(type_, **kwargs), catalog)
    upload_media(rest, config, JOB_ID, slots)


def without_image_id(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    assert pairs[0][0] == "imageId"
    return pairs[1:]


def test_wan_s2v_uploads_an_image_then_an_audio(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
) -> None:
    upload(
        rest,
        config,
        catalog,
        "video",
        model_id="wan_v2.2-14b-fp8_s2v_lightx2v",
        reference_image=JPEG,
        reference_audio=M4A,
    )
    (image_path, image_query), (media_path, media_query) = store.requests()
    assert image_path == "/v1/image/uploadUrl"
    assert without_image_id(image_query) == [
        ("jobId", JOB_ID),
        ("type", "referenceImage"),
        ("contentType", "image/jpeg"),
    ]
    assert media_path == "/v1/media/uploadUrl"
    assert media_query == [
        ("jobId", JOB_ID),
        ("type", "referenceAudio"),
        ("contentType", "audio/mp4"),
    ]
    assert [(p["data"], p["headers"]["Content-Type"]) for p in store.puts] == [
        (JPEG, "image/jpeg"),
        (M4A, "audio/mp4"),
    ]
    assert all("api-key" not in p["headers"] for p in store.puts)


def test_h3_r2v_numbered_media_slots(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
) -> None:
    upload(
        rest,
        config,
        catalog,
        "video",
        model_id="minimax-h3-ref2va-fp8_r2v",
        reference_image=JPEG,
        context_images=[PNG],
        reference_audios=[MP3, WAV],
        reference_video=MP4,
        reference_videos=[WEBM],
    )
    requests = store.requests()
    assert [path for path, _ in requests] == [
        "/v1/image/uploadUrl",
        "/v1/image/uploadUrl",
        "/v1/media/uploadUrl",
        "/v1/media/uploadUrl",
        "/v1/media/uploadUrl",
        "/v1/media/uploadUrl",
    ]
    assert [dict(q)["type"] for _, q in requests[:2]] == ["referenceImage", "contextImage2"]
    assert [q for _, q in requests[2:]] == [
        [
            ("jobId", JOB_ID),
            ("type", "referenceAudio"),
            ("id", "referenceAudio1"),
            ("contentType", "audio/mpeg"),
        ],
        [
            ("jobId", JOB_ID),
            ("type", "referenceAudio"),
            ("id", "referenceAudio2"),
            ("contentType", "audio/wav"),
        ],
        [
            ("jobId", JOB_ID),
            ("type", "referenceVideo"),
            ("id", "referenceVideo1"),
            ("contentType", "video/mp4"),
        ],
        [
            ("jobId", JOB_ID),
            ("type", "referenceVideo"),
            ("id", "referenceVideo2"),
            ("contentType", "video/webm"),
        ],
    ]
    assert [p["data"] for p in store.puts] == [JPEG, PNG, MP3, WAV, MP4, WEBM]


def test_ltx_identity_clip_goes_to_the_reference_audio_slot(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
) -> None:
    upload(
        rest,
        config,
        catalog,
        "video",
        model_id="ltx23-22b-fp8_i2v_dev",
        reference_image=JPEG,
        reference_audio_identity=FLAC,
    )
    assert store.requests()[1] == (
        "/v1/media/uploadUrl",
        [("jobId", JOB_ID), ("type", "referenceAudio"), ("contentType", "audio/flac")],
    )


def test_inpaint_mask_and_keyframes_use_the_image_endpoint(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
) -> None:
    upload(
        rest,
        config,
        catalog,
        "video",
        model_id="ltx23-22b-fp8_v2v_distilled",
        reference_video=MP4,
        reference_mask=PNG,
        control_net={"name": "inpaint"},
    )
    upload(
        rest,
        config,
        catalog,
        "video",
        model_id="minimax-h3-fl2va-fp8_i2v",
        reference_image=JPEG,
        frames=141,
        keyframes=[{"image": PNG, "frame_index": 70}],
    )
    types = [(path, dict(q)["type"]) for path, q in store.requests()]
    assert types == [
        ("/v1/media/uploadUrl", "referenceVideo"),
        ("/v1/image/uploadUrl", "referenceMask"),
        ("/v1/image/uploadUrl", "referenceImage"),
        ("/v1/image/uploadUrl", "keyframeImage1"),
    ]


def test_voice_clone_audio_upload(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
) -> None:
    upload(
        rest,
        config,
        catalog,
        "audio",
        model_id="qwen3_tts_1.7b_voice_clone_bf16",
        reference_audio=WAV,
    )
    assert store.requests() == [
        (
            "/v1/media/uploadUrl",
            [("jobId", JOB_ID), ("type", "referenceAudio"), ("contentType", "audio/wav")],
        )
    ]
    assert store.puts[0]["headers"]["Content-Type"] == "audio/wav"


def test_music_and_text_videos_upload_nothing(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
) -> None:
    upload(rest, config, catalog, "audio", model_id="ace_step_1.5_turbo", lyrics="la la")
    upload(
        rest,
        config,
        catalog,
        "video",
        model_id="seedance-2-0",
        reference_image_urls=["https://cdn.example.com/a.png"],
    )
    assert store.requests() == []


def test_a_large_video_is_streamed_from_disk(
    rest: RestClient,
    config: ClientConfig,
    catalog: Catalog,
    store: Store,
    tmp_path: Path,
) -> None:
    path = tmp_path / "drive.mp4"
    path.write_bytes(MP4 + bytes(4 * 1024 * 1024))
    slots = validate(
        make_params(
            "video",
            model_id="wan_v2.2-14b-fp8_animate-move_lightx2v",
            reference_image=JPEG,
            reference_video=path,
        ),
        catalog,
    )
    video = slots[1]
    opened: list[Any] = []

    def opener() -> Any:
        stream = video.source.open()
        opened.append(stream)
        return stream

    streamed = attrs.evolve(video, source=attrs.evolve(video.source, opener=opener))
    upload_media(rest, config, JOB_ID, [slots[0], streamed])
    put = store.puts[1]
    assert put["headers"]["Content-Type"] == "video/mp4"
    assert put["headers"]["Content-Length"] == str(path.stat().st_size)
    assert put["data"] == path.read_bytes()
    # The body handed to the HTTP stack is the open file, not its bytes.
    assert len(opened) == 1
    assert isinstance(opened[0], io.BufferedReader)
    assert opened[0].closed
