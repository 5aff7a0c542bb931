"""Django (examples/django_app.py): one client per process, made lazily, shared by concurrent
views, closed at exit. Requests go through Django's test client (pytest-django)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django_app  # examples/ is on sys.path (conftest)
import pytest

from sogni.testing import FakeSupernet

from ..helpers import run_threads
from ._support import (
    check_example_closes_at_exit,
    check_own_images,
    close_codes,
    connections,
)


@pytest.fixture(scope="module")
def django_configured(tmp_path_factory: pytest.TempPathFactory) -> None:
    from django.conf import settings

    # Settings can be configured once per process; MEDIA_ROOT is overridden per test.
    if not settings.configured:
        django_app.configure(str(tmp_path_factory.mktemp("media")))


@pytest.fixture
def site(
    django_configured: None, settings: Any, tmp_path: Path, fake_env: FakeSupernet
) -> Iterator[Path]:
    settings.MEDIA_ROOT = str(tmp_path)
    yield tmp_path
    django_app.sogni.close()


def test_sixteen_concurrent_requests_share_one_lazy_client_and_get_their_own_images(
    site: Path, fake_env: FakeSupernet
) -> None:
    from django.test import Client

    assert connections(fake_env) == []  # nothing connects before a view needs the client
    answers: dict[int, tuple[str, Any]] = {}

    def ask(n: int) -> None:
        prompt = f"A lighthouse, take {n}"
        response = Client().get("/render", {"prompt": prompt, "seed": 1000 + n})
        assert response.status_code == 200, response.content
        answers[n] = (prompt, response.json())

    run_threads(ask, 16)

    check_own_images(answers, site)
    assert connections(fake_env) == [f"django-demo-{os.getpid()}"]
    assert 4015 not in close_codes(fake_env)


def test_invalid_input_is_a_400_listing_the_problems_and_nothing_is_sent(
    site: Path, fake_env: FakeSupernet, client: Any
) -> None:
    response = client.get("/render", {"seed": 1, "steps": 0})  # pytest-django's test client

    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem.startswith("steps: ")
    assert fake_env.projects_snapshot() == []
    assert fake_env.frames("jobRequest") == []


def test_the_example_runs_with_one_client_that_closes_cleanly_at_exit(fake: FakeSupernet) -> None:
    check_example_closes_at_exit(fake, "django_app.py", "django-demo")
