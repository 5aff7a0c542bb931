"""Reconnect storms, simulated: 200 clients dropped by one server restart reconnect spread over
the back-off window, never in lock-step, and no wait exceeds the cap (seeded RNGs, no sockets;
tests/e2e/test_reconnect.py checks the same with real clients)."""

from __future__ import annotations

import random
import statistics

from sogni import Timeouts
from sogni._transport.backoff import backoff_delay

CLIENTS = 200
DEFAULTS = Timeouts()
BASE, CAP = DEFAULTS.reconnect_base, DEFAULTS.reconnect_max  # 1 s doubling up to 15 s


def storm(attempts: int = 8) -> list[list[tuple[float, float]]]:
    """Each client's (delay, absolute time) per attempt, all dropped at t=0 with the server
    down throughout, so every attempt fails and the next one backs off further. Each client
    has an RNG of its own, as each process does."""
    clients = []
    for n in range(CLIENTS):
        rng = random.Random(1000 + n)
        t, attempts_of_one = 0.0, []
        for attempt in range(attempts):
            delay = backoff_delay(attempt, base=BASE, cap=CAP, rng=rng)
            t += delay
            attempts_of_one.append((delay, t))
        clients.append(attempts_of_one)
    return clients


def test_no_wait_exceeds_its_ceiling_or_the_cap() -> None:
    for attempts in storm():
        for attempt, (delay, _) in enumerate(attempts):
            assert 0 <= delay <= min(CAP, BASE * 2**attempt)
    # Far past the cap's attempt, and for absurd attempt counts, the wait stays capped.
    rng = random.Random(5)
    assert max(backoff_delay(n, base=BASE, cap=CAP, rng=rng) for n in range(10_000)) <= CAP


def test_first_reconnects_spread_over_the_whole_window() -> None:
    first = sorted(attempts[0][1] for attempts in storm())
    # Not in lock-step: no 10 ms slice holds more than a handful of the 200 clients...
    busiest = max(sum(1 for t in first if start <= t < start + 0.01) for start in first)
    assert busiest <= 8, busiest
    # ... and every tenth of the window [0, base) gets its share (20 expected).
    deciles = [sum(1 for t in first if k * BASE / 10 <= t < (k + 1) * BASE / 10) for k in range(10)]
    assert all(10 <= count <= 32 for count in deciles), deciles


def test_capped_waits_use_the_whole_range_up_to_the_cap() -> None:
    # From the fifth attempt on, base * 2**attempt >= 16 s > the 15 s cap.
    capped = [delay for attempts in storm() for delay, _ in attempts[4:]]
    assert max(capped) > 0.95 * CAP
    assert min(capped) < 0.05 * CAP
    assert 0.4 * CAP < statistics.mean(capped) < 0.6 * CAP  # full jitter: uniform, mean cap/2


def test_the_storm_never_comes_back_in_lock_step() -> None:
    # Over the whole storm (8 attempts each, 1,600 reconnects), no 100 ms slice gets more than
    # a quarter of the clients (in lock-step, each slice that gets any gets all 200): the load
    # the restarted server sees stays spread. 20 per slice is the average of the first second.
    times = sorted(t for attempts in storm() for _, t in attempts)
    busiest = max(sum(1 for t in times if start <= t < start + 0.1) for start in times)
    assert busiest <= CLIENTS // 4, busiest
