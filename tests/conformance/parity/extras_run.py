"""Send the replay / stats / announcements / models parity rows through both SDKs against one
FakeSupernet and compare the request each row sent (method, path, query, JSON body and the
protocol's headers, as ``rest_run.py`` compares them). The TypeScript SDK runs every row in one
Node process under an account of its own; ours runs them meanwhile in this process."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..oracles import Oracles
from .extras_cases import ExtrasCase
from .rest_run import RestSide, normalise_request, queued_requests, run_both_sides, take_row

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
    fake.add_account(username="parity-ts", api_key="parity-ts-key")
    for announcement_id in ("ann-1", "ann 2/x"):
        fake.publish_announcement(id=announcement_id, title=announcement_id)
    return run_both_sides(
        fake,
        oracles,
        cases,
        scenario="parity_extras",
        ts_api_key="parity-ts-key",
        new_side=RestSide,
        run_ours=_run_ours,
        collect=_collect,
    )


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
    queues = queued_requests(fake, api_key, _slot, len(cases))
    for case in cases:
        record = take_row(queues, (case.kind,))
        if record is not None:
            sides[case.name].request = normalise_request(record, None)
