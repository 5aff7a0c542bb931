"""Outputs of the fake's simulated workers: real images drawn from the prompt, and real (tiny)
video and audio files; each carries metadata that tells every result apart, read back by
:func:`read_image_metadata` and :func:`read_media_metadata`.

Pillow is imported inside the functions: ``sogni.testing`` must import without it.

Images are drawn at the requested aspect ratio but scaled to fit ``MAX_SIDE`` pixels on the long
side (a "2048x2048" render is a 256x256 file), so tests stay fast; the requested size is in the
metadata (``requested_size``). Previews are JPEGs of at most ``PREVIEW_SIDE`` pixels.

The image metadata is one JSON object of strings under the key ``sogni``: a PNG ``tEXt`` chunk,
the JPEG comment (``COM``) segment, or the WebP EXIF ``ImageDescription`` tag.

Video and audio [INV-OUTPUT-MEDIA] are one fixed sample per format, shipped in ``data/``
(generated once with ffmpeg: a 0.5 s 64x36 H.264 MP4 and MOV, 0.5 s of a 440 Hz tone as MPEG-2
Layer III at 32 kbit/s, and 0.2-0.25 s of it as 8 kHz 16-bit WAV and FLAC), whatever size and
length was asked for; the request is in the metadata. Per result the metadata is added without
re-encoding: a top-level ``free`` box holding ``sogni:`` + JSON (MP4/MOV, after the other boxes
so no offset moves), ID3v2.4 ``TXXX`` frames described ``sogni:<key>`` (MP3), a ``LIST``/``INFO``
chunk whose ``ICMT`` holds ``sogni:`` + JSON (WAV), and a ``VORBIS_COMMENT`` block of
``SOGNI_<KEY>=value`` comments (FLAC).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import random
import struct
from importlib import resources
from typing import Any

__all__ = [
    "MAX_SIDE",
    "MEDIA_CONTENT_TYPES",
    "PREVIEW_SIDE",
    "content_type_for",
    "read_image_metadata",
    "read_media_metadata",
    "render_image",
    "render_media",
]

# [INV-OUTPUT-IMAGES] fake renders are small: at most 256 px (previews 64 px) on the long side.
MAX_SIDE = 256
PREVIEW_SIDE = 64
_META_KEY = "sogni"
_EXIF_IMAGE_DESCRIPTION = 0x010E
MEDIA_CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
}
_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
_CONTENT_TYPES.update(MEDIA_CONTENT_TYPES)
_TEXT_PREFIX = b"sogni:"
_PIL_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def content_type_for(fmt: str) -> str:
    return _CONTENT_TYPES[fmt]


def prompt_sha256(prompt: str) -> str:
    return hashlib.sha256(prompt.encode("utf-8")).hexdigest()


def scaled_size(width: int, height: int, limit: int = MAX_SIDE) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) to fit ``limit`` on the long side."""
    width, height = max(width, 1), max(height, 1)
    factor = min(1.0, limit / max(width, height))
    return max(1, round(width * factor)), max(1, round(height * factor))


