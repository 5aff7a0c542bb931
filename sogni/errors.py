"""The one public error tree of the SDK.

``SogniError`` splits by "did the server answer?":

* :class:`TransportError`: no server verdict (connection refused or lost, TLS, deadline).
* :class:`APIError`: the server said no, over REST (``status``), by closing the socket
  (``close_code``) or by failing a project or chat job (``error_code``).

Local problems have their own branches: :class:`ValidationError` (bad input, nothing was sent),
:class:`ClientClosedError`, :class:`ForkedProcessError`, :class:`ProtocolError`.

Every error has ``retryable``: whether the same call may succeed if simply tried again.
Error texts never contain credentials: they are built from status codes, server messages and ids.

Every error survives pickling (``ProcessPoolExecutor``, multiprocessing) and a JSON round trip of
its ``args`` (Celery's json result serializer): ``args`` holds the constructor's positional
arguments as plain JSON values, so ``type(e)(*e.args)`` rebuilds an equal error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import attrs

__all__ = [
    "APIError",
    "AppIdBlockedError",
    "AppIdConflictError",
    "AuthenticationError",
    "BadRequestError",
    "CancellationError",
    "ChatError",
    "ChatInsufficientFundsError",
    "ChatRunCanceledError",
    "ChatRunError",
    "ChatRunPartialFailureError",
    "ChatRunWaitingError",
    "ClientClosedError",
    "ConflictError",
    "ConnectionLostError",
    "ForkedProcessError",
    "InsufficientFundsError",
    "JournalLockedError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProjectCanceledError",
    "ProjectError",
    "ProjectInsufficientFundsError",
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
    "WorkflowFailedError",
    "WorkflowPartialFailure",
    "WorkflowWaitingError",
]


class SogniError(Exception):
    """Root of every error the SDK raises on purpose.

    ``args`` are the constructor's positional arguments (trailing ``None`` left out), as JSON
    values: ``type(e)(*e.args)`` rebuilds the error, which is how pickle and Celery do it.
    """

    retryable: bool = False
    # The constructor's positional parameters, in order; ``args`` holds their values.
    # Subclasses set their own attributes before calling ``super().__init__`` so the values
    # are all there when ``args`` is built.
    _arg_names: ClassVar[tuple[str, ...]] = ("message", "retryable")

    def __init__(self, message: str = "", retryable: bool | None = None) -> None:
        # One argument only: OSError (behind SogniTimeoutError) reads two as errno, strerror.
        super().__init__(message)
        self.message = message
        self.retryable = self._default_retryable() if retryable is None else retryable
        self.args = self._positional_args()

    def _default_retryable(self) -> bool:
        """What ``retryable`` is when the constructor is given None."""
        return type(self).retryable

    def _arg_value(self, name: str) -> Any:
        """The JSON form of one positional argument (None: the constructor's default)."""
        if name == "retryable":
            return None if self.retryable == self._default_retryable() else self.retryable
        return getattr(self, name)

    def _positional_args(self) -> tuple[Any, ...]:
        values = [self._arg_value(name) for name in self._arg_names]
        while values and values[-1] is None:
            values.pop()
        return tuple(values)

    def _repr_value(self, name: str, value: Any) -> str:
        return repr(value)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = []
        # From the attributes, not ``args``: code that rewrites ``args`` must not break repr.
        for index, (name, value) in enumerate(zip(self._arg_names, self._positional_args())):
            if value is None:
                continue
            text = self._repr_value(name, value)
            parts.append(text if index == 0 else f"{name}={text}")
        return f"{type(self).__name__}({', '.join(parts)})"


# --------------------------------------------------------------------------- transport


class TransportError(SogniError):
    """No verdict from the server: connecting failed, the connection broke, or time ran out."""

    retryable = True


class ConnectionLostError(TransportError):
    """The connection dropped while work was in flight and could not be recovered."""

    _arg_names: ClassVar[tuple[str, ...]] = ("message", "job_id", "retryable")

    def __init__(
        self, message: str, job_id: str | None = None, retryable: bool | None = None
    ) -> None:
        self.job_id = job_id
        super().__init__(message, retryable=retryable)


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
    ``retry_after`` the seconds the server asked us to wait, ``details`` the server's structured
    context (JSON values).
    """

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "status",
        "close_code",
        "error_code",
        "retry_after",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        status: int | None = None,
        close_code: int | None = None,
        error_code: int | str | None = None,
        retry_after: float | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.status = status
        self.close_code = close_code
        self.error_code = error_code
        self.retry_after = retry_after
        self.details = details
        super().__init__(message, retryable=retryable)


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
    """The account cannot pay for the request: HTTP 402 or ``errorCode`` 123 on REST, a render
    refused for balance (:class:`ProjectInsufficientFundsError`) or a chat job refused with
    ``insufficient_balance`` (:class:`ChatInsufficientFundsError`)."""


class SocketClosedError(APIError):
    """The server closed the socket with a code that forbids reconnecting on our own."""


class AppIdConflictError(SocketClosedError):
    """Close 4015: another connection with the same ``app_id`` took over this one."""

    _arg_names: ClassVar[tuple[str, ...]] = ("app_id",)

    def __init__(self, app_id: str | None = None) -> None:
        self.app_id = app_id
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

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "job_id",
        "error_code",
        "original_code",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        job_id: str | None = None,
        error_code: int | str | None = None,
        original_code: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.job_id = job_id
        self.original_code = original_code
        super().__init__(message, error_code=error_code, details=details, retryable=retryable)


class ProjectCanceledError(ProjectError):
    """The project was canceled (by us or by the server)."""


class ProjectInsufficientFundsError(ProjectError, InsufficientFundsError):
    """A render refused because the account cannot pay for it (``error_code`` 123).

    Both a :class:`ProjectError` (same constructor and attributes) and an
    :class:`InsufficientFundsError`.
    """


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

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "error_type",
        "error_code",
        "job_id",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        error_type: str | None = None,
        error_code: int | str | None = None,
        job_id: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.error_type = error_type
        self.job_id = job_id
        super().__init__(message, error_code=error_code, details=details, retryable=retryable)

    def _default_retryable(self) -> bool:
        return self.error_type in ("server_restarting", "transport_lost")


class ChatInsufficientFundsError(ChatError, InsufficientFundsError):
    """A chat job refused with ``insufficient_balance``: the account cannot pay for it.

    Both a :class:`ChatError` (same constructor and attributes) and an
    :class:`InsufficientFundsError`.
    """


def _results(items: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The results a durable run or workflow made before it failed, as plain dicts."""
    return [dict(a) for a in items or ()]


def _urls(results: list[dict[str, Any]]) -> list[str]:
    return [a["url"] for a in results if isinstance(a.get("url"), str)]


class ChatRunError(APIError):
    """A durable chat run ended without completing. ``run_status`` is the server's status
    (``failed``; ``cancelled`` for :class:`ChatRunCanceledError`, ``partial_failure`` for
    :class:`ChatRunPartialFailureError`), ``reason`` its failure or cancellation reason."""

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "run_id",
        "run_status",
        "reason",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        run_id: str | None = None,
        run_status: str | None = None,
        reason: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.run_id = run_id
        self.run_status = run_status
        self.reason = reason
        super().__init__(message, details=details, retryable=retryable)


class ChatRunCanceledError(ChatRunError):
    """The run was cancelled (by ``cancel()`` here, or elsewhere)."""


class ChatRunPartialFailureError(ChatRunError):
    """The run ended with ``partial_failure``: some tools failed, others made media.
    ``artifacts`` holds the media that was made (and paid for), as the server describes each
    one (``url``, ``mediaType``, ``toolName`` ...); ``result_urls`` their URLs."""

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "run_id",
        "artifacts",
        "reason",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        run_id: str | None = None,
        artifacts: Sequence[Mapping[str, Any]] | None = (),
        reason: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.artifacts = _results(artifacts)
        super().__init__(message, run_id, "partial_failure", reason, details, retryable)

    @property
    def result_urls(self) -> list[str]:
        return _urls(self.artifacts)

    def _arg_value(self, name: str) -> Any:
        if name == "artifacts":
            return self.artifacts or None
        return super()._arg_value(name)


class ChatRunWaitingError(SogniError):
    """``run.wait()`` found the run paused until its user decides (``reason``, e.g.
    ``cost_approval_required``). The run goes on once the decision is sent: for a cost
    approval, ``run.confirm_cost()`` (``cost_preview`` is what will be accepted, exactly as the
    server sent it; ``tool_call_id`` the paused call). ``details`` are the server's."""

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "run_id",
        "reason",
        "tool_call_id",
        "cost_preview",
        "details",
    )

    def __init__(
        self,
        message: str,
        run_id: str | None = None,
        reason: str | None = None,
        tool_call_id: str | None = None,
        cost_preview: Mapping[str, Any] | None = None,
        details: Any = None,
    ) -> None:
        self.run_id = run_id
        self.reason = reason
        self.tool_call_id = tool_call_id
        self.cost_preview = None if cost_preview is None else dict(cost_preview)
        self.details = details
        super().__init__(message, retryable=False)


