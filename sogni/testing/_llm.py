"""The FakeSupernet LLM worker: socket chat jobs, the LLM model list, LLM cost estimates.

Speaks protocol/04 §2 and §7: ``llmJobRequest`` in; ``jobState`` (``pending``, ``queued``,
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
4. After tool results (the last message is a ``tool`` message), the answer is text:
   ``"The tools returned: <name>: <content>; ..."`` over the trailing tool messages (``<name>``:
   the message's ``name``, else the function its ``tool_call_id`` called, else that id).
5. ``response_format``: ``json_schema`` → a JSON document generated from the schema (rule 7);
   ``json_object`` → ``{"reply": <the rule 6 text>}``.
6. Otherwise: ``'You said: "<last user text>".'``, then ``" I see N image(s): WxH PNG, ..."``
   when the last user message has images, then ``" This is turn T of our conversation."``
   (T = the number of user messages).
7. Schema values: ``const``, else the first ``enum`` value (the i-th for the i-th array item);
   objects get every property; arrays get ``minItems`` items, else 2 (within ``maxItems``);
   strings are ``"sample <name>"`` fitted to ``minLength``/``maxLength``, or a value of the
   ``format`` (date, date-time, email, uri, uuid, ...), or a match of ``pattern``; numbers
   respect ``minimum``/``maximum`` (exclusive too) and ``multipleOf``; ``$ref`` to
   ``$defs``/``definitions``, ``allOf`` (merged), ``anyOf``/``oneOf`` (first non-null branch)
   and type lists (first non-null type) are followed.
8. ``stop`` cuts the text before the first stop string (``finishReason: "stop"``);
   ``max_tokens`` keeps that many text tokens (``finishReason: "length"``).

Tokens are whitespace-delimited words. With ``stream: true`` each ``jobTokens`` frame carries one
word (the first also ``role: "assistant"``), at ``llm_tokens_per_second`` simulated speed,
and a last frame has ``finishReason`` and ``usage``; without it one frame carries everything
[INV-LLM-NONSTREAM]. ``usage.prompt_tokens`` is the estimate formula of protocol/04 §7.2.

Invented behaviours (tagged in the code): [INV-LLM-THINK-DEFAULT], [INV-LLM-NONSTREAM],
[INV-LLM-INVALID] (validation messages, refused before any ``jobState``),
[INV-LLM-VISION] (remote image URLs refused; images over 1024 px, 10 MiB, or not PNG/JPEG
refused), [INV-LLM-PRICE] (prices), [INV-LLM-BILLING] (debit on completion, balance pushed),
[INV-LLM-REBIND] (a job whose artist is away waits, nothing lost, for ``llm_rebind_grace``
seconds), [INV-LLM-RESTART] (a restart drops every LLM job), [INV-LLM-MODELS] (the model list),
[INV-LLM-ESTIMATE] (estimate errors), [INV-LLM-CANCEL] (``llmJobCancel`` ends a job silently).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import itertools
import json
import logging
import math
import re
import sys
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._server import ApiError, FakeServer, Session, raw

log = logging.getLogger("sogni.testing")

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["DEFAULT_LLM_MODELS", "LLMService", "generate_from_schema", "install"]

_QWEN = "qwen3.6-35b-a3b-gguf-iq4xs"
_RANGE_KEYS = {
    "max_tokens": "maxOutputTokens",
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "min_p": "min_p",
    "repetition_penalty": "repetition_penalty",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}

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

# [INV-LLM-PRICE] USD per million tokens, and token prices in USD.
_USD_PER_M_INPUT = Decimal("0.30")
_USD_PER_M_OUTPUT = Decimal("1.20")
_SPARK_PER_USD = Decimal(100)
_SOGNI_PER_USD = Decimal(800)
_FALLBACK_MAX_OUTPUT = 4096

_ROLES = ("system", "user", "assistant", "tool")
_MAX_IMAGES = 20
_MAX_IMAGE_BYTES = 10 * 1024 * 1024
_MAX_SIDE = 1024
_DATA_URI = re.compile(r"^data:([^;,]+);base64,(.*)$", re.IGNORECASE | re.DOTALL)
_WORDS = re.compile(r"\S+\s*|\s+")

if sys.version_info >= (3, 11):
    from re import _parser as _sre  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_parse as _sre
_ARG_PIECE = 12  # characters of tool-call arguments per streamed delta


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
        # [INV-LLM-CANCEL] Not in any released client (protocol/04 §2.10); accepted, no reply.
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
        problems = _request_problems(payload, info)
        if problems:
            # [INV-LLM-INVALID] refused at once, before any jobState.
            await self._refuse(session, job_id, "invalid_request", "; ".join(problems))
            return
        token_type = payload.get("tokenType") or "sogni"
        budget = _cost(_prompt_tokens(payload["messages"]), _max_output(payload, info))
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
        estimated = _money(budget[token_type])
        plan = _plan(request)
        frames = _token_frames(job.id, plan, streaming=request.get("stream") is True)
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
        cost = _cost(plan.prompt_tokens, plan.completion_tokens)
        ledger = job.account.ledger(token_type)
        ledger.debit += cost[token_type]  # [INV-LLM-BILLING]
        usage = plan.usage()
        result = {
            "jobID": job.id,
            "usage": usage,
            "timeTaken": round(0.25 + len(frames) * per_token, 3),
            "workerName": worker,
            "cost": {
                "costInUSD": _money(cost["usd"]),
                "costInToken": _money(cost[token_type]),
                "costInSogni": _money(cost["sogni"]),
                "costInSpark": _money(cost["spark"]),
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
        cost = _cost(input_tokens, output_tokens)
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
                    "costInUSD": float(cost["usd"]),
                    "costInSogni": float(cost["sogni"]),
                    "costInSpark": float(cost["spark"]),
                    "costInToken": float(cost[token_type]),
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


# --------------------------------------------------------------------------- validation


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _request_problems(payload: dict[str, Any], info: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if payload.get("type") != "llm":
        problems.append("type must be 'llm'")
    _message_problems(payload.get("messages"), problems)
    for key, limit_key in _RANGE_KEYS.items():
        if key not in payload:
            continue
        value = payload[key]
        integer = key in ("max_tokens", "top_k")
        if not _number(value) or (integer and not isinstance(value, int)):
            problems.append(f"{key} must be {'an integer' if integer else 'a number'}")
            continue
        limits: Any = info.get(limit_key) if isinstance(info.get(limit_key), dict) else {}
        low, high = limits.get("min"), limits.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(f"{key} must be between {low} and {high}")
    stop = payload.get("stop")
    if "stop" in payload and not (
        isinstance(stop, str)
        or (isinstance(stop, list) and stop and all(isinstance(s, str) for s in stop))
    ):
        problems.append("stop must be a string or a list of strings")
    names = _tool_problems(payload, problems)
    _tool_choice_problems(payload, names, problems)
    _format_problems(payload.get("response_format"), problems)
    for key, allowed in (
        ("tokenType", ("sogni", "spark")),
        ("billingMode", ("auto", "subscription", "tokens")),
        ("taskProfile", ("general", "coding", "reasoning")),
    ):
        if key in payload and payload[key] not in allowed:
            problems.append(f"{key} must be one of {', '.join(allowed)}")
    for key in ("stream", "safeContentFilter"):
        if key in payload and not isinstance(payload[key], bool):
            problems.append(f"{key} must be a boolean")
    kwargs = payload.get("chat_template_kwargs")
    if "chat_template_kwargs" in payload and not isinstance(kwargs, dict):
        problems.append("chat_template_kwargs must be an object")
    return problems


def _message_problems(messages: Any, problems: list[str]) -> None:
    if not isinstance(messages, list) or not messages:
        problems.append("messages must be a non-empty array")
        return
    images = 0
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            problems.append(f"messages[{i}] needs a role of system, user, assistant or tool")
            continue
        content = message.get("content")
        if message["role"] == "tool" and not isinstance(message.get("tool_call_id"), str):
            problems.append(f"messages[{i}].tool_call_id is required")
        if content is None or isinstance(content, str):
            if content is None and message["role"] != "assistant":
                problems.append(f"messages[{i}].content is required")
            continue
        if not isinstance(content, list):
            problems.append(f"messages[{i}].content must be a string or an array")
            continue
        for j, part in enumerate(content):
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text" and isinstance(part.get("text"), str):
                continue
            if kind != "image_url":
                problems.append(f"messages[{i}].content[{j}] is not a text or image_url part")
                continue
            images += 1
            url = (part.get("image_url") or {}).get("url")
            problem = _image_problem(url)
            if problem:
                problems.append(f"messages[{i}].content[{j}]: {problem}")
    if images > _MAX_IMAGES:
        problems.append(f"at most {_MAX_IMAGES} images are allowed per request")


def _image_problem(url: Any) -> str | None:
    """[INV-LLM-VISION] The fake holds images to the limits the strict client enforces."""
    info = _image_info(url)
    return info if isinstance(info, str) else None


def _image_info(url: Any) -> tuple[int, int, str] | str:
    if not isinstance(url, str):
        return "image_url.url must be a string"
    match = _DATA_URI.match(url.strip())
    if not match:
        return "only inline base64 data URIs are accepted for images"
    body = re.sub(r"\s+", "", match.group(2))
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return "the image is not valid base64"
    if len(data) > _MAX_IMAGE_BYTES:
        return "the image exceeds 10MB"
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, Image.DecompressionBombError):  # UnidentifiedImageError is an OSError
        return "the image cannot be decoded"
    if kind not in ("PNG", "JPEG"):
        return "only PNG and JPEG images are supported"
    if max(width, height) > _MAX_SIDE:
        return f"the image exceeds {_MAX_SIDE}px on its longest side"
    return width, height, kind


def _tool_problems(payload: dict[str, Any], problems: list[str]) -> list[str]:
    tools = payload.get("tools")
    if "tools" not in payload:
        return []
    if not isinstance(tools, list):
        problems.append("tools must be an array")
        return []
    names: list[str] = []
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not (isinstance(tool, dict) and tool.get("type") == "function"):
            problems.append(f"tools[{i}].type must be 'function'")
        elif not isinstance(function, dict) or not isinstance(function.get("name"), str):
            problems.append(f"tools[{i}].function.name is required")
        else:
            names.append(function["name"])
            if "parameters" in function and not isinstance(function["parameters"], dict):
                problems.append(f"tools[{i}].function.parameters must be an object")
    return names


def _tool_choice_problems(payload: dict[str, Any], names: list[str], problems: list[str]) -> None:
    if "tool_choice" not in payload:
        return
    choice = payload["tool_choice"]
    if choice in ("auto", "none", "required"):
        return
    function = choice.get("function") if isinstance(choice, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or choice.get("type") != "function":
        problems.append("tool_choice must be auto, none, required or a function choice")
    elif name not in names:
        problems.append(f"tool_choice names an unknown tool {name!r}")


def _format_problems(value: Any, problems: list[str]) -> None:
    if value is None:
        return
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        problems.append("response_format.type must be text, json_object or json_schema")
    elif kind == "json_schema":
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            problems.append("response_format.json_schema.schema must be an object")


# --------------------------------------------------------------------------- the reply


class _Plan:
    """What the model will say: content (with any think block), tool calls, usage."""

    def __init__(
        self,
        content: str,
        tool_calls: list[dict[str, Any]],
        finish_reason: str,
        prompt_tokens: int,
    ) -> None:
        self.content = content
        self.tool_calls = tool_calls
        self.finish_reason = finish_reason
        self.prompt_tokens = prompt_tokens
        self.words = _WORDS.findall(content)
        self.arg_pieces = sum(_pieces(c["function"]["arguments"]) for c in tool_calls)
        self.completion_tokens = len(self.words) + self.arg_pieces

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


def _plan(request: dict[str, Any]) -> _Plan:
    messages: list[dict[str, Any]] = request["messages"]
    text, images = _last_user(messages)
    tools = [t["function"] for t in request.get("tools") or []]
    choice = request.get("tool_choice", "auto")
    response_format = request.get("response_format") or {}
    calls: list[dict[str, Any]] = []
    if tools and choice != "none" and messages[-1]["role"] == "user":
        chosen = _chosen_tools(tools, choice, text)
        calls = [
            {
                "id": "call_" + hashlib.sha256(f"{text}|{i}|{t['name']}".encode()).hexdigest()[:12],
                "type": "function",
                "function": {
                    "name": t["name"],
                    "arguments": json.dumps(
                        generate_from_schema(t.get("parameters") or {"type": "object"})
                    ),
                },
            }
            for i, t in enumerate(chosen)
        ]
        answer, mode = "", "with a tool call"
    elif messages[-1]["role"] == "tool":
        answer, mode = _tool_summary(messages), "from the tool results"
    elif response_format.get("type") == "json_schema":
        answer = json.dumps(generate_from_schema(response_format["json_schema"]["schema"]))
        mode = "as JSON"
    elif response_format.get("type") == "json_object":
        answer, mode = json.dumps({"reply": _reply(messages, text, images)}), "as JSON"
    else:
        answer, mode = _reply(messages, text, images), "in text"
    kwargs = request.get("chat_template_kwargs") or {}
    content = answer
    if kwargs.get("enable_thinking") is True:
        thought = f"The user wrote {len(text)} characters. I will answer {mode}."
        content = f"<think>\n{thought}\n</think>\n\n{answer}"
    finish = "tool_calls" if calls else "stop"
    content, finish = _apply_limits(content, finish, request)
    return _Plan(content, calls, finish, _prompt_tokens(messages))


def _apply_limits(content: str, finish: str, request: dict[str, Any]) -> tuple[str, str]:
    stops = request.get("stop")
    for stop in [stops] if isinstance(stops, str) else stops or []:
        at = content.find(stop) if stop else -1
        if at >= 0:
            content, finish = content[:at], "stop"
    max_tokens = request.get("max_tokens")
    words = _WORDS.findall(content)
    if isinstance(max_tokens, int) and len(words) > max_tokens:
        content, finish = "".join(words[:max_tokens]), "length"
    return content, finish


def _last_user(messages: list[dict[str, Any]]) -> tuple[str, list[tuple[int, int, str]]]:
    for message in reversed(messages):
        if message["role"] != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content, []
        texts, images = [], []
        for part in content or []:
            if part["type"] == "text":
                texts.append(part["text"])
            else:
                info = _image_info(part["image_url"]["url"])
                if not isinstance(info, str):
                    images.append(info)
        return " ".join(texts), images
    return "", []


def _chosen_tools(tools: list[dict[str, Any]], choice: Any, text: str) -> list[dict[str, Any]]:
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        return [t for t in tools if t["name"] == name][:1]
    named = [t for t in tools if t["name"] in text]
    return named or tools[:1]


def _tool_summary(messages: list[dict[str, Any]]) -> str:
    # A tool message names its call; the call's function name comes from the assistant turn.
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                names[str(call.get("id"))] = str(call["function"].get("name"))
    results: list[str] = []
    for message in reversed(messages):
        if message["role"] != "tool":
            break
        call_id = message["tool_call_id"]
        name = message.get("name") or names.get(str(call_id), call_id)
        results.append(f"{name}: {message['content']}")
    return "The tools returned: " + "; ".join(reversed(results))


def _reply(messages: list[dict[str, Any]], text: str, images: list[tuple[int, int, str]]) -> str:
    reply = f'You said: "{text}".'
    if images:
        seen = ", ".join(f"{w}x{h} {kind}" for w, h, kind in images)
        reply += f" I see {len(images)} image(s): {seen}."
    turn = sum(1 for m in messages if m["role"] == "user")
    return reply + f" This is turn {turn} of our conversation."


def _pieces(text: str) -> int:
    return max(1, math.ceil(len(text) / _ARG_PIECE))


def _token_frames(job_id: str, plan: _Plan, *, streaming: bool) -> list[dict[str, Any]]:
    usage = plan.usage()
    if not streaming:  # [INV-LLM-NONSTREAM] one frame with everything
        frame: dict[str, Any] = {
            "jobID": job_id,
            "content": plan.content,
            "role": "assistant",
            "finishReason": plan.finish_reason,
            "usage": usage,
        }
        if plan.tool_calls:
            frame["tool_calls"] = [{"index": i, **c} for i, c in enumerate(plan.tool_calls)]
        return [frame]
    frames: list[dict[str, Any]] = [{"jobID": job_id, "content": w} for w in plan.words]
    for i, call in enumerate(plan.tool_calls):
        first = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        frames.append({"jobID": job_id, "content": "", "tool_calls": [first]})
    pieces = [
        [args[k : k + _ARG_PIECE] for k in range(0, len(args), _ARG_PIECE)] or [""]
        for args in (c["function"]["arguments"] for c in plan.tool_calls)
    ]
    for step in range(max((len(p) for p in pieces), default=0)):
        for i, parts in enumerate(pieces):  # interleaved across calls, merged by index
            if step < len(parts):
                delta = {"index": i, "function": {"arguments": parts[step]}}
                frames.append({"jobID": job_id, "content": "", "tool_calls": [delta]})
    if frames:
        frames[0]["role"] = "assistant"
    frames.append(
        {"jobID": job_id, "content": "", "finishReason": plan.finish_reason, "usage": usage}
    )
    return frames


# --------------------------------------------------------------------------- tokens and money


def _prompt_tokens(messages: list[Any]) -> int:
    """protocol/04 §7.2: ceil(len(JSON text) / 4), images as "[image]", UTF-16 length."""
    stripped = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            parts = []
            for part in content:
                if isinstance(part, dict) and part.get("type") == "image_url":
                    image = {"url": "[image]"}
                    detail = (part.get("image_url") or {}).get("detail")
                    if detail:
                        image["detail"] = detail
                    part = {"type": "image_url", "image_url": image}
                parts.append(part)
            message = {**message, "content": parts}
        stripped.append(message)
    text = json.dumps(stripped, separators=(",", ":"), ensure_ascii=False)
    utf16_units = len(text.encode("utf-16-le")) // 2
    return math.ceil(utf16_units / 4)


def _max_output(request: dict[str, Any], info: dict[str, Any]) -> int:
    if isinstance(request.get("max_tokens"), int):
        return int(request["max_tokens"])
    limits: Any = info.get("maxOutputTokens")
    default = limits.get("default") if isinstance(limits, dict) else None
    return int(default or _FALLBACK_MAX_OUTPUT)


def _cost(input_tokens: int, output_tokens: int) -> dict[str, Decimal]:
    usd = (input_tokens * _USD_PER_M_INPUT + output_tokens * _USD_PER_M_OUTPUT) / 1_000_000
    return {"usd": usd, "spark": usd * _SPARK_PER_USD, "sogni": usd * _SOGNI_PER_USD}


def _money(value: Decimal) -> str:
    text = format(value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP).normalize(), "f")
    return text if value else "0"


# --------------------------------------------------------------------------- schema values


def generate_from_schema(schema: Any) -> Any:
    """A JSON value that validates against ``schema`` (rule 7 of the module docstring)."""
    return _Generator(schema).value(schema, "value", 0, 0)


class _Generator:
    def __init__(self, root: Any) -> None:
        self.root = root

    def value(self, schema: Any, name: str, variant: int, depth: int) -> Any:
        if depth > 32 or not isinstance(schema, dict):
            return f"sample {name}"
        schema = self.resolved(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][variant % len(schema["enum"])]
        for key in ("anyOf", "oneOf"):
            branches = [b for b in schema.get(key) or [] if isinstance(b, dict)]
            if branches:
                usable = [b for b in branches if self.resolved(b).get("type") != "null"]
                rest = {k: v for k, v in schema.items() if k != key}
                return self.value({**rest, **(usable or branches)[0]}, name, variant, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or ["null"]
            kind = kinds[0]
        if kind is None:
            kind = (
                "object" if "properties" in schema else "array" if "items" in schema else "string"
            )
        if kind == "object":
            return self.object(schema, variant, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind in ("integer", "number"):
            return _number_in(schema, integer=kind == "integer", variant=variant)
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "null":
            return None
        return _string_for(schema, name, variant)

    def resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < 32:
            target: Any = self.root
            for part in schema["$ref"].lstrip("#").strip("/").split("/"):
                if part:
                    target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**(target if isinstance(target, dict) else {}), **extra}
            seen += 1
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolved(part) if isinstance(part, dict) else {}
                for key, value in part.items():
                    if key == "properties":
                        merged["properties"] = {**merged.get("properties", {}), **value}
                    elif key == "required":
                        merged["required"] = [*merged.get("required", []), *value]
                    else:
                        merged.setdefault(key, value)
            schema = merged
        return schema

    def object(self, schema: dict[str, Any], variant: int, depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        out = {key: self.value(sub, key, variant, depth + 1) for key, sub in properties.items()}
        extra = schema.get("additionalProperties")
        for key in schema.get("required") or []:
            if key not in out:
                sub = extra if isinstance(extra, dict) else {"type": "string"}
                out[key] = self.value(sub, key, variant, depth + 1)
        return out

    def array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        prefix: Any = (
            schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        )
        items = schema.get("items")
        if isinstance(items, list):  # draft-04 tuple form
            prefix, items = items, schema.get("additionalItems")
        low = int(schema.get("minItems") or 0)
        high = schema.get("maxItems")
        count = max(low, len(prefix), 0 if high == 0 else min(2, high if high is not None else 2))
        if items is False or (items is None and prefix):
            count = len(prefix)
        out = []
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items if isinstance(items, dict) else {}
            out.append(self.value(sub, f"{name} {i + 1}", i, depth + 1))
        return out


def _number_in(schema: dict[str, Any], *, integer: bool, variant: int) -> int | float:
    low: Any = schema.get("minimum")
    high: Any = schema.get("maximum")
    exclusive_low: Any = schema.get("exclusiveMinimum")
    exclusive_high: Any = schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5
    if exclusive_low is True:  # draft-04 boolean form
        exclusive_low, low = low, None
    if exclusive_high is True:
        exclusive_high, high = high, None
    if _number(exclusive_low):
        low = exclusive_low + step if low is None else max(low, exclusive_low + step)
    if _number(exclusive_high):
        high = exclusive_high - step if high is None else min(high, exclusive_high - step)
    value: float = (low if low is not None else 1) + variant * step
    if high is not None and value > high:
        value = high if low is None or high >= low else low
    multiple: Any = schema.get("multipleOf")
    if _number(multiple) and multiple > 0:
        # Decimal keeps e.g. 10 * 0.1 an exact multiple for the validator's float check.
        factor = math.ceil(value / multiple)
        if high is not None and factor * multiple > high:
            factor = math.floor(high / multiple)
        value = float(Decimal(factor) * Decimal(str(multiple)))
    return math.ceil(value) if integer else value


_FORMATS = {
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "email": "someone@example.com",
    "uri": "https://example.com/sample",
    "url": "https://example.com/sample",
    "uuid": "8f3a1c2e-5b7d-4e11-9a0c-2d4b6f8e1a30",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.com",
}


def _string_for(schema: dict[str, Any], name: str, variant: int) -> str:
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        text = _regex_sample(pattern, variant)
        if text is not None:
            return text
    value = _FORMATS.get(schema.get("format") or "")
    if value is not None:
        return value
    text = f"sample {name}"
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _regex_sample(pattern: str, variant: int) -> str | None:
    """A string containing a match of ``pattern`` (a useful subset of regex syntax)."""
    try:
        parsed = _sre.parse(pattern)
        text = _emit(parsed, variant, {})
    except Exception:  # an unsupported construct (or an invalid pattern): no sample
        return None
    return text if re.search(pattern, text) else None


def _emit(items: Any, variant: int, groups: dict[int, str]) -> str:
    consts = _sre  # the parser module re-exports the opcode constants
    out: list[str] = []
    for op, arg in items:
        if op is consts.LITERAL:
            out.append(chr(arg))
        elif op is consts.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op is consts.ANY:
            out.append("x")
        elif op is consts.IN:
            out.append(_class_char(arg, consts))
        elif op is consts.BRANCH:
            out.append(_emit(arg[1][variant % len(arg[1])], variant, groups))
        elif op is consts.SUBPATTERN:
            group, *_, body = arg
            text = _emit(body, variant, groups)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op in (consts.MAX_REPEAT, consts.MIN_REPEAT) or op is getattr(
            consts, "POSSESSIVE_REPEAT", None
        ):
            low, high, body = arg
            count = max(low, 1) if high >= 1 else 0
            out.append("".join(_emit(body, variant, groups) for _ in range(count)))
        elif op is consts.GROUPREF:
            out.append(groups.get(arg, ""))
        elif op in (consts.AT, consts.ASSERT, consts.ASSERT_NOT):
            continue
        else:
            raise ValueError(f"unsupported regex construct {op}")
    return "".join(out)


def _class_char(items: Any, consts: Any) -> str:
    negated = bool(items) and items[0][0] is consts.NEGATE
    candidates = "aA0_ -.zZ9x"
    for ch in candidates:
        if _in_class(ch, items, consts) != negated:
            return ch
    for op, arg in items:
        if op is consts.LITERAL and not negated:
            return chr(arg)
        if op is consts.RANGE and not negated:
            return chr(arg[0])
    raise ValueError("no character fits the class")


def _in_class(ch: str, items: Any, consts: Any) -> bool:
    code = ord(ch)
    for op, arg in items:
        if op is consts.LITERAL and arg == code:
            return True
        if op is consts.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op is consts.CATEGORY:
            name = str(arg)
            if "DIGIT" in name:
                hit = ch.isdigit()
            elif "WORD" in name:
                hit = ch.isalnum() or ch == "_"
            elif "SPACE" in name:
                hit = ch.isspace()
            else:
                continue
            if hit != ("NOT" in name):
                return True
    return False
