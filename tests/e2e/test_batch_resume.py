"""A batch killed (SIGKILL, through the fault hook) at each named point, then resumed with the
same journal: every item completes, no project id is sent twice, and every item is charged
exactly once. The batch runs in child processes; the fake runs here."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sogni.batch._fault import FAULT_ENV, FAULT_POINTS
from sogni.testing import FakeSupernet

CHILD = """
import json, sys
from sogni import SogniClient, batch
args = json.loads(sys.argv[1])
with SogniClient.from_env(app_id=args["app_id"]) as client:
    report = batch.run(client, args["items"], out_dir=args["out"], max_in_flight=3)
print(json.dumps({"completed": report.completed, "this_run": report.completed_this_run,
                  "failed": [f.message for f in report.failed]}))
"""

ITEMS = [
    {
        "model_id": "flux1-schnell-fp8",
        "positive_prompt": f"resume {n}",
        "steps": 4,
        "seed": n,
        "number_of_media": 2,
    }
    for n in range(10)
]


def run_child(fake: FakeSupernet, out: Path, app_id: str, fault: str | None) -> Any:
    env = {
        **os.environ,
        "SOGNI_API_KEY": fake.api_key,
        "SOGNI_REST_ENDPOINT": fake.rest_url,
        "SOGNI_SOCKET_ENDPOINT": fake.socket_url,
    }
    env.pop(FAULT_ENV, None)
    if fault is not None:
        env[FAULT_ENV] = fault
    args = json.dumps({"app_id": app_id, "items": ITEMS, "out": str(out)})
    return subprocess.run(
        [sys.executable, "-c", CHILD, args], env=env, capture_output=True, text=True, timeout=60
    )


def journal(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(
    ("point", "resume_app"),
    [(point, "batch-a") for point in FAULT_POINTS] + [("sent", "batch-b")],
)
def test_a_killed_run_resumes_without_paying_twice(
    fake: FakeSupernet, tmp_path: Path, point: str, resume_app: str
) -> None:
    killed = run_child(fake, tmp_path, "batch-a", f"{point}:4")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    before = journal(tmp_path)
    last = before[-1]
    if point in ("submitting", "completed"):
        assert last["event"] == point  # the hook fired right after that record
    submitted = [r for r in before if r["event"] == "submitting"]
    assert len(submitted) >= 4
    if point == "downloading":
        assert list(tmp_path.glob(".*.part"))  # a result file was left half-written

    resumed = run_child(fake, tmp_path, resume_app, None)
    assert resumed.returncode == 0, resumed.stderr
    outcome = json.loads(resumed.stdout)
    assert outcome == {"completed": 10, "this_run": outcome["this_run"], "failed": []}
    assert outcome["this_run"] == 10 - sum(1 for r in before if r["event"] == "completed")

    # Zero duplicate project ids in the fake's log: each id was sent once.
    sent = [f.payload["jobID"] for f in fake.frames("jobRequest")]
    assert len(sent) == len(set(sent)) == 10
    # One charge per item: ten charged projects, one per prompt, each charged once.
    charges = collections.Counter(e.ref for e in fake.ledger() if e.kind == "charge")
    assert set(charges.values()) == {1} and len(charges) == 10
    prompts = {p["id"]: p["prompt"] for p in fake.projects_snapshot()}
    assert sorted(prompts[ref] for ref in charges) == sorted(i["positive_prompt"] for i in ITEMS)

    after = journal(tmp_path)
    completed = [r for r in after if r["event"] == "completed"]
    assert len(completed) == len({r["key"] for r in completed}) == 10
    assert {r["project_id"] for r in completed} == set(charges)
    for record in completed:
        assert len(record["files"]) == 2
        for file in record["files"]:
            data = (tmp_path / file["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == file["sha256"]
    assert not list(tmp_path.glob(".*.part"))
    # The rerun wrote no second `submitting` for an item the crash left in flight.
    keys = collections.Counter(r["key"] for r in after if r["event"] == "submitting")
    assert set(keys.values()) == {1}
