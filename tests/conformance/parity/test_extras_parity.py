"""REST wire parity for replay, stats, announcements and the models of a network: each row goes
through the official TypeScript SDK and through ours against one FakeSupernet; the request of
each row must be identical in method, path, query, JSON body and the protocol's headers. The
canary differs on purpose and must be reported, so the harness cannot go blind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .extras_cases import EXTRAS_CANARY, EXTRAS_CASES, KINDS, ExtrasCase
from .extras_run import run_extras_parity
from .rest_run import RestSide, compare_rows

Results = dict[str, tuple[RestSide, RestSide]]


@pytest.fixture(scope="module")
def extras_results(oracles: Oracles) -> Iterator[Results]:
    with FakeSupernet(time_scale=0.001) as fake:
        yield run_extras_parity(fake, oracles, [*EXTRAS_CASES, EXTRAS_CANARY])


def test_the_table_covers_every_call() -> None:
    assert {c.kind for c in EXTRAS_CASES} == set(KINDS)


@pytest.mark.parametrize("case", EXTRAS_CASES, ids=lambda c: c.name)
def test_extras_wire_parity(extras_results: Results, case: ExtrasCase) -> None:
    ts, ours = extras_results[case.name]
    problems = compare_rows(ts, ours, case.name)
    assert not problems, "\n".join(problems)


def test_a_difference_is_reported(extras_results: Results) -> None:
    ts, ours = extras_results[EXTRAS_CANARY.name]
    problems = compare_rows(ts, ours, EXTRAS_CANARY.name)
    assert len(problems) == 1 and f"{EXTRAS_CANARY.name}: query.limit:" in problems[0], problems
