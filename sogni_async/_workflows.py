"""``client.workflows`` and ``client.workflows.templates``, awaitable, and the ``WorkflowRun``
handle."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from sogni.workflows import (
    ReseedResult,
    ResumeResult,
    TemplatePage,
    WorkflowArtifact,
    WorkflowEvent,
    WorkflowEventStream,
    WorkflowRecord,
    WorkflowRun,
    WorkflowStatus,
    WorkflowTemplate,
)

from ._bridge import Bridge
from ._durable import AsyncHandle, AsyncTrackerEvents, AsyncTrackerStream, wait_for_end

if TYPE_CHECKING:
    from sogni._futures import SogniFuture
    from sogni.chat._rest_common import AttributionInput
    from sogni.workflows import TemplatesAPI, WorkflowsAPI

__all__ = [
    "AsyncTemplatesAPI",
    "AsyncWorkflowEventIterator",
    "AsyncWorkflowEventStream",
    "AsyncWorkflowRun",
    "AsyncWorkflowsAPI",
]


class AsyncWorkflowEventIterator(AsyncTrackerEvents[WorkflowEvent]):
    """The async iterator of ``AsyncWorkflowRun.events``, subscribed from the moment it is made
    (it must be made on the event loop's thread)."""

    def __aiter__(self) -> AsyncWorkflowEventIterator:
        return self

    async def __anext__(self) -> WorkflowEvent:
        return await super().__anext__()

    def close(self) -> None:
        """Stop listening; the iterator ends (the workflow goes on)."""
        super().close()

    async def __aenter__(self) -> AsyncWorkflowEventIterator:
        return self


class AsyncWorkflowRun(AsyncHandle[WorkflowRun]):
    """A :class:`sogni.workflows.WorkflowRun` you can await."""

    @property
    def status(self) -> WorkflowStatus:
        return self._run.status

    @property
    def record(self) -> WorkflowRecord:
        return self._run.record

    @property
    def outputs(self) -> tuple[WorkflowArtifact, ...]:
        return self._run.outputs

    @property
    def result_urls(self) -> list[str]:
        return self._run.result_urls

    @property
    def future(self) -> SogniFuture[WorkflowRecord]:
        return self._run.future

    async def wait(self, timeout: float | None = None) -> WorkflowRecord:
        """As the sync ``wait``, without blocking the loop. Cancelling the awaiting task (or a
        timeout) stops only the waiting."""
        return await wait_for_end(self._run._tracker, timeout)

    def events(self, timeout: float | None = None) -> AsyncWorkflowEventIterator:
        return AsyncWorkflowEventIterator(self._run, timeout)

    async def refresh(self) -> WorkflowRecord:
        return await self._bridge.run(self._run.refresh)

    async def cancel(self) -> WorkflowRecord:
        return await self._bridge.run(self._run.cancel)

    async def resume(self) -> AsyncWorkflowRun:
        run = await self._bridge.run(self._run.resume)
        return self if run is self._run else AsyncWorkflowRun(run, self._bridge)


class AsyncWorkflowEventStream(AsyncTrackerStream[WorkflowEventStream, WorkflowEvent]):
    """``async for event in client.workflows.stream_events(workflow_id)``: each read runs on
    the shim's worker threads; ``close()`` cuts the connection at once."""

    @property
    def workflow_id(self) -> str:
        return self._stream.workflow_id

    def __aiter__(self) -> AsyncWorkflowEventStream:
        return self

    async def __anext__(self) -> WorkflowEvent:
        return await super().__anext__()

    def close(self) -> None:
        """Stop reading (non-blocking; the workflow goes on)."""
        super().close()

    async def __aenter__(self) -> AsyncWorkflowEventStream:
        return self


class AsyncTemplatesAPI:
    """``client.workflows.templates``, awaitable."""

    def __init__(self, templates: TemplatesAPI, bridge: Bridge) -> None:
        self._sync = templates
        self._bridge = bridge

    async def list(
        self,
        *,
        visibility: Literal["own", "public", "all"] | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> TemplatePage:
        return await self._bridge.run(
            self._sync.list, visibility=visibility, offset=offset, limit=limit
        )

    async def get(self, template_id: str) -> WorkflowTemplate:
        return await self._bridge.run(self._sync.get, template_id)

    async def create(self, template: Mapping[str, Any]) -> WorkflowTemplate:
        return await self._bridge.run(self._sync.create, template)

    async def update(self, template_id: str, patch: Mapping[str, Any]) -> WorkflowTemplate:
        return await self._bridge.run(self._sync.update, template_id, patch)

    async def delete(self, template_id: str) -> None:
        await self._bridge.run(self._sync.delete, template_id)

    async def fork(self, template_id: str, *, new_name: str | None = None) -> WorkflowTemplate:
        return await self._bridge.run(self._sync.fork, template_id, new_name=new_name)


class AsyncWorkflowsAPI:
    """``client.workflows``, awaitable."""

    def __init__(self, workflows: WorkflowsAPI, bridge: Bridge) -> None:
        self._sync = workflows
        self._bridge = bridge
        self.templates = AsyncTemplatesAPI(workflows.templates, bridge)

    async def start(
        self,
        *,
        input: Mapping[str, Any] | None = None,
        workflow_id: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        media_references: Sequence[Mapping[str, Any]] | None = None,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        max_estimated_capacity_units: float | None = None,
        confirm_cost: bool | None = None,
        safe_content_filter: bool | None = None,
        attribution: AttributionInput | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncWorkflowRun:
        run = await self._bridge.run(
            self._sync.start,
            input=input,
            workflow_id=workflow_id,
            inputs=inputs,
            media_references=media_references,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=app_source,
            max_estimated_capacity_units=max_estimated_capacity_units,
            confirm_cost=confirm_cost,
            safe_content_filter=safe_content_filter,
            attribution=attribution,
            idempotency_key=idempotency_key,
        )
        return AsyncWorkflowRun(run, self._bridge)

    async def list(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> list[WorkflowRecord]:
        return await self._bridge.run(self._sync.list, limit=limit, offset=offset)

    async def get(self, workflow_id: str) -> AsyncWorkflowRun:
        return AsyncWorkflowRun(await self._bridge.run(self._sync.get, workflow_id), self._bridge)

    async def events(self, workflow_id: str) -> builtins.list[WorkflowEvent]:
        return await self._bridge.run(self._sync.events, workflow_id)

    def stream_events(
        self, workflow_id: str, *, after: int | None = None
    ) -> AsyncWorkflowEventStream:
        return AsyncWorkflowEventStream(
            self._sync.stream_events(workflow_id, after=after), self._bridge
        )

    async def resume(
        self,
        workflow_id: str,
        *,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        attribution: AttributionInput | None = None,
    ) -> ResumeResult:
        return await self._bridge.run(
            self._sync.resume,
            workflow_id,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=app_source,
            attribution=attribution,
        )

    async def reseed(
        self,
        workflow_id: str,
        *,
        seed_overrides: Mapping[str, int] | None = None,
        token_type: Literal["sogni", "spark"] | None = None,
        billing_mode: Literal["auto", "subscription", "tokens"] | None = None,
        app_source: str | None = None,
        attribution: AttributionInput | None = None,
        idempotency_key: str | None = None,
    ) -> ReseedResult:
        return await self._bridge.run(
            self._sync.reseed,
            workflow_id,
            seed_overrides=seed_overrides,
            token_type=token_type,
            billing_mode=billing_mode,
            app_source=app_source,
            attribution=attribution,
            idempotency_key=idempotency_key,
        )

    async def cancel(self, workflow_id: str) -> WorkflowRecord:
        return await self._bridge.run(self._sync.cancel, workflow_id)
