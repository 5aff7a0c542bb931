"""FakeSupernet's networks, over real loopback through the public API: the CoreML model the
official examples render on a ``fast`` client."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from sogni import SogniClient
from sogni.testing import FakeSupernet, read_image_metadata

COREML = "coreml-cyberrealistic_v70_768"


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_fast_client_renders_the_coreml_model_of_the_examples(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(network="fast")
    client.connect()
    assert COREML in {m.id for m in client.projects.wait_for_models()}
    # The official README's image-to-image and ControlNet examples, on a fast client.
    img2img = client.projects.create(
        type="image",
        model_id=COREML,
        positive_prompt="Transform into oil painting style",
        starting_image=png(),
        starting_image_strength=0.7,
        number_of_media=1,
        steps=20,
        guidance=7.5,
    )
    controlnet = client.projects.create(
        type="image",
        model_id=COREML,
        positive_prompt="Professional portrait photo",
        number_of_media=1,
        steps=20,
        guidance=7.5,
        control_net={
            "name": "openpose",
            "image": png("blue"),
            "strength": 0.8,
            "mode": "balanced",
            "guidance_start": 0,
            "guidance_end": 1,
        },
    )
    for project in (img2img, controlnet):
        [url] = project.wait(timeout=30)
        assert url
        [job] = project.jobs
        data = job.get_result_data()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        meta = read_image_metadata(data)
        assert (meta["model_id"], meta["project_id"]) == (COREML, project.id)
        snapshot = fake.project_snapshot(project.id)
        assert snapshot is not None and snapshot["network"] == "fast"
