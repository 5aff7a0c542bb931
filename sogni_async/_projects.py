"""``client.projects`` and project handles, awaitable."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, overload

from sogni.errors import SogniError, SogniTimeoutError
from sogni.projects import (
    AudioProjectParams,
    AvailableModel,
    CostEstimate,
    ImageProjectParams,
    Job,
    JobStatus,
    ModelOptions,
    Project,
    ProjectEvent,
    ProjectStatus,
    ProjectStatusSnapshot,
    SizePreset,
    SupportedModel,
    VideoProjectParams,
)
from sogni.projects._kwargs import ParamsT_co

from ._bridge import Bridge, QueueBridge, wait

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sogni._futures import SogniFuture
    from sogni.projects import (
        AudioProjectKwargs,
        ImageProjectKwargs,
        ProjectParams,
        ProjectsAPI,
        VideoProjectKwargs,
    )
    from sogni.projects.handles import QueueStatus

    from ._client import AsyncSogniClient


class AsyncJob:
    """A :class:`sogni.projects.Job`, with its blocking methods awaitable."""

    def __init__(self, job: Job, bridge: Bridge) -> None:
        self._job = job
        self._bridge = bridge

    @property
    def sync(self) -> Job:
        return self._job

    # ------------------------------------------------------------------ state (the sync job's)

    @property
    def id(self) -> str:
        return self._job.id

    @property
    def project_id(self) -> str:
        return self._job.project_id

    @property
    def job_index(self) -> int | None:
        return self._job.job_index

    @property
    def status(self) -> JobStatus:
        return self._job.status

    @property
    def finished(self) -> bool:
        return self._job.finished

    @property
    def step(self) -> int:
        return self._job.step

    @property
    def step_count(self) -> int:
        return self._job.step_count

    @property
    def progress(self) -> int:
        return self._job.progress

    @property
    def eta(self) -> datetime | None:
        return self._job.eta

    @property
    def eta_seconds(self) -> int | None:
        return self._job.eta_seconds

    @property
    def eta_range(self) -> tuple[float, float] | None:
        return self._job.eta_range

    @property
    def worker_name(self) -> str | None:
        return self._job.worker_name

    @property
    def seed(self) -> int | None:
        return self._job.seed

    @property
    def preview_url(self) -> str | None:
        return self._job.preview_url

    @property
    def result_url(self) -> str | None:
        return self._job.result_url

    @property
    def last_frame_url(self) -> str | None:
        return self._job.last_frame_url

    @property
    def output_format(self) -> str | None:
        return self._job.output_format

    @property
    def is_nsfw(self) -> bool:
        return self._job.is_nsfw

    @property
    def nsfw_detected(self) -> bool:
        return self._job.nsfw_detected

    @property
    def nsfw_sources(self) -> tuple[str, ...]:
        return self._job.nsfw_sources

    @property
    def is_withheld(self) -> bool:
        return self._job.is_withheld

    @property
    def has_result_media(self) -> bool:
        return self._job.has_result_media

    @property
    def error(self) -> SogniError | None:
        return self._job.error

    @property
    def type(self) -> str:
        return self._job.type

    # ------------------------------------------------------------------ results (awaitable)

    async def get_result_url(self) -> str:
        return await self._bridge.run(self._job.get_result_url)

    async def refresh_result_url(self) -> str:
        return await self._bridge.run(self._job.refresh_result_url)

    async def download(self, path: str | os.PathLike[str], *, timeout: float | None = None) -> Path:
        return await self._bridge.run(self._job.download, path, timeout=timeout)

    async def get_result_data(self, *, timeout: float | None = None) -> bytes:
        return await self._bridge.run(self._job.get_result_data, timeout=timeout)

    async def enhance(self, strength: str = "medium", **overrides: Any) -> str:
        return await self._bridge.run(self._job.enhance, strength, **overrides)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Same as ``Job.on``: ``fn`` runs on the callback worker thread."""
        return self._job.on(event, fn)

    def __repr__(self) -> str:
        return f"Async{self._job!r}"


