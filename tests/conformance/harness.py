"""Run one conformance scenario (an official client's script) as a supervised subprocess.

Each scenario runs in its own process group with a hard deadline, and is only ever stopped by
its own process group id. Its stdout is read line by line while it runs: every line is a JSON
object, ``{"event": ...}`` lines report progress (``{"event": "READY"}`` hands control to the
test), and the final line is ``{"result": ...}`` (exit 0) or ``{"error": ...}`` (non-zero).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .oracles import Oracles

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
LANGUAGES = ("js", "py")
# Below pytest-timeout's 60 s, so a stuck scenario fails with its own output, not a stack dump.
DEFAULT_DEADLINE = 40.0
_TERM_GRACE = 2.0
_TAIL_CHARS = 4000
# Inherited settings that could make a scenario load other code or other credentials.
_SCRUBBED_PREFIXES = ("SOGNI_", "NODE_", "PYTHON", "npm_config_")


def scenario_path(language: str, name: str) -> Path:
    # CommonJS for JavaScript: an ES module would ignore NODE_PATH, which locates the SDK.
    suffixes = {"js": ".cjs", "py": ".py"}
    if language not in suffixes:
        raise ValueError(f"unknown scenario language {language!r}; expected one of {LANGUAGES}")
    path = SCENARIOS / language / f"{name}{suffixes[language]}"
    if not path.is_file():
        raise FileNotFoundError(f"no {language} scenario {path.name} under {path.parent}")
    return path


def new_app_id(name: str) -> str:
    return f"conf-{name}-{uuid.uuid4().hex[:8]}"


class ScenarioFailed(AssertionError):
    """The scenario broke the protocol, failed, or ran past its deadline."""


class ScenarioProcess:
    """A running scenario. Use as a context manager so it is always stopped."""

    def __init__(
        self,
        oracles: Oracles,
        language: str,
        name: str,
        *,
        rest_url: str,
        socket_url: str,
        api_key: str,
        app_id: str | None = None,
        args: Mapping[str, Any] | None = None,
        stdin: str | None = None,
        interactive: bool = False,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        if interactive and stdin is not None:
            raise ValueError("an interactive scenario takes its input through send()")
        self.language = language
        self.name = name
        self.app_id = app_id or new_app_id(name)
        self.deadline = deadline
        script = scenario_path(language, name)
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
        env.update(
            SOGNI_APP_ID=self.app_id,
            SOGNI_API_KEY=api_key,
            SOGNI_REST_ENDPOINT=rest_url,
            SOGNI_SOCKET_ENDPOINT=socket_url,
            SOGNI_SCENARIO_ARGS=json.dumps(dict(args or {})),
            # The scenario's own deadline fires first, so it can still report its error.
            SOGNI_SCENARIO_DEADLINE_MS=str(int(max(deadline - 5.0, 1.0) * 1000)),
        )
        if language == "js":
            env["NODE_PATH"] = str(oracles.node_modules)
            command = [str(oracles.node), str(script)]
        else:
            env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
            command = [str(oracles.python), str(script)]
        self._cond = threading.Condition()
        self.records: list[dict[str, Any]] = []
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._stdout_closed = False
        self._killed_at_deadline = False
        self._group_swept = False
        self._started = time.monotonic()
        self._proc = subprocess.Popen(
            command,
            cwd=script.parent,
            env=env,
            stdin=subprocess.PIPE if stdin is not None or interactive else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        # start_new_session makes the child the leader of a new process group with id == pid.
        self._pgid = self._proc.pid
        self._watchdog = threading.Timer(deadline, self._deadline_reached)
        self._watchdog.daemon = True
        self._watchdog.start()
        self._readers = [
            threading.Thread(target=self._read_stdout, name="conformance-stdout", daemon=True),
            threading.Thread(target=self._read_stderr, name="conformance-stderr", daemon=True),
        ]
        if stdin is not None:
            # Written from a thread: more than a pipe buffer of input must not block the test
            # before the readers run.
            self._readers.append(
                threading.Thread(
                    target=self._write_stdin, args=(stdin,), name="conformance-stdin", daemon=True
                )
            )
        for reader in self._readers:
            reader.start()

    # ------------------------------------------------------------------ interactive input

    def send(self, record: Mapping[str, Any]) -> None:
        """Write ``record`` as one JSON line to an ``interactive`` scenario's stdin."""
        assert self._proc.stdin is not None, "send() needs interactive=True"
        try:
            self._proc.stdin.write(json.dumps(record) + "\n")
            self._proc.stdin.flush()
        except (OSError, ValueError) as exc:
            raise self._failure(f"stopped reading its input ({exc})") from exc

    def close_stdin(self) -> None:
        """End an ``interactive`` scenario's input (it then finishes and prints its result)."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError, ValueError):
                self._proc.stdin.close()

    # ------------------------------------------------------------------ reading

    def _write_stdin(self, text: str) -> None:
        assert self._proc.stdin is not None
        try:
            with self._proc.stdin:
                self._proc.stdin.write(text)
        except (OSError, ValueError):
            pass  # the script ended (or was stopped) before reading everything; it will say so

    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._cond:
                self._stdout.append(line)
                text = line.strip()
                if text:
                    try:
                        record = json.loads(text)
                    except ValueError:
                        record = {"unparsed": text}
                    if not isinstance(record, dict):
                        record = {"unparsed": text}
                    self.records.append(record)
                self._cond.notify_all()
        with self._cond:
            self._stdout_closed = True
            self._cond.notify_all()

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            with self._cond:
                self._stderr.append(line)

    @property
    def stdout(self) -> str:
        with self._cond:
            return "".join(self._stdout)

    @property
    def stderr(self) -> str:
        with self._cond:
            return "".join(self._stderr)

    @property
    def events(self) -> list[str]:
        """The ``event`` names printed so far, in order."""
        with self._cond:
            return [r["event"] for r in self.records if isinstance(r.get("event"), str)]

    def _remaining(self) -> float:
        return self.deadline - (time.monotonic() - self._started)

    def wait_for_event(self, event: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until the scenario prints ``{"event": event, ...}``; return that record."""
        return self.wait_for_record(
            lambda record: record.get("event") == event, f"the {event!r} event", timeout
        )

    def wait_for_record(
        self,
        accept: Callable[[dict[str, Any]], bool],
        what: str,
        timeout: float | None = None,
        *,
        start: int = 0,
    ) -> dict[str, Any]:
        """Block until the scenario prints a record (from index ``start`` on) that ``accept``
        takes; return it. ``what`` names it in the failure message."""
        limit = time.monotonic() + min(
            timeout if timeout is not None else self.deadline, max(self._remaining(), 0.0)
        )
        seen = start
        with self._cond:
            while True:
                for record in self.records[seen:]:
                    if accept(record):
                        return record
                seen = max(seen, len(self.records))
                if self._stdout_closed:
                    raise self._failure(f"ended without printing {what}")
                remaining = limit - time.monotonic()
                if remaining <= 0:
                    raise self._failure(f"did not print {what} in time")
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ ending

    def wait(self) -> int:
        """Wait for the scenario to exit (at most until its deadline); return its exit status."""
        try:
            self._proc.wait(timeout=max(self._remaining(), 0.0) + _TERM_GRACE + 1.0)
        except subprocess.TimeoutExpired:
            self._kill_group(signal.SIGKILL)
            self._proc.wait()
        self._watchdog.cancel()
        for reader in self._readers:
            reader.join(5.0)
        self._sweep_group()
        return self._proc.returncode

    def result(self) -> Any:
        """Wait for a successful end and return the value of its final ``{"result": ...}``."""
        code = self.wait()
        if self._killed_at_deadline:
            raise self._failure(f"was killed at its {self.deadline:g}s deadline")
        final = self.records[-1] if self.records else None
        if code == 0 and final is not None and "result" in final:
            return final["result"]
        error = final.get("error") if final is not None else None
        if isinstance(error, dict):
            raise self._failure(
                f"failed (exit status {code}): {error.get('name')}: {error.get('message')}"
            )
        raise self._failure(f"exited with status {code} without a final result line")

    def stop(self) -> None:
        """End the scenario and everything in its process group (idempotent)."""
        self._watchdog.cancel()
        self.close_stdin()
        if self._proc.poll() is None:
            self._kill_group(signal.SIGTERM)
            try:
                self._proc.wait(timeout=_TERM_GRACE)
            except subprocess.TimeoutExpired:
                self._kill_group(signal.SIGKILL)
                self._proc.wait()
        self._sweep_group()
        for reader in self._readers:
            reader.join(5.0)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()

    def _deadline_reached(self) -> None:
        if self._proc.poll() is None:
            self._killed_at_deadline = True
            self._kill_group(signal.SIGKILL)

    def _sweep_group(self) -> None:
        """Once the leader has exited, kill whatever it left running in its group."""
        if not self._group_swept:
            self._group_swept = True
            self._kill_group(signal.SIGKILL)

    def _kill_group(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self._pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass  # the group is already gone

    def _failure(self, what: str) -> ScenarioFailed:
        return ScenarioFailed(
            f"{self.language} scenario {self.name!r} (app_id {self.app_id}) {what}\n"
            f"--- stdout (tail) ---\n{self.stdout[-_TAIL_CHARS:]}\n"
            f"--- stderr (tail) ---\n{self.stderr[-_TAIL_CHARS:]}"
        )

    def __enter__(self) -> ScenarioProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


StartScenario = Callable[..., ScenarioProcess]
"""The type of the ``start_scenario`` fixture."""
