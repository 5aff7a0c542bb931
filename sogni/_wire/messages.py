"""Socket message classes.

Inbound classes are tolerant: every field but the id has a default, unknown keys are ignored.
Fields that carry nested server records or user JSON are typed ``Any`` and kept verbatim.
"""

from __future__ import annotations

from typing import Any

import attrs

from .fields import wire

__all__ = [
    "EVENT_TYPES",
    "ArtistCancelConfirmation",
    "Authenticated",
    "CancelJob",
    "ChangeNetwork",
    "JobError",
    "JobEta",
    "JobProgress",
    "JobResult",
    "JobRetry",
    "JobState",
    "JobTokens",
    "LLMJobError",
    "LLMJobResult",
    "ProjectQueue",
    "RecoveredProject",
    "RecoveredWorkerJob",
    "SocketEventSubscriptionsUpdated",
]


# ------------------------------------------------------------------ server -> client


@attrs.frozen
class Authenticated:
    id: str | None = wire("id", default=None)
    client_type: str | None = wire("clientType", default=None)
    username: str | None = wire("username", default=None)
    address: str | None = wire("address", default=None)
    tokens: Any = wire("tokens", default=None)
    subscription_entitlement: Any = wire("subscriptionEntitlement", default=None)
    active_projects: Any = wire("activeProjects", default=None)
    unclaimed_completed_projects: Any = wire("unclaimedCompletedProjects", default=None)
    active_llm_job_ids: list[str] | None = wire("activeLLMJobIDs", default=None)
    free_spark_locked: Any = wire("freeSparkLocked", default=None)
    free_spark_unlock_path: Any = wire("freeSparkUnlockPath", default=None)


@attrs.frozen
class ChangeNetwork:
    network: str | None = wire("network", default=None)


@attrs.frozen
class SocketEventSubscriptionsUpdated:
    socket_event_subscriptions: dict[str, Any] = wire("socketEventSubscriptions", factory=dict)


@attrs.frozen
class JobState:
    type: str = wire("type")
    job_id: str = wire("jobID")
    img_id: str | None = wire("imgID", default=None)
    queue_position: int | None = wire("queuePosition", default=None)
    estimated_start_seconds: Any = wire("estimatedStartSeconds", default=None)
    queue_status: Any = wire("queueStatus", default=None)
    worker_name: str | None = wire("workerName", default=None)
    positive_prompt: str | None = wire("positivePrompt", default=None)
    negative_prompt: str | None = wire("negativePrompt", default=None)
    job_index: int | None = wire("jobIndex", default=None)
    preparation: Any = wire("preparation", default=None)
    model_id: str | None = wire("modelId", default=None)
    estimated_cost: Any = wire("estimatedCost", default=None)
    waiting_reason: Any = wire("waitingReason", default=None)
    job_waiting_reasons: Any = wire("jobWaitingReasons", default=None)


@attrs.frozen
class JobProgress:
    job_id: str = wire("jobID")
    img_id: str | None = wire("imgID", default=None)
    has_image: bool | None = wire("hasImage", default=None)
    step: float | None = wire("step", default=None)
    step_count: float | None = wire("stepCount", default=None)
    progress: float | None = wire("progress", default=None)
    eta_seconds: float | None = wire("etaSeconds", default=None)
    eta_min: float | None = wire("etaMin", default=None)
    eta_max: float | None = wire("etaMax", default=None)


@attrs.frozen
class JobEta:
    job_id: str = wire("jobID")
    img_id: str | None = wire("imgID", default=None)
    eta_seconds: float | None = wire("etaSeconds", default=None)


@attrs.frozen
class JobResult:
    job_id: str = wire("jobID")
    img_id: str | None = wire("imgID", default=None)
    performed_step_count: float | None = wire("performedStepCount", default=None)
    last_seed: Any = wire("lastSeed", default=None)
    user_canceled: bool | None = wire("userCanceled", default=None)
    triggered_nsfw_filter: bool | None = wire("triggeredNSFWFilter", default=None)
    nsfw_detected: bool | None = wire("nsfwDetected", default=None)
    nsfw_sources: Any = wire("nsfwSources", default=None)
    result_url: str | None = wire("resultUrl", default=None)
    result_key: str | None = wire("resultKey", default=None)
    last_frame_url: str | None = wire("lastFrameUrl", default=None)
    last_frame_key: str | None = wire("lastFrameKey", default=None)
    video_url: str | None = wire("videoUrl", default=None)
    video_file: str | None = wire("videoFile", default=None)
    output_format: str | None = wire("outputFormat", default=None)
    job_index: Any = wire("jobIndex", default=None)
    result: Any = wire("result", default=None)
    sha256: str | None = wire("sha256", default=None)


@attrs.frozen
class JobError:
    job_id: str = wire("jobID")
    img_id: str | None = wire("imgID", default=None)
    is_from_worker: Any = wire("isFromWorker", default=None)
    error: Any = wire("error", default=None)
    error_message: Any = wire("error_message", default=None)
    subscription_limit: Any = wire("subscriptionLimit", default=None)
    required_plans: Any = wire("requiredPlans", default=None)
    feature: Any = wire("feature", default=None)
    limitation: Any = wire("limitation", default=None)
    fair_use: Any = wire("fairUse", default=None)
    consent_required: Any = wire("consentRequired", default=None)
    vendor_failure_category: Any = wire("vendorFailureCategory", default=None)


