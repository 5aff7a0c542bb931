"""gunicorn (examples/gunicorn_app.py): ``--preload --workers 2`` on 127.0.0.1 port 0. Each
worker makes its own client after the fork (``post_fork``, ``worker_app_id``), nobody is
evicted (no 4015), and a client made in the master before the fork fails in a worker with
``ForkedProcessError``. One server for the module."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import gunicorn  # noqa: F401
import gunicorn_app  # examples/ is on sys.path (conftest)
import pytest

from sogni import ForkedProcessError
from sogni.testing import FakeSupernet

from ._support import close_codes, connections, fake_environ


@pytest.fixture(scope="module")
def supernet() -> Iterator[FakeSupernet]:
    with FakeSupernet(time_scale=0.01) as fake:
        yield fake


@pytest.fixture(scope="module")
def server(supernet: FakeSupernet) -> Iterator[Any]:
    with gunicorn_app.running_gunicorn(fake_environ(supernet)) as running:
        yield running


def get(url: str) -> Any:
    return gunicorn_app.get(url, timeout=15)


def test_each_worker_renders_with_its_own_client_and_app_id(
    server: Any, supernet: FakeSupernet
) -> None:
    answers: list[Any] = []
    deadline = time.monotonic() + 15
    with ThreadPoolExecutor(max_workers=4) as pool:
        # Concurrent requests keep one worker busy, so the other one answers too.
        while len({a["pid"] for a in answers}) < 2 and time.monotonic() < deadline:
            seeds = range(len(answers) + 1, len(answers) + 5)
            answers += pool.map(get, [f"{server.url}/render?seed={seed}" for seed in seeds])

    pids = {a["pid"] for a in answers}
    assert len(pids) == 2 and server.pid not in pids
    for answer in answers:
        assert answer["app_id"] == f"gunicorn-demo-{answer['pid']}"
        project = supernet.project_snapshot(answer["project_id"])
        assert project is not None and project["status"] == "completed"
        assert project["app_id"] == answer["app_id"]
    # The fake's log: the master's client and one per worker, each with its own app id, once.
    expected = sorted(f"gunicorn-demo-{pid}" for pid in {server.pid, *pids})
    supernet.received.wait_for(lambda r: r.kind == "ws_connect", count=3, timeout=5)
    assert sorted(app_id or "" for app_id in connections(supernet)) == expected
    assert 4015 not in close_codes(supernet)


def test_a_client_made_before_the_fork_fails_in_the_worker_with_the_documented_error(
    server: Any, supernet: FakeSupernet
) -> None:
    answer = get(f"{server.url}/early")

    assert answer["pid"] != server.pid
    assert answer["error"] == "ForkedProcessError"
    assert answer["message"] == str(ForkedProcessError())
    assert 4015 not in close_codes(supernet)
