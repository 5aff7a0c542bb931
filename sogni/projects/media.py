"""Media inputs: paths, bytes and binary file objects, resolved without loading files.

Every local file a project uses is uploaded to a presigned URL before the job request is sent
(never as data inside the request). :func:`resolve_media` checks an input once (exists, not
empty, recognisable type) and returns a :class:`MediaSource` whose :meth:`MediaSource.open`
gives a fresh stream from the start on every call, so an upload can be retried with the same
bytes. Files are read in chunks by the upload; only the first bytes are read here, to sniff the
content type.
"""

from __future__ import annotations

import io
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import BinaryIO, Final, Literal, Union

import attrs

from ..errors import ValidationError, ValidationProblem

__all__ = ["MediaInput", "MediaKind", "MediaSource", "resolve_media", "sniff_content_type"]

MediaInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO]
"""A filesystem path, raw bytes, or a binary file object (read from its current position)."""

#: The three kinds of media a project input or result can be.
MediaKind = Literal["image", "audio", "video"]

_HEAD_SIZE: Final = 16
# Unseekable streams are copied once so that retries can re-read them; small ones stay in memory.
_SPOOL_IN_MEMORY: Final = 8 * 1024 * 1024
_TEXT_MODE: Final = "the file object must be opened in binary mode ('rb')"
_IMAGE_TYPES: Final = ("image/jpeg", "image/png", "image/webp", "image/gif")
_EXPECTED: Final = {
    "image": "a JPEG, PNG, WebP or GIF image",
    "audio": "an MP3, M4A, WAV, FLAC, Ogg or WebM audio file",
    "video": "an MP4, MOV, WebM or Ogg video file",
}


@attrs.frozen(kw_only=True)
class MediaSource:
    """One media input, checked and ready to be streamed.

    ``param`` names the parameter it came from (for errors), ``size`` is in bytes.
    """

    param: str
    size: int
    content_type: str
    filename: str | None = None
    _opener: Callable[[], BinaryIO] = attrs.field(repr=False, eq=False, alias="opener")

    def open(self) -> BinaryIO:
        """A new binary stream positioned at the first byte (files are re-opened)."""
        return self._opener()


def sniff_content_type(head: bytes, kind: MediaKind) -> str | None:
    """The MIME type announced by the first bytes of a file, or None when unrecognised.

    The table is the official clients'; Ogg and WebM containers carry
    audio or video, so ``kind`` picks the label for those.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"GIF"):
        return "image/gif"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12].lower()
        if b"m4a" in brand or b"m4b" in brand:
            return "audio/mp4"
        if b"qt" in brand:
            return "video/quicktime"
        return "video/mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "video/ogg" if kind == "video" else "audio/ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if kind == "video" else "audio/webm"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def _fits(content_type: str, kind: MediaKind) -> bool:
    if kind == "image":
        return content_type in _IMAGE_TYPES
    if kind == "audio":
        # An M4A whose brand is not "M4A " sniffs as video/mp4; the container is the same.
        return content_type.startswith("audio/") or content_type == "video/mp4"
    return content_type.startswith("video/")


def _content_type(head: bytes, kind: MediaKind, filename: str | None) -> str | None:
    sniffed = sniff_content_type(head, kind)
    if sniffed is None and kind != "image" and filename:
        # Audio/video containers vary more than images; trust the extension as a fallback.
        sniffed = mimetypes.guess_type(filename)[0]
    return sniffed


def _fail(param: str, message: str) -> ValidationError:
    return ValidationError([ValidationProblem(param, message)])


def resolve_media(value: MediaInput, param: str, *, kind: MediaKind) -> MediaSource:
    """Check one media input and describe it; raises :class:`ValidationError` naming ``param``.

    A ``str`` is a filesystem path (URLs are refused: local media is uploaded, never linked).
    ``bytearray`` and ``memoryview`` are copied once, so later changes to the caller's buffer
    cannot make the upload differ from what was checked. A file object is read from its
    current position; an unseekable one is spooled to a temporary file first.
    """
    if isinstance(value, str) and value.startswith(("http://", "https://", "data:")):
        raise _fail(param, "URLs are not accepted here; pass a file path, bytes or a file object")
    if isinstance(value, (str, os.PathLike)):
        return _from_path(value, param, kind)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(value), param, kind)
    if isinstance(value, io.TextIOBase):
        raise _fail(param, _TEXT_MODE)
    if callable(getattr(value, "read", None)):
        return _from_stream(value, param, kind)
    raise _fail(
        param,
        f"must be a file path, bytes or a binary file object, not {type(value).__name__}",
    )


def _check(head: bytes, size: int, param: str, kind: MediaKind, filename: str | None) -> str:
    if size <= 0:
        raise _fail(param, "is empty")
    content_type = _content_type(head, kind, filename)
    if content_type is None or not _fits(content_type, kind):
        found = f" (found {content_type})" if content_type else ""
        raise _fail(param, f"must be {_EXPECTED[kind]}{found}")
    return content_type


def _from_path(value: str | os.PathLike[str], param: str, kind: MediaKind) -> MediaSource:
    path = os.path.expanduser(os.fspath(value))
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(_HEAD_SIZE)
    except FileNotFoundError:
        raise _fail(param, f"file not found: {path!r}") from None
    except IsADirectoryError:
        raise _fail(param, f"is a directory, not a file: {path!r}") from None
    except OSError as exc:
        raise _fail(param, f"cannot read {path!r}: {exc.strerror or exc}") from None
    filename = os.path.basename(path)
    content_type = _check(head, size, param, kind, filename)

    def opener() -> BinaryIO:
        return open(path, "rb")

    return MediaSource(
        param=param, size=size, content_type=content_type, filename=filename, opener=opener
    )


def _from_bytes(data: bytes, param: str, kind: MediaKind) -> MediaSource:
    content_type = _check(data[:_HEAD_SIZE], len(data), param, kind, None)

    def opener() -> BinaryIO:
        return io.BytesIO(data)  # shares the immutable bytes, no copy

    return MediaSource(param=param, size=len(data), content_type=content_type, opener=opener)


class _Window(io.RawIOBase):
    """Reads a caller's file object from a fixed start; closing it leaves that file open."""

    def __init__(self, stream: BinaryIO, start: int) -> None:
        super().__init__()
        self._stream = stream
        stream.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _from_stream(stream: BinaryIO, param: str, kind: MediaKind) -> MediaSource:
    name = getattr(stream, "name", None)
    filename = os.path.basename(name) if isinstance(name, str) else None
    seekable = getattr(stream, "seekable", None)
    try:
        if not (callable(seekable) and seekable()):
            spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
            shutil.copyfileobj(stream, spool)
            spool.seek(0)
            stream = spool  # type: ignore[assignment]
        start = stream.tell()
        head = stream.read(_HEAD_SIZE)
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
    except TypeError:  # str chunks written to the binary spool
        raise _fail(param, _TEXT_MODE) from None
    except (OSError, ValueError) as exc:
        raise _fail(param, f"cannot read the file object: {exc}") from None
    if not isinstance(head, bytes):
        raise _fail(param, _TEXT_MODE)
    content_type = _check(head, size, param, kind, filename)
    source_stream = stream

    def opener() -> BinaryIO:
        return io.BufferedReader(_Window(source_stream, start))

    return MediaSource(
        param=param, size=size, content_type=content_type, filename=filename, opener=opener
    )
