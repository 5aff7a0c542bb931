"""``sogni_async`` over real sockets, with the fake in a subprocess."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

import sogni
import sogni_async
from sogni import ClientConfig, ProjectCanceledError, SogniTimeoutError
from sogni._transport import rest as rest_module
from sogni.projects import AudioProjectParams, VideoProjectParams
from sogni.testing import FakeSupernet
from sogni_async import AsyncSogniClient
from sogni_async._projects import AsyncJob, AsyncProject

from ..helpers import FAST, FakeProcess, sogni_threads

MODEL = "flux1-schnell-fp8"


@pytest.fixture(scope="module")
def fake_process() -> Iterator[FakeProcess]:
    process = FakeProcess(time_scale=0.01)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def slow_fake_process() -> Iterator[FakeProcess]:
    process = FakeProcess(time_scale=1.0)  # renders take seconds: time to cancel
    yield process
    process.stop()


def _client(fake: FakeProcess, app_id: str) -> AsyncSogniClient:
    return AsyncSogniClient(
        config=ClientConfig(
            app_id=app_id,
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            timeouts=FAST,
        )
    )


@pytest_asyncio.fixture
async def client(
    fake_process: FakeProcess, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncSogniClient]:
    async with _client(fake_process, f"async-{request.node.name}") as c:
        yield c


@pytest.fixture
def blocking_on_loop(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every blocking SDK entry point that runs on a thread with a running event loop."""
    violations: list[str] = []

    def on_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def guard(owner: Any, name: str, *, only_if_pending: bool = False) -> None:
        original = getattr(owner, name)

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            # A done future answers at once; waiting on a pending one would block the loop.
            if on_loop() and not (only_if_pending and self.done()):
                violations.append(f"{owner.__name__}.{name}")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    guard(rest_module.RestClient, "request")
    guard(rest_module.RestClient, "download")
    guard(rest_module.RestClient, "upload")
    guard(concurrent.futures.Future, "result", only_if_pending=True)
    guard(concurrent.futures.Future, "exception", only_if_pending=True)
    return violations


@pytest.mark.asyncio
async def test_account_and_errors_are_the_same_classes(client: AsyncSogniClient) -> None:
    me = await client.account.me()
    assert type(me) is sogni.account.AccountInfo and me.username == "alice"
    balance = await client.account.refresh_balance()
    assert type(balance) is sogni.account.Balances and balance.spark.net > 0
    assert sogni_async.AsyncSogniClient is AsyncSogniClient
    with pytest.raises(sogni.ValidationError) as info:
        await client.projects.create(type="image", model_id=MODEL, steps=10_000)
    assert info.type is sogni.ValidationError
    project = await client.projects.create(type="image", model_id=MODEL)
    await project.wait(30)
    assert type(project.jobs[0].sync) is sogni.projects.Job
    reply = await client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    assert type(reply) is sogni.chat.ChatCompletionResult


@pytest.mark.asyncio
async def test_200_concurrent_projects_on_one_loop(
    fake_process: FakeProcess, blocking_on_loop: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")
    baseline = threading.active_count()
    peak = baseline
    stop = asyncio.Event()

    async def watch_threads() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, threading.active_count())
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch_threads())
    async with _client(fake_process, "async-200") as c:
        projects = await asyncio.gather(
            *(
                c.projects.create(type="image", model_id=MODEL, seed=i, positive_prompt=f"p{i}")
                for i in range(200)
            )
        )
        results = await asyncio.gather(*(p.wait(60) for p in projects))
    stop.set()
    await watcher
    assert len(results) == 200 and all(len(urls) == 1 for urls in results)
    assert len({p.id for p in projects}) == 200
    # transport + callbacks + 4 I/O workers + 8 shim threads + REST watchdog, at most.
    assert peak - baseline <= 16
    assert blocking_on_loop == []
    assert _asyncio_complaints(caplog) == []


async def _until_rendering(project: AsyncProject) -> None:
    async with contextlib.aclosing(project.events(timeout=30)) as events:
        async for event in events:
            if event.type == "progress":
                return


def _asyncio_complaints(caplog: pytest.LogCaptureFixture) -> list[str]:
    gc.collect()  # an abandoned task or future only complains when it is collected
    return [
        r.getMessage()
        for r in caplog.records
        if "never retrieved" in r.getMessage() or "destroyed" in r.getMessage()
    ]


