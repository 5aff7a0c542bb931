"""REST of media projects on the fake: the project records (api host), the recovery snapshot
and live list (socket host), upload and download URLs, cost estimates (image, video, audio) and
the LoRA catalog."""

from __future__ import annotations

import collections
import math
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import _costs
from ._jobcheck import default_size, find_model, serving_of
from ._mediacheck import default_video_fps, video_base_size, video_seconds
from ._project_records import (
    NORMALIZED_STATUS,
    UNCLAIMED_HOLD_SECONDS,
    ProjectRec,
    now_ms,
    raw_project,
    recovered,
)
from ._server import ApiError, FakeServer, ok, raw
from ._state import new_id
from ._storage import Upload

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._projects import ProjectsExtension
    from ._state import FakeAccount

__all__ = ["ProjectRoutes"]

SYNC_RATE_LIMIT = (20, 10.0)
_IMAGE_UPLOAD_SLOTS = (
    {"startingImage", "cnImage", "referenceImage", "referenceImageEnd", "referenceMask"}
    | {f"contextImage{n}" for n in range(1, 17)}
    | {f"keyframeImage{n}" for n in range(1, 9)}
)
_MEDIA_UPLOAD_SLOTS = ("referenceAudio", "referenceVideo")
_EMPTY_SEGMENTS = ("", "undefined", "null", "None")


