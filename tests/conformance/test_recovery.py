"""Recovery with each official client: a socket dropped mid-project, and a server restart that
refuses the request (1001) during submit. The clients recover on their own; the fake serves them
the way the real Supernet does (projects survive reconnects; a refused request is resent once)."""

from __future__ import annotations

import base64

from sogni.testing import FakeSupernet, read_image_metadata

from .harness import StartScenario

PARAMS = {
    "modelId": "flux1-schnell-fp8",
    "positivePrompt": "A harbour at night",
    "numberOfMedia": 2,
    "steps": 4,
}


def _check_results(result: dict, project_id: str) -> None:
    assert result["status"] == "completed"
    assert result["projectId"] == project_id
    assert len(result["results"]) == 2
    metas = [read_image_metadata(base64.b64decode(data)) for data in result["results"]]
    assert {m["project_id"] for m in metas} == {project_id}
    assert sorted(m["job_index"] for m in metas) == ["0", "1"]


def test_socket_dropped_mid_project(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    fake.hold_results()
    with start_scenario(language, "recover_project", args={"params": PARAMS}) as scenario:
        project_id = scenario.wait_for_event("created")["projectId"]
        fake.wait_for_project(project_id, status="progress", timeout=20)
        assert fake.drop_connections(app_id=scenario.app_id) == 1
        fake.hold_results(False)
        result = scenario.result()
    _check_results(result, project_id)
    connects = [r for r in fake.received if r.kind == "ws_connect" and r.app_id == scenario.app_id]
    assert len(connects) >= 2  # it reconnected
    sent = [f for f in fake.frames("jobRequest") if f.app_id == scenario.app_id]
    assert [f.payload["jobID"] for f in sent] == [project_id]  # never submitted twice


def test_server_restart_refuses_during_submit(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    fake.set_restarting()
    with start_scenario(language, "recover_project", args={"params": PARAMS}) as scenario:
        project_id = scenario.wait_for_event("created")["projectId"]
        fake.received.wait_for(
            lambda r: (
                r.kind == "frame" and r.frame_type == "jobRequest" and r.app_id == scenario.app_id
            ),
            timeout=20,
        )
        fake.set_restarting(False)
        fake.restart(downtime=0.3)
        result = scenario.result()
    _check_results(result, project_id)
    sent = [f for f in fake.frames("jobRequest") if f.app_id == scenario.app_id]
    # The refused request is resent once, with the same id, after the reconnect.
    assert [f.payload["jobID"] for f in sent] == [project_id, project_id]
    assert sent[0].connection_id != sent[1].connection_id
