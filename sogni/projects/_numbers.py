"""Numbers as the TypeScript SDK computes and writes them (shared by the request builder, the
frame math and the model families). The JavaScript rules themselves live in
:mod:`sogni._wire.js`."""

from __future__ import annotations

from typing import Final

from .._wire.js import OMIT, Omit, js_round, number_to_string

__all__ = ["js_number", "js_round", "number_to_string", "opt_number"]

_SAFE_INTEGER: Final = 2**53


def js_number(value: float) -> int | float:
    """``value`` as a JSON-ready number that reads as JavaScript's: whole floats lose the ``.0``
    (the frame codec writes every number as ``JSON.stringify`` does either way)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _SAFE_INTEGER:
        return int(value)
    return value


def opt_number(value: float | None) -> int | float | Omit:
    """:func:`js_number`, or no key at all (``undefined``) for None."""
    return OMIT if value is None else js_number(value)
