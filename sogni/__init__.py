"""Sogni Supernet SDK for Python: synchronous-first, thread-safe, with an asyncio shim.

``import sogni`` is cheap: the HTTP and WebSocket stacks load when a client is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _log as _log  # installs the NullHandler on the "sogni" logger
from ._version import __version__
from .config import ClientConfig, RetryPolicy, Timeouts, worker_app_id
from .errors import (
    APIError,
    AppIdBlockedError,
    AppIdConflictError,
    AuthenticationError,
    BadRequestError,
    CancellationError,
    ChatError,
    ChatInsufficientFundsError,
    ChatRunCanceledError,
    ChatRunError,
    ChatRunPartialFailureError,
    ChatRunWaitingError,
    ClientClosedError,
    ConflictError,
    ConnectionLostError,
    ForkedProcessError,
    InsufficientFundsError,
    JournalLockedError,
    NotFoundError,
    PermissionDeniedError,
    ProjectCanceledError,
    ProjectError,
    ProjectInsufficientFundsError,
    ProjectLostError,
    ProtocolError,
    RateLimitError,
    ResultUnavailableError,
    SendQueueFullError,
    ServerError,
    SocketClosedError,
    SogniError,
    SogniTimeoutError,
    TLSError,
    ToolLoopError,
    TransportError,
    ValidationError,
    ValidationProblem,
    WorkflowFailedError,
    WorkflowPartialFailure,
    WorkflowWaitingError,
)

if TYPE_CHECKING:
    from .account import AccountInfo, Balances, CurrentAccount, SubscriptionStatus, TokenBalance
    from .auth import Tokens
    from .client import SogniClient
    from .projects.handles import (
        Job,
        JobStatus,
        Project,
        ProjectEvent,
        ProjectEventType,
        ProjectStatus,
    )
    from .projects.params import (
        AudioProjectParams,
        ControlNetParams,
        ImageProjectParams,
        VideoProjectParams,
    )
    from .workflows import WorkflowRun, parse_creative_workflow_sse_chunk

# Names resolved on first use, so that importing sogni does not load the network stack.
_LAZY = {
    "SogniClient": "sogni.client",
    "Tokens": "sogni.auth",
    "AccountInfo": "sogni.account",
    "Balances": "sogni.account",
    "CurrentAccount": "sogni.account",
    "SubscriptionStatus": "sogni.account",
    "TokenBalance": "sogni.account",
    "ImageProjectParams": "sogni.projects.params",
    "ControlNetParams": "sogni.projects.params",
    "VideoProjectParams": "sogni.projects.params",
    "AudioProjectParams": "sogni.projects.params",
    "Project": "sogni.projects.handles",
    "Job": "sogni.projects.handles",
    "ProjectEvent": "sogni.projects.handles",
    "ProjectEventType": "sogni.projects.handles",
    "ProjectStatus": "sogni.projects.handles",
    "JobStatus": "sogni.projects.handles",
    "WorkflowRun": "sogni.workflows",
    "parse_creative_workflow_sse_chunk": "sogni.workflows",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'sogni' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "APIError",
    "AccountInfo",
    "AppIdBlockedError",
    "AppIdConflictError",
    "AudioProjectParams",
    "AuthenticationError",
    "BadRequestError",
    "Balances",
    "CancellationError",
    "ChatError",
    "ChatInsufficientFundsError",
    "ChatRunCanceledError",
    "ChatRunError",
    "ChatRunPartialFailureError",
    "ChatRunWaitingError",
    "ClientClosedError",
    "ClientConfig",
    "ConflictError",
    "ConnectionLostError",
    "ControlNetParams",
    "CurrentAccount",
    "ForkedProcessError",
    "ImageProjectParams",
    "InsufficientFundsError",
    "JournalLockedError",
    "Job",
    "JobStatus",
    "NotFoundError",
    "PermissionDeniedError",
    "Project",
    "ProjectEvent",
    "ProjectEventType",
    "ProjectStatus",
    "ProjectCanceledError",
    "ProjectError",
    "ProjectInsufficientFundsError",
    "ProjectLostError",
    "ProtocolError",
    "RateLimitError",
    "ResultUnavailableError",
    "RetryPolicy",
    "SendQueueFullError",
    "ServerError",
    "SocketClosedError",
    "SogniClient",
    "SogniError",
    "SogniTimeoutError",
    "SubscriptionStatus",
    "TLSError",
    "Timeouts",
    "TokenBalance",
    "Tokens",
    "ToolLoopError",
    "TransportError",
    "ValidationError",
    "ValidationProblem",
    "VideoProjectParams",
    "__version__",
    "worker_app_id",
    "WorkflowFailedError",
    "WorkflowPartialFailure",
    "WorkflowRun",
    "WorkflowWaitingError",
    "parse_creative_workflow_sse_chunk",
]
