"""Vision inputs: image parts from paths, bytes, binary files, data URIs and trusted URLs.

Before a request is sent every ``image_url`` part is turned into a ``data:`` URI and checked the
way the TypeScript SDK checks it: at most 20 images, PNG or JPEG only (declared type and
magic bytes agree), at most 10 MiB, longest side at most 1024 px. Remote URLs are fetched only
from the Sogni/S3/CloudFront hosts the official client trusts (HTTPS, no redirects), plus any
prefix the caller listed in ``ClientConfig.trusted_media_prefixes``; every other URL is refused
without being fetched. With ``downscale_images=True`` (``images`` extra) images that are too large
are shrunk instead of refused.

A string in a message is never read as a file path: messages often carry text from an app's own
users, and ``image_url.url`` is a URL in the OpenAI format. Local images enter as a
``pathlib.Path``, bytes or a binary file object, or through :func:`image_part` /
:func:`user_message`, which the developer calls and which turn a ``str`` path into a ``Path``.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Union
from urllib.parse import urlsplit

from .._log import get_logger
from ..config import ClientConfig
from ..errors import (
    SogniError,
    TransportError,
    ValidationError,
    ValidationProblem,
    error_from_status,
)

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_COUNT",
    "MAX_LONGEST_SIDE",
    "ImageSource",
    "image_part",
    "is_trusted_url",
    "prepare_messages",
    "user_message",
]

log = get_logger("sogni.chat")

#: The most images one chat request may carry.
MAX_IMAGE_COUNT = 20
#: The largest image (bytes, after any resizing) a chat request may carry.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
#: Images are scaled down so that their longest side is at most this many pixels.
MAX_LONGEST_SIDE = 1024

_MIME_FORMATS = {"image/jpeg": "jpeg", "image/jpg": "jpeg", "image/png": "png"}
_FORMAT_MIME = {"jpeg": "image/jpeg", "png": "image/png"}
_DATA_URI = re.compile(r"^data:([^;,]+);base64,([A-Za-z0-9+/=\s]+)$", re.IGNORECASE)
_BASE64_BODY = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_WHITESPACE = re.compile(r"\s+")
_S3_BUCKET_HOST = re.compile(r"^[a-z0-9.-]+\.s3\.amazonaws\.com$")
_S3_REGIONAL_BUCKET_HOST = re.compile(r"^[a-z0-9.-]+\.s3\.[a-z0-9-]+\.amazonaws\.com$")
_S3_REGIONAL_HOST = re.compile(r"^s3\.[a-z0-9-]+\.amazonaws\.com$")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_JPEG_NO_LENGTH = frozenset({0x01, 0xD8, 0xD9, *range(0xD0, 0xD8)})
_JPEG_NOT_SOF = frozenset({0xC4, 0xC8, 0xCC})
_DOWNSCALE_INPUT_CAP = 100 * 1024 * 1024
_TEXT_MODE = "the file object must be opened in binary mode ('rb')"


class _ImageProblem(Exception):
    """An image failed a check; the message names what is wrong."""


ImageSource = Union[str, bytes, bytearray, memoryview, "os.PathLike[str]", BinaryIO]
"""What an image part may hold: see :func:`image_part`."""


def image_part(source: ImageSource, *, detail: str | None = None) -> dict[str, Any]:
    """An ``image_url`` content part for ``source``; it is read, checked and inlined when the
    request is sent.

    ``source`` is a ``pathlib.Path``, raw PNG/JPEG bytes, a binary file object (read from its
    current position), a ``data:`` URI, a trusted HTTPS URL, or a file path as a ``str``: here a
    string without a URL scheme is taken as a path and stored as a ``Path``. Only pass paths of
    your own choosing; a string put straight into a message's ``image_url.url`` must be a data
    URI or a URL and is never read from disk.
    """
    if isinstance(source, str) and not _looks_like_url(source):
        source = Path(source)
    image: dict[str, Any] = {"url": source}
    if detail:
        image["detail"] = detail
    return {"type": "image_url", "image_url": image}


def user_message(text: str, *images: ImageSource, detail: str | None = None) -> dict[str, Any]:
    """A ``user`` message with the images first and the text last (the usual vision shape).
    Each image is taken as :func:`image_part` takes it (a ``str`` without a scheme is a path)."""
    parts = [image_part(image, detail=detail) for image in images]
    parts.append({"type": "text", "text": text})
    return {"role": "user", "content": parts}


def _looks_like_url(text: str) -> bool:
    stripped = text.strip()
    return stripped[:5].lower() == "data:" or "://" in stripped


def is_trusted_url(url: str, extra_prefixes: Sequence[str] = ()) -> bool:
    """Whether the SDK may fetch ``url`` to inline it."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None:
        return False
    if any(url.startswith(prefix) for prefix in extra_prefixes):
        return True
    if parts.scheme != "https":
        return False
    return (
        host == "cdn.sogni.ai"
        or host.endswith(".sogni.ai")
        or bool(_S3_BUCKET_HOST.match(host))  # complete-images-production.s3... among them
        or bool(_S3_REGIONAL_BUCKET_HOST.match(host))
        or bool(_S3_REGIONAL_HOST.match(host))
        or host.endswith(".cloudfront.net")
    )


