"""Durable chat runs with each official client against the fake: ``runs.create`` and
``streamEvents`` to the terminal event across a stream the test cuts (each client resumes it
with ``lastEventId``), the cost-approval pause answered with ``runs.confirmCost``, and
``runs.cancel``."""

from __future__ import annotations

import json
from typing import Any

import requests

from sogni.chat import DEFAULT_CHAT_MODEL
from sogni.testing import FakeSupernet

from ..helpers import wait_until
from .harness import StartScenario

PLAIN = " ".join(f"word{i}" for i in range(12))
PAID = "generate_image of a paper boat"


def _contiguous(events: list[dict[str, Any]], terminal: str) -> None:
    assert [e["sequence"] for e in events] == list(range(len(events)))
    assert events[0]["type"] == "run_created" and events[-1]["type"] == terminal


def test_runs_stream_across_a_cut_confirm_cost_and_cancel(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    fake.sse_keepalive = 0.05
    fake.hold_runs(4)  # the first run waits at event 4 until its stream has been cut
    args = {"model": DEFAULT_CHAT_MODEL, "plainPrompt": PLAIN, "paidPrompt": PAID}
    with start_scenario(language, "chat_runs", args=args) as scenario:
        ready = scenario.wait_for_event("READY")
        wait_until(lambda: fake.open_streams() == 1)
        assert fake.cut_streams() == 1
        fake.hold_runs(None)
        result = scenario.result()

    plain = result["plain"]
    assert plain["runId"] == ready["runId"] and plain["status"] == "queued"
    _contiguous(plain["events"], "run_completed")
    # Cut after sequence 3 at the earliest: the client resumed from the last event it had.
    assert plain["resumedFrom"][0] is None and plain["resumedFrom"][1] >= 3
    streams = fake.requests(f"/v1/chat/runs/{plain['runId']}/events/stream")
    resumed = [r.headers.get("Last-Event-ID") for r in streams]
    assert resumed[0] is None and resumed[1] == str(plain["resumedFrom"][1])
    create = next(
        r for r in fake.requests("/v1/chat/runs", method="POST") if r.path == "/v1/chat/runs"
    )
    assert create.headers["Idempotency-Key"] == f"plain-{scenario.app_id}"

    paid = result["paid"]
    assert paid["waitingReason"] == "cost_approval_required"
    assert (paid["confirmedStatus"], paid["finalStatus"]) == ("running", "completed")
    _contiguous(paid["events"], "run_completed")
    types = [e["type"] for e in paid["events"]]
    pause = types.index("run_waiting_for_user")
    assert types[pause - 1] == "run_awaiting_cost_confirmation"
    assert types[pause + 1 : pause + 3] == ["run_cost_confirmation_resolved", "run_resumed"]
    (confirm,) = fake.requests(f"/v1/chat/runs/{paid['runId']}/confirm-cost")
    body = json.loads(confirm.raw or "{}")
    assert body["decision"] == "confirm" and body["acceptedCostPreview"] == paid["preview"]
    assert confirm.headers["Idempotency-Key"] == f"confirm-{body['tool_call_id']}"
    (artifact,) = paid["artifacts"]
    image = requests.get(artifact["url"], timeout=10)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")

    cancelled = result["cancelled"]
    assert (cancelled["status"], cancelled["reason"]) == ("cancelled", "conformance check")
    _contiguous(cancelled["events"], "run_cancelled")
    (cancel,) = fake.requests(f"/v1/chat/runs/{cancelled['runId']}/cancel")
    assert json.loads(cancel.raw or "{}") == {"reason": "conformance check"}
