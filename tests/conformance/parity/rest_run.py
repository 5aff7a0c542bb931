"""Send REST parity rows through both SDKs against one FakeSupernet and compare what it received:
method, path, query, the JSON body (strictly, as ``compare.py`` compares), and only the headers
the protocol names (``Content-Type``, ``Accept``, ``Idempotency-Key``, ``Last-Event-ID``,
``X-App-Source``, ``X-Sogni-*``; names compared case-insensitively).

The TypeScript SDK runs every row in one Node process (``scenarios/js/parity_rest.cjs``) under
an account of its own, ours runs them meanwhile in this process under the default one; each
side's requests are told apart by their API key and matched to the rows in order.

Normalised, and only there (each value only when it has the expected shape): a row's run id in
the path, the operation ids that stand in for a missing one (an upper-case UUID), and the cost
preview's ``validityUntil`` (an ISO time the fake sets per run).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sogni import SogniClient
from sogni.chat import ChatRunWaiting
from sogni.testing import FakeSupernet

from ...helpers import wait_until
from ..harness import ScenarioProcess
from ..oracles import Oracles
from .compare import compare_json
from .rest_cases import RestCase

__all__ = ["RestSide", "normalise_request", "run_rest_parity"]

_SCENARIO = "parity_rest"
_SLOTS = {
    "hosted.create": ("completions",),
    "hosted.executeTool": ("execute",),
    "runs.create": ("create",),
    "runs.confirmCost": ("create", "confirm"),
    "runs.cancel": ("create", "cancel"),
    "runs.streamEvents": ("create", "stream"),
}
_RUN_PATH = re.compile(r"^/v1/chat/runs/([^/]+)(/.*)?$")
_UPPER_UUID4 = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_GENERATED_IDS = ("x-sogni-operation-id", "x-sogni-root-operation-id")
_TERMINAL = ("completed", "partial_failure", "failed", "cancelled")


@dataclass
class RestSide:
    """What one SDK did with one row: its run id, or the error it raised, and the compared
    request as the fake received it."""

    run_id: str | None = None
    error: str | None = None
    request: Any = None


def _slot(method: str | None, path: str | None) -> str | None:
    if method == "POST" and path == "/v1/chat/completions":
        return "completions"
    if method == "POST" and path == "/v1/creative-agent/tools/execute":
        return "execute"
    if method == "POST" and path == "/v1/chat/runs":
        return "create"
    match = _RUN_PATH.match(path or "")
    tail = match.group(2) if match else None
    if method == "POST" and tail == "/confirm-cost":
        return "confirm"
    if method == "POST" and tail == "/cancel":
        return "cancel"
    if method == "GET" and tail == "/events/stream":
        return "stream"
    return None


def normalise_request(record: Any, run_id: str | None) -> dict[str, Any]:
    """The compared document of one received request."""
    path = record.path or ""
    match = _RUN_PATH.match(path)
    if match and run_id is not None and match.group(1) == run_id:
        path = "/v1/chat/runs/<run-id>" + (match.group(2) or "")
    headers = {}
    for name, value in record.headers.items():
        key = name.lower()
        if key in (
            "content-type",
            "accept",
            "idempotency-key",
            "last-event-id",
            "x-app-source",
        ) or key.startswith("x-sogni-"):
            if key in _GENERATED_IDS and _UPPER_UUID4.fullmatch(value):
                value = "<generated-uuid>"
            headers[key] = value
    body = json.loads(record.raw, parse_float=Decimal) if record.raw else None
    preview = body.get("acceptedCostPreview") if isinstance(body, dict) else None
    if isinstance(preview, dict) and _ISO_TIME.match(str(preview.get("validityUntil"))):
        body["acceptedCostPreview"] = {**preview, "validityUntil": "<time>"}
    return {
        "method": record.method,
        "path": path,
        "query": dict(record.query),
        "headers": headers,
        "body": body,
    }


def compare_rows(ts: RestSide, ours: RestSide, name: str) -> list[str]:
    out = []
    for side, label in ((ts, "the TypeScript SDK"), (ours, "our SDK")):
        if side.error is not None:
            out.append(f"{name}: {label} did not send it: {side.error}")
        elif side.request is None:
            out.append(f"{name}: no request from {label} reached the fake")
    if ts.request is None or ours.request is None:
        return out
    return out + [d.describe(name) for d in compare_json(ts.request, ours.request)]


S = TypeVar("S", bound=RestSide)


class _Row(Protocol):
    """A parity row: its name, its call, and the TypeScript side's parameters."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def ts(self) -> Any: ...


C = TypeVar("C", bound=_Row)