def render_image(
    *,
    prompt: str,
    seed: int,
    width: int,
    height: int,
    fmt: str,
    metadata: dict[str, str],
    preview_step: int | None = None,
) -> bytes:
    """Draw the picture for ``prompt`` and ``seed`` and encode it as ``fmt`` (png, jpg, webp).

    The drawing is deterministic: the background colour comes from the prompt's hash, the shapes
    from the seed. A preview (``preview_step`` set) is a small, partly drawn JPEG of the same
    picture.
    """
    from PIL import Image, ImageDraw

    meta = dict(metadata)
    meta["requested_size"] = f"{width}x{height}"
    size = scaled_size(width, height)
    digest = hashlib.sha256(prompt.encode("utf-8")).digest()
    image = Image.new("RGB", size, (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    shapes = 6
    drawn = shapes if preview_step is None else max(1, shapes * preview_step // 8)
    w, h = size
    for index in range(shapes):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(1, w + 1) // 2, y0 + rng.randrange(1, h + 1) // 2
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if index >= drawn:
            continue
        if index % 2:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    ink = (255 - digest[0], 255 - digest[1], 255 - digest[2])
    draw.text((4, 4), prompt[:40], fill=ink)
    draw.text((4, max(4, h - 14)), f"seed {seed}", fill=ink)
    if preview_step is not None:
        meta["preview"] = "1"
        meta["step"] = str(preview_step)
        image = image.resize(scaled_size(w, h, PREVIEW_SIDE))
        fmt = "jpg"
    meta["format"] = fmt
    return _encode(image, fmt, meta)


def _encode(image: Any, fmt: str, metadata: dict[str, str]) -> bytes:
    from PIL import Image, PngImagePlugin

    text = json.dumps(metadata, sort_keys=True, separators=(",", ":"))
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if fmt == "png":
        info = PngImagePlugin.PngInfo()
        info.add_text(_META_KEY, text)
        options["pnginfo"] = info
    elif fmt == "jpg":
        options["comment"] = f"{_META_KEY}:{text}".encode()
        options["quality"] = 85
    else:
        exif = Image.Exif()
        exif[_EXIF_IMAGE_DESCRIPTION] = f"{_META_KEY}:{text}"
        options["exif"] = exif.tobytes()
    image.save(out, _PIL_FORMATS[fmt], **options)
    return out.getvalue()


def read_image_metadata(data: bytes) -> dict[str, str]:
    """The metadata a FakeSupernet wrote into one of its images or previews.

    Keys: ``project_id``, ``job_id`` (the worker's ``imgID``), ``job_index``, ``seed``,
    ``prompt_sha256`` (hex SHA-256 of the UTF-8 positive prompt), ``model_id``, ``format``
    (of this file: ``png``, ``jpg`` or ``webp``), ``requested_size`` (``"<width>x<height>"``),
    and on previews ``preview`` (``"1"``) and ``step``. Returns ``{}`` for an image without
    such metadata; raises ``ValueError`` when ``data`` is not an image. Needs Pillow
    (``pip install 'sogni[testing]'``).
    """
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("read_image_metadata needs Pillow: pip install 'sogni[testing]'") from exc
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise ValueError("not an image this reader understands") from exc
    with image:
        text = _find_metadata(image)
    if text is None:
        return {}
    parsed = json.loads(text)
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _find_metadata(image: Any) -> str | None:
    if image.format == "PNG":
        value = image.info.get(_META_KEY)
        return value if isinstance(value, str) else None
    candidates: list[Any] = []
    if image.format == "JPEG":
        candidates.append(image.info.get("comment"))
    candidates.append(image.getexif().get(_EXIF_IMAGE_DESCRIPTION))
    prefix = f"{_META_KEY}:"
    for value in candidates:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value.startswith(prefix):
            return value[len(prefix) :]
    return None


# ---------------------------------------------------------------------------- video and audio


@functools.cache
def _sample(fmt: str) -> bytes:
    return resources.files("sogni.testing").joinpath(f"data/sample.{fmt}").read_bytes()


def render_media(*, fmt: str, metadata: dict[str, str]) -> bytes:
    """The sample file for ``fmt`` (mp4, mov, mp3, wav, flac) carrying ``metadata``."""
    meta = {**metadata, "format": fmt}
    base = _sample(fmt)
    if fmt in ("mp4", "mov"):
        return base + _box(b"free", _TEXT_PREFIX + _json(meta))
    if fmt == "mp3":
        return _id3_tag(meta) + base
    if fmt == "wav":
        return _wav_with_info(base, _TEXT_PREFIX + _json(meta))
    if fmt == "flac":
        return _flac_with_comments(base, meta)
    raise ValueError(f"no sample for {fmt!r}")


def _json(meta: dict[str, str]) -> bytes:
    return json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _syncsafe(n: int) -> bytes:
    return bytes(((n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F))


def _id3_tag(meta: dict[str, str]) -> bytes:
    frames = b""
    for key, value in meta.items():
        # Encoding 3 is UTF-8; the description and the value are NUL-separated.
        body = b"\x03" + _TEXT_PREFIX + key.encode() + b"\x00" + value.encode()
        frames += b"TXXX" + _syncsafe(len(body)) + b"\x00\x00" + body
    return b"ID3\x04\x00\x00" + _syncsafe(len(frames)) + frames


def _wav_with_info(base: bytes, text: bytes) -> bytes:
    value = text + b"\x00"
    if len(value) % 2:
        value += b"\x00"  # RIFF chunks are word-aligned
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(value)) + value
    out = base + b"LIST" + struct.pack("<I", len(info)) + info
    return out[:4] + struct.pack("<I", len(out) - 8) + out[8:]


def _flac_with_comments(base: bytes, meta: dict[str, str]) -> bytes:
    # The sample holds exactly one metadata block, STREAMINFO, flagged last: the comment block
    # goes after it and becomes the last one.
    streaminfo_end = 4 + 4 + 34
    vendor = b"sogni FakeSupernet"
    body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(meta))
    for key, value in meta.items():
        comment = f"SOGNI_{key.upper()}={value}".encode()
        body += struct.pack("<I", len(comment)) + comment
    comments = bytes([0x80 | 4]) + len(body).to_bytes(3, "big") + body
    head = bytearray(base[:streaminfo_end])
    head[4] &= 0x7F
    return bytes(head) + comments + base[streaminfo_end:]


def read_media_metadata(data: bytes) -> dict[str, str]:
    """The metadata a FakeSupernet wrote into one of its results: video (MP4, MOV), audio (MP3,
    WAV, FLAC) or an image (as :func:`read_image_metadata`, which needs Pillow).

    Keys of video and audio results: ``project_id``, ``job_id`` (the worker's ``imgID``),
    ``job_index``, ``seed``, ``prompt_sha256``, ``model_id``, ``format`` (of this file), and for
    video ``requested_size`` (``"<width>x<height>"``), ``frames`` and ``fps``, for audio
    ``duration`` (seconds). Returns ``{}`` for a file without such metadata; raises
    ``ValueError`` when ``data`` is none of these formats.
    """
    data = bytes(data)
    if data[:4] == b"fLaC":
        return _flac_metadata(data)
    if data[:3] == b"ID3" or (len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return _id3_metadata(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _wav_metadata(data)
    if data[4:8] == b"ftyp":
        return _mp4_metadata(data)
    try:
        return read_image_metadata(data)
    except ValueError:
        raise ValueError("not a media file this reader understands") from None


def _parse_json(text: bytes) -> dict[str, str]:
    parsed = json.loads(text.decode("utf-8"))
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _mp4_metadata(data: bytes) -> dict[str, str]:
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size < 8:
            break
        payload = data[pos + 8 : pos + size]
        if kind == b"free" and payload.startswith(_TEXT_PREFIX):
            return _parse_json(payload[len(_TEXT_PREFIX) :])
        pos += size
    return {}


def _id3_metadata(data: bytes) -> dict[str, str]:
    if data[:3] != b"ID3":
        return {}
    end = 10 + _unsyncsafe(data[6:10])
    pos, found = 10, {}
    while pos + 10 <= end:
        frame_id, size_bytes = data[pos : pos + 4], data[pos + 4 : pos + 8]
        if frame_id == b"\x00\x00\x00\x00":
            break  # padding
        size = _unsyncsafe(size_bytes) if data[3] == 4 else int.from_bytes(size_bytes, "big")
        body = data[pos + 10 : pos + 10 + size]
        pos += 10 + size
        if frame_id != b"TXXX" or not body or body[0] != 3:
            continue
        description, _, value = body[1:].partition(b"\x00")
        if description.startswith(_TEXT_PREFIX):
            key = description[len(_TEXT_PREFIX) :].decode("utf-8")
            found[key] = value.decode("utf-8")
    return found


def _unsyncsafe(raw: bytes) -> int:
    return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]


def _wav_metadata(data: bytes) -> dict[str, str]:
    pos = 12
    while pos + 8 <= len(data):
        kind, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size % 2)
        if kind != b"LIST" or body[:4] != b"INFO":
            continue
        sub = 4
        while sub + 8 <= len(body):
            sub_kind, sub_size = (
                body[sub : sub + 4],
                struct.unpack("<I", body[sub + 4 : sub + 8])[0],
            )
            value = body[sub + 8 : sub + 8 + sub_size].rstrip(b"\x00")
            sub += 8 + sub_size + (sub_size % 2)
            if sub_kind == b"ICMT" and value.startswith(_TEXT_PREFIX):
                return _parse_json(value[len(_TEXT_PREFIX) :])
    return {}


def _flac_metadata(data: bytes) -> dict[str, str]:
    pos, found = 4, {}
    while pos + 4 <= len(data):
        header = data[pos]
        size = int.from_bytes(data[pos + 1 : pos + 4], "big")
        body = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if header & 0x7F == 4:
            vendor_len = struct.unpack("<I", body[:4])[0]
            at = 4 + vendor_len
            (count,) = struct.unpack("<I", body[at : at + 4])
            at += 4
            for _ in range(count):
                (length,) = struct.unpack("<I", body[at : at + 4])
                comment = body[at + 4 : at + 4 + length].decode("utf-8")
                at += 4 + length
                name, _, value = comment.partition("=")
                if name.upper().startswith("SOGNI_"):
                    found[name[len("SOGNI_") :].lower()] = value
        if header & 0x80:
            break
    return found
