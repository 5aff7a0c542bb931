"""Socket chat through the official client: one or two rounds. With ``toolResult``, a reply that
calls tools gets a ``tool`` message per call and a second round."""

from __future__ import annotations

from typing import Any

from _harness import ARGS, create_client, run


async def complete(sogni: Any, params: dict[str, Any]) -> dict[str, Any]:
    reply = await sogni.chat.completions.create(params)
    if not params.get("stream"):
        return {
            "chunks": None,
            "content": reply["content"],
            "finishReason": reply["finishReason"],
            "toolCalls": reply.get("tool_calls") or [],
        }
    chunks = [chunk.get("content") or "" async for chunk in reply]
    result = reply.final_result
    return {
        "chunks": chunks,
        "content": result["content"],
        "finishReason": result["finishReason"],
        "toolCalls": result.get("tool_calls") or [],
    }


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        params = ARGS["params"]
        rounds = [await complete(sogni, params)]
        calls = rounds[0]["toolCalls"]
        if ARGS.get("toolResult") and calls:
            messages = [
                *params["messages"],
                {"role": "assistant", "content": rounds[0]["content"] or None, "tool_calls": calls},
                *(
                    {"role": "tool", "tool_call_id": call["id"], "content": ARGS["toolResult"]}
                    for call in calls
                ),
            ]
            rounds.append(await complete(sogni, {**params, "messages": messages}))
        return {"rounds": rounds}


run(main)
