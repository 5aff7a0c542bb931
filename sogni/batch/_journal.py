"""The batch journal: an append-only JSON Lines file, each record durable before it counts.

Records (one JSON object a line, ``event`` names the kind):

* ``run``: a run started (``app_id``, ``pid``, ``time``);
* ``submitting``: ``key``, the client-minted ``project_id``, ``app_id``, ``attempt``,
  ``estimate`` (decimal string), ``type``, ``prompt`` — written *before* the project is sent;
* ``completed``: ``key``, ``project_id``, ``files`` (``path`` relative to the output
  directory, ``size``, ``sha256``), ``cost_actual`` (decimal string or null), ``type``,
  ``prompt``;
* ``failed``: ``key``, ``project_id`` (null if nothing was sent), ``error`` (class name),
  ``message``, ``retryable``, ``cost_actual``.

Every append is written and ``fsync``-ed before it returns; appends from many threads share
one ``fsync`` (group commit), so durability does not cost one disk flush per record each. The
file holds an exclusive ``fcntl`` lock while open, so two runs never write one journal. A
record cut short by a crash (no final newline) is dropped when the journal is opened again.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import JournalLockedError, SogniError

try:  # POSIX; elsewhere the journal is not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["ItemState", "Journal", "read_records", "replay"]


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete record of a journal, oldest first (a torn last line is skipped)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return  # cut short by a crash
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


class ItemState:
    """What the journal says about one item (the last word on it wins)."""

    __slots__ = (
        "attempts",
        "cost_actual",
        "error",
        "estimate",
        "message",
        "project_id",
        "retryable",
        "status",
    )

    def __init__(self) -> None:
        self.status = ""
        self.project_id: str | None = None
        self.attempts = 0
        self.estimate = Decimal(0)
        self.cost_actual: Decimal | None = None
        self.retryable = False
        self.error: str | None = None
        self.message: str | None = None


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def replay(path: Path) -> tuple[dict[str, ItemState], str | None]:
    """Each item's state, and the ``app_id`` of the journal's first run."""
    states: dict[str, ItemState] = {}
    app_id: str | None = None
    for record in read_records(path):
        event = record.get("event")
        if event == "run":
            if app_id is None and isinstance(record.get("app_id"), str):
                app_id = record["app_id"]
            continue
        key = record.get("key")
        if not isinstance(key, str):
            continue
        state = states.get(key)
        if state is None:
            state = states[key] = ItemState()
        if event == "submitting":
            state.status = "submitting"
            if record.get("project_id") != state.project_id:
                state.attempts += 1
            state.project_id = record.get("project_id")
            state.estimate = _decimal(record.get("estimate")) or Decimal(0)
            state.cost_actual = None
        elif event == "completed":
            state.status = "completed"
            state.cost_actual = _decimal(record.get("cost_actual"))
        elif event == "failed":
            state.status = "failed"
            state.retryable = bool(record.get("retryable"))
            state.cost_actual = _decimal(record.get("cost_actual"))
            state.error = str(record.get("error") or "SogniError")
            state.message = str(record.get("message") or "")
    return states, app_id


class Journal:
    """An open journal: locked, appended to durably, closed once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise JournalLockedError(
                        f"{self.path} is in use by another run (its lock is held)"
                    ) from None
            self._drop_torn_tail(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._cond = threading.Condition()
        self._pending: list[bytes] = []
        self._next = 0  # sequence number of the next record
        self._durable = 0  # records [0, _durable) are on disk
        self._flushing = False
        self._error: BaseException | None = None
        self._closed = False

    @staticmethod
    def _drop_torn_tail(fd: int) -> None:
        size = os.lseek(fd, 0, os.SEEK_END)
        if size == 0:
            return
        # A record is complete once its newline is written: cut back to the last one.
        keep = size
        chunk = 4096
        while keep > 0:
            start = max(0, keep - chunk)
            data = os.pread(fd, keep - start, start)
            cut = data.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            keep = start
        if keep != size:
            os.ftruncate(fd, keep)
            os.fsync(fd)
        os.lseek(fd, 0, os.SEEK_END)

    def append(self, record: dict[str, Any]) -> None:
        """Write ``record`` and return once it is on disk."""
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        with self._cond:
            if self._closed:
                raise SogniError(f"the journal {self.path} is closed")
            self._pending.append(line)
            self._next += 1
            mine = self._next
            while self._durable < mine:
                if self._error is not None:
                    raise SogniError(f"could not write the journal {self.path}: {self._error}")
                if self._flushing:
                    self._cond.wait()
                    continue
                # This thread writes everything queued so far with one fsync.
                self._flushing = True
                batch, self._pending = self._pending, []
                upto = self._next
                self._cond.release()
                try:
                    data = b"".join(batch)
                    while data:
                        written = os.write(self._fd, data)
                        data = data[written:]
                    os.fsync(self._fd)
                except OSError as exc:
                    self._cond.acquire()
                    self._error = exc
                    self._flushing = False
                    self._cond.notify_all()
                    raise SogniError(f"could not write the journal {self.path}: {exc}") from exc
                self._cond.acquire()
                self._durable = upto
                self._flushing = False
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            while self._flushing:
                self._cond.wait()
            if self._closed:
                return
            self._closed = True
        os.close(self._fd)  # releases the lock

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
