"""The one public error tree of the SDK.

``SogniError`` splits by "did the server answer?":

* :class:`TransportError`: no server verdict (connection refused or lost, TLS, deadline).
* :class:`APIError`: the server said no, over REST (``status``), by closing the socket
  (``close_code``) or by failing a project or chat job (``error_code``).

Local problems have their own branches: :class:`ValidationError` (bad input, nothing was sent),
:class:`ClientClosedError`, :class:`ForkedProcessError`, :class:`ProtocolError`.

Every error has ``retryable``: whether the same call may succeed if simply tried again.
Error texts never contain credentials: they are built from status codes, server messages and ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "APIError",
    "AppIdBlockedError",
    "AppIdConflictError",
    "AuthenticationError",
    "BadRequestError",
    "CancellationError",
    "ChatError",
    "ClientClosedError",
    "ConflictError",
    "ConnectionLostError",
    "ForkedProcessError",
    "InsufficientFundsError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProjectCanceledError",
    "ProjectError",
    "ProjectLostError",
    "ProtocolError",
    "RateLimitError",
    "ResultUnavailableError",
    "SendQueueFullError",
    "ServerError",
    "SocketClosedError",
    "SogniError",
    "SogniTimeoutError",
    "TLSError",
    "ToolLoopError",
    "TransportError",
    "ValidationError",
    "ValidationProblem",
]


class SogniError(Exception):
    """Root of every error the SDK raises on purpose."""

    retryable: bool = False

    def __init__(self, message: str = "", *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- transport


class TransportError(SogniError):
    """No verdict from the server: connecting failed, the connection broke, or time ran out."""

    retryable = True


class ConnectionLostError(TransportError):
    """The connection dropped while work was in flight and could not be recovered."""

    def __init__(self, message: str, *, job_id: str | None = None, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)
        self.job_id = job_id


class SogniTimeoutError(TransportError, TimeoutError):
    """An SDK deadline passed (REST deadline, send-ready wait, per-request timeout)."""


class TLSError(TransportError):
    """The server's certificate could not be verified. Never retried."""

    retryable = False


class SendQueueFullError(TransportError):
    """The bounded send queue is full; the message was not queued."""

    retryable = True


# --------------------------------------------------------------------------- server verdicts


class APIError(SogniError):
    """The server answered and refused.

    ``status`` is the HTTP status (REST), ``close_code`` the WebSocket close code,
    ``error_code`` the server's own code (``errorCode`` on REST, ``error`` on socket jobs),
    ``retry_after`` the seconds the server asked us to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        close_code: int | None = None,
        error_code: int | str | None = None,
        retry_after: float | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.close_code = close_code
        self.error_code = error_code
        self.retry_after = retry_after
        self.details = details

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for name in ("status", "close_code", "error_code", "retry_after"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class BadRequestError(APIError):
    """HTTP 400 or 422."""


class AuthenticationError(APIError):
    """HTTP 401 or socket close 4021: the credentials were refused and have been cleared."""


class PermissionDeniedError(APIError):
    """HTTP 403."""


class NotFoundError(APIError):
    """HTTP 404."""


class ConflictError(APIError):
    """HTTP 409."""


class RateLimitError(APIError):
    """HTTP 429; ``retry_after`` says how long to wait."""

    retryable = True


class ServerError(APIError):
    """HTTP 5xx."""

    retryable = True


class InsufficientFundsError(APIError):
    """The account cannot pay for the request."""


class SocketClosedError(APIError):
    """The server closed the socket with a code that forbids reconnecting on our own."""


class AppIdConflictError(SocketClosedError):
    """Close 4015: another connection with the same ``app_id`` took over this one."""

    def __init__(self, app_id: str | None = None) -> None:
        super().__init__(
            "Another connection with the same app_id "
            + (f"({app_id!r}) " if app_id else "")
            + "replaced this one (close code 4015). The Supernet allows one live connection "
            "per app_id: give every process its own app_id (see sogni.worker_app_id) and call "
            "client.connect() to take the connection back.",
            close_code=4015,
            retryable=False,
        )


class AppIdBlockedError(SocketClosedError):
    """Close 4010: this ``app_id`` may not connect."""


class ProjectError(APIError):
    """A project (or one of its jobs) failed on the server.

    ``error_code`` is the numeric code (symbolic server codes are mapped to 5000-5005 and kept
    in ``original_code``); ``job_id`` is the project id.
    """

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        error_code: int | str | None = None,
        original_code: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, error_code=error_code, details=details, retryable=retryable)
        self.job_id = job_id
        self.original_code = original_code


class ProjectCanceledError(ProjectError):
    """The project was canceled (by us or by the server)."""


class ProjectLostError(ProjectError):
    """The server has no record of the project (e.g. interrupted by a restart)."""

    retryable = True


class ResultUnavailableError(ProjectError):
    """A job finished, but its result URL could not be obtained. ``job.refresh_result_url()``
    tries again; ``details["job"]`` is the job's id."""

    retryable = True


