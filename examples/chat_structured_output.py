"""Structured output: ask for JSON that follows a schema, and get it parsed.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
"""

import json

from sogni.testing import open_client

TODO_LIST = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "priority": {"type": "string", "enum": ["low", "medium", "high"]},
                },
                "required": ["title", "priority"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["items"],
    "additionalProperties": False,
}


def main() -> None:
    with open_client("sogni-chat-structured-example") as sogni:
        result = sogni.chat.completions.create(
            messages=[{"role": "user", "content": "Return a two-item todo list as JSON."}],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "todo_list", "strict": True, "schema": TODO_LIST},
            },
            think=False,
        )
        if result.parsed is None:
            raise SystemExit(f"The model did not answer with JSON: {result.content!r}")
        print(json.dumps(result.parsed, indent=2))
        for item in result.parsed["items"]:
            print(f"- [{item['priority']}] {item['title']}")


if __name__ == "__main__":
    main()
