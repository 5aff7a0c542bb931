"""JavaScript's rules for strings and numbers, for the places where the wire depends on them.

The service and the official clients are JavaScript, so wherever a request depends on a
JavaScript rule the SDK applies that rule, never its nearest Python cousin:

* :func:`trim` is ``String.prototype.trim``: its whitespace is ECMAScript's (it removes U+FEFF,
  which ``str.strip`` keeps, and keeps U+001C-U+001F and U+0085, which ``str.strip`` removes);
* :func:`utf16_length` and :func:`utf16_slice` count UTF-16 code units, as ``length`` and
  ``slice`` do (an astral character such as an emoji is two);
* :func:`js_round` is ``Math.round`` (halves go towards +infinity, ``-2.5`` becomes ``-2``),
  not Python's ``round`` (halves to even);
* :func:`number_to_string` is ``String(number)`` (``7.0`` is ``"7"``, ``1e-7`` is ``"1e-7"``,
  ``0.00001`` is ``"0.00001"``, ``1e21`` is ``"1e+21"``) and :func:`stringify` is
  ``JSON.stringify``: numbers as ``String`` writes them (``-0`` as ``0``), lone surrogates
  escaped, array-index keys first, and keys whose value is :data:`OMIT` (``undefined``) left out;
* :func:`encode_uri_component` is ``encodeURIComponent`` and :func:`is_https_url` asks what
  ``new URL(value).protocol === "https:"`` does.

Python strings are read as the UTF-16 sequence JavaScript would hold: a surrogate pair given as
two code points is the astral character it encodes. Standard library only: the frame codec,
which the FakeSupernet shares, uses it.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "OMIT",
    "UNDEFINED",
    "Omit",
    "encode_uri_component",
    "is_https_url",
    "is_whitespace",
    "js_round",
    "json_number",
    "number_to_string",
    "omit_none",
    "stringify",
    "trim",
    "trim_end",
    "trim_start",
    "utf16_length",
    "utf16_slice",
]


class Omit(enum.Enum):
    """JavaScript's ``undefined`` in an outbound document: the key is left out of the JSON
    (``None`` is ``null`` and is sent)."""

    OMIT = "OMIT"

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Final = Omit.OMIT
UNDEFINED: Final = OMIT
"""Another name for :data:`OMIT`."""

# ---------------------------------------------------------------------------- strings

# ECMAScript's WhiteSpace (TAB, VT, FF, ZWNBSP and the Space_Separator category) and
# LineTerminator (LF, CR, LS, PS). The Zs set has been stable since Unicode 6.3.
_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def is_whitespace(char: str) -> bool:
    """Whether ``char`` (one character) is whitespace to ``String.prototype.trim``."""
    return len(char) == 1 and char in _WHITESPACE


def trim(text: str) -> str:
    """``text.trim()``."""
    return text.strip(_WHITESPACE)


def trim_start(text: str) -> str:
    """``text.trimStart()``."""
    return text.lstrip(_WHITESPACE)


def trim_end(text: str) -> str:
    """``text.trimEnd()``."""
    return text.rstrip(_WHITESPACE)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def utf16_length(text: str) -> int:
    """``text.length``: UTF-16 code units, so an astral character counts 2."""
    if text.isascii():
        return len(text)
    return len(_utf16(text)) // 2


def _relative(index: int, length: int) -> int:
    return max(length + index, 0) if index < 0 else min(index, length)


def utf16_slice(text: str, start: int = 0, end: int | None = None) -> str:
    """``text.slice(start, end)`` in UTF-16 code units (negative indices count from the end).

    A cut through a surrogate pair leaves a lone surrogate, as it does in JavaScript.
    """
    units = _utf16(text)
    length = len(units) // 2
    begin = _relative(start, length)
    stop = length if end is None else _relative(end, length)
    if stop <= begin:
        return ""
    return units[2 * begin : 2 * stop].decode("utf-16-le", "surrogatepass")


def _well_formed(text: str) -> str:
    """``text`` with each surrogate pair given as two code points joined into one character."""
    if _SURROGATE.search(text) is None:
        return text
    return _utf16(text).decode("utf-16-le", "surrogatepass")


# ---------------------------------------------------------------------------- numbers

_SAFE_INTEGER: Final = 2**53


def js_round(value: float) -> int:
    """``Math.round(value)``: the nearest integer, halves towards +infinity (``-2.5`` -> -2).

    ``-0`` is returned as 0 (JSON and ``String`` write it so). Raises ``ValueError`` for NaN and
    the infinities, which ``Math.round`` returns unchanged.
    """
    if not math.isfinite(value):
        raise ValueError(f"Math.round of {value!r} is not an integer")
    whole = math.floor(value)
    # value - floor(value) is exact for a double, unlike value + 0.5 (0.49999999999999994).
    return int(whole) + (1 if value - whole >= 0.5 else 0)


def _shortest_digits(value: float) -> tuple[str, int]:
    """``(digits, n)`` with ``value == 0.digits * 10**n``, ``digits`` the shortest that reads
    back as ``value`` (Python's ``repr`` and JavaScript pick the same ones). ``value > 0``."""
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    significant = digits.lstrip("0")
    point -= len(digits) - len(significant)
    return significant.rstrip("0"), point


def number_to_string(value: float) -> str:
    """``String(value)`` (ECMAScript Number::toString): whole numbers without a fraction,
    plain notation from 1e-6 up to below 1e21, exponents written ``1e-7`` and ``1e+21``.

    Python ints are numbers: one of 2**53 or more is the double JavaScript would hold.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return str(value)
        value = float(value)
    # Fast paths: a whole number below 2**53 has its digits; a fraction Python writes without
    # an exponent (1e-4 up to 1e16) is written the same way by both languages.
    if value.is_integer():
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return str(int(value))
    else:
        text = repr(value)
        if "e" not in text and "n" not in text:  # not nan or an exponent
            return text
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"  # and -0
    if value < 0:
        return "-" + number_to_string(-value)
    digits, n = _shortest_digits(value)
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    exponent = n - 1
    sign = "+" if exponent >= 0 else "-"
    head = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{head}e{sign}{abs(exponent)}"


def json_number(value: float) -> str:
    """A number as ``JSON.stringify`` writes it: :func:`number_to_string`, and ``null`` for
    NaN and the infinities."""
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return number_to_string(value)


# ---------------------------------------------------------------------------- JSON


def omit_none(value: Any) -> Any:
    """``value``, or :data:`OMIT` for None: a parameter that was not given is ``undefined``,
    and a key whose value is ``undefined`` is not sent."""
    return OMIT if value is None else value


def _quote(text: str) -> str:
    # The C encoder escapes '"', '\\' and the C0 controls exactly as JSON.stringify does
    # (short forms for \b \t \n \f \r, else lowercase \u00xx); lone surrogates remain.
    out: str = json.encoder.encode_basestring(_well_formed(text))
    if _SURROGATE.search(out) is None:
        return out
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _is_array_index(key: str) -> bool:
    if key == "0":
        return True
    return (
        key.isascii()
        and key.isdigit()
        and key[0] != "0"
        and len(key) <= 10
        and int(key) < 2**32 - 1
    )


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return number_to_string(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def stringify(value: Any, *, allow_nan: bool = True) -> str:
    """``JSON.stringify(value)`` for JSON-ready Python values (dict, list, tuple, str, int,
    float, bool, None).

    Keys whose value is :data:`OMIT` are left out and :data:`OMIT` in a list is ``null``, as
    ``undefined`` is; object keys that are array indices ("0", "7") come first in ascending
    order, then the others in insertion order, as in a JavaScript object. ``allow_nan=False``
    raises ``ValueError`` for NaN and the infinities instead of writing ``null``.
    """
    if value is OMIT:
        raise TypeError("JSON.stringify(undefined) is not JSON text")
    if _c_exact(value, 0):
        # Most documents (every job request) hold nothing the two languages write differently:
        # the C encoder then writes the same text several times faster.
        return _C_ENCODER.encode(value)
    return _stringify_general(value, allow_nan)


def _stringify_general(value: Any, allow_nan: bool) -> str:
    """:func:`stringify` without the fast path (each JavaScript rule applied in Python)."""
    parts: list[str] = []
    _write(value, parts, allow_nan, set())
    return "".join(parts)


# The standard library's C encoder (compact, non-ASCII kept, as JSON.stringify writes) is exact
# for what ``_c_exact`` admits. Only exact built-in types are admitted (a subclass may write
# itself differently), nesting is bounded (so a cycle is left to the general path), and:
# strings without lone surrogates; integers below 2**53; floats with a fraction between 1e-4 and
# 1e16, which Python's repr and JavaScript write with the same digits and no exponent; dict keys
# that are strings not starting with a digit (JavaScript orders array-index keys first); no OMIT.
_C_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_C_EXACT_DEPTH: Final = 64
_DIGITS: Final = frozenset("0123456789")


def _c_exact(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind is dict:
        if depth >= _C_EXACT_DEPTH:
            return False
        for key, item in value.items():
            if type(key) is not str or key[:1] in _DIGITS:
                return False
            if not key.isascii() and _SURROGATE.search(key) is not None:
                return False
            # The usual leaves are checked here: a call per leaf would double the cost.
            kind = type(item)
            if kind is str:
                if not item.isascii() and _SURROGATE.search(item) is not None:
                    return False
            elif kind is bool or item is None:
                continue
            elif not _c_exact(item, depth + 1):
                return False
        return True
    if kind is str:
        return value.isascii() or _SURROGATE.search(value) is None
    if kind is list or kind is tuple:
        if depth >= _C_EXACT_DEPTH:
            return False
        for item in value:  # noqa: SIM110 (a generator costs more than most lists hold)
            if not _c_exact(item, depth + 1):
                return False
        return True
    if kind is int:
        return bool(-_SAFE_INTEGER < value < _SAFE_INTEGER)
    if kind is float:
        # Also rules out NaN and the infinities (the general path writes null or raises).
        return bool(1e-4 <= abs(value) < 1e16) and not value.is_integer()
    return value is None or kind is bool


def _write(value: Any, out: list[str], allow_nan: bool, seen: set[int]) -> None:
    if isinstance(value, str):
        out.append(_quote(value))
    elif value is None or value is OMIT:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            if not allow_nan:
                raise ValueError(f"{value!r} is not a JSON number")
            out.append("null")
        else:
            out.append(number_to_string(value))
    elif isinstance(value, Mapping):
        _container(value, seen)
        items = [(_key(k), v) for k, v in value.items() if v is not OMIT]
        if any(k[:1].isdigit() and _is_array_index(k) for k, _ in items):
            indexed = sorted((int(k), k, v) for k, v in items if _is_array_index(k))
            items = [(k, v) for _, k, v in indexed] + [
                (k, v) for k, v in items if not _is_array_index(k)
            ]
        out.append("{")
        for i, (k, v) in enumerate(items):
            if i:
                out.append(",")
            out.append(_quote(k))
            out.append(":")
            _write(v, out, allow_nan, seen)
        out.append("}")
        seen.discard(id(value))
    elif isinstance(value, (list, tuple)):
        _container(value, seen)
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, allow_nan, seen)
        out.append("]")
        seen.discard(id(value))
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _container(value: Any, seen: set[int]) -> None:
    if id(value) in seen:
        raise ValueError("Circular reference detected")
    seen.add(id(value))


# ---------------------------------------------------------------------------- URLs


def encode_uri_component(text: str) -> str:
    """``encodeURIComponent(text)``: UTF-8 percent-encoding of all but ``A-Z a-z 0-9 -_.!~*'()``.

    Raises ``ValueError`` for a lone surrogate (JavaScript's ``URIError``).
    """
    text = _well_formed(text)
    if _SURROGATE.search(text) is not None:
        raise ValueError("URI malformed: a lone surrogate cannot be encoded")
    return quote(text, safe="-_.!~*'()")


# What the URL parser strips around a URL (C0 controls and space) and removes inside it.
_URL_EDGE: Final = "".join(chr(c) for c in range(0x21))
_URL_TAB_OR_NEWLINE: Final = re.compile("[\t\n\r]")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Code points a domain may not contain (after percent-decoding), and those a host may not.
_FORBIDDEN_HOST: Final = re.compile("[\x00-\x20#%/:<>?@\\[\\\\\\]^|\x7f]")


def is_https_url(value: str) -> bool:
    """Whether ``new URL(value)`` parses and its ``protocol`` is ``https:``.

    The URL standard's outer rules are followed exactly: C0 controls and spaces around the
    value are ignored (U+00A0 or U+FEFF are not), tabs and newlines anywhere are dropped, the
    scheme is case-insensitive and slashes after it may be missing or backslashes. The host is
    percent-decoded, converted with Python's IDNA 2003 codec when not ASCII (the standard uses
    UTS 46, which differs for a few characters such as U+00DF) and checked for the forbidden
    code points; the port must be a number up to 65535. IPv4 spellings are not parsed.
    """
    text = _URL_TAB_OR_NEWLINE.sub("", value.strip(_URL_EDGE))
    scheme = _SCHEME.match(text)
    if scheme is None or scheme.group().lower() != "https:":
        return False
    rest = text[scheme.end() :].lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):  # an IPv6 literal
        end = host_port.find("]")
        if end < 2 or not re.fullmatch(r"[0-9A-Fa-f:.]+", host_port[1:end]):
            return False
        host, port = host_port[: end + 1], host_port[end + 1 :]
        if port and not port.startswith(":"):
            return False
        port = port[1:]
    else:
        host, _, port = host_port.partition(":")
    if not host.startswith("["):
        host = _domain(host)
        if not host or _FORBIDDEN_HOST.search(host):
            return False
    return not port or (port.isascii() and port.isdigit() and int(port) <= 65535)


def _domain(host: str) -> str:
    """The host as the URL parser's domain-to-ASCII step sees it ("" when it fails)."""
    try:
        host = unquote_to_bytes(host).decode("utf-8")
        return host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
