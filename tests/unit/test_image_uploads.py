"""Media uploads: presigned-URL queries, streamed PUTs, retries with the same bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import pytest

from sogni._transport.rest import RestClient
from sogni.config import ClientConfig, RetryPolicy
from sogni.errors import PermissionDeniedError, ProtocolError
from sogni.projects._uploads import upload_media
from sogni.projects._validation import MediaSlot
from sogni.projects.media import resolve_media

from ..scripted_http import ScriptedServer
from ..scripted_http import scripted_server as scripted_server

# The api host and the object store are one scripted server; the store's paths start /put/.
JOB_ID = "1B4E28BA-2FA1-41D2-883F-0016D3CCA427"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
MP3 = b"ID3\x04" + bytes(300)


class _Key:
    def headers(self) -> dict[str, str]:
        return {"api-key": "test-key-123"}

    def is_authenticated(self) -> bool:
        return True

    def on_unauthorized(self) -> None:
        pass


@pytest.fixture
def config(mocked: ScriptedServer) -> ClientConfig:
    return ClientConfig(
        rest_endpoint=mocked.url,
        retry=RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.001),
        sleep=lambda _seconds: None,
    )


@pytest.fixture
def rest(config: ClientConfig) -> Iterator[RestClient]:
    client = RestClient(config, _Key())
    yield client
    client.close()


@pytest.fixture
def mocked(scripted_server: ScriptedServer) -> Iterator[ScriptedServer]:
    scripted_server.reset()
    yield scripted_server
    scripted_server.reset()


def slot(name: str, data: bytes, kind: str = "image", upload_id: str | None = None) -> MediaSlot:
    source = resolve_media(data, name, kind=kind)  # type: ignore[arg-type]
    return MediaSlot(slot=name, kind=kind, source=source, upload_id=upload_id)  # type: ignore[arg-type]


def query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def presign(mocked: ScriptedServer, endpoint: str, target: str) -> None:
    mocked.get(endpoint, json={"status": "success", "data": {"uploadUrl": mocked.url + target}})


def capture_put(mocked: ScriptedServer, path: str, statuses: list[int]) -> list[dict[str, Any]]:
    """Answer PUTs with ``statuses`` in turn; record what each attempt sent."""
    seen: list[dict[str, Any]] = []

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        seen.append({"headers": request.headers, "data": request.body})
        status = statuses[min(len(seen), len(statuses)) - 1]
        return status, {}, "" if status < 400 else '{"message":"denied"}'

    mocked.add_callback("PUT", path, callback=callback)
    return seen


def test_image_upload(rest: RestClient, config: ClientConfig, mocked: ScriptedServer) -> None:
    presign(mocked, "/v1/image/uploadUrl", "/put/start?sig=abc")
    puts = capture_put(mocked, "/put/start", [200])
    upload_media(rest, config, JOB_ID, [slot("startingImage", PNG)])

    get = mocked.calls[0].request
    pairs = query(get.url)
    assert [k for k, _ in pairs] == ["imageId", "jobId", "type", "contentType"]
    values = dict(pairs)
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", values["imageId"]
    )
    assert values["jobId"] == JOB_ID
    assert values["type"] == "startingImage"
    assert values["contentType"] == "image/png"
    assert get.headers["api-key"] == "test-key-123"

    assert len(puts) == 1
    put = puts[0]
    assert put["data"] == PNG
    assert put["headers"]["Content-Type"] == "image/png"
    assert put["headers"]["Content-Length"] == str(len(PNG))
    assert "api-key" not in put["headers"]
    assert "Authorization" not in put["headers"]


def test_media_upload_query(rest: RestClient, config: ClientConfig, mocked: ScriptedServer) -> None:
    presign(mocked, "/v1/media/uploadUrl", "/put/audio")
    capture_put(mocked, "/put/audio", [200, 200])
    upload_media(
        rest,
        config,
        JOB_ID,
        [
            slot("referenceAudio", MP3, kind="audio"),
            slot("referenceAudio", MP3, kind="audio", upload_id="referenceAudio2"),
        ],
    )
    gets = [c.request for c in mocked.calls if c.request.method == "GET"]
    assert query(gets[0].url) == [
        ("jobId", JOB_ID),
        ("type", "referenceAudio"),
        ("contentType", "audio/mpeg"),
    ]
    assert query(gets[1].url) == [
        ("jobId", JOB_ID),
        ("type", "referenceAudio"),
        ("id", "referenceAudio2"),
        ("contentType", "audio/mpeg"),
    ]


def test_retry_sends_the_same_bytes(
    rest: RestClient, config: ClientConfig, mocked: ScriptedServer, tmp_path: Path
) -> None:
    path = tmp_path / "context.png"
    path.write_bytes(PNG)
    resolved = resolve_media(path, "context_images[0]", kind="image")
    opened: list[Any] = []

    def opener() -> Any:
        # Every attempt gets its own stream of the file, handed to the HTTP stack unread.
        stream = resolved.open()
        opened.append(stream)
        return stream

    source = attrs.evolve(resolved, opener=opener)
    presign(mocked, "/v1/image/uploadUrl", "/put/ctx")
    puts = capture_put(mocked, "/put/ctx", [503, 502, 200])
    upload_media(
        rest, config, JOB_ID, [MediaSlot(slot="contextImage1", kind="image", source=source)]
    )
    assert [p["data"] for p in puts] == [PNG, PNG, PNG]
    assert len(opened) == 3
    assert len({id(stream) for stream in opened}) == 3
    assert all(stream.closed for stream in opened)
    # One presigned URL serves every attempt.
    assert sum(1 for c in mocked.calls if c.request.method == "GET") == 1


def test_slots_upload_in_order_and_stop_at_the_first_failure(
    rest: RestClient, config: ClientConfig, mocked: ScriptedServer
) -> None:
    targets = iter(["/put/1", "/put/2", "/put/3"])

    def presigned(request: Any) -> tuple[int, dict[str, str], str]:
        url = mocked.url + next(targets)
        return 200, {}, json.dumps({"status": "success", "data": {"uploadUrl": url}})

    mocked.add_callback("GET", "/v1/image/uploadUrl", callback=presigned)
    first = capture_put(mocked, "/put/1", [200])
    second = capture_put(mocked, "/put/2", [403])
    third = capture_put(mocked, "/put/3", [200])
    slots = [slot("referenceMask", PNG), slot("startingImage", PNG), slot("cnImage", PNG)]
    with pytest.raises(PermissionDeniedError) as info:
        upload_media(rest, config, JOB_ID, slots)
    assert str(info.value) == "Failed to upload startingImage: denied"
    assert info.value.status == 403
    assert (len(first), len(second), len(third)) == (1, 1, 0)
    types = [dict(query(c.request.url))["type"] for c in mocked.calls if c.request.method == "GET"]
    assert types == ["referenceMask", "startingImage"]


def test_missing_upload_url_is_a_protocol_error(
    rest: RestClient, config: ClientConfig, mocked: ScriptedServer
) -> None:
    mocked.get("/v1/image/uploadUrl", json={"status": "success", "data": {}})
    with pytest.raises(ProtocolError, match="uploadUrl"):
        upload_media(rest, config, JOB_ID, [slot("startingImage", PNG)])


def test_no_slots_no_requests(
    rest: RestClient, config: ClientConfig, mocked: ScriptedServer
) -> None:
    upload_media(rest, config, JOB_ID, [])
    assert len(mocked.calls) == 0
