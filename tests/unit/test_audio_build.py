"""The audio ``jobRequest`` body, key by key: protocol/02 §10.3 and every audio family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sogni.projects._build import build_job_request
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog
from sogni.projects.params import AudioProjectParams, make_params
from tests.unit.test_image_build import first_difference, kf_of
from tests.unit.test_video_build import assert_same, expected

from ._support import load_catalog

DATA = Path(__file__).parent / "data"
JOB_ID = "6FA459EA-EE8A-4CA4-894E-DB77E160355E"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("media_catalog")


def wire(catalog: Catalog, params: Any, job_id: str = JOB_ID) -> dict[str, Any]:
    slots = validate(params, catalog)
    body = build_job_request(params, job_id=job_id, catalog=catalog, app_source=None, slots=slots)
    return json.loads(json.dumps(body))


def audio_expected(model_id: str, kf: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    body = expected(model_id, kf, {"outputFormat": "mp3", **top}, drop=("negativePrompt",))
    body["jobID"] = JOB_ID
    return body


def example_10_3() -> AudioProjectParams:
    return AudioProjectParams(
        model_id="ace_step_1.5_turbo",
        positive_prompt="Upbeat electronic dance music with synth leads and driving bass",
        number_of_media=2,
        duration=30,
        bpm=128,
        keyscale="C major",
        time_signature="4",
        language="en",
        lyrics="[Verse]\nLights are low\n\n[Chorus]\nWe ride tonight",
        composer_mode=True,
        prompt_strength=2,
        creativity=0.85,
        shift=3,
        steps=8,
        seed=424242,
        sampler="euler",
        scheduler="simple",
        output_format="mp3",
        token_type="spark",
    )


def test_example_10_3_complete_request(catalog: Catalog) -> None:
    wanted = json.loads((DATA / "job_request_10_3.json").read_text())
    params = example_10_3()
    assert validate(params, catalog) == []
    actual = wire(catalog, params, wanted["jobID"])
    assert first_difference(actual, wanted) is None
    assert list(actual) == list(wanted)
    assert list(kf_of(actual)) == list(kf_of(wanted))


def test_example_10_3_accepts_python_numbers_and_an_int_time_signature(catalog: Catalog) -> None:
    wanted = json.loads((DATA / "job_request_10_3.json").read_text())
    params = make_params(
        example_10_3(), time_signature=4, prompt_strength=2.0, shift=3.0, duration=30.0
    )
    assert first_difference(wire(catalog, params, wanted["jobID"]), wanted) is None


def test_ace_step_sft_minimal(catalog: Catalog) -> None:
    body = wire(catalog, make_params("audio", model_id="ace_step_1.5_sft", positive_prompt="folk"))
    assert_same(body, audio_expected("ace_step_1.5_sft", {"positivePrompt": "folk"}, {}))


def test_ace_step_sft_with_lyrics_language_and_guidance(catalog: Catalog) -> None:
    body = wire(
        catalog,
        make_params(
            "audio",
            model_id="ace_step_1.5_xl_sft",
            positive_prompt="Soft acoustic folk ballad",
            lyrics="Verse 1:\nWalking down a quiet road",
            language="ja",
            number_of_media=4,
            duration=60,
            bpm=90,
            keyscale="A\u266d minor",
            time_signature="3",
            steps=12,
            guidance=7,
            composer_mode=False,
            creativity=1.5,
            prompt_strength=0,
            output_format="flac",
        ),
    )
    assert_same(
        body,
        audio_expected(
            "ace_step_1.5_xl_sft",
            {
                "steps": 12,
                "guidanceScale": 7,
                "positivePrompt": "Soft acoustic folk ballad",
                "duration": 60,
                "bpm": 90,
                "timesignature": "3",
                "language": "ja",
                "lyrics": "Verse 1:\nWalking down a quiet road",
                "keyscale": "A\u266d minor",
                "composerMode": False,
                "promptStrength": 0,
                "creativity": 1.5,
            },
            {"numberOfImages": 4, "outputFormat": "flac"},
        ),
    )


def test_ace_step_xl_turbo_wav(catalog: Catalog) -> None:
    body = wire(
        catalog,
        make_params(
            "audio",
            model_id="ace_step_1.5_xl_turbo",
            positive_prompt="lofi",
            duration=600,
            output_format="wav",
            sampler="res_multistep",
        ),
    )
    assert_same(
        body,
        audio_expected(
            "ace_step_1.5_xl_turbo",
            {"positivePrompt": "lofi", "duration": 600, "comfySampler": "res_multistep"},
            {"outputFormat": "wav"},
        ),
    )


def test_minimax_music3(catalog: Catalog) -> None:
    body = wire(
        catalog,
        make_params(
            "audio",
            model_id="minimax_music3",
            positive_prompt="A full pop song",
            duration=120,
            guidance=1.7,
            prompt_strength=1.7,
            steps=30,
        ),
    )
    assert_same(
        body,
        audio_expected(
            "minimax_music3",
            {
                "steps": 30,
                "guidanceScale": 1.7,
                "positivePrompt": "A full pop song",
                "duration": 120,
                "promptStrength": 1.7,
            },
            {},
        ),
    )


def test_qwen3_tts_voice_clone_uploads_the_reference(catalog: Catalog) -> None:
    params = make_params(
        "audio",
        model_id="qwen3_tts_1.7b_voice_clone_bf16",
        positive_prompt="Welcome back to the show.",
        reference_text="Hello, this is my voice.",
        reference_audio=WAV,
        sampler="euler",
    )
    slots = validate(params, catalog)
    assert [(s.slot, s.kind, s.upload_id, s.source.content_type) for s in slots] == [
        ("referenceAudio", "audio", None, "audio/wav")
    ]
    assert_same(
        wire(catalog, params),
        audio_expected(
            "qwen3_tts_1.7b_voice_clone_bf16",
            {
                "positivePrompt": "Welcome back to the show.",
                "referenceText": "Hello, this is my voice.",
                "hasReferenceAudio": True,
                "referenceAudioContentType": "audio/wav",
            },
            {},
        ),
    )


def test_qwen3_tts_custom_voice(catalog: Catalog) -> None:
    body = wire(
        catalog,
        make_params(
            "audio",
            model_id="qwen3_tts_1.7b_custom_voice_bf16",
            positive_prompt="Good morning.",
            speaker="serena",
            instruct="whispering, close to the mic",
        ),
    )
    assert_same(
        body,
        audio_expected(
            "qwen3_tts_1.7b_custom_voice_bf16",
            {
                "positivePrompt": "Good morning.",
                "speaker": "serena",
                "instruct": "whispering, close to the mic",
            },
            {},
        ),
    )


def test_audio_never_sends_a_negative_prompt_or_previews(catalog: Catalog) -> None:
    body = wire(catalog, make_params("audio", model_id="ace_step_1.5_turbo", number_of_media=3))
    assert "negativePrompt" not in kf_of(body)
    assert (body["previews"], body["numberOfImages"], body["outputFormat"]) == (0, 3, "mp3")
