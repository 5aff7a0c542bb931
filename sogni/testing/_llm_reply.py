"""What the fake LLM says: the deterministic reply (rules 2-8 of ``_llm``), its ``jobTokens``
frames, and what it costs."""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ._llm_checks import image_info
from ._llm_tools import (
    SOGNI_TOOL_NAMES,
    previous_output,
    rounds_wanted,
    sogni_arguments,
    tool_rounds_done,
)
from ._schema_values import generate_from_schema

__all__ = [
    "ReplyPlan",
    "cost",
    "max_output",
    "money",
    "plan_reply",
    "prompt_tokens",
    "token_frames",
]

# [INV-LLM-PRICE] USD per million tokens, and token prices in USD.
_USD_PER_M_INPUT = Decimal("0.30")
_USD_PER_M_OUTPUT = Decimal("1.20")
_SPARK_PER_USD = Decimal(100)
_SOGNI_PER_USD = Decimal(800)
_FALLBACK_MAX_OUTPUT = 4096
_WORDS = re.compile(r"\S+\s*|\s+")
_ARG_PIECE = 12  # characters of tool-call arguments per streamed delta


class ReplyPlan:
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


def plan_reply(request: dict[str, Any]) -> ReplyPlan:
    messages: list[dict[str, Any]] = request["messages"]
    text, images = _last_user(messages)
    tools = [t["function"] for t in request.get("tools") or []]
    choice = request.get("tool_choice", "auto")
    response_format = request.get("response_format") or {}
    calls: list[dict[str, Any]] = []
    rounds = rounds_wanted(text)
    done = tool_rounds_done(messages)
    last = messages[-1]["role"]
    # Rule 3b: with #rounds=N the model keeps calling tools until N rounds are done.
    more = rounds is not None and last == "tool" and done < rounds
    if tools and choice != "none" and (last == "user" or more):
        chosen = _chosen_tools(tools, choice, text)
        if rounds is not None:
            chosen = [chosen[done % len(chosen)]]
        reference = previous_output(messages) if more else None
        calls = [
            {
                "id": _call_id(text, done if more else 0, i, t["name"]),
                "type": "function",
                "function": {
                    "name": t["name"],
                    "arguments": json.dumps(_arguments(t, text, messages, reference)),
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
    return ReplyPlan(content, calls, finish, prompt_tokens(messages))


def _call_id(text: str, round_: int, i: int, name: str) -> str:
    key = f"{text}|{i}|{name}" if round_ == 0 else f"{text}|round {round_}|{i}|{name}"
    return "call_" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _arguments(
    tool: dict[str, Any],
    text: str,
    messages: list[dict[str, Any]],
    reference: tuple[str, int] | None,
) -> Any:
    schema = tool.get("parameters") or {"type": "object"}
    if tool["name"] in SOGNI_TOOL_NAMES:  # rule 3a
        return sogni_arguments(tool["name"], schema, text, messages, reference)
    return generate_from_schema(schema)


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
                info = image_info(part["image_url"]["url"])
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


def token_frames(job_id: str, plan: ReplyPlan, *, streaming: bool) -> list[dict[str, Any]]:
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


def prompt_tokens(messages: list[Any]) -> int:
    """The prompt-token estimate: ceil(len(JSON text) / 4), images as "[image]", UTF-16 length."""
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


def max_output(request: dict[str, Any], info: dict[str, Any]) -> int:
    if isinstance(request.get("max_tokens"), int):
        return int(request["max_tokens"])
    limits: Any = info.get("maxOutputTokens")
    default = limits.get("default") if isinstance(limits, dict) else None
    return int(default or _FALLBACK_MAX_OUTPUT)


def cost(input_tokens: int, output_tokens: int) -> dict[str, Decimal]:
    usd = (input_tokens * _USD_PER_M_INPUT + output_tokens * _USD_PER_M_OUTPUT) / 1_000_000
    return {"usd": usd, "spark": usd * _SPARK_PER_USD, "sogni": usd * _SOGNI_PER_USD}


def money(value: Decimal) -> str:
    text = format(value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP).normalize(), "f")
    return text if value else "0"
