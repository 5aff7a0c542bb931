"""Each official client, on its default (fast) network, renders the CoreML model its README's
examples use, as those examples do, and gets an image from it."""

from __future__ import annotations

import base64

from sogni.testing import FakeSupernet, read_image_metadata

from .harness import StartScenario

COREML = "coreml-cyberrealistic_v70_768"
PARAMS = {
    "modelId": COREML,
    "positivePrompt": "Professional portrait photo",
    "numberOfMedia": 1,
    "numberOfPreviews": 1,
    "steps": 20,
    "guidance": 7.5,
}


def test_coreml_model_on_the_fast_network(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    with start_scenario(language, "image_two_previews", args={"params": PARAMS}) as scenario:
        result = scenario.result()

    assert result["status"] == "completed"
    snapshot = fake.project_snapshot(result["projectId"])
    assert snapshot is not None and snapshot["status"] == "completed"
    assert (snapshot["model_id"], snapshot["network"]) == (COREML, "fast")
    [job] = result["jobs"]
    meta = read_image_metadata(base64.b64decode(job["result"]))
    assert (meta["model_id"], meta["project_id"]) == (COREML, result["projectId"])
