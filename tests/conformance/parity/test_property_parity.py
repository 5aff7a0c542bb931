"""Property-based wire parity: Hypothesis draws random valid image, video and audio projects
(:mod:`strategies`) and each one is sent through the TypeScript SDK and through ours; the
``jobRequest`` bodies and uploads must be identical, number texts included, or both SDKs must
refuse the set.

The run is fixed (``derandomize=True``: the same sets every time) and draws at least 300 sets
per media type. A set that fails is shrunk by Hypothesis; the shrunk set belongs in the parity
tables (``image_cases.py``, ``media_cases.py``) as a regression row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .case import ParityCase
from .live import LiveParity
from .strategies import audio_cases, image_cases, video_cases

EXAMPLES = 300
# Both SDKs may refuse a set (some draws go past a limit on purpose), but most must be sent.
MAX_REFUSED_SHARE = 0.2

_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _describe(case: ParityCase) -> str:
    return f"row: type={case.py_params['type']!r}, py_params={dict(case.py_params)!r}"


def _run(oracles: Oracles, workdir: Path, strategy: st.SearchStrategy[ParityCase]) -> LiveParity:
    with FakeSupernet(time_scale=0.001) as fake, LiveParity(fake, oracles, workdir) as live:

        @_SETTINGS
        @given(strategy)
        def check(case: ParityCase) -> None:
            problems = live.problems(case)
            assert not problems, "\n".join([_describe(case), *problems])

        check()
        return live


CASES: dict[str, Callable[[], st.SearchStrategy[ParityCase]]] = {
    "image": image_cases,
    "video": video_cases,
    "audio": audio_cases,
}


@pytest.mark.parametrize("media_type", list(CASES))
def test_generated_sets_are_identical_on_the_wire(
    oracles: Oracles, tmp_path: Path, media_type: str
) -> None:
    live = _run(oracles, tmp_path, CASES[media_type]())
    assert live.rows >= EXAMPLES
    assert live.sent >= live.rows * (1 - MAX_REFUSED_SHARE), (
        f"only {live.sent} of {live.rows} generated {media_type} sets were sent"
    )
