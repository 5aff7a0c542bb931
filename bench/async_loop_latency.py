"""Worst event-loop stall while 200 projects run concurrently through ``sogni_async``.

A heartbeat task asks to wake every 5 ms; the largest lateness is the worst stall the SDK
caused on the loop (the fake runs in a subprocess). Printed as a ratio of the 5 ms baseline
tick and against the 50 ms budget the reliability checklist sets.

    python bench/async_loop_latency.py [--projects 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from _fake_process import BenchFake

from sogni_async import AsyncSogniClient

TICK = 0.005


async def run(info: dict[str, str], count: int) -> tuple[float, float]:
    worst = 0.0
    stop = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal worst
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - started - TICK)

    beat = asyncio.create_task(heartbeat())
    started = time.perf_counter()
    async with AsyncSogniClient(
        app_id="bench-async-loop",
        api_key=info["api_key"],
        rest_endpoint=info["rest_url"],
        socket_endpoint=info["socket_url"],
    ) as client:
        projects = await asyncio.gather(
            *(
                client.projects.create(type="image", model_id="flux1-schnell-fp8", seed=i)
                for i in range(count)
            )
        )
        await asyncio.gather(*(p.wait(300) for p in projects))
    elapsed = time.perf_counter() - started
    stop.set()
    await beat
    return worst, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=200)
    args = parser.parse_args()
    with BenchFake() as fake:
        worst, elapsed = asyncio.run(run(fake.info, args.projects))
    print(f"{args.projects} projects in {elapsed:.2f} s")
    print(
        f"worst loop stall: {worst * 1000:.1f} ms = {worst / TICK:.1f} x the 5 ms tick "
        f"({worst / 0.050:.2f} of the 50 ms budget)"
    )


if __name__ == "__main__":
    main()