class WorkflowFailedError(APIError):
    """A creative workflow ended without completing: ``workflow_status`` is ``failed`` or
    ``cancelled`` (``partial_failure`` for :class:`WorkflowPartialFailure`), ``reason`` the
    service's error message when it gave one."""

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "workflow_id",
        "workflow_status",
        "reason",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        workflow_id: str | None = None,
        workflow_status: str | None = None,
        reason: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.workflow_id = workflow_id
        self.workflow_status = workflow_status
        self.reason = reason
        super().__init__(message, details=details, retryable=retryable)


class WorkflowPartialFailure(WorkflowFailedError):
    """The workflow ended with ``partial_failure``: some steps failed, others made results.
    ``outputs`` holds what was made (and paid for), as the service describes each result
    (``url``, ``mediaType``, ``stepId`` ...); ``result_urls`` their URLs. ``resume()`` retries
    the failed steps."""

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "workflow_id",
        "outputs",
        "reason",
        "details",
        "retryable",
    )

    def __init__(
        self,
        message: str,
        workflow_id: str | None = None,
        outputs: Sequence[Mapping[str, Any]] | None = (),
        reason: str | None = None,
        details: Any = None,
        retryable: bool | None = None,
    ) -> None:
        self.outputs = _results(outputs)
        super().__init__(message, workflow_id, "partial_failure", reason, details, retryable)

    @property
    def result_urls(self) -> list[str]:
        return _urls(self.outputs)

    def _arg_value(self, name: str) -> Any:
        if name == "outputs":
            return self.outputs or None
        return super()._arg_value(name)


