"""Every public error survives pickle, ``type(e)(*e.args)`` and a JSON round trip of its ``args``
(what Celery's json result serializer does), keeping its message and attributes."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from sogni import errors
from sogni.chat import ToolCall, ToolResult, ToolRound

WEATHER_CALL = ToolCall("call_1", "get_weather", '{"location": "Paris"}')
WEATHER_RESULT = ToolResult("call_1", "get_weather", '{"temp": 21}')
TIME_RESULT = ToolResult("call_2", "get_time", '{"error": "unknown tool"}', error="unknown tool")
ROUNDS = (
    ToolRound(
        0,
        (WEATHER_CALL,),
        (WEATHER_RESULT,),
        (
            {"role": "assistant", "content": None, "tool_calls": [WEATHER_CALL.to_dict()]},
            {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "call_1"},
        ),
    ),
    ToolRound(
        1,
        (ToolCall("call_2", "get_time", "{not json"),),
        (TIME_RESULT,),
        ({"role": "tool", "content": '{"error": "unknown tool"}', "tool_call_id": "call_2"},),
    ),
)

# Realistic constructions, as the SDK makes them (keyword usage included). Every class in
# ``errors.__all__`` needs at least one, so a new class cannot be left out.
EXAMPLES: dict[str, list[Callable[[], Any]]] = {
    "SogniError": [
        lambda: errors.SogniError("The enhancement produced no result"),
        lambda: errors.SogniError("the socket is disabled", retryable=True),
    ],
    "TransportError": [lambda: errors.TransportError("connection refused")],
    "ConnectionLostError": [
        lambda: errors.ConnectionLostError("the connection ended before it authenticated"),
        lambda: errors.ConnectionLostError("dropped", job_id="C0FFEE", retryable=False),
    ],
    "SogniTimeoutError": [lambda: errors.SogniTimeoutError("REST deadline of 30 s passed")],
    "TLSError": [lambda: errors.TLSError("TLS verification failed for https://api.sogni.ai")],
    "SendQueueFullError": [lambda: errors.SendQueueFullError("the send queue is full (1000)")],
    "APIError": [
        lambda: errors.APIError(
            "Unexpected",
            status=418,
            error_code=418,
            retry_after=1.5,
            details={"hint": ["a", "b"], "n": 2},
            retryable=True,
        )
    ],
    "BadRequestError": [
        lambda: errors.error_from_status(422, "Bad size", error_code=101, details={"w": 7})
    ],
    "AuthenticationError": [
        lambda: errors.AuthenticationError("Not signed in: no credentials", status=401),
        lambda: errors.AuthenticationError("Credentials refused", close_code=4021),
    ],
    "PermissionDeniedError": [lambda: errors.error_from_status(403, "Forbidden")],
    "NotFoundError": [lambda: errors.NotFoundError("No project 4C1D", status=404)],
    "ConflictError": [lambda: errors.error_from_status(409, "Username taken", error_code=108)],
    "RateLimitError": [lambda: errors.error_from_status(429, "Slow down", retry_after=7.0)],
    "ServerError": [lambda: errors.error_from_status(503, "Service Unavailable")],
    "InsufficientFundsError": [
        lambda: errors.error_from_status(402, "Payment Required"),
        lambda: errors.error_from_status(
            400, "Insufficient balance", error_code=123, details={"active": 4, "limit": 4}
        ),
    ],
    "SocketClosedError": [
        lambda: errors.SocketClosedError("closed by the server (4003)", close_code=4003)
    ],
    "AppIdConflictError": [
        lambda: errors.AppIdConflictError("worker-1"),
        lambda: errors.AppIdConflictError(),
    ],
    "AppIdBlockedError": [
        lambda: errors.AppIdBlockedError(
            "This app_id may not connect (close code 4010)", close_code=4010
        )
    ],
    "ProjectError": [
        lambda: errors.ProjectError(
            "Model not entitled",
            job_id="6A9F",
            error_code=4078,
            details={"requiredPlans": ["pro"], "feature": "video"},
        ),
        lambda: errors.ProjectError(
            "Worker disconnected",
            job_id="6A9F",
            error_code=5002,
            original_code="workerDisconnected",
            retryable=True,
        ),
    ],
    "ProjectCanceledError": [
        lambda: errors.ProjectCanceledError("Project canceled", job_id="6A9F", error_code=0)
    ],
    "ProjectInsufficientFundsError": [
        lambda: errors.ProjectInsufficientFundsError(
            "Insufficient balance: this render costs 2.5 spark and 0 is available",
            job_id="6A9F",
            error_code=123,
        )
    ],
    "ProjectLostError": [
        lambda: errors.ProjectLostError("The server has no record", job_id="6A9F")
    ],
    "ResultUnavailableError": [
        lambda: errors.ResultUnavailableError(
            "The result of job J-7 is ready, but its URL could not be obtained",
            job_id="6A9F",
            details={"job": "J-7"},
        )
    ],
    "CancellationError": [lambda: errors.CancellationError("cancel never confirmed")],
    "ChatError": [
        lambda: errors.ChatError(
            "model_unavailable: no such model",
            error_type="model_unavailable",
            error_code="4080",
            job_id="J-1",
            details={"worker_name": "w1"},
        ),
        lambda: errors.ChatError(
            "server_restarting: try again", error_type="server_restarting", job_id="J-2"
        ),
        lambda: errors.ChatError("forced", error_type="server_restarting", retryable=False),
    ],
    "ChatInsufficientFundsError": [
        lambda: errors.ChatInsufficientFundsError(
            "insufficient_balance: Not enough Spark to run this request.",
            error_type="insufficient_balance",
            job_id="J-3",
            details={"subscription_limit": 10, "required_plans": ["pro"]},
        )
    ],
    "ChatRunError": [
        lambda: errors.ChatRunError(
            "chat run run_01JB4Q failed: generate_image failed: genfailure",
            "run_01JB4Q",
            "failed",
            "generate_image failed: genfailure",
        ),
        lambda: errors.ChatRunError("chat run run_7 failed", run_id="run_7", details={"n": 1}),
    ],
    "ChatRunCanceledError": [
        lambda: errors.ChatRunCanceledError(
            "chat run run_9 was cancelled: changed my mind",
            "run_9",
            "cancelled",
            "changed my mind",
        )
    ],
    "ChatRunPartialFailureError": [
        lambda: errors.ChatRunPartialFailureError(
            "chat run run_3 ended with a partial failure: 1 result(s) were made",
            "run_3",
            [
                {
                    "id": "art_1",
                    "url": "https://cdn.example/run_3/music.mp3?X-Signature=abc",
                    "mediaType": "audio",
                    "toolName": "generate_music",
                }
            ],
            "generate_image failed: genfailure",
        ),
        lambda: errors.ChatRunPartialFailureError("nothing made", "run_4"),
    ],
    "ChatRunWaitingError": [
        lambda: errors.ChatRunWaitingError(
            "chat run run_5 is waiting for its user (cost_approval_required)",
            "run_5",
            "cost_approval_required",
            "call_7",
            {
                "totalEstimatedCapacityUnits": 42,
                "tokenType": "spark",
                "validityUntil": "2026-09-01T10:10:00.000Z",
                "perToolBreakdown": [
                    {"toolCallId": "call_7", "toolName": "generate_video", "capacityUnits": 42}
                ],
            },
            {"toolCallId": "call_7", "pendingToolCallIds": ["call_7"]},
        ),
        lambda: errors.ChatRunWaitingError(
            "waiting", run_id="run_6", reason="ask_clarifying_question"
        ),
    ],
    "ValidationError": [
        lambda: errors.ValidationError([("steps", "must be 1-50"), ("loras[1].strength", "≤ 2")]),
        lambda: errors.describe_problems({"max_rounds": "must be a positive integer"}),
    ],
    "ProtocolError": [lambda: errors.ProtocolError("tool_calls is not a list")],
    "ClientClosedError": [lambda: errors.ClientClosedError("the client is closed")],
    "ToolLoopError": [
        lambda: errors.ToolLoopError(
            "the model still asked for tools after 2 rounds", history=ROUNDS
        ),
        lambda: errors.ToolLoopError("no rounds"),
    ],
    "ForkedProcessError": [lambda: errors.ForkedProcessError()],
    "JournalLockedError": [lambda: errors.JournalLockedError("out/journal.jsonl is in use")],
    "ValidationProblem": [lambda: errors.ValidationProblem("steps", "must be 1-50")],
    "WorkflowFailedError": [
        lambda: errors.WorkflowFailedError(
            "workflow wf_12 failed: generate_video failed: genfailure",
            "wf_12",
            "failed",
            "generate_video failed: genfailure",
        ),
        lambda: errors.WorkflowFailedError("cancelled", workflow_id="wf_2", details={"n": 1}),
    ],
    "WorkflowPartialFailure": [
        lambda: errors.WorkflowPartialFailure(
            "workflow wf_3 ended with a partial failure: 1 result(s) were made",
            "wf_3",
            [{"id": "art_1", "url": "https://cdn.example/wf_3/a.png", "mediaType": "image"}],
            "generate_music failed",
        ),
        lambda: errors.WorkflowPartialFailure("nothing made", "wf_4"),
    ],
    "WorkflowWaitingError": [
        lambda: errors.WorkflowWaitingError(
            "workflow wf_5 is waiting for its user (cost_approval_required)",
            "wf_5",
            "cost_approval_required",
            True,
            {"estimatedCapacityUnits": 42},
        ),
        lambda: errors.WorkflowWaitingError("waiting", "wf_6", "ask_clarifying_question"),
    ],
}

ATTRIBUTES = (
    "message",
    "retryable",
    "status",
    "close_code",
    "error_code",
    "retry_after",
    "details",
    "job_id",
    "original_code",
    "error_type",
    "problems",
    "params",
    "history",
    "app_id",
    "run_id",
    "run_status",
    "reason",
    "artifacts",
    "result_urls",
    "tool_call_id",
    "cost_preview",
    "workflow_id",
    "workflow_status",
    "outputs",
    "awaiting_cost_approval",
)
_MISSING = object()


def _state(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name, _MISSING) for name in ATTRIBUTES}


def _pickled(e: Any) -> Any:
    return pickle.loads(pickle.dumps(e))


def _from_args(e: Any) -> Any:
    return type(e)(*e.args)


def _from_json_args(e: Any) -> Any:
    return type(e)(*json.loads(json.dumps(e.args)))


def _examples(name: str) -> list[Any]:
    if name not in EXAMPLES:
        pytest.fail(f"{name} is in sogni.errors.__all__ but has no example in this test")
    return [make() for make in EXAMPLES[name]]


def test_every_public_name_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(errors.__all__)


@pytest.mark.parametrize("rebuild", [_pickled, _from_args, _from_json_args])
@pytest.mark.parametrize("name", sorted(errors.__all__))
def test_every_public_error_round_trips(name: str, rebuild: Callable[[Any], Any]) -> None:
    cls = getattr(errors, name)
    for original in _examples(name):
        assert type(original) is cls
        if not isinstance(original, BaseException):
            assert cls is errors.ValidationProblem  # the one public name that is not an error
            form = [original.param, original.message]  # its form inside ValidationError.args
            copy = _pickled(original) if rebuild is _pickled else cls(*json.loads(json.dumps(form)))
            assert copy == original and repr(copy) == repr(original)
            continue
        assert isinstance(original.args, tuple)
        json.dumps(original.args)  # plain JSON values, no default= needed
        copy = rebuild(original)
        assert type(copy) is cls
        assert str(copy) == str(original)
        assert _state(copy) == _state(original)
        assert copy.args == original.args
        assert repr(copy) == repr(original)
        assert repr(original).startswith(f"{name}(") and " object at 0x" not in repr(original)


def test_validation_error_args_are_param_message_pairs() -> None:
    error = errors.ValidationError([("steps", "must be 1-50"), ("seed", "must be ≥ 0")])
    assert error.args == ([["steps", "must be 1-50"], ["seed", "must be ≥ 0"]],)
    copy = _pickled(error)
    assert copy.params == ["steps", "seed"]
    assert copy.problems == (
        errors.ValidationProblem("steps", "must be 1-50"),
        errors.ValidationProblem("seed", "must be ≥ 0"),
    )
    assert isinstance(copy, ValueError)


def test_forked_process_error_unpickles() -> None:
    error = errors.ForkedProcessError()
    copy = _pickled(error)
    assert type(copy) is errors.ForkedProcessError
    assert str(copy) == str(error) and "post_fork" in str(copy)
    assert error.args == ()


def test_app_id_conflict_message_does_not_double() -> None:
    error = errors.AppIdConflictError("worker-1")
    for copy in (_from_json_args(error), _pickled(error), _pickled(_pickled(error))):
        assert str(copy) == str(error)
        assert str(copy).count("close code 4015") == 1
        assert str(copy).count("'worker-1'") == 1
        assert copy.app_id == "worker-1" and copy.close_code == 4015 and not copy.retryable


def test_insufficient_funds_subclasses_keep_both_families() -> None:
    project = EXAMPLES["ProjectInsufficientFundsError"][0]()
    chat = EXAMPLES["ChatInsufficientFundsError"][0]()
    for error, family in ((project, errors.ProjectError), (chat, errors.ChatError)):
        for copy in (error, _pickled(error), _from_json_args(error)):
            assert isinstance(copy, errors.InsufficientFundsError)
            assert isinstance(copy, family)
            assert copy.retryable is False
    assert repr(project) == (
        "ProjectInsufficientFundsError('Insufficient balance: this render costs 2.5 spark and 0 "
        "is available', job_id='6A9F', error_code=123)"
    )


def test_tool_loop_history_survives_json_as_tool_rounds() -> None:
    error = errors.ToolLoopError("the model still asked for tools after 2 rounds", history=ROUNDS)
    copy = _from_json_args(error)
    assert copy.history == ROUNDS
    assert all(isinstance(r, ToolRound) for r in copy.history)
    assert copy.history[1].results[0].error == "unknown tool"
    assert repr(error) == (
        "ToolLoopError('the model still asked for tools after 2 rounds', history=<2 rounds>)"
    )


class _Opaque:
    """Something that is not a ToolRound (pickle keeps it; JSON cannot)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Opaque) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def test_pickle_keeps_a_history_that_json_cannot() -> None:
    error = errors.ToolLoopError("stuck", history=[ROUNDS[0], _Opaque(7)])
    copy = _pickled(error)
    assert copy.history == (ROUNDS[0], _Opaque(7))
    assert isinstance(copy.history[1], _Opaque)


def _raise(name: str) -> None:
    raise EXAMPLES[name][0]()


def test_errors_cross_a_process_pool() -> None:
    names = ["ValidationError", "ForkedProcessError", "AppIdConflictError", "ToolLoopError"]
    context = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        futures = {name: pool.submit(_raise, name) for name in names}
        for name, future in futures.items():
            expected = EXAMPLES[name][0]()
            with pytest.raises(type(expected)) as info:
                future.result(timeout=30)
            assert str(info.value) == str(expected)
            assert _state(info.value) == _state(expected)
