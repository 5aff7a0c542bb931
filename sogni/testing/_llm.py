"""The FakeSupernet LLM worker: socket chat jobs, the LLM model list, LLM cost estimates.

Speaks the LLM job protocol: ``llmJobRequest`` in; ``jobState`` (``pending``, ``queued``,
``assigned``, ``jobStarted``), ``jobTokens`` deltas and ``llmJobResult`` or ``llmJobError`` out;
``swarmLLMModels`` pushed on connect; ``GET /api/v1/job-llm/estimate/...`` on the socket host;
live jobs re-announced in ``authenticated.activeLLMJobIDs`` after a reconnect.

The deterministic LLM rule
--------------------------
Every reply is a pure function of the request, so tests can predict it:

1. A request that breaks the rules below is refused with ``llmJobError``
   ``{error: "invalid_request", error_message}`` (all problems, ``"; "``-joined); an unknown
   model with ``error: "model_unavailable"``; a request the account cannot pay for (its
   estimate at ``max_tokens``) with ``error: "insufficient_balance"``.
2. Thinking: with ``chat_template_kwargs.enable_thinking`` true the content opens with
   ``"<think>\\n" + reasoning + "\\n</think>\\n\\n"``; without it (or false) there is no think
   block [INV-LLM-THINK-DEFAULT].
3. Tools offered, ``tool_choice`` not ``"none"``, and the last message is the user's: the model
   calls tools instead of answering (``finishReason: "tool_calls"``). It calls the function
   ``tool_choice`` names; otherwise every offered tool whose name appears in the last user
   text, in the order offered; otherwise the first tool. Arguments are generated from the
   tool's ``parameters`` schema (rule 7) and streamed in pieces, interleaved across calls.

   a. A tool named like one of the 30 hosted Sogni tools gets a documented default argument
      set instead (``_llm_tools``): its required arguments and a few safe defaults (``prompt``
      = the user text, ``duration: 2`` for video, ``10`` for music, ``controlMode: "canny"``
      ...), never values the fake would refuse [INV-LLM-SOGNI-ARGS].
   b. ``#rounds=N`` in the last user message: the model keeps calling tools, one per round
      (the k-th of those it would call), until N tool rounds followed that message; from the
      second round on, the call names the previous round's first media output by its index
      (``referenceImageIndices: [0]``, ``videoSourceIndex``, ``audioSourceIndex`` ...)
      [INV-LLM-ROUNDS].
4. After tool results (the last message is a ``tool`` message), the answer is text:
   ``"The tools returned: <name>: <content>; ..."`` over the trailing tool messages (``<name>``:
   the message's ``name``, else the function its ``tool_call_id`` called, else that id).
5. ``response_format``: ``json_schema`` → a JSON document generated from the schema (rule 7);
   ``json_object`` → ``{"reply": <the rule 6 text>}``.
6. Otherwise: ``'You said: "<last user text>".'``, then ``" I see N image(s): WxH PNG, ..."``
   when the last user message has images, then ``" This is turn T of our conversation."``
   (T = the number of user messages).
7. Schema values (``_schema_values``): ``const``, else the first ``enum`` value (the i-th for
   the i-th array item); objects get every property; arrays get ``minItems`` items, else 2
   (within ``maxItems``); strings are ``"sample <name>"`` fitted to ``minLength``/
   ``maxLength``, or a value of the ``format`` (date, date-time, email, uri, uuid, ...), or a
   match of ``pattern`` (an alternation takes the i-th branch for the i-th array item);
   numbers respect ``minimum``/``maximum`` (exclusive too) and ``multipleOf``; ``$ref`` to
   ``$defs``/``definitions``, ``allOf`` (merged), ``anyOf``/``oneOf`` (first non-null branch)
   and type lists (first non-null type) are followed.
8. ``stop`` cuts the text before the first stop string (``finishReason: "stop"``);
   ``max_tokens`` keeps that many text tokens (``finishReason: "length"``).

Tokens are whitespace-delimited words. With ``stream: true`` each ``jobTokens`` frame carries one
word (the first also ``role: "assistant"``), at ``llm_tokens_per_second`` simulated speed,
and a last frame has ``finishReason`` and ``usage``; without it one frame carries everything
[INV-LLM-NONSTREAM]. ``usage.prompt_tokens`` is the clients' estimate formula
(``ceil(len(JSON) / 4)``).

Invented behaviours (tagged in the code): [INV-LLM-THINK-DEFAULT], [INV-LLM-NONSTREAM],
[INV-LLM-INVALID] (validation messages, refused before any ``jobState``),
[INV-LLM-VISION] (remote image URLs refused; images over 1024 px, 10 MiB, or not PNG/JPEG
refused), [INV-LLM-PRICE] (prices), [INV-LLM-BILLING] (debit on completion, balance pushed),
[INV-LLM-REBIND] (a job whose artist is away waits, nothing lost, for ``llm_rebind_grace``
seconds), [INV-LLM-RESTART] (a restart drops every LLM job), [INV-LLM-MODELS] (the model list),
[INV-LLM-ESTIMATE] (estimate errors), [INV-LLM-CANCEL] (``llmJobCancel`` ends a job silently),
[INV-LLM-SOGNI-TOOLS] (``sogni_tools``/``sogni_tool_execution`` accepted and ignored),
[INV-LLM-SOGNI-ARGS], [INV-LLM-ROUNDS].
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._llm_checks import request_problems
from ._llm_reply import cost, max_output, money, plan_reply, prompt_tokens, token_frames
from ._server import ApiError, FakeServer, Session, raw

log = logging.getLogger("sogni.testing")

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["DEFAULT_LLM_MODELS", "LLMService", "install"]

_QWEN = "qwen3.6-35b-a3b-gguf-iq4xs"
# [INV-LLM-MODELS] One full model (the SDK reference's default) and one legacy numeric entry.
DEFAULT_LLM_MODELS: dict[str, Any] = {
    _QWEN: {
        "workers": 4,
        "maxContextLength": 262144,
        "maxOutputTokens": {
            "min": 1,
            "max": 32768,
            "default": 8192,
            "thinkingComplexDefault": 16384,
        },
        "temperature": {"min": 0, "max": 2, "decimals": 2, "default": 0.7},
        "top_p": {"min": 0, "max": 1, "decimals": 2, "default": 0.8},
        "top_k": {"min": 1, "max": 100, "default": 20},
        "min_p": {"min": 0, "max": 1, "decimals": 2, "default": 0},
        "presence_penalty": {"min": -2, "max": 2, "decimals": 2, "default": 1.5},
        "frequency_penalty": {"min": -2, "max": 2, "decimals": 2, "default": 0},
        "repetition_penalty": {"min": 0.5, "max": 2, "decimals": 2, "default": 1},
        "defaultsThinking": {
            "temperature": 1.0,
            "top_p": 0.95,
            "top_k": 20,
            "min_p": 0,
            "presence_penalty": 1.5,
        },
        "defaultsThinkingCoding": {
            "temperature": 0.6,
            "top_p": 0.95,
            "top_k": 20,
            "min_p": 0,
            "presence_penalty": 0,
        },
        "defaultsNonThinking": {
            "temperature": 0.7,
            "top_p": 0.8,
            "top_k": 20,
            "min_p": 0,
            "presence_penalty": 1.5,
        },
        "defaultsNonThinkingReasoning": {
            "temperature": 1.0,
            "top_p": 1.0,
            "top_k": 40,
            "min_p": 0,
            "presence_penalty": 2.0,
        },
    },
    "qwen3-8b-gguf-q4km": 2,
}


def install(fake: FakeSupernet, server: FakeServer) -> None:
    service = LLMService(fake, server)
    fake._llm = service
    if not fake.llm_models:
        fake.llm_models = json.loads(json.dumps(DEFAULT_LLM_MODELS))
    server.frame_handlers["llmJobRequest"] = service.on_request
    server.frame_handlers["llmJobCancel"] = service.on_cancel
    server.authenticated_extras.append(service.announce)
    server.connect_hooks.append(service.on_connect)
    fake._disconnect_hooks.append(service.on_disconnect)
    server.socket_route(
        "GET",
        "/api/v1/job-llm/estimate/{token_type}/{model}/{input_tokens}/{output_tokens}",
        service.estimate,
    )
    server.api_route("GET", "/_fake/vision/{name}", service.vision_image)


class _Job:
    def __init__(self, job_id: str, account: FakeAccount, app_id: str, request: dict[str, Any]):
        self.id = job_id
        self.account = account
        self.app_id = app_id
        self.request = request
        self.tokens_sent = 0
        self.held = False
        self.ended = False
        self.task: asyncio.Future[Any] | None = None


class LLMService:
    """Server-side state of the LLM worker (lives on the fake's event loop)."""

    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        self.fake = fake
        self.server = server
        self.jobs: dict[str, _Job] = {}
        self.hold_after: int | None = None
        self.announce_jobs = True
        self.media: dict[str, tuple[bytes, str, str | None]] = {}
        self._changed = asyncio.Event()
        self._workers = itertools.count(17)

    # ------------------------------------------------------------------ control

    def _poke(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _next_change(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    async def _until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await self._next_change(remaining)
        return True

    def set_hold(self, after_tokens: int | None) -> None:
        self.hold_after = after_tokens
        self._poke()

    async def wait_held(self, timeout: float) -> list[str]:
        if not await self._until(lambda: any(j.held for j in self.jobs.values()), timeout):
            raise TimeoutError(f"no LLM job was held within {timeout}s")
        return [j.id for j in self.jobs.values() if j.held]

    def forget(self) -> int:
        jobs = list(self.jobs.values())
        for job in jobs:
            self._end(job)
        return len(jobs)

    def snapshot(self) -> list[dict[str, Any]]:
        return [
            {
                "job_id": j.id,
                "model": j.request.get("model"),
                "app_id": j.app_id,
                "tokens_sent": j.tokens_sent,
                "held": j.held,
            }
            for j in self.jobs.values()
        ]

    def _end(self, job: _Job) -> None:
        job.ended = True
        self.jobs.pop(job.id.upper(), None)
        task = job.task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
        self._poke()

    # ------------------------------------------------------------------ hooks

    def announce(self, session: Session) -> dict[str, Any]:
        if not self.announce_jobs:
            return {}
        live = [
            j.id
            for j in self.jobs.values()
            if j.account is session.account and j.app_id == session.app_id
        ]
        return {"activeLLMJobIDs": live}

    async def on_connect(self, session: Session) -> None:
        self._poke()  # detached jobs of this artist resume

    def on_disconnect(self, session: Session) -> None:
        refuse_until = self.server.refuse_until
        if refuse_until is not None and time.monotonic() < refuse_until:
            # [INV-LLM-RESTART] A platform release drops (and refunds) every LLM job.
            for job in list(self.jobs.values()):
                self._end(job)
        self._poke()

    async def on_cancel(self, session: Session, payload: Any) -> None:
        # [INV-LLM-CANCEL] Not in any released client; accepted, no reply.
        job_id = payload.get("jobID") if isinstance(payload, dict) else None
        job = self.jobs.get(str(job_id).upper()) if job_id else None
        if job is not None and job.account is session.account:
            self._end(job)

    # ------------------------------------------------------------------ requests

    async def on_request(self, session: Session, payload: Any) -> None:
        job_id = payload.get("jobID") if isinstance(payload, dict) else None
        if not isinstance(job_id, str) or not job_id:
            return  # nothing to answer to
        if job_id.upper() in self.jobs:
            await self._refuse(session, job_id, "invalid_request", "Duplicate jobID")
            return
        models = self.fake.llm_models
        model = payload.get("model")
        if not isinstance(model, str) or model not in models:
            await self._refuse(
                session, job_id, "model_unavailable", f"Model {model!r} is not available"
            )
            return
        info = models[model] if isinstance(models[model], dict) else {}
        problems = request_problems(payload, info)
        if problems:
            # [INV-LLM-INVALID] refused at once, before any jobState.
            await self._refuse(session, job_id, "invalid_request", "; ".join(problems))
            return
        token_type = payload.get("tokenType") or "sogni"
        budget = cost(prompt_tokens(payload["messages"]), max_output(payload, info))
        ledger = session.account.ledger(token_type)
        if ledger.net < budget[token_type]:
            name = "Spark" if token_type == "spark" else "SOGNI"
            await self._refuse(
                session,
                job_id,
                "insufficient_balance",
                f"Not enough {name} to run this request.",
            )
            return
        job = _Job(job_id, session.account, session.app_id, payload)
        self.jobs[job_id.upper()] = job
        job.task = asyncio.ensure_future(self._guarded_run(job, info, budget))

    async def _guarded_run(
        self, job: _Job, info: dict[str, Any], budget: dict[str, Decimal]
    ) -> None:
        try:
            await self._run(job, info, budget)
        except asyncio.CancelledError:
            pass
        except Exception:  # pragma: no cover - a bug in the fake must not kill the server
            log.exception("fake LLM job failed")
            self._end(job)

    async def _refuse(self, session: Session, job_id: str, error: str, message: str) -> None:
        await session.send(
            "llmJobError", {"jobID": job_id, "error": error, "error_message": message}
        )

    async def _run(self, job: _Job, info: dict[str, Any], budget: dict[str, Decimal]) -> None:
        request = job.request
        model = request["model"]
        token_type = request.get("tokenType") or "sogni"
        worker = f"fake-llm-worker-{next(self._workers)}"
        estimated = money(budget[token_type])
        plan = plan_reply(request)
        frames = token_frames(job.id, plan, streaming=request.get("stream") is True)
        steps: list[tuple[float, str, dict[str, Any]]] = [
            (
                0.0,
                "jobState",
                {"jobID": job.id, "type": "pending", "modelId": model, "estimatedCost": estimated},
            ),
            (
                0.05,
                "jobState",
                {
                    "jobID": job.id,
                    "type": "queued",
                    "queuePosition": 0,
                    "modelId": model,
                    "estimatedCost": estimated,
                },
            ),
            (0.1, "jobState", {"jobID": job.id, "type": "assigned", "workerName": worker}),
            (0.1, "jobState", {"jobID": job.id, "type": "jobStarted", "workerName": worker}),
        ]
        per_token = 1.0 / self.fake.llm_tokens_per_second
        steps += [(per_token, "jobTokens", frame) for frame in frames]
        for delay, frame_type, frame in steps:
            await self.fake.sleep(delay)
            if frame_type == "jobTokens":
                await self._hold_point(job)
            if not await self._deliver(job, frame_type, frame):
                return
            if frame_type == "jobTokens":
                job.tokens_sent += 1
        charge = cost(plan.prompt_tokens, plan.completion_tokens)
        ledger = job.account.ledger(token_type)
        ledger.debit += charge[token_type]  # [INV-LLM-BILLING]
        self.fake.ledger_log.record(job.account, token_type, "charge", charge[token_type], job.id)
        usage = plan.usage()
        result = {
            "jobID": job.id,
            "usage": usage,
            "timeTaken": round(0.25 + len(frames) * per_token, 3),
            "workerName": worker,
            "cost": {
                "costInUSD": money(charge["usd"]),
                "costInToken": money(charge[token_type]),
                "costInSogni": money(charge["sogni"]),
                "costInSpark": money(charge["spark"]),
                "inputTokens": plan.prompt_tokens,
                "outputTokens": plan.completion_tokens,
            },
        }
        if await self._deliver(job, "llmJobResult", result):
            self._end(job)
            await self.server.broadcast_balance(job.account)

    async def _hold_point(self, job: _Job) -> None:
        while self.hold_after is not None and job.tokens_sent >= self.hold_after:
            job.held = True
            self._poke()
            await self._until(
                lambda: self.hold_after is None or job.tokens_sent < self.hold_after, 3600
            )
        job.held = False

    async def _deliver(self, job: _Job, frame_type: str, payload: dict[str, Any]) -> bool:
        """Send to the artist's live connection; while it is away, wait for it to come back
        for ``llm_rebind_grace`` seconds [INV-LLM-REBIND]. False when the job is gone."""
        away_since: float | None = None
        while not job.ended:
            for session in self.server.sessions_for(job.account, job.app_id):
                if session.authenticated and await session.send(frame_type, payload):
                    return True
            now = time.monotonic()
            away_since = now if away_since is None else away_since
            remaining = away_since + self.fake.llm_rebind_grace - now
            if remaining <= 0:
                self._end(job)
                return False
            await self._next_change(remaining)
        return False

    # ------------------------------------------------------------------ REST

    async def estimate(self, request: web.Request) -> web.Response:
        self.server.require_account(request)
        token_type = request.match_info["token_type"]
        model = request.match_info["model"]
        # [INV-LLM-ESTIMATE] plain-text errors, as the socket host answers.
        if token_type not in ("sogni", "spark"):
            raise ApiError(400, f"Invalid token type {token_type!r}")
        if model not in self.fake.llm_models:
            raise ApiError(404, f"Model {model!r} not found")
        try:
            input_tokens = int(request.match_info["input_tokens"])
            output_tokens = int(request.match_info["output_tokens"])
        except ValueError:
            raise ApiError(400, "Token counts must be integers") from None
        if input_tokens < 0 or output_tokens < 1:
            raise ApiError(400, "Token counts out of range")
        quote = cost(input_tokens, output_tokens)
        return raw(
            {
                "request": {
                    "model": model,
                    "inputTokens": input_tokens,
                    "maxOutputTokens": output_tokens,
                    "tokenType": token_type,
                    "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                },
                "quote": {
                    "costInUSD": float(quote["usd"]),
                    "costInSogni": float(quote["sogni"]),
                    "costInSpark": float(quote["spark"]),
                    "costInToken": float(quote[token_type]),
                    "inputTokens": input_tokens,
                    "outputTokens": output_tokens,
                },
            }
        )

    async def vision_image(self, request: web.Request) -> web.StreamResponse:
        entry = self.media.get(request.match_info["name"])
        if entry is None:
            raise web.HTTPNotFound()
        data, content_type, redirect_to = entry
        if redirect_to:
            raise web.HTTPFound(redirect_to)
        return web.Response(body=data, content_type=content_type)
