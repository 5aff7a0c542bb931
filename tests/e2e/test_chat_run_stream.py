"""A durable run's event stream in a long-lived process: every event exactly once and in order
across cuts and a stall, user code on the callback worker, ``events()`` subscribing when
called, nothing after the terminal event, nothing retained after the run, and
``client.close()`` ending open streams within 2 s."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from sogni import ChatRunCanceledError, ClientClosedError, ServerError, SogniClient
from sogni.chat import ChatRunEvent
from sogni.chat._run_handle import RunTracker
from sogni.testing import FakeSupernet

from ..helpers import FAST, sogni_threads, wait_until

# A stream silent for 0.5 s is stalled; the fake keeps a live one busy every 0.05 s.
STREAM_TIMEOUTS = attrs.evolve(FAST, sse_idle=0.5, reconnect_base=0.05, reconnect_max=0.2)
LONG = [{"role": "user", "content": " ".join(f"word{i}" for i in range(30))}]


@pytest.fixture(autouse=True)
def _keep_alives(fake: FakeSupernet) -> None:
    fake.sse_keepalive = 0.05


def _streams(fake: FakeSupernet, run_id: str) -> list[Any]:
    return fake.requests(f"/v1/chat/runs/{run_id}/events/stream")


def _interrupt(fake: FakeSupernet, events: Iterator[ChatRunEvent]) -> list[int]:
    """Read ``events``, cutting the stream after sequences 3, 7 and 11 and stalling it after
    15; the run is held each time so that it goes on only once the stream is broken."""
    plan = {3: fake.cut_streams, 7: fake.cut_streams, 11: fake.cut_streams, 15: fake.stall_streams}
    seen = []
    for event in events:
        seen.append(event.sequence)
        action = plan.get(event.sequence)
        if action is not None:
            wait_until(lambda: fake.open_streams() >= 1)
            assert action() == 1
            # The run goes on while the stream is down (to the next hold, or to its end).
            fake.hold_runs(event.sequence + 5 if event.sequence < 15 else None)
    return seen


def test_cut_three_times_and_stalled_once_every_event_arrives_once_and_in_order(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    fake.hold_runs(4)
    run = client.chat.runs.create(messages=LONG)
    seen = _interrupt(fake, run.events(timeout=10))
    record = run.wait(timeout=10)
    assert seen == list(range(len(record.events)))
    assert record.status == "completed" and len(seen) > 30
    # Five connections, each resumed after the last event handed on. A stream is logged once
    # the server is done with it, so a stalled one can be logged after the one that replaced it.
    wait_until(lambda: len(_streams(fake, run.id)) == 5)
    resumed = [r.headers.get("Last-Event-ID") for r in _streams(fake, run.id)]
    assert sorted(resumed, key=lambda v: -1 if v is None else int(v)) == [
        None,
        "3",
        "7",
        "11",
        "15",
    ]


def test_stream_events_is_resumed_the_same_way(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    fake.hold_runs(4)
    run = client.chat.runs.create(messages=LONG)
    with client.chat.runs.stream_events(run.id) as stream:
        seen = _interrupt(fake, stream)
    final = fake.wait_for_run(run.id, status="finished")
    assert seen == list(range(len(final["events"])))
    wait_until(lambda: len(_streams(fake, run.id)) == 5)


def test_user_code_runs_on_the_callback_worker_in_order_and_nothing_follows_the_end(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    fake.hold_runs(3)
    run = client.chat.runs.create(
        messages=[{"role": "user", "content": "generate_image of a fox"}],
        runtime_config={"requireJobConfirmation": True},
    )
    calls: list[tuple[str, Any]] = []
    threads: set[str] = set()
    done = threading.Event()

    def record(kind: str) -> Callable[[Any], None]:
        def listener(value: Any) -> None:
            threads.add(threading.current_thread().name)
            calls.append((kind, value))

        return listener

    run.on("event", record("event"))
    run.on("waiting", record("waiting"))
    run.future.add_done_callback(lambda _: (record("done")(None), done.set()))
    fake.hold_runs(None)
    wait_until(lambda: run.waiting is not None)
    run.confirm_cost()
    assert done.wait(10)
    worker = client._core.callbacks.thread
    assert worker is not None and threads == {worker.name}
    events = [value for kind, value in calls if kind == "event"]
    assert [e.sequence for e in events] == list(range(len(events)))
    assert events[-1].type == "run_completed"
    # The waiting listener ran right after the event that paused the run, and the
    # done-callback after the final event; nothing came after it.
    kinds = [kind for kind, _ in calls]
    pause = next(
        i for i, (k, v) in enumerate(calls) if k == "event" and v.type == "run_waiting_for_user"
    )
    assert kinds[pause + 1] == "waiting"
    assert kinds[-2:] == ["event", "done"]
    time.sleep(0.2)  # a late frame would be delivered by now
    assert calls[-1][0] == "done"


def test_events_subscribes_when_called(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    fake.hold_runs(3)
    run = client.chat.runs.create(messages=LONG)
    early = run.events(timeout=10)  # subscribed now, read only after the run has ended
    fake.hold_runs(None)
    record = run.wait(timeout=10)
    assert [e.sequence for e in early] == list(range(len(record.events)))
    # Made after the end, an iterator yields only the final event.
    assert [e.type for e in run.events(timeout=1)] == ["run_completed"]


def test_nothing_of_a_finished_run_stays_reachable(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    run = client.chat.runs.create(messages=LONG)
    run.on("event", lambda _: None)
    for _ in run.events(timeout=10):
        pass
    run.wait(timeout=10)
    handle = weakref.ref(run)
    tracker = weakref.ref(run._tracker)
    reader = run._tracker._reader
    assert reader is not None
    reader.join(5)
    del run
    gc.collect()
    assert handle() is None and tracker() is None
    assert not [t for t in gc.get_objects() if type(t) is RunTracker]
    assert not [t.name for t in sogni_threads() if t.name.startswith("sogni-run-")]
    registry = client._core._extensions["chat.runs"]
    assert registry._reading == set() and registry._handles == {}


def test_client_close_ends_open_streams_within_2s(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=attrs.evolve(STREAM_TIMEOUTS, sse_idle=60.0))
    fake.hold_runs(2)
    run = client.chat.runs.create(messages=LONG)
    other = client.chat.runs.create(messages=LONG)
    outcomes: dict[str, Any] = {}

    def consume(name: str, events: Iterator[ChatRunEvent]) -> None:
        try:
            outcomes[name] = [e.sequence for e in events]
        except Exception as exc:
            outcomes[name] = exc

    readers = [
        threading.Thread(target=consume, args=("events", run.events())),
        threading.Thread(
            target=consume, args=("stream_events", client.chat.runs.stream_events(other.id))
        ),
    ]
    for reader in readers:
        reader.start()
    wait_until(lambda: fake.open_streams() == 2)
    started = time.monotonic()
    client.close()
    for reader in readers:
        reader.join(5)
    assert time.monotonic() - started < 2
    assert isinstance(outcomes["events"], ClientClosedError)
    assert isinstance(outcomes["stream_events"], ClientClosedError)
    assert isinstance(run.future.exception(0), ClientClosedError)
    wait_until(lambda: fake.open_streams() == 0)


def test_a_stream_that_cannot_be_resumed_fails_the_run_handle(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=attrs.evolve(STREAM_TIMEOUTS, rest_total=0.5))
    fake.hold_runs(2)
    run = client.chat.runs.create(messages=LONG)
    events = run.events(timeout=10)
    assert next(events).sequence == 0
    fake.fail_next(503, path=f"/v1/chat/runs/{run.id}/events/stream", times=1000)
    wait_until(lambda: fake.open_streams() == 1)
    fake.cut_streams()
    with pytest.raises(ServerError):
        list(events)
    assert isinstance(run.future.exception(5), ServerError)
    fake.hold_runs(None)


def test_a_cancelled_run_ends_its_iterators_with_the_cancel(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(timeouts=STREAM_TIMEOUTS)
    fake.hold_runs(3)
    run = client.chat.runs.create(messages=LONG)
    events = run.events(timeout=10)
    assert [next(events).sequence for _ in range(3)] == [0, 1, 2]
    run.cancel()
    rest = list(events)
    assert [e.type for e in rest] == ["run_cancelled"]
    with pytest.raises(ChatRunCanceledError):
        run.wait(timeout=5)
    fake.hold_runs(None)
