"""Helpers shared by the test suites."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sogni import Timeouts

# Protocol time constants shrunk for tests (the defaults are the protocol's values).
FAST = Timeouts(
    connect=5.0,
    rest=5.0,
    rest_total=10.0,
    authenticated_fallback=1.0,
    send_ready=5.0,
    cancel_confirmation=2.0,
    project_staleness=2.0,
    chat_reconnect_grace=2.0,
    resend_after_restart=3.0,
    wait_for_models=5.0,
    network_switch=5.0,
    ping_interval=5.0,
    pong_timeout=5.0,
    reconnect_base=0.05,
    reconnect_max=0.3,
    sync_fallback=0.3,
    recovery_min_age=0.2,
    missing_lookup_interval=0.05,
    close=1.5,
)


def sogni_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sogni-") and t.is_alive()]


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.005) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def run_threads(work: Callable[[int], None], count: int, *, timeout: float = 60.0) -> None:
    """Run ``work(0)`` … ``work(count - 1)`` on ``count`` threads at once; re-raise the first
    error one of them hit."""
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # pragma: no cover - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if errors:
        raise errors[0]


class FakeProcess:
    """A FakeSupernet in a subprocess (``python -m sogni.testing``), for tests that must keep
    the server's own logs and threads out of the test process."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        port: int = 0,
        socket_port: int = 0,
        time_scale: float = 0.01,
        log_level: str = "warning",
        max_log: int | None = None,
    ) -> None:
        import json
        import subprocess
        import sys

        args = [
            sys.executable,
            "-m",
            "sogni.testing",
            "--port",
            str(port),
            "--socket-port",
            str(socket_port),
        ]
        args += ["--time-scale", str(time_scale), "--log-level", log_level]
        if api_key:
            args += ["--api-key", api_key]
        if max_log is not None:
            args += ["--max-log", str(max_log)]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.kill()
            raise RuntimeError(
                "the fake did not start: " + (self.proc.stderr.read() if self.proc.stderr else "")
            )
        info = json.loads(line)
        self.rest_url: str = info["rest_url"]
        self.socket_url: str = info["socket_url"]
        self.api_key: str = info["api_key"]
        # The fake's own log, read as it comes so a full pipe never blocks the server.
        self.log_lines: list[str] = []
        self._drain = threading.Thread(target=self._read_log, daemon=True)
        self._drain.start()

    def _read_log(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log_lines.append(line)

    @property
    def ports(self) -> tuple[int, int]:
        return int(self.rest_url.rsplit(":", 1)[1]), int(self.socket_url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
                self.proc.wait(10)
        self._drain.join(10)  # ends at the end of the output
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def fast_worker_client() -> Any:
    """A Dask worker's Sogni client for the batch tests: from the ``SOGNI_*`` environment, as
    the default, with the short test timeouts (a stalled request is retried in seconds)."""
    from sogni import SogniClient, worker_app_id

    return SogniClient.from_env(app_id=worker_app_id("sogni-batch-test"), timeouts=FAST)
