"""JavaScript's rules where the wire depends on them, end to end through the public API.

The service and the official clients are JavaScript: a string is trimmed by ``trim`` and
measured in UTF-16 code units, a number is written as ``JSON.stringify`` writes it, a value not
given is a key not sent, ``Math.round`` rounds halves up. The rows both SDKs send are compared
with the TypeScript SDK in ``tests/conformance/parity``; these are the sets both SDKs refuse
(the official client refuses them, or the service would), and what only the frame text shows.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from sogni import SogniClient, ValidationError
from sogni.projects._codes import human_duration
from sogni.testing import FakeSupernet

from ..helpers import wait_until

FLUX = "flux1-schnell-fp8"
SAM3 = "sam3_image_segment_bf16"
EMOJI = "\U0001f98a"  # two UTF-16 code units


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 24), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def client(make_client: Callable[..., SogniClient], fake: FakeSupernet) -> SogniClient:
    # SAM 3 is not in the fake's catalog; serve it with the utility tier the SDK expects.
    fake.add_model(
        SAM3,
        tier={
            "type": "image",
            "benchmark": {"sec": 2},
            "steps": {"min": 1, "max": 1, "default": 1},
        },
    )
    c = make_client()
    c.connect()
    return c


def sent_text(fake: FakeSupernet, project_id: str) -> str:
    """The JSON text of the project's ``jobRequest``, exactly as it arrived."""
    [record] = fake.received.wait_for(
        lambda r: (
            r.kind == "frame"
            and r.frame_type == "jobRequest"
            and (r.payload or {}).get("jobID") == project_id
        ),
        timeout=10,
    )
    assert record.raw is not None
    return base64.b64decode(json.loads(record.raw)["data"]).decode("utf-8")


def sent_key_frame(fake: FakeSupernet, project_id: str) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(sent_text(fake, project_id))["keyFrames"][0]
    return frame


# ---------------------------------------------------------------------------- refused