class ProjectRoutes:
    """The HTTP handlers; state lives in the :class:`ProjectsExtension`."""

    def __init__(self, fake: FakeSupernet, server: FakeServer, ext: ProjectsExtension) -> None:
        self.fake = fake
        self.server = server
        self.ext = ext
        self.storage = ext.storage
        self._sync_calls: dict[int, collections.deque[float]] = {}

    def install(self) -> None:
        for method, path, handler in (
            ("GET", "/v1/projects/{id}", self.get_project_v1),
            ("GET", "/v2/projects/{id}", self.get_project_v2),
            ("GET", "/v1/image/uploadUrl", self.image_upload_url),
            ("GET", "/v1/media/uploadUrl", self.media_upload_url),
            ("GET", "/v1/image/downloadUrl", self.image_download_url),
            ("GET", "/v1/media/downloadUrl", self.media_download_url),
            ("GET", "/v1/assets/capabilities", self.assets_capabilities),
            ("GET", "/v1/loras/comfy", self.loras),
        ):
            self.server.api_route(method, path, handler)
        for method, path, handler in (
            ("GET", "/api/v1/artist/projects/sync", self.sync),
            ("GET", "/api/v1/artist/projects/active", self.active),
            ("GET", r"/api/v{version:[23]}/job/estimate/{rest:.*}", self.estimate),
            ("GET", "/api/v1/job-video/estimate/{rest:.*}", self.estimate_video),
            ("GET", "/api/v1/job-audio/estimate/{rest:.*}", self.estimate_audio),
        ):
            self.server.socket_route(method, path, handler)

    def _owned(self, request: web.Request, project_id: str) -> ProjectRec:
        account = self.server.require_account(request)
        project = self.ext.projects.get(project_id.upper())
        if project is None or project.account is not account:
            # [INV-PROJECT-OWNER] another account's project looks exactly like an unknown one.
            raise ApiError(404, "Project not found", 404)
        return project

    async def get_project_v1(self, request: web.Request) -> web.Response:
        project = self._owned(request, request.match_info["id"])
        if not project.finished:
            # The API stores a project only once it finishes.
            raise ApiError(404, "Project not found", 404)
        return ok({"project": raw_project(project)})

    async def get_project_v2(self, request: web.Request) -> web.Response:
        project = self._owned(request, request.match_info["id"])
        body = raw_project(project)
        body["status"] = NORMALIZED_STATUS[project.status]
        body["finished"] = project.finished
        return ok({"project": body})

    async def sync(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        self._rate_limit_sync(account)
        app_id = request.query.get("appId")
        mine = [
            p
            for p in self.ext.projects.values()
            if p.account is account and (app_id is None or p.app_id == app_id)
        ]
        cutoff = now_ms() - UNCLAIMED_HOLD_SECONDS * 1000
        return raw(
            {
                "activeProjects": [recovered(p) for p in mine if not p.finished],
                # Read-only: unlike the authenticated frame, a sync does not claim them.
                "unclaimedCompletedProjects": [
                    recovered(p)
                    for p in mine
                    if p.finished and p.unclaimed and (p.end_time or 0) >= cutoff
                ],
                "serverTime": now_ms(),
            }
        )

    def _rate_limit_sync(self, account: FakeAccount) -> None:
        limit, window = SYNC_RATE_LIMIT
        calls = self._sync_calls.setdefault(id(account), collections.deque())
        now = time.monotonic()
        while calls and calls[0] <= now - window:
            calls.popleft()
        if len(calls) >= limit:
            # [INV-SYNC-RATE-LIMIT] plain-text 429 with Retry-After, as socket-host errors are.
            raise ApiError(
                429,
                "Too many project sync requests",
                429,
                retry_after=max(1, math.ceil(calls[0] + window - now)),
            )
        calls.append(now)

    async def active(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        return raw(
            {
                "projects": [
                    {
                        "id": p.id,
                        "appId": p.app_id,
                        "status": p.status,
                        "createTime": p.create_time,
                    }
                    for p in self.ext.projects.values()
                    if p.account is account and not p.finished
                ]
            }
        )

    # ---------------------------------------------------------------- uploads / downloads

    async def image_upload_url(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        q = request.query
        job_id, slot = q.get("jobId"), q.get("type")
        if not job_id or not slot:
            raise ApiError(400, "jobId and type are required", 400)
        if slot not in _IMAGE_UPLOAD_SLOTS:
            raise ApiError(400, f"Unsupported image upload type {slot!r}", 400)
        image_id = q.get("imageId") or new_id()
        upload = Upload(
            account=account,
            job_id=job_id.upper(),
            slot=slot,
            slot_id=None,
            image_id=image_id,
            endpoint="image",
            key=f"uploads/{job_id.upper()}/{slot}/{image_id}",
            declared_type=q.get("contentType"),
        )
        return ok({"uploadUrl": self.storage.register_upload(upload)})

    async def media_upload_url(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        q = request.query
        job_id, slot, slot_id = q.get("jobId"), q.get("type"), q.get("id")
        if not job_id or not slot:
            raise ApiError(400, "jobId and type are required", 400)
        # PY 5.70 spells numbered slots as type=referenceAudio2 without an id.
        for base in _MEDIA_UPLOAD_SLOTS:
            if slot != base and slot.startswith(base) and slot[len(base) :].isdigit():
                slot, slot_id = base, slot_id or slot
        if slot not in _MEDIA_UPLOAD_SLOTS:
            raise ApiError(400, f"Unsupported media upload type {slot!r}", 400)
        name = slot_id or new_id()
        upload = Upload(
            account=account,
            job_id=job_id.upper(),
            slot=slot,
            slot_id=slot_id,
            image_id=None,
            endpoint="media",
            key=f"uploads/{job_id.upper()}/{slot}/{name}",
            declared_type=q.get("contentType"),
        )
        return ok({"uploadUrl": self.storage.register_upload(upload)})

    def _result_key(self, project: ProjectRec, job_ref: str, kind: str) -> str:
        job = next((j for j in project.jobs if j.img_id == job_ref.upper()), None)
        if job is None:
            raise ApiError(404, "Job not found", 404)
        if kind == "preview":
            if not job.preview_keys:
                raise ApiError(404, "No preview available for this job", 404)
            return job.preview_keys[-1]
        if job.media_key is None:
            # [INV-NO-MEDIA-404] withheld, failed or unfinished renders have no file.
            raise ApiError(404, "Result not available", 404)
        return job.media_key

    def _artifact_key(self, project: ProjectRec, job_ref: str, kind: str, artifact: str) -> str:
        job = next((j for j in project.jobs if j.img_id == job_ref.upper()), None)
        if job is None:
            raise ApiError(404, "Job not found", 404)
        if kind != "complete" or artifact != "lastFrame" or job.last_frame_key is None:
            raise ApiError(404, f"No {artifact} artifact for this job", 404)
        return job.last_frame_key

    def _upload_key(self, account: FakeAccount, job_id: str, slot: str, ref: str) -> str:
        for upload in self.storage.uploads.values():
            if (
                upload.account is account
                and upload.job_id == job_id.upper()
                and upload.slot == slot
                and ref in (upload.image_id, upload.slot_id)
                and upload.received is not None
            ):
                return upload.key
        raise ApiError(404, "Asset not found", 404)

    async def image_download_url(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        q = request.query
        job_id, image_id, kind = q.get("jobId"), q.get("imageId"), q.get("type")
        if not job_id or not image_id or not kind:
            raise ApiError(400, "jobId, imageId and type are required", 400)
        if kind in ("complete", "preview"):
            project = self._owned(request, job_id)
            if project.plan.model.get("media", "image") != "image":
                raise ApiError(
                    404,
                    "This result is media, not an image; request it from /v1/media/downloadUrl",
                    404,
                )
            key = self._result_key(project, image_id, kind)
        else:
            key = self._upload_key(account, job_id, kind, image_id)
        return ok({"downloadUrl": self.storage.signed_url("GET", key)})

    async def media_download_url(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        q = request.query
        job_id, ref, kind = q.get("jobId"), q.get("id"), q.get("type")
        if not job_id or not ref or not kind:
            raise ApiError(400, "jobId, id and type are required", 400)
        if kind in ("complete", "preview"):
            project = self._owned(request, job_id)
            artifact = q.get("artifact")
            if artifact is not None:
                key = self._artifact_key(project, ref, kind, artifact)
            else:
                key = self._result_key(project, ref, kind)
        else:
            key = self._upload_key(account, job_id, kind, ref)
        return ok({"downloadUrl": self.storage.signed_url("GET", key)})

    async def assets_capabilities(self, request: web.Request) -> web.Response:
        self.server.require_account(request)
        # [INV-ASSETS-DISABLED] saved uploads are off: clients use plain presigned uploads.
        return ok({"enabled": False})

    # ---------------------------------------------------------------- estimates, LoRAs

    async def estimate(self, request: web.Request) -> web.Response:
        version = request.match_info["version"]
        parts = request.match_info["rest"].split("/")
        want = 13 if version == "3" else 10
        if len(parts) != want:
            raise ApiError(404, "Not Found", 404)
        values = [None if p in _EMPTY_SEGMENTS else p for p in parts]
        token_type, network, model_id = values[0] or "spark", values[1] or "fast", values[2]
        model = find_model(self.fake, model_id)
        if model is None:
            raise ApiError(404, f"Model {model_id} not found", 404)
        media = model.get("media", "image")
        if media != "image":
            raise ApiError(
                400, f"Model {model_id} is a {media} model: use /api/v1/job-{media}/estimate", 400
            )
        if token_type not in ("sogni", "spark") or network not in ("fast", "relaxed"):
            raise ApiError(400, "tokenType must be sogni or spark; network fast or relaxed", 400)
        tier = self.fake.catalog["tiers"].get(model["tier"], {})
        serving = serving_of(self.fake, model["id"])
        try:
            # [INV-ESTIMATE-DEFAULTS] empty segments take the tier's defaults.
            count = int(values[3] or 1)
            steps = int(values[4] or tier.get("steps", {}).get("default", 1))
            previews = int(values[5] or 0)
            controlnet = (values[6] or "0") not in ("0", "false")
            denoise = Decimal(values[7] or "0")
            size = default_size(tier, serving)
            width = int(values[8] or 0) or size
            height = int(values[9] or 0) or size
            context = int(values[12] or 0) if version == "3" else 0
        except (ValueError, ArithmeticError):
            raise ApiError(400, "Invalid estimate parameters", 400) from None
        if count < 1 or steps < 0 or previews < 0 or context < 0:
            raise ApiError(400, "Invalid estimate parameters", 400)
        inp = _costs.QuoteInput(
            model_id=model["id"],
            model_name=model.get("name", model["id"]),
            tier=tier,
            network=network,
            token_type=token_type,
            image_count=count,
            steps=steps,
            previews=previews,
            controlnet=controlnet,
            denoise=denoise,
            width=width,
            height=height,
            context_images=context,
            fee_usd=Decimal(str(serving.get("feeUSD", "0"))),
        )
        return raw(_costs.estimation_response(_costs.quote(inp), now_ms=now_ms()))

    def _media_model(
        self, model_id: str | None, media: str
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        model = find_model(self.fake, model_id)
        if model is None:
            raise ApiError(404, f"Model {model_id} not found", 404)
        if model.get("media") != media:
            raise ApiError(400, f"Model {model_id} is not a {media} model", 400)
        tier = self.fake.catalog["tiers"].get(model["tier"], {})
        return model, tier, serving_of(self.fake, model["id"])

    @staticmethod
    def _estimate_network(request: web.Request) -> str:
        network = request.query.get("network") or "fast"
        if network not in ("fast", "relaxed"):
            raise ApiError(400, "network must be fast or relaxed", 400)
        return network

    async def estimate_video(self, request: web.Request) -> web.Response:
        """``/api/v1/job-video/estimate/{tokenType}/{model}/{width}/{height}/{frames}/{fps}
        [/{steps}/{numberOfMedia}]``."""
        parts = request.match_info["rest"].split("/")
        if len(parts) not in (6, 8):
            raise ApiError(404, "Not Found", 404)
        values = [None if p in _EMPTY_SEGMENTS else p for p in parts]
        token_type = values[0] or "spark"
        if token_type not in ("sogni", "spark"):
            raise ApiError(400, "tokenType must be sogni or spark", 400)
        model, tier, serving = self._media_model(values[1], "video")
        network = self._estimate_network(request)
        family = str(serving.get("family", ""))
        q = request.query
        try:
            # [INV-ESTIMATE-DEFAULTS] empty segments take the tier's defaults; steps 0 too.
            base_w, base_h = video_base_size(tier)
            width = int(values[2] or 0) or base_w
            height = int(values[3] or 0) or base_h
            fps = float(values[5] or 0) or default_video_fps(family, tier)
            frames = int(values[4] or 0)
            steps_default = int(tier.get("steps", {}).get("default", 1))
            steps = int(values[6] or 0) if len(values) == 8 else 0
            count = int(values[7] or 1) if len(values) == 8 else 1
            video_input = q.get("hasVideoInput") in ("1", "true")
            for key in ("referenceImageCount", "referenceVideoCount", "keyframeCount"):
                if q.get(key) is not None and int(q[key]) < 0:
                    raise ValueError(key)
            seconds_query = q.get("referenceVideoDurationSeconds")
            if seconds_query is not None and Decimal(seconds_query) < 0:
                raise ValueError("referenceVideoDurationSeconds")
        except (ValueError, ArithmeticError):
            raise ApiError(400, "Invalid estimate parameters", 400) from None
        if frames < 1 or width < 1 or height < 1 or count < 1 or steps < 0 or fps <= 0:
            raise ApiError(400, "Invalid estimate parameters", 400)
        seconds = Decimal(str(round(video_seconds(family, frames, fps), 4)))
        inp = _costs.QuoteInput(
            model_id=model["id"],
            model_name=model.get("name", model["id"]),
            tier=tier,
            network=network,
            token_type=token_type,
            image_count=count,
            steps=steps or steps_default,
            previews=0,
            controlnet=False,
            denoise=Decimal(0),
            width=width,
            height=height,
            media="video",
            duration=seconds,
            base_size=(base_w, base_h),
            video_input=video_input,
            fee_usd_per_sec=Decimal(str(serving.get("feeUSDPerSecond", "0"))),
        )
        # [INV-ESTIMATE-MEDIA] the request block also echoes the clip's shape.
        extra = {
            "width": width,
            "height": height,
            "frames": frames,
            "fps": fps,
            "duration": float(seconds),
        }
        return raw(
            _costs.estimation_response(_costs.quote(inp), now_ms=now_ms(), extra_request=extra)
        )

    async def estimate_audio(self, request: web.Request) -> web.Response:
        """The audio estimate route: ``/api/v1/job-audio/estimate/{tokenType}/{model}/{duration}
        /{steps}/{numberOfMedia}``."""
        parts = request.match_info["rest"].split("/")
        if len(parts) != 5:
            raise ApiError(404, "Not Found", 404)
        values = [None if p in _EMPTY_SEGMENTS else p for p in parts]
        token_type = values[0] or "spark"
        if token_type not in ("sogni", "spark"):
            raise ApiError(400, "tokenType must be sogni or spark", 400)
        model, tier, _serving = self._media_model(values[1], "audio")
        network = self._estimate_network(request)
        spec = tier.get("duration")
        default_seconds = spec.get("default", 10) if isinstance(spec, dict) else 10
        try:
            seconds = Decimal(values[2] or str(default_seconds))
            steps = int(values[3] or 0) or int(tier.get("steps", {}).get("default", 1))
            count = int(values[4] or 1)
        except (ValueError, ArithmeticError):
            raise ApiError(400, "Invalid estimate parameters", 400) from None
        if not seconds.is_finite() or seconds <= 0 or steps < 1 or count < 1:
            raise ApiError(400, "Invalid estimate parameters", 400)
        inp = _costs.QuoteInput(
            model_id=model["id"],
            model_name=model.get("name", model["id"]),
            tier=tier,
            network=network,
            token_type=token_type,
            image_count=count,
            steps=steps,
            previews=0,
            controlnet=False,
            denoise=Decimal(0),
            width=0,
            height=0,
            media="audio",
            duration=seconds,
        )
        extra = {"duration": float(seconds)}
        return raw(
            _costs.estimation_response(_costs.quote(inp), now_ms=now_ms(), extra_request=extra)
        )

    async def loras(self, request: web.Request) -> web.Response:
        catalog = self.fake.catalog.get("loras", {})
        rows = catalog.get("loras", [])
        model_id = request.query.get("modelId")
        if model_id:
            rows = [row for row in rows if model_id in row.get("modelIds", [])]
        models = sorted({m for row in catalog.get("loras", []) for m in row.get("modelIds", [])})
        return ok(
            {
                "lastUpdated": catalog.get("lastUpdated"),
                "loras": rows,
                "models": models,
                "constraints": catalog.get("constraints"),
            }
        )
