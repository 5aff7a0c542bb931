"""Flask (examples/flask_app.py): the app factory keeps one client per process in
``app.extensions``, made lazily, shared by concurrent requests, closed at exit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_app  # examples/ is on sys.path (conftest)
import pytest

from sogni.testing import FakeSupernet

from ..helpers import run_threads
from ._support import (
    check_example_closes_at_exit,
    check_own_images,
    close_codes,
    connections,
)


@pytest.fixture
def app(tmp_path: Path, fake_env: FakeSupernet) -> Iterator[Any]:
    app = flask_app.create_app({"MEDIA_ROOT": str(tmp_path), "TESTING": True})
    yield app
    app.extensions["sogni"].close()


def test_sixteen_concurrent_requests_share_one_lazy_client_and_get_their_own_images(
    app: Any, tmp_path: Path, fake_env: FakeSupernet
) -> None:
    assert connections(fake_env) == []  # nothing connects before a view needs the client
    answers: dict[int, tuple[str, Any]] = {}

    def ask(n: int) -> None:
        prompt = f"A lighthouse, take {n}"
        response = app.test_client().get(
            "/render", query_string={"prompt": prompt, "seed": 1000 + n}
        )
        assert response.status_code == 200, response.data
        answers[n] = (prompt, response.get_json())

    run_threads(ask, 16)

    check_own_images(answers, tmp_path)
    assert connections(fake_env) == [f"flask-demo-{os.getpid()}"]
    assert 4015 not in close_codes(fake_env)


def test_invalid_input_is_a_400_listing_the_problems_and_nothing_is_sent(
    app: Any, fake_env: FakeSupernet
) -> None:
    response = app.test_client().get("/render", query_string={"seed": 1, "steps": 0})

    assert response.status_code == 400
    [problem] = response.get_json()["problems"]
    assert problem.startswith("steps: ")
    assert fake_env.projects_snapshot() == []
    assert fake_env.frames("jobRequest") == []


def test_the_example_runs_with_one_client_that_closes_cleanly_at_exit(fake: FakeSupernet) -> None:
    check_example_closes_at_exit(fake, "flask_app.py", "flask-demo")