class CancellationError(APIError):
    """A cancel was refused by the server, or its confirmation never came."""

    retryable = True


class ChatError(APIError):
    """An LLM chat job failed. ``error_type`` is the server's tag (``invalid_request``, ...)."""

    def __init__(
        self,
        message: str,
        *,
        error_type: str | None = None,
        error_code: int | str | None = None,
        job_id: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        if retryable is None:
            retryable = error_type in ("server_restarting", "transport_lost")
        super().__init__(message, error_code=error_code, details=details, retryable=retryable)
        self.error_type = error_type
        self.job_id = job_id


# --------------------------------------------------------------------------- local problems


class ValidationProblem:
    """One invalid parameter: its name (a path such as ``loras[1].strength``) and what is wrong."""

    __slots__ = ("message", "param")

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message

    def __repr__(self) -> str:
        return f"ValidationProblem({self.param!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"{self.param}: {self.message}"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ValidationProblem)
            and other.param == self.param
            and other.message == self.message
        )

    def __hash__(self) -> int:
        return hash((self.param, self.message))


class ValidationError(SogniError, ValueError):
    """Invalid input, detected before anything was sent or uploaded.

    ``problems`` lists every problem found, each with the parameter's name.
    """

    def __init__(self, problems: Iterable[ValidationProblem | tuple[str, str]]) -> None:
        items = [p if isinstance(p, ValidationProblem) else ValidationProblem(*p) for p in problems]
        self.problems: Sequence[ValidationProblem] = tuple(items)
        count = len(items)
        head = f"{count} invalid parameter{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in items), retryable=False)

    @property
    def params(self) -> list[str]:
        return [p.param for p in self.problems]


class ProtocolError(SogniError):
    """The server sent something this SDK cannot understand."""


class ClientClosedError(SogniError):
    """The client was closed; the operation cannot run (or was interrupted by ``close()``)."""


class ToolLoopError(SogniError):
    """The tool-calling loop hit its round limit with the model still calling tools.

    ``history`` holds every round that ran (their tools have been called).
    """

    def __init__(self, message: str, *, history: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.history = tuple(history)


class ForkedProcessError(SogniError):
    """The client was created in a parent process and used after ``fork()``."""

    def __init__(self) -> None:
        super().__init__(
            "This SogniClient was created before the process forked and cannot be used in the "
            "child: its socket and threads belong to the parent. Create the client after "
            "forking (e.g. in gunicorn's post_fork hook or Celery's worker_process_init), and "
            "give each process its own app_id with sogni.worker_app_id(base)."
        )


def error_from_status(
    status: int,
    message: str,
    *,
    error_code: int | str | None = None,
    retry_after: float | None = None,
    details: Any = None,
) -> APIError:
    """Map an HTTP status to the matching :class:`APIError` subclass."""
    cls: type[APIError]
    if status in (400, 422):
        cls = BadRequestError
    elif status == 401:
        cls = AuthenticationError
    elif status == 402:
        cls = InsufficientFundsError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 404:
        cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status == 429:
        cls = RateLimitError
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIError
    return cls(
        message,
        status=status,
        error_code=error_code,
        retry_after=retry_after,
        details=details,
    )


def describe_problems(problems: Mapping[str, str]) -> ValidationError:
    """Shorthand for a :class:`ValidationError` built from ``{param: message}``."""
    return ValidationError(problems.items())
