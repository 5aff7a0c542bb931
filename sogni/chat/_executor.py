"""Running platform tool calls as projects: ``chat.tools.execute`` and ``execute_all``.

A direct-dispatch call (``generate_image``, ``edit_image``, ``generate_video``,
``sound_to_video``, ``video_to_video``, ``generate_music``) is checked against the tool's schema,
turned into a project (:mod:`._tool_dispatch`), created through ``client.projects`` and waited
for on the caller's thread. Every outcome is a :class:`ToolResult`; failures (bad arguments,
no model online, a failed or timed-out project) become error results the model can read.

Waiting has two limits. ``Timeouts.tool_queue`` (90 minutes by default) counts only the time no
job of the project is rendering: a project stuck in the queue. ``timeout`` bounds the whole wait.
When either runs out, the executor **cancels the project** (and waits for the server to confirm)
before returning the error result: the one place in this SDK where a local wait cancels remote
work, because nobody is left to collect the result. Everywhere else (``project.wait(timeout=)``,
chat requests) a timeout only stops waiting.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._log import get_logger
from .._wire.envelope import parse_json
from ..errors import (
    ClientClosedError,
    ForkedProcessError,
    SogniError,
    ValidationError,
    ValidationProblem,
)
from ._models import ToolCall, ToolProgress, ToolResult
from ._sogni_tools import DIRECT_TOOLS, is_sogni_tool_call
from ._tool_dispatch import DispatchOptions, plan_project
from ._tool_media import MediaContext, ToolInputError
from ._tool_schema import check_tool_arguments

if TYPE_CHECKING:
    from .._transport.callbacks import CallbackWorker
    from ..config import ClientConfig
    from ..projects import Project, ProjectsAPI
    from ..projects.handles import ProjectEvent

__all__ = [
    "MAX_SOGNI_CALLS_PER_ROUND",
    "ToolExecutor",
    "as_tool_call",
    "error_result",
]

log = get_logger("sogni.chat")

MAX_SOGNI_CALLS_PER_ROUND = 8
"""Direct-dispatch platform calls one round (one ``execute_all``) may run."""

ProgressFn = Callable[[ToolProgress], Any]
_RECHECK = 1.0  # seconds between looks at the jobs while waiting (events wake us sooner)


def as_tool_call(call: ToolCall | Mapping[str, Any]) -> ToolCall:
    """A :class:`ToolCall` from itself or its OpenAI-style dict form."""
    if isinstance(call, ToolCall):
        return call
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise ValidationError(
            [ValidationProblem("call", "must be a ToolCall or {'id', 'function': {'name', ...}}")]
        )
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments if arguments is not None else {})
    return ToolCall(id=str(call.get("id") or ""), name=function["name"], arguments=arguments)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def error_result(call: ToolCall, error: str, **fields: Any) -> ToolResult:
    content = _compact({"success": False, "error": error})
    return ToolResult(call.id, call.name, content, error=error, **fields)


class _Failed(Exception):
    """The project did not deliver; the message is for the model."""


class ToolExecutor:
    """Runs platform tool calls with one client's projects (shared by every view)."""

    def __init__(
        self,
        projects: Callable[[], ProjectsAPI],
        config: ClientConfig,
        callbacks: CallbackWorker,
    ) -> None:
        self._projects = projects
        self._config = config
        self._callbacks = callbacks

    # ------------------------------------------------------------------ one call

    def execute(
        self,
        call: ToolCall | Mapping[str, Any],
        *,
        media_context: MediaContext | None = None,
        token_type: str | None = None,
        network: str | None = None,
        number_of_media: int | None = None,
        timeout: float | None = None,
        on_progress: ProgressFn | None = None,
    ) -> ToolResult:
        tool_call = as_tool_call(call)
        if not is_sogni_tool_call(tool_call):
            raise ValidationError(
                [
                    ValidationProblem(
                        "call",
                        f"{tool_call.name!r} is not a Sogni tool call; check with "
                        "is_sogni_tool_call() first",
                    )
                ]
            )
        _check_options(token_type, network, number_of_media, timeout)
        name = tool_call.name
        if name not in DIRECT_TOOLS:
            return error_result(
                tool_call,
                f"Tool '{name}' must be executed via chat.hosted.create() or chat.runs.create().",
            )
        try:
            arguments = parse_json(tool_call.arguments or "")
        except ValueError:
            arguments = {}  # invalid JSON: the schema check reports what is missing
        check = check_tool_arguments(name, arguments)
        if not check.ok:
            return error_result(tool_call, f"Invalid {name} arguments: " + "; ".join(check.errors))
        projects = self._projects()
        options = DispatchOptions(
            config=self._config,
            models=lambda: projects.wait_for_models(self._config.timeouts.wait_for_models),
            context=media_context,
            number_of_media=number_of_media,
            token_type=token_type,
            network=network,
        )
        try:
            plan = plan_project(name, arguments, options)
        except (ToolInputError, ValidationError) as exc:
            return error_result(tool_call, str(exc))
        except (ClientClosedError, ForkedProcessError):
            raise
        except SogniError as exc:
            return error_result(tool_call, str(exc))
        report = _Reporter(self._callbacks, on_progress, tool_call)
        report("creating", 0)
        try:
            project = projects.create(**plan.params)
        except (ClientClosedError, ForkedProcessError):
            raise
        except SogniError as exc:
            report("failed", 0)
            return error_result(tool_call, str(exc), media_type=plan.media, model_id=plan.model_id)
        return self._follow(
            tool_call, project, plan.media, plan.model_id, plan.prompt, report, timeout
        )

    def _follow(
        self,
        call: ToolCall,
        project: Project[Any],
        media: str,
        model_id: str,
        prompt: Any,
        report: _Reporter,
        timeout: float | None,
    ) -> ToolResult:
        fields = {"project_id": project.id, "media_type": media, "model_id": model_id}
        report.project_id = project.id
        total = len(project.jobs) or getattr(project.params, "number_of_media", 1) or 1
        removers = [
            project.on("progress", lambda percent: report("processing", percent)),
            project.on(
                "job_completed",
                lambda _job: report("processing", round(_done(project) / total * 100)),
            ),
        ]
        report("queued", 0)
        try:
            urls = self._wait(project, media, timeout)
        except _Failed as exc:
            for remove in removers:
                remove()
            report("failed", 0)
            return error_result(call, str(exc), **fields)
        for remove in removers:
            remove()
        report("completed", 100, urls)
        content: dict[str, Any] = {"success": True, "media_type": media, "urls": urls}
        jobs = project.jobs
        if any(job.last_frame_url for job in jobs):
            content["lastFrameUrls"] = [job.last_frame_url for job in jobs]
        content.update(model=model_id, prompt=prompt)
        return ToolResult(call.id, call.name, _compact(content), result_urls=urls, **fields)

    def _wait(self, project: Project[Any], media: str, timeout: float | None) -> list[str]:
        """The project's result URLs. A failure, or a limit running out (then the project is
        canceled first), raises :class:`_Failed` with the message for the model."""
        clock = self._config.clock
        idle_limit = self._config.timeouts.tool_queue
        started = clock()
        deadline = None if timeout is None else started + timeout
        idle_since: float | None = started
        events: queue.Queue[ProjectEvent] = queue.Queue()
        tracker = project._tracker  # its event feed: filled on the SDK's threads, no user code
        tracker.add_subscriber(events)
        try:
            while not project.future.done():
                now = clock()
                if _processing(project):
                    idle_since = None
                elif idle_since is None:
                    idle_since = now  # a render ended: a fresh queue window
                if idle_since is not None and now - idle_since >= idle_limit:
                    raise self._give_up(
                        project,
                        f"{media} generation waited {idle_limit:g}s without an active job",
                    )
                if deadline is not None and now >= deadline:
                    raise self._give_up(
                        project, f"{media} generation did not finish within {timeout:g}s"
                    )
                limits = [_RECHECK]
                if idle_since is not None:
                    limits.append(idle_since + idle_limit - now)
                if deadline is not None:
                    limits.append(deadline - now)
                try:
                    events.get(timeout=max(0.0, min(limits)))
                except queue.Empty:
                    pass
        finally:
            tracker.remove_subscriber(events)
        try:
            return project.wait(0)
        except (ClientClosedError, ForkedProcessError):
            raise
        except SogniError as exc:
            raise _Failed(f"{exc} (project {project.id})") from None

    def _give_up(self, project: Project[Any], why: str) -> _Failed:
        jobs = project.jobs
        done = sum(1 for j in jobs if j.status == "completed")
        failed = sum(1 for j in jobs if j.status == "failed")
        total = max(len(jobs), getattr(project.params, "number_of_media", 1) or 1)
        head = f"{why} (project {project.id}, jobs: {done}/{total} completed, {failed} failed)"
        try:
            project.cancel()
        except (ClientClosedError, ForkedProcessError):
            raise
        except SogniError as exc:
            log.warning("A timed-out tool project could not be canceled: %s", type(exc).__name__)
            return _Failed(f"{head}; canceling the project failed: {exc}")
        if project.status == "completed":
            return _Failed(f"{head}; the project completed while it was being canceled")
        return _Failed(f"{head}; the project was canceled")

    # ------------------------------------------------------------------ a round

    def execute_all(
        self,
        calls: Sequence[ToolCall | Mapping[str, Any]],
        *,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        on_tool_call: Callable[[ToolCall], Any] | None = None,
        on_tool_progress: Callable[[ToolCall, ToolProgress], Any] | None = None,
        media_context: MediaContext | None = None,
        token_type: str | None = None,
        network: str | None = None,
        number_of_media: int | None = None,
        timeout: float | None = None,
    ) -> list[ToolResult]:
        tool_calls = [as_tool_call(call) for call in calls]
        check_round(tool_calls)
        _check_options(token_type, network, number_of_media, timeout)
        results: list[ToolResult] = []
        for call in tool_calls:
            if is_sogni_tool_call(call):
                progress = None
                if on_tool_progress is not None:
                    progress = _bound_progress(on_tool_progress, call)
                results.append(
                    self.execute(
                        call,
                        media_context=media_context,
                        token_type=token_type,
                        network=network,
                        number_of_media=number_of_media,
                        timeout=timeout,
                        on_progress=progress,
                    )
                )
            elif functions is not None and call.name in functions:
                results.append(call_function(call, functions[call.name]))
            elif on_tool_call is not None:
                results.append(call_handler(call, on_tool_call))
            elif functions is not None:
                results.append(_own_error(call, f"unknown tool {call.name!r}"))
            else:
                results.append(
                    _own_error(
                        call,
                        f"no handler for the tool {call.name!r}: pass functions= or on_tool_call=",
                    )
                )
        return results


