"""The hosted-chat and run models read what the service sends: shapes the fake never produces
(``creative_workflows``, a record without its terminal event) and shapes that are wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sogni import ProtocolError, SogniClient
from sogni.chat import (
    ChatRunEvent,
    ChatRunRecord,
    CreativeWorkflowRef,
    HostedChatCompletion,
    ToolCall,
)

from ..scripted_http import ScriptedServer
from ..scripted_http import scripted as scripted
from ..scripted_http import scripted_server as scripted_server

COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-7d3f0a",
    "object": "chat.completion",
    "created": 1767225600,
    "model": "qwen3.6-35b-a3b-gguf-iq4xs",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "compose_script", "arguments": '{"brief": "x"}'},
                    }
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 812, "completion_tokens": 233, "total_tokens": 1045},
    "creative_workflows": [
        {
            "workflowId": "wf_01J9",
            "status": "queued",
            "url": "/v1/creative-agent/workflows/wf_01J9",
            "eventsUrl": "/v1/creative-agent/workflows/wf_01J9/events",
            "streamUrl": "/v1/creative-agent/workflows/wf_01J9/events/stream",
        }
    ],
    "sogni_tool_results": [
        {"tool": "compose_script", "toolCallId": "call_1", "ok": True, "extra": {"n": [1, 2.5]}}
    ],
}


def test_a_hosted_answer_is_typed_and_its_tool_results_pass_through_untouched(
    scripted: ScriptedServer,
) -> None:
    scripted.post("/v1/chat/completions", json=COMPLETION)
    with SogniClient(api_key="sk-test", rest_endpoint=scripted.url, disable_socket=True) as client:
        answer = client.chat.hosted.create(messages=[{"role": "user", "content": "Plan it"}])
    assert answer.creative_workflows == (
        CreativeWorkflowRef(
            workflow_id="wf_01J9",
            status="queued",
            url="/v1/creative-agent/workflows/wf_01J9",
            events_url="/v1/creative-agent/workflows/wf_01J9/events",
            stream_url="/v1/creative-agent/workflows/wf_01J9/events/stream",
        ),
    )
    assert answer.sogni_tool_results == COMPLETION["sogni_tool_results"]
    assert answer.tool_calls == (ToolCall("call_1", "compose_script", '{"brief": "x"}'),)
    assert (answer.content, answer.finish_reason, answer.created) == ("", "tool_calls", 1767225600)
    assert answer.usage is not None and answer.usage.total_tokens == 1045
    assert answer.raw == COMPLETION
    sent = json.loads(scripted.calls[0].request.body or b"{}")
    assert sent["model"] == "qwen3.6-35b-a3b-gguf-iq4xs"


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"choices": "none"},
        {"choices": [{"message": "hi"}]},
        {"choices": [], "creative_workflows": [{"status": "queued"}]},
        {"choices": [{"message": {"tool_calls": [{"function": {}}]}}]},
    ],
)
def test_a_malformed_answer_is_a_protocol_error(body: Any) -> None:
    with pytest.raises(ProtocolError):
        HostedChatCompletion.from_wire(body)


def test_a_run_record_keeps_what_the_service_leaves_open() -> None:
    raw = {
        "runId": "run_1",
        "status": "waiting_for_user",
        "events": [
            {"sequence": 0, "type": "run_created", "at": "2026-09-01T10:00:00.000Z"},
            {"sequence": "1", "type": "bad"},
            {"sequence": 2, "type": "run_waiting_for_user", "createdAt": "t", "payload": []},
        ],
        "waiting": {
            "reason": "cost_approval_required",
            "details": {
                "toolCallId": "call_7",
                "pendingToolCallIds": ["call_7", 8],
                "costApprovalPreview": {"totalEstimatedCapacityUnits": 42},
            },
        },
        "artifacts": [{"url": "https://cdn.example/a.png"}, {"id": "no-url"}, "junk"],
        "billingPreview": {"anything": True},
        "request": {"messages": [], "custom": 1},
    }
    record = ChatRunRecord.from_wire(raw, idempotent=True)
    assert [(e.sequence, e.type, e.at) for e in record.events] == [
        (0, "run_created", "2026-09-01T10:00:00.000Z"),
        (2, "run_waiting_for_user", "t"),
    ]
    assert record.last_sequence == 2 and record.idempotent is True
    assert record.waiting is not None and record.waiting.tool_call_id == "call_7"
    assert record.waiting.pending_tool_call_ids == ("call_7",)
    assert record.waiting.cost_preview == {"totalEstimatedCapacityUnits": 42}
    assert record.result_urls == ["https://cdn.example/a.png"]
    assert record.billing_preview == {"anything": True} and record.request["custom"] == 1
    assert not record.finished and record.content is None
    with pytest.raises(ProtocolError):
        ChatRunRecord.from_wire({"status": "running"})
    assert ChatRunEvent.from_wire({"sequence": True, "type": "x"}) is None
