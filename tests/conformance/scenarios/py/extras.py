"""Replay records, the leaderboard and announcements through the official client:
``replay.write`` / ``replay.list`` / ``replay.get``, ``stats.leaderboard``,
``announcements.active`` (with and without a platform) and ``announcements.dismiss``. Reports
what each returned."""

from __future__ import annotations

from typing import Any

from _harness import ARGS, create_client, run


async def main() -> dict[str, Any]:
    sogni = await create_client()
    async with sogni:
        written = await sogni.replay.write(ARGS["record"])
        listed = await sogni.replay.list(limit=10)
        got = await sogni.replay.get(ARGS["record"]["run_id"])
        missing = None
        try:
            await sogni.replay.get("no-such-run")
        except Exception as error:  # the official client's ApiError
            missing = getattr(error, "status", None)
        leaderboard = await sogni.stats.leaderboard(
            {"type": "projectCompleteArtist", "period": "lifetime"}
        )
        seeded = await sogni.stats.leaderboard(
            {"type": "referral", "period": "day", "page": 2, "limit": 1}
        )
        active = await sogni.announcements.active()
        for_platform = await sogni.announcements.active(ARGS["platform"])
        await sogni.announcements.dismiss(ARGS["dismiss"])
        after_dismiss = await sogni.announcements.active()
        return {
            "written": written,
            "listed": listed,
            "got": got,
            "missing": missing,
            "leaderboard": leaderboard,
            "seeded": seeded,
            "active": active,
            "forPlatform": for_platform,
            "afterDismiss": after_dismiss,
        }


run(main)