def check_round(calls: Sequence[ToolCall]) -> None:
    """Refuse a round with more direct-dispatch platform calls than may run in one."""
    count = sum(1 for call in calls if call.name in DIRECT_TOOLS)
    if count > MAX_SOGNI_CALLS_PER_ROUND:
        raise ValidationError(
            [
                ValidationProblem(
                    "calls",
                    f"has {count} Sogni tool calls that run projects; at most "
                    f"{MAX_SOGNI_CALLS_PER_ROUND} run in one round (nothing was run)",
                )
            ]
        )


def _check_options(token_type: Any, network: Any, number_of_media: Any, timeout: Any) -> None:
    problems = []
    if token_type is not None and token_type not in ("sogni", "spark"):
        problems.append(ValidationProblem("token_type", "must be 'sogni' or 'spark'"))
    if network is not None and network not in ("fast", "relaxed"):
        problems.append(ValidationProblem("network", "must be 'fast' or 'relaxed'"))
    if number_of_media is not None and (
        not isinstance(number_of_media, int) or isinstance(number_of_media, bool)
    ):
        problems.append(ValidationProblem("number_of_media", "must be an integer"))
    if timeout is not None and (
        not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0
    ):
        problems.append(ValidationProblem("timeout", "must be a positive number of seconds"))
    if problems:
        raise ValidationError(problems)


