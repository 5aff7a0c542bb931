"""``sogni_async``: the asyncio shim over the synchronous ``sogni`` core.

Same namespaces, method names, models and errors as :mod:`sogni` (errors are the very same
classes); every method that talks to the network is awaitable.
"""

from __future__ import annotations

from sogni import __version__

from ._chat import AsyncChatAPI, AsyncChatStream, AsyncCompletions, AsyncToolsAPI
from ._client import AsyncAccountAPI, AsyncSogniClient
from ._extras import AsyncAnnouncementsAPI, AsyncReplayAPI, AsyncStatsAPI
from ._projects import AsyncEventIterator, AsyncJob, AsyncProject, AsyncProjectsAPI
from ._runs import (
    AsyncChatRun,
    AsyncChatRunEventIterator,
    AsyncChatRunEventStream,
    AsyncHostedAPI,
    AsyncRunsAPI,
)
from ._workflows import (
    AsyncTemplatesAPI,
    AsyncWorkflowEventIterator,
    AsyncWorkflowEventStream,
    AsyncWorkflowRun,
    AsyncWorkflowsAPI,
)

__all__ = [
    "AsyncAccountAPI",
    "AsyncAnnouncementsAPI",
    "AsyncChatAPI",
    "AsyncChatRun",
    "AsyncChatRunEventIterator",
    "AsyncChatRunEventStream",
    "AsyncChatStream",
    "AsyncCompletions",
    "AsyncEventIterator",
    "AsyncHostedAPI",
    "AsyncJob",
    "AsyncProject",
    "AsyncProjectsAPI",
    "AsyncReplayAPI",
    "AsyncRunsAPI",
    "AsyncSogniClient",
    "AsyncStatsAPI",
    "AsyncTemplatesAPI",
    "AsyncToolsAPI",
    "AsyncWorkflowEventIterator",
    "AsyncWorkflowEventStream",
    "AsyncWorkflowRun",
    "AsyncWorkflowsAPI",
    "__version__",
]
