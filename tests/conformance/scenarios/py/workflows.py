"""Creative workflows through the official client: an inline plan of three steps (image, a
video from it, music) followed with ``stream_events`` to the terminal frame; a long plan
cancelled mid-run and streamed to its end; templates create, get, fork and delete."""

from __future__ import annotations

from typing import Any

from _harness import APP_ID, ARGS, create_client, run


async def follow(sogni: Any, workflow_id: str) -> list[dict[str, Any]]:
    frames = []
    async for frame in sogni.workflows.stream_events(workflow_id):
        data = frame.get("data")
        if isinstance(data, dict):
            frames.append(
                {"id": frame.get("id"), "event": frame["event"], "status": data["status"]}
            )
    return frames


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        started = await sogni.workflows.start(
            {"input": ARGS["plan"], "tokenType": "spark", "idempotencyKey": f"plan-{APP_ID}"}
        )
        frames = await follow(sogni, started["workflowId"])
        finished = await sogni.workflows.get(started["workflowId"])

        long = await sogni.workflows.start(input=ARGS["longPlan"])
        cancelled = await sogni.workflows.cancel(long["workflowId"])
        cancel_frames = await follow(sogni, long["workflowId"])

        templates = sogni.workflows.templates
        template = await templates.create(ARGS["template"])
        read = await templates.get(template["id"])
        fork = await templates.fork(template["id"], new_name="Forked")
        await templates.delete(fork["id"])
        listed = await templates.list(visibility="own")
        return {
            "started": {"workflowId": started["workflowId"], "status": started["status"]},
            "frames": frames,
            "finished": {"status": finished["status"], "artifacts": finished["artifacts"]},
            "cancelled": {"workflowId": long["workflowId"], "status": cancelled["status"]},
            "cancelFrames": cancel_frames,
            "template": {"id": template["id"], "name": read["name"]},
            "fork": {"id": fork["id"], "name": fork["name"]},
            "listed": [t["id"] for t in listed["templates"]],
        }


run(main)
