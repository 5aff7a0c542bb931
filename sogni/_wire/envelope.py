"""The WebSocket frame envelope: ``{"type": <name>, "data": <base64 of UTF-8 JSON>}``.

Only the standard library is used here, so the FakeSupernet can share this codec. Payloads are
written as JavaScript's ``JSON.stringify`` writes them (:func:`sogni._wire.js.stringify`): the
service and the official clients are JavaScript, so a number or a string must have the same
bytes on the wire whichever SDK sent it.
"""

from __future__ import annotations

import base64
import binascii
import json
import json.scanner
import re
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

from .js import stringify

__all__ = ["Frame", "FrameError", "decode_frame", "encode_frame", "encode_payload", "parse_json"]

# Top-level ids the official clients upper-case on receipt (nested ids are left alone).
_UPPERCASED_IDS = ("jobID", "imgID")
# Real payloads nest a dozen levels. The limit is checked before parsing: the C parser recurses
# per level, and with a raised recursion limit (the wallet extra's py_ecc sets 100,000) a
# hostile frame of nested brackets would overflow the thread's stack and crash the process.
_MAX_DEPTH = 500
# A string (unrolled, and its closing quote optional, so that an unterminated one cannot make
# the scan quadratic) or a bracket.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]')


if sys.version_info >= (3, 11):

    def _b64decode(data: str) -> bytes:
        # One C call; b64decode(validate=True) first runs a regular expression over the text.
        return binascii.a2b_base64(data, strict_mode=True)

else:

    def _b64decode(data: str) -> bytes:
        return base64.b64decode(data, validate=True)


_ascii_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
_decoder = json.JSONDecoder()
_json_decode = _decoder.decode
# The scanner that ``decode`` runs (the C one when there is one), called directly: ``decode``
# adds two regular-expression calls for surrounding whitespace, which frames never have.
# (typeshed types make_scanner's argument as a scanner; it is the decoder whose settings it reads)
_scan_once: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(_decoder)  # type: ignore[arg-type]


def _loads(text: str) -> Any:
    """:func:`parse_json` for text, with its checks in the order that costs least per frame."""
    if text.count("[") + text.count("{") > _MAX_DEPTH:
        return parse_json(text)  # the depth check, then the parse
    try:
        value, end = _scan_once(text, 0)
        if end == len(text):
            return value
    except StopIteration:
        pass  # leading whitespace, or not JSON: decode() answers as json.loads does
    except RecursionError as exc:  # pragma: no cover - the count above rules it out
        raise ValueError("JSON nests too deeply") from exc
    try:
        return _json_decode(text)
    except RecursionError as exc:  # pragma: no cover - the count above rules it out
        raise ValueError("JSON nests too deeply") from exc


def _parse_payload(raw: bytes) -> Any:
    """The payload's JSON. It is UTF-8 (decoded directly); anything else takes the general
    path of :func:`parse_json` (a BOM, UTF-16/32), so both accept the same payloads."""
    try:
        return _loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        return parse_json(raw)


class FrameError(ValueError):
    """A frame that is not a valid envelope. ``type`` is set when it could be read."""

    def __init__(self, message: str, frame_type: str | None = None) -> None:
        super().__init__(message)
        self.frame_type = frame_type


class Frame(NamedTuple):
    type: str
    payload: Any


def encode_payload(payload: Any) -> str:
    """Standard, padded base64 of the UTF-8 ``JSON.stringify`` text of ``payload``.

    Numbers are written as JavaScript writes them (``7.0`` as ``7``, ``1e-05`` as ``0.00001``),
    lone surrogates escaped, keys set to ``OMIT`` left out. NaN and the infinities raise
    ``ValueError`` (``JSON.stringify`` would silently send ``null``).
    """
    text = stringify(payload, allow_nan=False)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def encode_frame(frame_type: str, payload: Any) -> str:
    """The text of one frame: exactly the keys ``type`` then ``data``, compact JSON."""
    # What json.dumps writes for this two-key object, without building an encoder per frame:
    # the type as an ASCII JSON string, and base64, which never needs escaping.
    return f'{{"type":{_ascii_string(frame_type)},"data":"{encode_payload(payload)}"}}'


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` for text from the network. Raises ``ValueError`` (never
    ``RecursionError``) when it is not JSON or nests deeper than ``_MAX_DEPTH`` levels."""
    if isinstance(text, (bytes, bytearray)):
        # As json.loads does for bytes (a BOM, UTF-16/32); UnicodeDecodeError is a ValueError.
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
    if text.count("[") + text.count("{") > _MAX_DEPTH:  # else it cannot nest too deep
        depth = 0
        for match in _JSON_TOKENS.finditer(text):
            token = match.group()
            if token in "[{":
                depth += 1
                if depth > _MAX_DEPTH:
                    raise ValueError(f"JSON nests deeper than {_MAX_DEPTH} levels")
            elif token in "]}":
                depth -= 1
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nests too deeply") from exc


def decode_frame(raw: str | bytes, *, max_bytes: int | None = None) -> Frame:
    """Parse one frame. Raises :class:`FrameError` for anything malformed."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise FrameError(f"frame of {len(raw)} bytes exceeds the {max_bytes}-byte limit")
    if isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameError("frame is not UTF-8") from exc
    try:
        envelope = _loads(raw)
    except ValueError as exc:
        raise FrameError(f"frame is not JSON ({exc})") from exc
    if not isinstance(envelope, dict):
        raise FrameError("frame is not a JSON object")
    frame_type = envelope.get("type")
    if not isinstance(frame_type, str) or not frame_type:
        raise FrameError("frame has no string 'type'")
    data = envelope.get("data")
    payload: Any = None
    if data:
        if not isinstance(data, str):
            raise FrameError("frame 'data' is not a string", frame_type)
        try:
            payload = _parse_payload(_b64decode(data))
        except (binascii.Error, ValueError) as exc:
            message = f"frame 'data' is not base64 of UTF-8 JSON ({exc})"
            raise FrameError(message, frame_type) from exc
    if isinstance(payload, dict):
        for key in _UPPERCASED_IDS:
            value = payload.get(key)
            if value:
                payload[key] = str(value).upper()
    return Frame(frame_type, payload)
