"""Send the replay / stats / announcements / models parity rows through both SDKs against one
FakeSupernet and compare the request each row sent (method, path, query, JSON body and the
protocol's headers, as ``rest_run.py`` compares them). The TypeScript SDK runs every row in one
Node process under an account of its own; ours runs them meanwhile in this process."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ...helpers import wait_until
from ..harness import ScenarioProcess
from ..oracles import Oracles
from .extras_cases import ExtrasCase
from .rest_run import RestSide, normalise_request

__all__ = ["run_extras_parity"]

_SLOTS: dict[str, tuple[str, re.Pattern[str]]] = {
    "replay.write": ("POST", re.compile(r"^/v1/replay/records$")),
    "replay.list": ("GET", re.compile(r"^/v1/replay/records$")),
    "replay.get": ("GET", re.compile(r"^/v1/replay/records/.+$")),
    "stats.leaderboard": ("GET", re.compile(r"^/v1/leaderboard/$")),
    "announcements.active": ("GET", re.compile(r"^/v1/announcements/active$")),
    "announcements.dismiss": ("POST", re.compile(r"^/v1/announcements/.+/dismiss$")),
    "projects.getAvailableModels": ("GET", re.compile(r"^/api/v1/status/network/[^/]+/models$")),
}


def _slot(method: str | None, path: str | None) -> str | None:
    for kind, (want, pattern) in _SLOTS.items():
        if method == want and pattern.match(path or ""):
            return kind
    return None


def run_extras_parity(
    fake: FakeSupernet, oracles: Oracles, cases: Sequence[ExtrasCase]
) -> dict[str, tuple[RestSide, RestSide]]:
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("parity rows need unique names")
    fake.add_account(username="parity-ts", api_key="parity-ts-key")
    for announcement_id in ("ann-1", "ann 2/x"):
        fake.publish_announcement(id=announcement_id, title=announcement_id)
    rows = [{"name": c.name, "kind": c.kind, "params": c.ts} for c in cases]
    ts = {name: RestSide() for name in names}
    ours = {name: RestSide() for name in names}
    with ScenarioProcess(
        oracles,
        "js",
        "parity_extras",
        rest_url=fake.rest_url,
        socket_url=fake.socket_url,
        api_key="parity-ts-key",
        stdin=json.dumps(rows),
    ) as scenario:
        worker = threading.Thread(target=_run_ours, args=(fake, cases, ours))
        worker.start()
        for record in scenario.result():
            if record.get("error"):
                error = record["error"]
                ts[record["name"]].error = f"{error.get('name')}: {error.get('message')}"
        worker.join(60)
    _collect(fake, cases, "parity-ts-key", ts)
    _collect(fake, cases, fake.api_key, ours)
    return {name: (ts[name], ours[name]) for name in names}


def _run_ours(
    fake: FakeSupernet, cases: Sequence[ExtrasCase], results: dict[str, RestSide]
) -> None:
    with SogniClient(
        app_id="parity-ours",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        auto_connect=False,
    ) as client:
        for case in cases:
            try:
                _perform(client, case)
            except Exception as exc:  # reported per row, so one bad row hides no other
                results[case.name].error = f"{type(exc).__name__}: {exc}"


def _perform(client: SogniClient, case: ExtrasCase) -> None:
    params = case.py
    if case.kind == "replay.write":
        client.replay.write(params["record"])
    elif case.kind == "replay.list":
        client.replay.list(**params)
    elif case.kind == "replay.get":
        client.replay.get(params["run_id"])
    elif case.kind == "stats.leaderboard":
        client.stats.leaderboard(**params)
    elif case.kind == "announcements.active":
        client.announcements.active(**params)
    elif case.kind == "announcements.dismiss":
        client.announcements.dismiss(params["id"])
    else:
        client.projects.get_available_models(params["network"])


def _collect(
    fake: FakeSupernet, cases: Sequence[ExtrasCase], api_key: str, sides: Mapping[str, RestSide]
) -> None:
    def received() -> list[tuple[str, Any]]:
        mine = [r for r in fake.requests() if r.headers.get("api-key") == api_key]
        return [(slot, r) for r in mine if (slot := _slot(r.method, r.path)) is not None]

    try:
        wait_until(lambda: len(received()) >= len(cases), timeout=10)
    except AssertionError:
        pass  # the rows that lack a request say so
    queues: dict[str, deque[Any]] = {}
    for slot, record in received():
        queues.setdefault(slot, deque()).append(record)
    for case in cases:
        queue = queues.get(case.kind)
        record = queue.popleft() if queue else None
        if record is not None:
            sides[case.name].request = normalise_request(record, None)
