"""The model-family registry: which family each id belongs to, lookup order, registration
rules, and a registered family's hooks reaching validation, the request, the frame math and the
estimate."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest

from sogni.errors import ValidationError
from sogni.projects import video_duration_range, video_frames
from sogni.projects._estimate import video_estimate_path
from sogni.projects.catalog import Catalog
from sogni.projects.families import (
    AudioFamily,
    Family,
    VideoCheck,
    VideoFamily,
    family_for,
    register_family,
    registered_families,
)
from sogni.projects.params import make_params

from ._support import DATA, problems_of, wire_body

WAN_T2V = "wan_v2.2-14b-fp8_t2v"


@pytest.mark.parametrize(
    ("model_id", "media", "family"),
    [
        ("flux1-schnell-fp8", "image", "image"),
        ("coreml-cyberrealistic_v70_768", "image", "image"),
        ("z_image_turbo_bf16", "image", "comfy_image"),
        ("dark_beast_krea2_identity_edit_v1_2", "image", "comfy_image"),
        ("rtx_vsr_pro", "image", "comfy_image"),
        ("qwen_image_edit_2511_fp8_lightning", "image", "qwen_image"),
        ("gpt-image-2.5-flare", "image", "gpt_image"),
        ("sam3_image_segment_bf16", "image", "sam3"),
        ("birefnet_image_background_removal_fp16", "image", "birefnet"),
        ("pixal3d_multiview_int8_i23d", "image", "pixal3d"),
        (WAN_T2V, "video", "wan22"),
        ("ltx25-22b-int8_ia2v_dev", "video", "ltx"),
        ("seedance-2-5-uncensored", "video", "seedance"),
        ("happyhorse-1.1-r2v", "video", "happyhorse"),
        ("wan3.0-spicy-video", "video", "wan3"),
        ("minimax-h3-fastvideo-omni-int8_r2v_turbo", "video", "minimax_h3"),
        ("flashvsr_v1.1_tiny_long_bf16", "video", "flashvsr"),
        ("ace_step_1.5_xl_sft", "audio", "ace_step"),
        ("minimax_music3", "audio", "minimax_music"),
        ("qwen3_tts_1.7b_voice_design_bf16", "audio", "qwen3_tts"),
        ("some-new-speech-model", "audio", "audio"),
        ("wan_v2.2-14b-fp8_t2v", "image", "image"),  # the media type picks the family kind
    ],
)
def test_ids_map_to_their_family(model_id: str, media: Any, family: str) -> None:
    found = family_for(model_id, media)
    assert found is not None and found.name == family


def test_a_video_id_no_family_claims_has_none() -> None:
    assert family_for("wan_v2.3-new-model_t2v", "video") is None
    assert video_frames("wan_v2.3-new-model_t2v", 5, 24) == 121  # the generic rule
    assert video_duration_range("wan_v2.3-new-model_t2v") == (1, 10)


def test_builtin_names_are_unique() -> None:
    names = [f.name for f in registered_families()]
    assert len(names) == len(set(names)) >= 18


class SlowWan(VideoFamily):
    """Claims a WAN id: renders at 10 fps (``frames = duration * 10``), 25 fps on the wire,
    2-4 s clips, and no ``shift`` above 3."""

    name: ClassVar[str] = "slow_wan"
    model_ids: ClassVar[frozenset[str]] = frozenset({WAN_T2V})

    def workflow(self, model_id: str) -> str | None:
        return "t2v"

    def default_fps(self, model_id: str) -> int | None:
        return 25

    def frames(self, model_id: str, duration: float, fps: float | None) -> int:
        return round(duration * 10)

    def duration_range(self, model_id: str, fps: float | None) -> tuple[float, float | None]:
        return 2, 4

    def defaults(self, model_id: str) -> Mapping[str, Any]:
        return {"shift": 2}

    def validate(self, check: VideoCheck) -> None:
        if "shift" in check.ok and check.ok["shift"] > 3:
            check.add("shift", "slow WAN takes shift 1-3")


@pytest.fixture
def slow_wan() -> Iterator[SlowWan]:
    family = SlowWan()
    unregister = register_family(family)
    yield family
    unregister()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    raw = json.loads((DATA / "media_catalog.json").read_text())
    return Catalog(raw["models"], raw["tiers"])


def test_a_registered_family_comes_before_the_builtin_one(
    slow_wan: SlowWan, catalog: Catalog
) -> None:
    assert family_for(WAN_T2V, "video") is slow_wan
    assert registered_families("video")[0] is slow_wan
    assert video_frames(WAN_T2V, 3) == 30
    params = make_params("video", model_id=WAN_T2V, duration=3, width=832, height=480)
    kf = wire_body(params, catalog, job_id="J")["keyFrames"][0]
    assert (kf["frames"], kf["fps"], kf["shift"]) == (30, 25, 2)
    path, _query = video_estimate_path(params, catalog)
    assert path.endswith(f"/{WAN_T2V}/832/480/30/16")  # a quote takes the tier's fps first
    found = problems_of(
        lambda: wire_body(
            make_params("video", model_id=WAN_T2V, duration=5, shift=4), catalog, job_id="J"
        )
    )
    assert found == {
        "duration": [f"must be 2 to 4 seconds for {WAN_T2V}, got 5"],
        "shift": ["slow WAN takes shift 1-3"],
    }


def test_unregistering_restores_the_builtin_rules(slow_wan: SlowWan) -> None:
    assert video_frames(WAN_T2V, 3) == 30
    unregister = register_family(type("Other", (AudioFamily,), {"name": "other_audio"})())
    unregister()
    registered = [f.name for f in registered_families()]
    assert "other_audio" not in registered and "slow_wan" in registered


def test_the_first_registered_family_wins() -> None:
    first = type("First", (VideoFamily,), {"name": "first", "model_ids": frozenset({"x-v"})})()
    second = type("Second", (VideoFamily,), {"name": "second", "model_ids": frozenset({"x-v"})})()
    removers = [register_family(first), register_family(second)]
    try:
        assert family_for("x-v", "video") is first
    finally:
        for remove in removers:
            remove()
    assert family_for("x-v", "video") is None
    assert video_frames(WAN_T2V, 3) == 49  # WAN 2.2 again: round(3 * 16) + 1


def test_registration_needs_a_named_family_of_one_media_type() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_family(type("Dup", (VideoFamily,), {"name": "wan22"})())
    with pytest.raises(TypeError):
        register_family(type("Nameless", (VideoFamily,), {})())
    with pytest.raises(TypeError):
        register_family(type("NoMedia", (Family,), {"name": "no_media"})())
    with pytest.raises(TypeError):
        register_family(object())  # type: ignore[arg-type]
    assert {"wan22"} == {f.name for f in registered_families() if f.name == "wan22"}


def test_an_unknown_video_id_is_still_refused(catalog: Catalog) -> None:
    raw = json.loads((DATA / "media_catalog.json").read_text())
    raw["models"].append(
        {"id": "new-video", "name": "New", "SID": 1, "tier": "wan3.0", "media": "video"}
    )
    with pytest.raises(ValidationError) as info:
        wire_body(
            make_params("video", model_id="new-video", duration=3),
            Catalog(raw["models"], raw["tiers"]),
            job_id="J",
        )
    assert info.value.params == ["model_id"]
