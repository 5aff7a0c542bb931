"""Media for platform tool calls: the media context that indices address, and turning a tool
argument into the bytes a project uploads.

A tool call names media two ways. The service's manifest gives the model indices
(``sourceImageIndex: 0``, ``referenceImageIndices: [-1]``), resolved through a
:class:`MediaContext`: ``0, 1, ...`` are the images (videos, audio) made earlier in the
conversation, ``-1, -2, ...`` the user's uploads. The official executor also reads direct media
arguments (``source_image_url``, ``reference_audio_url`` ...), which must be inline ``data:``
URIs.

Whatever names it, media becomes bytes here, checked as the official executor checks it (declared
type among the accepted ones and matching the magic bytes, strict base64, at most 20 MB for an
image, 50 MB for audio, 100 MB for video). A string is never read as a file path: it is a
``data:`` URI or a URL, and a URL is fetched only from the Sogni and S3/CloudFront hosts, a
prefix listed in ``ClientConfig.trusted_media_prefixes``, or when it is a result URL this SDK's
executor obtained (a :meth:`MediaContext.with_results`).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import attrs

from ..errors import SogniError, TransportError, error_from_status
from ._vision import is_trusted_url

if TYPE_CHECKING:
    from ..config import ClientConfig
    from ._models import ToolResult

__all__ = [
    "MediaContext",
    "MediaItem",
    "ToolInputError",
    "load_media",
]

MediaItem = Union[str, bytes, "os.PathLike[str]"]
"""One media entry: a ``data:`` URI or URL (``str``), bytes, or a ``pathlib.Path``."""

Kind = Literal["image", "video", "audio"]

MAX_BYTES: dict[str, int] = {
    "image": 20 * 1024 * 1024,
    "audio": 50 * 1024 * 1024,
    "video": 100 * 1024 * 1024,
}
_MIME_FORMATS: dict[str, dict[str, str]] = {
    "image": {"image/jpeg": "jpeg", "image/jpg": "jpeg", "image/png": "png"},
    "audio": {
        "audio/m4a": "mp4",
        "audio/mp3": "mpeg",
        "audio/mp4": "mp4",
        "audio/mpeg": "mpeg",
        "audio/wav": "wav",
        "audio/wave": "wav",
        "audio/x-m4a": "mp4",
        "audio/x-wav": "wav",
    },
    "video": {"video/mp4": "mp4", "video/quicktime": "quicktime"},
}
_DATA_URI = re.compile(r"^data:([^;,]+);base64,([A-Za-z0-9+/=\s]+)$", re.IGNORECASE)
_IMAGE_TOOLS = frozenset(("generate_image", "edit_image"))
_VIDEO_TOOLS = frozenset(("generate_video", "sound_to_video", "video_to_video"))


class ToolInputError(Exception):
    """A tool call's media (or other argument) cannot be used; the message says why. It
    becomes the call's error result, which the model reads."""


def _item(value: Any) -> Any:
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def _items(values: Iterable[Any]) -> tuple[MediaItem, ...]:
    return tuple(_item(v) for v in values)


def _summary(values: Sequence[Any]) -> str:
    """Entries in reprs: URLs shortened, bytes and data URIs summarised (never their data)."""
    shown = []
    for value in values:
        if isinstance(value, bytes):
            shown.append(f"<{len(value)} bytes>")
        elif isinstance(value, str) and value[:5].lower() == "data:":
            shown.append(f"<data URI of {len(value)} characters>")
        elif isinstance(value, str):
            shown.append(repr(value.split("?", 1)[0]))
        else:
            shown.append(repr(value))
    return "(" + ", ".join(shown) + ("," if len(shown) == 1 else "") + ")"