def _bound_progress(
    fn: Callable[[ToolCall, ToolProgress], Any], call: ToolCall
) -> Callable[[ToolProgress], Any]:
    def report(progress: ToolProgress) -> Any:
        return fn(call, progress)

    return report


def _processing(project: Project[Any]) -> bool:
    return any(job.status == "processing" for job in project.jobs)


def _done(project: Project[Any]) -> int:
    return sum(1 for job in project.jobs if job.status == "completed")


class _Reporter:
    """Hands progress to the user's callback on the callback worker, in order; nothing after
    ``completed`` or ``failed``."""

    def __init__(self, callbacks: CallbackWorker, fn: ProgressFn | None, call: ToolCall) -> None:
        self._callbacks = callbacks
        self._fn = fn
        self._call = call
        self._ended = False
        self.project_id: str | None = None

    def __call__(self, status: Any, percent: Any, urls: Sequence[str] = ()) -> None:
        if self._fn is None or self._ended:
            return
        final = status in ("completed", "failed")
        self._ended = final
        value = percent if isinstance(percent, int) else 0
        progress = ToolProgress(
            status=status,
            percent=max(0, min(100, value)),
            tool_call_id=self._call.id,
            tool_name=self._call.name,
            project_id=self.project_id,
            result_urls=tuple(urls),
        )
        self._callbacks.submit(self._fn, progress, essential=final)


# ---------------------------------------------------------------------------- your own tools


def _own_error(call: ToolCall, error: str) -> ToolResult:
    """The error result of one of the app's own tools: ``{"error": ...}`` for the model."""
    return ToolResult(call.id, call.name, json.dumps({"error": error}), error=error)


def call_function(call: ToolCall, fn: Callable[..., Any]) -> ToolResult:
    """Call one of the app's functions with the model's arguments (as keywords)."""
    try:
        arguments = parse_json(call.arguments or "{}")
    except ValueError:
        return _own_error(call, "the arguments are not valid JSON")
    if not isinstance(arguments, dict):
        return _own_error(call, "the arguments must be a JSON object")
    try:
        value = fn(**arguments)
    except Exception as exc:
        log.warning("Tool %r raised %s; reported to the model", call.name, type(exc).__name__)
        return _own_error(call, f"{type(exc).__name__}: {exc}")
    return ToolResult(call.id, call.name, _content(value))


def call_handler(call: ToolCall, handler: Callable[[ToolCall], Any]) -> ToolResult:
    """Hand a call to the app's ``on_tool_call`` (its return value is the tool's content)."""
    try:
        value = handler(call)
    except Exception as exc:
        log.warning("on_tool_call raised %s for %r", type(exc).__name__, call.name)
        return _own_error(call, f"{type(exc).__name__}: {exc}")
    return ToolResult(call.id, call.name, _content(value))


def _content(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
