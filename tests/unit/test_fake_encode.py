"""The fake's fast payload writer (sogni.testing._encode) writes exactly what the shared codec
writes, JSON.stringify's text, for every payload, and fails where it fails."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sogni._wire.envelope import encode_payload
from sogni._wire.js import OMIT
from sogni.testing._encode import payload_base64

_keys = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["0", "7", "01", "4294967295", "-1", "jobID", "²"]),
)
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**53) - 2, max_value=2**53 + 2),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.8, 0.25, -0.0, 7.0, 1e-05, 1e-07, 1e16, 1e21, 123456789.125, 0.1]),
    st.text(),
    st.sampled_from(["\ud83d", "a\ude00b", "\ud83d\ude00", "\n\t\x00\x7f\u2028", '"\\']),
)
_payloads = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_keys, inner, max_size=4),
    ),
    max_leaves=12,
)


def _outcome(encode: Any, payload: Any) -> Any:
    try:
        return bytes(encode(payload))
    except Exception as exc:  # the same failure, or none, on both sides
        return type(exc)


def _shared(payload: Any) -> bytes:
    return encode_payload(payload).encode("ascii")


@settings(max_examples=400, deadline=None)
@given(_payloads)
@example({"jobID": "A", "step": 2, "etaSeconds": 1, "preparation": {"elapsedSec": 0.8}})
@example({"7": 1, "a": 2, "0": 3})
@example([float("nan")])
@example({"n": math.inf})
@example({"x": OMIT, "y": [OMIT]})
@example({1: "int key", False: "bool key", None: "none key", 2.5: "float key"})
def test_the_fast_writer_agrees_with_the_shared_codec(payload: Any) -> None:
    assert _outcome(payload_base64, payload) == _outcome(_shared, payload)


def test_a_typical_frame_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import sogni.testing._encode as module

    def refuse(payload: Any) -> str:
        raise AssertionError("the shared codec was used")

    monkeypatch.setattr(module, "encode_payload", refuse)
    frame = {"jobID": "P", "imgID": "J", "step": 2, "stepCount": 4, "hasImage": True, "x": None}
    text = base64.b64decode(payload_base64(frame)).decode()
    assert json.loads(text) == frame
    assert text.startswith('{"jobID":"P","imgID":"J","step":2,')
