"""The fake's ledger (holds, releases, charges) and its HTTP control plane for a fake in another
process (``/_fake/ledger``, ``/_fake/projects``, ``/_fake/job-requests``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import requests

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..helpers import wait_until

IMAGE = {"model_id": "flux1-schnell-fp8", "steps": 4, "guidance": 1, "token_type": "spark"}


def test_a_render_is_held_then_released_and_charged_once(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    project = client.projects.create(positive_prompt="ledger", number_of_media=2, **IMAGE)
    project.wait(timeout=30)
    entries = [e for e in fake.ledger("spark") if e.ref == project.id]
    assert [e.kind for e in entries] == ["hold", "release", "charge"]
    snapshot = fake.project_snapshot(project.id)
    assert snapshot is not None
    assert entries[0].amount == entries[1].amount == Decimal(snapshot["cost"])
    assert entries[2].amount == Decimal(snapshot["charged"]) > 0
    assert all(e.account == "alice" and e.token_type == "spark" for e in entries)
    assert fake.ledger("sogni") == []


def test_a_canceled_render_is_released_without_a_charge(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    fake.pause_workers()
    try:
        project = client.projects.create(positive_prompt="cancel me", **IMAGE)
        wait_until(lambda: fake.project_snapshot(project.id))
        project.cancel()
    finally:
        fake.resume_workers()
    kinds = [e.kind for e in fake.ledger() if e.ref == project.id]
    assert kinds == ["hold", "release"]


def test_the_control_plane_reports_ledger_projects_and_job_requests(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_id="control-plane")
    project = client.projects.create(positive_prompt="over http", **IMAGE)
    project.wait(timeout=30)
    ledger = requests.get(f"{fake.rest_url}/_fake/ledger", timeout=10).json()["entries"]
    assert [(e["kind"], e["ref"]) for e in ledger] == [
        ("hold", project.id),
        ("release", project.id),
        ("charge", project.id),
    ]
    assert Decimal(ledger[2]["amount"]) == Decimal(fake.project_snapshot(project.id)["charged"])  # type: ignore[index]
    projects = requests.get(f"{fake.rest_url}/_fake/projects", timeout=10).json()["projects"]
    assert [(p["id"], p["app_id"], p["prompt"], p["status"]) for p in projects] == [
        (project.id, "control-plane", "over http", "completed")
    ]
    sent = requests.get(f"{fake.rest_url}/_fake/job-requests", timeout=10).json()
    assert [(r["job_id"], r["app_id"]) for r in sent["job_requests"]] == [
        (project.id, "control-plane")
    ]
    assert fake.api_key not in str(ledger) + str(projects) + str(sent)
