"""REST wire parity for creative workflows and workflow templates: each row of both tables goes
through the official TypeScript SDK (all rows in one Node process) and through ours against one
FakeSupernet; the compared request of each row must be identical in method, path, query, JSON
body and the protocol's headers (``workflow_run.py``). One canary per table differs on purpose
and must be reported, so the harness cannot go blind."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .rest_run import compare_rows
from .workflow_cases import (
    TEMPLATE_CANARY,
    TEMPLATE_CASES,
    WORKFLOW_CANARY,
    WORKFLOW_CASES,
    WORKFLOW_KINDS,
    WorkflowCase,
)
from .workflow_run import (
    WorkflowSide,
    normalise_workflow_request,
    run_workflow_parity,
    workflow_slot,
)

Results = dict[str, tuple[WorkflowSide, WorkflowSide]]


@pytest.fixture(scope="module")
def workflow_results(oracles: Oracles) -> Iterator[Results]:
    with FakeSupernet(time_scale=0.001) as fake:
        yield run_workflow_parity(
            fake, oracles, [*WORKFLOW_CASES, WORKFLOW_CANARY, *TEMPLATE_CASES, TEMPLATE_CANARY]
        )


def test_the_tables_cover_every_call() -> None:
    kinds = {c.kind for c in WORKFLOW_CASES + TEMPLATE_CASES}
    assert kinds == set(WORKFLOW_KINDS)
    assert {c.kind.split(".")[0] for c in WORKFLOW_CASES} == {"workflows"}
    assert {c.kind.split(".")[0] for c in TEMPLATE_CASES} == {"templates"}


@pytest.mark.parametrize("case", WORKFLOW_CASES + TEMPLATE_CASES, ids=lambda c: c.name)
def test_workflow_wire_parity(workflow_results: Results, case: WorkflowCase) -> None:
    ts, ours = workflow_results[case.name]
    problems = compare_rows(ts, ours, case.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("canary", "where"),
    [(WORKFLOW_CANARY, "body.token_type"), (TEMPLATE_CANARY, "body.description")],
    ids=["workflows", "templates"],
)
def test_a_difference_is_reported(
    workflow_results: Results, canary: WorkflowCase, where: str
) -> None:
    ts, ours = workflow_results[canary.name]
    problems = compare_rows(ts, ours, canary.name)
    assert len(problems) == 1 and f"{canary.name}: {where}:" in problems[0], problems


def test_slots_and_normalisation() -> None:
    base = "/v1/creative-agent/workflows"
    assert workflow_slot("POST", base) == "start"
    assert workflow_slot("GET", base) == "list"
    assert workflow_slot("GET", base + "/wf_1") is None  # a poll: compared by no row
    assert workflow_slot("POST", base + "/wf_1/cancel") == "cancel"
    assert workflow_slot("GET", base + "/wf_1/events/stream") == "stream"
    assert workflow_slot("POST", base + "/templates") == "tpl_create"
    assert workflow_slot("DELETE", base + "/templates/tpl_1") == "tpl_delete"
    assert workflow_slot("POST", base + "/templates/tpl_1/fork") == "tpl_fork"

    def record(path: str, raw: str = "") -> SimpleNamespace:
        return SimpleNamespace(method="POST", path=path, query={}, headers={}, raw=raw)

    own = normalise_workflow_request(record(base + "/wf_1/reseed"), "wf_1", None)
    assert own["path"] == base + "/<workflow-id>/reseed"
    other = normalise_workflow_request(record(base + "/wf_2/reseed"), "wf_1", None)
    assert other["path"] == base + "/wf_2/reseed"
    fork = normalise_workflow_request(record(base + "/templates/tpl_1/fork"), None, "tpl_1")
    assert fork["path"] == base + "/templates/<template-id>/fork"
    # A template id is only ever normalised as a template, never as a workflow.
    tpl = normalise_workflow_request(record(base + "/templates/tpl_1"), "templates", None)
    assert tpl["path"] == base + "/templates/tpl_1"
    start = normalise_workflow_request(record(base, '{"workflow_id":"tpl_1"}'), "wf_1", "tpl_1")
    assert start["body"] == {"workflow_id": "<template-id>"}
    stranger = normalise_workflow_request(record(base, '{"workflow_id":"tpl_9"}'), None, "tpl_1")
    assert stranger["body"] == {"workflow_id": "tpl_9"}
