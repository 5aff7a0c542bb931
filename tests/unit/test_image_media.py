"""Media inputs: paths, bytes, file objects; content sniffing; fresh streams; no full reads."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from sogni.errors import ValidationError
from sogni.projects.media import MediaSource, resolve_media, sniff_content_type

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(40))


def problem(value: Any, kind: str = "image") -> str:
    with pytest.raises(ValidationError) as info:
        resolve_media(value, "starting_image", kind=kind)  # type: ignore[arg-type]
    assert info.value.params == ["starting_image"]
    return info.value.problems[0].message


@pytest.mark.parametrize(
    ("head", "kind", "content_type"),
    [
        (b"\xff\xd8\xff\xdb" + bytes(12), "image", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + bytes(8), "image", "image/png"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image", "image/webp"),
        (b"GIF89a" + bytes(10), "image", "image/gif"),
        (b"\0\0\0\x20ftypisom\0\0\0\0", "video", "video/mp4"),
        (b"\0\0\0\x20ftypqt  \0\0\0\0", "video", "video/quicktime"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", "audio", "audio/mp4"),
        (b"RIFF\0\0\0\0WAVEfmt ", "audio", "audio/wav"),
        (b"ID3\x04" + bytes(12), "audio", "audio/mpeg"),
        (b"\xff\xfb\x90\x00" + bytes(12), "audio", "audio/mpeg"),
        (b"fLaC" + bytes(12), "audio", "audio/flac"),
        (b"OggS" + bytes(12), "audio", "audio/ogg"),
        (b"OggS" + bytes(12), "video", "video/ogg"),
        (b"\x1a\x45\xdf\xa3" + bytes(12), "audio", "audio/webm"),
        (b"\x1a\x45\xdf\xa3" + bytes(12), "video", "video/webm"),
        (b"plain text here!", "image", None),
    ],
)
def test_sniffing(head: bytes, kind: str, content_type: str | None) -> None:
    assert sniff_content_type(head, kind) == content_type  # type: ignore[arg-type]


def test_path_input(tmp_path: Path) -> None:
    path = tmp_path / "pose.png"
    path.write_bytes(PNG)
    for value in (path, str(path)):
        source = resolve_media(value, "control_net.image", kind="image")
        assert (source.param, source.size, source.content_type, source.filename) == (
            "control_net.image",
            len(PNG),
            "image/png",
            "pose.png",
        )
        assert source.open().read() == PNG


def test_path_is_sniffed_not_trusted_by_extension(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(JPEG)
    assert resolve_media(path, "p", kind="image").content_type == "image/jpeg"


def test_audio_path_falls_back_to_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "voice.m4a"
    path.write_bytes(b"\0\0\0\x20wide" + bytes(40))
    assert resolve_media(path, "p", kind="audio").content_type == "audio/mp4"


def test_home_directory_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "a.png").write_bytes(PNG)
    assert resolve_media("~/a.png", "p", kind="image").size == len(PNG)


def test_bytes_like_inputs() -> None:
    for value in (PNG, bytearray(PNG), memoryview(PNG)):
        source = resolve_media(value, "p", kind="image")
        assert (source.size, source.content_type, source.filename) == (len(PNG), "image/png", None)
        assert source.open().read() == PNG


def test_mutable_buffers_are_snapshotted() -> None:
    buffer = bytearray(PNG)
    source = resolve_media(buffer, "p", kind="image")
    buffer[0:4] = b"XXXX"
    assert source.open().read() == PNG


def test_binary_file_object_from_its_current_position() -> None:
    stream = io.BytesIO(b"HEADER" + PNG)
    stream.seek(6)
    source = resolve_media(stream, "p", kind="image")
    assert (source.size, source.content_type) == (len(PNG), "image/png")
    first = source.open()
    assert first.read() == PNG
    first.close()
    assert not stream.closed  # closing our stream leaves the caller's file open
    second = source.open()
    assert second.read(4) == PNG[:4]
    assert source.open().read() == PNG  # every open starts again at the first byte


def test_named_file_object(tmp_path: Path) -> None:
    path = tmp_path / "ref.jpg"
    path.write_bytes(JPEG)
    with path.open("rb") as handle:
        source = resolve_media(handle, "p", kind="image")
        assert source.filename == "ref.jpg"
        assert source.open().read() == JPEG


class _Pipe(io.RawIOBase):
    """An unseekable stream that hands out its data in small pieces."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece, self._data = self._data[:5], self._data[5:]
        buffer[: len(piece)] = piece
        return len(piece)


def test_unseekable_stream_is_spooled_once() -> None:
    source = resolve_media(_Pipe(PNG), "p", kind="image")
    assert source.size == len(PNG)
    assert source.open().read() == PNG
    assert source.open().read() == PNG


def test_fresh_streams_are_independent() -> None:
    source = resolve_media(PNG, "p", kind="image")
    a, b = source.open(), source.open()
    assert a is not b
    a.read(10)
    assert b.read() == PNG


def test_large_file_is_never_read_whole(tmp_path: Path) -> None:
    size = 48 * 1024 * 1024
    path = tmp_path / "big.png"
    with path.open("wb") as handle:
        handle.write(PNG)
        handle.truncate(size)
    tracemalloc.start()
    try:
        source = resolve_media(path, "p", kind="image")
        stream = source.open()
        total = 0
        while chunk := stream.read(1 << 16):
            total += len(chunk)
        stream.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.size == size
    assert total == size
    assert peak < 2 * 1024 * 1024, peak


def test_large_file_object_reads_only_the_head() -> None:
    reads: list[int] = []

    class Counting(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            reads.append(len(data))
            return data

    data = PNG + bytes(8 * 1024 * 1024)
    source = resolve_media(Counting(data), "p", kind="image")
    assert sum(reads) <= 16
    assert source.size == len(data)


def test_problems() -> None:
    assert problem(b"") == "is empty"
    assert problem(b"just some text, definitely no image") == (
        "must be a JPEG, PNG, WebP or GIF image"
    )
    assert (
        problem(b"ID3\x04" + bytes(20))
        == "must be a JPEG, PNG, WebP or GIF image (found audio/mpeg)"
    )
    assert (
        problem(PNG, kind="video")
        == "must be an MP4, MOV, WebM or Ogg video file (found image/png)"
    )
    assert problem("https://cdn.example.com/a.png").startswith("URLs are not accepted")
    assert problem("data:image/png;base64,AAAA").startswith("URLs are not accepted")
    assert problem(12) == "must be a file path, bytes or a binary file object, not int"
    assert problem(io.StringIO("text")) == "the file object must be opened in binary mode ('rb')"


def test_path_problems(tmp_path: Path) -> None:
    assert problem(tmp_path / "nope.png").startswith("file not found: ")
    assert problem(tmp_path).startswith("is a directory, not a file")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert problem(empty) == "is empty"


def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with path.open() as handle:
        assert problem(handle) == "the file object must be opened in binary mode ('rb')"


def test_media_source_repr_hides_the_opener() -> None:
    source = resolve_media(PNG, "p", kind="image")
    assert isinstance(source, MediaSource)
    assert "opener" not in repr(source)
