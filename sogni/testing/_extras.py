"""The fake's replay records, leaderboard and announcements (REST and socket push).

* ``POST/GET /v1/replay/records``, ``GET /v1/replay/records/{runId}``: flat JSON, no envelope;
  records are kept per account and redacted on write [INV-REPLAY].
* ``GET /v1/leaderboard/`` (trailing slash): ``data`` is a list of rows, ranked from the fake's
  own projects, or rows a test seeded [INV-LEADERBOARD].
* ``GET /v1/announcements/active``, ``POST /v1/announcements/{id}/dismiss``; published
  announcements are pushed as ``appAlert`` to connections that subscribed to it and as
  ``toastMessage`` to the others, and live pinned banners again at every (re)connection
  [INV-ANNOUNCE].
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import stats
from ._server import ApiError, FakeServer, Session, json_body, ok, raw

if TYPE_CHECKING:
    from ._fake import FakeSupernet
    from ._state import FakeAccount

__all__ = ["ExtrasRoutes", "install"]

# The types the SDK knows are the ones the fake serves: one list for both.
LEADERBOARD_TYPES = frozenset(stats.LEADERBOARD_TYPES)
# [INV-REPLAY] keys whose values the fake redacts in a written record (any depth).
_SECRET_KEY = re.compile(r"(api[-_]?key|token|password|secret|authorization)", re.IGNORECASE)
_REDACTED = "[REDACTED]"
# [INV-ANNOUNCE] how an announcement's severity reads as a toast's type.
_TOAST_TYPE = {"info": "info", "success": "success", "warn": "warning", "danger": "error"}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _redact(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        changed = False
        for key, item in value.items():
            if isinstance(key, str) and _SECRET_KEY.search(key) and isinstance(item, str):
                out[key] = _REDACTED
                changed = True
            else:
                out[key], sub = _redact(item)
                changed |= sub
        return out, changed
    if isinstance(value, list):
        items = [_redact(v) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    return value, False


class _Replay:
    __slots__ = ("create_time", "record", "redacted", "run_id", "update_time", "version", "written")

    def __init__(
        self, run_id: str, record: dict[str, Any], version: Any, redacted: bool, written: int
    ) -> None:
        self.run_id = run_id
        # The order of writes: two in the same millisecond still list newest first.
        self.written = written
        self.record = record
        self.version = version
        self.redacted = redacted
        self.create_time = self.update_time = _now_ms()

    def summary(self) -> dict[str, Any]:
        rec = self.record
        out: dict[str, Any] = {
            "runId": self.run_id,
            "schemaVersion": self.version,
            "createTime": self.create_time,
            "updateTime": self.update_time,
            "rounds": len(rec["rounds"]) if isinstance(rec.get("rounds"), list) else 0,
        }
        for wire, key in (
            ("userRequest", "user_request"),
            ("finalResponse", "final_response"),
            ("modelId", "model_id"),
        ):
            if isinstance(rec.get(key), str):
                out[wire] = rec[key]
        return out


class ExtrasRoutes:
    """State and handlers (on the server loop)."""

    def __init__(self, fake: FakeSupernet, server: FakeServer) -> None:
        self.fake = fake
        self.server = server
        self.replays: dict[tuple[str, str], _Replay] = {}  # (account, runId)
        self.leaderboards: dict[str, list[dict[str, Any]]] = {}
        self.announcements: dict[str, dict[str, Any]] = {}
        self.platforms: dict[str, str] = {}  # announcement id -> the platform it is for
        self.dismissed: set[tuple[str, str]] = set()  # (account, announcement id)
        self._writes = itertools.count()

    # ------------------------------------------------------------------ replay

    async def replay_write(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The replay record must be a JSON object", 400)
        run_id = body.get("run_id", body.get("runId"))
        if not isinstance(run_id, str) or not run_id.strip():
            raise ApiError(400, "run_id is required", 400)
        version = body.get("schemaVersion", body.get("schema_version", 0))
        if not isinstance(version, (int, str)) or isinstance(version, bool):
            version = 0
        record, redacted = _redact(body)
        key = (account.username, run_id)
        existing = self.replays.get(key)
        entry = _Replay(run_id, record, version, redacted, next(self._writes))
        if existing is not None:  # [INV-REPLAY] a second write replaces the record
            entry.create_time = existing.create_time
        self.replays[key] = entry
        return raw(
            {
                "runId": run_id,
                "schemaVersion": version,
                "redacted": redacted,
                "createTime": entry.create_time,
                "updateTime": entry.update_time,
            },
            status=200 if existing is not None else 201,
        )

    async def replay_list(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        try:
            limit = int(request.query.get("limit", "50"))
        except ValueError:
            raise ApiError(400, "limit must be a number", 400) from None
        limit = max(1, min(limit, 200))  # [INV-REPLAY] newest first, 50 by default, 200 at most
        mine = [r for (owner, _), r in self.replays.items() if owner == account.username]
        mine.sort(key=lambda r: (r.update_time, r.written), reverse=True)
        return raw({"records": [r.summary() for r in mine[:limit]]})

    async def replay_get(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        entry = self.replays.get((account.username, request.match_info["run_id"]))
        if entry is None:  # another account's record is as unknown as a missing one
            raise ApiError(404, "Replay record not found", 404)
        return raw({"record": entry.record, "createTime": entry.create_time})

    # ------------------------------------------------------------------ leaderboard

    async def leaderboard(self, request: web.Request) -> web.Response:
        query = request.query
        kind = query.get("type", "")
        period = query.get("period", "")
        if kind not in LEADERBOARD_TYPES:
            raise ApiError(400, f"Invalid leaderboard type {kind!r}", 400)
        if period not in ("day", "lifetime"):
            raise ApiError(400, "period must be 'day' or 'lifetime'", 400)
        network = query.get("network", "all")
        if network not in ("fast", "relaxed", "all"):
            raise ApiError(400, "network must be 'fast', 'relaxed' or 'all'", 400)
        try:
            page = max(1, int(query.get("page", "1")))
            limit = max(1, min(int(query.get("limit", "25")), 100))
        except ValueError:
            raise ApiError(400, "page and limit must be numbers", 400) from None
        rows = self.leaderboards.get(kind)
        if rows is None:
            rows = self._ranked(kind, period, network, query.get("date"))
        for field in ("username", "address"):
            wanted = query.get(field)
            if wanted:
                rows = [r for r in rows if str(r.get(field, "")).lower() == wanted.lower()]
        start = (page - 1) * limit
        return ok(rows[start : start + limit])

    def _ranked(self, kind: str, period: str, network: str, date: str | None) -> list[Any]:
        """[INV-LEADERBOARD] artist boards ranked from the fake's own finished projects:
        ``projectCompleteArtist`` (completed projects), ``jobCompleteArtist`` (completed
        renders), ``renderTokenCompleteArtist`` (tokens charged). Others are empty unless
        seeded. ``day`` is the UTC day of ``date`` (epoch ms; today by default)."""
        ext = self.fake._projects_ext
        if ext is None or kind not in (
            "projectCompleteArtist",
            "jobCompleteArtist",
            "renderTokenCompleteArtist",
        ):
            return []
        day_ms = 86_400_000
        try:
            day = (int(date) if date else _now_ms()) // day_ms
        except ValueError:
            raise ApiError(400, "date must be a number", 400) from None
        totals: dict[str, tuple[FakeAccount, Decimal]] = {}
        for project in ext.projects.values():
            if project.status != "completed":
                continue
            if network != "all" and project.plan.network != network:
                continue
            if period == "day" and (project.end_time or 0) // day_ms != day:
                continue
            if kind == "projectCompleteArtist":
                amount = Decimal(1)
            elif kind == "jobCompleteArtist":
                amount = Decimal(sum(1 for j in project.jobs if j.status == "jobCompleted"))
            else:
                amount = project.charged
            account = project.account
            previous = totals.get(account.username, (account, Decimal(0)))[1]
            totals[account.username] = (account, previous + amount)
        ranked = sorted(totals.values(), key=lambda item: (-item[1], item[0].username))
        return [
            {
                "rank": i + 1,
                "username": account.username,
                "address": account.wallet_address,
                "country": "",
                "value": str(value),
                "role": "artist",
            }
            for i, (account, value) in enumerate(ranked)
        ]

    # ------------------------------------------------------------------ announcements

    def _live(self, now: int) -> list[dict[str, Any]]:
        return [
            a
            for a in self.announcements.values()
            if a["startsAt"] <= now and (a.get("endsAt") is None or now < a["endsAt"])
        ]

    async def active(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        platform = request.query.get("platform")
        shown = [
            a
            for a in self._live(_now_ms())
            if (account.username, a["id"]) not in self.dismissed
            and self.platforms.get(a["id"]) in (None, platform)
        ]
        # Both places the official clients read: ``data.announcements`` (TypeScript) and a
        # top-level ``announcements`` (Python).
        return web.json_response(
            {"status": "success", "data": {"announcements": shown}, "announcements": shown}
        )

    async def dismiss(self, request: web.Request) -> web.Response:
        account = self.server.require_account(request)
        announcement_id = request.match_info["id"]
        if announcement_id not in self.announcements:
            raise ApiError(404, "Announcement not found", 404)  # [INV-ANNOUNCE]
        self.dismissed.add((account.username, announcement_id))
        return ok({"dismissed": True, "id": announcement_id})

    async def publish(self, fields: dict[str, Any], platform: str | None) -> dict[str, Any]:
        alert = dict(fields)
        now = _now_ms()
        alert.setdefault("id", f"ann-{uuid.uuid4().hex[:12]}")
        alert.setdefault("kind", "toast")
        alert.setdefault("severity", "info")
        alert.setdefault("title", "")
        alert.setdefault("bodyMarkdown", "")
        alert.setdefault("pinned", False)
        alert.setdefault("dismissible", True)
        alert.setdefault("startsAt", now)
        if alert["kind"] == "banner":
            alert.setdefault("endsAt", now + 3_600_000)  # banners always carry an end
        self.announcements[alert["id"]] = alert
        if platform is not None:
            self.platforms[alert["id"]] = platform
        else:
            for session in self.server.sessions_for():
                if session.authenticated:
                    await self._push(session, alert)
        return dict(alert)

    def withdraw(self, announcement_id: str) -> bool:
        self.platforms.pop(announcement_id, None)
        return self.announcements.pop(announcement_id, None) is not None

    async def _push(self, session: Session, alert: dict[str, Any]) -> None:
        if (session.account.username, alert["id"]) in self.dismissed:
            return
        if session.wants("appAlert"):
            await session.send("appAlert", alert)
        elif session.wants("toastMessage"):
            # [INV-ANNOUNCE] the toast rendering of an announcement.
            title, body = alert.get("title") or "", alert.get("bodyMarkdown") or ""
            await session.send(
                "toastMessage",
                {
                    "type": _TOAST_TYPE.get(alert.get("severity", "info"), "info"),
                    "message": f"{title}: {body}" if title and body else title or body,
                    "autoClose": alert.get("autoCloseMs", 0),
                    "stickyID": alert["id"],
                },
            )

    async def on_connect(self, session: Session) -> None:
        """Live pinned banners again on every connection (unscoped, not dismissed)."""
        for alert in self._live(_now_ms()):
            if alert.get("pinned") and alert["id"] not in self.platforms:
                await self._push(session, alert)


def install(fake: FakeSupernet, server: FakeServer) -> None:
    routes = ExtrasRoutes(fake, server)
    fake._extras_ext = routes
    server.api_route("POST", "/v1/replay/records", routes.replay_write)
    server.api_route("GET", "/v1/replay/records", routes.replay_list)
    server.api_route("GET", "/v1/replay/records/{run_id}", routes.replay_get)
    server.api_route("GET", "/v1/leaderboard/", routes.leaderboard)
    server.api_route("GET", "/v1/announcements/active", routes.active)
    server.api_route("POST", "/v1/announcements/{id}/dismiss", routes.dismiss)
    server.connect_hooks.append(routes.on_connect)
