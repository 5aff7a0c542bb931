"""``StrEnum``: the base of the SDK's closed vocabularies (statuses, event types).

Members are ``str``s: they compare equal to their values (``status == "completed"``), and
``str()`` and ``format()`` give the value on every supported Python (3.10's ``str`` mix-in gives
``ProjectStatus.COMPLETED`` and 3.11 changed ``format()``; ``enum.StrEnum`` is 3.11+).

No imports beyond the standard library: a test loads this file alone under each Python.
"""

from __future__ import annotations

import enum

__all__ = ["StrEnum"]


class StrEnum(str, enum.Enum):
    """A ``str`` whose value is one of a fixed set."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(str.__str__(self), format_spec)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"
