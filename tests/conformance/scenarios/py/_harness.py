"""Plumbing shared by the Python scenarios: settings from the environment, the JSON-lines output
protocol (see tests/conformance/README.md), and a deadline that always ends the process.

Runs in the oracle venv, which has the official ``sogni_client`` and not our ``sogni``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from sogni_client import SogniClient


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(
            f"{name} is not set; scenarios are started by tests/conformance/conftest.py"
        )
    return value


APP_ID = _setting("SOGNI_APP_ID")
API_KEY = _setting("SOGNI_API_KEY")
REST_ENDPOINT = _setting("SOGNI_REST_ENDPOINT")
SOCKET_ENDPOINT = _setting("SOGNI_SOCKET_ENDPOINT")
ARGS: dict[str, Any] = json.loads(os.environ.get("SOGNI_SCENARIO_ARGS") or "{}")
DEADLINE = float(os.environ.get("SOGNI_SCENARIO_DEADLINE_MS") or 30000) / 1000


def emit(record: Any) -> None:
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()


async def create_client(**options: Any) -> SogniClient:
    """A client for the fake, with the public endpoint overrides."""
    return await SogniClient.create(
        app_id=APP_ID,
        api_key=API_KEY,
        rest_endpoint=REST_ENDPOINT,
        socket_endpoint=SOCKET_ENDPOINT,
        **options,
    )


def expect_event(
    emitter: Any, event: str, timeout: float, accept: Callable[[Any], bool] = lambda _: True
) -> Awaitable[Any]:
    """Start listening now for the next ``event`` payload of ``emitter`` that satisfies
    ``accept``; awaiting the result waits for it (``TimeoutError`` after ``timeout``)."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def listener(payload: Any) -> None:
        if not future.done() and accept(payload):
            future.set_result(payload)

    remove = emitter.on(event, listener)

    async def wait() -> Any:
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no {event!r} event within {timeout}s") from None
        finally:
            remove()

    return wait()


def _describe(error: BaseException) -> dict[str, Any]:
    out: dict[str, Any] = {"name": type(error).__name__, "message": str(error)}
    for attr in ("status", "payload"):
        if hasattr(error, attr):
            out[attr] = getattr(error, attr)
    out["stack"] = "".join(traceback.format_exception(error))
    return out


def run(main: Callable[[], Awaitable[Any]]) -> None:
    """Run ``main`` and print its value as the final line ``{"result": ...}`` (exit 0), or
    ``{"error": ...}`` (exit 1); a scenario past its deadline ends with exit 2."""
    # Logs go to stderr; stdout carries only the protocol. The SDK's own debug lines help explain
    # a failure; the websockets library stays at INFO because its debug lines print the upgrade
    # request's headers, API key included.
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="[%(levelname)s] %(name)s: %(message)s"
    )
    logging.getLogger("sogni_client").setLevel(logging.DEBUG)

    async def bounded() -> Any:
        return await asyncio.wait_for(main(), DEADLINE)

    try:
        result = asyncio.run(bounded())
    except asyncio.TimeoutError:
        emit({"error": {"name": "ScenarioDeadline", "message": f"still running after {DEADLINE}s"}})
        os._exit(2)
    except BaseException as error:
        emit({"error": _describe(error)})
        os._exit(1)
    emit({"result": result})
    sys.exit(0)
