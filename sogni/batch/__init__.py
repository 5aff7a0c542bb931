"""Batch jobs: thousands of projects from a CSV, JSONL file or DataFrame, resumable and
budgeted, on one machine or on a Dask cluster.

::

    from sogni import SogniClient, batch

    with SogniClient.from_env() as client:
        report = batch.run(client, "prompts.csv", out_dir="out/", max_in_flight=16,
                           spend_cap="50")
    print(report.completed, report.spent, report.unsubmitted)

* :func:`run` renders every item with at most ``max_in_flight`` projects in flight, streams
  the results into ``out_dir`` and returns a :class:`BatchReport`. Memory does not grow with
  the number of items: per-item results live in the journal (:meth:`BatchReport.results`).
* The journal (JSON Lines, each record on disk before it counts, locked while a run uses
  it) makes a rerun resume: completed items are skipped, items in flight are found again by
  their id, and an item is never paid for twice because of a crash.
* ``spend_cap``: every item is quoted before it is sent (quotes are cached per cost-relevant
  parameter set) and nothing is sent that would take the quotes in flight plus the actual
  cost so far (each project's ``costActual``) over the cap; the run then stops and reports
  the items left.
* :func:`estimate` prices a batch without sending anything; :func:`write_html` writes a
  contact sheet of a report (``report.html``).
* On a Dask cluster: ``run(None, items, executor=dask_client, ...)``; each worker process
  makes its own client (:class:`SogniWorkerPlugin`, ``pip install 'sogni[dask]'``).

The SDK's own tests kill runs at named points through an internal hook (an environment
variable read by ``sogni.batch._fault``) to prove that a rerun resumes cleanly; it is not API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._api import BatchEstimate, estimate, journal_app_id, run
from ._html import write_html
from ._items import BatchItem, ItemsInput, ItemSource
from ._report import BatchProgress, BatchReport, ItemFailure, ItemResult, ResultFile

if TYPE_CHECKING:
    from ._dask import SogniWorkerPlugin

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
    # dask is an extra: its plugin class exists only when dask.distributed imports.
    if name == "SogniWorkerPlugin":
        from ._dask import SogniWorkerPlugin

        return SogniWorkerPlugin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
