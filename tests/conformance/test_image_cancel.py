"""Each official client cancels a project the fake is holding, through its public API: queued
behind paused workers, or rendered with the result held back. The client sends the artist
cancel (``jobError`` ``artistCanceled``), the fake confirms with ``artistCancelConfirmation``,
and the client reports the project canceled."""

from __future__ import annotations

import pytest

from sogni.testing import FakeSupernet

from .harness import StartScenario

PARAMS = {
    "modelId": "flux1-schnell-fp8",
    "positivePrompt": "A kite that will never fly",
    "numberOfMedia": 2,
    "steps": 4,
}


@pytest.mark.parametrize("held", ["queued", "rendered"])
def test_cancel_a_held_project(
    fake: FakeSupernet, start_scenario: StartScenario, language: str, held: str
) -> None:
    if held == "queued":
        fake.pause_workers()
    else:
        fake.hold_results()
    args = {"params": PARAMS, "cancelAfter": "queued" if held == "queued" else "progress"}
    with start_scenario(language, "image_cancel", args=args) as scenario:
        result = scenario.result()

    project_id = result["projectId"]
    assert result["statusBefore"] == ("queued" if held == "queued" else "processing")
    assert result["status"] == "canceled" and result["finished"] is True
    assert all(status == "canceled" for status in result["jobStatuses"])
    if held == "rendered":
        assert result["jobStatuses"] and "jobStarted" in result["events"]
    assert result["outcome"]["settled"] == "rejected"
    assert result["outcome"]["error"]["message"] == "Project canceled"
    assert "completed" not in result["events"]
    assert result["confirmations"] == [{"jobID": project_id, "didCancel": True}]

    cancels = [f for f in fake.frames("jobError") if f.app_id == scenario.app_id and not f.dropped]
    assert [f.payload for f in cancels] == [
        {
            "jobID": project_id,
            "error": "artistCanceled",
            "error_message": "artistCanceled",
            "isFromWorker": False,
        }
    ]
    snapshot = fake.project_snapshot(project_id)
    assert snapshot is not None
    assert (snapshot["status"], snapshot["reason"]) == ("cancelled", "artistCanceled")
    assert snapshot["charged"] == "0" and snapshot["held"] == "0"
    assert all(job["status"] != "jobCompleted" for job in snapshot["jobs"])