def run_both_sides(
    fake: FakeSupernet,
    oracles: Oracles,
    cases: Sequence[C],
    *,
    scenario: str,
    ts_api_key: str,
    new_side: Callable[[], S],
    run_ours: Callable[[FakeSupernet, Sequence[C], dict[str, S]], None],
    collect: Callable[[FakeSupernet, Sequence[C], str, Mapping[str, S]], None],
    on_ts_record: Callable[[S, dict[str, Any]], None] = lambda side, record: None,
) -> dict[str, tuple[S, S]]:
    """Run the rows through the TypeScript SDK (one Node process, ``scenario``, as the account
    of ``ts_api_key``) and ours at once, then match each side's requests to its rows."""
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("parity rows need unique names")
    rows = [{"name": c.name, "kind": c.kind, "params": c.ts} for c in cases]
    ts = {name: new_side() for name in names}
    ours = {name: new_side() for name in names}
    with ScenarioProcess(
        oracles,
        "js",
        scenario,
        rest_url=fake.rest_url,
        socket_url=fake.socket_url,
        api_key=ts_api_key,
        stdin=json.dumps(rows),
    ) as process:
        # Our rows run on a thread meanwhile, so neither side waits for the other.
        worker = threading.Thread(target=run_ours, args=(fake, cases, ours))
        worker.start()
        for record in process.result():
            side = ts[record["name"]]
            on_ts_record(side, record)
            if record.get("error"):
                side.error = f"{record['error'].get('name')}: {record['error'].get('message')}"
        worker.join(60)
    collect(fake, cases, ts_api_key, ts)
    collect(fake, cases, fake.api_key, ours)
    return {name: (ts[name], ours[name]) for name in names}


def queued_requests(
    fake: FakeSupernet,
    api_key: str,
    slot_of: Callable[[str | None, str | None], str | None],
    wanted: int,
) -> dict[str, deque[Any]]:
    """The requests of ``api_key``'s account that ``slot_of`` names, in order, by slot (after
    waiting up to 10 s for ``wanted`` of them: the rows that lack one say so)."""

    def received() -> list[tuple[str, Any]]:
        mine = [r for r in fake.requests() if r.headers.get("api-key") == api_key]
        return [(slot, r) for r in mine if (slot := slot_of(r.method, r.path)) is not None]

    try:
        wait_until(lambda: len(received()) >= wanted, timeout=10)
    except AssertionError:
        pass
    queues: dict[str, deque[Any]] = {}
    for slot, record in received():
        queues.setdefault(slot, deque()).append(record)
    return queues


def take_row(queues: Mapping[str, deque[Any]], slots: Sequence[str]) -> Any:
    """Consume a row's requests, one per slot, and return the last. A row that failed still
    sent its requests (the service refused them): they are consumed all the same, so the rows
    after it keep their own."""
    record = None
    for slot in slots:
        queue = queues.get(slot)
        record = queue.popleft() if queue else None
    return record


def run_rest_parity(
    fake: FakeSupernet, oracles: Oracles, cases: Sequence[RestCase]
) -> dict[str, tuple[RestSide, RestSide]]:
    fake.sse_keepalive = 0.05
    ts_account = fake.add_account(username="parity-ts", api_key="parity-ts-key")
    for account in (fake.account, ts_account):
        for token in ("spark", "sogni"):
            fake.set_balance(Decimal(10**6), token_type=token, account=account)

    def on_ts_record(side: RestSide, record: dict[str, Any]) -> None:
        side.run_id = record.get("runId")

    return run_both_sides(
        fake,
        oracles,
        cases,
        scenario=_SCENARIO,
        ts_api_key="parity-ts-key",
        new_side=RestSide,
        run_ours=_run_ours,
        collect=_collect,
        on_ts_record=on_ts_record,
    )


def _run_ours(fake: FakeSupernet, cases: Sequence[RestCase], results: dict[str, RestSide]) -> None:
    with SogniClient(
        api_key=fake.api_key, rest_endpoint=fake.rest_url, disable_socket=True
    ) as client:
        for case in cases:
            side = results[case.name]
            try:
                side.run_id = _perform(client, case)
            except Exception as exc:  # reported per row, so one bad row hides no other
                side.error = f"{type(exc).__name__}: {exc}"


def _perform(client: SogniClient, case: RestCase) -> str | None:
    params = case.py
    runs = client.chat.runs
    if case.kind == "hosted.create":
        client.chat.hosted.create(**params)
        return None
    if case.kind == "hosted.executeTool":
        client.chat.hosted.execute_tool(**params)
        return None
    if case.kind == "runs.create":
        return runs.create(**params).id
    run_id = runs.create(**params["create"]).id
    if case.kind == "runs.confirmCost":
        wait_until(lambda: runs.get(run_id).status == "waiting_for_user", timeout=10)
        waiting: ChatRunWaiting | None = runs.get(run_id).waiting
        assert waiting is not None and waiting.tool_call_id is not None
        confirm = dict(params["confirm"])
        if confirm["decision"] == "confirm":
            confirm["accepted_cost_preview"] = waiting.cost_preview
        runs.confirm_cost(run_id, tool_call_id=waiting.tool_call_id, **confirm)
    elif case.kind == "runs.cancel":
        runs.cancel(run_id, params.get("reason"))
    else:
        wait_until(lambda: runs.get(run_id).status in _TERMINAL, timeout=10)
        list(runs.stream_events(run_id, last_event_id=params["last_event_id"]))
    return run_id


def _collect(
    fake: FakeSupernet, cases: Sequence[RestCase], api_key: str, sides: Mapping[str, RestSide]
) -> None:
    """Match the side's requests to its rows, in order (a stream is logged once it ended)."""
    queues = queued_requests(fake, api_key, _slot, sum(len(_SLOTS[c.kind]) for c in cases))
    for case in cases:
        side = sides[case.name]
        record = take_row(queues, _SLOTS[case.kind])
        if record is not None:
            side.request = normalise_request(record, side.run_id)
