"""FakeSupernet's received log: the ``max_log`` bound, and ``wait_for`` under it."""

from __future__ import annotations

import threading

import pytest

from sogni.testing._state import Received, ReceivedLog


def record(kind: str, n: int = 0) -> Received:
    return Received(kind=kind, time=float(n), path=f"/{n}")


def test_the_bound_drops_the_oldest_records_first() -> None:
    log = ReceivedLog(max_log=3)
    records = [record("http", n) for n in range(5)]
    for item in records:
        log.append(item)
    assert log.snapshot() == records[2:]
    assert list(log) == records[2:]
    assert (len(log), log.total, log.dropped, log.max_log) == (3, 5, 2, 3)
    log.clear()
    log.append(records[0])
    assert (len(log), log.total, log.dropped) == (1, 6, 2)  # a clear is not a drop


def test_without_a_bound_everything_is_kept() -> None:
    log = ReceivedLog()
    for n in range(2000):
        log.append(record("http", n))
    assert (len(log), log.total, log.dropped, log.max_log) == (2000, 2000, 0, None)
    assert log.snapshot()[0].path == "/0"


@pytest.mark.parametrize("bad", [0, -1])
def test_a_bound_below_one_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="max_log"):
        ReceivedLog(max_log=bad)


def test_wait_for_sees_records_the_bound_dropped_before_it_woke() -> None:
    log = ReceivedLog(max_log=2)
    log.append(record("ws_connect"))
    scanned = threading.Event()
    result: list[list[Received]] = []

    def predicate(item: Received) -> bool:
        if item.kind == "ws_connect":
            scanned.set()  # the first scan runs under the log's lock, before the wait starts
        return item.kind == "frame"

    waiter = threading.Thread(target=lambda: result.append(log.wait_for(predicate, count=3)))
    waiter.start()
    assert scanned.wait(10)
    frames = [record("frame", n) for n in range(3)]
    # Holding the log's lock, the waiter cannot look before all nine records are in, and by
    # then the bound of 2 has dropped every frame from the log.
    with log._cond:
        for frame in frames:
            log.append(frame)
            log.append(record("http"))
            log.append(record("http"))
        assert not any(r.kind == "frame" for r in log.snapshot())
    waiter.join(10)
    assert not waiter.is_alive()
    assert len(result) == 1 and [id(r) for r in result[0]] == [id(f) for f in frames]
    assert (log.total, log.dropped) == (10, 8)


def test_wait_for_counts_the_records_held_when_called_and_times_out() -> None:
    log = ReceivedLog(max_log=2)
    for n in range(4):
        log.append(record("frame", n))
    held = log.wait_for(lambda r: r.kind == "frame", count=2, timeout=0.01)
    assert [r.path for r in held] == ["/2", "/3"]  # the dropped ones do not count
    with pytest.raises(TimeoutError, match="only 2 of 3"):
        log.wait_for(lambda r: r.kind == "frame", count=3, timeout=0.05)
    log.append(record("frame", 4))
    # A finished wait leaves nothing behind that later records would pile into.
    assert log._waiters == []
