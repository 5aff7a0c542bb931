"""The tool loop, shared by ``chat.tools.run`` and ``completions.create(auto_execute_tools=True)``.

Each round sends the conversation (``stream: false``), and when the model asks for tools runs
them in order: Sogni platform calls through the executor (as projects), the others through the
app's ``functions``, then its ``on_tool_call``. The answers go back as ``tool`` messages and the
next round starts. Media the platform tools make joins the media context, so a later call can
name it by index (``referenceImageIndices: [0]``), and its URLs may be fetched for that.

The loop runs on the caller's thread, and so does ``on_tool_call`` and every function;
``on_tool_progress`` runs on the client's callback worker. Nothing of a finished loop stays
reachable from the client.

When the loop stops with rounds behind it (the rounds ran out, a round asked for too many
platform calls, or a later chat request failed), it raises :class:`ToolLoopError` whose
``tool_history`` lists every round, with the project ids and result URLs of the media already
made (and paid for); a failed request is its ``__cause__``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import SogniError, ToolLoopError, ValidationError
from ._executor import check_round
from ._models import ChatCompletionResult, ToolCall, ToolProgress, ToolResult, ToolRound
from ._tool_media import MediaContext

if TYPE_CHECKING:
    from ._api import Completions
    from ._executor import ToolExecutor

__all__ = ["LoopSettings", "run_tool_loop"]


@attrs.frozen(kw_only=True)
class LoopSettings:
    max_rounds: int
    functions: Mapping[str, Callable[..., Any]] | None = None
    on_tool_call: Callable[[ToolCall], Any] | None = None
    on_tool_progress: Callable[[ToolCall, ToolProgress], Any] | None = None


def run_tool_loop(
    completions: Completions,
    executor: ToolExecutor,
    messages: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any],
    settings: LoopSettings,
) -> ChatCompletionResult:
    """Ask, run the tools asked for, answer, until the model replies without tools."""
    conversation: list[Mapping[str, Any]] = list(messages)
    context = MediaContext.from_messages(messages)
    history: list[ToolRound] = []
    token_type = options.get("token_type")
    for round_index in range(settings.max_rounds):
        try:
            result = completions.create(messages=conversation, stream=False, **options)
        except SogniError as exc:
            if not history:
                raise
            raise ToolLoopError(
                f"the chat request of round {round_index + 1} failed after {len(history)} "
                f"round(s) of tools: {exc}",
                history=tuple(history),
            ) from exc
        calls = result.tool_calls
        if result.finish_reason != "tool_calls" or not calls:
            final: ChatCompletionResult = attrs.evolve(result, tool_history=tuple(history))
            return final
        try:
            check_round(calls)
        except ValidationError as exc:
            raise ToolLoopError(
                f"round {round_index + 1}: the model {exc.problems[0].message}",
                history=tuple(history),
            ) from None
        results: list[ToolResult] = executor.execute_all(
            calls,
            functions=settings.functions,
            on_tool_call=settings.on_tool_call,
            on_tool_progress=settings.on_tool_progress,
            media_context=context,
            token_type=token_type,
        )
        context = context.with_results(results)
        added = (result.to_message(), *(_tool_message(r) for r in results))
        history.append(ToolRound(round_index, calls, tuple(results), added))
        conversation.extend(added)
    raise ToolLoopError(
        f"the model still asked for tools after {settings.max_rounds} rounds",
        history=tuple(history),
    )


def _tool_message(result: ToolResult) -> dict[str, Any]:
    return {
        "role": "tool",
        "content": result.content,
        "tool_call_id": result.tool_call_id,
        "name": result.name,
    }
