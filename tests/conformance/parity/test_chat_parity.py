"""Wire parity for chat: each row of :data:`CHAT_CASES` goes through the official TypeScript SDK
(all rows in one Node process) and through ours against one FakeSupernet; the recorded
``llmJobRequest`` bodies must be identical (strict comparison of ``compare.py``; only the job id
is normalised). A canary row that differs on purpose must be reported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sogni import SogniClient
from sogni.testing import FakeSupernet

from ..harness import ScenarioProcess
from ..oracles import Oracles
from .chat_cases import CHAT_CASES, ChatCase
from .compare import BODY_NORMALISATIONS, compare_json, normalise, parse_frame_body

CANARY = ChatCase(
    "canary",
    {
        "model": CHAT_CASES[0].ts["model"],
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.5,
    },
    {
        "model": CHAT_CASES[0].py["model"],
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.25,
    },
)


@pytest.fixture(scope="module")
def chat_bodies(oracles: Oracles) -> dict[str, dict[str, Any]]:
    cases = [*CHAT_CASES, CANARY]
    with FakeSupernet(time_scale=0.001) as fake:
        sets = [{"name": c.name, "params": c.ts} for c in cases]
        ours: dict[str, str] = {}
        with ScenarioProcess(
            oracles,
            "js",
            "parity_chat",
            rest_url=fake.rest_url,
            socket_url=fake.socket_url,
            api_key=fake.api_key,
            stdin=json.dumps(sets),
        ) as scenario:
            with SogniClient(
                app_id="parity-chat-ours",
                api_key=fake.api_key,
                rest_endpoint=fake.rest_url,
                socket_endpoint=fake.socket_url,
            ) as client:
                for case in cases:
                    reply = client.chat.completions.create(**case.py)
                    if case.py.get("stream"):
                        with reply:
                            for _ in reply:
                                pass
                    ours[case.name] = reply.job_id
            ts = {r["name"]: r for r in scenario.result()}
        frames = {}
        for record in fake.frames("llmJobRequest"):
            if record.raw is not None and not record.dropped:
                frames[(record.payload or {}).get("jobID")] = parse_frame_body(record.raw)
    out: dict[str, dict[str, Any]] = {}
    for case in cases:
        ts_id = ts[case.name].get("jobId")
        out[case.name] = {
            "ts_error": ts[case.name].get("error"),
            "ts": normalise(frames.get(ts_id), ts_id or "", BODY_NORMALISATIONS) if ts_id else None,
            "ours": normalise(frames.get(ours[case.name]), ours[case.name], BODY_NORMALISATIONS),
        }
    return out


def test_table_has_every_chat_row() -> None:
    assert len(CHAT_CASES) >= 15


@pytest.mark.parametrize("case", CHAT_CASES, ids=lambda c: c.name)
def test_chat_wire_parity(chat_bodies: dict[str, dict[str, Any]], case: ChatCase) -> None:
    row = chat_bodies[case.name]
    assert row["ts_error"] is None, row["ts_error"]
    assert row["ts"] is not None and row["ours"] is not None
    problems = [d.describe(case.name) for d in compare_json(row["ts"], row["ours"])]
    assert not problems, "\n".join(problems)


def test_a_chat_difference_is_reported(chat_bodies: dict[str, dict[str, Any]]) -> None:
    row = chat_bodies["canary"]
    problems = [d.describe("canary") for d in compare_json(row["ts"], row["ours"])]
    assert len(problems) == 1 and "temperature" in problems[0]
