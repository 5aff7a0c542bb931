"""What hosted chat and durable runs share: the attribution headers of their REST calls."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union

from ..errors import ValidationError, ValidationProblem

if TYPE_CHECKING:
    from ..projects.params import WorkloadAttribution

__all__ = ["AttributionInput", "attribution_headers", "check_attribution", "raise_problems"]

AttributionInput = Union["WorkloadAttribution", Mapping[str, Any]]
"""A :class:`~sogni.projects.WorkloadAttribution`, or a dict of its (snake_case) fields."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEADERS = (
    ("workload_kind", "X-Sogni-Workload-Kind"),
    ("agent_framework", "X-Sogni-Agent-Framework"),
    ("agent_framework_version", "X-Sogni-Agent-Framework-Version"),
    ("agent_surface", "X-Sogni-Agent-Surface"),
    ("agent_surface_version", "X-Sogni-Agent-Surface-Version"),
    ("execution_mode", "X-Sogni-Execution-Mode"),
    ("operation_scope", "X-Sogni-Operation-Scope"),
    ("operation_id", "X-Sogni-Operation-Id"),
    ("root_operation_id", "X-Sogni-Root-Operation-Id"),
    ("parent_operation_id", "X-Sogni-Parent-Operation-Id"),
)


def check_attribution(value: Any, problems: list[ValidationProblem]) -> WorkloadAttribution | None:
    """The attribution as a ``WorkloadAttribution`` (its problems added to ``problems``)."""
    # Imported here: the projects package is loaded only when a call needs it.
    from ..projects._checks import Problems, _check_attribution
    from ..projects.params import WorkloadAttribution

    if value is None or isinstance(value, WorkloadAttribution):
        attribution = value
    elif isinstance(value, Mapping):
        try:
            attribution = WorkloadAttribution(**value)
        except TypeError:
            names = ", ".join(a.name for a in WorkloadAttribution.__attrs_attrs__)
            problems.append(ValidationProblem("attribution", f"takes only {names}"))
            return None
    else:
        problems.append(ValidationProblem("attribution", "must be a WorkloadAttribution or dict"))
        return None
    if attribution is not None:
        found = Problems()
        _check_attribution(attribution, found)
        problems.extend(found.items)
    return attribution


def attribution_headers(
    app_source: str | None, attribution: WorkloadAttribution | None, operation_id: str
) -> dict[str, str]:
    """``X-App-Source`` (when the app source is 1-128 printable characters once trimmed) and,
    with an attribution, the ``X-Sogni-*`` workload headers; ``operation_id`` stands in for a
    missing operation id."""
    from ..projects._build import resolve_attribution

    headers: dict[str, str] = {}
    source = app_source.strip() if isinstance(app_source, str) else ""
    if source and len(source) <= 128 and not _CONTROL.search(source):
        headers["X-App-Source"] = source
    fields = resolve_attribution(attribution, operation_id)
    for name, header in _HEADERS:
        value = fields.get(name)
        if value:
            headers[header] = value
    return headers


def raise_problems(problems: list[ValidationProblem]) -> None:
    if problems:
        raise ValidationError(problems)
