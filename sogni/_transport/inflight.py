"""The in-flight registry: work waiting for server frames, keyed by the wire ``jobID``."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from .._wire.envelope import Frame
from ..errors import SogniError

__all__ = ["InflightEntry", "InflightRegistry"]


class InflightEntry(Protocol):
    """Something the transport thread feeds: a project tracker or a chat stream."""

    def _frame_arrived(self, frame: Frame) -> None:
        """Handle one frame naming this entry's id. Runs on the transport thread: no blocking."""

    def _connection_lost(self) -> None:
        """The socket dropped; a reconnect is under way."""

    def _authenticated(self, generation: int, payload: Any) -> None:
        """A (re)connection authenticated; ``payload`` is the ``authenticated`` frame."""

    def _fail(self, error: SogniError) -> None:
        """End with ``error`` (terminal close, client closed)."""


class InflightRegistry:
    """Thread-safe map from id to entry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, InflightEntry] = {}

    def add(self, key: str, entry: InflightEntry) -> None:
        with self._lock:
            self._entries[key.upper()] = entry

    def get(self, key: str) -> InflightEntry | None:
        with self._lock:
            return self._entries.get(key.upper())

    def remove(self, key: str, entry: InflightEntry | None = None) -> None:
        with self._lock:
            current = self._entries.get(key.upper())
            if current is not None and (entry is None or current is entry):
                del self._entries[key.upper()]

    def entries(self) -> list[InflightEntry]:
        with self._lock:
            return list(self._entries.values())

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def fail_all(self, error: SogniError) -> None:
        for entry in self.entries():
            entry._fail(error)
