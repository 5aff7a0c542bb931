"""``client.chat.hosted`` and ``client.chat.runs``, awaitable, and the ``ChatRun`` handle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from sogni._wire.fields import OMIT, Omit
from sogni.chat import (
    ChatRun,
    ChatRunEvent,
    ChatRunEventStream,
    ChatRunRecord,
    ChatRunStatus,
    ChatRunWaiting,
    HostedChatCompletion,
    HostedToolResult,
    MediaContext,
)

from ._bridge import Bridge
from ._durable import AsyncHandle, AsyncTrackerEvents, AsyncTrackerStream, wait_for_end

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sogni._futures import SogniFuture
    from sogni.chat import ChatAPI
    from sogni.chat._params import ChatCompletionOptions, Messages
    from sogni.chat._rest_common import AttributionInput

__all__ = [
    "AsyncChatRun",
    "AsyncChatRunEventIterator",
    "AsyncChatRunEventStream",
    "AsyncHostedAPI",
    "AsyncRunsAPI",
]


class AsyncHostedAPI:
    """``client.chat.hosted``, awaitable (each call runs off the event loop)."""

    def __init__(self, chat: ChatAPI, bridge: Bridge) -> None:
        self._sync = chat.hosted
        self._bridge = bridge

    async def create(
        self,
        *,
        messages: Messages,
        stream: bool | Omit = OMIT,
        media_references: list[Any] | None = None,
        api_media_references: list[Any] | None = None,
        attribution: AttributionInput | None = None,
        **options: Unpack[ChatCompletionOptions],
    ) -> HostedChatCompletion:
        return await self._bridge.run(
            self._sync.create,
            messages=messages,
            stream=stream,
            media_references=media_references,
            api_media_references=api_media_references,
            attribution=attribution,
            **options,
        )

    async def execute_tool(
        self,
        tool: str,
        arguments: Mapping[str, Any],
        *,
        app_source: str | None = None,
        token_type: Literal["sogni", "spark", "auto"] | None = None,
        safe_content_filter: bool | None = None,
        attribution: AttributionInput | None = None,
        timeout: float | None = None,
    ) -> HostedToolResult:
        return await self._bridge.run(
            self._sync.execute_tool,
            tool,
            arguments,
            app_source=app_source,
            token_type=token_type,
            safe_content_filter=safe_content_filter,
            attribution=attribution,
            timeout=timeout,
        )


class AsyncChatRunEventIterator(AsyncTrackerEvents[ChatRunEvent]):
    """The async iterator of ``AsyncChatRun.events``, subscribed from the moment it is made
    (it must be made on the event loop's thread)."""

    def __aiter__(self) -> AsyncChatRunEventIterator:
        return self

    async def __anext__(self) -> ChatRunEvent:
        return await super().__anext__()

    def close(self) -> None:
        """Stop listening; the iterator ends (the run goes on)."""
        super().close()

    async def __aenter__(self) -> AsyncChatRunEventIterator:
        return self


class AsyncChatRun(AsyncHandle[ChatRun]):
    """A :class:`sogni.chat.ChatRun` you can await."""

    @property
    def status(self) -> ChatRunStatus:
        return self._run.status

    @property
    def waiting(self) -> ChatRunWaiting | None:
        return self._run.waiting

    @property
    def record(self) -> ChatRunRecord:
        return self._run.record

    @property
    def future(self) -> SogniFuture[ChatRunRecord]:
        return self._run.future

    async def wait(self, timeout: float | None = None) -> ChatRunRecord:
        """As the sync ``wait``, without blocking the loop: the final record, a
        ``ChatRunError``, or ``ChatRunWaitingError`` when the run waits for its user.
        Cancelling the awaiting task (or a timeout) stops only the waiting."""
        return await wait_for_end(self._run._tracker, timeout)

    def events(self, timeout: float | None = None) -> AsyncChatRunEventIterator:
        return AsyncChatRunEventIterator(self._run, timeout)

    async def refresh(self) -> ChatRunRecord:
        return await self._bridge.run(self._run.refresh)

    async def cancel(self, reason: str | None = None) -> ChatRunRecord:
        return await self._bridge.run(self._run.cancel, reason)

    async def confirm_cost(
        self,
        accept: bool = True,
        *,
        overrides: dict[str, Any] | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRunRecord:
        return await self._bridge.run(
            self._run.confirm_cost,
            accept,
            overrides=overrides,
            reason=reason,
            idempotency_key=idempotency_key,
        )


class AsyncChatRunEventStream(AsyncTrackerStream[ChatRunEventStream, ChatRunEvent]):
    """``async for event in client.chat.runs.stream_events(run_id)``: each read runs on the
    shim's worker threads; ``close()`` cuts the connection at once."""

    @property
    def run_id(self) -> str:
        return self._stream.run_id

    def __aiter__(self) -> AsyncChatRunEventStream:
        return self

    async def __anext__(self) -> ChatRunEvent:
        return await super().__anext__()

    def close(self) -> None:
        """Stop reading (non-blocking; the run goes on)."""
        super().close()

    async def __aenter__(self) -> AsyncChatRunEventStream:
        return self


class AsyncRunsAPI:
    """``client.chat.runs``, awaitable."""

    def __init__(self, chat: ChatAPI, bridge: Bridge) -> None:
        self._sync = chat.runs
        self._bridge = bridge

    async def create(
        self,
        *,
        messages: Messages,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        model: str | None = None,
        sampling: Mapping[str, Any] | None = None,
        media_references: Sequence[Mapping[str, Any]] | None = None,
        media_context: MediaContext | Mapping[str, Any] | None = None,
        max_estimated_capacity_units: float | None = None,
        confirm_cost: bool | None = None,
        session_id: str | None = None,
        client_message_id: str | None = None,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        runtime_config: Mapping[str, Any] | None = None,
        attribution: AttributionInput | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncChatRun:
        run = await self._bridge.run(
            self._sync.create,
            messages=messages,
            tools=tools,
            tool_choice=tool_choice,
            model=model,
            sampling=sampling,
            media_references=media_references,
            media_context=media_context,
            max_estimated_capacity_units=max_estimated_capacity_units,
            confirm_cost=confirm_cost,
            session_id=session_id,
            client_message_id=client_message_id,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=app_source,
            runtime_config=runtime_config,
            attribution=attribution,
            idempotency_key=idempotency_key,
        )
        return AsyncChatRun(run, self._bridge)

    async def get(self, run_id: str) -> AsyncChatRun:
        return AsyncChatRun(await self._bridge.run(self._sync.get, run_id), self._bridge)

    async def cancel(self, run_id: str, reason: str | None = None) -> ChatRunRecord:
        return await self._bridge.run(self._sync.cancel, run_id, reason)

    async def confirm_cost(
        self,
        run_id: str,
        *,
        tool_call_id: str,
        decision: Literal["confirm", "cancel"] = "confirm",
        accepted_cost_preview: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> ChatRunRecord:
        return await self._bridge.run(
            self._sync.confirm_cost,
            run_id,
            tool_call_id=tool_call_id,
            decision=decision,
            accepted_cost_preview=accepted_cost_preview,
            overrides=overrides,
            reason=reason,
            idempotency_key=idempotency_key,
        )

    def stream_events(
        self, run_id: str, *, last_event_id: int | None = None
    ) -> AsyncChatRunEventStream:
        return AsyncChatRunEventStream(
            self._sync.stream_events(run_id, last_event_id=last_event_id), self._bridge
        )
