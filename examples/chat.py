"""Chat: one question, one answer (socket-native LLM chat).

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
"""

from sogni.testing import open_client


def main() -> None:
    with open_client("sogni-chat-example") as sogni:
        reply = sogni.chat.completions.create(
            messages=[
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Explain the Sogni Supernet in one sentence."},
            ],
            max_tokens=256,
            think=False,
            token_type="spark",
        )
        print(reply.content)
        print(
            f"[{reply.finish_reason}; {reply.usage.prompt_tokens} + "
            f"{reply.usage.completion_tokens} tokens in {reply.time_taken:.2f}s "
            f"on {reply.worker_name}; cost {reply.cost} Spark]"
        )


if __name__ == "__main__":
    main()
