"""Frame payloads of the fake, written as ``JSON.stringify`` writes them, in less time.

The shared codec's ``encode_payload`` writes any payload as JavaScript would, in Python, a
dozen microseconds for a typical frame. Nearly everything the fake sends is plain: string keys
that are no array index, strings, booleans, null, integers JavaScript holds exactly, fractions
that both languages write without an exponent. For such a payload ``json.dumps`` (in C) writes
the very same text, and :func:`payload_base64` uses it; anything else (a lone surrogate, an
integral float, a key like ``"0"`` that JavaScript would move first, NaN...) goes to the shared
codec, which also raises what it raises.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from .._wire.envelope import encode_payload

__all__ = ["payload_base64"]

_SAFE_INTEGER = 2**53
# Deeper payloads (the fake sends none) take the shared codec, which also finds cycles.
_MAX_DEPTH = 32


def _plain(value: Any, depth: int) -> bool:
    """Whether ``json.dumps`` writes ``value`` as ``JSON.stringify`` does (strings aside: a
    lone surrogate is caught when the text is encoded)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE_INTEGER < value < _SAFE_INTEGER)
    if kind is float:
        # Python's repr and JavaScript agree on a fraction written without an exponent.
        return math.isfinite(value) and not value.is_integer() and "e" not in repr(value)
    if depth >= _MAX_DEPTH:
        return False
    if kind is dict:
        return all(
            type(k) is str and not k[:1].isdigit() and _plain(v, depth + 1)
            for k, v in value.items()
        )
    if kind is list or kind is tuple:
        return all(_plain(v, depth + 1) for v in value)
    return False


def payload_base64(payload: Any) -> bytes:
    """``encode_payload(payload)`` as ASCII bytes: base64 of the UTF-8 ``JSON.stringify`` text."""
    if _plain(payload, 0):
        try:
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            return base64.b64encode(text.encode("utf-8"))
        except UnicodeEncodeError:
            pass  # a lone surrogate, which JSON.stringify writes escaped
    return encode_payload(payload).encode("ascii")
