"""LLM chat over the Sogni socket: completions, streaming, tool calling, vision.

``client.chat`` is a :class:`ChatAPI`::

    reply = client.chat.completions.create(messages=[{"role": "user", "content": "Hi"}])
    print(reply.content)

    with client.chat.completions.create(messages=..., stream=True) as stream:
        for chunk in stream:
            print(chunk.content, end="")
    print(stream.final_result.usage)

``client.chat.hosted.create(...)`` asks for a completion over REST, where the service may run
the Sogni tools itself; ``client.chat.runs.create(...)`` starts a durable run (a
:class:`ChatRun`) that the service executes and keeps across disconnects.

Closing a stream early (or a request timing out) only stops reading: the released protocol has
no LLM cancel message, so the server may still finish and bill the job.

Chatting can make media: offer the Sogni platform tools and let the loop run them::

    reply = client.chat.completions.create(
        messages=[{"role": "user", "content": "Paint a lighthouse, then animate it"}],
        tools=SogniTools.direct,
        auto_execute_tools=True,
    )
    for round_ in reply.tool_history:
        print(round_.project_ids, round_.result_urls)
"""

from ._api import ChatAPI, Completions
from ._executor import MAX_SOGNI_CALLS_PER_ROUND
from ._hosted import HOSTED_TIMEOUT, HostedAPI
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
    ToolProgress,
    ToolResult,
    ToolRound,
    Usage,
)
from ._params import DEFAULT_CHAT_MODEL, ChatCompletionOptions, CreateOptions
from ._run_handle import ChatRun, ChatRunEventIterator
from ._run_models import (
    ChatRunEvent,
    ChatRunRecord,
    ChatRunStatus,
    ChatRunWaiting,
    CreativeWorkflowRef,
    HostedChatChoice,
    HostedChatCompletion,
    HostedChatMessage,
    HostedToolResult,
)
from ._runs import ChatRunEventStream, RunsAPI
from ._sogni_tools import SOGNI_TOOLS_VERSION, SogniTools, is_sogni_tool_call
from ._stream import ChatStream
from ._tool_media import MediaContext, MediaItem
from ._tool_schema import ToolArgumentCheck, check_tool_arguments
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
    "HOSTED_TIMEOUT",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_COUNT",
    "MAX_LONGEST_SIDE",
    "MAX_SOGNI_CALLS_PER_ROUND",
    "SOGNI_TOOLS_VERSION",
    "ChatAPI",
    "ChatCompletionChunk",
    "ChatCompletionOptions",
    "ChatCompletionResult",
    "ChatJobState",
    "ChatRun",
    "ChatRunEvent",
    "ChatRunEventIterator",
    "ChatRunEventStream",
    "ChatRunRecord",
    "ChatRunStatus",
    "ChatRunWaiting",
    "ChatStream",
    "Completions",
    "CreateOptions",
    "CreativeWorkflowRef",
    "HostedAPI",
    "HostedChatChoice",
    "HostedChatCompletion",
    "HostedChatMessage",
    "HostedToolResult",
    "ImageSource",
    "LLMCostEstimate",
    "LLMJobCost",
    "LLMModelInfo",
    "LLMParamConstraint",
    "LLMSamplingDefaults",
    "MediaContext",
    "MediaItem",
    "RunsAPI",
    "SogniTools",
    "ToolArgumentCheck",
    "ToolCall",
    "ToolCallDelta",
    "ToolProgress",
    "ToolResult",
    "ToolRound",
    "ToolsAPI",
    "Usage",
    "check_tool_arguments",
    "image_part",
    "is_sogni_tool_call",
    "is_trusted_url",
    "parse_tool_call_arguments",
    "user_message",
]
