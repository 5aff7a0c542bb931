"""Cancel a project the fake is holding (queued behind paused workers, or rendered with its
result held back): the client sends the artist cancel, waits for the server's confirmation and
reports the project canceled. ``ARGS["cancelAfter"]`` says when to cancel: ``"queued"`` (once
the status says so) or ``"progress"`` (at the first progress above 0)."""

from __future__ import annotations

import asyncio
from typing import Any

from _harness import ARGS, create_client, emit, expect_event, run
from sogni_client.errors import ProjectError


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        confirmations: list[Any] = []
        sogni.api_client.socket.on("artistCancelConfirmation", confirmations.append)
        events: list[str] = []
        project = await sogni.projects.create({"type": "image", **ARGS["params"]})
        for name in ("jobStarted", "completed", "failed"):
            project.on(name, lambda _payload, name=name: events.append(name))
        outcome = asyncio.ensure_future(project.wait_for_completion())
        emit({"event": "created", "projectId": project.id})
        if ARGS["cancelAfter"] == "queued" and project.status != "queued":
            await expect_event(project, "updated", 10, lambda _keys: project.status == "queued")
        elif ARGS["cancelAfter"] == "progress":
            await expect_event(project, "progress", 10, lambda progress: progress > 0)
        status_before = project.status
        await project.cancel()
        try:
            settled: dict[str, Any] = {"settled": "completed", "urls": await outcome}
        except ProjectError as error:
            settled = {"settled": "rejected", "error": {"code": error.code, "message": str(error)}}
        return {
            "projectId": project.id,
            "statusBefore": status_before,
            "status": project.status,
            "finished": project.finished,
            "jobStatuses": [job.status for job in project.jobs],
            "outcome": settled,
            "confirmations": confirmations,
            "events": events,
        }


run(main)