@attrs.frozen
class MediaContext:
    """The media a tool call may address by index.

    ``images``, ``videos`` and ``audio`` are what tools made earlier in the conversation
    (index ``0`` is the first); ``uploaded_images``, ``uploaded_videos`` and ``uploaded_audio``
    are the user's own media (index ``-1`` is the first). Entries are ``data:`` URIs, URLs,
    bytes or ``pathlib.Path`` objects. A URL here is fetched only from a trusted host, or when
    it came from this SDK's executor (see :meth:`with_results`).
    """

    images: Sequence[MediaItem] = attrs.field(default=(), converter=_items, repr=_summary)
    videos: Sequence[MediaItem] = attrs.field(default=(), converter=_items, repr=_summary)
    audio: Sequence[MediaItem] = attrs.field(default=(), converter=_items, repr=_summary)
    uploaded_images: Sequence[MediaItem] = attrs.field(default=(), converter=_items, repr=_summary)
    uploaded_videos: Sequence[MediaItem] = attrs.field(default=(), converter=_items, repr=_summary)
    uploaded_audio: Sequence[MediaItem] = attrs.field(default=(), converter=_items, repr=_summary)
    _obtained: frozenset[str] = attrs.field(
        default=frozenset(), alias="_obtained", repr=False, eq=False
    )

    @classmethod
    def from_messages(cls, messages: Sequence[Mapping[str, Any]]) -> MediaContext:
        """A context whose uploaded images are the image parts of ``messages``, in order."""
        uploads: list[Any] = []
        for message in messages:
            content = message.get("content") if isinstance(message, Mapping) else None
            if not isinstance(content, list):
                continue
            for part in content:
                if isinstance(part, Mapping) and part.get("type") == "image_url":
                    image = part.get("image_url")
                    url = image.get("url") if isinstance(image, Mapping) else None
                    if isinstance(url, str) and not url.strip():
                        continue
                    if url is not None:
                        uploads.append(url)
        return cls(uploaded_images=uploads)

    def with_results(self, results: Iterable[ToolResult]) -> MediaContext:
        """A copy with the media of successful platform tool results appended: images from
        ``generate_image``/``edit_image``, videos from the video tools, audio from
        ``generate_music``. Their URLs came from the executor, so later calls may fetch them."""
        images, videos, audio = list(self.images), list(self.videos), list(self.audio)
        obtained = set(self._obtained)
        for result in results:
            if result.error is not None or not result.result_urls:
                continue
            if result.name in _IMAGE_TOOLS:
                target = images
            elif result.name in _VIDEO_TOOLS:
                target = videos
            elif result.name == "generate_music":
                target = audio
            else:
                continue
            target.extend(result.result_urls)
            obtained.update(result.result_urls)
        return attrs.evolve(
            self, images=images, videos=videos, audio=audio, _obtained=frozenset(obtained)
        )

    def resolve(self, kind: Kind, index: Any) -> MediaItem:
        """The entry ``index`` names (see the class docstring)."""
        generated, uploaded = {
            "image": (self.images, self.uploaded_images),
            "video": (self.videos, self.uploaded_videos),
            "audio": (self.audio, self.uploaded_audio),
        }[kind]
        position = index if index >= 0 else -index - 1
        source = generated if index >= 0 else uploaded
        value: MediaItem | None = source[position] if position < len(source) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ToolInputError(f"{kind} media index {index} is unavailable in the media context")
        return value

    def trusts(self, url: str) -> bool:
        return url in self._obtained


def integer_indices(value: Any, name: str) -> list[int]:
    """An index-list argument: a list of whole numbers (``[]`` when absent)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(_is_whole(v) for v in value):
        raise ToolInputError(f"{name} must contain only integer media indices")
    return [int(v) for v in value]


def _is_whole(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
    )


# ---------------------------------------------------------------------------- loading


def load_media(
    value: MediaItem,
    kind: Kind,
    *,
    config: ClientConfig,
    context: MediaContext | None = None,
    inline_only: bool = False,
) -> bytes:
    """The bytes of one media input, checked for ``kind``.

    ``inline_only``: a string must be a ``data:`` URI (the direct ``*_url`` arguments).
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _checked(bytes(value), kind, None)
    if isinstance(value, os.PathLike):
        return _checked(_read_file(Path(value), kind), kind, None)
    if callable(getattr(value, "read", None)) and not isinstance(value, str):
        return _checked(_read_stream(value, kind), kind, None)
    if not isinstance(value, str):
        raise ToolInputError(f"{kind} input must be a data URI, a URL, bytes or a pathlib.Path")
    text = value.strip()
    match = _DATA_URI.match(text)
    if match:
        return _from_data_uri(match, kind)
    trusted = "://" in text and (
        is_trusted_url(text, config.trusted_media_prefixes)
        or (context is not None and context.trusts(text))
    )
    if inline_only or not trusted:
        # A string from a tool call (the model wrote it) is never a path, and untrusted URLs
        # are not fetched.
        raise ToolInputError(
            f"Only inline base64-encoded data URIs are supported for {kind} inputs; remote URLs "
            "are accepted only from Sogni hosts and from results of this conversation"
        )
    return _fetch(text, kind, config)


