"""REST wire parity for hosted chat and durable runs: each row of both tables goes through the
official TypeScript SDK (all rows in one Node process) and through ours against one
FakeSupernet; the compared request of each row must be identical in method, path, query, JSON
body and the protocol's headers (``rest_run.py``). One canary per table differs on purpose and
must be reported, so the harness cannot go blind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .rest_cases import HOSTED_CANARY, HOSTED_CASES, RUN_CANARY, RUN_CASES, RestCase
from .rest_run import RestSide, compare_rows, run_rest_parity

Results = dict[str, tuple[RestSide, RestSide]]


@pytest.fixture(scope="module")
def rest_results(oracles: Oracles) -> Iterator[Results]:
    with FakeSupernet(time_scale=0.001) as fake:
        yield run_rest_parity(fake, oracles, [*HOSTED_CASES, HOSTED_CANARY, *RUN_CASES, RUN_CANARY])


def test_the_tables_cover_every_call() -> None:
    kinds = {c.kind for c in HOSTED_CASES + RUN_CASES}
    assert kinds == {
        "hosted.create",
        "hosted.executeTool",
        "runs.create",
        "runs.confirmCost",
        "runs.cancel",
        "runs.streamEvents",
    }
    assert len(HOSTED_CASES) >= 15 and len(RUN_CASES) >= 10


@pytest.mark.parametrize("case", HOSTED_CASES + RUN_CASES, ids=lambda c: c.name)
def test_rest_wire_parity(rest_results: Results, case: RestCase) -> None:
    ts, ours = rest_results[case.name]
    problems = compare_rows(ts, ours, case.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("canary", "where"),
    [(HOSTED_CANARY, "body.temperature"), (RUN_CANARY, "body.session_id")],
    ids=["hosted", "runs"],
)
def test_a_difference_is_reported(rest_results: Results, canary: RestCase, where: str) -> None:
    ts, ours = rest_results[canary.name]
    problems = compare_rows(ts, ours, canary.name)
    assert len(problems) == 1 and f"{canary.name}: {where}:" in problems[0], problems
