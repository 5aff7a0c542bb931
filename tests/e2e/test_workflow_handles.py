"""``WorkflowRun`` keeps the long-lived-process rules (callbacks on the callback worker, in
order, nothing after the end; ``events()`` subscribes when called; nothing retained after the
end), the async twin, the SSE chunk parser, and ``client.workflows.templates`` with both
envelope forms and ``$inputs`` placeholders."""

from __future__ import annotations

import asyncio
import functools
import gc
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from sogni import SogniClient, WorkflowWaitingError, parse_creative_workflow_sse_chunk
from sogni.errors import ClientClosedError
from sogni.testing import FakeSupernet
from sogni.workflows._run import WorkflowTracker
from sogni_async import AsyncSogniClient

from ..helpers import FAST, sogni_threads, wait_until

STREAM_TIMEOUTS = attrs.evolve(FAST, sse_idle=0.5, reconnect_base=0.05, reconnect_max=0.2)
PLAN = {
    "steps": [
        {"id": "still", "toolName": "generate_image", "arguments": {"prompt": "a kite"}},
        {
            "id": "tune",
            "toolName": "generate_music",
            "arguments": {"prompt": "wind", "duration": 10},
        },
    ]
}
TEMPLATE = {
    "name": "Poster and jingle",
    "version": "1",
    "description": "A poster of a subject, and a jingle",
    "inputs": [
        {"name": "subject", "type": "text", "required": True},
        {"name": "seconds", "type": "number", "default": 10},
    ],
    "stages": [
        {
            "id": "poster",
            "toolName": "generate_image",
            "arguments": {"prompt": "$inputs.subject poster"},
        },
        {
            "id": "jingle",
            "toolName": "generate_music",
            "arguments": {"prompt": "jingle", "duration": "$inputs.seconds"},
        },
    ],
}


