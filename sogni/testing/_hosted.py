"""Hosted chat on the fake api host: ``POST /v1/chat/completions`` and
``POST /v1/creative-agent/tools/execute``.

A hosted completion is answered by the deterministic LLM of ``_llm`` (its rules apply as they
are). ``sogni_tools`` (any truthy value) offers the hosted Sogni tools, of which the model calls
only those the last user message names [INV-HOSTED-TOOLS]. With ``sogni_tool_execution`` the
server runs the Sogni tools the model calls (``_tool_exec``), hands the results back to the
model and repeats, at most five rounds, then answers; each executed call is listed in
``sogni_tool_results`` as ``{tool, toolCallId, ok, urls}`` (``error`` when it failed)
[INV-SOGNI-TOOL-RESULTS]. When the model calls a tool of the caller's own, every call of that
round is returned instead, unexecuted. Other invented behaviour: [INV-HOSTED-NO-STREAM]
(``stream: true`` is refused with 400), [INV-HOSTED-ERRORS] (400 for an unknown model or an
invalid request, listing every problem; 402 with ``errorCode`` 123 when the account cannot
pay for the request at ``max_tokens``), [INV-HOSTED-BILLING] (each model round is billed as a
socket chat job; the tools' projects as projects).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._llm_checks import request_problems
from ._llm_reply import cost, max_output, plan_reply, prompt_tokens
from ._llm_tools import SOGNI_TOOL_NAMES
from ._server import ApiError, FakeServer, json_body, ok
from ._tool_exec import COMPOSITION_TOOLS, ToolExecutor, ToolRefused, named_hosted_tools

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["install", "llm_payload", "last_user_text"]

MAX_ROUNDS = 5
INSUFFICIENT_BALANCE = 123
_TOKEN_TYPES = ("sogni", "spark")
_RANGE_KEYS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
    "stop",
)


def install(fake: FakeSupernet, server: FakeServer) -> None:
    service = HostedService(fake, server)
    server.api_route("POST", "/v1/chat/completions", service.completions)
    server.api_route("POST", "/v1/creative-agent/tools/execute", service.execute_tool)


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(
                    p["text"]
                    for p in content
                    if isinstance(p, dict) and isinstance(p.get("text"), str)
                )
    return ""


def llm_payload(body: dict[str, Any], messages: list[Any], tools: list[Any]) -> dict[str, Any]:
    """A REST chat body in the socket job's form, for the fake LLM's checks and rules."""
    payload: dict[str, Any] = {"type": "llm", "model": body.get("model"), "messages": messages}
    for key in _RANGE_KEYS:
        if key in body:
            payload[key] = body[key]
    if tools:
        payload["tools"] = tools
        if "tool_choice" in body:
            payload["tool_choice"] = body["tool_choice"]
    for key in ("response_format", "chat_template_kwargs"):
        if body.get(key) is not None:
            payload[key] = body[key]
    return payload


class HostedService:
    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        self.fake = fake
        self.server = server
        self.executor = ToolExecutor(fake)

    async def completions(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        if body.get("stream"):
            raise ApiError(
                400, "Streaming is not supported on this endpoint"
            )  # [INV-HOSTED-NO-STREAM]
        model = body.get("model")
        models = self.fake.llm_models
        if not isinstance(model, str) or model not in models:
            raise ApiError(400, f"Model {model!r} is not available")
        info = models[model] if isinstance(models[model], dict) else {}
        given = body.get("messages")
        messages: list[Any] = given if isinstance(given, list) else []
        caller_tools = body.get("tools") or []
        first = llm_payload(body, messages, caller_tools)
        problems = request_problems({**first, "messages": given}, info)
        problems += _rest_problems(body)
        if problems:
            raise ApiError(400, "; ".join(problems))  # [INV-HOSTED-ERRORS]
        token_type = body.get("token_type") or "sogni"
        ledger = account.ledger(token_type)
        if ledger.net < cost(prompt_tokens(messages), max_output(first, info))[token_type]:
            name = "Spark" if token_type == "spark" else "SOGNI"
            raise ApiError(402, f"Not enough {name} to run this request.", INSUFFICIENT_BALANCE)
        workflows: list[dict[str, Any]] = []
        answer, results, usage = await self._answer(
            account, body, list(messages), caller_tools, workflows
        )
        out: dict[str, Any] = {
            "id": "chatcmpl-" + hashlib.sha256(json.dumps(body).encode()).hexdigest()[:12],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [answer],
            "usage": usage,
        }
        if results:
            out["sogni_tool_results"] = results
        if workflows:
            out["creative_workflows"] = workflows
        await self.server.broadcast_balance(account)
        return web.json_response(out)

    async def _answer(
        self,
        account: FakeAccount,
        body: dict[str, Any],
        messages: list[Any],
        caller_tools: list[Any],
        workflows: list[dict[str, Any]] | None = None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, int]]:
        execute = body.get("sogni_tool_execution") is True
        hosted = named_hosted_tools(last_user_text(messages)) if body.get("sogni_tools") else []
        own = {t.get("function", {}).get("name") for t in caller_tools if isinstance(t, dict)}
        tools = list(caller_tools) + [t for t in hosted if t["function"]["name"] not in own]
        token_type = body.get("token_type") or "sogni"
        results: list[dict[str, Any]] = []
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        for _ in range(MAX_ROUNDS):
            plan = plan_reply(llm_payload(body, messages, tools))
            for key, value in plan.usage().items():
                usage[key] += value
            charge = cost(plan.prompt_tokens, plan.completion_tokens)
            account.ledger(token_type).debit += charge[token_type]  # [INV-HOSTED-BILLING]
            names = [c["function"]["name"] for c in plan.tool_calls]
            runnable = (
                execute and names and all(n in SOGNI_TOOL_NAMES and n not in own for n in names)
            )
            if not runnable:
                message: dict[str, Any] = {"role": "assistant", "content": plan.content}
                if plan.tool_calls:
                    message["tool_calls"] = plan.tool_calls
                    message["content"] = plan.content or None
                return (
                    {"index": 0, "message": message, "finish_reason": plan.finish_reason},
                    results,
                    usage,
                )
            messages.append({"role": "assistant", "content": None, "tool_calls": plan.tool_calls})
            for call in plan.tool_calls:
                name = call["function"]["name"]
                try:
                    arguments = json.loads(call["function"]["arguments"] or "{}")
                except ValueError:
                    arguments = {}
                outcome = await self.executor.execute(
                    account, call["id"], name, arguments, token_type=body.get("token_type")
                )
                results.append(outcome.entry())
                if name == "compose_workflow" and body.get("sogni_tools") == "creative-agent":
                    # [INV-WF-AGENT] the creative agent starts the plan it composed.
                    from ._workflow_routes import start_composed

                    ref = start_composed(self.fake, account, outcome.result, body)
                    if ref is not None and workflows is not None:
                        workflows.append(ref)
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call["id"],
                        "name": name,
                        "content": outcome.content(),
                    }
                )
        raise ApiError(500, f"The model kept calling tools after {MAX_ROUNDS} rounds")

    async def execute_tool(self, request: web.Request) -> web.Response:
        self.server.require_account(request)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object")
        tool, arguments = body.get("tool"), body.get("arguments", {})
        if tool not in COMPOSITION_TOOLS:
            # [INV-HOSTED-ERRORS] only the synchronous composition tools run here.
            raise ApiError(400, f"Tool {tool!r} cannot be executed directly; use hosted chat")
        if not isinstance(arguments, dict):
            raise ApiError(400, "arguments must be an object")
        if body.get("token_type") not in (None, "sogni", "spark", "auto"):
            raise ApiError(400, "token_type must be 'sogni', 'spark' or 'auto'")
        try:
            result = self.executor.compose(tool, arguments)
        except ToolRefused as exc:
            raise ApiError(400, str(exc)) from None
        digest = hashlib.sha256(json.dumps([tool, arguments], sort_keys=True).encode()).hexdigest()
        return ok(
            {"toolCallId": "call_" + digest[:12], "tool": tool, "result": result, "message": None}
        )


def _rest_problems(body: dict[str, Any]) -> list[str]:
    problems = []
    token_type = body.get("token_type")
    if token_type is not None and token_type not in _TOKEN_TYPES:
        problems.append("token_type must be 'sogni' or 'spark'")
    sogni_tools = body.get("sogni_tools")
    if sogni_tools is not None and not isinstance(sogni_tools, (bool, str)):
        problems.append("sogni_tools must be a boolean or a tool family name")
    execution = body.get("sogni_tool_execution")
    if execution is not None and not isinstance(execution, bool):
        problems.append("sogni_tool_execution must be a boolean")
    for key in ("media_references", "api_media_references"):
        if body.get(key) is not None and not isinstance(body[key], list):
            problems.append(f"{key} must be a list")
    return problems
