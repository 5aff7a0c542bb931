"""What the SDK leaves to Python's cyclic garbage collector must be safe to free wherever a
collection strikes, including inside ``sys._current_frames()``, which Dask's profiler calls on
every worker about a hundred times a second. There, on Python 3.10 and on 3.11 before 3.11.9
(CPython gh-106883), the interpreter holds its thread-list lock, and freeing a
``threading.local`` takes that lock again: the whole process hangs. So SDK objects that die in
reference cycles must hold no thread-local."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sogni import SogniClient
from sogni.testing import FakeSupernet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collected() -> Iterator[Callable[[], list[object]]]:
    """Collection paused while the test makes garbage; the callable collects it and returns
    what was found unreachable."""
    gc.collect()
    gc.disable()

    def collect() -> list[object]:
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            found = list(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        return found

    try:
        yield collect
    finally:
        gc.enable()
        gc.collect()


def thread_locals(objects: list[object]) -> list[object]:
    return [o for o in objects if isinstance(o, threading.local)]


def test_rest_calls_leave_no_thread_local_to_the_collector(
    fake: FakeSupernet,
    make_client: Callable[..., SogniClient],
    collected: Callable[[], list[object]],
) -> None:
    client = make_client(auto_connect=False)
    for _ in range(3):
        assert client.account.balance() is not None
    fake.fail_next(503, path="/v4/account/balance")  # an attempt that fails and is retried
    assert client.account.balance() is not None
    # A control: one thread-local in a cycle of the test's own, which the check must find (the
    # calls themselves may leave no cycle at all).
    control: list[object] = [threading.local()]
    control.append(control)
    expected = id(control[0])
    del control
    garbage = collected()
    assert [id(o) for o in thread_locals(garbage)] == [expected]


def test_a_closed_client_leaves_no_thread_local_to_the_collector(
    fake: FakeSupernet, collected: Callable[[], list[object]]
) -> None:
    client = SogniClient(
        app_id="closed-then-dropped",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        auto_connect=False,
    )
    assert client.account.balance() is not None
    client.close()
    del client
    garbage = collected()
    assert any(type(o).__name__ == "RestClient" for o in garbage)  # it died in a cycle
    assert thread_locals(garbage) == []


_COLLECT_INSIDE_CURRENT_FRAMES = """
import gc, sys
from sogni import SogniClient
from sogni.testing import FakeSupernet

with FakeSupernet(time_scale=0.01) as fake:
    client = SogniClient(
        app_id="sampled", api_key=fake.api_key, rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url, auto_connect=False,
    )
    client.account.balance()
    gc.collect()
    gc.disable()
    client.account.balance()  # its garbage waits in the youngest generation
    gc.set_threshold(1)
    gc.enable()
    # The first object allocated under the interpreter's thread-list lock starts a collection.
    frames = sys._current_frames()
    gc.set_threshold(700)
    client.close()
    print("sampled", len(frames) > 0, flush=True)
"""


def test_a_collection_inside_current_frames_does_not_hang_the_process() -> None:
    # The deadlock itself, made deterministic, in a child process (a hang must not take the
    # test run with it). Pythons that carry the CPython fix pass either way.
    child = subprocess.run(
        [sys.executable, "-c", _COLLECT_INSIDE_CURRENT_FRAMES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "sampled True"
