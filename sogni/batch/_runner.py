"""One batch run in one process: bounded in flight, journaled, budgeted, resumable.

The calling thread reads the items, hands each to a pool of ``max_in_flight`` worker threads
and calls the ``progress`` callback (user code runs only there, on the caller's thread).
Each worker takes one item from quote to files on disk:

1. quote it (cached) and reserve the quote in the budget, or stop: the cap is reached;
2. mint its project id and write ``submitting`` (durable) — only then send it;
3. wait for the project, read its record (``costActual``), stream each result to a
   temporary file (hashed on the way) renamed into place;
4. write ``completed``; or, on failure, ``failed`` with the error and whether it may be
   retried (retryable failures are retried under a new id while attempts are left).

On a rerun the journal decides: completed items are skipped; an item left ``submitting``
is looked up by its id (``projects.get``) and followed to its end — or, if the server never
saw it, sent again under the same id — so a crash never makes anyone pay twice.
"""

from __future__ import annotations

import collections
import concurrent.futures
import hashlib
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import attrs

from ..errors import (
    NotFoundError,
    SogniError,
    SogniTimeoutError,
    ValidationError,
    ValidationProblem,
)
from ..projects import _results
from ..projects.api import new_project_id
from ._budget import Budget, Estimator, LocalBudget, committed_spend, known_spend
from ._fault import FaultHook
from ._journal import ItemState, Journal, replay
from ._report import BatchProgress, BatchReport, ItemFailure

if TYPE_CHECKING:
    from ..client import SogniClient
    from ..projects.handles import Project
    from ._items import BatchItem

__all__ = ["Runner", "safe_name"]

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_POLL_FIRST = 0.5  # seconds between record reads of a project followed by polling
_POLL_MAX = 5.0
_COST_READS = (0.0, 0.2, 0.5, 1.0)  # a finished record may lag the last frame a little


def safe_name(key: str) -> str:
    """A file-name stem for an item key: the key is data and never names a path itself."""
    stem = _SAFE.sub("_", key)[:60].strip("_") or "item"
    if stem != key:
        stem += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
    return stem


class _Abandoned(Exception):
    """The run was abandoned (a second Ctrl-C): write nothing more."""


class _HashingFile:
    """A seekable sink that hashes what is written; a download that restarts truncates it,
    which restarts the hash."""

    def __init__(self, handle: IO[bytes], on_write: Callable[[], None]) -> None:
        self._handle = handle
        self._on_write = on_write
        self.hasher = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        written = self._handle.write(data)
        self.hasher.update(data)
        self.size += len(data)
        self._handle.flush()
        self._on_write()
        return written

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def truncate(self, size: int | None = None) -> int:
        self.hasher = hashlib.sha256()
        self.size = 0
        return self._handle.truncate(size)

    def flush(self) -> None:
        self._handle.flush()


class _Outcome:
    __slots__ = ("attempts", "cost", "failure", "item", "kind", "reserved")

    def __init__(
        self, kind: str, *, cost: Decimal | None = None, failure: ItemFailure | None = None
    ) -> None:
        self.kind = kind  # "completed" or "failed"
        self.cost = cost  # the project's costActual, when known
        self.failure = failure
        self.reserved: Decimal | None = None  # what the budget set aside for the attempt
        self.item: BatchItem | None = None  # set when the outcome may lead to a retry
        self.attempts = 0


