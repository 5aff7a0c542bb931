"""Tool calling: let the model call your Python functions, then answer with their results.

``chat.tools.run`` sends the request, runs every tool the model asks for, feeds the results
back as ``tool`` messages, and repeats (at most ``max_rounds`` times) until the model answers.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
"""

from __future__ import annotations

import datetime
from typing import Any

from sogni.testing import open_client

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather for a location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "City name"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["location"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "description": "Get the current time in a time zone (an IANA name)",
            "parameters": {
                "type": "object",
                "properties": {"timezone": {"type": "string"}},
                "required": ["timezone"],
            },
        },
    },
]


def get_weather(location: str, unit: str = "celsius") -> dict[str, Any]:
    # A real app would call a weather service here.
    temperature = 31 if unit == "celsius" else 88
    return {"location": location, "temperature": temperature, "unit": unit, "sky": "clear"}


def get_time(timezone: str) -> str:
    return f"{datetime.datetime.now(datetime.timezone.utc):%H:%M} UTC (asked for {timezone})"


def main() -> None:
    with open_client("sogni-chat-tools-example") as sogni:
        result = sogni.chat.tools.run(
            messages=[
                {"role": "user", "content": "What's the weather in Austin, TX? Use get_weather."}
            ],
            tools=TOOLS,
            functions=[get_weather, get_time],
            max_rounds=5,
            think=False,
        )
        for round_ in result.tool_history:
            for call, outcome in zip(round_.tool_calls, round_.results):
                print(f"round {round_.round}: {call.name}({call.arguments}) -> {outcome.content}")
        print(result.content)


if __name__ == "__main__":
    main()
