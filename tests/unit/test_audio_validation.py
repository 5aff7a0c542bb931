"""Audio validation (protocol/02 §5, §7.7): the tier's ranges and lists, the documented
ACE-Step and MiniMax Music 3 catalog when the tier is silent, speech options; and the audio
parameters themselves (names, typos)."""

from __future__ import annotations

from typing import Any

import pytest

from sogni.projects._checks import MediaSlot
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog
from sogni.projects.families import ace_step as fam
from sogni.projects.params import PARAM_NAMES_TS, AudioProjectParams, make_params

from ._support import load_catalog, only_problem, problems_of

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
TURBO = "ace_step_1.5_turbo"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("media_catalog")


@pytest.fixture(scope="module")
def silent_catalog() -> Catalog:
    """ACE-Step and Music 3 tiers that declare only steps: the documented ranges apply."""
    bare = {"type": "audio", "steps": {"min": 1, "max": 200, "default": 8}}
    models = [
        {"id": model, "name": model, "SID": i, "tier": "bare", "media": "audio"}
        for i, model in enumerate(("ace_step_1.5_turbo", "minimax_music3", "qwen3_tts_x"))
    ]
    return Catalog(models, {"bare": bare})


def check(catalog: Catalog, **kwargs: Any) -> list[MediaSlot]:
    kwargs.setdefault("model_id", TURBO)
    return validate(make_params("audio", **kwargs), catalog)


def only(catalog: Catalog, param: str, **kwargs: Any) -> str:
    return only_problem(problems_of(lambda: check(catalog, **kwargs)), param)


def test_valid_songs(catalog: Catalog) -> None:
    assert check(catalog, duration=10, bpm=30, time_signature="2", keyscale="F\u266f minor") == []
    assert check(catalog, duration=600, bpm=300, language="unknown", number_of_media=4) == []
    assert check(catalog, model_id="ace_step_1.5_sft", guidance=15, steps=200, shift=5) == []


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"duration": 9}, "duration", "must be greater than or equal to 10, got 9"),
        ({"duration": 601}, "duration", "must be less than or equal to 600, got 601"),
        ({"bpm": 29}, "bpm", "must be greater than or equal to 30, got 29"),
        ({"bpm": 301}, "bpm", "must be less than or equal to 300, got 301"),
        (
            {"prompt_strength": 10.5},
            "prompt_strength",
            "must be less than or equal to 10, got 10.5",
        ),
        ({"prompt_strength": -1}, "prompt_strength", "must be greater than or equal to 0, got -1"),
        ({"creativity": 2.1}, "creativity", "must be less than or equal to 2, got 2.1"),
        ({"shift": 0.5}, "shift", "must be greater than or equal to 1, got 0.5"),
        ({"shift": 6}, "shift", "must be less than or equal to 5, got 6"),
        ({"steps": 3}, "steps", "must be greater than or equal to 4, got 3"),
        ({"steps": 17}, "steps", "must be less than or equal to 16, got 17"),
        ({"time_signature": "5"}, "time_signature", "must be one of '2', '3', '4', '6', got '5'"),
        ({"time_signature": 7}, "time_signature", "must be one of '2', '3', '4', '6', got '7'"),
        ({"keyscale": "H major"}, "keyscale", "'H major' is not one of the 70 values"),
        ({"keyscale": "c major"}, "keyscale", "'c major' is not one of the 70 values"),
        ({"language": "xx"}, "language", "'xx' is not one of the 51 values"),
        ({"lyrics": 42}, "lyrics", "must be a string, not int"),
        ({"composer_mode": "yes"}, "composer_mode", "must be True or False, not str"),
        (
            {"output_format": "ogg"},
            "output_format",
            "must be one of 'mp3', 'wav', 'flac', got 'ogg'",
        ),
        ({"number_of_media": 5}, "number_of_media", "must be less than or equal to 4, got 5"),
        ({"number_of_media": 0}, "number_of_media", "must be greater than or equal to 1, got 0"),
        ({"negative_prompt": "drums"}, "negative_prompt", "audio models take no negative prompt"),
        ({"guidance": 3}, "guidance", f"is not used by {TURBO} (its tier has no guidance)"),
        (
            {"sampler": "lms"},
            "sampler",
            'Invalid sampler lms. Must be one of "euler", "res_multistep", "er_sde".',
        ),
        (
            {"scheduler": "karras"},
            "scheduler",
            'Invalid scheduler karras. Must be one of "simple", "normal".',
        ),
    ],
)
def test_ace_step_rules(catalog: Catalog, kwargs: dict[str, Any], param: str, message: str) -> None:
    assert only(catalog, param, **kwargs).startswith(message)


@pytest.mark.parametrize("keyscale", fam.KEYSCALES)
def test_every_key_is_accepted(catalog: Catalog, keyscale: str) -> None:
    assert check(catalog, keyscale=keyscale) == []


def test_keyscales_cover_every_root_accidental_and_mode() -> None:
    assert len(fam.KEYSCALES) == 70
    for key in (
        "C major",
        "A minor",
        "Db major",
        "A# minor",
        "B# major",
        "Cb minor",
        "E# major",
        "Fb minor",
        "G\u266d major",
    ):
        assert key in fam.KEYSCALES
    assert len(fam.LYRICS_LANGUAGES) == 51


