"""Strict, type-aware comparison of two JSON documents, and the allow-list normaliser.

Bodies are parsed from the frame text the fake received (``Received.raw``), not from the fake's
decoded payload, with ``parse_float=NumberText``: an integer stays ``int``, every number written
with a fraction or an exponent stays a :class:`NumberText` (a ``Decimal``) that keeps its text
exactly as written. So ``1`` and ``1.0`` differ, so do ``1e-7`` and ``1e-07`` and ``0.00001``
and ``1e-5``, ``true`` is not ``1``, ``null`` is not an absent key, and key sets must match exactly at
every level. Object key order is not compared (JSON objects are unordered).

Only the values at :data:`BODY_NORMALISATIONS` / :data:`UPLOAD_NORMALISATIONS` paths are
replaced before comparing, and only when they have the expected shape (a value of the wrong shape
is kept, so it still shows up as a difference).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "ABSENT",
    "BODY_NORMALISATIONS",
    "UPLOAD_NORMALISATIONS",
    "Difference",
    "Normalisation",
    "NumberText",
    "compare_json",
    "format_path",
    "normalise",
    "parse_body_text",
    "parse_frame_body",
    "uploads_document",
]

Path = tuple[str | int, ...]


class _Absent:
    """The other side has no such key (or list item)."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Final = _Absent()
_UPPER_UUID4 = re.compile(
    r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", re.ASCII
)


class NumberText(Decimal):
    """A JSON number written with a fraction or an exponent, as its exact text: ``str()`` gives
    the text back (``Decimal`` would write ``1e-07`` and ``1e-7`` alike as ``1E-7``)."""

    text: str

    def __new__(cls, text: str) -> NumberText:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"NumberText({self.text!r})"


def parse_body_text(text: str) -> Any:
    """A JSON document parsed with its number texts kept."""
    return json.loads(text, parse_float=NumberText)


def parse_frame_body(raw_frame: str) -> Any:
    """The ``data`` of a frame's text, decoded and parsed with its number texts kept."""
    envelope = json.loads(raw_frame)
    return parse_body_text(base64.b64decode(envelope["data"], validate=True).decode("utf-8"))


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "<root>"


def render(value: Any) -> str:
    """A value as its JSON text, numbers exactly as they were written (cut at 200 chars)."""
    text = "<absent>" if value is ABSENT else _json_text(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _json_text(value: Any) -> str:
    if isinstance(value, dict):
        items = (f"{json.dumps(k)}:{_json_text(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Difference:
    path: Path
    ts: Any
    ours: Any

    def describe(self, case: str) -> str:
        return (
            f"{case}: {format_path(self.path)}: TypeScript SDK sent {render(self.ts)}, "
            f"ours sent {render(self.ours)}"
        )


def _same_leaf(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return str(a) == str(b)  # the number's text: 0.5 and 0.50, 1e-7 and 1e-07 differ
    return bool(a == b)


def compare_json(ts: Any, ours: Any, path: Path = ()) -> list[Difference]:
    """Every difference between two parsed documents, deepest first in document order."""
    return list(_diff(ts, ours, path))


def _diff(ts: Any, ours: Any, path: Path) -> Iterator[Difference]:
    if isinstance(ts, dict) and isinstance(ours, dict):
        for key in ts:
            yield from _diff(ts[key], ours.get(key, ABSENT), (*path, key))
        for key in ours:
            if key not in ts:
                yield Difference((*path, key), ABSENT, ours[key])
    elif isinstance(ts, list) and isinstance(ours, list):
        for index in range(max(len(ts), len(ours))):
            left = ts[index] if index < len(ts) else ABSENT
            right = ours[index] if index < len(ours) else ABSENT
            yield from _diff(left, right, (*path, index))
    elif not _same_leaf(ts, ours):
        yield Difference(path, ts, ours)


# ---------------------------------------------------------------------------- normalising


@dataclass(frozen=True)
class Normalisation:
    """Replace the value at ``path`` (``*`` matches any one key or index) with ``placeholder``
    when it has the expected shape: ``"project-id"`` (equal to the project id that SDK reported)
    or ``"uuid"`` (an upper-case UUID v4)."""

    path: tuple[str, ...]
    shape: str
    placeholder: str

    def matches(self, path: Path) -> bool:
        return len(path) == len(self.path) and all(
            want == "*" or want == str(got) for want, got in zip(self.path, path)
        )

    def accepts(self, value: Any, project_id: str) -> bool:
        if not isinstance(value, str):
            return False
        if self.shape == "project-id":
            return value == project_id
        return _UPPER_UUID4.fullmatch(value) is not None


BODY_NORMALISATIONS: Final = (
    # The project id: a fresh upper-case UUID per project, minted by each SDK.
    Normalisation(("jobID",), "project-id", "<project-id>"),
    # Attribution without an operation id falls back to the project id (and a top-level
    # operation is its own root).
    Normalisation(("operationId",), "project-id", "<project-id>"),
    Normalisation(("rootOperationId",), "project-id", "<project-id>"),
)
UPLOAD_NORMALISATIONS: Final = (
    # Uploads are addressed by (jobId, type, id); imageId is a fresh random id per upload.
    Normalisation(("uploads", "*", "job_id"), "project-id", "<project-id>"),
    Normalisation(("uploads", "*", "image_id"), "uuid", "<image-id>"),
)


def normalise(document: Any, project_id: str, rules: Sequence[Normalisation]) -> Any:
    """A copy of ``document`` with only the allow-listed values replaced."""
    return _normalise(document, (), project_id, rules)


def _normalise(value: Any, path: Path, project_id: str, rules: Sequence[Normalisation]) -> Any:
    for rule in rules:
        if rule.matches(path) and rule.accepts(value, project_id):
            return rule.placeholder
    if isinstance(value, dict):
        return {k: _normalise(v, (*path, k), project_id, rules) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, (*path, i), project_id, rules) for i, v in enumerate(value)]
    return value


def uploads_document(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The fake's upload records as one document keyed by ``type`` (``type#id`` when the upload
    has an id), so that uploads compare as a set and a difference names its slot; a repeated
    slot gets a ``~2`` suffix."""
    keyed: dict[str, Any] = {}
    for row in rows:
        key = str(row["type"]) if row.get("id") is None else f"{row['type']}#{row['id']}"
        repeat, slot = 1, key
        while slot in keyed:  # a second upload to one slot is a difference of its own
            repeat += 1
            slot = f"{key}~{repeat}"
        keyed[slot] = dict(row)
    return {"uploads": keyed}