# ---------------------------------------------------------------------------- the walk


class _Slot:
    """One image part: where it is, and its data URI once known."""

    __slots__ = ("detail", "message", "param", "part", "url")

    def __init__(self, message: int, part: int, param: str, detail: Any) -> None:
        self.message = message
        self.part = part
        self.param = param
        self.detail = detail
        self.url: str | None = None


def prepare_messages(
    messages: Sequence[Mapping[str, Any]],
    config: ClientConfig,
    *,
    downscale: bool,
    problems: list[ValidationProblem] | None = None,
) -> list[Any]:
    """A copy of ``messages`` whose image parts are checked ``data:`` URIs.

    Raises one ``ValidationError`` listing every bad image together with the ``problems``
    already found (and nothing is sent); an image URL that cannot be fetched raises the
    transport or HTTP error of that fetch.
    """
    problems = list(problems or ())
    slots: list[_Slot] = []
    remote: list[tuple[_Slot, str]] = []
    if downscale:
        _require_pillow(problems)
    for i, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if not (isinstance(part, Mapping) and part.get("type") == "image_url"):
                continue
            image = part["image_url"]
            slot = _Slot(i, j, f"messages[{i}].content[{j}].image_url.url", image.get("detail"))
            slots.append(slot)
            if len(slots) == MAX_IMAGE_COUNT + 1:
                problems.append(
                    ValidationProblem(
                        "messages",
                        f"at most {MAX_IMAGE_COUNT} vision images are allowed per request",
                    )
                )
            try:
                url = _local_source(image["url"], config, downscale)
            except _ImageProblem as exc:
                problems.append(ValidationProblem(slot.param, str(exc)))
                continue
            if url is None:
                remote.append((slot, str(image["url"]).strip()))
            else:
                slot.url = url
    if problems:
        raise ValidationError(problems)
    for slot, url in remote:
        try:
            slot.url = _fetch(url, slot.param, config, downscale)
        except _ImageProblem as exc:
            problems.append(ValidationProblem(slot.param, str(exc)))
    if problems:
        raise ValidationError(problems)
    if not slots:
        return list(messages)
    return _rebuilt(messages, slots)


def _rebuilt(messages: Sequence[Mapping[str, Any]], slots: list[_Slot]) -> list[Any]:
    out: list[Any] = list(messages)
    by_message: dict[int, list[_Slot]] = {}
    for slot in slots:
        by_message.setdefault(slot.message, []).append(slot)
    for index, group in by_message.items():
        content = list(out[index]["content"])
        for slot in group:
            image: dict[str, Any] = {"url": slot.url}
            if slot.detail:
                image["detail"] = slot.detail
            content[slot.part] = {"type": "image_url", "image_url": image}
        out[index] = {**out[index], "content": content}
    return out


