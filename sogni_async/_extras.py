"""``client.replay``, ``client.stats`` and ``client.announcements``, awaitable."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from sogni.announcements import Announcement
from sogni.replay import ReplayRecord, ReplayRecordSummary, ReplayWriteResult
from sogni.stats import LeaderboardEntry

if TYPE_CHECKING:
    from ._client import AsyncSogniClient

__all__ = ["AsyncAnnouncementsAPI", "AsyncReplayAPI", "AsyncStatsAPI"]


class AsyncReplayAPI:
    """``client.replay``, awaitable."""

    def __init__(self, client: AsyncSogniClient) -> None:
        self._bridge = client._bridge
        self._sync = client._sync.replay

    async def write(self, record: Mapping[str, Any]) -> ReplayWriteResult:
        return await self._bridge.run(self._sync.write, record)

    async def list(self, *, limit: int | None = None) -> builtins.list[ReplayRecordSummary]:
        return await self._bridge.run(self._sync.list, limit=limit)

    async def get(self, run_id: str) -> ReplayRecord:
        return await self._bridge.run(self._sync.get, run_id)


class AsyncStatsAPI:
    """``client.stats``, awaitable."""

    def __init__(self, client: AsyncSogniClient) -> None:
        self._bridge = client._bridge
        self._sync = client._sync.stats

    async def leaderboard(
        self,
        type: str,
        period: Literal["day", "lifetime"],
        *,
        username: str | None = None,
        network: Literal["fast", "relaxed", "all"] | None = None,
        page: int | None = None,
        limit: int | None = None,
        date: int | None = None,
        address: str | None = None,
    ) -> list[LeaderboardEntry]:
        return await self._bridge.run(
            self._sync.leaderboard,
            type,
            period,
            username=username,
            network=network,
            page=page,
            limit=limit,
            date=date,
            address=address,
        )


class AsyncAnnouncementsAPI:
    """``client.announcements``, awaitable."""

    def __init__(self, client: AsyncSogniClient) -> None:
        self._bridge = client._bridge
        self._sync = client._sync.announcements

    async def active(self, platform: str | None = None) -> list[Announcement]:
        return await self._bridge.run(self._sync.active, platform)

    async def dismiss(self, announcement_id: str) -> None:
        await self._bridge.run(self._sync.dismiss, announcement_id)
