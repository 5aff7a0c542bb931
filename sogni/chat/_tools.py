"""Tool calling helpers: safe argument parsing and the multi-round loop over Python functions."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._log import get_logger
from .._wire.envelope import parse_json
from ..errors import ToolLoopError, ValidationError
from ._models import ChatCompletionResult, ToolCall, ToolResult, ToolRound, parse_arguments
from ._params import OPTION_NAMES, check_keywords

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._api import Completions
    from ._params import ChatCompletionOptions

__all__ = ["ToolsAPI", "parse_tool_call_arguments"]

log = get_logger("sogni.chat")

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
    """``client.chat.tools``: run the tool-calling loop with your own Python functions."""

    def __init__(self, completions: Completions) -> None:
        self._completions = completions

    def run(
        self,
        *,
        messages: Sequence[Mapping[str, Any]],
        functions: ToolFunctions,
        max_rounds: int = 5,
        **options: Unpack[ChatCompletionOptions],
    ) -> ChatCompletionResult:
        """Ask the model, run the tools it calls, feed the results back, until it answers.

        ``functions`` maps tool names to callables (or lists callables, named by
        ``__name__``); each is called with the model's arguments as keywords. What a function
        returns goes back to the model as the ``tool`` message's content (a string as is,
        anything else as JSON). When the model names an unknown tool, writes arguments that
        are not a JSON object, or the function raises, the model gets ``{"error": ...}`` so it
        can recover. The other keywords are those of ``completions.create`` (``tools`` is
        required; ``stream`` is not accepted).

        Returns the final answer with ``tool_history`` (one :class:`ToolRound` per round). If
        the model still calls tools after ``max_rounds`` rounds, raises :class:`ToolLoopError`
        (the last round's tools have run).
        """
        check_keywords(options, OPTION_NAMES, "run")
        problems = _function_problems(functions)
        if not isinstance(max_rounds, int) or isinstance(max_rounds, bool) or max_rounds < 1:
            problems.append(("max_rounds", "must be a positive integer"))
        if "tools" not in options:
            problems.append(("tools", "is required: the definitions of the functions"))
        if problems:
            raise ValidationError(problems)
        table = _function_table(functions)
        history: list[ToolRound] = []
        conversation = list(messages)
        for round_index in range(max_rounds):
            result = self._completions.create(messages=conversation, **options)
            if result.finish_reason != "tool_calls" or not result.tool_calls:
                return attrs.evolve(result, tool_history=tuple(history))
            results = tuple(_call(call, table) for call in result.tool_calls)
            added = (result.to_message(), *(_tool_message(r) for r in results))
            history.append(ToolRound(round_index, result.tool_calls, results, added))
            conversation.extend(added)
        raise ToolLoopError(
            f"the model still asked for tools after {max_rounds} rounds", history=tuple(history)
        )


def _function_table(functions: ToolFunctions) -> dict[str, Callable[..., Any]]:
    if isinstance(functions, Mapping):
        return dict(functions)
    return {getattr(fn, "__name__", ""): fn for fn in functions}


def _function_problems(functions: Any) -> list[tuple[str, str]]:
    if not isinstance(functions, (Mapping, Sequence)) or isinstance(functions, str):
        return [("functions", "must map tool names to functions, or list functions")]
    return [
        (f"functions[{name!r}]", "must be callable")
        for name, fn in _function_table(functions).items()
        if not callable(fn)
    ]


def _call(call: ToolCall, table: Mapping[str, Callable[..., Any]]) -> ToolResult:
    fn = table.get(call.name)
    if fn is None:
        return _failed(call, f"unknown tool {call.name!r}")
    try:
        arguments = parse_json(call.arguments or "{}")
    except ValueError:
        return _failed(call, "the arguments are not valid JSON")
    if not isinstance(arguments, dict):
        return _failed(call, "the arguments must be a JSON object")
    try:
        value = fn(**arguments)
    except Exception as exc:
        log.warning("Tool %r raised %s; reported to the model", call.name, type(exc).__name__)
        return _failed(call, f"{type(exc).__name__}: {exc}")
    content = value if isinstance(value, str) else json.dumps(value, default=str)
    return ToolResult(tool_call_id=call.id, name=call.name, content=content)


def _failed(call: ToolCall, error: str) -> ToolResult:
    return ToolResult(
        tool_call_id=call.id, name=call.name, content=json.dumps({"error": error}), error=error
    )


def _tool_message(result: ToolResult) -> dict[str, Any]:
    return {
        "role": "tool",
        "content": result.content,
        "tool_call_id": result.tool_call_id,
        "name": result.name,
    }