class AsyncEventIterator(AsyncIterator[ProjectEvent]):
    """The async iterator of ``AsyncProject.events``, subscribed from the moment it is made
    (it must be made on the event loop's thread)."""

    def __init__(self, project: Project, timeout: float | None) -> None:
        tracker: Any = project._tracker  # duck-typed: the bridge acts as a queue
        self._tracker = tracker
        self._project_id = project.id
        self._timeout = timeout
        self._bridge: QueueBridge[ProjectEvent] = QueueBridge(
            asyncio.get_running_loop(), keep=lambda event: event.is_final
        )
        tracker.add_subscriber(self._bridge)

    def __aiter__(self) -> AsyncEventIterator:
        return self

    async def __anext__(self) -> ProjectEvent:
        if self._tracker is None:
            raise StopAsyncIteration
        try:
            event = await asyncio.wait_for(self._bridge.queue.get(), self._timeout)
        except asyncio.TimeoutError:
            raise SogniTimeoutError(
                f"no event from project {self._project_id} within {self._timeout}s"
            ) from None
        if event.is_final:
            self.close()
        return event

    def close(self) -> None:
        """Stop listening; the iterator ends."""
        tracker, self._tracker = self._tracker, None
        if tracker is not None:
            tracker.remove_subscriber(self._bridge)

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> AsyncEventIterator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class AsyncProject(Generic[ParamsT_co]):
    """A :class:`sogni.projects.Project` you can await (generic in its params, as it is)."""

    def __init__(self, project: Project[ParamsT_co], bridge: Bridge) -> None:
        self._project = project
        self._bridge = bridge

    @property
    def sync(self) -> Project[ParamsT_co]:
        return self._project

    # ------------------------------------------------------------------ state (non-blocking)

    @property
    def id(self) -> str:
        return self._project.id

    @property
    def type(self) -> str:
        return self._project.type

    @property
    def params(self) -> ParamsT_co:
        return self._project.params

    @property
    def recovered(self) -> bool:
        return self._project.recovered

    @property
    def future(self) -> SogniFuture[list[str]]:
        return self._project.future

    @property
    def status(self) -> ProjectStatus:
        return self._project.status

    @property
    def finished(self) -> bool:
        return self._project.finished

    @property
    def progress(self) -> int:
        return self._project.progress

    @property
    def queue_position(self) -> int:
        return self._project.queue_position

    @property
    def queue_status(self) -> QueueStatus | None:
        return self._project.queue_status

    @property
    def estimated_start_at(self) -> datetime | None:
        return self._project.estimated_start_at

    @property
    def eta(self) -> datetime | None:
        return self._project.eta

    @property
    def jobs(self) -> list[AsyncJob]:
        return [AsyncJob(j, self._bridge) for j in self._project.jobs]

    def job(self, job_id: str) -> AsyncJob | None:
        job = self._project.job(job_id)
        return None if job is None else AsyncJob(job, self._bridge)

    @property
    def result_urls(self) -> list[str]:
        return self._project.result_urls

    @property
    def error(self) -> SogniError | None:
        return self._project.error

    @property
    def cost_actual(self) -> Decimal | None:
        return self._project.cost_actual

    async def refresh(self) -> None:
        await self._bridge.run(self._project.refresh)

    # ------------------------------------------------------------------ awaiting

    async def wait(self, timeout: float | None = None) -> list[str]:
        """Wait for the result URLs. Cancelling the awaiting task, or a timeout, only stops
        the waiting: the project keeps running (``await project.cancel()`` stops it)."""
        try:
            return await asyncio.wait_for(wait(self._project.future), timeout)
        except asyncio.TimeoutError:
            if self._project.future.done():
                raise  # the project itself failed with a timeout error
            raise SogniTimeoutError(
                f"project {self.id} is still running after {timeout}s (wait() does not cancel it)"
            ) from None

    async def cancel(self, timeout: float | None = None) -> None:
        await self._bridge.run(self._project.cancel, timeout)

    async def download(
        self, directory: str | os.PathLike[str], *, timeout: float | None = None
    ) -> list[Path]:
        await self.wait()
        return await self._bridge.run(self._project.download, directory, timeout=timeout)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """As ``Project.on``: ``fn`` runs on the SDK's callback worker thread."""
        return self._project.on(event, fn)

    def events(self, timeout: float | None = None) -> AsyncEventIterator:
        """``async for event in project.events()``, ending after the final event. As in the
        sync API, the subscription starts with this call."""
        return AsyncEventIterator(self._project, timeout)

    def __repr__(self) -> str:
        return f"Async{self._project!r}"


