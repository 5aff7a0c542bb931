"""A caller-given project id (``create(project_id=...)``), ``Project.cost_actual`` from the
project record, and ``Project.refresh()``, against the fake over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest

from sogni import NotFoundError, SogniClient, ValidationError
from sogni.projects import new_project_id
from sogni.testing import FakeSupernet
from sogni_async import AsyncSogniClient

from ..helpers import FAST, wait_until

IMAGE = {"model_id": "flux1-schnell-fp8", "steps": 4, "guidance": 1, "token_type": "spark"}


def test_the_caller_chooses_the_project_id(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    chosen = new_project_id().lower()  # any spelling of a UUID; the wire carries upper case
    project = client.projects.create(positive_prompt="chosen id", project_id=chosen, **IMAGE)
    assert project.id == chosen.upper()
    project.wait(timeout=30)
    sent = [f.payload["jobID"] for f in fake.frames("jobRequest")]
    assert sent == [chosen.upper()]


def test_a_bad_or_busy_project_id_is_refused_before_anything_is_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    with pytest.raises(ValidationError) as bad:
        client.projects.create(positive_prompt="x", project_id="../../etc", **IMAGE)
    assert bad.value.params == ["project_id"]
    fake.pause_workers()
    try:
        first = client.projects.create(positive_prompt="x", **IMAGE)
        with pytest.raises(ValidationError, match="already"):
            client.projects.create(positive_prompt="x", project_id=first.id, **IMAGE)
        wait_until(lambda: fake.frames("jobRequest"))
    finally:
        fake.resume_workers()
    first.wait(timeout=30)
    assert [f.payload["jobID"] for f in fake.frames("jobRequest")] == [first.id]


def test_cost_actual_comes_from_the_project_record(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    project = client.projects.create(positive_prompt="costly", number_of_media=2, **IMAGE)
    project.wait(timeout=30)
    assert project.cost_actual is None  # no record read yet
    project.refresh()
    charged = Decimal(fake.project_snapshot(project.id)["charged"])  # type: ignore[index]
    assert charged > 0
    assert project.cost_actual == charged
    again = client.projects.get(project.id)
    assert again.cost_actual == charged


def test_refresh_moves_a_project_of_another_app_id_on(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    creator = make_client()
    follower = make_client()
    fake.pause_workers()
    project = creator.projects.create(positive_prompt="elsewhere", **IMAGE)
    wait_until(lambda: fake.project_snapshot(project.id))
    seen = follower.projects.get(project.id)
    assert not seen.finished
    fake.resume_workers()
    project.wait(timeout=30)

    def finished_after_refresh() -> bool:
        seen.refresh()
        return seen.finished

    wait_until(finished_after_refresh, timeout=10, interval=0.05)
    assert seen.status == "completed"
    assert len(seen.result_urls) == 1
    assert seen.cost_actual == Decimal(fake.project_snapshot(project.id)["charged"])  # type: ignore[index]


def test_refresh_of_an_unknown_project_is_not_found(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    project = client.projects.create(positive_prompt="forgotten", **IMAGE)
    project.wait(timeout=30)
    assert fake.forget_project(project.id)
    with pytest.raises(NotFoundError):
        project.refresh()


def test_the_async_twins(fake: FakeSupernet) -> None:
    async def main() -> tuple[str, str, Decimal | None]:
        async with AsyncSogniClient(
            app_id="async-ids",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=FAST,
        ) as client:
            chosen = new_project_id()
            project = await client.projects.create(
                positive_prompt="async id", project_id=chosen, **IMAGE
            )
            await project.wait(timeout=30)
            await project.refresh()
            return chosen, project.id, project.cost_actual

    chosen, got, cost = asyncio.run(main())
    assert got == chosen
    assert cost == Decimal(fake.project_snapshot(chosen)["charged"])  # type: ignore[index]
