"""One snake_case event vocabulary; every ``on()`` checks names the same way; old names warn."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from sogni import Job, SogniClient, ValidationError
from sogni.projects import ProjectEventType

IMAGE: dict[str, Any] = {
    "type": "image",
    "model_id": "flux1-schnell-fp8",
    "positive_prompt": "a kite",
    "steps": 4,
    "guidance": 1,
}


def test_every_on_refuses_an_unknown_name_naming_the_closest_one(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client()
    project = client.projects.create(**IMAGE, seed=1)
    cases: list[tuple[Callable[[str, Callable[[Any], Any]], Any], str, str]] = [
        (client.on, "conected", "connected"),
        (client.projects.on, "available_model", "available_models"),
        (project.on, "job_complete", "job_completed"),
        (client.chat.on, "tokens", "token"),
    ]
    for on, typo, closest in cases:
        with pytest.raises(ValueError, match=f"did you mean '{closest}'") as caught:
            on(typo, print)
        assert isinstance(caught.value, ValidationError)
        assert caught.value.params == ["event"]
    project.wait(timeout=30)


def test_an_old_camel_case_name_still_works_and_warns(
    make_client: Callable[..., SogniClient],
) -> None:
    client = make_client()
    project = client.projects.create(**IMAGE, seed=2)
    jobs: list[Job] = []
    done = threading.Event()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project.on("jobCompleted", jobs.append)
        client.projects.on("availableModels", lambda _: None)
    project.on("completed", lambda _: done.set())
    assert [w.category for w in caught] == [DeprecationWarning, DeprecationWarning]
    assert "'job_completed'" in str(caught[0].message)
    assert {w.filename for w in caught} == {__file__}  # it points at the caller's line
    project.wait(timeout=30)
    assert done.wait(5)
    assert len(jobs) == 1 and isinstance(jobs[0], Job)


def test_event_types_are_snake_case(make_client: Callable[..., SogniClient]) -> None:
    client = make_client()
    project = client.projects.create(**IMAGE, seed=3)
    types = [event.type for event in project.events(timeout=10)]
    assert ProjectEventType.JOB_STARTED in types and "job_completed" in types
    assert all(isinstance(t, ProjectEventType) and t == t.lower() for t in types)
