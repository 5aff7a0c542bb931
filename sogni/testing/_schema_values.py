"""Sample JSON values for a JSON Schema: the fake LLM's structured output and tool arguments.

The value is a pure function of the schema (rule 7 of ``_llm``): ``const``, else the first
``enum`` value (the i-th for the i-th array item); objects get every property; arrays get
``minItems`` items, else 2 (within ``maxItems``); strings are ``"sample <name>"`` fitted to
``minLength``/``maxLength``, or a value of the ``format``, or a match of ``pattern`` (see
``_regex_sample`` for the syntax it covers); numbers respect ``minimum``/``maximum`` (exclusive
too) and ``multipleOf``; ``$ref`` to ``$defs``/``definitions``, ``allOf`` (merged),
``anyOf``/``oneOf`` (first non-null branch) and type lists (first non-null type) are followed.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from ._regex_sample import regex_sample

__all__ = ["generate_from_schema"]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def generate_from_schema(schema: Any) -> Any:
    """A JSON value that validates against ``schema`` (rule 7 of the module docstring)."""
    return _Generator(schema).value(schema, "value", 0, 0)


class _Generator:
    def __init__(self, root: Any) -> None:
        self.root = root

    def value(self, schema: Any, name: str, variant: int, depth: int) -> Any:
        if depth > 32 or not isinstance(schema, dict):
            return f"sample {name}"
        schema = self.resolved(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][variant % len(schema["enum"])]
        for key in ("anyOf", "oneOf"):
            branches = [b for b in schema.get(key) or [] if isinstance(b, dict)]
            if branches:
                usable = [b for b in branches if self.resolved(b).get("type") != "null"]
                rest = {k: v for k, v in schema.items() if k != key}
                return self.value({**rest, **(usable or branches)[0]}, name, variant, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or ["null"]
            kind = kinds[0]
        if kind is None:
            kind = (
                "object" if "properties" in schema else "array" if "items" in schema else "string"
            )
        if kind == "object":
            return self.object(schema, variant, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind in ("integer", "number"):
            return _number_in(schema, integer=kind == "integer", variant=variant)
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "null":
            return None
        return _string_for(schema, name, variant)

    def resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < 32:
            target: Any = self.root
            for part in schema["$ref"].lstrip("#").strip("/").split("/"):
                if part:
                    target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**(target if isinstance(target, dict) else {}), **extra}
            seen += 1
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolved(part) if isinstance(part, dict) else {}
                for key, value in part.items():
                    if key == "properties":
                        merged["properties"] = {**merged.get("properties", {}), **value}
                    elif key == "required":
                        merged["required"] = [*merged.get("required", []), *value]
                    else:
                        merged.setdefault(key, value)
            schema = merged
        return schema

    def object(self, schema: dict[str, Any], variant: int, depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        out = {key: self.value(sub, key, variant, depth + 1) for key, sub in properties.items()}
        extra = schema.get("additionalProperties")
        for key in schema.get("required") or []:
            if key not in out:
                sub = extra if isinstance(extra, dict) else {"type": "string"}
                out[key] = self.value(sub, key, variant, depth + 1)
        return out

    def array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        prefix: Any = (
            schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        )
        items = schema.get("items")
        if isinstance(items, list):  # draft-04 tuple form
            prefix, items = items, schema.get("additionalItems")
        low = int(schema.get("minItems") or 0)
        high = schema.get("maxItems")
        count = max(low, len(prefix), 0 if high == 0 else min(2, high if high is not None else 2))
        if items is False or (items is None and prefix):
            count = len(prefix)
        out = []
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items if isinstance(items, dict) else {}
            out.append(self.value(sub, f"{name} {i + 1}", i, depth + 1))
        return out


def _number_in(schema: dict[str, Any], *, integer: bool, variant: int) -> int | float:
    low: Any = schema.get("minimum")
    high: Any = schema.get("maximum")
    exclusive_low: Any = schema.get("exclusiveMinimum")
    exclusive_high: Any = schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5
    if exclusive_low is True:  # draft-04 boolean form
        exclusive_low, low = low, None
    if exclusive_high is True:
        exclusive_high, high = high, None
    if _is_number(exclusive_low):
        low = exclusive_low + step if low is None else max(low, exclusive_low + step)
    if _is_number(exclusive_high):
        high = exclusive_high - step if high is None else min(high, exclusive_high - step)
    value: float = (low if low is not None else 1) + variant * step
    if high is not None and value > high:
        value = high if low is None or high >= low else low
    multiple: Any = schema.get("multipleOf")
    if _is_number(multiple) and multiple > 0:
        # Decimal keeps e.g. 10 * 0.1 an exact multiple for the validator's float check.
        factor = math.ceil(value / multiple)
        if high is not None and factor * multiple > high:
            factor = math.floor(high / multiple)
        value = float(Decimal(factor) * Decimal(str(multiple)))
    return math.ceil(value) if integer else value


_FORMATS = {
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "email": "someone@example.com",
    "uri": "https://example.com/sample",
    "url": "https://example.com/sample",
    "uuid": "8f3a1c2e-5b7d-4e11-9a0c-2d4b6f8e1a30",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.com",
}


def _string_for(schema: dict[str, Any], name: str, variant: int) -> str:
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        text = regex_sample(pattern, variant)
        if text is not None:
            return text
    value = _FORMATS.get(schema.get("format") or "")
    if value is not None:
        return value
    text = f"sample {name}"
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text
