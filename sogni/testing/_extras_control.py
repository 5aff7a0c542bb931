"""The control plane of the fake's announcements and leaderboard (a part of
:class:`~sogni.testing.FakeSupernet`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._extras import ExtrasRoutes

__all__ = ["ExtrasControl"]


class ExtrasControl:
    """Mixed into ``FakeSupernet``: every method is thread-safe and returns once the change is
    in effect on the server loop."""

    _extras_ext: ExtrasRoutes | None = None

    if TYPE_CHECKING:  # FakeSupernet's own

        def call(self, fn: Callable[[], Any], timeout: float = 10) -> Any: ...

    def _extras(self) -> ExtrasRoutes:
        ext = self._extras_ext
        if ext is None:
            raise RuntimeError("FakeSupernet is not running; call start() or use 'with'")
        return ext

    def publish_announcement(
        self,
        *,
        title: str,
        body_markdown: str = "",
        kind: str = "toast",
        severity: str = "info",
        pinned: bool = False,
        dismissible: bool = True,
        id: str | None = None,
        platform: str | None = None,
        **wire_fields: Any,
    ) -> dict[str, Any]:
        """Publish an announcement (an ``AppAlert``): it is live at once (or from
        ``startsAt``), listed by ``GET /v1/announcements/active`` and pushed to every
        connection (``appAlert`` where subscribed, else ``toastMessage``); a pinned one is
        pushed again at every connection. One for a ``platform`` is listed only to callers
        that name that platform, and never pushed. Other ``AppAlert`` fields (``endsAt``,
        ``icon``, ``actions``, ...) pass as keywords in their wire spelling. Returns it."""
        fields: dict[str, Any] = {
            "title": title,
            "bodyMarkdown": body_markdown,
            "kind": kind,
            "severity": severity,
            "pinned": pinned,
            "dismissible": dismissible,
            **wire_fields,
        }
        if id is not None:
            fields["id"] = id
        ext = self._extras()
        published: dict[str, Any] = self.call(lambda: ext.publish(fields, platform))
        return published

    def withdraw_announcement(self, announcement_id: str) -> bool:
        """Take an announcement down (no longer listed nor re-sent)."""
        ext = self._extras()
        done: bool = self.call(lambda: ext.withdraw(announcement_id))
        return done

    def set_leaderboard(self, type: str, rows: Sequence[dict[str, Any]] | None) -> None:
        """Serve ``rows`` (``LeaderboardItem`` dicts, ranked) for the leaderboard ``type``
        whatever the period, instead of ranking the fake's own projects; ``None`` goes back."""
        ext = self._extras()

        def apply() -> None:
            if rows is None:
                ext.leaderboards.pop(type, None)
            else:
                ext.leaderboards[type] = [dict(r) for r in rows]

        self.call(apply)

    def replay_records(self) -> list[dict[str, Any]]:
        """Every stored replay record as ``{"account", "runId", "record", "redacted"}``."""
        ext = self._extras()
        rows: list[dict[str, Any]] = self.call(
            lambda: [
                {"account": owner, "runId": r.run_id, "record": r.record, "redacted": r.redacted}
                for (owner, _), r in ext.replays.items()
            ]
        )
        return rows
