"""Helpers for the framework tests."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sogni.testing import FakeSupernet, read_image_metadata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def fake_environ(fake: FakeSupernet) -> dict[str, str]:
    """This process's environment, with every ``SOGNI_*`` variable pointing at ``fake``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOGNI_")}
    env.update(
        SOGNI_API_KEY=fake.api_key,
        SOGNI_REST_ENDPOINT=fake.rest_url,
        SOGNI_SOCKET_ENDPOINT=fake.socket_url,
    )
    return env


def run_example(name: str, fake: FakeSupernet, *, timeout: float = 20.0) -> int:
    """Run ``examples/<name>`` against ``fake`` (as .ci/run does, but with the fake's
    variables set); fail if it does not exit 0 within ``timeout``. Returns its pid."""
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / name)],
        env=fake_environ(fake),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        raise AssertionError(f"{name} still running after {timeout}s:\n{output}") from None
    assert proc.returncode == 0, f"{name} exited with {proc.returncode}:\n{output}"
    return proc.pid


def connections(fake: FakeSupernet) -> list[str | None]:
    """The app id of every WebSocket upgrade the fake saw, in order."""
    return [r.app_id for r in fake.received if r.kind == "ws_connect"]


def close_codes(fake: FakeSupernet) -> list[int | None]:
    """The close code of every WebSocket that ended, in order."""
    return [r.close_code for r in fake.received if r.kind == "ws_closed"]


def check_own_images(answers: dict[int, tuple[str, dict[str, Any]]], media: Path) -> None:
    """Each answer ``n -> (prompt, {"project_id", "files"})`` of a request made with seed
    ``1000 + n`` names one image in ``media``, and that image is its own: the fake embeds
    the project id, seed and prompt hash in every image it renders."""
    assert len({answer["project_id"] for _, answer in answers.values()}) == len(answers)
    for n, (prompt, answer) in answers.items():
        [file] = answer["files"]
        assert Path(file).parent == media
        meta = read_image_metadata(Path(file).read_bytes())
        assert meta["project_id"] == answer["project_id"]
        assert meta["seed"] == str(1000 + n)
        assert meta["prompt_sha256"] == hashlib.sha256(prompt.encode()).hexdigest()


def check_example_closes_at_exit(fake: FakeSupernet, script: str, app: str) -> None:
    """Run ``examples/<script>`` (16 requests through one process-wide client it never closes
    itself) and check that its one client, app id ``<app>-<pid>``, rendered all 16 projects and
    said goodbye with 1000 at exit (a client left open would drop the socket with no close
    frame)."""
    pid = run_example(script, fake)
    app_id = f"{app}-{pid}"
    assert connections(fake) == [app_id]
    [closed] = fake.received.wait_for(lambda r: r.kind == "ws_closed", timeout=5)
    assert closed.app_id == app_id
    assert closed.close_code == 1000
    projects = fake.projects_snapshot()
    assert len(projects) == 16
    assert {p["app_id"] for p in projects} == {app_id}
    assert all(p["status"] == "completed" for p in projects)
