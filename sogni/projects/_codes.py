"""Wire codes and records of media projects: what the server's numbers and words mean.

Shared by the live frame handling (``_tracker.py``) and recovery (``_recovery.py``).
"""

from __future__ import annotations

import base64
from typing import Any

from .._wire.envelope import parse_json
from .._wire.js import js_round
from .._wire.messages import JobError
from ..errors import (
    ProjectCanceledError,
    ProjectError,
    ProjectInsufficientFundsError,
    is_insufficient_balance,
)
from .handles import JobStatus, ProjectStatus

__all__ = [
    "LOST_MESSAGE",
    "RAW_JOB_STATUS",
    "RAW_PROJECT_STATUS",
    "SYMBOLIC_CODES",
    "decode_client_request",
    "error_from_frame",
    "human_duration",
    "int_or_none",
]

SYMBOLIC_CODES = {
    "serverRestarting": 5001,
    "workerDisconnected": 5002,
    "jobTimedOut": 5003,
    "artistCanceled": 5004,
    "workerCancelled": 5005,
}
RAW_PROJECT_STATUS = {
    "pending": ProjectStatus.PENDING,
    "authorized": ProjectStatus.PENDING,
    "active": ProjectStatus.QUEUED,
    "queued": ProjectStatus.QUEUED,
    "assigned": ProjectStatus.PROCESSING,
    "progress": ProjectStatus.PROCESSING,
    "processing": ProjectStatus.PROCESSING,
    "completed": ProjectStatus.COMPLETED,
    "errored": ProjectStatus.FAILED,
    "failed": ProjectStatus.FAILED,
    "cancelled": ProjectStatus.CANCELED,
    "canceled": ProjectStatus.CANCELED,
}
RAW_JOB_STATUS = {
    "created": JobStatus.PENDING,
    "queued": JobStatus.PENDING,
    "assigned": JobStatus.INITIATING,
    "initiatingModel": JobStatus.INITIATING,
    "jobStarted": JobStatus.PROCESSING,
    "jobProgress": JobStatus.PROCESSING,
    "jobCompleted": JobStatus.COMPLETED,
    "jobError": JobStatus.FAILED,
}
LOST_MESSAGE = (
    "The server has no record of this generation. It may have been interrupted by a restart - "
    "please try again."
)


def error_from_frame(frame: JobError, project_id: str) -> ProjectError:
    """Socket error codes: numeric codes kept, symbolic ones mapped to 5000-5005."""
    raw = frame.error
    message = frame.error_message if isinstance(frame.error_message, str) else ""
    original: str | None = None
    code: int
    if isinstance(raw, bool):
        code, original = 5000, str(raw)
    elif isinstance(raw, (int, float)):
        code = int(raw)
    else:
        text = "" if raw is None else str(raw)
        try:
            code = int(text)
        except ValueError:
            code, original = SYMBOLIC_CODES.get(text, 5000), text
    details = {
        k: v
        for k, v in (
            ("subscriptionLimit", frame.subscription_limit),
            ("requiredPlans", frame.required_plans),
            ("feature", frame.feature),
            ("limitation", frame.limitation),
            ("consentRequired", frame.consent_required),
            ("vendorFailureCategory", frame.vendor_failure_category),
        )
        if v is not None
    }
    cls: type[ProjectError] = ProjectError
    if original == "artistCanceled":
        cls = ProjectCanceledError
    elif is_insufficient_balance(code):
        cls = ProjectInsufficientFundsError
    return cls(
        message or f"Project failed (code {code})",
        job_id=project_id,
        error_code=code,
        original_code=original,
        details=details or None,
        retryable=code in (5001, 5002, 5003),
    )


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == number and abs(number) != float("inf") else None


def human_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds >= 60:
        minutes = js_round(seconds / 60)  # Math.round, as the official client words it
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"


def decode_client_request(data: str | None) -> dict[str, Any] | None:
    """``clientRequestData``: base64 of the original jobRequest JSON."""
    if not data:
        return None
    try:
        decoded = parse_json(base64.b64decode(data))
    except (ValueError, TypeError):
        return None
    return decoded if isinstance(decoded, dict) else None