@pytest.mark.asyncio
async def test_cancelling_the_task_leaves_the_project_running(
    slow_fake_process: FakeProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")
    async with _client(slow_fake_process, "async-cancel-task") as c:
        project = await c.projects.create(type="image", model_id=MODEL, steps=4)
        waiter = asyncio.create_task(project.wait())
        await _until_rendering(project)
        assert waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert not project.finished  # only the waiting stopped
        # The paid work goes on to the end and its result is still delivered.
        urls = await project.wait(30)
        assert len(urls) == 1
        assert project.status == "completed"
    await asyncio.sleep(0)
    assert _asyncio_complaints(caplog) == []


@pytest.mark.asyncio
async def test_project_cancel_stops_the_paid_work(
    slow_fake_process: FakeProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")
    async with _client(slow_fake_process, "async-cancel-project") as c:
        project = await c.projects.create(type="image", model_id=MODEL, steps=8)
        waiter = asyncio.create_task(project.wait())
        await _until_rendering(project)
        await project.cancel()  # confirmed by the server before it returns
        assert project.status == "canceled"
        with pytest.raises(ProjectCanceledError):
            await waiter
        with pytest.raises(ProjectCanceledError):
            await project.wait(5)
    await asyncio.sleep(0)
    assert _asyncio_complaints(caplog) == []


@pytest.mark.asyncio
async def test_async_events_and_downloads(client: AsyncSogniClient, tmp_path: Any) -> None:
    project = await client.projects.create(
        type="image", model_id=MODEL, number_of_media=2, number_of_previews=1
    )
    kinds = [event.type async for event in project.events(timeout=30)]
    assert kinds[-1] == "completed" and "preview" in kinds
    paths = await project.download(tmp_path)
    assert len(paths) == 2
    job = project.jobs[0]
    assert isinstance(job, AsyncJob) and (await job.get_result_data())[:4] == b"\x89PNG"


@pytest.mark.asyncio
async def test_local_timeout(slow_fake_process: FakeProcess) -> None:
    async with _client(slow_fake_process, "async-timeout") as c:
        project = await c.projects.create(type="image", model_id=MODEL, steps=8)
        with pytest.raises(SogniTimeoutError):
            await project.wait(timeout=0.05)
        assert not project.finished
        await project.cancel()


@pytest.mark.asyncio
async def test_aclose_leaves_no_threads(fake_process: FakeProcess) -> None:
    c = _client(fake_process, "async-close")
    await c.connect()
    await c.aclose()
    await c.aclose()
    for _ in range(300):
        if not sogni_threads():
            break
        await asyncio.sleep(0.01)
    assert sogni_threads() == []


# Every sync method's async twin, with the same signature: tests/unit/test_signature_parity.py.


@pytest.mark.asyncio
async def test_async_streaming_chat(client: AsyncSogniClient, blocking_on_loop: list[str]) -> None:
    messages = [{"role": "user", "content": "Tell me about lighthouses"}]
    stream = await client.chat.completions.create(messages=messages, stream=True)
    chunks = [chunk async for chunk in stream]
    assert chunks
    assert stream.final_result is not None
    assert "".join(c.content or "" for c in chunks) == stream.final_result.content
    reply = await client.chat.completions.create(messages=messages)
    assert reply.content
    assert blocking_on_loop == []


@pytest.mark.asyncio
async def test_an_abandoned_stream_frees_the_registry_and_threads(client: AsyncSogniClient) -> None:
    await client.connect()
    messages = [{"role": "user", "content": "Write a long story " * 20}]
    await client.chat.completions.create(messages=[{"role": "user", "content": "warm up"}])
    baseline = threading.active_count()
    async with await client.chat.completions.create(
        messages=messages, stream=True, max_tokens=2000
    ) as stream:
        async for _ in stream:
            break
    assert len(client.sync._core.registry) == 0
    assert threading.active_count() <= baseline


@pytest.mark.asyncio
async def test_async_estimates_and_create_take_every_argument_form(fake: FakeSupernet) -> None:
    wan = "wan_v2.2-14b-fp8_t2v_lightx2v"
    shape: dict[str, Any] = {"duration": 5, "fps": 16, "width": 832, "height": 480, "steps": 4}
    counts = {"reference_image_count": 2, "keyframe_count": 1}
    config = ClientConfig(
        app_id="async-estimates",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    async with AsyncSogniClient(config=config) as client:
        from_params = await client.projects.estimate_video_cost(
            VideoProjectParams(model_id=wan, **shape), **counts
        )
        from_keywords = await client.projects.estimate_video_cost(
            type="video", model_id=wan, **shape, **counts
        )
        image = await client.projects.estimate_cost(type="image", model_id=MODEL, steps=4)
        audio = await client.projects.estimate_audio_cost(
            AudioProjectParams(model_id="ace_step_1.5_turbo", duration=30)
        )
        project = await client.projects.create(
            VideoProjectParams(model_id=wan, positive_prompt="x", **shape)
        )
        assert type(project.params) is VideoProjectParams
        assert project.params is project.sync.params
        await project.wait(30)
    assert from_params == from_keywords and from_params.spark and from_params.spark > 0
    assert image.spark and image.spark > 0 and audio.spark and audio.spark > 0
    video_quotes = fake.requests("/api/v1/job-video/estimate/")
    assert [(r.query["referenceImageCount"], r.query["keyframeCount"]) for r in video_quotes] == [
        ("2", "1"),
        ("2", "1"),
    ]


@pytest.mark.asyncio
async def test_platform_tools_run_off_the_loop(
    client: AsyncSogniClient, blocking_on_loop: list[str]
) -> None:
    from sogni.chat import SogniTools, ToolCall

    image = await client.chat.tools.execute(ToolCall("c1", "generate_image", '{"prompt": "p"}'))
    assert image.success and image.media_type == "image"
    (music,) = await client.chat.tools.execute_all(
        [ToolCall("c2", "generate_music", '{"prompt": "p"}')]
    )
    assert music.success and music.media_type == "audio"
    reply = await client.chat.completions.create(
        messages=[{"role": "user", "content": "#rounds=2 generate_image then generate_music"}],
        tools=SogniTools.direct,
        auto_execute_tools=True,
    )
    assert [r.results[0].media_type for r in reply.tool_history] == ["image", "audio"]
    looped = await client.chat.tools.run(
        messages=[{"role": "user", "content": "generate_music"}], tools=[SogniTools.generate_music]
    )
    assert looped.tool_history[0].results[0].success
    assert blocking_on_loop == []


@pytest.mark.asyncio
async def test_slow_calls_never_hold_the_loop_for_50_ms(
    fake: FakeSupernet, blocking_on_loop: list[str]
) -> None:
    # Every call awaited under the heartbeat takes 0.5 s; a shim that blocked the loop for
    # any of them would show as a heartbeat that came that much too late. (The in-process
    # fake renders images with the GIL held, so rendering happens before the heartbeat.)
    stop = asyncio.Event()
    lateness: list[float] = []

    async def heartbeat() -> None:
        while not stop.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.005)
            lateness.append(time.monotonic() - before - 0.005)

    async def later(delay: float, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(delay)
        await asyncio.to_thread(fn, *args, **kwargs)  # the fake's controls block: off the loop

    config = ClientConfig(
        app_id="async-heartbeat",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    async with AsyncSogniClient(config=config) as c:
        await c.connect()
        await asyncio.to_thread(fake.hold_results)
        project = await c.projects.create(type="image", model_id=MODEL, steps=4)
        while not (project.jobs and project.jobs[0].sync.step == 4):
            await asyncio.sleep(0.01)  # rendered; the result is held back
        await asyncio.to_thread(fake.delay_next, 0.5, path="/v1/account/me")
        beating = asyncio.create_task(heartbeat())
        started = time.monotonic()
        assert (await c.account.me()).username == "alice"
        releasing = asyncio.create_task(later(0.5, fake.hold_results, False))
        assert len(await project.wait(30)) == 1
        assert time.monotonic() - started >= 1.0  # the calls really were slow
        stop.set()
        await beating
        await releasing
    assert len(lateness) >= 50
    assert max(lateness) < 0.05, sorted(lateness)[-3:]
    assert blocking_on_loop == []