REFUSED = {
    # trim("\ufeff") is empty: the official client refuses a Wan 3 request with no prompt.
    "wan3_prompt_blank_to_javascript": (
        {"type": "video", "model_id": "wan3.0-video", "positive_prompt": "\ufeff", "duration": 2},
        "positive_prompt",
    ),
    # U+0085 is not whitespace to JavaScript: a negative prompt MiniMax H3 has no input for.
    "h3_negative_prompt_not_blank": (
        {
            "type": "video",
            "model_id": "minimax-h3-fl2va-fp8_t2v",
            "negative_prompt": "\x85",
            "duration": 6,
        },
        "negative_prompt",
    ),
    # 121 emoji are 242 UTF-16 code units, over SAM 3's 240.
    "sam3_text_over_240_units": (
        {
            "type": "image",
            "model_id": SAM3,
            "starting_image": png(),
            "sam3_prompt": {"text": EMOJI * 121},
        },
        "sam3_prompt.text",
    ),
    "sam3_text_blank_to_javascript": (
        {
            "type": "image",
            "model_id": SAM3,
            "starting_image": png(),
            "sam3_prompt": {"text": " \ufeff "},
        },
        "sam3_prompt.text",
    ),
    # The tier allows 200: 101 emoji are 202 code units (the service counts as JavaScript).
    "instruct_over_the_tier_length": (
        {
            "type": "audio",
            "model_id": "qwen3_tts_1.7b_custom_voice_bf16",
            "instruct": EMOJI * 101,
        },
        "instruct",
    ),
    # 65 emoji: 130 code units, over attribution's 128 (the official client drops the value).
    "attribution_over_128_units": (
        {"type": "image", "model_id": FLUX, "attribution": {"agent_framework": EMOJI * 65}},
        "attribution.agent_framework",
    ),
    # The URL parser ignores C0 controls and spaces around a URL, never U+00A0.
    "wan3_url_with_a_no_break_space": (
        {
            "type": "video",
            "model_id": "wan3.0-video",
            "positive_prompt": "x",
            "duration": 2,
            "reference_file_url": "\u00a0https://example.com/brief.pdf",
        },
        "reference_file_url",
    ),
    "url_list_blank_to_javascript": (
        {
            "type": "video",
            "model_id": "seedance-2-0",
            "positive_prompt": "x",
            "duration": 5,
            "reference_image_urls": ["https://example.com/a.png", "\ufeff"],
        },
        "reference_image_urls",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_where_javascript_refuses(
    client: SogniClient, fake: FakeSupernet, name: str
) -> None:
    params, param = REFUSED[name]
    with pytest.raises(ValidationError) as info:
        client.projects.create(**params)
    assert param in {p.param for p in info.value.problems}, info.value.problems
    assert fake.frames("jobRequest") == []


# ---------------------------------------------------------------------------- sent


def test_limits_count_utf16_units_and_trim_is_javascripts(
    client: SogniClient, fake: FakeSupernet
) -> None:
    at_limit = client.projects.create(
        type="image", model_id=SAM3, starting_image=png(), sam3_prompt={"text": EMOJI * 120}
    )
    assert sent_key_frame(fake, at_limit.id)["sam3Prompt"]["text"] == EMOJI * 120
    trimmed = client.projects.create(
        type="image", model_id=SAM3, starting_image=png(), sam3_prompt={"text": "\ufeff dog\x1c "}
    )
    assert sent_key_frame(fake, trimmed.id)["sam3Prompt"]["text"] == "dog\x1c"
    voice = client.projects.create(
        type="audio", model_id="qwen3_tts_1.7b_voice_design_bf16", instruct="\x1c"
    )
    assert sent_key_frame(fake, voice.id)["instruct"] == "\x1c"
    agent = client.projects.create(
        type="image",
        model_id=FLUX,
        attribution={"agent_surface": "\u2028sdk\ufeff", "agent_framework": EMOJI * 64},
    )
    body = json.loads(sent_text(fake, agent.id))
    assert body["agentSurface"] == "sdk" and body["agentFramework"] == EMOJI * 64
    url = client.projects.create(
        type="video",
        model_id="wan3.0-video",
        positive_prompt="\x1c",
        duration=2,
        reference_file_url="\x1f https://example.com/brief.pdf",
    )
    frame = sent_key_frame(fake, url.id)
    assert frame["positivePrompt"] == "\x1c"
    assert frame["referenceFileURL"] == "\x1f https://example.com/brief.pdf"  # as given


def test_the_frame_text_is_json_stringify(client: SogniClient, fake: FakeSupernet) -> None:
    project = client.projects.create(
        type="image",
        model_id=FLUX,
        positive_prompt="\ud800 lone, \ud83e\udd8a pair",
        guidance=1e-07,
        loras=["multiple_angles"],
        lora_strengths=[0.00001],
        seed=7,
    )
    text = sent_text(fake, project.id)
    # A lone surrogate escaped, a pair given as two code points written as the emoji.
    assert '"positivePrompt":"\\ud800 lone, \U0001f98a pair"' in text
    assert '"guidanceScale":1e-7' in text
    assert '"loraStrengths":[0.00001]' in text
    assert '"seed":7' in text


def test_an_unset_prompt_is_no_key(client: SogniClient, fake: FakeSupernet) -> None:
    unset = client.projects.create(type="image", model_id=FLUX)
    assert "positivePrompt" not in sent_key_frame(fake, unset.id)
    empty = client.projects.create(type="image", model_id=FLUX, positive_prompt="")
    assert sent_key_frame(fake, empty.id)["positivePrompt"] == ""


def test_the_client_app_source_is_trimmed_as_the_official_client_does(
    make_client: Callable[..., SogniClient], fake: FakeSupernet
) -> None:
    client = make_client(app_source="\ufeff parity-app \u3000")
    client.connect()
    project = client.projects.create(type="image", model_id=FLUX, positive_prompt="x")
    assert json.loads(sent_text(fake, project.id))["appSource"] == "parity-app"
    upgrade = [r for r in fake.received if r.kind == "ws_connect"][-1]
    assert upgrade.query["appSource"] == "parity-app"


# ---------------------------------------------------------------------------- numbers


def test_estimate_paths_write_numbers_as_javascript(
    client: SogniClient, fake: FakeSupernet
) -> None:
    client.projects.estimate_cost(
        type="image", model_id=FLUX, guidance=0.00001, sampler="euler", steps=4
    )
    [image] = fake.requests("/api/v3/job/estimate/")
    assert image.path is not None and "/0.00001/euler/0" in image.path
    client.projects.estimate_video_cost(
        type="video",
        model_id="ltx23-22b-fp8_t2v_distilled",
        duration=2,
        fps=23.976,
        width=768,
        height=512,
        reference_video_duration_seconds=1e-07,
    )
    [video] = fake.requests("/api/v1/job-video/estimate/")
    assert video.path is not None and "/768/512/49/23.976" in video.path
    assert video.query["referenceVideoDurationSeconds"] == "1e-7"


def test_progress_rounds_halves_up(client: SogniClient) -> None:
    seen: list[int] = []
    project = client.projects.create(type="image", model_id=FLUX, positive_prompt="x", steps=8)
    project.on("progress", seen.append)
    project.wait(timeout=30)
    wait_until(lambda: 100 in seen)
    # Steps of 12.5%: Math.round gives 13 and 63 where Python's round gives 12 and 62.
    assert 13 in seen or 63 in seen, seen
    assert not {12, 62} & set(seen), seen


def test_runtime_limits_are_worded_with_math_round() -> None:
    assert human_duration(150) == "3 minutes"  # 2.5 minutes; round() would say 2
    assert human_duration(90) == "2 minutes"


def test_chat_estimate_counts_the_json_stringify_text(client: SogniClient) -> None:
    client.chat.wait_for_models()
    estimate = client.chat.estimate_cost(messages=[{"role": "user", "content": "\ud800"}])
    # JSON.stringify escapes the lone surrogate: six characters, not a UnicodeEncodeError.
    assert estimate.input_tokens == -(-len('[{"role":"user","content":"\\ud800"}]') // 4)
