"""``client.stats``: the public leaderboards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from .errors import ValidationError, ValidationProblem

if TYPE_CHECKING:
    from ._core import Core
    from .config import ClientConfig

__all__ = ["LEADERBOARD_TYPES", "LeaderboardEntry", "StatsAPI"]

LEADERBOARD_TYPES = (
    "renderUSDCompleteWorker",
    "renderUSDCompleteArtist",
    "renderSecCompleteWorker",
    "renderSecCompleteArtist",
    "renderTokenCompleteWorker",
    "renderTokenCompleteWorker2",
    "renderTokenCompleteArtist",
    "renderTokenCompleteArtist2",
    "jobCompleteWorker",
    "jobCompleteArtist",
    "projectCompleteArtist",
    "uloginWorker",
    "uloginArtist",
    "tokenVolume",
    "referral",
)
"""The leaderboard types the server is known to serve (others are sent as given)."""


@attrs.frozen
class LeaderboardEntry:
    """One row of a leaderboard. ``value`` is a string, as the server sends it (it may be a
    token amount with more digits than a float holds)."""

    rank: int
    username: str
    address: str
    country: str
    value: str
    role: str


def _entry(row: dict[str, Any]) -> LeaderboardEntry:
    rank = row.get("rank")
    return LeaderboardEntry(
        rank=int(rank) if isinstance(rank, (int, float)) and not isinstance(rank, bool) else 0,
        username=str(row.get("username") or ""),
        address=str(row.get("address") or ""),
        country=str(row.get("country") or ""),
        value=str(row.get("value") if row.get("value") is not None else ""),
        role=str(row.get("role") or ""),
    )


class StatsAPI:
    """``client.stats``."""

    def __init__(self, core: Core, config: ClientConfig) -> None:
        self._core = core
        self._config = config

    def leaderboard(
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
        """One leaderboard (``type``, one of :data:`LEADERBOARD_TYPES`) for a ``period``
        (``"day"`` or ``"lifetime"``), optionally for one ``network``, ``username`` or
        ``address``, a ``page`` of ``limit`` rows, or the day at ``date``."""
        problems = []
        if not isinstance(type, str) or not type:
            problems.append(ValidationProblem("type", "must be a leaderboard type"))
        if period not in ("day", "lifetime"):
            problems.append(ValidationProblem("period", "must be 'day' or 'lifetime'"))
        if network is not None and network not in ("fast", "relaxed", "all"):
            problems.append(ValidationProblem("network", "must be 'fast', 'relaxed' or 'all'"))
        if problems:
            raise ValidationError(problems)
        params = {
            "type": type,
            "period": period,
            "username": username,
            "network": network,
            "page": page,
            "limit": limit,
            "date": date,
            "address": address,
        }
        # The trailing slash is the path the server serves.
        data = self._core.request("GET", "/v1/leaderboard/", params=params, config=self._config)
        return [_entry(r) for r in data if isinstance(r, dict)] if isinstance(data, list) else []
