"""Helpers shared by the request-pipeline unit tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sogni import ValidationError
from sogni.projects._build import build_job_request
from sogni.projects._validation import validate
from sogni.projects.catalog import Catalog

DATA = Path(__file__).parent / "data"


def load_catalog(name: str) -> Catalog:
    """A test catalog from ``tests/unit/data/<name>.json``."""
    raw = json.loads((DATA / f"{name}.json").read_text())
    return Catalog(raw["models"], raw["tiers"])


def wire_body(
    params: Any, catalog: Catalog, *, job_id: str, app_source: str | None = None
) -> dict[str, Any]:
    """Validate and build ``params``; return exactly the JSON that goes on the wire."""
    slots = validate(params, catalog)
    body = build_job_request(
        params, job_id=job_id, catalog=catalog, app_source=app_source, slots=slots
    )
    return json.loads(json.dumps(body))


def problems_of(call: Callable[[], Any]) -> dict[str, list[str]]:
    """param -> messages of the one ValidationError ``call()`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    found: dict[str, list[str]] = {}
    for problem in info.value.problems:
        found.setdefault(problem.param, []).append(problem.message)
    return found


def only_problem(found: dict[str, list[str]], param: str) -> str:
    """The single problem in ``found``, which must be about ``param``."""
    assert list(found) == [param], found
    assert len(found[param]) == 1, found
    return found[param][0]


def first_difference(actual: Any, expected: Any, path: str = "$") -> str | None:
    """The JSON path of the first difference; JSON types count (1 vs 1.0, false vs 0)."""
    if type(actual) is not type(expected):
        kinds = f"{type(actual).__name__} vs {type(expected).__name__}"
        return f"{path}: {actual!r} != {expected!r} ({kinds})"
    if isinstance(expected, dict):
        for key in expected:
            if key not in actual:
                return f"{path}.{key}: missing (expected {expected[key]!r})"
        for key in actual:
            if key not in expected:
                return f"{path}.{key}: unexpected key ({actual[key]!r})"
        for key in expected:
            diff = first_difference(actual[key], expected[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(expected, list):
        if len(actual) != len(expected):
            return f"{path}: length {len(actual)} != {len(expected)}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            diff = first_difference(a, e, f"{path}[{index}]")
            if diff:
                return diff
        return None
    return None if actual == expected else f"{path}: {actual!r} != {expected!r}"
