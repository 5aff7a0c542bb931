"""Leak cycles: fifty clients created, used and closed, and five hundred short-lived caller
threads sharing one client (a thread-per-request web server), leave threads, sockets and file
descriptors where they started."""

from __future__ import annotations

import gc
import http.client
import os
import threading
from collections.abc import Callable
from typing import Any

import psutil

from sogni import ClientConfig, SogniClient
from sogni.testing import FakeSupernet

from ..helpers import FAST, run_threads, sogni_threads, wait_until

IMAGE: dict[str, Any] = {"type": "image", "model_id": "flux1-schnell-fp8", "steps": 4}


def open_fds() -> list[str]:
    """This process's open file descriptors, as what they point at (``socket:[...]``, ...)."""
    if os.path.isdir("/proc/self/fd"):
        found = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                found.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                continue  # the descriptor listdir itself used, closed by now
        return found
    return ["fd"] * psutil.Process().num_fds()  # pragma: no cover - not Linux


def open_sockets() -> int:
    return sum(1 for target in open_fds() if target.startswith("socket:"))


def live_connections() -> int:
    """HTTP connections alive in this process (pooled or in use)."""
    gc.collect()
    # type(), not isinstance(): a lazy proxy (Django settings) would set itself up to answer.
    return sum(1 for obj in gc.get_objects() if issubclass(type(obj), http.client.HTTPConnection))


def settled(fake: FakeSupernet) -> tuple[int, int, int]:
    """Wait until no TCP connection to the (in-process) fake is open, so both ends are closed,
    and collect garbage (earlier tests' objects may still hold sockets); then the counts of
    threads, file descriptors and sockets."""
    wait_until(lambda: fake.http_connections(None, open_only=True) == 0, timeout=5)
    gc.collect()
    return threading.active_count(), len(open_fds()), open_sockets()


def back_to(fake: FakeSupernet, threads: int, fds: int, sockets: int) -> None:
    """No more threads, descriptors or sockets than at the start (earlier tests' leftovers may
    have gone meanwhile, so fewer is fine)."""
    start = (threads, fds, sockets)
    wait_until(lambda: all(now <= then for now, then in zip(settled(fake), start)), timeout=5)
    assert sogni_threads() == []


def test_fifty_client_cycles_leave_threads_sockets_and_fds_where_they_started(
    fake: FakeSupernet,
) -> None:
    def cycle(n: int) -> None:
        config = ClientConfig(
            app_id=f"cycle-{n}",
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=FAST,
        )
        with SogniClient(config=config) as client:
            client.connect()
            assert client.account.me().username == "alice"
            assert len(client.projects.create(**IMAGE, seed=n).wait(timeout=10)) == 1

    cycle(0)  # warm-up: lazy imports and the fake's own first-use resources
    threads, fds, sockets = settled(fake)
    for n in range(1, 51):
        cycle(n)
    back_to(fake, threads, fds, sockets)
    assert fake.http_connections("socket") >= 51  # every cycle really connected


def test_500_short_lived_caller_threads_keep_connections_threads_and_fds_bounded(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    threads, fds, sockets = settled(fake)
    client = make_client(app_id="per-request")
    client.connect()
    wave = client.config.max_connections  # as many callers at once as the pool keeps
    started = 0
    lock = threading.Lock()

    def request(_: int) -> None:
        nonlocal started
        with lock:
            started += 1
            n = started
        client.account.balance()
        assert len(client.projects.create(**IMAGE, seed=n).wait(timeout=20)) == 1

    run_threads(request, wave)  # warm-up: the pool reaches its size
    api_connections = fake.http_connections("api")
    while started < 500:
        run_threads(request, min(wave, 500 - started))
    assert started == 500
    # The callers are gone and nothing of theirs is kept: the connections are the shared pool's
    # (at most max_connections idle per host: the api host and the socket host), plus one in
    # use by each of the SDK's 4 I/O workers (which mint result URLs over REST); connections
    # kept per caller would be hundreds. The SDK's own threads stay its fixed few: transport,
    # callback worker, up to 4 I/O workers, REST deadline watchdog.
    assert live_connections() <= 2 * wave + 4
    assert len(sogni_threads()) <= 7
    # Each caller reused the shared pool instead of opening connections of its own.
    assert fake.http_connections("api") - api_connections <= wave
    client.close()
    back_to(fake, threads, fds, sockets)
