"""Multi-turn chat: keep the history and send it with every turn.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
"""

from typing import Any

from sogni.testing import open_client

QUESTIONS = [
    "What is the Sogni Supernet?",
    "How does it compare to a centralised GPU cloud?",
    "Summarise our conversation in one line.",
]


def main() -> None:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are a concise assistant."}]
    with open_client("sogni-chat-multi-turn-example") as sogni:
        for question in QUESTIONS:
            messages.append({"role": "user", "content": question})
            reply = sogni.chat.completions.create(messages=messages, think=False)
            messages.append(reply.to_message())  # the answer joins the history
            print(f"> {question}\n{reply.content}\n")


if __name__ == "__main__":
    main()
