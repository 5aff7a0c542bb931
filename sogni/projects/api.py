"""``client.projects``: create and follow projects, the model catalog, cost estimates."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import quote

import attrs

from .._events import check_event
from .._wire.fields import wire
from ..errors import NotFoundError, ValidationError, ValidationProblem
from ._build import build_job_request
from ._by_id import ProjectStatusSnapshot, available_models_of, cancel_by_id, status_of
from ._estimate import audio_estimate_path, image_estimate_path, video_estimate_path
from ._service import API_EVENTS, ProjectsService, rebuild_from_record
from ._tracker import ProjectTracker
from ._uploads import upload_media
from ._validation import validate
from .catalog import LoraCatalog, SizePreset
from .handles import Project
from .params import AudioProjectParams, ImageProjectParams, VideoProjectParams, make_params

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Unpack

    from .._core_protocols import Converting, ProjectsAPICore
    from ..config import ClientConfig
    from ._kwargs import AudioProjectKwargs, ImageProjectKwargs, VideoProjectKwargs
    from .catalog import AvailableModel, ModelOptions, SupportedModel
    from .params import ProjectParams

__all__ = ["CostEstimate", "ProjectsAPI", "new_project_id"]


def new_project_id() -> str:
    """A new project id: an upper-case UUID v4, as the official clients mint them. Pass it to
    ``projects.create(..., project_id=...)`` to know a project's id before it is sent."""
    return str(uuid.uuid4()).upper()


def _checked_project_id(project_id: str) -> str:
    try:
        return str(uuid.UUID(project_id)).upper()
    except (ValueError, TypeError, AttributeError):
        raise ValidationError(
            [ValidationProblem("project_id", "must be a UUID such as new_project_id() returns")]
        ) from None


@attrs.frozen
class _Quote:
    cost_in_token: Decimal = wire("costInToken", default=Decimal(0))
    cost_in_usd: Decimal = wire("costInUSD", default=Decimal(0))
    cost_in_spark: Decimal | None = wire("costInSpark", default=None)
    cost_in_sogni: Decimal | None = wire("costInSogni", default=None)


@attrs.frozen
class CostEstimate:
    """What a project would cost, as ``Decimal``."""

    token: Decimal
    usd: Decimal
    spark: Decimal | None
    sogni: Decimal | None
    estimated_render_seconds: float | None = None
    estimated_total_seconds: float | None = None
    daily_fair_use_pct: float | None = None

    @classmethod
    def from_response(cls, core: Converting, data: Any) -> CostEstimate:
        quote = (data or {}).get("quote", {}) if isinstance(data, dict) else {}
        project = core.structure(quote.get("project") or {}, _Quote)
        benchmark = data.get("benchmark") or {} if isinstance(data, dict) else {}
        fair = data.get("dailyFairUse") or {} if isinstance(data, dict) else {}
        return cls(
            token=project.cost_in_token,
            usd=project.cost_in_usd,
            spark=project.cost_in_spark,
            sogni=project.cost_in_sogni,
            estimated_render_seconds=benchmark.get("estimatedRenderTimeSec"),
            estimated_total_seconds=benchmark.get("estimatedTotalTimeSec"),
            daily_fair_use_pct=fair.get("pct"),
        )


def create_project(
    service: ProjectsService,
    config: ClientConfig,
    type_: str | None,
    raw: Any,
    *,
    project_id: str | None = None,
) -> Project:
    """Validate, upload, build and send. Nothing is uploaded or sent if the input is invalid."""
    core = service.core
    core.check()
    job_id = new_project_id() if project_id is None else _checked_project_id(project_id)
    if service.lookup(job_id) is not None:
        raise ValidationError([ValidationProblem("project_id", "is already a project in flight")])
    params = make_params(type_ or "image", **raw) if isinstance(raw, dict) else raw
    catalog = service.catalog(config)
    slots = validate(params, catalog)
    core.require_transport()
    core.start_socket_for_work()
    upload_media(core.rest, config, job_id, slots)
    request = build_job_request(
        params, job_id=job_id, catalog=catalog, app_source=config.app_source, slots=slots
    )
    tracker = ProjectTracker(
        service,
        job_id,
        params=params,
        media=catalog.media_of(params.model_id),
        request=request,
        number_of_media=int(request.get("numberOfImages") or 1),
        steps=getattr(params, "steps", None),
        output_format=request.get("outputFormat"),
        network=request.get("network"),
    )
    service.track(tracker)
    tracker.submit()
    return tracker.handle


