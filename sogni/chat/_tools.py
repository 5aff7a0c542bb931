"""``client.chat.tools``: run Sogni platform tools, and the tool loop with your own functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError, ValidationProblem
from ._loop import LoopSettings, run_tool_loop
from ._models import ChatCompletionResult, ToolCall, ToolProgress, ToolResult, parse_arguments
from ._params import OPTION_NAMES, check_keywords

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._api import Completions
    from ._executor import ToolExecutor
    from ._params import ChatCompletionOptions
    from ._tool_media import MediaContext

__all__ = ["ToolFunctions", "ToolsAPI", "parse_tool_call_arguments"]

ToolFunctions = Mapping[str, Callable[..., Any]] | Sequence[Callable[..., Any]]


def parse_tool_call_arguments(tool_call: ToolCall | Mapping[str, Any]) -> dict[str, Any]:
    """A tool call's arguments as a dict. Never raises: ``{}`` when the model wrote invalid
    JSON or something other than an object. Accepts a :class:`ToolCall` or its dict form."""
    if isinstance(tool_call, ToolCall):
        return tool_call.parsed_arguments()
    function = tool_call.get("function") if isinstance(tool_call, Mapping) else None
    arguments = function.get("arguments") if isinstance(function, Mapping) else None
    return parse_arguments(arguments if isinstance(arguments, str) else None)


class ToolsAPI:
    """``client.chat.tools``: run Sogni platform tool calls as projects (``execute``,
    ``execute_all``) and the whole tool-calling loop (``run``)."""

    def __init__(self, completions: Completions, executor: ToolExecutor) -> None:
        self._completions = completions
        self._executor = executor

    def execute(
        self,
        call: ToolCall | Mapping[str, Any],
        *,
        media_context: MediaContext | None = None,
        token_type: str | None = None,
        network: str | None = None,
        number_of_media: int | None = None,
        timeout: float | None = None,
        on_progress: Callable[[ToolProgress], Any] | None = None,
    ) -> ToolResult:
        """Run one Sogni platform tool call and return its :class:`ToolResult`.

        ``generate_image``, ``edit_image``, ``generate_video``, ``sound_to_video``,
        ``video_to_video`` and ``generate_music`` run as a project through ``client.projects``
        on a model picked from those online (the one the call names, when it can). The other
        platform tools answer with an error result saying they run only on hosted chat or
        durable runs. Invalid arguments, a failed project or no suitable model also give an
        error result (``result.error``), which the model can read; only a call that is not a
        platform tool raises (``ValidationError``).

        Media arguments are indices into ``media_context`` (see :class:`MediaContext`) or
        inline ``data:`` URIs. ``token_type``, ``network`` and ``number_of_media`` (used when
        the call gives no ``numberOfVariations``) go to the project. ``on_progress`` gets a
        :class:`ToolProgress` on the callback worker.

        Waiting is bounded by ``Timeouts.tool_queue`` (time with no job rendering, 90 minutes by
        default) and by ``timeout`` (seconds for the whole wait). When either runs out the
        project is **canceled** (and the cancel confirmed) before the error result returns:
        the one exception to the rule that a local wait never cancels remote work.
        """
        return self._executor.execute(
            call,
            media_context=media_context,
            token_type=token_type,
            network=network,
            number_of_media=number_of_media,
            timeout=timeout,
            on_progress=on_progress,
        )

    def execute_all(
        self,
        calls: Sequence[ToolCall | Mapping[str, Any]],
        *,
        functions: ToolFunctions | None = None,
        on_tool_call: Callable[[ToolCall], Any] | None = None,
        on_tool_progress: Callable[[ToolCall, ToolProgress], Any] | None = None,
        media_context: MediaContext | None = None,
        token_type: str | None = None,
        network: str | None = None,
        number_of_media: int | None = None,
        timeout: float | None = None,
    ) -> list[ToolResult]:
        """Run the tool calls of one model turn, one after the other, in order.

        Sogni platform calls run as :meth:`execute` does; other calls go to ``functions``
        (called with the model's arguments as keywords), else to ``on_tool_call(call)``, whose
        return value is the tool's content (a string as is, anything else as JSON). Both run on
        this thread; ``on_tool_progress(call, progress)`` runs on the callback worker.

        At most 8 platform calls that run projects may come in one round: with more, a
        ``ValidationError`` is raised and nothing runs.
        """
        table = _checked_functions(functions)
        return self._executor.execute_all(
            calls,
            functions=table,
            on_tool_call=on_tool_call,
            on_tool_progress=on_tool_progress,
            media_context=media_context,
            token_type=token_type,
            network=network,
            number_of_media=number_of_media,
            timeout=timeout,
        )

    def run(
        self,
        *,
        messages: Sequence[Mapping[str, Any]],
        functions: ToolFunctions | None = None,
        max_rounds: int = 5,
        on_tool_call: Callable[[ToolCall], Any] | None = None,
        on_tool_progress: Callable[[ToolCall, ToolProgress], Any] | None = None,
        **options: Unpack[ChatCompletionOptions],
    ) -> ChatCompletionResult:
        """Ask the model, run the tools it calls, feed the results back, until it answers.

        Sogni platform tools (``tools=SogniTools.all`` or some of them) run as projects, as
        :meth:`execute_all` runs them; the media they make can be named by index in later
        rounds. ``functions`` maps tool names to callables (or lists callables, named by
        ``__name__``), each called with the model's arguments as keywords; other calls go to
        ``on_tool_call``. What a tool returns goes back to the model as the ``tool`` message (a
        string as is, anything else as JSON); an unknown tool, arguments that are not a JSON
        object or a raising function give the model ``{"error": ...}`` so it can recover. The
        other keywords are those of ``completions.create`` (``tools`` is required; ``stream``
        is not accepted).

        Returns the final answer with ``tool_history`` (one :class:`ToolRound` per round). If
        the model still calls tools after ``max_rounds`` rounds, raises :class:`ToolLoopError`
        whose ``tool_history`` keeps every project id and result URL (the last round's tools
        have run).
        """
        check_keywords(options, OPTION_NAMES, "run")
        settings = loop_settings(
            functions, max_rounds, on_tool_call, on_tool_progress, options, name="max_rounds"
        )
        return run_tool_loop(self._completions, self._executor, messages, options, settings)


def loop_settings(
    functions: Any,
    max_rounds: Any,
    on_tool_call: Any,
    on_tool_progress: Any,
    options: Mapping[str, Any],
    *,
    name: str,
) -> LoopSettings:
    """Check the loop's own arguments (every problem at once) before anything is sent."""
    problems: list[ValidationProblem] = []
    if functions is not None:
        problems += _function_problems(functions)
    if not isinstance(max_rounds, int) or isinstance(max_rounds, bool) or max_rounds < 1:
        problems.append(ValidationProblem(name, "must be a positive integer"))
    if "tools" not in options:
        problems.append(
            ValidationProblem("tools", "is required: the definitions of the tools to offer")
        )
    for label, fn in (("on_tool_call", on_tool_call), ("on_tool_progress", on_tool_progress)):
        if fn is not None and not callable(fn):
            problems.append(ValidationProblem(label, "must be callable"))
    if options.get("stream") is True:
        problems.append(ValidationProblem("stream", "cannot be combined with the tool loop"))
    if problems:
        raise ValidationError(problems)
    return LoopSettings(
        max_rounds=max_rounds,
        functions=_function_table(functions) if functions is not None else None,
        on_tool_call=on_tool_call,
        on_tool_progress=on_tool_progress,
    )


def _checked_functions(functions: Any) -> dict[str, Callable[..., Any]] | None:
    if functions is None:
        return None
    problems = _function_problems(functions)
    if problems:
        raise ValidationError(problems)
    return _function_table(functions)


def _function_table(functions: ToolFunctions) -> dict[str, Callable[..., Any]]:
    if isinstance(functions, Mapping):
        return dict(functions)
    return {getattr(fn, "__name__", ""): fn for fn in functions}


def _function_problems(functions: Any) -> list[ValidationProblem]:
    if not isinstance(functions, (Mapping, Sequence)) or isinstance(functions, str):
        return [
            ValidationProblem("functions", "must map tool names to functions, or list functions")
        ]
    return [
        ValidationProblem(f"functions[{name!r}]", "must be callable")
        for name, fn in _function_table(functions).items()
        if not callable(fn)
    ]
