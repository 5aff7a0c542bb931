"""Hosted chat through the official client: ``chat.hosted.create`` with the Sogni tools run by
the service (``sogni_tools``, ``sogni_tool_execution``), then ``chat.hosted.execute_tool`` of a
composition tool. Reports what each returned."""

from __future__ import annotations

from typing import Any

from _harness import ARGS, create_client, run


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        completion = await sogni.chat.hosted.create(
            {
                "model": ARGS["model"],
                "messages": [{"role": "user", "content": ARGS["prompt"]}],
                "sogni_tools": True,
                "sogni_tool_execution": True,
            }
        )
        tool = await sogni.chat.hosted.execute_tool(
            {
                "tool": "enhance_prompt",
                "arguments": {"prompt": ARGS["enhance"]},
                "tokenType": "auto",
            }
        )
        stream_error = None
        try:
            await sogni.chat.hosted.create({"model": ARGS["model"], "messages": [], "stream": True})
        except ValueError as error:
            stream_error = str(error)
        return {"completion": completion, "tool": tool, "streamError": stream_error}


run(main)
