"""Hosted chat and durable runs through ``sogni_async``: the same calls, awaitable, and nothing
that blocks (a REST call, a stream read, a pending future) ever runs on the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import attrs
import pytest
import pytest_asyncio

from sogni import ChatRunCanceledError, ChatRunWaitingError, ClientConfig, SogniTimeoutError
from sogni._transport import rest as rest_module
from sogni.testing import FakeSupernet
from sogni_async import AsyncChatRun, AsyncSogniClient

from ..helpers import FAST
from .test_async import blocking_on_loop  # noqa: F401 - the fixture

TIMEOUTS = attrs.evolve(FAST, sse_idle=2.0, reconnect_base=0.05, reconnect_max=0.2)


@pytest_asyncio.fixture
async def client(fake: FakeSupernet) -> AsyncIterator[AsyncSogniClient]:
    fake.sse_keepalive = 0.05
    config = ClientConfig(
        app_id="async-runs",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=TIMEOUTS,
    )
    async with AsyncSogniClient(config=config) as c:
        yield c


@pytest.fixture
def no_stream_on_loop(
    blocking_on_loop: list[str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> list[str]:
    original = rest_module.RestClient.stream

    def guarded(self: rest_module.RestClient, *args: object, **kwargs: object) -> object:
        try:
            asyncio.get_running_loop()
            blocking_on_loop.append("RestClient.stream")
        except RuntimeError:
            pass
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rest_module.RestClient, "stream", guarded)
    return blocking_on_loop


@pytest.mark.asyncio
async def test_hosted_chat_is_awaitable(
    client: AsyncSogniClient, no_stream_on_loop: list[str]
) -> None:
    answer = await client.chat.hosted.create(
        messages=[{"role": "user", "content": "generate_image of a pier"}],
        sogni_tools=True,
        sogni_tool_execution=True,
    )
    assert [r["tool"] for r in answer.sogni_tool_results] == ["generate_image"]
    tool = await client.chat.hosted.execute_tool("enhance_prompt", {"prompt": "a pier"})
    assert tool.result["prompt"].startswith("a pier")
    assert no_stream_on_loop == []


@pytest.mark.asyncio
async def test_a_run_with_a_cost_approval_end_to_end(
    fake: FakeSupernet, client: AsyncSogniClient, no_stream_on_loop: list[str]
) -> None:
    run = await client.chat.runs.create(
        messages=[{"role": "user", "content": "generate_music for a rainy day"}],
        runtime_config={"requireJobConfirmation": True},
    )
    assert isinstance(run, AsyncChatRun) and run.status == "queued"
    with pytest.raises(ChatRunWaitingError) as caught:
        await run.wait(timeout=10)
    assert caught.value.reason == "cost_approval_required"
    assert run.waiting is not None and run.waiting.cost_preview == caught.value.cost_preview
    events = run.events(timeout=10)  # subscribed now: everything from here on
    record = await run.confirm_cost()
    assert record.status == "running"
    seen = [event.type async for event in events]
    assert seen[0] == "run_cost_confirmation_resolved" and seen[-1] == "run_completed"
    final = await run.wait(timeout=10)
    assert final.status == "completed" and len(final.result_urls) == 1
    assert run.finished and run.future.result(0) == final
    streamed = [e.sequence async for e in client.chat.runs.stream_events(run.id)]
    assert streamed == list(range(len(final.events)))
    assert (await client.chat.runs.get(run.id)).id == run.id
    assert (await run.refresh()).status == "completed"
    assert no_stream_on_loop == []


@pytest.mark.asyncio
async def test_cancel_and_a_local_timeout(
    fake: FakeSupernet, client: AsyncSogniClient, no_stream_on_loop: list[str]
) -> None:
    # The fake's control plane blocks: off the loop, like any blocking call.
    await asyncio.to_thread(fake.hold_runs, 2)
    run = await client.chat.runs.create(messages=[{"role": "user", "content": "hello"}])
    with pytest.raises(SogniTimeoutError, match="does not cancel"):
        await run.wait(timeout=0.2)
    # Cancelling the task that waits stops only the waiting.
    waiter = asyncio.ensure_future(run.wait())
    await asyncio.sleep(0.05)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    snapshot = await asyncio.to_thread(fake.run_snapshot, run.id)
    assert snapshot is not None and snapshot["status"] == "running"
    record = await client.chat.runs.cancel(run.id, "enough")
    assert record.status == "cancelled"
    with pytest.raises(ChatRunCanceledError):
        await run.wait(timeout=10)
    await asyncio.to_thread(fake.hold_runs, None)
    assert no_stream_on_loop == []


@pytest.mark.asyncio
async def test_closing_an_async_stream_from_the_loop_ends_its_read(
    fake: FakeSupernet, client: AsyncSogniClient
) -> None:
    fake.hold_runs(2)
    run = await client.chat.runs.create(messages=[{"role": "user", "content": "hello"}])
    stream = client.chat.runs.stream_events(run.id)
    assert [(await stream.__anext__()).sequence for _ in range(2)] == [0, 1]
    pending = asyncio.ensure_future(stream.__anext__())  # blocks on the held run
    await asyncio.sleep(0.1)
    await stream.aclose()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(pending, 2)
    fake.hold_runs(None)
