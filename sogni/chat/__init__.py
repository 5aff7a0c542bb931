"""LLM chat over the Sogni socket: completions, streaming, tool calling, vision.

``client.chat`` is a :class:`ChatAPI`::

    reply = client.chat.completions.create(messages=[{"role": "user", "content": "Hi"}])
    print(reply.content)

    with client.chat.completions.create(messages=..., stream=True) as stream:
        for chunk in stream:
            print(chunk.content, end="")
    print(stream.final_result.usage)

Closing a stream early (or a request timing out) only stops reading: the released protocol has
no LLM cancel message, so the server may still finish and bill the job.
"""

from ._api import ChatAPI, Completions
from ._models import (
    ChatCompletionChunk,
    ChatCompletionResult,
    ChatJobState,
    LLMCostEstimate,
    LLMJobCost,
    LLMModelInfo,
    LLMParamConstraint,
    LLMSamplingDefaults,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    ToolRound,
    Usage,
)
from ._params import DEFAULT_CHAT_MODEL, ChatCompletionOptions
from ._stream import ChatStream
from ._tools import ToolsAPI, parse_tool_call_arguments
from ._vision import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_COUNT,
    MAX_LONGEST_SIDE,
    ImageSource,
    image_part,
    is_trusted_url,
    user_message,
)

__all__ = [
    "DEFAULT_CHAT_MODEL",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_COUNT",
    "MAX_LONGEST_SIDE",
    "ChatAPI",
    "ChatCompletionChunk",
    "ChatCompletionOptions",
    "ChatCompletionResult",
    "ChatJobState",
    "ChatStream",
    "Completions",
    "ImageSource",
    "LLMCostEstimate",
    "LLMJobCost",
    "LLMModelInfo",
    "LLMParamConstraint",
    "LLMSamplingDefaults",
    "ToolCall",
    "ToolCallDelta",
    "ToolResult",
    "ToolRound",
    "ToolsAPI",
    "Usage",
    "image_part",
    "is_trusted_url",
    "parse_tool_call_arguments",
    "user_message",
]
