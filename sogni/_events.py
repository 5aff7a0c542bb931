"""Event names: one snake_case vocabulary, checked the same way by every ``on()``."""

from __future__ import annotations

import difflib
import sys
import warnings
from collections.abc import Collection

from .errors import ValidationError

__all__ = ["CONNECTION_EVENTS", "RENAMED_EVENTS", "check_event"]

# The client events of the connection's life (the core emits them).
CONNECTION_EVENTS = ("connecting", "connected", "authenticated", "disconnected")

_SDK = ("sogni", "sogni_async")

# The camelCase names of 0.1 and their snake_case successors. The old names still work, with a
# DeprecationWarning, until the next minor release.
RENAMED_EVENTS = {
    "jobStarted": "job_started",
    "jobCompleted": "job_completed",
    "jobFailed": "job_failed",
    "availableModels": "available_models",
    "activeProjectsRecovered": "active_projects_recovered",
    "completedProjectsRecovered": "completed_projects_recovered",
    "toastMessage": "toast_message",
    "appAlert": "app_alert",
    "subscriptionLimitNotice": "subscription_limit_notice",
}


def _caller_outside_the_sdk() -> int:
    frame = sys._getframe(1)  # check_event
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _SDK:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def check_event(event: str, valid: Collection[str], *, owner: str) -> str:
    """The event's current name. An old camelCase name warns and maps to its new name; an
    unknown one raises ``ValidationError`` (a ``ValueError``) naming the closest valid name.

    ``owner`` says whose events these are (``"project"``, ``"client"``, ...), for the message.
    The warning points at the first caller outside the SDK (``sogni_async`` forwards to here).
    """
    if event in valid:
        return event
    renamed = RENAMED_EVENTS.get(event)
    if renamed is not None and renamed in valid:
        warnings.warn(
            f"the {owner} event {event!r} is now called {renamed!r}; the old name will stop "
            "working in the next minor release",
            DeprecationWarning,
            stacklevel=_caller_outside_the_sdk(),
        )
        return renamed
    candidates = sorted(valid)
    close = difflib.get_close_matches(event, candidates, n=1) if isinstance(event, str) else []
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValidationError(
        [
            (
                "event",
                f"unknown {owner} event {event!r}; {hint}expected one of {', '.join(candidates)}",
            )
        ]
    )
