"""A creative workflow from an inline plan: a keyframe image, a video that starts from it, and
a music track, run by the service step by step in dependency order.

The video step names its dependency: ``sourceStepId`` (the step whose result it needs),
``targetArgument`` (the argument that result fills) and ``transform`` (how: here the image's
index among the workflow's images). The service keeps the workflow's event log, so this script
follows it as it happens and reads the results' URLs at the end.

Offline (no SOGNI_API_KEY) an embedded FakeSupernet plays the service.
"""

from __future__ import annotations

from sogni import SogniClient, WorkflowPartialFailure
from sogni.testing import open_client

PLAN = {
    "title": "Lighthouse: keyframe, clip and score",
    "steps": [
        {
            "id": "keyframe",
            "toolName": "generate_image",
            "arguments": {"prompt": "A lighthouse on a cliff at dusk, cinematic"},
        },
        {
            "id": "clip",
            "toolName": "generate_video",
            "arguments": {"prompt": "Slow dolly-in, waves crashing", "duration": 2},
            "dependsOn": [
                {
                    "sourceStepId": "keyframe",
                    "sourceArtifactIndex": 0,
                    "targetArgument": "referenceImageIndices",
                    "mediaType": "image",
                    "transform": "image_index",
                    "required": True,
                }
            ],
        },
        {
            "id": "score",
            "toolName": "generate_music",
            "arguments": {"prompt": "Calm strings and a distant foghorn", "duration": 10},
        },
    ],
}


def run_plan(sogni: SogniClient) -> None:
    run = sogni.workflows.start(input=PLAN, token_type="spark")
    print(f"Workflow {run.id} started ({run.status})")
    for event in run.events(timeout=600):
        print(f"  {event.sequence:3d} {event.type} [{event.status}] {event.message or ''}")
    try:
        record = run.wait()
    except WorkflowPartialFailure as partial:
        print(f"Some steps failed ({partial.reason}); made: {partial.result_urls}")
        return
    print(f"Workflow {record.workflow_id}: {record.status}")
    for output in run.outputs:
        print(f"  {output.step_id}: {output.media_type} {(output.url or '').split('?', 1)[0]}")


def main() -> None:
    with open_client("sogni-workflow-example", disable_socket=True) as sogni:
        run_plan(sogni)


if __name__ == "__main__":
    main()
