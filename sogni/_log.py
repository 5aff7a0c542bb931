"""The ``sogni`` logger: a NullHandler, and a filter that scrubs known secrets (defence in depth).

The SDK logs metadata only (message types, ids, status codes, attempt numbers), never payloads,
headers or URLs with query strings.
"""

from __future__ import annotations

import logging
import threading
import weakref

ROOT = "sogni"

logging.getLogger(ROOT).addHandler(logging.NullHandler())

_MASK = "**********"


class _RedactingFilter(logging.Filter):
    """Replaces every registered secret in a record's message and arguments."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._owners: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()

    def register(self, owner: object, secret: str) -> None:
        if len(secret) < 4:
            return
        with self._lock:
            self._owners.setdefault(owner, set()).add(secret)

    def _secrets(self) -> list[str]:
        with self._lock:
            return [s for group in list(self._owners.values()) for s in group]

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets()
        if not secrets:
            return True
        message = record.getMessage()
        if any(s in message for s in secrets):
            for s in secrets:
                message = message.replace(s, _MASK)
            record.msg = message
            record.args = None
        return True


_FILTER = _RedactingFilter()


def get_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def register_secret(owner: object, secret: str) -> None:
    """Ask the filter to mask ``secret`` for as long as ``owner`` lives."""
    _FILTER.register(owner, secret)
