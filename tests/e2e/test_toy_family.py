"""A model family added from outside the package: a toy image model no file under ``sogni/``
knows runs end to end against the fake, with the family's defaults, request fields, size
bounds and validation rule, and an estimate quoted by the same rules."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import pytest
from PIL import Image

from sogni import SogniClient, ValidationError
from sogni.projects.families import (
    ImageCheck,
    ImageFamily,
    family_for,
    register_family,
    registered_families,
)
from sogni.projects.params import ImageProjectParams
from sogni.testing import FakeSupernet, read_image_metadata

TOY = "toy-model-v1"
# A legacy-style tier (no "type"): its own default steps (4) differ from the family's (6).
TOY_TIER: dict[str, Any] = {
    "benchmark": {"sec": 1, "secCN": 0, "secMaxPreviews": 0.2},
    "nickname": "Toy",
    "steps": {"min": 1, "max": 12, "default": 4},
    "guidance": {"min": 0, "max": 5, "decimals": 1, "default": 1},
    "sampler": {"allowed": ["Euler", "Euler a"], "default": "Euler"},
    "scheduler": {"allowed": ["Karras", "Normal"], "default": "Karras"},
}


class ToyFamily(ImageFamily):
    """Even step counts only (six unless given), one square 384 px result per project unless a
    size is given, sides 64-768 px, no previews."""

    name: ClassVar[str] = "toy"
    model_ids: ClassVar[frozenset[str]] = frozenset({TOY})
    single_output: ClassVar[bool] = True
    takes_previews: ClassVar[bool] = False

    def defaults(self, model_id: str) -> Mapping[str, Any]:
        return {"steps": 6, "guidance": 2.5}

    def size_bounds(self, model_id: str) -> tuple[int, int]:
        return 64, 768

    def validate(self, check: ImageCheck) -> None:
        steps = check.params.steps
        if isinstance(steps, int) and steps % 2:
            check.add("steps", f"{check.model_id} runs an even number of steps, got {steps}")

    def write_key_frame(self, params: ImageProjectParams, kf: dict[str, Any]) -> None:
        if params.width is None and params.size_preset is None:
            kf.update(size_preset="custom", width=384, height=384)


@pytest.fixture
def toy() -> Iterator[ToyFamily]:
    family = ToyFamily()
    unregister = register_family(family)
    try:
        yield family
    finally:
        unregister()
    assert all(f.name != "toy" for f in registered_families())


@pytest.fixture
def client(
    fake: FakeSupernet, make_client: Callable[..., SogniClient], toy: ToyFamily
) -> SogniClient:
    # Served by the running fake from now on; the client reads the catalog afterwards.
    fake.add_model(TOY, tier=TOY_TIER, name="Toy Model", serving={"size": [64, 768]})
    return make_client()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_registered_family_runs_a_project_to_completion(
    client: SogniClient, fake: FakeSupernet, toy: ToyFamily
) -> None:
    assert family_for(TOY, "image") is toy
    project = client.projects.create(
        type="image", model_id=TOY, positive_prompt="a toy robot", number_of_media=3, seed=7
    )
    urls = project.wait(timeout=30)

    [request] = [f.payload for f in fake.frames("jobRequest") if not f.dropped]
    kf = request["keyFrames"][0]
    assert kf["modelID"] == TOY
    assert (kf["steps"], kf["guidanceScale"]) == (6, 2.5)  # the family's defaults
    assert (kf["sizePreset"], kf["width"], kf["height"]) == ("custom", 384, 384)
    assert (request["numberOfImages"], request["previews"]) == (1, 0)
    assert "comfySampler" not in kf and kf["scheduler"] is None  # legacy field names
    assert len(urls) == 1 and project.status == "completed"
    [job] = project.jobs
    assert job.seed == 7
    meta = read_image_metadata(job.get_result_data())
    assert (meta["model_id"], meta["requested_size"]) == (TOY, "384x384")


def test_the_family_rule_refuses_bad_input_before_anything_is_sent(
    client: SogniClient, fake: FakeSupernet
) -> None:
    before = len(fake.received)
    with pytest.raises(ValidationError) as info:
        client.projects.create(
            type="image", model_id=TOY, steps=5, width=1024, height=512, starting_image=_png()
        )
    problems = {p.param: p.message for p in info.value.problems}
    assert problems == {
        "steps": f"{TOY} runs an even number of steps, got 5",
        "width": "must be less than or equal to 768, got 1024",
    }
    sent = [
        r
        for r in fake.received.snapshot()[before:]
        if r.kind == "frame" or (r.path or "").startswith(("/v1/image/uploadUrl", "/_fake/"))
    ]
    assert sent == [] and fake.uploads() == []


def test_the_estimate_quotes_the_family_defaults(client: SogniClient, fake: FakeSupernet) -> None:
    quote = client.projects.estimate_cost(model_id=TOY, number_of_media=3, number_of_previews=2)
    assert quote.token > 0
    [call] = [r for r in fake.requests() if "/job/estimate/" in (r.path or "")]
    # count 1 (one result per project), steps 6 (the family's), previews 0
    assert call.path == f"/api/v2/job/estimate/spark/fast/{TOY}/1/6/0/0/0/0/0"


def test_without_the_family_the_toy_model_follows_the_generic_rules(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    fake.add_model(TOY, tier=TOY_TIER, serving={"size": [64, 768]})
    family = family_for(TOY, "image")
    assert family is not None and family.name == "image"  # the Stable Diffusion/Flux rules
    client = make_client()
    client.projects.create(type="image", model_id=TOY, steps=5).wait(timeout=30)
    [request] = [f.payload for f in fake.frames("jobRequest") if not f.dropped]
    kf = request["keyFrames"][0]
    assert kf["steps"] == 5 and "width" not in kf
