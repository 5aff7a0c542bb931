"""Wire parity for video and audio projects: every row of :data:`MEDIA_CASES` through the
official TypeScript SDK and through ours, strictly compared (bodies and uploads). A canary row
that differs on purpose (duration, and the audio file) must be reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .case import MediaFile, ParityCase, media
from .js_rule_cases import JS_MEDIA_CASES
from .media_cases import MEDIA_CASES, row
from .run import ParityRun, run_parity

_CANARY_OURS = row(
    "canary",
    "video",
    {"voice": MediaFile("wav", 30), "other_voice": MediaFile("wav", 20)},
    model_id="ltx23-22b-fp8_a2v_distilled",
    duration=2,
    fps=24,
    width=768,
    height=512,
    reference_audio=media("other_voice"),
)
CANARY = ParityCase(
    "canary",
    {**_CANARY_OURS.ts_params, "duration": 3, "referenceAudio": media("voice")},
    _CANARY_OURS.py_params,
    _CANARY_OURS.media,
)


@pytest.fixture(scope="module")
def media_parity(oracles: Oracles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParityRun]:
    with FakeSupernet(time_scale=0.001) as fake:
        workdir = tmp_path_factory.mktemp("parity-media")
        yield run_parity(fake, oracles, [*MEDIA_CASES, *JS_MEDIA_CASES, CANARY], workdir)


def test_table_covers_the_families() -> None:
    assert len(MEDIA_CASES) >= 35
    models = " ".join(str(c.py_params["model_id"]) for c in MEDIA_CASES)
    for family in (
        "wan_v2.2",
        "ltx23",
        "ltx25",
        "seedance-2-0",
        "seedance-2-5",
        "happyhorse",
        "wan3",
        "minimax-h3",
        "ace_step",
        "music3",
    ):
        assert family in models, family


@pytest.mark.parametrize("case", [*MEDIA_CASES, *JS_MEDIA_CASES], ids=lambda c: c.name)
def test_media_wire_parity(media_parity: ParityRun, case: ParityCase) -> None:
    problems = media_parity.problems(case)
    assert not problems, "\n".join(problems)


def test_a_difference_is_reported(media_parity: ParityRun) -> None:
    problems = media_parity.problems(CANARY)
    assert problems, "the canary row differs on purpose: the harness must see it"
    assert all(p.startswith("canary: ") for p in problems)
    assert "canary: keyFrames[0].frames: TypeScript SDK sent 73, ours sent 49" in problems
    sizes = [len(CANARY.media[name].render()) for name in ("voice", "other_voice")]
    assert (
        f"canary: uploads.referenceAudio.size: TypeScript SDK sent {sizes[0]}, ours sent {sizes[1]}"
        in problems
    )