class WorkflowWaitingError(SogniError):
    """``run.wait()`` found the workflow paused until its user acts (``reason``, one of the
    service's waiting reasons). ``awaiting_cost_approval`` is True when the pause is a cost
    approval. Once the user has answered, ``run.resume()`` starts it again."""

    _arg_names: ClassVar[tuple[str, ...]] = (
        "message",
        "workflow_id",
        "reason",
        "awaiting_cost_approval",
        "details",
    )

    def __init__(
        self,
        message: str,
        workflow_id: str | None = None,
        reason: str | None = None,
        awaiting_cost_approval: bool | None = None,
        details: Any = None,
    ) -> None:
        self.workflow_id = workflow_id
        self.reason = reason
        self.awaiting_cost_approval = bool(awaiting_cost_approval)
        self.details = details
        super().__init__(message, retryable=False)

    def _arg_value(self, name: str) -> Any:
        if name == "awaiting_cost_approval":
            return True if self.awaiting_cost_approval else None
        return super()._arg_value(name)


# --------------------------------------------------------------------------- local problems


class ValidationProblem:
    """One invalid parameter: its name (a path such as ``loras[1].strength``) and what is wrong."""

    __slots__ = ("message", "param")

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message

    def __repr__(self) -> str:
        return f"ValidationProblem({self.param!r}, {self.message!r})"

    def __reduce__(self) -> tuple[type[ValidationProblem], tuple[str, str]]:
        return (ValidationProblem, (self.param, self.message))

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

    ``problems`` lists every problem found, each with the parameter's name. ``args`` is
    ``([[param, message], ...],)``, which the constructor takes back.
    """

    _arg_names: ClassVar[tuple[str, ...]] = ("problems",)

    def __init__(
        self, problems: Iterable[ValidationProblem | tuple[str, str] | Sequence[str]]
    ) -> None:
        items = [p if isinstance(p, ValidationProblem) else ValidationProblem(*p) for p in problems]
        self.problems: Sequence[ValidationProblem] = tuple(items)
        count = len(items)
        head = f"{count} invalid parameter{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in items), retryable=False)

    def _arg_value(self, name: str) -> Any:
        if name == "problems":
            return [[p.param, p.message] for p in self.problems]
        return super()._arg_value(name)

    @property
    def params(self) -> list[str]:
        return [p.param for p in self.problems]


class ProtocolError(SogniError):
    """The server sent something this SDK cannot understand."""


class ClientClosedError(SogniError):
    """The client was closed; the operation cannot run (or was interrupted by ``close()``)."""


class ToolLoopError(SogniError):
    """The tool-calling loop stopped with tool rounds behind it: the round limit came with the
    model still calling tools, a round asked for too many platform calls, or a later chat
    request failed (that error is the ``__cause__``).

    ``tool_history`` (also ``history``) holds every round that ran (their tools have been
    called), as :class:`~sogni.chat.ToolRound` objects whose results keep the project ids and
    result URLs of the media already made and paid for. In ``args`` each round is a plain dict
    (its fields, lists for tuples) that the constructor turns back into a ``ToolRound``, so the
    history also survives JSON; anything else in ``history`` is passed through as it is (kept by
    pickle, but a JSON serializer may reduce it to its repr).
    """

    _arg_names: ClassVar[tuple[str, ...]] = ("message", "history")

    def __init__(self, message: str, history: Sequence[Any] | None = ()) -> None:
        self.history: tuple[Any, ...] = tuple(_round_from_json(item) for item in history or ())
        super().__init__(message)

    @property
    def tool_history(self) -> tuple[Any, ...]:
        """The rounds that ran (the same as ``history``)."""
        return self.history

    @property
    def result_urls(self) -> list[str]:
        """Every media URL the rounds' platform tools produced, in order."""
        return [url for item in self.history for url in getattr(item, "result_urls", ())]

    def _arg_value(self, name: str) -> Any:
        if name == "history":
            return [_round_to_json(item) for item in self.history] or None
        return super()._arg_value(name)

    def _repr_value(self, name: str, value: Any) -> str:
        if name == "history":
            return f"<{len(value)} round{'s' if len(value) != 1 else ''}>"
        return super()._repr_value(name, value)


