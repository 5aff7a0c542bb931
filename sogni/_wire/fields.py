"""Field helpers that attach a wire name to an attrs field (no cattrs import here)."""

from __future__ import annotations

from typing import Any, Final

import attrs

# OMIT marks an outbound field that is left out of the JSON (JavaScript's undefined), as
# opposed to None, which is sent as null.
from .js import OMIT, Omit

__all__ = ["OMIT", "Omit", "WIRE_KEY", "wire"]

WIRE_KEY: Final = "sogni.wire"


def wire(name: str, **kwargs: Any) -> Any:
    """An attrs field whose key on the wire is ``name``."""
    metadata = dict(kwargs.pop("metadata", {}) or {})
    metadata[WIRE_KEY] = name
    return attrs.field(metadata=metadata, **kwargs)
