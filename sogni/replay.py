"""``client.replay``: replay records (what an agent run did, round by round), per account.

The replay group answers with flat JSON (``runId``, ``records``, ``record`` at the top level),
not the ``{"status": "success", "data": ...}`` envelope of the other groups.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from .errors import ProtocolError, ValidationError, ValidationProblem

if TYPE_CHECKING:
    from ._core import Core
    from .config import ClientConfig

__all__ = ["ReplayAPI", "ReplayRecord", "ReplayRecordSummary", "ReplayWriteResult"]


def _number(value: Any) -> int:
    """A timestamp as the official clients read it: a number, anything else 0."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return 0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@attrs.frozen
class ReplayWriteResult:
    """What ``replay.write`` stored: the run id, the schema version, whether the server
    redacted anything, and the times (epoch milliseconds; 0 when the server sent none)."""

    run_id: str
    schema_version: int | str
    redacted: bool
    create_time: int
    update_time: int


@attrs.frozen
class ReplayRecordSummary:
    """One row of ``replay.list``: ``rounds`` is a count, not the rounds themselves."""

    run_id: str
    schema_version: int | str
    create_time: int
    update_time: int
    rounds: int
    user_request: str | None = None
    final_response: str | None = None
    model_id: str | None = None


@attrs.frozen
class ReplayRecord:
    """``replay.get``: the stored record (as the server returns it) and when it was stored."""

    record: dict[str, Any]
    create_time: int


def _summary(row: Mapping[str, Any]) -> ReplayRecordSummary:
    version = row.get("schemaVersion")
    return ReplayRecordSummary(
        run_id=str(row.get("runId") or ""),
        schema_version=version if isinstance(version, (int, str)) else 0,
        create_time=_number(row.get("createTime")),
        update_time=_number(row.get("updateTime")),
        rounds=_number(row.get("rounds")),
        user_request=_text(row.get("userRequest")),
        final_response=_text(row.get("finalResponse")),
        model_id=_text(row.get("modelId")),
    )


class ReplayAPI:
    """``client.replay``: ``write``, ``list`` and ``get`` replay records. The server keeps each
    account's records apart and redacts secrets in them again on its side."""

    def __init__(self, core: Core, config: ClientConfig) -> None:
        self._core = core
        self._config = config

    def write(self, record: Mapping[str, Any]) -> ReplayWriteResult:
        """Store a run record (a JSON object with a non-empty ``run_id``; ``schema_version``,
        ``session_id``, ``model_id``, ``rounds``, ``user_request``, ``final_response`` and any
        other JSON fields are kept as given)."""
        if not isinstance(record, Mapping):
            raise ValidationError([ValidationProblem("record", "must be a JSON object")])
        run_id = record.get("run_id")
        if not isinstance(run_id, str) or not run_id.strip():
            problem = ValidationProblem("record.run_id", "must be a non-empty string")
            raise ValidationError([problem])
        data = self._core.request(
            "POST", "/v1/replay/records", json_body=dict(record), config=self._config
        )
        body = data if isinstance(data, dict) else {}
        written = body.get("runId")
        if not isinstance(written, str) or not written:
            raise ProtocolError("the answer to a replay write names no run (no runId)")
        version = body.get("schemaVersion")
        return ReplayWriteResult(
            run_id=written,
            schema_version=version if isinstance(version, (int, str)) else 0,
            redacted=body.get("redacted") is True,
            create_time=_number(body.get("createTime")),
            update_time=_number(body.get("updateTime")),
        )

    def list(self, *, limit: int | None = None) -> builtins.list[ReplayRecordSummary]:
        """This account's records (at most ``limit`` when given)."""
        params = {"limit": int(limit)} if limit is not None and limit > 0 else None
        data = self._core.request("GET", "/v1/replay/records", params=params, config=self._config)
        rows = data.get("records") if isinstance(data, dict) else None
        return [_summary(r) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []

    def get(self, run_id: str) -> ReplayRecord:
        """One record by run id (``NotFoundError`` if this account has none by that id)."""
        if not isinstance(run_id, str) or not run_id:
            raise ValidationError([ValidationProblem("run_id", "must be a non-empty string")])
        data = self._core.request(
            "GET", f"/v1/replay/records/{quote(run_id, safe='')}", config=self._config
        )
        record = data.get("record") if isinstance(data, dict) else None
        if not isinstance(record, dict):
            raise ProtocolError("the answer to a replay read holds no record")
        return ReplayRecord(record=record, create_time=_number(data.get("createTime")))
