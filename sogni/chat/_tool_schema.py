"""Checking a Sogni tool call's arguments against the tool's schema, before anything is sent.

The rules are the ones the official executor applies to hosted-tool arguments, a subset of JSON
Schema:

* ``type`` (a name or a list; ``integer`` is a whole finite number, ``number`` a finite one,
  ``object`` a mapping), ``const``, ``enum``, ``minimum``/``maximum``, ``exclusiveMinimum``/
  ``exclusiveMaximum`` (a number, or the draft-4 boolean form), ``minLength``/``maxLength``,
  ``pattern``, ``minItems``/``maxItems``, ``items`` (one schema, or one per position),
  ``properties``, ``required``, ``additionalProperties`` (a boolean or a schema), ``oneOf``
  (exactly one branch matches), ``anyOf`` (at least one), ``allOf`` (each in turn).
* ``pattern`` must match the whole string: it is anchored, so ``"abc"`` refuses ``"xabcx"``.
* ``required``: a missing key, ``None``, ``""`` and ``[]`` are all missing; ``{}`` is not.
* Unknown arguments are kept, unless ``additionalProperties`` is false or ``strip_unknown`` is
  set: then they are dropped with a warning (not an error). With a schema as
  ``additionalProperties`` they are checked against it.
* ``model`` enums are advice to the model, not a rule, except for ``generate_music``, whose
  model list is enforced (``videoModel`` is always enforced).

Every problem is reported, each naming its argument by path (``overlays[0].text``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

import attrs

from ..errors import ValidationProblem
from ._sogni_tools import is_tool_name, tool_schema

__all__ = ["ToolArgumentCheck", "check_tool_arguments", "problem_sentence"]

_MISSING = "is required"


@attrs.frozen
class ToolArgumentCheck:
    """The verdict on one tool call's arguments.

    ``problems`` names each bad argument by path (empty when the arguments are fine);
    ``arguments`` are the arguments as checked (unknown ones dropped where the schema or
    ``strip_unknown`` says so, strings turned into numbers with ``coerce_primitives``);
    ``warnings`` says what was dropped or converted.
    """

    problems: tuple[ValidationProblem, ...]
    arguments: dict[str, Any]
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> list[str]:
        """Each problem as one sentence (``Argument "duration" must be at most 30``)."""
        return [problem_sentence(p) for p in self.problems]


def problem_sentence(problem: ValidationProblem) -> str:
    if not problem.param:
        return problem.message[:1].upper() + problem.message[1:]
    if problem.message == _MISSING:
        return f'Missing required argument "{problem.param}"'
    return f'Argument "{problem.param}" {problem.message}'


def check_tool_arguments(
    name: str,
    arguments: Any,
    *,
    schema: Mapping[str, Any] | None = None,
    coerce_primitives: bool = False,
    strip_unknown: bool = False,
    advisory_enums: Iterable[str] | None = None,
) -> ToolArgumentCheck:
    """Check ``arguments`` (the parsed JSON of a tool call) against the Sogni tool ``name``, or
    against ``schema`` (a tool's ``parameters``, e.g. one of your own tools) when given.

    ``advisory_enums`` names arguments (by path or last path segment) whose ``enum`` is not
    enforced; by default ``model`` for every tool but ``generate_music``. With
    ``coerce_primitives`` a string that spells a number or ``true``/``false`` is converted where
    the schema wants one (with a warning); with ``strip_unknown`` arguments the schema does not
    list are dropped (with a warning).
    """
    if not isinstance(arguments, Mapping):
        problem = ValidationProblem("", "tool arguments must be a JSON object")
        return ToolArgumentCheck((problem,), {})
    args = dict(arguments)
    if schema is None:
        if not is_tool_name(name):
            problem = ValidationProblem("", f"unknown Sogni tool {name!r}")
            return ToolArgumentCheck((problem,), args)
        schema = tool_schema(name)
    if schema is None:
        return ToolArgumentCheck((), args)
    if advisory_enums is None:
        advisory_enums = () if name == "generate_music" else ("model",)
    walk = _Walk(frozenset(advisory_enums), coerce_primitives, strip_unknown)
    root = {**schema, "type": schema.get("type", "object")}
    cleaned = walk.value("", args, root)
    return ToolArgumentCheck(
        tuple(walk.problems),
        cleaned if isinstance(cleaned, dict) else args,
        tuple(walk.warnings),
    )


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _matches_type(value: Any, kind: str) -> bool:
    if kind == "array":
        return isinstance(value, list)
    if kind == "integer":
        return _is_number(value) and float(value).is_integer()
    if kind == "number":
        return _is_number(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "string":
        return isinstance(value, str)
    if kind == "null":
        return value is None
    return True


def _num(value: Any) -> str:
    """A number as JavaScript prints it (``30``, not ``30.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _same(left: Any, right: Any) -> bool:
    """JSON equality: ``True`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    if type(left) is not type(right) and not (
        isinstance(left, Mapping) and isinstance(right, Mapping)
    ):
        return False
    try:
        return _json(left) == _json(right)
    except (TypeError, ValueError):
        return False


def _plural(count: Any, word: str) -> str:
    return f"{_num(count)} {word}{'' if count == 1 else 's'}"


class _Walk:
    def __init__(self, advisory: frozenset[str], coerce: bool, strip: bool) -> None:
        self.advisory = advisory
        self.coerce = coerce
        self.strip = strip
        self.problems: list[ValidationProblem] = []
        self.warnings: list[str] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(ValidationProblem(path, message))

    def trial(self) -> _Walk:
        return _Walk(self.advisory, self.coerce, self.strip)

    def value(self, path: str, value: Any, schema: Mapping[str, Any]) -> Any:
        matched, value = self.composite(path, value, schema)
        if not matched:
            return value
        kinds = schema.get("type")
        types = [kinds] if isinstance(kinds, str) else list(kinds or [])
        if self.coerce and types and not any(_matches_type(value, t) for t in types):
            coerced = _coerce(value, types)
            if coerced is not _NOT_COERCED:
                value = coerced
                self.warnings.append(f'Coerced argument "{path}" to {_js_type(value)}')
        if types and not any(_matches_type(value, t) for t in types):
            self.bad(path, f"must be {' or '.join(types)}")
            return value
        if "const" in schema and not _same(value, schema["const"]):
            self.bad(path, f"must be {_json(schema['const'])}")
        enum = schema.get("enum")
        last = path.rsplit(".", 1)[-1]
        if (
            isinstance(enum, list)
            and path not in self.advisory
            and last not in self.advisory
            and not any(_same(choice, value) for choice in enum)
        ):
            self.bad(path, "must be one of " + ", ".join(_json(v) for v in enum))
        if _is_number(value):
            self.bounds(path, value, schema)
        if isinstance(value, str):
            self.string(path, value, schema)
        if isinstance(value, list):
            value = self.array(path, value, schema)
        if isinstance(value, Mapping):
            value = self.object(path, value, schema)
        return value

    def composite(self, path: str, value: Any, schema: Mapping[str, Any]) -> tuple[bool, Any]:
        if isinstance(schema.get("allOf"), list):
            for child in schema["allOf"]:
                value = self.value(path, value, child)
            return True, value
        key = "oneOf" if isinstance(schema.get("oneOf"), list) else "anyOf"
        branches = schema.get(key)
        if not isinstance(branches, list):
            return True, value
        matches = []
        for child in branches:
            trial = self.trial()
            result = trial.value(path, value, child)
            if not trial.problems:
                matches.append(result)
        if key == "oneOf" and len(matches) != 1:
            self.bad(path, "must match exactly one allowed schema")
            return False, value
        if key == "anyOf" and not matches:
            self.bad(path, "must match at least one allowed schema")
            return False, value
        return True, matches[0] if matches else value

    def bounds(self, path: str, value: float, schema: Mapping[str, Any]) -> None:
        low, high = schema.get("minimum"), schema.get("maximum")
        ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if _is_number(low) and value < low:
            self.bad(path, f"must be at least {_num(low)}")
        if _is_number(high) and value > high:
            self.bad(path, f"must be at most {_num(high)}")
        if _is_number(ex_low) and value <= ex_low:
            self.bad(path, f"must be greater than {_num(ex_low)}")
        if _is_number(ex_high) and value >= ex_high:
            self.bad(path, f"must be less than {_num(ex_high)}")
        if ex_low is True and _is_number(low) and value <= low:
            self.bad(path, f"must be greater than {_num(low)}")
        if ex_high is True and _is_number(high) and value >= high:
            self.bad(path, f"must be less than {_num(high)}")

    def string(self, path: str, value: str, schema: Mapping[str, Any]) -> None:
        # Lengths in UTF-16 code units, as the service counts them.
        length = len(value.encode("utf-16-le")) // 2
        low, high = schema.get("minLength"), schema.get("maxLength")
        if _is_number(low) and length < low:
            self.bad(path, f"must contain at least {_plural(low, 'character')}")
        if _is_number(high) and length > high:
            self.bad(path, f"must contain at most {_plural(high, 'character')}")
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and pattern:
            try:
                # Anchored: the whole string must match, never a part of it.
                ok = re.fullmatch(f"(?:{pattern})", value) is not None
            except re.error:
                self.bad(
                    path, f"cannot be checked: its schema has an invalid pattern {_json(pattern)}"
                )
                return
            if not ok:
                self.bad(path, f"must match pattern {_json(pattern)}")

    def array(self, path: str, value: list[Any], schema: Mapping[str, Any]) -> list[Any]:
        low, high = schema.get("minItems"), schema.get("maxItems")
        if _is_number(low) and len(value) < low:
            self.bad(path, f"must contain at least {_plural(low, 'item')}")
        if _is_number(high) and len(value) > high:
            self.bad(path, f"must contain at most {_plural(high, 'item')}")
        items = schema.get("items")
        if isinstance(items, list):
            return [
                self.value(f"{path}[{i}]", item, items[i])
                if i < len(items) and isinstance(items[i], Mapping)
                else item
                for i, item in enumerate(value)
            ]
        if isinstance(items, Mapping):
            return [self.value(f"{path}[{i}]", item, items) for i, item in enumerate(value)]
        return value

    def object(
        self, path: str, value: Mapping[str, Any], schema: Mapping[str, Any]
    ) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        prefix = f"{path}." if path else ""
        for key in schema.get("required") or ():
            given = value.get(key)
            if given is None or given == "" or (isinstance(given, list) and not given):
                self.bad(prefix + key, _MISSING)
        extra = schema.get("additionalProperties")
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                if key in properties or not self.strip:
                    cleaned[key] = item
                continue
            sub = properties.get(key)
            if sub is None:
                if extra is False or self.strip:
                    self.warnings.append(f'Stripped unknown argument "{prefix}{key}"')
                elif isinstance(extra, Mapping):
                    cleaned[key] = self.value(prefix + key, item, extra)
                else:
                    cleaned[key] = item
                continue
            cleaned[key] = self.value(prefix + key, item, sub)
        return cleaned


_NOT_COERCED = object()


def _coerce(value: Any, types: list[str]) -> Any:
    if not isinstance(value, str) or not value.strip():
        return _NOT_COERCED
    text = value.strip()
    if "integer" in types or "number" in types:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number) and ("integer" not in types or number.is_integer()):
            return int(number) if number.is_integer() else number
    if "boolean" in types and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return _NOT_COERCED


def _js_type(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "number"
