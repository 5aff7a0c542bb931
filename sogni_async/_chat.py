"""``client.chat``, awaitable: completions (streaming with ``async for``), tools, models."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from sogni._wire.fields import OMIT, Omit
from sogni.chat import (
    DEFAULT_CHAT_MODEL,
    ChatCompletionChunk,
    ChatCompletionResult,
    ChatStream,
    LLMCostEstimate,
    LLMModelInfo,
    MediaContext,
    ToolCall,
    ToolProgress,
    ToolResult,
)
from sogni.chat._params import LOOP_OPTION_NAMES
from sogni.errors import SogniError, SogniTimeoutError

from ._bridge import Bridge
from ._runs import AsyncHostedAPI, AsyncRunsAPI

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sogni._futures import SogniFuture
    from sogni.chat import ChatAPI
    from sogni.chat._params import ChatCompletionOptions, CreateOptions, Messages
    from sogni.chat._tools import ToolFunctions

    from ._client import AsyncSogniClient


class AsyncChatStream:
    """``async for chunk in stream``; ``final_result`` afterwards. Use ``async with`` or
    ``await stream.aclose()`` to stop early (as in the sync API, the job is not cancelled: the
    released protocol has no LLM cancel)."""

    def __init__(self, stream: ChatStream) -> None:
        self._stream = stream
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._waker = self._wake_from_any_thread
        stream._add_waker(self._waker)

    def _wake_from_any_thread(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._ready.set)
        except RuntimeError:
            pass  # the loop is closed

    @property
    def sync(self) -> ChatStream:
        return self._stream

    @property
    def job_id(self) -> str:
        return self._stream.job_id

    @property
    def content(self) -> str:
        return self._stream.content

    @property
    def reasoning(self) -> str:
        return self._stream.reasoning

    @property
    def tool_calls(self) -> list[ToolCall]:
        return self._stream.tool_calls

    @property
    def worker_name(self) -> str | None:
        return self._stream.worker_name

    @property
    def done(self) -> bool:
        return self._stream.done

    @property
    def future(self) -> SogniFuture[ChatCompletionResult]:
        """The sync stream's ``concurrent.futures.Future`` (``asyncio.wrap_future`` takes it)."""
        return self._stream.future

    @property
    def final_result(self) -> ChatCompletionResult | None:
        return self._stream.final_result

    def __aiter__(self) -> AsyncChatStream:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        while True:
            self._ready.clear()
            try:
                chunk = self._stream._poll()
            except StopIteration:
                self._detach()
                raise StopAsyncIteration from None
            except SogniError:
                self._detach()
                raise
            if chunk is not None:
                return chunk
            await self._sleep()

    async def _sleep(self) -> None:
        # Woken by new chunks; otherwise at the next deadline/grace check.
        try:
            await asyncio.wait_for(
                self._ready.wait(), self._stream._seconds_to_next_check() + 0.001
            )
        except asyncio.TimeoutError:
            pass

    async def wait(self, timeout: float | None = None) -> ChatCompletionResult:
        """The final result without iterating (``timeout`` limits only this wait)."""
        limit = None if timeout is None else self._loop.time() + timeout
        while True:
            self._ready.clear()
            try:
                while self._stream._poll() is not None:
                    pass  # drain: only the result matters here
            except StopIteration:
                self._detach()
                result = self._stream.final_result
                if result is None:
                    raise SogniError(
                        f"the stream of chat job {self.job_id} was closed before it ended"
                    ) from None
                return result
            except SogniError:
                self._detach()
                raise
            if limit is not None and self._loop.time() >= limit:
                raise SogniTimeoutError(f"the chat job {self.job_id} is still running")
            await self._sleep()

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading (non-blocking). Frees the stream; the job is not cancelled."""
        self._stream.close()
        self._detach()

    def _detach(self) -> None:
        self._stream._remove_waker(self._waker)

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Async{self._stream!r}"


class AsyncCompletions:
    """``client.chat.completions``, awaitable."""

    def __init__(self, chat: ChatAPI, bridge: Bridge) -> None:
        self._sync = chat.completions
        self._bridge = bridge

    @overload
    async def create(
        self,
        *,
        messages: Messages,
        stream: Literal[True],
        **options: Unpack[CreateOptions],
    ) -> AsyncChatStream: ...

    @overload
    async def create(
        self,
        *,
        messages: Messages,
        stream: Literal[False] = ...,
        **options: Unpack[CreateOptions],
    ) -> ChatCompletionResult: ...

    @overload
    async def create(
        self,
        *,
        messages: Messages,
        stream: bool,
        **options: Unpack[CreateOptions],
    ) -> AsyncChatStream | ChatCompletionResult: ...

    async def create(
        self, *, messages: Messages, stream: bool | Omit = OMIT, **options: Any
    ) -> AsyncChatStream | ChatCompletionResult:
        """Validate, prepare and send off the loop; then await the job on the loop.

        Returns a :class:`ChatCompletionResult`, or with ``stream=True`` an
        :class:`AsyncChatStream` (``async for chunk in await ...create(..., stream=True)``).
        With ``auto_execute_tools=True`` the whole tool loop runs off the event loop
        (``on_tool_call`` on the shim's worker thread)."""
        if LOOP_OPTION_NAMES & options.keys():
            result: ChatCompletionResult = await self._bridge.run(
                self._sync.create, messages=messages, stream=stream, **options
            )
            return result
        sync_stream = await self._bridge.run(
            self._sync._start, messages=messages, stream=stream, **options
        )
        stream_handle = AsyncChatStream(sync_stream)
        if stream is True:
            return stream_handle
        try:
            return await stream_handle.wait()
        finally:
            stream_handle.close()


class AsyncToolsAPI:
    """``client.chat.tools``, awaitable (the loop runs off the event loop)."""

    def __init__(self, chat: ChatAPI, bridge: Bridge) -> None:
        self._sync = chat.tools
        self._bridge = bridge

    async def execute(
        self,
        call: ToolCall | Mapping[str, Any],
        *,
        media_context: MediaContext | None = None,
        token_type: str | None = None,
        network: str | None = None,
        number_of_media: int | None = None,
        timeout: float | None = None,
        on_progress: Callable[[ToolProgress], Any] | None = None,
    ) -> ToolResult:
        """Run one Sogni platform tool call (see the sync ``execute``); the wait for its project
        runs off the event loop. Cancelling the awaiting task stops only the waiting."""
        return await self._bridge.run(
            self._sync.execute,
            call,
            media_context=media_context,
            token_type=token_type,
            network=network,
            number_of_media=number_of_media,
            timeout=timeout,
            on_progress=on_progress,
        )

    async def execute_all(
        self,
        calls: Sequence[ToolCall | Mapping[str, Any]],
        *,
        functions: ToolFunctions | None = None,
        on_tool_call: Callable[[ToolCall], Any] | None = None,
        on_tool_progress: Callable[[ToolCall, ToolProgress], Any] | None = None,
        media_context: MediaContext | None = None,
        token_type: str | None = None,
        network: str | None = None,
        number_of_media: int | None = None,
        timeout: float | None = None,
    ) -> list[ToolResult]:
        """Run one model turn's tool calls in order (see the sync ``execute_all``); your
        ``functions`` and ``on_tool_call`` run on the shim's worker thread."""
        return await self._bridge.run(
            self._sync.execute_all,
            calls,
            functions=functions,
            on_tool_call=on_tool_call,
            on_tool_progress=on_tool_progress,
            media_context=media_context,
            token_type=token_type,
            network=network,
            number_of_media=number_of_media,
            timeout=timeout,
        )

    async def run(
        self,
        *,
        messages: Sequence[Mapping[str, Any]],
        functions: ToolFunctions | None = None,
        max_rounds: int = 5,
        on_tool_call: Callable[[ToolCall], Any] | None = None,
        on_tool_progress: Callable[[ToolCall, ToolProgress], Any] | None = None,
        **options: Unpack[ChatCompletionOptions],
    ) -> ChatCompletionResult:
        """Your ``functions`` and ``on_tool_call`` run on the shim's worker threads, not on
        the event loop."""
        return await self._bridge.run(
            self._sync.run,
            messages=messages,
            functions=functions,
            max_rounds=max_rounds,
            on_tool_call=on_tool_call,
            on_tool_progress=on_tool_progress,
            **options,
        )


class AsyncChatAPI:
    """``client.chat``, awaitable."""

    def __init__(self, client: AsyncSogniClient) -> None:
        self._bridge = client._bridge
        self._sync: ChatAPI = client._sync.chat
        self.completions = AsyncCompletions(self._sync, self._bridge)
        self.tools = AsyncToolsAPI(self._sync, self._bridge)
        self.hosted = AsyncHostedAPI(self._sync, self._bridge)
        self.runs = AsyncRunsAPI(self._sync, self._bridge)

    @property
    def models(self) -> dict[str, LLMModelInfo]:
        return self._sync.models

    async def wait_for_models(self, timeout: float | None = None) -> dict[str, LLMModelInfo]:
        return await self._bridge.run(self._sync.wait_for_models, timeout)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self._sync.on(event, fn)

    async def estimate_cost(
        self,
        *,
        messages: Messages,
        model: str = DEFAULT_CHAT_MODEL,
        max_tokens: int | None = None,
        token_type: Literal["sogni", "spark"] = "sogni",
        think: bool | None = None,
        task_profile: Literal["general", "coding", "reasoning"] | None = None,
        downscale_images: bool = False,
    ) -> LLMCostEstimate:
        return await self._bridge.run(
            self._sync.estimate_cost,
            messages=messages,
            model=model,
            max_tokens=max_tokens,
            token_type=token_type,
            think=think,
            task_profile=task_profile,
            downscale_images=downscale_images,
        )
