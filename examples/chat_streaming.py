"""Streaming chat: print the answer as it arrives, the thinking apart from it.

Runs against the real Supernet when SOGNI_API_KEY is set, otherwise against an embedded
FakeSupernet (no network needed).
"""

from sogni.testing import open_client


def main() -> None:
    with open_client("sogni-chat-streaming-example") as sogni:
        # Closing the stream (leaving the with block) stops reading; the released protocol has
        # no way to cancel an LLM job, so a job abandoned early may still finish and be billed.
        with sogni.chat.completions.create(
            messages=[{"role": "user", "content": "Tell me a short story about a cat."}],
            stream=True,
            think=True,
        ) as stream:
            thinking = True
            print("(thinking) ", end="")
            for chunk in stream:
                if chunk.reasoning:
                    print(chunk.reasoning, end="", flush=True)
                if chunk.content:
                    if thinking:
                        print("\n\n", end="")
                        thinking = False
                    print(chunk.content, end="", flush=True)
        result = stream.final_result
        if result is not None:
            print(f"\n\n[{result.usage.completion_tokens} tokens, {result.finish_reason}]")


if __name__ == "__main__":
    main()
