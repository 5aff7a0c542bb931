"""A two-image project with one preview per image: follow it to completion, collect the preview
and result URLs the client minted, and download every result through the job's own API."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from _harness import ARGS, create_client, emit, run


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        previews: list[dict[str, Any]] = []

        # Preview URLs are minted by a REST call after the progress frame, so they can arrive
        # after the project completed.
        def on_job(event: dict[str, Any]) -> None:
            if event.get("type") == "preview":
                previews.append(
                    {"projectId": event["projectId"], "jobId": event["jobId"], "url": event["url"]}
                )

        sogni.projects.on("job", on_job)
        project = await sogni.projects.create({"type": "image", **ARGS["params"]})
        emit({"event": "created", "projectId": project.id})
        result_urls = await project.wait_for_completion(timeout=20)
        deadline = time.monotonic() + 10
        while len(previews) < len(project.jobs):
            if time.monotonic() > deadline:
                raise TimeoutError("timed out waiting for the preview URLs")
            await asyncio.sleep(0.01)

        jobs = []
        for job in project.jobs:
            data = await job.get_result_data()
            jobs.append(
                {
                    "id": job.id,
                    "jobIndex": job.job_index,
                    "seed": job.seed,
                    "status": job.status,
                    "previewUrl": job.preview_url,
                    "resultUrl": job.result_url,
                    "result": base64.b64encode(data).decode("ascii"),
                }
            )
        return {
            "projectId": project.id,
            "status": project.status,
            "progress": project.progress,
            "resultUrls": result_urls,
            "previews": previews,
            "jobs": jobs,
        }


run(main)
