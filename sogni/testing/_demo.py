"""``open_client``: the real service when ``SOGNI_API_KEY`` is set, else an embedded fake.

Used by the examples so that each runs offline with no set-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

from ._fake import FakeSupernet

if TYPE_CHECKING:
    from sogni_async import AsyncSogniClient

    from ..client import SogniClient

_OFFLINE_NOTE = (
    "SOGNI_API_KEY is not set: using an embedded FakeSupernet on 127.0.0.1 (offline demo)."
)


@contextmanager
def open_client(app_id: str, **options: Any) -> Iterator[SogniClient]:
    """Yield a connected-in-the-background ``SogniClient``.

    With ``SOGNI_API_KEY`` in the environment the client talks to the real Supernet (other
    ``SOGNI_*`` variables apply). Without it, a ``FakeSupernet`` starts on 127.0.0.1 and the
    client talks to it; a note saying so goes to stderr.
    """
    from ..client import SogniClient

    if os.environ.get("SOGNI_API_KEY", "").strip():
        options.setdefault("app_id", os.environ.get("SOGNI_APP_ID") or app_id)
        with SogniClient.from_env(**options) as client:
            yield client
        return
    print(_OFFLINE_NOTE, file=sys.stderr)
    with (
        FakeSupernet(time_scale=0.02) as fake,
        SogniClient(
            app_id=app_id,
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            **options,
        ) as client,
    ):
        yield client


@asynccontextmanager
async def open_async_client(app_id: str, **options: Any) -> AsyncIterator[AsyncSogniClient]:
    """The asyncio twin of :func:`open_client`."""
    from sogni_async import AsyncSogniClient

    if os.environ.get("SOGNI_API_KEY", "").strip():
        options.setdefault("app_id", os.environ.get("SOGNI_APP_ID") or app_id)
        async with AsyncSogniClient.from_env(**options) as client:
            yield client
        return
    print(_OFFLINE_NOTE, file=sys.stderr)
    with FakeSupernet(time_scale=0.02) as fake:
        async with AsyncSogniClient(
            app_id=app_id,
            api_key=fake.api_key,
            rest_endpoint=fake.rest_url,
            socket_endpoint=fake.socket_url,
            **options,
        ) as client:
            yield client
