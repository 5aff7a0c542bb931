"""A video or audio project through the official client: create it, wait for it, download every
result through the job's own API."""

from __future__ import annotations

import base64
from typing import Any

from _harness import ARGS, create_client, emit, run


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        project = await sogni.projects.create(ARGS["params"])
        emit({"event": "created", "projectId": project.id})
        result_urls = await project.wait_for_completion(timeout=30)
        results = [
            base64.b64encode(await job.get_result_data()).decode("ascii") for job in project.jobs
        ]
        return {
            "projectId": project.id,
            "status": project.status,
            "resultUrls": result_urls,
            "results": results,
        }


run(main)