class Runner:
    """Runs the items of one journal through one client."""

    def __init__(
        self,
        client: SogniClient,
        *,
        journal: Path,
        out_dir: Path,
        budget: Budget | None,
        max_in_flight: int,
        retries: int,
        token_type: str,
        spend_cap: Decimal | None,
        stop: threading.Event | None = None,
        progress: Callable[[BatchProgress], None] | None = None,
        stop_poll: Callable[[], bool] | None = None,
    ) -> None:
        problems = []
        if max_in_flight < 1:
            problems.append(ValidationProblem("max_in_flight", "must be a whole number, 1 or more"))
        if retries < 0:
            problems.append(ValidationProblem("retries", "must be a whole number, 0 or more"))
        if problems:
            raise ValidationError(problems)
        self._client = client
        self._journal_path = journal
        self._out_dir = out_dir
        self._given_budget = budget
        self._budget: Budget = budget or LocalBudget(spend_cap, Decimal(0))
        self._max_in_flight = max_in_flight
        self._retries = retries
        self._token_type = token_type
        self._spend_cap = spend_cap
        self._stop = stop or threading.Event()
        self._progress = progress
        self._stop_poll = stop_poll  # asked about once a second, on the calling thread
        self._estimator = Estimator(client)
        self._fault = FaultHook()
        self._app_id = client.config.app_id
        self._journal: Journal | None = None
        self._stopping: str | None = None
        self._abandoned = False
        self._events: queue.SimpleQueue[tuple[str, _Outcome | None]] = queue.SimpleQueue()

    # ------------------------------------------------------------------ the calling thread

    def run(self, items: Iterable[BatchItem], total: int) -> BatchReport:
        started = time.monotonic()
        self._out_dir.mkdir(parents=True, exist_ok=True)
        journal = self._journal = Journal(self._journal_path)
        try:
            states, _ = replay(self._journal_path)
            if self._given_budget is None:
                self._budget = LocalBudget(self._spend_cap, committed_spend(states.values()))
            journal.append(
                {"event": "run", "app_id": self._app_id, "pid": os.getpid(), "time": time.time()}
            )
            return self._run(items, total, states, started)
        except BaseException:
            self._abandoned = True
            raise
        finally:
            journal.close()

    def _run(
        self, items: Iterable[BatchItem], total: int, states: dict[str, ItemState], started: float
    ) -> BatchReport:
        done_before = 0
        failures: list[ItemFailure] = []
        unsubmitted: list[str] = []
        spent = known_spend(states.values())
        completed = 0
        in_flight = 0
        last_report = 0.0
        last_poll = time.monotonic()
        # Items whose attempt failed in a way worth another one: sent again (new id) first.
        retry: collections.deque[tuple[BatchItem, int, ItemFailure]] = collections.deque()

        def settle(key: str, outcome: _Outcome | None) -> None:
            nonlocal completed, in_flight, spent
            in_flight -= 1
            if outcome is None:
                return
            if outcome.reserved is not None:
                if outcome.kind == "completed":
                    actual = outcome.cost if outcome.cost is not None else outcome.reserved
                else:
                    actual = outcome.cost or Decimal(0)
                self._budget.settle(outcome.reserved, actual)
            if outcome.cost is not None:
                spent += outcome.cost
            if outcome.kind == "completed":
                completed += 1
            elif outcome.kind == "failed" and outcome.failure is not None:
                if outcome.item is not None and self._retry(outcome):
                    retry.append((outcome.item, outcome.attempts, outcome.failure))
                else:
                    failures.append(outcome.failure)

        def report_progress(force: bool = False) -> None:
            nonlocal last_report, last_poll
            now = time.monotonic()
            if self._stop_poll is not None and now - last_poll >= 1.0:
                last_poll = now
                if self._stop_poll():
                    self._stop.set()
            if self._progress is None or (not force and now - last_report < 0.2):
                return
            last_report = now
            elapsed = now - started
            left = total - done_before - completed - len(failures) - len(unsubmitted)
            rate = completed / elapsed if elapsed > 0 and completed else 0.0
            self._progress(
                BatchProgress(
                    total=total,
                    completed=done_before + completed,
                    failed=len(failures),
                    in_flight=in_flight,
                    unsubmitted=len(unsubmitted),
                    spent=spent,
                    token_type=self._token_type,
                    elapsed=elapsed,
                    eta_seconds=left / rate if rate else None,
                )
            )

        def wait_event(timeout: float) -> None:
            try:
                key, outcome = self._events.get(timeout=timeout)
            except queue.Empty:
                return
            settle(key, outcome)

        def stopping() -> bool:
            if self._stopping is None and self._stop.is_set():
                self._stopping = "stopped"
            return self._stopping is not None

        def dispatch(item: BatchItem, state: ItemState | None, attempts: int) -> None:
            """Quote and reserve (on this thread: the budget is touched only here), then hand
            the item to a worker; or leave it unsent."""
            nonlocal in_flight
            while in_flight >= self._max_in_flight:
                wait_event(0.25)
                report_progress()
            if stopping():
                unsubmitted.append(item.key)
                return
            reserved: Decimal | None = None
            if state is not None and state.status == "submitting" and state.project_id:
                reserved = state.estimate  # counted already, from the journal
            else:
                try:
                    reserved = self._estimator.estimate(item.params)
                except SogniError as exc:
                    failed = self._failed(item, None, exc).failure
                    assert failed is not None
                    failures.append(failed)
                    return
                if not self._budget.reserve(reserved):
                    self._stopping = "stopped" if self._stop.is_set() else "spend_cap"
                    unsubmitted.append(item.key)
                    return
                state = None
            in_flight += 1
            pool.submit(self._work, item, state, reserved, attempts)

        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self._max_in_flight, thread_name_prefix="sogni-batch"
        )
        try:
            for item in items:
                while retry and not stopping():
                    again, attempts, _ = retry.popleft()
                    dispatch(again, None, attempts)
                state = states.get(item.key)
                if state is not None and state.status == "completed":
                    done_before += 1
                    continue
                if state is not None and state.status == "failed" and not self._may_retry(state):
                    failures.append(self._prior_failure(item.key, state))
                    continue
                if stopping():
                    unsubmitted.append(item.key)
                    continue
                dispatch(item, state, state.attempts if state is not None else 0)
                report_progress()
            while in_flight > 0 or retry:
                if retry and not stopping():
                    again, attempts, _ = retry.popleft()
                    dispatch(again, None, attempts)
                    continue
                if retry:  # stopping: what would have been retried is left failed (retryable)
                    failures.append(retry.popleft()[2])
                    continue
                wait_event(0.25)
                report_progress()
        except BaseException:
            self._abandoned = True
            self._stopping = self._stopping or "stopped"
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        report_progress(force=True)
        return BatchReport(
            total=total,
            completed=done_before + completed,
            completed_this_run=completed,
            failed=tuple(failures),
            unsubmitted=tuple(unsubmitted),
            spent=spent,
            token_type=self._token_type,
            spend_cap=self._spend_cap,
            stopped=self._stopping,
            out_dir=self._out_dir,
            journals=(self._journal_path,),
            elapsed=time.monotonic() - started,
        )

    def _may_retry(self, state: ItemState) -> bool:
        return state.retryable and state.attempts < 1 + self._retries

    def _retry(self, outcome: _Outcome) -> bool:
        failure = outcome.failure
        return (
            failure is not None
            and failure.retryable
            and outcome.attempts < 1 + self._retries
            and self._stopping is None
            and not self._stop.is_set()
        )

    @staticmethod
    def _prior_failure(key: str, state: ItemState) -> ItemFailure:
        return ItemFailure(
            key=key,
            project_id=state.project_id,
            error=state.error or "SogniError",
            message=state.message or "failed in an earlier run",
            retryable=state.retryable,
        )

    # ------------------------------------------------------------------ worker threads

    def _work(
        self, item: BatchItem, state: ItemState | None, reserved: Decimal, attempts: int
    ) -> None:
        outcome: _Outcome | None = None
        try:
            if state is not None and state.project_id:
                outcome = self._reattach(item, state)
            else:
                outcome = self._submit(item, reserved, attempts + 1)
            outcome.reserved = reserved
        except _Abandoned:
            outcome = None
        except BaseException as exc:  # a bug must not hang the run: report the item failed
            if not self._abandoned:
                outcome = self._failed(item, None, exc)
                outcome.reserved = reserved
        finally:
            self._events.put((item.key, outcome))

    def _check_abandoned(self) -> None:
        if self._abandoned:
            raise _Abandoned

    def _append(self, record: dict[str, Any]) -> None:
        self._check_abandoned()
        assert self._journal is not None
        self._journal.append(record)

    def _submit(self, item: BatchItem, estimate: Decimal, attempt: int) -> _Outcome:
        """A new attempt: its id minted and journaled before anything is sent."""
        project_id = new_project_id()
        self._append(
            {
                "event": "submitting",
                "key": item.key,
                "project_id": project_id,
                "app_id": self._app_id,
                "attempt": attempt,
                "estimate": str(estimate),
                "type": item.type,
                "prompt": item.prompt,
                "time": time.time(),
            }
        )
        self._fault.hit("submitting")
        outcome = self._follow(item, project_id, project=None)
        outcome.item, outcome.attempts = item, attempt
        return outcome

    def _reattach(self, item: BatchItem, state: ItemState) -> _Outcome:
        """An item a crashed run left in flight: follow its project, or send it again under
        the same id if the server never received it."""
        assert state.project_id is not None
        try:
            project = self._client.projects.get(state.project_id)
        except NotFoundError:
            outcome = self._follow(item, state.project_id, project=None)
        except SogniError as exc:
            outcome = self._failed(item, state.project_id, exc)
        else:
            outcome = self._follow(item, state.project_id, project=project)
        outcome.item, outcome.attempts = item, state.attempts
        return outcome

    def _follow(self, item: BatchItem, project_id: str, *, project: Project | None) -> _Outcome:
        poll = project is not None
        try:
            if project is None:
                project = self._client.projects.create(item.params, project_id=project_id)
                if self._fault.armed("sent"):
                    with project.events(timeout=60) as events:
                        next(events)  # any event: the server has the project
                self._fault.hit("sent")
            self._wait(project, poll=poll)
            cost = self._cost(project)
            files = self._download(item, project)
            self._append(
                {
                    "event": "completed",
                    "key": item.key,
                    "project_id": project_id,
                    "files": files,
                    "cost_actual": None if cost is None else str(cost),
                    "type": item.type,
                    "prompt": item.prompt,
                    "time": time.time(),
                }
            )
            self._fault.hit("completed")
            return _Outcome("completed", cost=cost)
        except _Abandoned:
            raise
        except (SogniError, OSError) as exc:
            self._check_abandoned()
            return self._failed(item, project_id, exc, project=project)

    def _wait(self, project: Project, *, poll: bool) -> None:
        """Until the project ends: its frames end it, or, for a project found again by id
        (``poll``: its frames may go to another app id's connection), its record read now and
        then."""
        pause = _POLL_FIRST
        while True:
            self._check_abandoned()
            try:
                project.wait(timeout=pause)
                return
            except SogniTimeoutError:
                if project.finished:
                    raise
            if poll:
                try:
                    project.refresh()
                except NotFoundError:
                    pass  # not stored yet; its frames or a later read will tell
                if project.finished:
                    project.wait()
                    return
                pause = min(_POLL_MAX, pause * 1.5)

    def _cost(self, project: Project) -> Decimal | None:
        for delay in _COST_READS:
            if delay:
                time.sleep(delay)
            try:
                project.refresh()
            except SogniError:
                continue
            if project.cost_actual is not None:
                return project.cost_actual
        return None

    def _download(self, item: BatchItem, project: Project) -> list[dict[str, Any]]:
        stem = safe_name(item.key)
        files: list[dict[str, Any]] = []
        tracker = project._tracker
        first = True
        for job in project.jobs:
            if not job.has_result_media:
                continue
            index = job.job_index if job.job_index is not None else len(files)
            ext = _results.default_filename(tracker, job).rsplit(".", 1)[-1]
            name = f"{stem}-{index}.{ext}"
            target = self._out_dir / name
            partial = self._out_dir / f".{name}.part"
            url = job.get_result_url()
            hit = self._fault.hit if first else None
            first = False

            def wrote(hit: Callable[[str], None] | None = hit) -> None:
                if hit is not None:
                    hit("downloading")

            with partial.open("wb") as handle:
                sink = _HashingFile(handle, wrote)
                tracker.service.download(url, cast("IO[bytes]", sink))
                size, digest = sink.size, sink.hasher.hexdigest()
            os.replace(partial, target)
            files.append({"path": name, "size": size, "sha256": digest})
        return files

    def _failed(
        self,
        item: BatchItem,
        project_id: str | None,
        exc: BaseException,
        *,
        project: Project | None = None,
    ) -> _Outcome:
        cost: Decimal | None = None
        if project is not None and not isinstance(exc, OSError):
            try:
                project.refresh()
                cost = project.cost_actual
            except SogniError:
                cost = None
        retryable = (
            isinstance(exc, SogniError)
            and not isinstance(exc, ValidationError)
            and bool(exc.retryable)
        )
        failure = ItemFailure(
            key=item.key,
            project_id=project_id,
            error=type(exc).__name__,
            message=str(exc),
            retryable=retryable,
        )
        try:
            self._append(
                {
                    "event": "failed",
                    "key": item.key,
                    "project_id": project_id,
                    "error": failure.error,
                    "message": failure.message,
                    "retryable": retryable,
                    "cost_actual": None if cost is None else str(cost),
                    "time": time.time(),
                }
            )
        except _Abandoned:
            raise
        except Exception as journal_exc:
            # The report must still count the item. A rerun tries it again (the journal does
            # not say it failed); nothing is sent for it before a journal write succeeds.
            failure = attrs.evolve(
                failure,
                message=f"{failure.message} (not journaled: {journal_exc})",
                retryable=True,
            )
        return _Outcome("failed", cost=cost, failure=failure)