@attrs.frozen
class JobRetry:
    job_id: str = wire("jobID")
    img_id: str | None = wire("imgID", default=None)
    job_index: int | None = wire("jobIndex", default=None)
    attempt: int | None = wire("attempt", default=None)
    max_attempts: int | None = wire("maxAttempts", default=None)
    is_from_worker: Any = wire("isFromWorker", default=None)
    error: Any = wire("error", default=None)
    error_message: Any = wire("error_message", default=None)


@attrs.frozen
class ProjectQueue:
    job_id: str = wire("jobID")
    waiting_reason: Any = wire("waitingReason", default=None)
    job_waiting_reasons: Any = wire("jobWaitingReasons", default=None)


@attrs.frozen
class ArtistCancelConfirmation:
    job_id: str = wire("jobID")
    did_cancel: bool = wire("didCancel", default=False)
    error_message: str | None = wire("error_message", default=None)


@attrs.frozen
class JobTokens:
    job_id: str = wire("jobID")
    content: str | None = wire("content", default=None)
    reasoning_content: str | None = wire("reasoning_content", default=None)
    role: str | None = wire("role", default=None)
    finish_reason: str | None = wire("finishReason", default=None)
    usage: Any = wire("usage", default=None)
    tool_calls: Any = wire("tool_calls", default=None)


@attrs.frozen
class LLMJobResult:
    job_id: str = wire("jobID")
    usage: Any = wire("usage", default=None)
    time_taken: float | None = wire("timeTaken", default=None)
    cost: Any = wire("cost", default=None)
    worker_name: str | None = wire("workerName", default=None)


@attrs.frozen
class LLMJobError:
    job_id: str = wire("jobID")
    error: Any = wire("error", default=None)
    error_code: Any = wire("error_code", default=None)
    error_message: Any = wire("error_message", default=None)
    worker_name: str | None = wire("workerName", default=None)
    subscription_limit: Any = wire("subscriptionLimit", default=None)
    required_plans: Any = wire("requiredPlans", default=None)
    feature: Any = wire("feature", default=None)
    limitation: Any = wire("limitation", default=None)


@attrs.frozen
class RecoveredWorkerJob:
    """A job inside a server project record (recovery snapshot, REST ``RawJob``)."""

    img_id: str | None = wire("imgID", default=None)
    status: str | None = wire("status", default=None)
    reason: Any = wire("reason", default=None)
    job_index: Any = wire("jobIndex", default=None)
    performed_steps: Any = wire("performedSteps", default=None)
    seed_used: Any = wire("seedUsed", default=None)
    triggered_nsfw_filter: Any = wire("triggeredNSFWFilter", default=None)
    nsfw_detected: Any = wire("nsfwDetected", default=None)
    nsfw_sources: Any = wire("nsfwSources", default=None)
    worker: Any = wire("worker", default=None)
    result_url: str | None = wire("resultUrl", default=None)
    last_frame_url: str | None = wire("lastFrameUrl", default=None)
    output_format: str | None = wire("outputFormat", default=None)
    image_url: str | None = wire("imageUrl", default=None)
    video_url: str | None = wire("videoUrl", default=None)


@attrs.frozen
class RecoveredProject:
    """A project record: ``authenticated.activeProjects`` / ``unclaimedCompletedProjects``,
    ``/api/v1/artist/projects/sync``, and the REST project records."""

    id: str = wire("id")
    app_id: str | None = wire("appId", default=None)
    status: str | None = wire("status", default=None)
    reason: Any = wire("reason", default=None)
    model: Any = wire("model", default=None)
    job_type: str | None = wire("jobType", default=None)
    model_type: str | None = wire("modelType", default=None)
    image_count: Any = wire("imageCount", default=None)
    step_count: Any = wire("stepCount", default=None)
    network: str | None = wire("network", default=None)
    create_time: Any = wire("createTime", default=None)
    client_request_data: str | None = wire("clientRequestData", default=None)
    worker_jobs: list[RecoveredWorkerJob] = wire("workerJobs", factory=list)
    completed_worker_jobs: list[RecoveredWorkerJob] = wire("completedWorkerJobs", factory=list)
    finished: Any = wire("finished", default=None)
    cost_actual: Any = wire("costActual", default=None)


# Inbound frame type -> class. Types not listed here (balanceUpdate, swarmModels, toastMessage,
# ...) are handed to their consumers as plain JSON.
EVENT_TYPES: dict[str, type[Any]] = {
    "authenticated": Authenticated,
    "changeNetwork": ChangeNetwork,
    "socketEventSubscriptionsUpdated": SocketEventSubscriptionsUpdated,
    "jobState": JobState,
    "jobProgress": JobProgress,
    "jobETA": JobEta,
    "jobResult": JobResult,
    "jobError": JobError,
    "jobRetry": JobRetry,
    "projectQueue": ProjectQueue,
    "artistCancelConfirmation": ArtistCancelConfirmation,
    "jobTokens": JobTokens,
    "llmJobResult": LLMJobResult,
    "llmJobError": LLMJobError,
}


# ------------------------------------------------------------------ client -> server


@attrs.frozen
class CancelJob:
    """The artist cancel: a client ``jobError``."""

    job_id: str = wire("jobID")
    error: str = wire("error", default="artistCanceled")
    error_message: str = wire("error_message", default="artistCanceled")
    is_from_worker: bool = wire("isFromWorker", default=False)
