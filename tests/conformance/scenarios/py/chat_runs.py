"""Durable chat runs through the official client:

1. ``runs.create`` + ``stream_events`` to the terminal event, printing READY after the event
   with sequence 3 so that the test can cut the stream; a cut stream is resumed with
   ``last_event_id`` (the SDK does not resume by itself);
2. a run that pauses for cost approval: ``runs.get`` until it waits, ``runs.confirm_cost`` with
   the preview it carries, then the stream to the end;
3. ``runs.cancel`` of a fresh run, then its stream to ``run_cancelled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from typing import Any

from _harness import APP_ID, ARGS, create_client, emit, run

TERMINAL = {"run_completed", "run_failed", "run_cancelled", "run_partial_failure"}


async def follow(
    sogni: Any, run_id: str, on_event: Callable[[dict[str, Any]], None] = lambda _: None
) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    resumed_from: list[int | None] = []
    last: int | None = None
    for _ in range(10):
        resumed_from.append(last)
        try:
            stream = sogni.chat.runs.stream_events(run_id, last_event_id=last)
            async with contextlib.aclosing(stream):
                async for event in stream:
                    events.append({"sequence": event["sequence"], "type": event["type"]})
                    last = event["sequence"]
                    on_event(event)
                    if event["type"] in TERMINAL:
                        return {"events": events, "resumedFrom": resumed_from}
        except Exception as error:  # a cut stream: resume it
            print(f"stream interrupted: {error!r}", file=sys.stderr)
    raise RuntimeError(f"run {run_id} never reached its terminal event")


async def wait_for_status(sogni: Any, run_id: str, status: str) -> dict[str, Any]:
    for _ in range(400):
        record = await sogni.chat.runs.get(run_id)
        if record["status"] == status:
            return record
        await asyncio.sleep(0.025)
    raise RuntimeError(f"run {run_id} never reached {status}")


def user(content: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        plain = await sogni.chat.runs.create(
            {
                "model": ARGS["model"],
                "messages": user(ARGS["plainPrompt"]),
                "idempotencyKey": f"plain-{APP_ID}",
            }
        )
        announced: list[bool] = []

        def announce(event: dict[str, Any]) -> None:
            if event["sequence"] == 3 and not announced:
                announced.append(True)
                emit({"event": "READY", "runId": plain["runId"]})

        streamed = await follow(sogni, plain["runId"], announce)

        paid = await sogni.chat.runs.create(
            {
                "messages": user(ARGS["paidPrompt"]),
                "runtimeConfig": {"requireJobConfirmation": True},
            }
        )
        waiting = await wait_for_status(sogni, paid["runId"], "waiting_for_user")
        details = waiting["waiting"]["details"]
        confirmed = await sogni.chat.runs.confirm_cost(
            paid["runId"],
            {
                "toolCallId": details["toolCallId"],
                "decision": "confirm",
                "acceptedCostPreview": details["costApprovalPreview"],
                "idempotencyKey": f"confirm-{details['toolCallId']}",
            },
        )
        paid_stream = await follow(sogni, paid["runId"])
        paid_final = await sogni.chat.runs.get(paid["runId"])

        doomed = await sogni.chat.runs.create({"messages": user(ARGS["plainPrompt"])})
        cancelled = await sogni.chat.runs.cancel(doomed["runId"], "conformance check")
        doomed_stream = await follow(sogni, doomed["runId"])
        return {
            "plain": {"runId": plain["runId"], "status": plain["status"], **streamed},
            "paid": {
                "runId": paid["runId"],
                "waitingReason": waiting["waiting"]["reason"],
                "preview": details["costApprovalPreview"],
                "confirmedStatus": confirmed["status"],
                "finalStatus": paid_final["status"],
                "artifacts": paid_final["artifacts"],
                **paid_stream,
            },
            "cancelled": {
                "runId": doomed["runId"],
                "status": cancelled["status"],
                "reason": cancelled.get("cancellationReason"),
                **doomed_stream,
            },
        }


run(main)
