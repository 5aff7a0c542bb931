"""Sogni platform tools through the official client: ``chat.tools.execute`` for each call in
``calls``, then one ``autoExecuteTools`` completion per entry of ``auto`` (its ``toolNames``
pick the tool definitions from ``SogniTools.all``). Reports every result and the tool history."""

from __future__ import annotations

from typing import Any

from _harness import ARGS, create_client, run
from sogni_client import SogniTools


def summary(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "toolCallId": result.get("toolCallId"),
        "toolName": result.get("toolName"),
        "success": result.get("success"),
        "resultUrls": result.get("resultUrls"),
        "content": result.get("content"),
        "error": result.get("error"),
    }


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        executed = []
        for call in ARGS.get("calls") or []:
            progress: list[str] = []
            result = await sogni.chat.tools.execute(
                call, {"onProgress": lambda update, seen=progress: seen.append(update["status"])}
            )
            executed.append({**summary(result), "progress": progress})
        auto = []
        for entry in ARGS.get("auto") or []:
            params = {k: v for k, v in entry.items() if k != "toolNames"}
            tools = [t for t in SogniTools.all if t["function"]["name"] in entry["toolNames"]]
            reply = await sogni.chat.completions.create(
                {**params, "tools": tools, "autoExecuteTools": True}
            )
            auto.append(
                {
                    "content": reply["content"],
                    "finishReason": reply["finishReason"],
                    "toolHistory": [
                        {
                            "round": item["round"],
                            "calls": [
                                {
                                    "name": c["function"]["name"],
                                    "arguments": c["function"]["arguments"],
                                }
                                for c in item["toolCalls"]
                            ],
                            "results": [summary(r) for r in item["toolResults"]],
                        }
                        for item in reply.get("toolHistory") or []
                    ],
                }
            )
        return {"executed": executed, "auto": auto}


run(main)
