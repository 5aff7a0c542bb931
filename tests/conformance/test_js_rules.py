"""The JavaScript helpers of :mod:`sogni._wire.js` against Node.js itself.

Each helper gets a table of at least 200 inputs, generated here from a fixed seed; one Node
process (``js_tables.cjs``, run with the conformance environment's ``node``) computes
JavaScript's answers, and ours must be identical for every input.
"""

from __future__ import annotations

import json
import math
import random
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sogni._wire import js

from .oracles import Oracles

SCRIPT = Path(__file__).resolve().parent / "js_tables.cjs"
MIN_ROWS = 200

# Characters where JavaScript and Python part ways (whitespace, controls, surrogates, astral).
_SPECIAL = (
    "\t\n\v\f\r \u00a0\u1680\u180e\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
    '\x1c\x1d\x1e\x1f\x85\x00\x7f"\\/aZ9\u00e9\u4e2d\u0301'
)
_ASTRAL = ("\U0001f98a", "\U0001f600", "\U0001d11e", "\U00020000", "\U0010ffff")
_LONE = ("\ud800", "\udbff", "\udc00", "\udfff")


def _random_text(rng: random.Random, size: int) -> str:
    pool = [*_SPECIAL, *_ASTRAL, *_LONE, "\ud83d\ude00"]  # the last: a pair as two code points
    out = []
    for _ in range(rng.randrange(size + 1)):
        roll = rng.random()
        if roll < 0.6:
            out.append(rng.choice(pool))
        elif roll < 0.8:
            out.append(chr(rng.randrange(0x20, 0x7F)))
        else:
            out.append(chr(rng.randrange(0x80, 0xD800)))
    return "".join(out)


def _random_double(rng: random.Random) -> float:
    while True:
        value: float = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            return value


def _numbers(rng: random.Random) -> list[float]:
    values: list[float] = [0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, 0.1 + 0.2]
    values += [float(2**53), float(2**53 + 2), float(2**60), 2.0**-1074 * 3, 123456789012.5]
    for k in range(-12, 26):
        for base in (1.0, 1.5, 9.99):
            edge = base * 10.0**k
            values += [edge, math.nextafter(edge, 0), math.nextafter(edge, math.inf), -edge]
    values += [_random_double(rng) for _ in range(600)]
    values += [rng.uniform(-1e6, 1e6) for _ in range(200)]
    values += [rng.randrange(-(10**6), 10**6) / 8 for _ in range(200)]
    return values


def _wire_number(value: float) -> Any:
    return value if math.isfinite(value) else {"$number": repr(value).replace("inf", "Infinity")}


def _round_inputs(rng: random.Random) -> list[float]:
    halves = [n + 0.5 for n in range(-60, 60)]
    edges = [0.49999999999999994, -0.49999999999999994, 0.5, -0.5, -1.5, -2.5, 2.5, 1.5]
    edges += [2.0**52 + 0.5, -(2.0**52) - 0.5, 2.0**52 - 0.5, 4503599627370495.5, 1e300, -1e300]
    edges += [5e-324, -5e-324, -0.0, 0.0]
    return halves + edges + [v for v in _numbers(rng) if math.isfinite(v)]


_INDEX_KEYS = ("0", "1", "10", "01", "-1", "1.5", "4294967294", "4294967295", "a", "", "b", "Z")


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return {
            rng.choice([*_INDEX_KEYS, _random_text(rng, 3)]): _random_value(rng, depth + 1)
            for _ in range(rng.randrange(5))
        }
    if depth < 3 and roll < 0.35:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if roll < 0.5:
        return _random_text(rng, 6)
    if roll < 0.75:
        return rng.choice([*_numbers(rng)[:160], _random_double(rng)])
    if roll < 0.8:
        return rng.randrange(-(2**60), 2**60)
    return rng.choice([True, False, None, js.OMIT])


def _undefined_and_null(rng: random.Random) -> Any:
    """A document where members are undefined (left out; null in an array) or null (kept)."""
    leaf = [js.OMIT, None, js.OMIT, 0, "", False, 1e-7]
    members = {rng.choice(_INDEX_KEYS): rng.choice(leaf) for _ in range(rng.randrange(1, 6))}
    return {**members, "list": [rng.choice(leaf) for _ in range(rng.randrange(4))]}


def _to_wire(value: Any) -> Any:
    """``value`` for the JSON that carries it to Node (undefined and NaN as markers)."""
    if value is js.OMIT:
        return {"$undefined": 1}
    if isinstance(value, float):
        return _wire_number(value)
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


def _url_inputs(rng: random.Random) -> list[str]:
    cores = [
        "https://example.com/a.png",
        "HTTPS://EXAMPLE.COM:8443/b?c=d#e",
        "https:example.com",
        "https:\\\\example.com\\x",
        "https://user:pw@example.com/",
        "https://[::1]:443/",
        "https://exa mple.com/",
        "https://exa%mple.com/",
        "https://example.com:99999/",
        "https://example.com:12a/",
        "https://",
        "http://example.com/",
        "ftp://example.com/",
        "example.com",
        "https://ex<ample.com/",
        "https://example.com:/",
        "ht\ttps://example.com/",
        "https://exa\nmple.com/",
        "https://b\u00fccher.de/",
        "https://exa%41mple.com/",
        "https://xn--bcher-kva.de/",
    ]
    pads = [
        "",
        " ",
        "\t",
        "\n",
        "\x00",
        "\x1c",
        "\x1f",
        "\x7f",
        "\x85",
        "\u00a0",
        "\ufeff",
        "\u2028",
    ]
    inputs = [c for c in cores]
    while len(inputs) < 400:
        inputs.append(rng.choice(pads) + rng.choice(cores) + rng.choice(pads))
    return inputs


