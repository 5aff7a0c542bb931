"""gunicorn --preload: one SogniClient per worker, made in the ``post_fork`` hook.

With ``--preload`` gunicorn loads the app once, in the master, and forks the workers from it.
A client made while loading is copied into every worker without its socket and threads, which
stayed in the master: using it there raises ``ForkedProcessError``. So each worker makes its
own client in ``post_fork``, with the app id ``worker_app_id("gunicorn-demo")`` (one live
connection per app id), and closes it in ``worker_exit``. This module is both the gunicorn
config (``-c python:gunicorn_app``: the hooks) and the WSGI app:

    gunicorn --preload --workers 2 --bind 127.0.0.1:8000 -c python:gunicorn_app \\
        'gunicorn_app:create_app()'

``/render`` renders an image and says which worker (pid and app id) served it; ``/early``
tries the client made in the master before the fork and reports the error it gets.

Run it: starts that command on a free port, sends concurrent requests until both workers
have answered, tries ``/early`` and stops gunicorn. Offline against an embedded
FakeSupernet unless SOGNI_API_KEY is set.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from _supernet import use_supernet

from sogni import SogniClient, SogniError, worker_app_id


class Clients:
    """The clients of this process."""

    worker: SogniClient | None = None  # the right way: made in the worker, after the fork
    before_fork: SogniClient | None = None  # the mistake /early shows: made in the master


# ---------------------------------------------------------------------- gunicorn hooks


def post_fork(server: Any, worker: Any) -> None:
    """In each worker, just after the fork."""
    Clients.worker = SogniClient.from_env(app_id=worker_app_id("gunicorn-demo"))


def worker_exit(server: Any, worker: Any) -> None:
    """In each worker, as it stops."""
    client, Clients.worker = Clients.worker, None
    if client is not None:
        client.close()


def on_exit(server: Any) -> None:
    """In the master, as gunicorn stops."""
    client, Clients.before_fork = Clients.before_fork, None
    if client is not None:
        client.close()


# ---------------------------------------------------------------------- the WSGI app

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def render(query: Mapping[str, list[str]]) -> dict[str, Any]:
    client = Clients.worker
    assert client is not None, "made by post_fork"
    project = client.projects.create(
        type="image",
        model_id="flux1-schnell-fp8",
        positive_prompt=query.get("prompt", ["A lighthouse at dusk"])[0],
        seed=int(query.get("seed", ["1"])[0]),
        steps=4,
        guidance=1,
    )
    project.wait(timeout=120)
    return {"pid": os.getpid(), "app_id": client.config.app_id, "project_id": project.id}


def early() -> dict[str, Any]:
    client = Clients.before_fork
    assert client is not None, "made by create_app() in the master"
    try:
        client.projects.create(
            type="image", model_id="flux1-schnell-fp8", positive_prompt="Too early", steps=4
        )
    except SogniError as exc:
        return {"pid": os.getpid(), "error": type(exc).__name__, "message": str(exc)}
    return {"pid": os.getpid(), "error": None, "message": ""}


def create_app() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app. With --preload this runs once, in the master, before the fork."""
    # The mistake, made on purpose: a client created while the app loads.
    Clients.before_fork = SogniClient.from_env(app_id=worker_app_id("gunicorn-demo"))

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ["PATH_INFO"] == "/render":
            body = render(query)
        elif environ["PATH_INFO"] == "/early":
            body = early()
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    return app


# ---------------------------------------------------------------------- running it


class Server(NamedTuple):
    url: str
    pid: int  # the master's


@contextmanager
def running_gunicorn(environ: Mapping[str, str] | None = None) -> Iterator[Server]:
    """gunicorn --preload with 2 workers on a free port of 127.0.0.1, stopped at the end."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ if environ is None else environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "gunicorn", "--preload", "--workers", "2"]
    command += ["--bind", "127.0.0.1:0", "--no-control-socket", "-c", "python:gunicorn_app"]
    command += ["gunicorn_app:create_app()"]
    proc = subprocess.Popen(
        command, cwd=here, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    lines: list[str] = []
    listening = threading.Event()

    def read_log() -> None:  # drained all along, so a full pipe never blocks gunicorn
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "Listening at:" in line:
                listening.set()

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not listening.wait(0.05):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + "".join(lines))
        [url] = [m.group(1) for line in lines if (m := re.search(r"Listening at: (\S+)", line))]
        yield Server(url, proc.pid)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # a stuck worker: end the whole process group
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(5)
        if proc.stderr is not None:
            proc.stderr.close()


def get(url: str, timeout: float = 60) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def main() -> None:
    use_supernet()
    with running_gunicorn() as server, ThreadPoolExecutor(max_workers=4) as pool:
        answers: list[Any] = []
        deadline = time.monotonic() + 15
        # Requests in parallel keep one worker busy so that the other answers too.
        while len({a["pid"] for a in answers}) < 2 and time.monotonic() < deadline:
            urls = [f"{server.url}/render?seed={len(answers) + n}" for n in range(1, 5)]
            answers += pool.map(get, urls)
        for answer in answers:
            print(f"worker {answer['pid']} ({answer['app_id']}): project {answer['project_id']}")
        failure = get(f"{server.url}/early")
        print(f"client made before the fork, used in worker {failure['pid']}: {failure['error']}")


if __name__ == "__main__":
    main()
