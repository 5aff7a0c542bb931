"""A raw artist for FakeSupernet tests: websocket-client, plain ``requests`` and the envelope
codec, no SDK projects code (so the fake is tested independently of our client)."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests
import websocket
from PIL import Image

from sogni._wire.envelope import decode_frame, encode_frame
from sogni.testing import FakeSupernet

MODEL = "flux1-schnell-fp8"
Frame = tuple[str, Any]


def new_project_id() -> str:
    return str(uuid.uuid4()).upper()


def job_request(project_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A jobRequest as the official clients build it (trimmed legacy template)."""
    kf = {
        "modelID": MODEL,
        "positivePrompt": "a red fox in snow",
        "negativePrompt": "",
        "stylePrompt": "",
        "steps": 4,
        "guidanceScale": 1,
        "scheduler": None,
        "timeStepSpacing": None,
        "strength": 0.5,
        "startingImage": None,
        "currentControlNets": None,
        **{f"hasContextImage{n}": False for n in range(1, 17)},
    }
    kf.update(overrides.pop("kf", {}))
    body = {
        "jobID": project_id or new_project_id(),
        "keyFrames": [kf],
        "numberOfImages": 1,
        "previews": 0,
        "disableSafety": False,
        "tokenType": "spark",
        "outputFormat": "png",
        "selectedUpscalingModel": "OFF",
        "frameRate": 24,
    }
    body.update(overrides)
    return body


class Artist:
    """One raw artist connection: sends frames, records every frame received."""

    def __init__(self, fake: FakeSupernet, app_id: str = "raw-app", api_key: str | None = None):
        self.fake = fake
        self.api_key = api_key or fake.api_key
        self.ws = websocket.create_connection(
            f"{fake.socket_url}/?appId={app_id}&clientType=artist&forceWorkerId=fast",
            header=[f"api-key: {self.api_key}"],
            timeout=10,
        )
        self.frames: list[Frame] = []
        self._read = 0
        self.authenticated = self.wait_for("authenticated")[1]

    def send(self, frame_type: str, payload: Any) -> None:
        self.ws.send(encode_frame(frame_type, payload))

    def submit(self, body: dict[str, Any]) -> str:
        self.send("jobRequest", body)
        return str(body["jobID"])

    def cancel(self, project_id: str) -> None:
        self.send(
            "jobError",
            {
                "jobID": project_id,
                "error": "artistCanceled",
                "error_message": "artistCanceled",
                "isFromWorker": False,
            },
        )

    def sync(self) -> None:
        """Round-trip barrier: the server handles one connection's frames in order and answers
        ``changeNetwork`` at once, so every frame it sent before handling this one is read."""
        self.send("changeNetwork", "fast")
        self.wait_for("changeNetwork")

    def _pull(self) -> Frame:
        frame = decode_frame(self.ws.recv())
        item = (frame.type, frame.payload)
        self.frames.append(item)
        return item

    def wait_for(
        self,
        frame_type: str,
        predicate: Callable[[Any], bool] = lambda _: True,
        *,
        timeout: float = 10,
    ) -> Frame:
        """The next not-yet-consumed frame of ``frame_type`` matching ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            while self._read < len(self.frames):
                item = self.frames[self._read]
                self._read += 1
                if item[0] == frame_type and predicate(item[1]):
                    return item
            self.ws.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self._pull()
            except websocket.WebSocketTimeoutException:
                raise AssertionError(f"no {frame_type} frame within {timeout}s") from None

    def finish(self, project_id: str, *, timeout: float = 10) -> Frame:
        """Wait for the project's terminal frame (jobCompleted or a project-level jobError)."""

        def terminal(frame: Frame) -> bool:
            kind, payload = frame
            if not isinstance(payload, dict) or payload.get("jobID") != project_id:
                return False
            if kind == "jobState":
                return bool(payload.get("type") == "jobCompleted")
            return kind == "jobError" and "imgID" not in payload

        deadline = time.monotonic() + timeout
        while True:
            for frame in self.frames:
                if terminal(frame):
                    return frame
            self.ws.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self._pull()
            except websocket.WebSocketTimeoutException:
                raise AssertionError(f"project {project_id} did not finish in {timeout}s") from None

    def of(self, project_id: str, frame_type: str | None = None) -> list[Frame]:
        return [
            (kind, p)
            for kind, p in self.frames
            if isinstance(p, dict)
            and p.get("jobID") == project_id
            and (frame_type is None or kind == frame_type)
        ]

    def close(self) -> None:
        self.ws.close()


def api(fake: FakeSupernet, path: str, *, key: str | None = None, **params: Any) -> Any:
    return requests.get(
        fake.rest_url + path, params=params, headers={"api-key": key or fake.api_key}, timeout=10
    )


def socket_rest(fake: FakeSupernet, path: str, **params: Any) -> requests.Response:
    return requests.get(
        fake.socket_rest_url + path, params=params, headers={"api-key": fake.api_key}, timeout=10
    )


def download(fake: FakeSupernet, project_id: str, img_id: str, kind: str = "complete") -> bytes:
    response = api(fake, "/v1/image/downloadUrl", jobId=project_id, imageId=img_id, type=kind)
    assert response.status_code == 200, response.text
    url = response.json()["data"]["downloadUrl"]
    assert url.startswith(fake.rest_url + "/_fake/storage/")
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    return fetched.content


def upload(fake: FakeSupernet, project_id: str, slot: str, data: bytes) -> None:
    response = api(
        fake,
        "/v1/image/uploadUrl",
        imageId=new_project_id(),
        jobId=project_id,
        type=slot,
        contentType="image/png",
    )
    assert response.status_code == 200, response.text
    put = requests.put(
        response.json()["data"]["uploadUrl"],
        data=data,
        headers={"Content-Type": "image/png"},
        timeout=10,
    )
    assert put.status_code == 200


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()
