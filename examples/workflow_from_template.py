"""A saved workflow template, and runs of it.

A template declares ``inputs`` (what each run supplies) and ``stages`` (plan steps whose
arguments say ``$inputs.NAME`` where an input goes). Save it once with
``workflows.templates.create``; start it as often as you like with
``workflows.start(workflow_id=template.id, inputs={...})``. A run that asks for approval of
its cost raises ``WorkflowWaitingError`` from ``wait()``: show it to your user, then
``run.resume()``.

Offline (no SOGNI_API_KEY) an embedded FakeSupernet plays the service.
"""

from __future__ import annotations

from sogni import SogniClient, WorkflowWaitingError
from sogni.testing import open_client

TEMPLATE = {
    "name": "Product poster and jingle",
    "version": "1",
    "description": "A poster of a product, and a short jingle for it",
    "inputs": [
        {"name": "product", "type": "text", "required": True},
        {"name": "seconds", "type": "number", "default": 10},
    ],
    "stages": [
        {
            "id": "poster",
            "toolName": "generate_image",
            "arguments": {"prompt": "A bold poster of $inputs.product, studio light"},
        },
        {
            "id": "jingle",
            "toolName": "generate_music",
            "arguments": {"prompt": "An upbeat jingle", "duration": "$inputs.seconds"},
        },
    ],
}


def use_template(sogni: SogniClient) -> None:
    templates = sogni.workflows.templates
    template = templates.create(TEMPLATE)
    print(f"Saved template {template.id} ({template.name}, version {template.version})")
    try:
        for product in ("a red bicycle", "a blue kettle"):
            run = sogni.workflows.start(
                workflow_id=template.id,
                inputs={"product": product},
                max_estimated_capacity_units=10_000,
            )
            try:
                record = run.wait(timeout=600)
            except WorkflowWaitingError as waiting:
                print(f"  {run.id} waits: {waiting.reason}; approving and resuming")
                record = run.resume().wait(timeout=600)
            print(f"  {product}: {record.status}, {len(record.result_urls)} result(s)")
        copy = templates.fork(template.id, new_name="My copy")
        print(f"Forked as {copy.id} ({copy.name})")
        templates.delete(copy.id)
    finally:
        templates.delete(template.id)


def main() -> None:
    with open_client("sogni-template-example", disable_socket=True) as sogni:
        use_template(sogni)


if __name__ == "__main__":
    main()