class ProjectsAPI:
    """``client.projects``."""

    def __init__(self, core: ProjectsAPICore, config: ClientConfig) -> None:
        self._core = core
        self._config = config

    @property
    def _service(self) -> ProjectsService:
        return self._core.extension("projects", ProjectsService)

    # ------------------------------------------------------------------ projects

    # The keyword overloads mark ``self`` positional-only (``self, /``) as the implementations'
    # ``self`` is (it precedes ``/``); otherwise mypy finds the implementation incompatible.
    @overload
    def create(
        self, params: ImageProjectParams, /, *, project_id: str | None = None
    ) -> Project[ImageProjectParams]: ...

    @overload
    def create(
        self, params: VideoProjectParams, /, *, project_id: str | None = None
    ) -> Project[VideoProjectParams]: ...

    @overload
    def create(
        self, params: AudioProjectParams, /, *, project_id: str | None = None
    ) -> Project[AudioProjectParams]: ...

    @overload
    def create(
        self,
        /,
        *,
        type: Literal["image"] = "image",
        project_id: str | None = None,
        **kwargs: Unpack[ImageProjectKwargs],
    ) -> Project[ImageProjectParams]: ...

    @overload
    def create(
        self,
        /,
        *,
        type: Literal["video"],
        project_id: str | None = None,
        **kwargs: Unpack[VideoProjectKwargs],
    ) -> Project[VideoProjectParams]: ...

    @overload
    def create(
        self,
        /,
        *,
        type: Literal["audio"],
        project_id: str | None = None,
        **kwargs: Unpack[AudioProjectKwargs],
    ) -> Project[AudioProjectParams]: ...

    def create(
        self,
        params: ProjectParams | None = None,
        /,
        *,
        type: str | None = None,
        project_id: str | None = None,
        **kwargs: Any,
    ) -> Project[Any]:
        """Start a project and return its handle at once (the render runs in the background).

        Pass a params object (``ImageProjectParams`` …) or keyword arguments with ``type``
        (``"image"``, the default, ``"video"``, ``"audio"``). A misspelled keyword raises
        ``TypeError`` naming the closest valid one (and a type checker reports it: the
        keywords are typed per ``type``); invalid values raise one ``ValidationError`` listing
        every problem, and then nothing is uploaded or sent. The handle is typed by its
        params: ``create(type="video", ...).params`` is a ``VideoProjectParams``. With a
        ``type`` known only at run time, build the params with ``make_params`` first.

        ``project_id`` sets the project's id instead of minting one (a UUID, as
        :func:`new_project_id` makes): record it before calling ``create`` and a process that
        crashes mid-call can find the project again with :meth:`get`, or send it again under
        the same id (the Supernet runs one project per id) without paying twice.
        """
        if params is not None and kwargs:
            raise TypeError("pass either a params object or keyword arguments, not both")
        return create_project(
            self._service,
            self._config,
            type,
            params if params is not None else kwargs,
            project_id=project_id,
        )

    def get(self, project_id: str) -> Project:
        """A handle on a project by id: one this client follows, or one created elsewhere with
        the same account (another process, before a crash). Unfinished projects are followed
        live when they belong to this client's ``app_id``."""
        service = self._service
        self._core.check()
        tracker = service.lookup(project_id)
        if tracker is not None:
            return tracker.handle
        record = service.recovered_record(project_id)
        if record is None:
            record = service.fetch_record(project_id.upper(), version=2, config=self._config)
        if record is None:
            raise NotFoundError(f"No project {project_id}", status=404)
        tracker = rebuild_from_record(service, record)
        service.track(tracker)
        finished = record.status in ("completed", "failed", "canceled", "cancelled", "errored")
        if not finished:
            self._core.require_transport()
            self._core.start_socket_for_work()
            tracker.follow()
        # A finished project comes back finished, with its result URLs, never "pending".
        tracker.apply_record(record, mint_inline=finished)
        return tracker.handle

    @property
    def tracked(self) -> list[Project]:
        """Projects this client is following now."""
        return self._service.tracked()

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Listen to every project's events (``completed``, ``failed``, ``progress``, …,
        ``available_models``, ``active_projects_recovered``, ``completed_projects_recovered``).
        Runs on the callback worker. An unknown name raises ``ValidationError`` naming the
        closest one."""
        name = check_event(event, API_EVENTS, owner="projects")
        return self._service.on(name, fn)

    def cancel(self, project_id: str, *, timeout: float | None = None) -> None:
        """Cancel a project by id, also one this client does not hold (started by another
        process with the same account), and wait for the server's confirmation. Cancelling a
        finished project does nothing; ``CancellationError`` if the server refuses or does not
        answer within ``timeout`` (default ``Timeouts.cancel_confirmation``)."""
        self._core.check()
        cancel_by_id(self._service, project_id, timeout, self._config)

    def get_status(self, project_id: str) -> ProjectStatusSnapshot:
        """Where a project of this account is, at any stage, over REST (``NotFoundError`` for
        an unknown id or another account's project). It does not follow the project: see
        :meth:`get` for a handle."""
        self._core.check()
        snapshot: ProjectStatusSnapshot = status_of(self._service, project_id, self._config)
        return snapshot

    def get_available_models(self, network: str | None = None) -> list[AvailableModel]:
        """Models with workers now on ``network`` (``"fast"`` or ``"relaxed"``; default: the
        connection's), over REST: it does not switch the connection's network, and unlike
        :attr:`available_models` it asks the server now."""
        self._core.check()
        return available_models_of(self._service, network, self._config)

    # ------------------------------------------------------------------ catalog

    def supported_models(self, *, refresh: bool = False) -> list[SupportedModel]:
        """Every model the Supernet knows (``/api/v1/models/list``, cached for a day)."""
        return self._service.catalog(self._config, refresh=refresh).supported_models()

    def model_options(self, model_id: str) -> ModelOptions:
        """Ranges and choices of a model, from its tier."""
        return self._service.catalog(self._config).model_options(model_id)

    def model_tiers(self, *, refresh: bool = False) -> dict[str, Any]:
        return dict(self._service.catalog(self._config, refresh=refresh).tiers)

    @property
    def available_models(self) -> list[AvailableModel]:
        """Models with workers on the network now: the last list the server pushed (no network
        I/O; names come from the catalog once it has been fetched, e.g. by
        :meth:`wait_for_models` or :meth:`supported_models`)."""
        return self._service.available_models()

    def wait_for_models(self, timeout: float | None = None) -> list[AvailableModel]:
        """Block until the live model list is known (connecting the socket if needed)."""
        return self._service.wait_for_models(self._config, timeout)

    def size_presets(self, model_id: str, *, network: str | None = None) -> list[SizePreset]:
        net = network or self._service.network or self._config.network
        data = self._core.request(
            "GET",
            f"/api/v1/size-presets/network/{quote(net, safe='')}/model/{quote(model_id, safe='')}",
            origin="socket",
            config=self._config,
        )
        presets: list[SizePreset] = self._core.structure_as(data or [], list[SizePreset])
        return presets

    def loras(self, model_id: str | None = None) -> Any:
        """The public LoRA catalog (optionally for one model)."""
        data = self._core.request(
            "GET", "/v1/loras/comfy", params={"modelId": model_id}, config=self._config
        )
        catalog = self._core.structure(data or {}, LoraCatalog)
        if model_id is not None:
            catalog = catalog.for_model(model_id)
        return catalog

    # ------------------------------------------------------------------ cost

    @overload
    def estimate_cost(self, params: ImageProjectParams, /) -> CostEstimate: ...

    @overload
    def estimate_cost(
        self, /, *, type: Literal["image"] = "image", **kwargs: Unpack[ImageProjectKwargs]
    ) -> CostEstimate: ...

    def estimate_cost(
        self, params: ImageProjectParams | None = None, /, *, type: str | None = None, **kwargs: Any
    ) -> CostEstimate:
        """What an image project would cost (same arguments as :meth:`create`)."""
        p = self._params(params, type or "image", kwargs)
        catalog = self._service.catalog(self._config)
        path, query = image_estimate_path(
            p,
            catalog,
            network=self._service.network,
            size_presets=lambda network, model_id: self.size_presets(model_id, network=network),
        )
        return self._quote(path, query)

    @overload
    def estimate_video_cost(
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
    def estimate_video_cost(
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

    def estimate_video_cost(
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
        """What a video project would cost (same arguments as ``create(type="video", ...)``).
        The optional counts quote media not attached yet (and FlashVSR's source size)."""
        p = self._params(params, "video", kwargs)
        path, query = video_estimate_path(
            p,
            self._service.catalog(self._config),
            network=self._service.network,
            source_width=source_width,
            source_height=source_height,
            reference_image_count=reference_image_count,
            reference_video_count=reference_video_count,
            reference_video_duration_seconds=reference_video_duration_seconds,
            keyframe_count=keyframe_count,
        )
        return self._quote(path, query)

    @overload
    def estimate_audio_cost(self, params: AudioProjectParams, /) -> CostEstimate: ...

    @overload
    def estimate_audio_cost(
        self, /, *, type: Literal["audio"] = "audio", **kwargs: Unpack[AudioProjectKwargs]
    ) -> CostEstimate: ...

    def estimate_audio_cost(
        self, params: AudioProjectParams | None = None, /, **kwargs: Any
    ) -> CostEstimate:
        """What an audio project would cost (same arguments as ``create(type="audio", ...)``)."""
        p = self._params(params, "audio", kwargs)
        path, query = audio_estimate_path(
            p, self._service.catalog(self._config), network=self._service.network
        )
        return self._quote(path, query)

    def _params(self, params: Any, type_: str, kwargs: dict[str, Any]) -> Any:
        if kwargs.get("type") == type_:
            del kwargs["type"]  # ``type="video"`` passed to the video estimate: redundant, fine
        if params is not None and kwargs:
            raise TypeError("pass either a params object or keyword arguments, not both")
        return params if params is not None else make_params(type_, **kwargs)

    def _quote(self, path: str, query: dict[str, str]) -> CostEstimate:
        data = self._core.request("GET", path, origin="socket", params=query, config=self._config)
        return CostEstimate.from_response(self._core, data)
