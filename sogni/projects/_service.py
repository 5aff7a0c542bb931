"""Shared projects machinery of one client: catalog cache, live model list, tracked projects,
URL minting, recovery lookups and the I/O workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from .._log import get_logger
from .._wire.converter import unstructure
from .._wire.envelope import Frame
from .._wire.messages import RecoveredProject
from ..errors import APIError, NotFoundError, ProtocolError, SogniError, SogniTimeoutError
from ._codes import decode_client_request
from ._tracker import ProjectTracker
from .catalog import AvailableModel, Catalog
from .handles import PROJECT_EVENTS, Job, Project, ProjectEvent

if TYPE_CHECKING:
    from .._core_protocols import ProjectsCore
    from ..config import ClientConfig

log = get_logger("sogni.projects")

_CATALOG_TTL = 24 * 3600.0
_AUDIO_CONTENT_TYPES = {"flac": "audio/flac", "wav": "audio/wav"}
_IMAGE_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "png": "image/png",
}

# API-level events (``client.projects.on``) mirror the project events.
API_EVENTS = (
    *PROJECT_EVENTS,
    "available_models",
    "active_projects_recovered",
    "completed_projects_recovered",
)


class ProjectsService:
    """One per client (shared by ``with_options`` views)."""

    def __init__(self, core: ProjectsCore) -> None:
        self.core = core
        self.io = core.io
        self._lock = threading.Lock()
        self._models_cond = threading.Condition(self._lock)
        self._catalog: Catalog | None = None
        self._catalog_at = 0.0
        self._catalog_lock = threading.Lock()
        self._worker_counts: dict[str, int] = {}
        self._network: str | None = None
        self._tracked: dict[str, ProjectTracker] = {}
        self._recovered_records: dict[str, RecoveredProject] = {}
        self._announced: set[str] = set()
        self._listeners: dict[str, tuple[Callable[[Any], Any], ...]] = {}
        core.add_frame_handler("swarmModels", self._on_swarm_models)
        core.add_frame_handler("changeNetwork", self._on_change_network)
        core.add_frame_handler("authenticated", self._on_authenticated)
        core.on_raw("disconnected", lambda _: self._clear_models())
        latest = core.latest_frame("swarmModels")
        if latest is not None:
            self._on_swarm_models(latest)

    # ------------------------------------------------------------------ API-level events

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """``event`` is a name of ``API_EVENTS`` (checked by the public ``on``)."""
        with self._lock:
            self._listeners[event] = (*self._listeners.get(event, ()), fn)

        def remove() -> None:
            with self._lock:
                listeners = list(self._listeners.get(event, ()))
                if fn in listeners:
                    listeners.remove(fn)
                    self._listeners[event] = tuple(listeners)

        return remove

    def emit_api_event(self, name: str, project: Project, event: ProjectEvent) -> None:
        # Copy-on-write tuples, read without the lock: most events have no listener at all.
        for fn in self._listeners.get(name, ()):
            self.core.callbacks.submit(fn, event)

    def _emit_plain(self, name: str, payload: Any) -> None:
        for fn in self._listeners.get(name, ()):
            self.core.callbacks.submit(fn, payload)

    # ------------------------------------------------------------------ catalog

    def catalog(self, config: ClientConfig, *, refresh: bool = False) -> Catalog:
        with self._catalog_lock:
            fresh = self._catalog is not None and time.monotonic() - self._catalog_at < _CATALOG_TTL
            if fresh and not refresh:
                assert self._catalog is not None
                return self._catalog
            models = self.core.request("GET", "/api/v1/models/list", origin="socket", config=config)
            tiers = self.core.request("GET", "/api/v2/models/tiers", origin="socket", config=config)
            self._catalog = Catalog(models, tiers)
            self._catalog_at = time.monotonic()
            return self._catalog

    def _on_swarm_models(self, frame: Frame) -> None:
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        counts = {
            str(k): int(v)
            for k, v in payload.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        with self._models_cond:
            self._worker_counts = counts
            self._models_cond.notify_all()
        self._emit_plain("available_models", dict(counts))

    def _on_change_network(self, frame: Frame) -> None:
        network = (frame.payload or {}).get("network") if isinstance(frame.payload, dict) else None
        if network in ("fast", "relaxed"):
            self._network = network
        self._clear_models()

    def _clear_models(self) -> None:
        with self._models_cond:
            self._worker_counts = {}
        self._emit_plain("available_models", {})

    @property
    def network(self) -> str | None:
        return self._network

    def available_models(self) -> list[AvailableModel]:
        """The last ``swarmModels`` push, named from the catalog if one was already fetched:
        no network I/O (it backs a property)."""
        with self._lock:
            counts = dict(self._worker_counts)
        with self._catalog_lock:
            catalog = self._catalog
        return self._describe(counts, catalog)

    def _describe(self, counts: dict[str, int], catalog: Catalog | None) -> list[AvailableModel]:
        out = []
        for model_id, workers in counts.items():
            known = catalog.model(model_id) if catalog is not None else None
            out.append(
                AvailableModel(
                    id=model_id,
                    name=known.name if known is not None else model_id.replace("-", " "),
                    worker_count=workers,
                    media=known.media if known is not None else "image",
                )
            )
        return out

    def wait_for_models(self, config: ClientConfig, timeout: float | None) -> list[AvailableModel]:
        self.core.start_socket_for_work()
        limit = config.timeouts.wait_for_models if timeout is None else timeout
        deadline = time.monotonic() + limit
        with self._models_cond:
            while not self._worker_counts:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SogniTimeoutError("Timeout waiting for models")
                self._models_cond.wait(remaining)
            counts = dict(self._worker_counts)
        try:
            catalog: Catalog | None = self.catalog(config)
        except SogniError:
            catalog = None  # as the TS SDK: publish with fallback names
        return self._describe(counts, catalog)

    # ------------------------------------------------------------------ tracking

    def track(self, tracker: ProjectTracker) -> None:
        with self._lock:
            self._tracked[tracker.project_id] = tracker

    def forget(self, tracker: ProjectTracker) -> None:
        with self._lock:
            if self._tracked.get(tracker.project_id) is tracker:
                del self._tracked[tracker.project_id]

    def tracked(self) -> list[Project]:
        with self._lock:
            return [t.handle for t in self._tracked.values()]

    def lookup(self, project_id: str) -> ProjectTracker | None:
        with self._lock:
            return self._tracked.get(project_id.upper())

    def runtime_limit(self, media: str, network: str | None, job: Job) -> float:
        """A job's runtime limit: min(cap, max(floor, eta x 6)); unknown networks get the generous
        relaxed floor."""
        t = self.core.config.timeouts
        net = network or self._network or "relaxed"
        kind = media if media in ("image", "audio", "video") else "video"
        floor = getattr(t, f"job_runtime_floor_{'fast' if net == 'fast' else 'relaxed'}_{kind}")
        eta = job._eta - time.time() if job._eta is not None else 0.0
        return float(min(t.job_runtime_cap, max(floor, eta * t.job_runtime_multiplier)))

    # ------------------------------------------------------------------ URLs and transfers

    def mint_result_url(self, tracker: ProjectTracker, img_id: str) -> str:
        config = self.core.config
        fmt = (tracker.output_format or "").lower()
        if tracker.media == "image":
            params: dict[str, Any] = {
                "jobId": tracker.project_id,
                "imageId": img_id,
                "type": "complete",
                "contentType": _IMAGE_CONTENT_TYPES.get(fmt),
            }
            path = "/v1/image/downloadUrl"
        else:
            content_type = None
            if tracker.media == "audio":
                content_type = _AUDIO_CONTENT_TYPES.get(fmt, "audio/mpeg")
            elif tracker.media == "model":
                content_type = "model/gltf-binary"
            params = {
                "jobId": tracker.project_id,
                "id": img_id,
                "type": "complete",
                "contentType": content_type,
            }
            path = "/v1/media/downloadUrl"
        return self._download_url(path, params, config)

    def mint_preview_url(self, tracker: ProjectTracker, img_id: str) -> str:
        params = {"jobId": tracker.project_id, "imageId": img_id, "type": "preview"}
        return self._download_url("/v1/image/downloadUrl", params, self.core.config)

    def _download_url(self, path: str, params: dict[str, Any], config: ClientConfig) -> str:
        data = self.core.request("GET", path, params=params, config=config)
        url = data.get("downloadUrl") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError("API returned no downloadUrl")
        return url

    def download(self, url: str, sink: IO[bytes], timeout: float | None = None) -> None:
        """Stream ``url`` into ``sink`` within ``timeout`` seconds (``Timeouts.download``)."""
        self.core.check()
        config = self.core.config
        if timeout is not None:
            config = config.with_options(timeouts=attrs.evolve(config.timeouts, download=timeout))
        self.core.rest.download(url, sink, config=config)

    # ------------------------------------------------------------------ recovery

    def snapshot_records(self, payload: Any) -> dict[str, RecoveredProject]:
        records: dict[str, RecoveredProject] = {}
        if not isinstance(payload, dict):
            return records
        for key in ("activeProjects", "unclaimedCompletedProjects"):
            for raw in payload.get(key) or []:
                record = self.parse_record(raw)
                if record is not None:
                    records[record.id.upper()] = record
        return records

    def parse_record(self, raw: Any) -> RecoveredProject | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            return None
        cleaned = dict(raw)
        for key in ("workerJobs", "completedWorkerJobs"):
            jobs = cleaned.get(key)
            cleaned[key] = (
                [j for j in jobs if isinstance(j, dict)] if isinstance(jobs, list) else []
            )
        try:
            return self.core.structure(cleaned, RecoveredProject)
        except ProtocolError:
            log.debug("Ignored a malformed project record")
            return None

    def _on_authenticated(self, frame: Frame) -> None:
        """Remember records of projects this process does not track (for ``get()``) and
        announce them once, as the official SDKs do."""
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        if payload.get("clientType") not in (None, "artist"):
            return
        active: list[RecoveredProject] = []
        completed: list[RecoveredProject] = []
        # Each snapshot replaces the last one, so a client that reconnects for weeks keeps
        # only the records the server still lists.
        records: dict[str, RecoveredProject] = {}
        for key, bucket in (("activeProjects", active), ("unclaimedCompletedProjects", completed)):
            for raw in payload.get(key) or []:
                record = self.parse_record(raw)
                if record is None or record.job_type == "llm":
                    continue
                key_id = record.id.upper()
                records[key_id] = record
                with self._lock:
                    announce = key_id not in self._tracked and key_id not in self._announced
                if announce:
                    bucket.append(record)
        with self._lock:
            self._recovered_records = records
            self._announced = set(records)
        if active:
            self._emit_plain("active_projects_recovered", active)
        if completed:
            self._emit_plain("completed_projects_recovered", completed)

    def recovered_record(self, project_id: str) -> RecoveredProject | None:
        with self._lock:
            return self._recovered_records.get(project_id.upper())

    def _live_ids(self, config: ClientConfig) -> set[str] | None:
        try:
            data = self.core.request(
                "GET", "/api/v1/artist/projects/active", origin="socket", config=config
            )
        except SogniError:
            return None
        rows = data.get("projects") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            return None
        return {str(r.get("id", "")).upper() for r in rows if isinstance(r, dict)}

    def fetch_record(
        self, project_id: str, *, version: int, config: ClientConfig
    ) -> RecoveredProject | None:
        """``GET /v{version}/projects/{id}``; None on 404."""
        try:
            # Quoted: an id is data, never a path of its own on the authenticated API host.
            path = f"/v{version}/projects/{quote(project_id, safe='')}"
            data = self.core.request("GET", path, config=config)
        except NotFoundError:
            return None
        raw = data.get("project") if isinstance(data, dict) else None
        return self.parse_record(raw)

    def resolve_missing(self, tracker: ProjectTracker) -> tuple[str, RecoveredProject | None]:
        """A project after a reconnection: finished / terminal / active / lost / unknown."""
        config = self.core.config
        t = config.timeouts
        try:
            for attempt in range(t.missing_lookup_attempts):
                record = self.fetch_record(tracker.project_id, version=1, config=config)
                if record is not None:
                    return "finished", record
                if attempt + 1 < t.missing_lookup_attempts and self.core.closing.wait(
                    t.missing_lookup_interval
                ):
                    return "unknown", None
            live = self._live_ids(config)
            if live is not None and tracker.project_id in live:
                return "active", None
            record = self.fetch_record(tracker.project_id, version=2, config=config)
        except SogniError as exc:
            log.debug("Recovery lookup failed (%s)", type(exc).__name__)
            return "unknown", None
        if record is None:
            return "lost", None
        if record.status in ("completed", "failed", "canceled", "cancelled", "errored"):
            return "finished", record
        return "active", None

    def staleness_verdict(self, tracker: ProjectTracker) -> tuple[str, RecoveredProject | None]:
        config = self.core.config
        live = self._live_ids(config)
        if live is not None and tracker.project_id in live:
            return "alive", None
        try:
            record = self.fetch_record(tracker.project_id, version=1, config=config)
        except APIError:
            return "alive", None
        except SogniError:
            return "alive", None
        if record is not None:
            return "finished", record
        return ("alive", None) if live is None else ("strike", None)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def unstructure(message: Any) -> Any:
        return unstructure(message)

    def enhance(
        self,
        tracker: ProjectTracker,
        job: Job,
        data: bytes,
        strength: float,
        overrides: dict[str, Any],
    ) -> str:
        from .api import create_project

        params = tracker.params
        width = getattr(params, "width", None)
        height = getattr(params, "height", None)
        options: dict[str, Any] = {
            "model_id": "krea2_turbo_fp8_scaled",
            # A falsy override ("") falls back to the project's value, as ``||`` does in the
            # official client.
            "positive_prompt": overrides.get("positive_prompt")
            or getattr(params, "positive_prompt", None),
            "style_prompt": overrides.get("style_prompt") or getattr(params, "style_prompt", ""),
            "steps": 8,
            "guidance": 1,
            "number_of_media": 1,
            "starting_image": data,
            "starting_image_strength": strength,
            "network": "fast",
        }
        seed = job.seed or getattr(params, "seed", None)
        if seed is not None:
            options["seed"] = seed
        token_type = overrides.get("token_type") or getattr(params, "token_type", None)
        if token_type:
            options["token_type"] = token_type
        if width and height:
            options.update(width=width, height=height)
        elif getattr(params, "size_preset", None):
            options["size_preset"] = params.size_preset
        project = create_project(self, self.core.config, "image", options)
        urls = project.wait()
        if not urls:
            raise SogniError("The enhancement produced no result")
        return urls[0]


def rebuild_from_record(service: ProjectsService, record: RecoveredProject) -> ProjectTracker:
    """A tracker for a project this process did not create (``projects.get``)."""
    request = decode_client_request(record.client_request_data) or {}
    key_frame = (
        (request.get("keyFrames") or [{}])[0] if isinstance(request.get("keyFrames"), list) else {}
    )
    model = record.model if isinstance(record.model, dict) else {}
    media_hint = record.model_type or model.get("type")
    media = (
        "video"
        if media_hint == "video"
        else "audio"
        if media_hint in ("audio", "music")
        else "image"
    )
    count = (
        record.image_count
        if isinstance(record.image_count, int)
        else request.get("numberOfImages", 1)
    )
    tracker = ProjectTracker(
        service,
        record.id,
        params=None,
        media=media,
        request=None,
        number_of_media=int(count or 1),
        steps=record.step_count if isinstance(record.step_count, int) else key_frame.get("steps"),
        output_format=request.get("outputFormat"),
        network=record.network or request.get("network"),
        recovered=True,
    )
    return tracker
