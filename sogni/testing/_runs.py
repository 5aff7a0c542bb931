"""Durable chat runs on the fake api host: the run records, their event logs
and the executor that drives them. The HTTP side (REST routes, the event stream) is
``_run_routes``.

A run's log starts with ``run_created`` (sequence 0) and rises by one per event. The executor
asks the deterministic LLM of ``_llm`` for each round (``llm_round_started``), offered the
run's own ``tools`` or else the hosted Sogni tools that the last user message names
[INV-RUN-TOOLS]:

* a text answer streams as ``assistant_message_delta`` events (one per word, at the LLM's
  token speed), then ``assistant_message_completed`` and the terminal event: ``run_completed``;
  ``run_partial_failure`` when some tools failed and others made media; ``run_failed`` when
  every tool of the run failed [INV-RUN-OUTCOME];
* Sogni tool calls are run server-side (``_tool_exec``): ``tool_call_dispatched``,
  ``tool_call_progress`` (queued, then completed with ``mediaUrls``), ``media_context_updated``,
  ``tool_call_resolved`` (``status`` ok / err / cancelled, ``artifacts``), then the next round;
  a call of one of the caller's own tools ends the run (``finishReason: "tool_calls"``).

Cost approval is §4.1/§4.4: with ``runtime_config.requireJobConfirmation`` a round whose paid
media tools are estimated above ``jobConfirmationThresholdUsd`` (0 by default) pauses before
running them: ``billing_preview_updated``, ``run_awaiting_cost_confirmation`` (``toolCallId``),
then ``run_waiting_for_user`` (``reason: cost_approval_required``, ``details.toolCallId``,
``pendingToolCallIds``, ``costApprovalPreview``) with the run ``waiting_for_user``. A confirm
resumes it (``run_cost_confirmation_resolved``, ``run_resumed``); a cancel decision skips the
paid calls (their results say so) and the run goes on. Capacity units are whole numbers,
1 per 0.001 USD, rounded up [INV-CAPACITY-UNITS]; a preview is valid for
``FakeSupernet.cost_preview_ttl`` seconds [INV-COST-PREVIEW].

Cancelling a run stops it at once: the executor task is cancelled, which stops (and refunds)
the project of a tool in flight, and ``run_cancelled`` ends the log.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._hosted import last_user_text, llm_payload
from ._llm_reply import cost, plan_reply
from ._tool_exec import ToolExecutor, ToolOutcome, named_hosted_tools

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["RunRec", "RunsService", "TERMINAL_EVENTS", "TERMINAL_STATUSES"]

SCHEMA_VERSION = "2026-05-14.1"
DEFAULT_MODEL = "qwen3.6-35b-a3b-gguf-iq4xs"
MAX_ROUNDS = 5
TERMINAL_STATUSES = frozenset(("completed", "partial_failure", "failed", "cancelled"))
TERMINAL_EVENTS = frozenset(("run_completed", "run_failed", "run_cancelled", "run_partial_failure"))
_MEDIA_CONTEXT_KEYS = {"image": "images", "video": "videos", "audio": "audio"}


def iso(moment: float | None = None) -> str:
    when = datetime.fromtimestamp(time.time() if moment is None else moment, tz=timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class RunRec:
    id: str
    account: FakeAccount
    body: dict[str, Any]
    idempotency_key: str | None
    status: str = "queued"
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[Any] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_results: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    media_context: dict[str, list[str]] = field(default_factory=dict)
    billing_previews: list[dict[str, Any]] = field(default_factory=list)
    waiting: dict[str, Any] | None = None
    final_response: dict[str, Any] | None = None
    failure_reason: str | None = None
    cancellation_reason: str | None = None
    created_at: str = field(default_factory=iso)
    updated_at: str = field(default_factory=iso)
    completed_at: str | None = None
    task: asyncio.Task[None] | None = None
    decision: asyncio.Future[str] | None = None
    preview: dict[str, Any] | None = None
    preview_expires: float = 0.0
    confirm_keys: set[str] = field(default_factory=set)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def poke(self) -> None:
        """Wake the streams that follow this run."""
        self.changed.set()
        self.changed = asyncio.Event()

    def record(self) -> dict[str, Any]:
        body = self.body
        scope: dict[str, Any] = {"ownerWalletAddress": self.account.wallet_address}
        if body.get("token_type"):
            scope["tokenType"] = body["token_type"]
        if body.get("app_source"):
            scope["appSource"] = body["app_source"]
        request: dict[str, Any] = {"messages": body.get("messages", [])}
        for key, name in (
            ("session_id", "sessionId"),
            ("client_message_id", "clientMessageId"),
            ("model", "model"),
        ):
            if body.get(key):
                request[name] = body[key]
        out: dict[str, Any] = {
            "runId": self.id,
            "status": self.status,
            "schemaVersion": SCHEMA_VERSION,
            "scope": scope,
            "request": request,
            "messages": self.messages,
            "toolCalls": self.tool_calls,
            "toolResults": self.tool_results,
            "mediaContext": self.media_context,
            "artifacts": self.artifacts,
            "events": self.events,
            "billingPreviews": self.billing_previews,
            "childWorkflowIds": [],
            "timestamps": {"createdAt": self.created_at, "updatedAt": self.updated_at},
        }
        if self.completed_at is not None:
            out["timestamps"]["completedAt"] = self.completed_at
        for key, value in (
            ("finalResponse", self.final_response),
            ("waiting", self.waiting),
            ("billingPreview", self.billing_previews[-1] if self.billing_previews else None),
            ("failureReason", self.failure_reason),
            ("cancellationReason", self.cancellation_reason),
        ):
            if value is not None:
                out[key] = value
        copy: dict[str, Any] = json.loads(json.dumps(out))  # the run changes on
        return copy


class RunsService:
    """Every run of one FakeSupernet; lives on the server loop."""

    def __init__(self, fake: FakeSupernet) -> None:
        self.fake = fake
        self.executor = ToolExecutor(fake)
        self.runs: dict[str, RunRec] = {}
        self.by_key: dict[tuple[str, str], RunRec] = {}
        self.hold_at: int | None = None
        self._released = asyncio.Event()
        self._held = asyncio.Event()
        self._counter = 0

    # ------------------------------------------------------------------ control

    def set_hold(self, at: int | None) -> None:
        self.hold_at = at
        self._released.set()
        self._released = asyncio.Event()

    async def wait_held(self, timeout: float) -> None:
        await asyncio.wait_for(self._held.wait(), timeout)

    # ------------------------------------------------------------------ the log

    def append(self, run: RunRec, kind: str, payload: dict[str, Any] | None = None) -> None:
        # [INV-RUN-EVENTS] {sequence, type, at, payload} plus the run id.
        if run.events and run.events[-1]["type"] in TERMINAL_EVENTS:
            return  # nothing follows the terminal event
        moment = iso()
        run.events.append(
            {
                "sequence": len(run.events),
                "type": kind,
                "at": moment,
                "runId": run.id,
                "payload": payload or {},
            }
        )
        run.updated_at = moment
        run.poke()

    async def emit(self, run: RunRec, kind: str, payload: dict[str, Any] | None = None) -> None:
        """Append an event once the run may go on (a test can hold runs at a sequence)."""
        while self.hold_at is not None and len(run.events) >= self.hold_at:
            self._held.set()
            released = self._released
            await released.wait()
        self._held.clear()
        self.append(run, kind, payload)

    # ------------------------------------------------------------------ creating

    def create(self, account: FakeAccount, body: dict[str, Any], key: str | None) -> RunRec:
        self._counter += 1
        run_id = f"run_{self._counter:04d}{time.time_ns() % 10**16:016d}"
        run = RunRec(run_id, account, body, key)
        run.messages = list(body.get("messages", []))
        context = body.get("media_context")
        for name in ("images", "videos", "audio"):
            values = context.get(name) if isinstance(context, dict) else None
            run.media_context[name] = list(values) if isinstance(values, list) else []
        self.runs[run_id] = run
        if key is not None:
            self.by_key[(account.wallet_address, key)] = run
        self.append(run, "run_created")
        run.task = asyncio.ensure_future(self._guarded(run))
        return run

    async def _guarded(self, run: RunRec) -> None:
        try:
            await self._execute(run)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # pragma: no cover - a bug must end the run, not the server
            import logging

            logging.getLogger("sogni.testing").exception("fake run %s failed", run.id)
            self.finish(run, "failed", "run_failed", {"reason": f"internal error: {exc}"})

    # ------------------------------------------------------------------ the executor

    async def _execute(self, run: RunRec) -> None:
        body = run.body
        caller_tools = body.get("tools") or []
        own = {t.get("function", {}).get("name") for t in caller_tools if isinstance(t, dict)}
        # [INV-RUN-TOOLS] the run's own tools, else the hosted tools the user names.
        tools = list(caller_tools) or named_hosted_tools(last_user_text(run.messages))
        given = body.get("sampling")
        sampling: dict[str, Any] = given if isinstance(given, dict) else {}
        llm_body = {**sampling, "model": body.get("model") or DEFAULT_MODEL}
        if "tool_choice" in body:
            llm_body["tool_choice"] = body["tool_choice"]
        ok = failed = 0
        errors: list[str] = []
        for round_number in range(1, MAX_ROUNDS + 1):
            run.status = "running"
            await self.emit(run, "llm_round_started", {"round": round_number})
            plan = plan_reply(llm_payload(llm_body, run.messages, tools))
            self._bill(run, plan.prompt_tokens, plan.completion_tokens)
            calls = plan.tool_calls
            if calls and not any(c["function"]["name"] in own for c in calls):
                run.messages.append({"role": "assistant", "content": None, "tool_calls": calls})
                for call in calls:
                    run.tool_calls.append(
                        {
                            "toolCallId": call["id"],
                            "toolName": call["function"]["name"],
                            "arguments": _arguments(call),
                            "sequence": len(run.events),
                        }
                    )
                decision = await self._approve(run, calls)
                for call in calls:
                    outcome = await self._run_tool(run, call, decision)
                    if outcome.ok:
                        ok += 1
                    elif outcome.error != _DECLINED:
                        failed += 1
                        errors.append(outcome.error or "the tool failed")
                continue
            await self._answer(run, plan.content, plan.finish_reason, plan.words, bool(calls))
            # [INV-RUN-OUTCOME] mixed tool results: partial failure; all failed: failed.
            if failed and ok:
                self.finish(
                    run,
                    "partial_failure",
                    "run_partial_failure",
                    {"reason": errors[0], "artifacts": run.artifacts},
                )
            elif failed:
                self.finish(run, "failed", "run_failed", {"reason": errors[0]})
            else:
                self.finish(
                    run,
                    "completed",
                    "run_completed",
                    {"finishReason": plan.finish_reason, "finalResponse": run.final_response},
                )
            return
        self.finish(run, "failed", "run_failed", {"reason": f"more than {MAX_ROUNDS} tool rounds"})

    async def _answer(
        self, run: RunRec, content: str, finish: str, words: list[str], tool_calls: bool
    ) -> None:
        per_word = 1.0 / self.fake.llm_tokens_per_second
        for word in words:
            await self.fake.sleep(per_word)
            await self.emit(run, "assistant_message_delta", {"delta": word})
        run.final_response = {"content": content, "finishReason": finish}
        run.messages.append({"role": "assistant", "content": content})
        await self.emit(run, "assistant_message_completed", dict(run.final_response))
        if tool_calls:
            run.final_response["finishReason"] = "tool_calls"

    async def _run_tool(
        self, run: RunRec, call: dict[str, Any], decision: str | None
    ) -> ToolOutcome:
        call_id, name = call["id"], call["function"]["name"]
        arguments = _arguments(call)
        await self.emit(
            run,
            "tool_call_dispatched",
            {"toolCallId": call_id, "toolName": name, "arguments": arguments},
        )

        async def progress(update: dict[str, Any]) -> None:
            await self.emit(
                run, "tool_call_progress", {"toolCallId": call_id, "toolName": name, **update}
            )

        if decision == "cancel" and self.executor.is_paid(name):
            outcome = ToolOutcome(name, call_id, False, error=_DECLINED)
        else:
            outcome = await self.executor.execute(
                run.account,
                call_id,
                name,
                arguments,
                token_type=run.body.get("token_type"),
                on_progress=progress,
            )
        artifacts = []
        if outcome.ok and outcome.media_type is not None:
            key = _MEDIA_CONTEXT_KEYS[outcome.media_type]
            for url in outcome.urls:
                artifact = {
                    "id": f"art_{len(run.artifacts) + 1}",
                    "url": url,
                    "mediaType": outcome.media_type,
                    "toolName": name,
                    "toolCallId": call_id,
                }
                run.artifacts.append(artifact)
                artifacts.append(artifact)
                run.media_context.setdefault(key, []).append(url)
            media_urls = [
                {"url": u, "mediaType": outcome.media_type, "toolName": name} for u in outcome.urls
            ]
            await progress({"progress": 1, "status": "completed", "mediaUrls": media_urls})
            await self.emit(run, "media_context_updated", {"mediaContext": run.media_context})
        status = "ok" if outcome.ok else ("cancelled" if outcome.error == _DECLINED else "err")
        resolved: dict[str, Any] = {"toolCallId": call_id, "toolName": name, "status": status}
        if artifacts:
            resolved["artifacts"] = artifacts
        if outcome.error is not None:
            resolved["error"] = outcome.error
        await self.emit(run, "tool_call_resolved", resolved)
        result: dict[str, Any] = {
            "toolCallId": call_id,
            "status": status,
            "sequence": len(run.events) - 1,
        }
        if outcome.error is not None:
            result["summary"] = outcome.error
        run.tool_results.append(result)
        run.messages.append(
            {"role": "tool", "tool_call_id": call_id, "name": name, "content": outcome.content()}
        )
        return outcome

    # ------------------------------------------------------------------ cost approval

    async def _approve(self, run: RunRec, calls: list[dict[str, Any]]) -> str | None:
        config = run.body.get("runtime_config")
        if not isinstance(config, dict) or config.get("requireJobConfirmation") is not True:
            return None
        threshold = config.get("jobConfirmationThresholdUsd")
        limit = Decimal(str(threshold)) if isinstance(threshold, (int, float)) else Decimal(0)
        paid = []
        for call in calls:
            name = call["function"]["name"]
            if self.executor.is_paid(name):
                usd = self.executor.estimate_usd(run.account, name, _arguments(call))
                if usd > limit:
                    paid.append((call["id"], name, math.ceil(usd * 1000)))  # [INV-CAPACITY-UNITS]
        if not paid:
            return None
        ttl = self.fake.cost_preview_ttl  # [INV-COST-PREVIEW]
        preview = {
            "totalEstimatedCapacityUnits": sum(units for _, _, units in paid),
            "tokenType": run.body.get("token_type") or "spark",
            "validityUntil": iso(time.time() + ttl),
            "perToolBreakdown": [
                {"toolCallId": i, "toolName": n, "capacityUnits": u} for i, n, u in paid
            ],
        }
        run.preview, run.preview_expires = preview, time.time() + ttl
        run.billing_previews.append(preview)
        await self.emit(run, "billing_preview_updated", {"billingPreview": preview})
        pending = [call_id for call_id, _, _ in paid]
        await self.emit(
            run,
            "run_awaiting_cost_confirmation",
            {"toolCallId": pending[0], "toolName": paid[0][1], "pendingToolCallIds": pending},
        )
        run.status = "waiting_for_user"
        run.waiting = {
            "reason": "cost_approval_required",
            "message": "Approve the estimated cost of the paid tools to continue.",
            "details": {
                "toolCallId": pending[0],
                "pendingToolCallIds": pending,
                "costApprovalPreview": preview,
            },
        }
        run.decision = asyncio.get_running_loop().create_future()
        await self.emit(run, "run_waiting_for_user", dict(run.waiting))
        decision = await run.decision
        return decision

    def resolve(self, run: RunRec, tool_call_id: str, decision: str, body: dict[str, Any]) -> None:
        """Apply a confirm-cost decision (already checked by the route)."""
        run.preview = None
        run.waiting = None
        run.status = "running"
        resolved: dict[str, Any] = {"toolCallId": tool_call_id, "decision": decision}
        if isinstance(body.get("overrides"), dict):
            resolved["overrides"] = body["overrides"]
        self.append(run, "run_cost_confirmation_resolved", resolved)
        reason = "cost_confirmed" if decision == "confirm" else "cost_declined"
        self.append(run, "run_resumed", {"reason": reason})
        if run.decision is not None and not run.decision.done():
            run.decision.set_result(decision)

    # ------------------------------------------------------------------ the end

    def finish(self, run: RunRec, status: str, event: str, payload: dict[str, Any]) -> None:
        if run.finished:
            return
        run.status = status
        run.waiting = None
        run.completed_at = iso()
        if status == "failed":
            run.failure_reason = payload.get("reason")
        self.append(run, event, payload)

    def cancel(self, run: RunRec, reason: str | None) -> None:
        if run.task is not None and not run.task.done():
            run.task.cancel()  # stops (and refunds) the project of a tool in flight
        if run.decision is not None and not run.decision.done():
            run.decision.cancel()
        run.cancellation_reason = reason or "Cancelled by the user"
        run.final_response = {**(run.final_response or {}), "finishReason": "cancelled"}
        self.finish(run, "cancelled", "run_cancelled", {"reason": run.cancellation_reason})

    def _bill(self, run: RunRec, prompt: int, completion: int) -> None:
        token_type = run.body.get("token_type") or "sogni"
        run.account.ledger(token_type).debit += cost(prompt, completion)[token_type]


_DECLINED = "declined: the user did not approve its cost"


def _arguments(call: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(call["function"]["arguments"] or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
