"""``stringify`` hands plain documents to the C JSON encoder: it must write the very same text as
the general path (each JavaScript rule applied in Python) for every input, or raise the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sogni._wire import js
from sogni._wire.js import OMIT, stringify

# Numbers and strings where the two languages disagree, next to ordinary ones.
_tricky_floats = st.sampled_from([0.0, -0.0, 7.0, -3.0, 0.5, 1e-4, 9.999e-5, 1e-7, 1e16, 1e21])
_tricky_floats |= st.sampled_from([9999999999999998.0, 2.5e-5, 123.456, -0.0001])
_tricky_floats |= st.sampled_from([4503599627370495.5, float("nan"), float("inf"), float("-inf")])
_tricky_ints = st.sampled_from([0, -1, 2**53 - 1, -(2**53) + 1, 2**53, -(2**53), 2**64, 10**30])
_tricky_text = st.sampled_from(
    ["", "0", "7", "01", "4294967294", "4294967295", "-1", "a\ud800", "\udc00", "\ud83d\ude00"]
) | st.sampled_from(
    ["\u2028\u2029", '"\\\n\t\x00\x1f\x7f', "\ufeff", "caf\u00e9", "1e5", "2E", "x.0"]
)
_texts = st.text() | _tricky_text
_keys = _texts | st.integers(-5, 5) | st.sampled_from([1.0, -1.0, 1.5, True, False, None])
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | _tricky_ints
    | st.floats()
    | _tricky_floats
    | _texts
    | st.just(OMIT)
)
documents = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(_keys, children, max_size=5)
    ),
    max_leaves=25,
)


def _outcome(fn: Callable[[], str]) -> tuple[str, str]:
    try:
        return ("text", fn())
    except (TypeError, ValueError) as exc:
        return (type(exc).__name__, str(exc))


@settings(max_examples=700)
@given(value=documents, allow_nan=st.booleans())
@example(value={"b": 1, "a": [1.5, "x"], "c": {"d": None}}, allow_nan=False)
@example(value={"1": "one", "a": 2, "0": "zero"}, allow_nan=True)
@example(value={"k": OMIT, "n": 7.0}, allow_nan=True)
def test_the_fast_path_writes_what_the_general_path_writes(value: Any, allow_nan: bool) -> None:
    if value is OMIT:
        return  # rejected before either path runs
    fast = _outcome(lambda: stringify(value, allow_nan=allow_nan))
    assert fast == _outcome(lambda: js._stringify_general(value, allow_nan))


def test_plain_documents_take_the_fast_path_and_others_do_not() -> None:
    plain = {"jobID": "2E4F", "keyFrames": [{"strength": 0.5, "seed": 1, "on": True}], "x": None}
    assert js._c_exact(plain, 0)
    assert stringify(plain) == json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    for other in (
        {"n": 7.0},  # JavaScript writes 7
        {"n": 1e-7},  # 1e-7, Python 1e-07
        {"n": 2**53},  # the double JavaScript would hold
        {"0": "index keys come first"},
        {"k": OMIT},
        {"s": "lone \ud800"},
        [float("nan")],
    ):
        assert not js._c_exact(other, 0), other


def test_deep_and_circular_documents_are_left_to_the_general_path() -> None:
    deep: Any = "leaf"
    for _ in range(200):
        deep = [deep]
    assert not js._c_exact(deep, 0)
    assert stringify(deep) == "[" * 200 + '"leaf"' + "]" * 200
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        stringify(loop)
