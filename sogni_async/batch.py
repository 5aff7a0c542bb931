"""``sogni_async.batch``: :func:`sogni.batch.run` and :func:`sogni.batch.estimate`, awaitable,
and every other name of :mod:`sogni.batch` (the same objects).

The batch runs on a thread of its own (its projects are followed by the client's SDK threads,
as in the sync API); ``progress`` is called on the event loop. Cancelling the awaiting task
stops sending, as setting ``stop`` does: items in flight finish and are journaled in the
background, and a rerun picks up the rest.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sogni import batch as _batch
from sogni.batch import (
    BatchEstimate,
    BatchItem,
    BatchProgress,
    BatchReport,
    ItemFailure,
    ItemResult,
    ItemsInput,
    ItemSource,
    ResultFile,
    journal_app_id,
    write_html,
)

if TYPE_CHECKING:
    from sogni import SogniClient
    from sogni.batch import SogniWorkerPlugin

    from ._client import AsyncSogniClient

# The same names as sogni.batch: run and estimate awaitable, the rest (models, and
# journal_app_id and write_html, which only touch local files) the very same objects.
__all__ = [
    "BatchEstimate",
    "BatchItem",
    "BatchProgress",
    "BatchReport",
    "ItemFailure",
    "ItemResult",
    "ItemSource",
    "ItemsInput",
    "ResultFile",
    "SogniWorkerPlugin",
    "estimate",
    "journal_app_id",
    "run",
    "write_html",
]


def __getattr__(name: str) -> Any:
    # As in sogni.batch: the Dask plugin exists only when dask.distributed imports.
    if name == "SogniWorkerPlugin":
        return _batch.SogniWorkerPlugin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


async def run(
    client: AsyncSogniClient | None,
    items: ItemsInput,
    *,
    out_dir: str | os.PathLike[str],
    journal: str | os.PathLike[str] | None = None,
    max_in_flight: int = 8,
    spend_cap: Decimal | int | str | None = None,
    retries: int = 2,
    progress: Callable[[BatchProgress], None] | None = None,
    type: str = "image",
    token_type: str = "spark",
    media_root: str | os.PathLike[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    stop: threading.Event | None = None,
    executor: Any = None,
    partitions: int | None = None,
    client_factory: Callable[[], SogniClient] | None = None,
) -> BatchReport:
    """As :func:`sogni.batch.run`; ``progress`` runs on the event loop."""
    loop = asyncio.get_running_loop()
    stop = stop or threading.Event()
    report_progress = None
    if progress is not None:
        callback = progress

        def report_progress(snapshot: BatchProgress) -> None:
            loop.call_soon_threadsafe(callback, snapshot)

    future = loop.run_in_executor(
        None,
        lambda: _batch.run(
            client.sync if client is not None else None,
            items,
            out_dir=out_dir,
            journal=journal,
            max_in_flight=max_in_flight,
            spend_cap=spend_cap,
            retries=retries,
            progress=report_progress,
            type=type,
            token_type=token_type,
            media_root=media_root,
            defaults=defaults,
            stop=stop,
            executor=executor,
            partitions=partitions,
            client_factory=client_factory,
        ),
    )
    try:
        report = await asyncio.shield(future)
    except asyncio.CancelledError:
        stop.set()  # sending stops; what is in flight finishes in the background
        raise
    await asyncio.sleep(0)  # progress calls queued before the end run first
    return report


async def estimate(
    client: AsyncSogniClient,
    items: ItemsInput,
    *,
    type: str = "image",
    token_type: str = "spark",
    media_root: str | os.PathLike[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> BatchEstimate:
    """As :func:`sogni.batch.estimate`."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None,
        lambda: _batch.estimate(
            client.sync,
            items,
            type=type,
            token_type=token_type,
            media_root=media_root,
            defaults=defaults,
        ),
    )