def _tables() -> dict[str, list[Any]]:
    rng = random.Random(21)
    bmp = [chr(c) for c in range(0x10000)]
    padded = [c + "a" + c for c in bmp] + [_random_text(rng, 8) for _ in range(500)]
    texts = [_random_text(rng, 12) for _ in range(600)]
    slices = []
    for text in texts[:400]:
        length = js.utf16_length(text)
        start = rng.randrange(-length - 3, length + 4)
        end = rng.choice([None, rng.randrange(-length - 3, length + 4)])
        slices.append([text, start, end])
    numbers = [*_numbers(rng), math.nan, math.inf, -math.inf]
    return {
        "trim": padded,
        "trimStart": padded[::7],
        "trimEnd": padded[::7],
        "length": texts,
        "slice": slices,
        "round": _round_inputs(rng),
        "toString": numbers,
        "jsonNumber": numbers,
        # JSON.stringify(undefined) is no text at all: undefined only inside a document.
        "stringify": [v for v in (_random_value(rng) for _ in range(700)) if v is not js.OMIT],
        "stringifyUndefined": [_undefined_and_null(rng) for _ in range(300)],
        "encodeURIComponent": texts,
        "isHttpsUrl": _url_inputs(rng),
    }


TABLES = _tables()


@pytest.fixture(scope="module")
def node_answers(oracles: Oracles) -> dict[str, list[Any]]:
    wire = {name: [_to_wire(v) for v in values] for name, values in TABLES.items()}
    done = subprocess.run(
        [str(oracles.node), str(SCRIPT)],
        input=json.dumps(wire),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers: dict[str, list[Any]] = json.loads(done.stdout)
    return answers


def _rows(name: str, answers: dict[str, list[Any]]) -> Iterator[tuple[Any, Any]]:
    inputs, expected = TABLES[name], answers[name]
    assert len(inputs) == len(expected) >= MIN_ROWS
    return zip(inputs, expected)


def _same(got: Any, wanted: Any) -> bool:
    if isinstance(got, str) and isinstance(wanted, str):
        # As UTF-16, which is what a JavaScript string is: JSON hands a surrogate pair back to
        # Python as one character, while ours may keep it as the two code points it was given.
        return got.encode("utf-16-le", "surrogatepass") == wanted.encode(
            "utf-16-le", "surrogatepass"
        )
    return bool(got == wanted) and type(got) is type(wanted)


def _mismatches(name: str, answers: dict[str, list[Any]], ours: Any) -> list[str]:
    out = []
    for value, wanted in _rows(name, answers):
        got = ours(value)
        if not _same(got, wanted):
            out.append(f"{name}({value!r}): JavaScript {wanted!r}, ours {got!r}")
    return out[:20]


def test_trim_is_javascripts(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("trim", node_answers, js.trim) == []
    assert _mismatches("trimStart", node_answers, js.trim_start) == []
    assert _mismatches("trimEnd", node_answers, js.trim_end) == []
    # The two sets the issue names, both ways round.
    assert js.trim("\ufeffx\ufeff") == "x" and "\ufeffx".strip() != "x"
    assert js.trim("\x1cx\x85") == "\x1cx\x85" and "\x1cx\x85".strip() == "x"


def test_utf16_length(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("length", node_answers, js.utf16_length) == []


def test_utf16_slice(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("slice", node_answers, lambda row: js.utf16_slice(*row)) == []


def test_math_round(node_answers: dict[str, list[Any]]) -> None:
    def ours(value: float) -> str:
        # String() of the result: -0 prints as 0, large values as JavaScript prints them.
        return js.number_to_string(js.js_round(value))

    assert _mismatches("round", node_answers, ours) == []
    with pytest.raises(ValueError, match="not an integer"):
        js.js_round(math.nan)


def test_number_to_string(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("toString", node_answers, js.number_to_string) == []


def test_json_number(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("jsonNumber", node_answers, js.json_number) == []


def test_stringify(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("stringify", node_answers, js.stringify) == []


def test_undefined_is_dropped_and_null_kept(node_answers: dict[str, list[Any]]) -> None:
    assert _mismatches("stringifyUndefined", node_answers, js.stringify) == []
    assert (
        js.stringify({"a": js.omit_none(None), "b": None, "c": [js.OMIT]})
        == '{"b":null,"c":[null]}'
    )


def test_encode_uri_component(node_answers: dict[str, list[Any]]) -> None:
    def ours(text: str) -> Any:
        try:
            return js.encode_uri_component(text)
        except ValueError:
            return {"error": "URIError"}

    assert _mismatches("encodeURIComponent", node_answers, ours) == []


def test_is_https_url(node_answers: dict[str, list[Any]]) -> None:
    def ours(text: str) -> Any:
        return js.is_https_url(text) or {"error": "TypeError"}

    def javascript(answer: Any) -> Any:
        return answer if answer is True else {"error": "TypeError"}

    answers = {**node_answers, "isHttpsUrl": [javascript(a) for a in node_answers["isHttpsUrl"]]}
    assert _mismatches("isHttpsUrl", answers, ours) == []
