"""Wire parity for video and audio projects: every row of :data:`MEDIA_CASES` through the
official TypeScript SDK and through ours, strictly compared (bodies and uploads)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .case import ParityCase
from .media_cases import MEDIA_CASES
from .run import ParityRun, run_parity


@pytest.fixture(scope="module")
def media_parity(oracles: Oracles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParityRun]:
    with FakeSupernet(time_scale=0.001) as fake:
        yield run_parity(fake, oracles, MEDIA_CASES, tmp_path_factory.mktemp("parity-media"))


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


@pytest.mark.parametrize("case", MEDIA_CASES, ids=lambda c: c.name)
def test_media_wire_parity(media_parity: ParityRun, case: ParityCase) -> None:
    problems = media_parity.problems(case)
    assert not problems, "\n".join(problems)
