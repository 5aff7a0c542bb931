"""The model catalog over real sockets and HTTP: live models, supported models, tiers, options,
size presets and LoRAs, each checked against the data the FakeSupernet serves."""

from __future__ import annotations

from collections.abc import Callable

from sogni import SogniClient
from sogni.projects import ImageModelOptions, VideoModelOptions
from sogni.testing import FakeSupernet

from ..helpers import wait_until

MODEL = "flux1-schnell-fp8"


def _served_on(fake: FakeSupernet, network: str) -> set[str]:
    serving = fake.catalog["serving"]
    return {
        m["id"]
        for m in fake.catalog["models"]
        if network in serving.get(m["id"], {}).get("networks", ["fast"])
    }


def test_live_models_follow_swarm_models(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="catalog-live")
    models = client.projects.wait_for_models()
    assert {m.id for m in models} == _served_on(fake, "fast")
    assert {m.worker_count for m in models} == {3}
    names = {m["id"]: m["name"] for m in fake.catalog["models"]}
    assert all(m.name == names[m.id] for m in models)

    fake.set_worker_count(MODEL, 7)
    wait_until(
        lambda: any(m.id == MODEL and m.worker_count == 7 for m in client.projects.available_models)
    )
    fake.set_worker_count(MODEL, 0)
    wait_until(
        lambda: all(m.worker_count == 0 for m in client.projects.available_models if m.id == MODEL)
    )


def test_supported_models_and_tiers_come_from_the_catalog(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="catalog-models")
    supported = {m.id: m for m in client.projects.supported_models()}
    expected = {m["id"]: m for m in fake.catalog["models"]}
    assert set(supported) == set(expected)
    for model_id, model in supported.items():
        assert (model.tier, model.media, model.sid) == (
            expected[model_id]["tier"],
            expected[model_id]["media"],
            expected[model_id]["SID"],
        )
    assert set(client.projects.model_tiers()) == set(fake.catalog["tiers"])


def test_model_options_read_the_models_tier(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="catalog-options")
    tier = fake.catalog["tiers"]["flux_schnell"]
    options = client.projects.model_options(MODEL)
    assert isinstance(options, ImageModelOptions)
    assert (options.steps.min, options.steps.max, options.steps.default) == (
        tier["steps"]["min"],
        tier["steps"]["max"],
        tier["steps"]["default"],
    )
    assert options.guidance is not None and options.guidance.step == 0.1  # "decimals": 1
    assert options.sampler.default is not None
    assert len(options.sampler.allowed) == len(tier["comfySampler"]["allowed"])
    video = next(m for m in fake.catalog["models"] if m["media"] == "video")
    assert isinstance(client.projects.model_options(video["id"]), VideoModelOptions)


def test_size_presets_and_loras(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="catalog-presets")
    presets = {p.id: p for p in client.projects.size_presets(MODEL)}
    assert (presets["square_hd"].width, presets["square_hd"].height) == (1024, 1024)
    assert presets["square_hd"].ratio == "1:1"
    assert fake.requests("/api/v1/size-presets/network/fast/model/" + MODEL)

    everything = client.projects.loras()
    served = fake.catalog["loras"]
    assert {lora.lora_id for lora in everything.loras} == {
        lora["loraId"] for lora in served["loras"]
    }
    assert everything.constraints.max_per_request == served["constraints"]["maxPerRequest"]
    for_model = client.projects.loras(MODEL)
    assert {lora.lora_id for lora in for_model.loras} == {
        lora["loraId"] for lora in served["loras"] if MODEL in lora["modelIds"]
    }
    assert for_model.loras  # the fixture data has LoRAs for this model
