"""``ChatStream``: one chat job in flight, fed by the transport thread, read by the caller.

The transport thread calls ``on_frame`` for every frame naming the job.
It only updates state under a lock and appends the chunk to a buffer; the caller's thread
iterates (or waits) on that buffer. The buffer is bounded in entries: when a slow reader lets it
fill up, new chunks are merged into the last one, so nothing is lost and the transport thread
never blocks.

Reconnects: when the socket drops after the request went out, the job is
"awaiting reconnect". Any frame for it, or its id in ``authenticated.activeLLMJobIDs``, clears
that; a reconnect whose ``activeLLMJobIDs`` lacks it, or ``timeouts.chat_reconnect_grace`` of
silence, fails it with a retryable ``transport_lost`` :class:`ChatError`.
"""

from __future__ import annotations

import collections
import concurrent.futures
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .._futures import SogniFuture
from .._log import get_logger
from .._wire.envelope import Frame, parse_json
from .._wire.messages import JobState, JobTokens, LLMJobError, LLMJobResult
from ..errors import (
    ChatError,
    ChatInsufficientFundsError,
    ClientClosedError,
    ProtocolError,
    SogniError,
    SogniTimeoutError,
)
from ._models import (
    ChatCompletionChunk,
    ChatCompletionResult,
    ChatJobState,
    LLMJobCost,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from ._think import ThinkSplitter

if TYPE_CHECKING:
    from .._core_protocols import JobCore
    from ..config import ClientConfig

__all__ = ["TRANSPORT_LOST_MESSAGE", "ChatStream"]

log = get_logger("sogni.chat")

TRANSPORT_LOST_MESSAGE = (
    "The connection to Sogni dropped and this request did not survive it. Send it again."
)
_MAX_BUFFERED = 1024
_CODE_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*\n(.*?)\n?```$", re.DOTALL)


class _CallBuilder:
    __slots__ = ("arguments", "id", "name")

    def __init__(self) -> None:
        self.id = ""
        self.name = ""
        self.arguments: list[str] = []


class ChatStream:
    """A streaming chat completion: iterate it for :class:`ChatCompletionChunk` deltas.

    Use it as a context manager, or call :meth:`close` if you stop early. After iteration
    ends, :attr:`final_result` holds the :class:`ChatCompletionResult`; :meth:`wait` blocks
    for it without iterating. Closing early only stops reading: the released protocol has no
    way to cancel an LLM job, so the server may still finish (and bill) it.
    """

    def __init__(
        self,
        core: JobCore,
        config: ClientConfig,
        job_id: str,
        *,
        deadline: float,
        response_format: str | None,
    ) -> None:
        self._core = core
        self._clock = config.clock
        self._grace = config.timeouts.chat_reconnect_grace
        self._deadline = deadline
        self._response_format = response_format
        self._job_id = job_id
        self._cond = threading.Condition()
        self._buffer: collections.deque[ChatCompletionChunk] = collections.deque()
        self._splitter = ThinkSplitter()
        self._answer: list[str] = []
        self._reasoning: list[str] = []
        self._role = "assistant"
        self._finish_reason: str | None = None
        self._usage: Usage | None = None
        self._worker_name: str | None = None
        self._calls: dict[int, _CallBuilder] = {}
        self._result: ChatCompletionResult | None = None
        self._error: SogniError | None = None
        self._done = False
        self._sent: concurrent.futures.Future[int] | None = None
        self._lost: tuple[int, float] | None = None  # (connection generation, when) of a drop
        self._awaiting_since: float | None = None
        self._wakers: list[Callable[[], None]] = []
        self._waiting = 0  # threads in _wait_locked
        self._future: SogniFuture[ChatCompletionResult] = SogniFuture(core.callbacks)
        self._future.set_running_or_notify_cancel()  # a local wait never cancels the job

    # ------------------------------------------------------------------ the caller's side

    @property
    def content(self) -> str:
        """The answer received so far."""
        return "".join(self._answer)

    @property
    def reasoning(self) -> str:
        """The reasoning (inline thinking) received so far."""
        return "".join(self._reasoning)

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The tool calls assembled so far, by index."""
        with self._cond:
            return self._tool_calls()

    @property
    def worker_name(self) -> str | None:
        return self._worker_name

    @property
    def done(self) -> bool:
        return self._done

    @property
    def job_id(self) -> str:
        """The chat job's id (``jobID`` on the wire)."""
        return self._job_id

    @property
    def future(self) -> SogniFuture[ChatCompletionResult]:
        """A stdlib ``Future`` of the :class:`ChatCompletionResult`, so chat jobs join
        ``concurrent.futures.wait`` / ``as_completed`` with projects. It fails with the job's
        error, or with ``SogniError`` if the stream was closed before the reply ended. Reading it
        does not consume the stream."""
        return self._future

    @property
    def final_result(self) -> ChatCompletionResult | None:
        """The result once the job completed; None before, after a failure, or after
        ``close()`` ended the stream early."""
        return self._result

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> ChatCompletionChunk:
        # A chunk already buffered needs no lock: only readers take from the left (popleft is
        # atomic), and the terminal state is only looked at once the buffer is empty.
        if self._buffer:  # tested first: a raised IndexError costs more than the test
            try:
                return self._buffer.popleft()
            except IndexError:
                pass
        with self._cond:
            if not self._buffer:
                self._wait_locked(self._readable)
            if self._buffer:
                return self._buffer.popleft()
            if self._error is not None:
                raise self._error
            raise StopIteration

    def _readable(self) -> bool:
        return bool(self._buffer) or self._done

    def wait(self, timeout: float | None = None) -> ChatCompletionResult:
        """Block until the job ends and return its result (raise its error). ``timeout`` only
        limits this wait (``SogniTimeoutError``); the request's own deadline still applies."""
        limit = None if timeout is None else self._clock() + timeout
        with self._cond:
            self._wait_locked(lambda: self._done, limit)
            if self._error is not None:
                raise self._error
            if self._result is None:
                raise _closed_early(self._job_id)
            return self._result

    def close(self) -> None:
        """Stop reading (idempotent). Buffered chunks are dropped; the job is not cancelled."""
        with self._cond:
            if self._done:
                self._buffer.clear()
                return
            self._finish_locked(None)
            self._buffer.clear()
        log.debug("Chat stream %s closed before the job ended", self._job_id)

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "done" if self._done else "streaming"
        return f"ChatStream(job_id={self._job_id!r}, {state})"

    # ------------------------------------------------------------------ non-blocking access
    # (for the asyncio shim: it waits on its own loop and polls here, never blocking)

    def _add_waker(self, fn: Callable[[], None]) -> None:
        """``fn()`` after every new chunk and at the end; it runs under the stream's lock,
        possibly on the transport thread, so it must only schedule work."""
        with self._cond:
            self._wakers.append(fn)
            if self._done:
                fn()

    def _remove_waker(self, fn: Callable[[], None]) -> None:
        with self._cond:
            if fn in self._wakers:
                self._wakers.remove(fn)

    def _poll(self) -> ChatCompletionChunk | None:
        """The next chunk, or None if none is ready yet; raises the job's error, or
        ``StopIteration`` once it ended."""
        with self._cond:
            self._check_timers_locked()
            if self._buffer:
                return self._buffer.popleft()
            if self._done:
                if self._error is not None:
                    raise self._error
                raise StopIteration
            return None

    def _seconds_to_next_check(self) -> float:
        with self._cond:
            wake = [self._deadline]
            if self._awaiting_since is not None:
                wake.append(self._awaiting_since + self._grace)
            return max(0.0, min(wake) - self._clock())

    def _check_timers_locked(self) -> bool:
        """Apply the reconnect grace and the request deadline; True if the stream ended."""
        now = self._clock()
        if self._done:
            return True
        if self._awaiting_since is not None and now >= self._awaiting_since + self._grace:
            self._fail_locked(_transport_lost(self._job_id))
            return True
        if now >= self._deadline:
            self._fail_locked(
                SogniTimeoutError(
                    f"the chat completion did not finish in time (job {self._job_id}); "
                    "the server may still complete and bill it"
                )
            )
            return True
        return False

    def _wait_locked(self, ready: Any, limit: float | None = None) -> None:
        while not ready():
            if self._check_timers_locked():
                return
            now = self._clock()
            if limit is not None and now >= limit:
                raise SogniTimeoutError(f"the chat job {self._job_id} is still running")
            wake = [self._deadline]
            if self._awaiting_since is not None:
                wake.append(self._awaiting_since + self._grace)
            if limit is not None:
                wake.append(limit)
            self._waiting += 1  # the transport thread notifies only when someone waits
            try:
                self._cond.wait(min(wake) - now)
            finally:
                self._waiting -= 1

    # ------------------------------------------------------------------ the core's side

    def _set_send_future(self, future: concurrent.futures.Future[int]) -> None:
        with self._cond:
            self._sent = future
            self._check_lost_locked()

    def _frame_arrived(self, frame: Frame) -> None:
        """Transport thread: apply one frame for this job. Never blocks."""
        handler = _HANDLERS.get(frame.type)
        if handler is None or self._done:
            return
        try:
            event = handler(self, frame.payload)
        except (ProtocolError, ValueError, TypeError, AttributeError) as exc:
            log.debug(
                "Malformed %s frame for chat job %s (%s)",
                frame.type,
                self._job_id,
                type(exc).__name__,
            )
            self._fail(ProtocolError(f"malformed {frame.type} frame for chat job {self._job_id}"))
            return
        if event is not None:
            self._core.emit(*event)

    def _connection_lost(self) -> None:
        transport = self._core.transport
        generation = transport.generation if transport is not None else 0
        with self._cond:
            if not self._done and self._awaiting_since is None:
                self._lost = (generation, self._clock())
                self._check_lost_locked()

    def _authenticated(self, generation: int, payload: Any) -> None:
        live = payload.get("activeLLMJobIDs") if isinstance(payload, dict) else None
        with self._cond:
            if self._awaiting_since is None or self._done or not isinstance(live, list):
                return  # unknown: the grace timer decides
            if self._job_id in {str(job).upper() for job in live}:
                self._alive_locked()
            else:
                self._fail_locked(_transport_lost(self._job_id))

    def _fail(self, error: SogniError) -> None:
        with self._cond:
            if self._done:
                return
            self._fail_locked(error)

    # ------------------------------------------------------------------ frame handlers

    def _on_state(self, payload: Any) -> tuple[str, Any]:
        state: JobState = self._core.structure(payload, JobState)
        with self._cond:
            self._alive_locked()
            if state.worker_name:
                self._worker_name = state.worker_name
        cost = state.estimated_cost
        return "chat.job_state", ChatJobState(
            job_id=self._job_id,
            type=state.type,
            worker_name=state.worker_name,
            queue_position=state.queue_position,
            model_id=state.model_id,
            estimated_cost=None if cost is None else Decimal(str(cost)),
        )

    def _on_tokens(self, payload: Any) -> tuple[str, Any] | None:
        content, role, finish_reason = _plain_tokens(payload)
        if content is None:  # not a plain text delta: read it in full
            tokens: JobTokens = self._core.structure(payload, JobTokens)
            content, role, finish_reason = tokens.content or "", tokens.role, tokens.finish_reason
            usage = self._core.structure(tokens.usage, Usage) if tokens.usage else None
            deltas = _deltas(tokens.tool_calls)
        else:
            usage, deltas = None, ()
        with self._cond:
            if self._done:
                return None
            self._lost = self._awaiting_since = None  # the job is alive (as _alive_locked)
            answer, reasoning = self._splitter.feed(content)
            if role:
                self._role = role
            if finish_reason:
                self._finish_reason = finish_reason
            if usage is not None:
                self._usage = usage
            for delta in deltas:
                call = self._calls.get(delta.index)
                if call is None:
                    call = self._calls[delta.index] = _CallBuilder()
                if delta.id:
                    call.id = delta.id
                if delta.name:
                    call.name = delta.name
                if delta.arguments:
                    call.arguments.append(delta.arguments)
            chunk = ChatCompletionChunk(
                self._job_id, answer, reasoning, role, finish_reason, usage, deltas
            )
            self._push_locked(chunk)
        return "chat.token", chunk

    def _on_result(self, payload: Any) -> tuple[str, Any]:
        done: LLMJobResult = self._core.structure(payload, LLMJobResult)
        usage = self._core.structure(done.usage, Usage) if done.usage else None
        cost = self._core.structure(done.cost, LLMJobCost) if done.cost else None
        with self._cond:
            answer, reasoning = self._splitter.flush()
            if answer or reasoning:
                self._push_locked(
                    ChatCompletionChunk(job_id=self._job_id, content=answer, reasoning=reasoning)
                )
            if done.worker_name:
                self._worker_name = done.worker_name
            content = "".join(self._answer)
            result = ChatCompletionResult(
                job_id=self._job_id,
                content=content,
                reasoning="".join(self._reasoning) if self._splitter.thought else None,
                role=self._role,
                finish_reason=self._finish_reason or "stop",
                usage=usage or self._usage or Usage(0, 0, 0),
                time_taken=float(done.time_taken or 0),
                worker_name=self._worker_name,
                cost=cost.token if cost is not None else None,
                cost_details=cost,
                tool_calls=tuple(self._tool_calls()),
                parsed=_parse_json(content) if self._response_format else None,
            )
            self._result = result
            self._finish_locked(None)
        return "chat.completed", result

    def _on_error(self, payload: Any) -> None:
        failure: LLMJobError = self._core.structure(payload, LLMJobError)
        with self._cond:
            if failure.worker_name:
                self._worker_name = failure.worker_name
            self._fail_locked(_chat_error(self._job_id, failure))

    # ------------------------------------------------------------------ state (lock held)

    def _push_locked(self, chunk: ChatCompletionChunk) -> None:
        if chunk.content:
            self._answer.append(chunk.content)
        if chunk.reasoning:
            self._reasoning.append(chunk.reasoning)
        buffer = self._buffer
        if len(buffer) >= _MAX_BUFFERED:
            chunk = _merged(buffer.pop(), chunk)
        buffer.append(chunk)
        if self._waiting:
            self._cond.notify_all()
        if self._wakers:
            self._wake()

    def _wake(self) -> None:
        for fn in self._wakers:
            try:
                fn()
            except Exception:
                log.exception("A chat stream waker failed")

    def _tool_calls(self) -> list[ToolCall]:
        return [
            ToolCall(id=call.id, name=call.name, arguments="".join(call.arguments))
            for _, call in sorted(self._calls.items())
        ]

    def _check_lost_locked(self) -> None:
        """After a drop: the job awaits the reconnect only if its request was written on the
        connection that dropped (a request still queued goes out on the next one)."""
        sent, lost = self._sent, self._lost
        if lost is None or sent is None or not sent.done() or sent.exception() is not None:
            return
        if sent.result() <= lost[0] and self._awaiting_since is None:
            self._awaiting_since = lost[1]

    def _alive_locked(self) -> None:
        """A frame for the job (or its id in ``activeLLMJobIDs``) shows it survived."""
        self._lost = None
        self._awaiting_since = None

    def _fail_locked(self, error: SogniError) -> None:
        self._calls.clear()
        self._finish_locked(error)
        if not isinstance(error, ClientClosedError):
            self._core.emit("chat.error", error)

    def _finish_locked(self, error: SogniError | None) -> None:
        self._done = True
        self._error = error
        self._awaiting_since = None
        self._core.registry.remove(self._job_id, self)
        self._cond.notify_all()
        self._wake()
        # Settling only queues the done-callbacks (on the callback worker): safe under the lock.
        if error is not None:
            self._future.fail(error)
        elif self._result is not None:
            self._future.settle(self._result)
        else:
            self._future.fail(_closed_early(self._job_id))


_HANDLERS: dict[str, Any] = {
    "jobState": ChatStream._on_state,
    "jobTokens": ChatStream._on_tokens,
    "llmJobResult": ChatStream._on_result,
    "llmJobError": ChatStream._on_error,
}


def _closed_early(job_id: str) -> SogniError:
    return SogniError(f"the stream of chat job {job_id} was closed before it ended")


def _transport_lost(job_id: str) -> ChatError:
    return ChatError(
        f"transport_lost: {TRANSPORT_LOST_MESSAGE}", error_type="transport_lost", job_id=job_id
    )


def _chat_error(job_id: str, failure: LLMJobError) -> ChatError:
    error_type = None if failure.error is None else str(failure.error)
    message = failure.error_message or error_type or "the chat job failed"
    details = {
        key: value
        for key, value in (
            ("subscription_limit", failure.subscription_limit),
            ("required_plans", failure.required_plans),
            ("feature", failure.feature),
            ("limitation", failure.limitation),
            ("worker_name", failure.worker_name),
        )
        if value is not None
    }
    cls = ChatInsufficientFundsError if error_type == "insufficient_balance" else ChatError
    return cls(
        f"{error_type}: {message}" if error_type else str(message),
        error_type=error_type,
        error_code=failure.error_code,
        job_id=job_id,
        details=details or None,
    )


def _plain_tokens(payload: Any) -> tuple[str | None, str | None, str | None]:
    """``(content, role, finish_reason)`` of a plain text delta (nearly every chunk): a dict
    whose fields already have their types and that carries no usage and no tool calls. Reading
    it through the converter would give the same values. ``(None, None, None)`` otherwise."""
    if type(payload) is dict:
        get = payload.get
        content, role, finish = get("content"), get("role"), get("finishReason")
        if (
            (content is None or type(content) is str)
            and (role is None or type(role) is str)
            and (finish is None or type(finish) is str)
            and not get("usage")
            and get("tool_calls") is None
            and type(get("jobID")) is str
        ):
            return content or "", role, finish
    return None, None, None


def _deltas(raw: Any) -> tuple[ToolCallDelta, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ProtocolError("tool_calls is not a list")
    out = []
    for item in raw:
        function = item.get("function") or {}
        index = item.get("index", 0)
        if not isinstance(index, int) or not isinstance(function, dict):
            raise ProtocolError("bad tool call delta")
        out.append(
            ToolCallDelta(
                index=index,
                id=item.get("id"),
                type=item.get("type"),
                name=function.get("name"),
                arguments=function.get("arguments"),
            )
        )
    return tuple(out)


def _merged(first: ChatCompletionChunk, second: ChatCompletionChunk) -> ChatCompletionChunk:
    """Two consecutive chunks as one (used only when the reader falls far behind)."""
    return attrs.evolve(
        first,
        content=first.content + second.content,
        reasoning=first.reasoning + second.reasoning,
        role=second.role or first.role,
        finish_reason=second.finish_reason or first.finish_reason,
        usage=second.usage or first.usage,
        tool_calls=first.tool_calls + second.tool_calls,
    )


def _parse_json(content: str) -> Any:
    text = content.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return parse_json(text)
    except ValueError:
        return None
