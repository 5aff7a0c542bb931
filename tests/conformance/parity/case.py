"""How a parity row is declared: :class:`ParityCase`, with media files as :class:`MediaFile`
and references to them as :func:`media`."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MediaFile", "MediaRef", "ParityCase", "media"]

_PIL_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def _wav(seconds: float) -> bytes:
    import math
    import struct
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        samples = (int(8000 * math.sin(i / 5)) for i in range(int(seconds * 8000)))
        out.writeframes(b"".join(struct.pack("<h", v) for v in samples))
    return buffer.getvalue()


@dataclass(frozen=True)
class MediaFile:
    """A small file the harness writes to a temporary file for both SDKs: an image (png, jpg,
    webp; ``width`` x ``height``), a WAV (``width`` tenths of a second) or the fake's sample MP4."""

    kind: str = "png"
    width: int = 32
    height: int = 32
    color: str = "red"

    def render(self) -> bytes:
        if self.kind == "wav":
            return _wav(seconds=self.width / 10)
        if self.kind == "mp4":
            from importlib import resources

            return resources.files("sogni.testing").joinpath("data/sample.mp4").read_bytes()
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (self.width, self.height), self.color).save(
            buffer, _PIL_FORMATS[self.kind]
        )
        return buffer.getvalue()

    def write(self, directory: Path, stem: str) -> Path:
        path = directory / f"{stem}.{self.kind}"
        path.write_bytes(self.render())
        return path


@dataclass(frozen=True)
class MediaRef:
    """Stands for the media file ``name`` of the row inside ``ts_params`` / ``py_params``.

    ``form`` is how the SDK gets it: for the TypeScript SDK ``"buffer"`` (a Node ``Buffer``,
    content type sniffed) or ``"blob"`` (a ``Blob`` typed with ``blob_type``); for ours
    ``"path"``, ``"bytes"`` or ``"file"`` (an open binary file)."""

    name: str
    form: str | None = None
    blob_type: str | None = None


def media(name: str, form: str | None = None, *, blob_type: str | None = None) -> MediaRef:
    return MediaRef(name, form, blob_type)


@dataclass(frozen=True)
class ParityCase:
    """One row: the same project through the TypeScript SDK (``ts_params``, camelCase, exactly
    what its ``projects.create`` takes) and through ours (``py_params``, the snake_case keyword
    arguments of ``client.projects.create``)."""

    name: str
    ts_params: Mapping[str, Any]
    py_params: Mapping[str, Any]
    media: Mapping[str, MediaFile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for side, params in (("ts_params", self.ts_params), ("py_params", self.py_params)):
            for ref in _refs(params):
                if ref.name not in self.media:
                    raise ValueError(f"{self.name}: {side} uses media {ref.name!r}, not declared")
        if self.ts_params.get("type") != self.py_params.get("type"):
            raise ValueError(f"{self.name}: ts_params and py_params name different types")


def _refs(value: Any) -> list[MediaRef]:
    if isinstance(value, MediaRef):
        return [value]
    if isinstance(value, Mapping):
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, (list, tuple)):
        return [r for v in value for r in _refs(v)]
    return []