def _local_source(source: Any, config: ClientConfig, downscale: bool) -> str | None:
    """The data URI for a local source; None for a trusted URL (fetched later)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _data_uri(bytes(source), None, downscale)
    if isinstance(source, os.PathLike):
        return _data_uri(_read_file(Path(source), downscale), None, downscale)
    if isinstance(source, str):
        return _string_source(source, config, downscale)
    if isinstance(source, io.TextIOBase):
        raise _ImageProblem(_TEXT_MODE)
    if callable(getattr(source, "read", None)):
        return _data_uri(_read_stream(source, downscale), None, downscale)
    raise _ImageProblem(
        "must be a data URI, a trusted HTTPS URL, a pathlib.Path, bytes or a binary file object"
    )


def _string_source(source: str, config: ClientConfig, downscale: bool) -> str | None:
    text = source.strip()
    if text[:5].lower() == "data:":
        return _checked_data_uri(text, downscale)
    if "://" in text:
        if is_trusted_url(text, config.trusted_media_prefixes):
            return None
        raise _ImageProblem(
            "remote image URLs are accepted only from Sogni and its storage hosts (HTTPS); "
            "pass a data URI, a pathlib.Path or the image bytes instead"
        )
    # Messages often carry text from an app's users: a string here is never a file path.
    raise _ImageProblem(
        "is not a data URI or an image URL; a string is never read as a file path here. "
        "To send a local image pass a pathlib.Path, bytes or a binary file object "
        "(or build the part with sogni.chat.image_part)"
    )


def _read_file(path: Path, downscale: bool) -> bytes:
    try:
        size = path.stat().st_size
    except OSError:
        raise _ImageProblem("is not a readable file") from None
    if size > _input_cap(downscale):
        raise _ImageProblem(f"the file is {size} bytes; the limit is {_mib(_input_cap(downscale))}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _ImageProblem(f"the file could not be read ({type(exc).__name__})") from None


def _read_stream(stream: Any, downscale: bool) -> bytes:
    """Read a binary file object from its current position, at most one byte past the cap.
    A seekable file is put back where it was, so the same message can be sent again (tool
    rounds re-send the whole conversation)."""
    cap = _input_cap(downscale)
    start: int | None = None
    try:
        if callable(getattr(stream, "seekable", None)) and stream.seekable():
            start = stream.tell()
        buffer = bytearray()
        while len(buffer) <= cap:
            piece = stream.read(cap + 1 - len(buffer))
            if not piece:
                break
            if not isinstance(piece, (bytes, bytearray)):
                raise _ImageProblem(_TEXT_MODE)
            buffer += piece
        if start is not None:
            stream.seek(start)
    except (OSError, ValueError) as exc:
        raise _ImageProblem(f"the file object could not be read ({type(exc).__name__})") from None
    if len(buffer) > cap:
        raise _ImageProblem(f"the file is larger than {_mib(cap)}")
    if not buffer:
        raise _ImageProblem("the file object gave no data (already read to the end?)")
    return bytes(buffer)


def _input_cap(downscale: bool) -> int:
    # Downscaling may bring a bigger original under the limit; still refuse absurd sizes.
    return _DOWNSCALE_INPUT_CAP if downscale else MAX_IMAGE_BYTES


def _checked_data_uri(text: str, downscale: bool) -> str:
    match = _DATA_URI.match(text)
    if not match:
        raise _ImageProblem("is not a valid base64 data URI (data:<type>;base64,<data>)")
    mime = match.group(1).strip().lower()
    data = _strict_base64(match.group(2))
    declared = _MIME_FORMATS.get(mime)
    if declared is None:
        raise _ImageProblem(f"has type {mime!r}; only image/png and image/jpeg are supported")
    shrunk = _check(data, declared, downscale)
    # A valid image is sent exactly as given.
    return text if shrunk is None else _encode(shrunk, declared)


def _data_uri(data: bytes, declared: str | None, downscale: bool) -> str:
    fmt = declared or _sniff(data)
    if fmt is None:
        raise _ImageProblem("is not a PNG or JPEG image (only those are supported)")
    shrunk = _check(data, fmt, downscale)
    return _encode(data if shrunk is None else shrunk, fmt)


def _encode(data: bytes, fmt: str) -> str:
    return f"data:{_FORMAT_MIME[fmt]};base64,{base64.b64encode(data).decode('ascii')}"


def _check(data: bytes, fmt: str, downscale: bool) -> bytes | None:
    """Apply the size rules to an image of format ``fmt``. Returns the shrunk image when
    ``downscale`` had to act, None when ``data`` passes as it is."""
    if _sniff(data) != fmt:
        raise _ImageProblem(f"the data is not a {fmt.upper()} image as its type says")
    width, height = _dimensions(data, fmt)
    fits = len(data) <= MAX_IMAGE_BYTES and max(width, height) <= MAX_LONGEST_SIDE
    if fits:
        return None
    if downscale:
        shrunk = _downscale(data, fmt)
        if len(shrunk) > MAX_IMAGE_BYTES:
            raise _ImageProblem(f"even downscaled, the image is above {_mib()}")
        return shrunk
    if len(data) > MAX_IMAGE_BYTES:
        raise _ImageProblem(f"the image is {len(data)} bytes; the limit is {_mib()}")
    raise _ImageProblem(
        f"the image is {width}x{height}; its longest side may be at most {MAX_LONGEST_SIDE}px "
        "(pass downscale_images=True to shrink it)"
    )


def _mib(size: int = MAX_IMAGE_BYTES) -> str:
    return f"{size // (1024 * 1024)} MiB"


def _strict_base64(body: str) -> bytes:
    """Decode like the official client: canonical base64 only, padding optional."""
    compact = _WHITESPACE.sub("", body)
    if not _BASE64_BODY.match(compact) or len(compact) % 4 == 1:
        raise _ImageProblem("has an invalid base64 payload")
    padded = compact + "=" * (-len(compact) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise _ImageProblem("has an invalid base64 payload") from None
    if not data or base64.b64encode(data).decode("ascii") != padded:
        raise _ImageProblem("has an invalid base64 payload")
    return data


def _sniff(data: bytes) -> str | None:
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    return None


def _dimensions(data: bytes, fmt: str) -> tuple[int, int]:
    size = _png_size(data) if fmt == "png" else _jpeg_size(data)
    if size is None:
        raise _ImageProblem("its dimensions could not be read (a damaged image?)")
    return size


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    return (width, height) if width > 0 and height > 0 else None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments to the first start-of-frame marker."""
    pos, end = 2, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            pos += 1
            continue
        while pos < end and data[pos] == 0xFF:
            pos += 1
        if pos >= end:
            return None
        marker = data[pos]
        pos += 1
        if marker in _JPEG_NO_LENGTH:
            continue
        if pos + 2 > end:
            return None
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > end:
            return None
        if 0xC0 <= marker <= 0xCF and marker not in _JPEG_NOT_SOF:
            if length < 7:
                return None
            height = int.from_bytes(data[pos + 3 : pos + 5], "big")
            width = int.from_bytes(data[pos + 5 : pos + 7], "big")
            return (width, height) if width > 0 and height > 0 else None
        pos += length
    return None


