"""Celery: one SogniClient per worker process, made in ``worker_process_init``.

A prefork worker imports this module in its main process and then forks its pool. A client
made before the fork cannot be used in the children (``ForkedProcessError``), and two
children sharing an app id would evict each other (close 4015). So each child makes its own
client when it starts, with the app id ``worker_app_id("celery-demo")`` (``celery-demo-<pid>``),
and closes it when it stops. Tasks take and return plain data; invalid input raises
``ValidationError``, which reaches the caller intact under the json and pickle serializers.

Run it: it starts ``celery worker --pool=prefork --concurrency=2`` with a ``filesystem://``
broker and a ``file://`` result backend in a temporary folder, renders images through it and
shows the error a caller gets for invalid input. Offline against an embedded FakeSupernet
unless SOGNI_API_KEY is set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _supernet import use_supernet
from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from sogni import SogniClient, ValidationError, worker_app_id

FOLDER_VAR = "CELERY_DEMO_FOLDER"  # the worker's broker, results and images live here
SERIALIZER_VAR = "CELERY_DEMO_SERIALIZER"

app = Celery("celery_tasks")


def configure(app: Celery, folder: str, serializer: str = "json") -> Celery:
    """A filesystem broker and a file result store under ``folder`` (for the demo; use your
    real broker in production). The worker and its callers must use the same settings."""
    base = Path(folder)
    for name in ("broker", "processed", "control", "results", "images"):
        (base / name).mkdir(exist_ok=True)
    app.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(base / "broker"),
            "data_folder_out": str(base / "broker"),
            "control_folder": str(base / "control"),
            # Keep consumed messages here rather than in the system's temporary folder.
            "store_processed": True,
            "processed_folder": str(base / "processed"),
            "polling_interval": 0.05,
        },
        broker_connection_retry_on_startup=True,
        result_backend=f"file://{base / 'results'}",
        task_serializer=serializer,
        result_serializer=serializer,
        accept_content=[serializer],
        result_accept_content=[serializer],
        images_folder=str(base / "images"),
    )
    return app


if os.environ.get(FOLDER_VAR):  # in the worker, started by running_worker() below
    configure(app, os.environ[FOLDER_VAR], os.environ.get(SERIALIZER_VAR, "json"))


class WorkerClient:
    """This worker process's SogniClient."""

    client: SogniClient | None = None


@worker_process_init.connect
def open_client(**_: Any) -> None:
    # Runs in each pool process after the fork. Reads SOGNI_API_KEY and the endpoints.
    WorkerClient.client = SogniClient.from_env(app_id=worker_app_id("celery-demo"))


@worker_process_shutdown.connect
def close_client(**_: Any) -> None:
    client, WorkerClient.client = WorkerClient.client, None
    if client is not None:
        client.close()


@app.task(name="sogni_demo.render")
def render(prompt: str, seed: int, steps: int = 4) -> list[str]:
    """Render one image; return the paths of the files written."""
    assert WorkerClient.client is not None, "runs in a worker process"
    project = WorkerClient.client.projects.create(
        type="image",
        model_id="flux1-schnell-fp8",
        positive_prompt=prompt,
        seed=seed,
        steps=steps,
        guidance=1,
    )
    project.wait(timeout=300)
    return [str(path) for path in project.download(app.conf.images_folder)]


@app.task(name="sogni_demo.ping")
def ping() -> int:
    """Answered once the worker consumes tasks: the pid of the pool process."""
    return os.getpid()


@contextmanager
def running_worker(
    folder: str, serializer: str = "json", *, environ: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """``celery worker --pool=prefork --concurrency=2`` on this module, ready to take tasks;
    stopped (warm shutdown) at the end of the block."""
    env = dict(os.environ if environ is None else environ)
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))  # to import this
    env.update({FOLDER_VAR: folder, SERIALIZER_VAR: serializer, "PYTHONPATH": path})
    command = [sys.executable, "-m", "celery", "-A", "celery_tasks", "worker"]
    command += ["--pool=prefork", "--concurrency=2", f"--hostname=demo-{os.getpid()}@%h"]
    command += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(os.path.join(folder, "worker.log"), "wb") as log:
        worker = subprocess.Popen(
            command, cwd=here, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        with configure(Celery("starter"), folder, serializer) as starter:
            answer = starter.send_task(ping.name)
            deadline = time.monotonic() + 30
            while not answer.ready():  # a task was answered: the worker is up
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Celery worker did not start; see {log.name}")
                time.sleep(0.05)
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)  # warm shutdown: running tasks finish
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:  # a stuck pool: end the whole process group
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def main() -> None:
    use_supernet()
    with tempfile.TemporaryDirectory() as folder:
        configure(app, folder)
        with running_worker(folder):
            results = [render.delay(f"A lighthouse, take {n}", seed=n) for n in range(1, 5)]
            for result in results:
                print("rendered", *result.get(timeout=300))
            try:
                render.delay("A lighthouse", seed=1, steps=0).get(timeout=60)
            except ValidationError as exc:
                print(f"invalid input, as the caller sees it: {exc.params}")


if __name__ == "__main__":
    main()
