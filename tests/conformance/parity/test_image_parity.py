"""Wire parity for image projects: every row of :data:`IMAGE_CASES` is sent through the official
TypeScript SDK and through ours against one FakeSupernet; the ``jobRequest`` bodies and the
uploads must be identical (see ``compare.py`` for what "identical" means).

A canary row that differs on purpose runs in the same batch and must be reported, so a harness
that stopped seeing differences fails too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .case import MediaFile, ParityCase, media
from .image_cases import IMAGE_CASES
from .js_rule_cases import JS_IMAGE_CASES, add_extra_models
from .run import ParityRun, run_parity

ROWS = (*IMAGE_CASES, *JS_IMAGE_CASES)

CANARY = ParityCase(
    "canary",
    {
        "type": "image",
        "modelId": "qwen_image_edit_2511_fp8_lightning",
        "positivePrompt": "Canary",
        "numberOfMedia": 1,
        "guidance": 1.5,
        "contextImages": [media("small")],
    },
    {
        "type": "image",
        "model_id": "qwen_image_edit_2511_fp8_lightning",
        "positive_prompt": "Canary",
        "guidance": 1.25,
        "context_images": [media("large")],
    },
    {"small": MediaFile("png", 16, 16), "large": MediaFile("png", 64, 64)},
)


@pytest.fixture(scope="module")
def image_parity(oracles: Oracles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParityRun]:
    with FakeSupernet(time_scale=0.01) as fake:
        add_extra_models(fake)
        workdir = tmp_path_factory.mktemp("parity-image")
        yield run_parity(fake, oracles, [*ROWS, CANARY], workdir)


def test_table_has_every_image_row() -> None:
    assert len(IMAGE_CASES) >= 25


@pytest.mark.parametrize("case", ROWS, ids=lambda c: c.name)
def test_image_wire_parity(image_parity: ParityRun, case: ParityCase) -> None:
    problems = image_parity.problems(case)
    assert not problems, "\n".join(problems)


def test_a_difference_is_reported(image_parity: ParityRun) -> None:
    sizes = [len(CANARY.media[name].render()) for name in ("small", "large")]
    problems = image_parity.problems(CANARY)
    assert problems[0] == (
        "canary: keyFrames[0].guidanceScale: TypeScript SDK sent 1.5, ours sent 1.25"
    )
    assert problems[1] == (
        f"canary: uploads.contextImage1.size: TypeScript SDK sent {sizes[0]}, ours sent {sizes[1]}"
    )
    assert problems[2].startswith("canary: uploads.contextImage1.sha256: TypeScript SDK sent ")
    assert len(problems) == 3


def test_every_row_got_its_own_project(image_parity: ParityRun) -> None:
    sides = [*image_parity.ts.values(), *image_parity.ours.values()]
    ids = [side.project_id for side in sides]
    assert len(ids) == 2 * (len(ROWS) + 1)
    assert all(ids) and len(set(ids)) == len(ids)