_ROUND_FIELDS = frozenset(("round", "tool_calls", "results", "messages"))


def _round_to_json(item: Any) -> Any:
    from .chat._models import ToolRound  # the chat package imports this module

    if isinstance(item, ToolRound):
        return attrs.asdict(item)  # tuples become lists
    return item


def _round_from_json(item: Any) -> Any:
    """A ToolRound back from its dict form; anything else unchanged (never raises)."""
    if not isinstance(item, Mapping) or set(item) != _ROUND_FIELDS:
        return item
    from .chat._models import ToolCall, ToolResult, ToolRound

    try:
        return ToolRound(
            round=item["round"],
            tool_calls=tuple(ToolCall(**call) for call in item["tool_calls"]),
            results=tuple(ToolResult(**result) for result in item["results"]),
            messages=tuple(dict(message) for message in item["messages"]),
        )
    except (TypeError, ValueError):
        return item


class JournalLockedError(SogniError):
    """A batch journal is held by another run (two runs never write one journal)."""


class ForkedProcessError(SogniError):
    """The client was created in a parent process and used after ``fork()``."""

    _arg_names: ClassVar[tuple[str, ...]] = ()

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
    """Map an HTTP status (and the insufficient-balance ``errorCode``) to an :class:`APIError`."""
    cls: type[APIError]
    if status == 402 or is_insufficient_balance(error_code):
        cls = InsufficientFundsError
    elif status in (400, 422):
        cls = BadRequestError
    elif status == 401:
        cls = AuthenticationError
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


INSUFFICIENT_BALANCE_CODE = 123
"""The server's ``errorCode`` for "the account cannot pay" (``INSUFFICIENT_BALANCE``)."""


def is_insufficient_balance(error_code: object) -> bool:
    """Whether a server error code (a number or its text) means insufficient balance."""
    if isinstance(error_code, bool):
        return False
    if isinstance(error_code, str):
        return error_code.strip() == str(INSUFFICIENT_BALANCE_CODE)
    return isinstance(error_code, (int, float)) and error_code == INSUFFICIENT_BALANCE_CODE


def describe_problems(problems: Mapping[str, str]) -> ValidationError:
    """Shorthand for a :class:`ValidationError` built from ``{param: message}``."""
    return ValidationError(problems.items())
