"""Celery (examples/celery_tasks.py): a real ``celery worker --pool=prefork --concurrency=2``
with a filesystem broker and a file result backend. Each pool process makes its own client
(``worker_process_init``, ``worker_app_id``); a task returns the paths of its image; invalid
input reaches the caller as the same ``ValidationError`` under json and pickle.

The result serializer is a worker-wide setting, so there are two workers, one per
serializer, started once for the module and stopped together."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import celery
import celery_tasks  # examples/ is on sys.path (conftest)
import psutil
import pytest

from sogni import SogniClient, ValidationError
from sogni.testing import FakeSupernet, read_image_metadata

from ..helpers import FAST
from ._support import close_codes, connections, fake_environ

SERIALIZERS = ("json", "pickle")


class Worker:
    def __init__(self, proc: subprocess.Popen[bytes], caller: Any, folder: Path) -> None:
        self.proc = proc
        self.caller = caller  # a Celery app with the worker's settings, as a caller has
        self.folder = folder

    def pool_pids(self) -> list[int]:
        return sorted(child.pid for child in psutil.Process(self.proc.pid).children())


@pytest.fixture(scope="module")
def supernet() -> Iterator[FakeSupernet]:
    with FakeSupernet(time_scale=0.01) as fake:
        yield fake


@pytest.fixture(scope="module")
def workers(
    supernet: FakeSupernet, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Worker]]:
    environ = fake_environ(supernet)
    with ExitStack() as stack:
        started: dict[str, Worker] = {}
        for serializer in SERIALIZERS:
            folder = tmp_path_factory.mktemp(f"celery-{serializer}")
            # CI runs as root, and a root worker refuses pickle unless told to accept it.
            env = dict(environ, C_FORCE_ROOT="1") if serializer == "pickle" else environ
            proc = stack.enter_context(
                celery_tasks.running_worker(str(folder), serializer, environ=env)
            )
            caller = stack.enter_context(
                celery_tasks.configure(
                    celery.Celery(f"caller-{serializer}"), str(folder), serializer
                )
            )
            started[serializer] = Worker(proc, caller, folder)
        yield started
        # Both warm shutdowns at once (each takes a few seconds); the contexts then wait.
        for worker in started.values():
            if worker.proc.poll() is None:
                worker.proc.send_signal(signal.SIGTERM)


def test_each_pool_process_connects_once_with_its_own_app_id(
    workers: dict[str, Worker], supernet: FakeSupernet
) -> None:
    pids = [pid for worker in workers.values() for pid in worker.pool_pids()]
    assert len(pids) == 2 * len(workers)  # --concurrency=2 for each worker

    expected = sorted(f"celery-demo-{pid}" for pid in pids)
    supernet.received.wait_for(lambda r: r.kind == "ws_connect", count=len(pids), timeout=10)
    assert sorted(app_id or "" for app_id in connections(supernet)) == expected
    assert 4015 not in close_codes(supernet)


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_a_render_task_returns_the_paths_of_its_own_image(
    workers: dict[str, Worker], supernet: FakeSupernet, serializer: str
) -> None:
    worker = workers[serializer]
    seeds = [11, 12, 13, 14]
    prompts = {seed: f"A lighthouse, take {seed} ({serializer})" for seed in seeds}
    results = {
        seed: worker.caller.send_task(celery_tasks.render.name, args=(prompts[seed], seed))
        for seed in seeds
    }

    project_ids = set()
    for seed, result in results.items():
        [path] = result.get(timeout=30, interval=0.02)
        image = Path(path)
        assert image.parent == worker.folder / "images"
        meta = read_image_metadata(image.read_bytes())
        assert meta["seed"] == str(seed)
        assert image.name.startswith(meta["project_id"])
        project_ids.add(meta["project_id"])
    assert len(project_ids) == len(seeds)
    own = {f"celery-demo-{pid}" for pid in worker.pool_pids()}
    assert {p["app_id"] for p in supernet.projects_snapshot() if p["id"] in project_ids} <= own
    assert 4015 not in close_codes(supernet)


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_invalid_input_fails_with_the_same_validation_error_for_the_caller(
    workers: dict[str, Worker], supernet: FakeSupernet, serializer: str
) -> None:
    worker = workers[serializer]
    result = worker.caller.send_task(celery_tasks.render.name, args=("A lighthouse", 1, 0))
    with pytest.raises(ValidationError) as remote:
        result.get(timeout=30, interval=0.02)

    # The same call made here, in the caller's own process.
    with (
        SogniClient(
            app_id="celery-test-caller",
            api_key=supernet.api_key,
            rest_endpoint=supernet.rest_url,
            socket_endpoint=supernet.socket_url,
            timeouts=FAST,
        ) as client,
        pytest.raises(ValidationError) as local,
    ):
        client.projects.create(
            type="image",
            model_id="flux1-schnell-fp8",
            positive_prompt="A lighthouse",
            seed=1,
            steps=0,
            guidance=1,
        )
    assert type(remote.value) is ValidationError
    assert remote.value.problems == local.value.problems
    assert remote.value.params == ["steps"]
    assert str(remote.value) == str(local.value)