def test_callbacks_run_on_the_callback_worker_in_order_and_nothing_follows_the_end(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    fake.hold_workflows(2)
    run = client.workflows.start(input=PLAN)
    calls: list[tuple[str, Any]] = []
    threads: set[str] = set()
    done = threading.Event()

    def record(kind: str) -> Callable[[Any], None]:
        def listener(value: Any) -> None:
            threads.add(threading.current_thread().name)
            calls.append((kind, value))

        return listener

    run.on("event", record("event"))
    run.on("artifact", record("artifact"))
    run.future.add_done_callback(lambda _: (record("done")(None), done.set()))
    fake.hold_workflows(None)
    assert done.wait(15)
    worker = client._core.callbacks.thread
    assert worker is not None and threads == {worker.name}
    events = [value for kind, value in calls if kind == "event"]
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[-1].type == "workflow_completed"
    kinds = [kind for kind, _ in calls]
    made = [i for i, k in enumerate(kinds) if k == "artifact"]
    assert len(made) == 2 and all(calls[i - 1][1].type == "artifact_created" for i in made)
    assert kinds[-2:] == ["event", "done"]
    # A late listener on a finished workflow is never called; the log is over.
    run.on("event", record("late"))
    assert client.workflows.get(run.id) is run
    assert calls[-1][0] == "done" and len(calls) == len(kinds)


def test_events_subscribes_when_called(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    fake.hold_workflows(2)
    run = client.workflows.start(input=PLAN)
    early = run.events(timeout=10)  # subscribed now, read only after the end
    fake.hold_workflows(None)
    record = run.wait(timeout=15)
    assert [e.sequence for e in early] == list(range(1, len(record.events) + 1))
    # Made after the end, an iterator yields only the final event.
    assert [e.type for e in run.events(timeout=1)] == ["workflow_completed"]


def test_nothing_of_a_finished_workflow_stays_reachable(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    run = client.workflows.start(input=PLAN)
    run.on("event", lambda _: None)
    for _ in run.events(timeout=10):
        pass
    run.wait(timeout=10)
    wait_until(functools.partial(_reader_ended, run._tracker))
    handle = weakref.ref(run)
    tracker = weakref.ref(run._tracker)
    del run
    gc.collect()
    assert handle() is None and tracker() is None
    assert not [t for t in gc.get_objects() if type(t) is WorkflowTracker]
    assert not [t.name for t in sogni_threads() if t.name.startswith("sogni-workflow-")]
    registry = client._core._extensions["workflows"]
    assert registry._reading == set() and registry._handles == {}


def _reader_ended(tracker: WorkflowTracker) -> bool:
    return tracker._reader is None


def test_the_async_twin_starts_waits_and_iterates(fake: FakeSupernet) -> None:
    async def main() -> tuple[str, list[int], int]:
        async with AsyncSogniClient(
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            disable_socket=True,
            timeouts=STREAM_TIMEOUTS,
        ) as client:
            run = await client.workflows.start(input=PLAN)
            sequences = [e.sequence async for e in run.events(timeout=10)]
            record = await run.wait(timeout=10)
            page = await client.workflows.templates.list()
            return record.status, sequences, len(page.templates)

    status, sequences, templates = asyncio.run(main())
    assert status == "completed" and templates == 0
    assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) > 5


def test_the_chunk_parser_keeps_comment_frames_and_parses_json() -> None:
    chunk = (
        ': stream open\n\nid: 1\nevent: workflow_started\ndata: {"status":"running"}\n\n'
        "retry: 10\n\nid: 2\r\ndata: plain\r\ndata: text\r\n\r\ndata:\n\n"
    )
    frames = parse_creative_workflow_sse_chunk(chunk)
    assert [(f.id, f.event, f.data) for f in frames] == [
        (None, "message", None),
        ("1", "workflow_started", {"status": "running"}),
        (None, "message", None),
        ("2", "message", "plain\ntext"),
        (None, "message", None),
    ]
    assert frames[0].raw == ": stream open"


def test_templates_crud_fork_and_a_run_from_a_template(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    templates = client.workflows.templates
    made = templates.create(TEMPLATE)
    assert (made.name, made.version, made.visibility) == ("Poster and jingle", "1", "private")
    assert templates.get(made.id) == made
    changed = templates.update(made.id, {"visibility": "public", "tags": ["ads"]})
    assert changed.visibility == "public" and changed.tags == ["ads"]
    fork = templates.fork(made.id, new_name="Mine")
    assert fork.name == "Mine" and fork.id != made.id and fork.stages == made.stages
    page = templates.list(visibility="own", limit=1)
    assert len(page.templates) == 1 and page.next_cursor == 1
    assert [t.id for t in templates.list(offset=1).templates] == [fork.id]
    run = client.workflows.start(workflow_id=made.id, inputs={"subject": "a red bicycle"})
    record = run.wait(timeout=20)
    poster = next(s for s in record.steps if s["id"] == "poster")
    jingle = next(s for s in record.steps if s["id"] == "jingle")
    assert poster["arguments"]["prompt"] == "a red bicycle poster"
    assert jingle["arguments"]["duration"] == 10 and len(record.artifacts) == 2
    # The older, bare envelope is read the same way.
    bare = {"template": {**made.raw, "name": "Bare"}}
    fake.fail_next(200, path=f"/v1/creative-agent/workflows/templates/{made.id}", body=bare)
    assert templates.get(made.id).name == "Bare"
    templates.delete(fork.id)
    assert [t.id for t in templates.list(visibility="all").templates] == [made.id]


def test_close_ends_a_paused_workflow_s_waiters(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    # A paused workflow has no reader thread (its stream ended at the pause), yet its waiters
    # must end with the client.
    client = make_client(disable_socket=True, timeouts=STREAM_TIMEOUTS)
    run = client.workflows.start(input=PLAN, max_estimated_capacity_units=1)
    with pytest.raises(WorkflowWaitingError):
        run.wait(timeout=10)
    events = run.events()
    outcomes: list[BaseException] = []

    def wait_for(fn: Callable[[], Any]) -> None:
        try:
            fn()
        except BaseException as exc:
            outcomes.append(exc)

    waiters = [
        threading.Thread(target=wait_for, args=(lambda: list(events),)),
        threading.Thread(target=wait_for, args=(run.future.result,)),
    ]
    for waiter in waiters:
        waiter.start()
    client.close()
    for waiter in waiters:
        waiter.join(2)
    assert not any(waiter.is_alive() for waiter in waiters)
    assert [type(e) for e in outcomes] == [ClientClosedError, ClientClosedError]


_FREED_INSIDE_THE_REGISTRY = """
import gc
from sogni import SogniClient
from sogni.testing import FakeSupernet
from sogni.workflows._run import WorkflowTracker

PLAN = {"steps": [{"id": "a", "toolName": "generate_image", "arguments": {"prompt": "p"}}]}
made = WorkflowTracker.__init__

def collecting(self, *args):
    gc.collect()  # as an allocation inside the registry could trigger it
    made(self, *args)

with FakeSupernet(time_scale=0.01) as fake, SogniClient(
    app_id="freed", api_key=fake.api_key, rest_endpoint=fake.rest_url, disable_socket=True
) as client:
    first = client.workflows.start(input=PLAN)
    first.wait(timeout=20)
    gc.disable()
    del first  # garbage in a reference cycle, left for the collector
    WorkflowTracker.__init__ = collecting
    second = client.workflows.start(input=PLAN)
    gc.enable()
    print(second.wait(timeout=20).status)
"""


def test_a_handle_freed_by_a_collection_inside_the_registry_does_not_hang_it() -> None:
    # Handles live in reference cycles, so the collector frees them on whatever thread
    # allocates at the time: here, inside the registry while it makes a new handle. A hang
    # would take the process with it, so the scenario runs in a child process.
    done = subprocess.run(
        [sys.executable, "-c", _FREED_INSIDE_THE_REGISTRY],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "completed"