def test_sft_guidance_range(catalog: Catalog) -> None:
    assert only(catalog, "guidance", model_id="ace_step_1.5_sft", guidance=0.5).startswith(
        "must be greater than or equal to 1"
    )
    assert only(catalog, "guidance", model_id="ace_step_1.5_xl_sft", guidance=16).startswith(
        "must be less than or equal to 15"
    )


def test_documented_ranges_when_the_tier_is_silent(silent_catalog: Catalog) -> None:
    assert only(silent_catalog, "duration", duration=700).startswith(
        "must be less than or equal to 600"
    )
    assert only(silent_catalog, "bpm", bpm=10).startswith("must be greater than or equal to 30")
    assert only(silent_catalog, "shift", shift=5.5).startswith("must be less than or equal to 5")
    assert only(silent_catalog, "keyscale", keyscale="X major").startswith(
        "'X major' is not one of the 70"
    )
    assert check(silent_catalog, keyscale="Bb minor", time_signature="6", language="yue") == []


def test_music3_has_no_tempo_time_signature_or_shift(
    catalog: Catalog, silent_catalog: Catalog
) -> None:
    for cat in (catalog, silent_catalog):
        assert (
            only(cat, "bpm", model_id="minimax_music3", bpm=120)
            == "is not an option of minimax_music3"
        )
        assert (
            only(cat, "shift", model_id="minimax_music3", shift=3)
            == "is not an option of minimax_music3"
        )
        assert only(cat, "time_signature", model_id="minimax_music3", time_signature="4") == (
            "is not an option of minimax_music3"
        )
        assert only(cat, "duration", model_id="minimax_music3", duration=301).startswith(
            "must be less than or equal to 300"
        )
    assert (
        check(catalog, model_id="minimax_music3", duration=300, guidance=5, prompt_strength=10)
        == []
    )


def test_an_unknown_audio_family_is_only_type_checked(silent_catalog: Catalog) -> None:
    assert (
        check(silent_catalog, model_id="qwen3_tts_x", duration=2, bpm=1, keyscale="anything") == []
    )


def test_speech_options_from_the_tier(catalog: Catalog) -> None:
    custom = "qwen3_tts_1.7b_custom_voice_bf16"
    assert only(catalog, "speaker", model_id=custom, speaker="bob") == (
        "must be one of 'serena', 'vivian', 'uncle_fu', 'ryan', 'aiden', 'ono_anna', 'sohee', "
        "'eric', 'dylan', got 'bob'"
    )
    assert only(catalog, "instruct", model_id=custom, instruct="x" * 201) == (
        f"must be at most 200 characters (UTF-16 code units) for {custom}"
    )
    assert only(catalog, "reference_audio", model_id=custom, reference_audio=WAV) == (
        f"is not an input of {custom}"
    )
    design = "qwen3_tts_1.7b_voice_design_bf16"
    assert only(catalog, "instruct", model_id=design) == f"is required by {design}"
    assert check(catalog, model_id=design, instruct="a warm, low voice") == []
    clone = "qwen3_tts_1.7b_voice_clone_bf16"
    assert only(catalog, "reference_audio", model_id=clone) == (
        f"{clone} needs a reference_audio (the voice to clone)"
    )
    assert only(
        catalog, "reference_text", model_id=clone, reference_audio=WAV, reference_text="y" * 501
    ) == (f"must be at most 500 characters (UTF-16 code units) for {clone}")
    assert only(catalog, "reference_audio", model_id=clone, reference_audio=PNG).startswith(
        "must be an MP3, M4A, WAV, FLAC, Ogg or WebM audio file"
    )


def test_reference_audio_on_a_music_model_is_refused(catalog: Catalog) -> None:
    assert only(catalog, "reference_audio", reference_audio=WAV) == f"is not an input of {TURBO}"


@pytest.mark.parametrize("name", ["speaker", "instruct", "reference_text"])
def test_speech_options_on_a_music_model_are_refused(catalog: Catalog, name: str) -> None:
    assert only(catalog, name, **{name: "ryan"}) == f"is not an option of {TURBO}"


def test_wrong_model_type(catalog: Catalog) -> None:
    assert only(catalog, "model_id", model_id="wan_v2.2-14b-fp8_t2v").startswith(
        "Invalid model type. Model does not support audio generation."
    )


# ---------------------------------------------------------------------------- params


def test_audio_params_names_and_typos() -> None:
    params = make_params("audio", model_id=TURBO, time_signature="3", keyscale="A minor")
    assert isinstance(params, AudioProjectParams)
    assert params.type == "audio"
    with pytest.raises(TypeError, match="did you mean 'time_signature'"):
        make_params("audio", model_id=TURBO, timesignature="3")
    with pytest.raises(TypeError, match="did you mean 'composer_mode'"):
        make_params("audio", model_id=TURBO, composerMode=True)
    with pytest.raises(TypeError, match="did you mean 'prompt_strength'"):
        make_params("audio", model_id=TURBO, prompt_strenght=2)
    assert make_params(params, bpm=90).bpm == 90  # type: ignore[union-attr]


def test_audio_names_in_the_typescript_table() -> None:
    for name, ts in {
        "time_signature": "timesignature",
        "keyscale": "keyscale",
        "composer_mode": "composerMode",
        "prompt_strength": "promptStrength",
        "reference_text": "referenceText",
        "reference_audio": "referenceAudio",
    }.items():
        assert PARAM_NAMES_TS[name] == ts
