"""Wire parity for the platform tool executor: every row of :data:`TOOL_CASES` goes through the
TypeScript SDK's ``chat.tools.execute`` (all rows in one Node process) and through ours against
one FakeSupernet; the project each call creates must be identical on the wire (the
``jobRequest`` body and the uploads, strictly compared). A canary row that differs on purpose
must be reported."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..harness import ScenarioProcess
from ..oracles import Oracles
from .compare import (
    BODY_NORMALISATIONS,
    UPLOAD_NORMALISATIONS,
    compare_json,
    normalise,
    parse_frame_body,
    uploads_document,
)
from .tool_cases import TOOL_CASES, ToolCase

CANARY = ToolCase("canary", "generate_music", {"seed": 1}, ours={"seed": 2})
OURS = "parity-tools-ours"
DIRECT = (
    "generate_image",
    "edit_image",
    "generate_video",
    "sound_to_video",
    "video_to_video",
    "generate_music",
)


@pytest.fixture(scope="module")
def tool_parity(oracles: Oracles) -> Iterator[dict[str, dict[str, Any]]]:
    cases = [*TOOL_CASES, CANARY]
    with FakeSupernet(time_scale=0.001) as fake:
        fake.set_balance(Decimal(10**6), token_type="spark")
        fake.set_balance(Decimal(10**6), token_type="sogni")
        rows = [{"name": c.name, "call": c.ts_call(), "options": c.options} for c in cases]
        ours: dict[str, Any] = {}
        with ScenarioProcess(
            oracles,
            "js",
            "parity_tools",
            rest_url=fake.rest_url,
            socket_url=fake.socket_url,
            api_key=fake.api_key,
            stdin=json.dumps(rows),
            deadline=120.0,
        ) as scenario:
            with SogniClient(
                app_id=OURS,
                api_key=fake.api_key,
                rest_endpoint=fake.rest_url,
                socket_endpoint=fake.socket_url,
            ) as client:
                for case in cases:
                    ours[case.name] = client.chat.tools.execute(
                        case.our_call(), **case.our_options()
                    )
            ts = {r["name"]: r for r in scenario.result()}
            ts_app = scenario.app_id
        yield _collect(fake, cases, ts, ours, ts_app)


def _collect(
    fake: FakeSupernet,
    cases: list[ToolCase],
    ts: dict[str, Any],
    ours: dict[str, Any],
    ts_app: str,
) -> dict[str, dict[str, Any]]:
    by_prompt: dict[tuple[str | None, str], list[Any]] = {}
    for record in fake.frames("jobRequest"):
        if record.raw is None or record.dropped:
            continue
        body = parse_frame_body(record.raw)
        frames = body.get("keyFrames") or [{}]
        by_prompt.setdefault((record.app_id, str(frames[0].get("positivePrompt"))), []).append(body)
    out = {}
    for case in cases:
        row: dict[str, Any] = {"ts_result": ts[case.name], "ours_result": ours[case.name]}
        for side, app in (("ts", ts_app), ("ours", OURS)):
            bodies = by_prompt.get((app, case.prompt), [])
            row[side] = None
            if len(bodies) == 1:
                project_id = bodies[0]["jobID"]
                uploads = uploads_document(fake.uploads(project_id))
                row[side] = (
                    normalise(bodies[0], project_id, BODY_NORMALISATIONS),
                    normalise(uploads, project_id, UPLOAD_NORMALISATIONS),
                )
            elif bodies:
                row[side] = f"{len(bodies)} projects for one call"
        out[case.name] = row
    with contextlib.suppress(Exception):
        fake.stop()
    return out


def _problems(name: str, row: dict[str, Any]) -> list[str]:
    out = []
    ts_result, our_result = row["ts_result"], row["ours_result"]
    if ts_result.get("thrown") or not ts_result.get("success"):
        out.append(f"{name}: the TypeScript SDK failed: {ts_result}")
    if not our_result.success:
        out.append(f"{name}: our SDK failed: {our_result.error}")
    for side in ("ts", "ours"):
        if not isinstance(row[side], tuple):
            out.append(f"{name}: {side}: {row[side] or 'no jobRequest reached the fake'}")
    if out:
        return out
    (body_ts, up_ts), (body_ours, up_ours) = row["ts"], row["ours"]
    diffs = compare_json(body_ts, body_ours) + compare_json(up_ts, up_ours)
    return [d.describe(name) for d in diffs]


def test_table_has_three_rows_per_dispatched_tool() -> None:
    for tool in DIRECT:
        assert sum(1 for c in TOOL_CASES if c.tool == tool) >= 3, tool


@pytest.mark.parametrize("case", TOOL_CASES, ids=lambda c: c.name)
def test_tool_wire_parity(tool_parity: dict[str, dict[str, Any]], case: ToolCase) -> None:
    problems = _problems(case.name, tool_parity[case.name])
    assert not problems, "\n".join(problems)


def test_a_tool_difference_is_reported(tool_parity: dict[str, dict[str, Any]]) -> None:
    problems = _problems("canary", tool_parity["canary"])
    assert problems == ["canary: keyFrames[0].seed: TypeScript SDK sent 1, ours sent 2"]
