"""``sogni_async``: the asyncio shim over the synchronous ``sogni`` core.

Same namespaces, method names, models and errors as :mod:`sogni` (errors are the very same
classes); every method that talks to the network is awaitable.
"""

from __future__ import annotations

from sogni import __version__

from ._chat import AsyncChatAPI, AsyncChatStream, AsyncCompletions, AsyncToolsAPI
from ._client import AsyncAccountAPI, AsyncSogniClient
from ._projects import AsyncJob, AsyncProject, AsyncProjectsAPI

__all__ = [
    "AsyncAccountAPI",
    "AsyncChatAPI",
    "AsyncChatStream",
    "AsyncCompletions",
    "AsyncJob",
    "AsyncProject",
    "AsyncProjectsAPI",
    "AsyncSogniClient",
    "AsyncToolsAPI",
    "__version__",
]