# ---------------------------------------------------------------------------- downscaling


def _require_pillow(problems: list[ValidationProblem]) -> None:
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        problems.append(
            ValidationProblem("downscale_images", "needs Pillow: pip install 'sogni[images]'")
        )


def _downscale(data: bytes, fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((MAX_LONGEST_SIDE, MAX_LONGEST_SIDE), Image.Resampling.LANCZOS)
        if fmt == "jpeg":
            rgb = image if image.mode in ("RGB", "L", "CMYK") else image.convert("RGB")
            rgb.save(out, "JPEG", quality=90)
        else:
            image.save(out, "PNG", optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------------------- fetching


def _fetch(url: str, param: str, config: ClientConfig, downscale: bool) -> str:
    """GET a trusted image URL (no redirects, no credentials, size-capped) as a data URI."""
    import http.client

    from .._transport.http11 import failure_name, get_once

    limit = config.timeouts.vision_fetch
    deadline = time.monotonic() + limit
    try:
        with get_once(
            url,
            verify=config.verify,
            connect_timeout=min(config.timeouts.connect, limit),
            read_timeout=limit,
            headers={"Accept": "image/png, image/jpeg"},
        ) as response:
            if 300 <= response.status < 400:
                raise _ImageProblem(f"the image URL redirects (HTTP {response.status})")
            if response.status != 200:
                raise _http_error(response.status, param)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > _input_cap(downscale):
                raise _ImageProblem(
                    f"the image is {declared} bytes; the limit is {_mib(_input_cap(downscale))}"
                )
            data = _read_capped(response, deadline, _input_cap(downscale))
            mime = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    except (OSError, http.client.HTTPException) as exc:
        raise TransportError(
            f"fetching the image for {param} failed ({failure_name(exc)})"
        ) from None
    log.debug("Fetched an image to inline (%d bytes)", len(data))
    # The declared type wins when it is an image type we take; else the bytes tell.
    return _data_uri(data, _MIME_FORMATS.get(mime), downscale)


def _read_capped(response: Any, deadline: float, cap: int) -> bytes:
    buffer = bytearray()
    for piece in response.pieces(1 << 16):
        buffer += piece
        if len(buffer) > cap:
            raise _ImageProblem(f"the image is larger than {_mib(cap)}")
        if time.monotonic() > deadline:
            raise TransportError("fetching the image took too long")
    return bytes(buffer)


def _http_error(status: int, param: str) -> SogniError:
    return error_from_status(status, f"fetching the image for {param} failed with HTTP {status}")
