"""Outputs of the fake's simulated workers: real images drawn from the prompt, carrying
metadata that tells every result apart, and :func:`read_image_metadata` to read it back.

Pillow is imported inside the functions: ``sogni.testing`` must import without it.

Images are drawn at the requested aspect ratio but scaled to fit ``MAX_SIDE`` pixels on the long
side (a "2048x2048" render is a 256x256 file), so tests stay fast; the requested size is in the
metadata (``requested_size``). Previews are JPEGs of at most ``PREVIEW_SIDE`` pixels.

The metadata is one JSON object of strings under the key ``sogni``: a PNG ``tEXt`` chunk, the
JPEG comment (``COM``) segment, or the WebP EXIF ``ImageDescription`` tag.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from typing import Any

__all__ = ["MAX_SIDE", "PREVIEW_SIDE", "content_type_for", "read_image_metadata", "render_image"]

# [INV-OUTPUT-IMAGES] fake renders are small: at most 256 px (previews 64 px) on the long side.
MAX_SIDE = 256
PREVIEW_SIDE = 64
_META_KEY = "sogni"
_EXIF_IMAGE_DESCRIPTION = 0x010E
_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
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
