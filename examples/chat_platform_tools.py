"""Make media by chatting: the model calls Sogni platform tools, the SDK runs them as projects.

``create(..., auto_execute_tools=True)`` runs the tool loop: it asks the model, runs each Sogni
tool call it makes (``generate_image``, ``generate_video``, ``generate_music`` ...) as a real
project, tells the model what came out, and repeats until the model answers in words. Media
made in one round can be named by index in the next one, so "make an image, then a video of it"
turns into an image project and then an image-to-video project that starts from that image.

Offline (no SOGNI_API_KEY) the embedded FakeSupernet plays the model; ``#rounds=2`` in the
message makes its deterministic LLM call one tool per round for two rounds, the second naming
the first round's image by index.
"""

from __future__ import annotations

import os

from sogni import ToolLoopError
from sogni.chat import SogniTools, ToolCall, ToolProgress
from sogni.testing import open_client


def show_progress(call: ToolCall, progress: ToolProgress) -> None:
    # Runs on the SDK's callback worker, one update at a time.
    if progress.status in ("queued", "completed", "failed"):
        print(f"  {call.name}: {progress.status} {progress.percent}%")


def main() -> None:
    offline = not os.environ.get("SOGNI_API_KEY", "").strip()
    request = "Paint a lighthouse on a cliff at dusk, then turn that picture into a short video."
    if offline:
        request = "#rounds=2 generate_image of a lighthouse at dusk, then generate_video of it"
    with open_client("sogni-chat-platform-tools-example") as sogni:
        try:
            reply = sogni.chat.completions.create(
                messages=[{"role": "user", "content": request}],
                tools=SogniTools.direct,  # the six tools this SDK runs as projects
                auto_execute_tools=True,
                max_tool_rounds=3,
                on_tool_progress=show_progress,
            )
        except ToolLoopError as error:
            # Media already made is never lost: every round is in the error.
            print("The model kept calling tools; media made so far:", error.result_urls)
            raise
        for round_ in reply.tool_history:
            for call, result in zip(round_.tool_calls, round_.results):
                outcome = result.error or ", ".join(result.result_urls)
                print(f"round {round_.round}: {call.name} on {result.model_id} -> {outcome}")
        print(reply.content[:300])
        # Keep the files: the URLs are signed and expire.
        for round_ in reply.tool_history:
            for project_id in round_.project_ids:
                project = sogni.projects.get(project_id)
                for path in project.download("out/chat_platform_tools"):
                    print("Saved", path)


if __name__ == "__main__":
    main()
