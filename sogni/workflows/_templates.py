"""``client.workflows.templates``: saved workflow templates (``/v1/creative-agent/workflows/
templates``). Answers come wrapped (``{"status": "success", "data": {...}}``) or bare (the
older form): both are read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from ..chat._rest_common import raise_problems
from ..errors import ProtocolError, ValidationProblem
from ._models import TemplatePage, WorkflowTemplate

if TYPE_CHECKING:
    from .._core_protocols import ChatCore
    from ..config import ClientConfig

__all__ = ["TemplatesAPI"]

_BASE = "/v1/creative-agent/workflows/templates"
_VISIBILITY = ("own", "public", "all")


def _path(template_id: str, tail: str = "") -> str:
    if not isinstance(template_id, str) or not template_id.strip():
        raise_problems([ValidationProblem("template_id", "must be a template id")])
    return f"{_BASE}/{quote(template_id, safe='')}{tail}"


def _template(data: Any, what: str) -> WorkflowTemplate:
    inner = data.get("template") if isinstance(data, Mapping) else None
    if not isinstance(inner, Mapping):
        raise ProtocolError(f"a template {what}answer without its template object")
    return WorkflowTemplate.from_wire(inner, what)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class TemplatesAPI:
    """``client.workflows.templates``: list, read, create, update, delete and fork saved
    workflow templates of your account. Run one with
    ``client.workflows.start(workflow_id=template.id, inputs={...})``."""

    def __init__(self, core: ChatCore, config: ClientConfig) -> None:
        self._core = core
        self._config = config

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        self._core.check()
        return self._core.rest.request(method, path, config=self._config, **kwargs)

    def list(
        self,
        *,
        visibility: Literal["own", "public", "all"] | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> TemplatePage:
        """One page of templates (``limit`` is clamped to 1-200); ``next_cursor`` is the
        ``offset`` of the next page, or None."""
        problems: list[ValidationProblem] = []
        if visibility is not None and visibility not in _VISIBILITY:
            problems.append(ValidationProblem("visibility", "must be 'own', 'public' or 'all'"))
        for name, value in (("offset", offset), ("limit", limit)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                problems.append(ValidationProblem(name, "must be an integer"))
        raise_problems(problems)
        params: dict[str, Any] = {}
        if visibility:
            params["visibility"] = visibility
        if offset is not None and offset >= 0:
            params["offset"] = offset
        if limit is not None and limit > 0:
            params["limit"] = min(limit, 200)
        data = self._call("GET", _BASE, params=params)
        items = data.get("templates") if isinstance(data, Mapping) else None
        templates = tuple(
            WorkflowTemplate.from_wire(t)
            for t in (items if isinstance(items, list) else [])
            if isinstance(t, Mapping)
            and isinstance(t.get("id"), str)
            and isinstance(t.get("name"), str)
        )
        following = data.get("next") if isinstance(data, Mapping) else None
        cursor = (
            int(following)
            if isinstance(following, (int, float)) and not isinstance(following, bool)
            else None
        )
        return TemplatePage(templates, cursor)

    def get(self, template_id: str) -> WorkflowTemplate:
        return _template(self._call("GET", _path(template_id)), "")

    def create(self, template: Mapping[str, Any]) -> WorkflowTemplate:
        """Save a template: ``name``, ``version``, ``description``, ``inputs`` (what a run
        supplies) and ``stages`` (plan steps whose arguments may say ``$inputs.NAME``), and any
        other field the service knows, sent as given."""
        if not isinstance(template, Mapping):
            raise_problems([ValidationProblem("template", "must be a dict")])
        data = self._call("POST", _BASE, json_body=_plain(template))
        return _template(data, "create ")

    def update(self, template_id: str, patch: Mapping[str, Any]) -> WorkflowTemplate:
        """Change some fields (``PATCH``); a ``None`` value is sent as JSON null."""
        if not isinstance(patch, Mapping):
            raise_problems([ValidationProblem("patch", "must be a dict")])
        data = self._call("PATCH", _path(template_id), json_body=_plain(patch))
        return _template(data, "update ")

    def delete(self, template_id: str) -> None:
        self._call("DELETE", _path(template_id), send_body=False)

    def fork(self, template_id: str, *, new_name: str | None = None) -> WorkflowTemplate:
        """A copy of a template (yours or a public one) in your account."""
        if new_name is not None and not isinstance(new_name, str):
            raise_problems([ValidationProblem("new_name", "must be a string")])
        # An empty name is sent as given, as the TypeScript SDK does (the service then names
        # the copy itself).
        body = {"newName": new_name} if new_name is not None else {}
        data = self._call("POST", _path(template_id, "/fork"), json_body=body)
        return _template(data, "fork ")
