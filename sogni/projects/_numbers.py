"""Numbers as the TypeScript SDK computes and writes them (shared by the request builder, the
frame math and the model families)."""

from __future__ import annotations

import math
from typing import Final

from .._wire.fields import OMIT, Omit

__all__ = ["js_number", "js_round", "opt_number"]

_SAFE_INTEGER: Final = 2**53


def js_round(value: float) -> int:
    """JavaScript's ``Math.round``: the nearest integer, halves rounded up (towards +inf)."""
    whole = math.floor(value)
    # value - floor(value) is exact for doubles, unlike value + 0.5.
    return int(whole) + (1 if value - whole >= 0.5 else 0)


def js_number(value: float) -> int | float:
    """``value`` as JavaScript's ``JSON.stringify`` writes it: whole floats lose the ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _SAFE_INTEGER:
        return int(value)
    return value


def opt_number(value: float | None) -> int | float | Omit:
    """:func:`js_number`, or no key at all for None."""
    return OMIT if value is None else js_number(value)