def _from_data_uri(match: re.Match[str], kind: Kind) -> bytes:
    from ._vision import _ImageProblem, _strict_base64

    mime = match.group(1).strip().lower()
    try:
        data = _strict_base64(match.group(2))
    except _ImageProblem:
        raise ToolInputError("Invalid base64 payload") from None
    return _checked(data, kind, mime)


def _checked(data: bytes, kind: Kind, mime: str | None) -> bytes:
    limit = MAX_BYTES[kind]
    if len(data) > limit:
        raise ToolInputError(f"{kind} input exceeds {limit // (1024 * 1024)}MB limit")
    detected = _detect(data, kind)
    if mime is not None:
        expected = _MIME_FORMATS[kind].get(mime)
        if expected is None:
            allowed = ", ".join(_MIME_FORMATS[kind])
            raise ToolInputError(
                f"Unsupported inline {kind} MIME type {mime}. Allowed types: {allowed}"
            )
        if detected != expected:
            raise ToolInputError(f"Inline {kind} data does not match declared MIME type {mime}")
    elif detected is None:
        kinds = {"image": "PNG or JPEG", "audio": "MP3, M4A or WAV", "video": "MP4 or MOV"}
        raise ToolInputError(f"the {kind} input is not {kinds[kind]} data")
    return data


def _detect(data: bytes, kind: Kind) -> str | None:
    if kind == "image":
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        return "jpeg" if data.startswith(b"\xff\xd8\xff") else None
    iso = None
    if len(data) >= 12 and data[4:8] == b"ftyp":
        iso = "quicktime" if data[8:12] == b"qt  " else "mp4"
    if kind == "video":
        return iso
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or _mp3_frame(data):
        return "mpeg"
    return "mp4" if iso == "mp4" else None


def _mp3_frame(data: bytes) -> bool:
    if len(data) < 2:
        return False
    version, layer = (data[1] >> 3) & 0x03, (data[1] >> 1) & 0x03
    return data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and version != 0x01 and layer != 0x00


def _read_file(path: Path, kind: Kind) -> bytes:
    try:
        size = path.stat().st_size
    except OSError:
        raise ToolInputError(f"the {kind} file is not readable") from None
    if size > MAX_BYTES[kind]:
        raise ToolInputError(f"{kind} input exceeds {MAX_BYTES[kind] // (1024 * 1024)}MB limit")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ToolInputError(f"the {kind} file could not be read ({type(exc).__name__})") from None


def _read_stream(stream: Any, kind: Kind) -> bytes:
    """A binary file object from its current position, put back there afterwards (a loop
    round may read the same upload again)."""
    cap = MAX_BYTES[kind]
    try:
        start = stream.tell() if stream.seekable() else None
        data = stream.read(cap + 1)
        if start is not None:
            stream.seek(start)
    except (AttributeError, OSError, ValueError) as exc:
        raise ToolInputError(
            f"the {kind} file object could not be read ({type(exc).__name__})"
        ) from None
    if not isinstance(data, bytes):
        raise ToolInputError("the file object must be opened in binary mode ('rb')")
    if len(data) > cap:
        raise ToolInputError(f"{kind} input exceeds {cap // (1024 * 1024)}MB limit")
    return data


def _fetch(url: str, kind: Kind, config: ClientConfig) -> bytes:
    """GET a trusted media URL: no redirects, no credentials, size-capped."""
    import http.client

    from .._transport.http11 import failure_name, get_once

    limit = max(config.timeouts.vision_fetch, 1.0)
    cap = MAX_BYTES[kind]
    deadline = time.monotonic() + config.timeouts.download
    try:
        with get_once(
            url,
            verify=config.verify,
            connect_timeout=min(config.timeouts.connect, limit),
            read_timeout=limit,
        ) as response:
            if response.status != 200:
                raise _http_error(response.status, kind)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise ToolInputError(f"{kind} input exceeds {cap // (1024 * 1024)}MB limit")
            buffer = bytearray()
            for piece in response.pieces(1 << 16):
                buffer += piece
                if len(buffer) > cap:
                    raise ToolInputError(f"{kind} input exceeds {cap // (1024 * 1024)}MB limit")
                if time.monotonic() > deadline:
                    raise TransportError(f"fetching the {kind} input took too long")
    except (OSError, http.client.HTTPException) as exc:
        raise TransportError(f"fetching the {kind} input failed ({failure_name(exc)})") from None
    return _checked(bytes(buffer), kind, None)


def _http_error(status: int, kind: str) -> SogniError:
    return error_from_status(status, f"Remote {kind} input fetch failed with HTTP {status}")
