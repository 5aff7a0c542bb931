"""Helpers for the platform tool tests: tool calls, sample media, what the fake received."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import struct
import wave
from importlib import resources
from typing import Any

from sogni.chat import ToolCall
from sogni.testing import FakeSupernet


def call(name: str, call_id: str = "call_1", **arguments: Any) -> ToolCall:
    return ToolCall(call_id, name, json.dumps(arguments))


def png(width: int = 64, height: int = 64, color: str = "red") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        samples = (int(8000 * math.sin(i / 5)) for i in range(int(seconds * 8000)))
        out.writeframes(b"".join(struct.pack("<h", v) for v in samples))
    return buffer.getvalue()


def mp4() -> bytes:
    return resources.files("sogni.testing").joinpath("data/sample.mp4").read_bytes()


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def job_request(fake: FakeSupernet, project_id: str | None) -> dict[str, Any]:
    """The ``jobRequest`` the fake received for a project."""
    assert project_id is not None, "no project was created"
    (frame,) = [
        r for r in fake.frames("jobRequest") if (r.payload or {}).get("jobID") == project_id
    ]
    payload: dict[str, Any] = frame.payload
    return payload


def key_frame(fake: FakeSupernet, project_id: str | None) -> dict[str, Any]:
    frame: dict[str, Any] = job_request(fake, project_id)["keyFrames"][0]
    return frame


def uploads(fake: FakeSupernet, project_id: str | None) -> dict[str, str]:
    """Upload slot -> SHA-256 of what arrived."""
    assert project_id is not None
    return {row["type"]: row["sha256"] for row in fake.uploads(project_id)}


def projects_sent(fake: FakeSupernet) -> int:
    return len(fake.frames("jobRequest"))
