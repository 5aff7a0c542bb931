"""Video and music with each official client: one WAN 2.2, one LTX-2.3, one Seedance 2.0 and one
ACE-Step 1.5 project complete, and every downloaded result is real media of its format (parsed)
that carries its own project id."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from sogni.testing import FakeSupernet, read_media_metadata

from ..media_checks import CHECKS
from .harness import StartScenario

PROJECTS: dict[str, tuple[dict[str, Any], str]] = {
    "wan": (
        {
            "type": "video",
            "modelId": "wan_v2.2-14b-fp8_t2v_lightx2v",
            "positivePrompt": "A paper boat",
            "numberOfMedia": 1,
            "duration": 3,
            "fps": 16,
            "width": 832,
            "height": 480,
            "steps": 4,
        },
        "mp4",
    ),
    "ltx": (
        {
            "type": "video",
            "modelId": "ltx23-22b-fp8_t2v_distilled",
            "positivePrompt": "A dancer",
            "numberOfMedia": 1,
            "duration": 2,
            "fps": 24,
            "width": 768,
            "height": 512,
        },
        "mp4",
    ),
    "seedance": (
        {
            "type": "video",
            "modelId": "seedance-2-0",
            "positivePrompt": "Waves at dawn",
            "numberOfMedia": 1,
            "duration": 4,
            "width": 1280,
            "height": 720,
            "tokenType": "spark",
        },
        "mp4",
    ),
    "ace_step": (
        {
            "type": "audio",
            "modelId": "ace_step_1.5_turbo",
            "positivePrompt": "Dreamy indie pop",
            "numberOfMedia": 2,
            "duration": 30,
            "bpm": 96,
            "keyscale": "A minor",
            "outputFormat": "flac",
        },
        "flac",
    ),
}


@pytest.mark.parametrize("name", list(PROJECTS))
def test_media_project(
    fake: FakeSupernet, start_scenario: StartScenario, language: str, name: str
) -> None:
    params, fmt = PROJECTS[name]
    with start_scenario(language, "media_project", args={"params": params}) as scenario:
        result = scenario.result()
    assert result["status"] == "completed"
    assert len(result["results"]) == params["numberOfMedia"]
    for data in (base64.b64decode(r) for r in result["results"]):
        CHECKS[fmt](data)
        meta = read_media_metadata(data)
        assert meta["project_id"] == result["projectId"]
        assert meta["model_id"] == params["modelId"]
    [request] = [f for f in fake.frames("jobRequest") if f.app_id == scenario.app_id]
    assert request.payload["outputFormat"] == fmt
