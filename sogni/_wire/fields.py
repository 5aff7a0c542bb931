"""Field helpers that attach a wire name to an attrs field (no cattrs import here)."""

from __future__ import annotations

import enum
from typing import Any, Final

import attrs

__all__ = ["OMIT", "Omit", "WIRE_KEY", "wire"]

WIRE_KEY: Final = "sogni.wire"


class Omit(enum.Enum):
    """Marks an outbound field that is left out of the JSON (as opposed to sent as null)."""

    OMIT = "OMIT"

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Final = Omit.OMIT


def wire(name: str, **kwargs: Any) -> Any:
    """An attrs field whose key on the wire is ``name``."""
    metadata = dict(kwargs.pop("metadata", {}) or {})
    metadata[WIRE_KEY] = name
    return attrs.field(metadata=metadata, **kwargs)
