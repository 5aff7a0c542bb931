"""Small input media made on the fly, so the video and audio examples need no files."""

from __future__ import annotations

import io
import math
import struct
import wave

from PIL import Image, ImageDraw


def still_image(color: str = "teal", size: tuple[int, int] = (832, 480)) -> bytes:
    """A PNG with a simple scene."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.ellipse(
        (width // 2 - 80, height // 2 - 80, width // 2 + 80, height // 2 + 80), fill="gold"
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def tone(seconds: float = 3.0, hz: float = 220.0, rate: int = 16000) -> bytes:
    """A WAV with a sine tone (a stand-in for a voice line)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate)))
            for i in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return buffer.getvalue()
