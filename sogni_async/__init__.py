"""``sogni_async``: the asyncio shim over the synchronous ``sogni`` core.

Same namespaces, method names, models and errors as :mod:`sogni` (errors are the very same
classes); every method that talks to the network is awaitable.
"""

from __future__ import annotations

from sogni import __version__

from ._chat import AsyncChatAPI, AsyncChatStream, AsyncCompletions, AsyncToolsAPI
from ._client import AsyncAccountAPI, AsyncSogniClient
from ._projects import AsyncJob, AsyncProject, AsyncProjectsAPI
from ._runs import (
    AsyncChatRun,
    AsyncChatRunEventIterator,
    AsyncChatRunEventStream,
    AsyncHostedAPI,
    AsyncRunsAPI,
)

__all__ = [
    "AsyncAccountAPI",
    "AsyncChatAPI",
    "AsyncChatRun",
    "AsyncChatRunEventIterator",
    "AsyncChatRunEventStream",
    "AsyncChatStream",
    "AsyncCompletions",
    "AsyncHostedAPI",
    "AsyncJob",
    "AsyncProject",
    "AsyncProjectsAPI",
    "AsyncRunsAPI",
    "AsyncSogniClient",
    "AsyncToolsAPI",
    "__version__",
]