class AsyncProjectsAPI:
    """``client.projects``, awaitable."""

    def __init__(self, client: AsyncSogniClient) -> None:
        self._bridge = client._bridge
        self._sync: ProjectsAPI = client._sync.projects

    def _wrap(self, project: Project) -> AsyncProject:
        return AsyncProject(project, self._bridge)

    # ``self, /`` in the keyword overloads: see ``ProjectsAPI.create``.
    @overload
    async def create(
        self, params: ImageProjectParams, /, *, project_id: str | None = None
    ) -> AsyncProject[ImageProjectParams]: ...

    @overload
    async def create(
        self, params: VideoProjectParams, /, *, project_id: str | None = None
    ) -> AsyncProject[VideoProjectParams]: ...

    @overload
    async def create(
        self, params: AudioProjectParams, /, *, project_id: str | None = None
    ) -> AsyncProject[AudioProjectParams]: ...

    @overload
    async def create(
        self,
        /,
        *,
        type: Literal["image"] = "image",
        project_id: str | None = None,
        **kwargs: Unpack[ImageProjectKwargs],
    ) -> AsyncProject[ImageProjectParams]: ...

    @overload
    async def create(
        self,
        /,
        *,
        type: Literal["video"],
        project_id: str | None = None,
        **kwargs: Unpack[VideoProjectKwargs],
    ) -> AsyncProject[VideoProjectParams]: ...

    @overload
    async def create(
        self,
        /,
        *,
        type: Literal["audio"],
        project_id: str | None = None,
        **kwargs: Unpack[AudioProjectKwargs],
    ) -> AsyncProject[AudioProjectParams]: ...

    async def create(
        self,
        params: ProjectParams | None = None,
        /,
        *,
        type: str | None = None,
        project_id: str | None = None,
        **kwargs: Any,
    ) -> AsyncProject[Any]:
        """Validate, upload and send (off the loop); returns once the request is queued."""
        project: Project[Any] = await self._bridge.run(
            self._sync.create, params, type=type, project_id=project_id, **kwargs
        )
        return AsyncProject(project, self._bridge)

    async def get(self, project_id: str) -> AsyncProject:
        return self._wrap(await self._bridge.run(self._sync.get, project_id))

    @property
    def tracked(self) -> list[AsyncProject]:
        return [self._wrap(p) for p in self._sync.tracked]

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        return self._sync.on(event, fn)

    async def cancel(self, project_id: str, *, timeout: float | None = None) -> None:
        await self._bridge.run(self._sync.cancel, project_id, timeout=timeout)

    async def get_status(self, project_id: str) -> ProjectStatusSnapshot:
        return await self._bridge.run(self._sync.get_status, project_id)

    async def get_available_models(self, network: str | None = None) -> list[AvailableModel]:
        return await self._bridge.run(self._sync.get_available_models, network)

    async def supported_models(self, *, refresh: bool = False) -> list[SupportedModel]:
        return await self._bridge.run(self._sync.supported_models, refresh=refresh)

    async def model_options(self, model_id: str) -> ModelOptions:
        return await self._bridge.run(self._sync.model_options, model_id)

    async def model_tiers(self, *, refresh: bool = False) -> dict[str, Any]:
        return await self._bridge.run(self._sync.model_tiers, refresh=refresh)

    @property
    def available_models(self) -> list[AvailableModel]:
        """As the sync property: the last list the server pushed, read without network I/O."""
        return self._sync.available_models

    async def wait_for_models(self, timeout: float | None = None) -> list[AvailableModel]:
        return await self._bridge.run(self._sync.wait_for_models, timeout)

    async def size_presets(self, model_id: str, *, network: str | None = None) -> list[SizePreset]:
        return await self._bridge.run(self._sync.size_presets, model_id, network=network)

    async def loras(self, model_id: str | None = None) -> Any:
        return await self._bridge.run(self._sync.loras, model_id)

    @overload
    async def estimate_cost(self, params: ImageProjectParams, /) -> CostEstimate: ...

    @overload
    async def estimate_cost(
        self, /, *, type: Literal["image"] = "image", **kwargs: Unpack[ImageProjectKwargs]
    ) -> CostEstimate: ...

    async def estimate_cost(
        self, params: ImageProjectParams | None = None, /, *, type: str | None = None, **kwargs: Any
    ) -> CostEstimate:
        return await self._bridge.run(self._sync.estimate_cost, params, type=type, **kwargs)

    @overload
    async def estimate_video_cost(
        self,
        params: VideoProjectParams,
        /,
        *,
        source_width: int | None = None,
        source_height: int | None = None,
        reference_image_count: int | None = None,
        reference_video_count: int | None = None,
        reference_video_duration_seconds: float | None = None,
        keyframe_count: int | None = None,
    ) -> CostEstimate: ...

    @overload
    async def estimate_video_cost(
        self,
        /,
        *,
        type: Literal["video"] = "video",
        source_width: int | None = None,
        source_height: int | None = None,
        reference_image_count: int | None = None,
        reference_video_count: int | None = None,
        reference_video_duration_seconds: float | None = None,
        keyframe_count: int | None = None,
        **kwargs: Unpack[VideoProjectKwargs],
    ) -> CostEstimate: ...

    async def estimate_video_cost(
        self,
        params: VideoProjectParams | None = None,
        /,
        *,
        source_width: int | None = None,
        source_height: int | None = None,
        reference_image_count: int | None = None,
        reference_video_count: int | None = None,
        reference_video_duration_seconds: float | None = None,
        keyframe_count: int | None = None,
        **kwargs: Any,
    ) -> CostEstimate:
        return await self._bridge.run(
            self._sync.estimate_video_cost,
            params,
            source_width=source_width,
            source_height=source_height,
            reference_image_count=reference_image_count,
            reference_video_count=reference_video_count,
            reference_video_duration_seconds=reference_video_duration_seconds,
            keyframe_count=keyframe_count,
            **kwargs,
        )

    @overload
    async def estimate_audio_cost(self, params: AudioProjectParams, /) -> CostEstimate: ...

    @overload
    async def estimate_audio_cost(
        self, /, *, type: Literal["audio"] = "audio", **kwargs: Unpack[AudioProjectKwargs]
    ) -> CostEstimate: ...

    async def estimate_audio_cost(
        self, params: AudioProjectParams | None = None, /, **kwargs: Any
    ) -> CostEstimate:
        return await self._bridge.run(self._sync.estimate_audio_cost, params, **kwargs)
