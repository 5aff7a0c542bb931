"""A durable chat run: the service runs the model and the Sogni tools and keeps the run's event
log; this script follows it, and approves the cost of the paid tools when the run asks.

The event stream may be cut on the way (a proxy's idle timeout, a laptop going to sleep): the
SDK resumes it from the last event it handed on, so every event arrives once and in order, and
``run.wait()`` still returns the final record. With ``requireJobConfirmation`` the run pauses
before paid media tools (``run_waiting_for_user``) until ``run.confirm_cost()`` accepts the
preview it showed.

Offline (no SOGNI_API_KEY) an embedded FakeSupernet plays the service, and the script cuts the
run's stream once, mid-run, to show it resume.
"""

from __future__ import annotations

import os
import sys

from sogni import SogniClient
from sogni.testing import FakeSupernet


def follow(sogni: SogniClient, fake: FakeSupernet | None) -> None:
    run = sogni.chat.runs.create(
        messages=[{"role": "user", "content": "Please generate_image of a lighthouse at dusk"}],
        runtime_config={"requireJobConfirmation": True, "jobConfirmationThresholdUsd": 0},
        token_type="spark",
    )
    print(f"Run {run.id} started ({run.status})")
    sequences = []
    for event in run.events(timeout=300):
        sequences.append(event.sequence)
        print(f"  {event.sequence:3d} {event.type}")
        if event.type == "run_waiting_for_user" and run.waiting is not None:
            preview = run.waiting.cost_preview
            if preview is None:  # a pause that cannot be confirmed (e.g. no credit left)
                run.cancel("cannot approve")
                continue
            # Show the preview to your user; confirm_cost() sends it back unchanged.
            units, token = preview["totalEstimatedCapacityUnits"], preview["tokenType"]
            print(f"      the run asks to approve {units} capacity units ({token}): approving")
            run.confirm_cost()
        if fake is not None and event.type == "tool_call_dispatched":
            fake.cut_streams()  # offline demo: the connection drops mid-run
            print("      (the event stream was cut; the SDK resumes it)")
    record = run.wait()
    print(f"Every event arrived once, in order: {sequences == list(range(len(sequences)))}")
    print((record.content or "")[:200])
    for url in record.result_urls:
        print("Result:", url.split("?", 1)[0])


def main() -> None:
    if os.environ.get("SOGNI_API_KEY", "").strip():
        with SogniClient.from_env(app_id="sogni-chat-durable-run-example") as sogni:
            follow(sogni, None)
        return
    print(
        "SOGNI_API_KEY is not set: using an embedded FakeSupernet on 127.0.0.1 (offline demo).",
        file=sys.stderr,
    )
    with FakeSupernet(time_scale=0.02) as fake:
        fake.sse_keepalive = 1.0
        with SogniClient(
            app_id="sogni-chat-durable-run-example",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
        ) as sogni:
            follow(sogni, fake)


if __name__ == "__main__":
    main()
