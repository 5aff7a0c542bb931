"""Batches on a Dask cluster: one task per partition of the items, one journal per partition.

Items are assigned to ``partitions`` by a hash of their key, and the number of partitions is
recorded beside the journals on the first run, so a rerun — or Dask re-running a dead
worker's task elsewhere — finds each item in the journal that knows it. Each task runs the
same :class:`~sogni.batch._runner.Runner` as a local batch, with the worker process's own
client: :class:`SogniWorkerPlugin` makes it when the worker starts (and again in a restarted
worker), from a factory that reads credentials where it runs. A task carries items, paths and
numbers, never a credential.

The spend cap is shared: the scheduler holds the batch's committed spend, and a worker
reserves an item's quote there in one atomic call (``run_on_scheduler``: the scheduler runs
one such call at a time) before sending it. The scheduler must be able to import ``sogni``.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from distributed import WorkerPlugin, get_client, get_worker
from distributed import wait as dask_wait

from ..config import worker_app_id
from ..errors import ValidationError, ValidationProblem
from ._budget import committed_spend
from ._journal import replay
from ._report import BatchProgress, BatchReport, merge_reports
from ._runner import Runner

if TYPE_CHECKING:
    from distributed import Client, Worker

    from ..client import SogniClient
    from ._items import BatchItem, ItemSource

__all__ = ["SogniWorkerPlugin", "run_distributed"]

PLUGIN_NAME = "sogni-batch-client"
_CLIENT_ATTR = "sogni_batch_client"
_DEFAULT_ITEMS_PER_PARTITION = 50


def default_client() -> SogniClient:
    """A worker's client: ``SogniClient.from_env()``, with an ``app_id`` of its own per
    process (``SOGNI_APP_ID`` or ``sogni-batch``, then the process id)."""
    from ..client import SogniClient

    base = os.environ.get("SOGNI_APP_ID", "").strip() or "sogni-batch"
    return SogniClient.from_env(app_id=worker_app_id(base))


class SogniWorkerPlugin(WorkerPlugin):
    """Makes each worker process's :class:`~sogni.SogniClient` when the worker starts and
    closes it when the worker stops. ``factory`` runs on the worker, so it reads credentials
    there (environment, secret store); it is pickled to get there, so it must not hold any."""

    name = PLUGIN_NAME

    def __init__(self, factory: Callable[[], SogniClient] | None = None) -> None:
        self.factory = factory

    def setup(self, worker: Worker) -> None:
        previous = getattr(worker, _CLIENT_ATTR, None)
        if previous is not None:  # never drop a live client: close it first
            previous.close()
        setattr(worker, _CLIENT_ATTR, (self.factory or default_client)())

    def teardown(self, worker: Worker) -> None:
        client = getattr(worker, _CLIENT_ATTR, None)
        if client is not None:
            setattr(worker, _CLIENT_ATTR, None)
            client.close()


def _worker_client() -> SogniClient:
    worker = get_worker()
    client: SogniClient | None = getattr(worker, _CLIENT_ATTR, None)
    if client is None:  # no plugin ran here: make one the default way, once
        client = default_client()
        setattr(worker, _CLIENT_ATTR, client)
    return client


# ---------------------------------------------------------------------------- shared budget


def _budget_op(
    op: str,
    name: str,
    amount: str = "0",
    cap: str | None = None,
    dask_scheduler: Any = None,
) -> str:
    """Runs on the scheduler, one call at a time: ``open``, ``reserve``, ``settle`` (amount is
    ``"reserved actual"``), ``stop``, ``poll``, ``close``. Answers ``ok``, ``full`` or
    ``stopped``."""
    budgets: dict[str, dict[str, Any]] = dask_scheduler.__dict__.setdefault(
        "_sogni_batch_budgets", {}
    )
    if op == "open":
        budgets[name] = {"committed": Decimal(amount), "cap": cap, "stop": False}
        return "ok"
    state = budgets.get(name)
    if state is None:
        return "stopped"
    if op == "reserve":
        if state["stop"]:
            return "stopped"
        value = Decimal(amount)
        limit = state["cap"]
        if limit is not None and state["committed"] + value > Decimal(limit):
            return "full"
        state["committed"] += value
    elif op == "settle":
        reserved, actual = (Decimal(part) for part in amount.split())
        state["committed"] += actual - reserved
    elif op == "stop":
        state["stop"] = True
    elif op == "poll":
        return "stopped" if state["stop"] else "ok"
    elif op == "close":
        budgets.pop(name, None)
    return "ok"


class _SharedBudget:
    """A :class:`~sogni.batch._budget.Budget` kept by the scheduler. Used only on the task's
    own thread (the runner touches its budget on its calling thread); without a cap there is
    nothing to share, and only the stop flag is read (:meth:`stopped`, once a second)."""

    def __init__(self, client: Client, name: str, capped: bool, stop: threading.Event) -> None:
        self._client = client
        self._name = name
        self._capped = capped
        self._stop = stop

    def _call(self, op: str, amount: str = "0") -> str:
        answer: str = self._client.run_on_scheduler(_budget_op, op, self._name, amount)
        return answer

    def reserve(self, amount: Decimal) -> bool:
        if not self._capped:
            return not self._stop.is_set()
        answer = self._call("reserve", str(amount))
        if answer == "stopped":
            self._stop.set()
        return answer == "ok"

    def settle(self, reserved: Decimal, actual: Decimal) -> None:
        if self._capped:
            self._call("settle", f"{reserved} {actual}")

    def stopped(self) -> bool:
        return self._call("poll") == "stopped"


# ---------------------------------------------------------------------------- tasks


@attrs.frozen
class _Partition:
    """What one task gets: items and where to write. No client, no credential."""

    index: int
    items: tuple[BatchItem, ...]
    journal: Path
    out_dir: Path
    budget: str
    spend_cap: Decimal | None
    max_in_flight: int
    retries: int
    token_type: str


def _run_partition(part: _Partition) -> BatchReport:
    client = _worker_client()
    stop = threading.Event()
    budget = _SharedBudget(get_client(), part.budget, part.spend_cap is not None, stop)
    runner = Runner(
        client,
        journal=part.journal,
        out_dir=part.out_dir,
        budget=budget,
        max_in_flight=part.max_in_flight,
        retries=part.retries,
        token_type=part.token_type,
        spend_cap=part.spend_cap,
        stop=stop,
        stop_poll=budget.stopped,
    )
    return runner.run(part.items, len(part.items))


def partition_of(key: str, partitions: int) -> int:
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % partitions


def _partition_count(journal_dir: Path, requested: int | None, total: int) -> int:
    manifest = journal_dir / "manifest.json"
    if manifest.exists():
        recorded = int(json.loads(manifest.read_text())["partitions"])
        if requested is not None and requested != recorded:
            message = (
                f"is {requested}, but {journal_dir} was written with {recorded}: a batch keeps "
                "its partitions so each item stays with its journal"
            )
            raise ValidationError([ValidationProblem("partitions", message)])
        return recorded
    if requested is not None and requested < 1:  # run() refuses it first; 0 is not "default"
        raise ValidationError(
            [ValidationProblem("partitions", "must be a whole number, 1 or more")]
        )
    count = requested or max(1, min(256, -(-total // _DEFAULT_ITEMS_PER_PARTITION)))
    journal_dir.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps({"partitions": count}))
    os.replace(tmp, manifest)
    return count


class _Tail:
    """Progress from the partition journals, read as they grow."""

    def __init__(self, paths: list[Path]) -> None:
        self._offsets = dict.fromkeys(paths, 0)
        self.completed: set[str] = set()
        self.failed: set[str] = set()
        self.spent = Decimal(0)

    def read(self) -> None:
        for path, offset in self._offsets.items():
            try:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    data = handle.read()
            except FileNotFoundError:
                continue
            end = data.rfind(b"\n") + 1
            self._offsets[path] = offset + end
            for line in data[:end].splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                self._apply(record)

    def _apply(self, record: dict[str, Any]) -> None:
        key = record.get("key")
        event = record.get("event")
        if not isinstance(key, str) or event not in ("completed", "failed"):
            return
        cost = record.get("cost_actual")
        if cost is not None:
            self.spent += Decimal(str(cost))
        if event == "completed":
            self.completed.add(key)
            self.failed.discard(key)
        else:
            self.failed.add(key)


def run_distributed(
    executor: Client,
    source: ItemSource,
    total: int,
    *,
    out_dir: Path,
    journal_dir: Path,
    max_in_flight: int,
    spend_cap: Decimal | None,
    retries: int,
    progress: Callable[[BatchProgress], None] | None,
    token_type: str,
    stop: threading.Event | None,
    partitions: int | None,
    client_factory: Callable[[], SogniClient] | None,
) -> BatchReport:
    started = time.monotonic()
    count = _partition_count(journal_dir, partitions, total)
    buckets: list[list[BatchItem]] = [[] for _ in range(count)]
    for item in source:
        buckets[partition_of(item.key, count)].append(item)
    journals = [journal_dir / f"part-{i:05d}.jsonl" for i in range(count)]
    committed = sum((committed_spend(replay(path)[0].values()) for path in journals), Decimal(0))
    budget = f"sogni-batch-{uuid.uuid4().hex}"
    cap = None if spend_cap is None else str(spend_cap)
    executor.run_on_scheduler(_budget_op, "open", budget, str(committed), cap)
    # The scheduler keeps the budget until closed: close it however the run ends.
    try:
        executor.register_plugin(SogniWorkerPlugin(client_factory), name=PLUGIN_NAME)
        parts = [
            _Partition(
                index=i,
                items=tuple(bucket),
                journal=journals[i],
                out_dir=out_dir,
                budget=budget,
                spend_cap=spend_cap,
                max_in_flight=max_in_flight,
                retries=retries,
                token_type=token_type,
            )
            for i, bucket in enumerate(buckets)
            if bucket
        ]
        futures = [
            executor.submit(_run_partition, part, key=f"{budget}-part-{part.index}", pure=False)
            for part in parts
        ]
        tail = _Tail(journals)
        stopped_sent = False
        while True:
            try:
                dask_wait(futures, timeout=0.5)
                finished = True
            except TimeoutError:
                finished = False
            if stop is not None and stop.is_set() and not stopped_sent:
                executor.run_on_scheduler(_budget_op, "stop", budget)
                stopped_sent = True
            if progress is not None:
                tail.read()
                progress(
                    BatchProgress(
                        total=total,
                        completed=len(tail.completed),
                        failed=len(tail.failed),
                        in_flight=0,
                        unsubmitted=0,
                        spent=tail.spent,
                        token_type=token_type,
                        elapsed=time.monotonic() - started,
                        eta_seconds=None,
                    )
                )
            if finished:
                break
        reports: list[BatchReport] = executor.gather(futures)
    finally:
        executor.run_on_scheduler(_budget_op, "close", budget)
    if not reports:
        return BatchReport(
            total=total,
            completed=0,
            completed_this_run=0,
            failed=(),
            unsubmitted=(),
            spent=Decimal(0),
            token_type=token_type,
            spend_cap=spend_cap,
            stopped=None,
            out_dir=out_dir,
            journals=(),
            elapsed=time.monotonic() - started,
        )
    return merge_reports(reports, elapsed=time.monotonic() - started)
