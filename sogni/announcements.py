"""``client.announcements`` and the ``announcement`` / ``toast`` client events.

Announcements are admin notices: REST answers what is live now (``active``) and records a
dismissal per account (``dismiss``); live delivery is the socket. A client that opted in with
``ClientConfig(app_alerts=True)`` receives them as ``appAlert`` frames (``announcement``
events); otherwise the server sends the same notice as a ``toastMessage`` (``toast`` events).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import attrs

from .errors import ValidationError, ValidationProblem

if TYPE_CHECKING:
    from ._core import Core
    from ._wire.envelope import Frame
    from .config import ClientConfig

__all__ = ["Announcement", "AnnouncementAction", "AnnouncementsAPI", "Toast"]

# Ids remembered for de-duplication: pinned banners come again on every reconnect. Bounded,
# so a client that runs for months keeps no more than this.
_SEEN_LIMIT = 1024


def _int(value: Any) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@attrs.frozen
class AnnouncementAction:
    """A button of an announcement: ``href`` is an absolute http(s) URL."""

    label: str
    href: str
    external: bool = False


@attrs.frozen
class Announcement:
    """An admin announcement (``appAlert``). ``id`` is stable: the key to de-duplicate and to
    :meth:`AnnouncementsAPI.dismiss`. ``kind`` is ``toast`` or ``banner``; ``severity`` one of
    ``info``, ``success``, ``warn``, ``danger``; ``icon`` a token (never a URL); ``body_markdown``
    is restricted markdown; times are epoch milliseconds."""

    id: str
    kind: str
    severity: str
    title: str
    body_markdown: str
    pinned: bool = False
    dismissible: bool = True
    starts_at: int | None = None
    ends_at: int | None = None
    icon: str | None = None
    accent: str | None = None
    auto_close_ms: int | None = None
    actions: tuple[AnnouncementAction, ...] = ()

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> Announcement:
        actions = []
        for item in raw.get("actions") or ():
            if not isinstance(item, Mapping):
                continue
            href = _str(item.get("href")) or ""
            # Only absolute http(s) links: anything else is not a link an app should follow.
            if urlsplit(href).scheme not in ("http", "https"):
                continue
            actions.append(
                AnnouncementAction(
                    label=str(item.get("label") or ""),
                    href=href,
                    external=item.get("external") is True,
                )
            )
        return cls(
            id=str(raw.get("id") or ""),
            kind=str(raw.get("kind") or "toast"),
            severity=str(raw.get("severity") or "info"),
            title=str(raw.get("title") or ""),
            body_markdown=str(raw.get("bodyMarkdown") or ""),
            pinned=raw.get("pinned") is True,
            dismissible=raw.get("dismissible") is not False,
            starts_at=_int(raw.get("startsAt")),
            ends_at=_int(raw.get("endsAt")),
            icon=_str(raw.get("icon")),
            accent=_str(raw.get("accent")),
            auto_close_ms=_int(raw.get("autoCloseMs")),
            actions=tuple(actions),
        )


@attrs.frozen
class Toast:
    """A ``toastMessage``: ``type`` is ``info``, ``success``, ``warning`` or ``error``;
    ``auto_close`` in milliseconds; ``sticky_id`` names a notice that replaces an earlier one."""

    type: str
    message: str
    auto_close: int | None = None
    sticky_id: str | None = None

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> Toast:
        sticky = raw.get("stickyID")
        return cls(
            type=str(raw.get("type") or "info"),
            message=str(raw.get("message") or ""),
            auto_close=_int(raw.get("autoClose")),
            sticky_id=None if sticky is None else str(sticky),
        )


def _announcements_of(body: Any) -> list[Any]:
    """``data.announcements``, else a top-level ``announcements``: the two official clients
    read different places, so either shape is accepted."""
    if not isinstance(body, dict):
        return []
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("announcements"), list):
        found: list[Any] = data["announcements"]
        return found
    top = body.get("announcements")
    return top if isinstance(top, list) else []


class _AnnouncementFeed:
    """Per-client: turns ``appAlert`` frames into ``announcement`` events (each id once) and
    ``toastMessage`` frames into ``toast`` events. Frame handlers run on the transport thread:
    they only queue events for the callback worker."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._installed = False

    def install(self) -> None:
        with self._lock:
            if self._installed:
                return
            self._installed = True
        self._core.add_frame_handler("appAlert", self._on_app_alert)
        self._core.add_frame_handler("toastMessage", self._on_toast)

    def first_sight(self, announcement_id: str) -> bool:
        with self._lock:
            if announcement_id in self._seen:
                self._seen.move_to_end(announcement_id)
                return False
            self._seen[announcement_id] = None
            if len(self._seen) > _SEEN_LIMIT:
                self._seen.popitem(last=False)
            return True

    def _on_app_alert(self, frame: Frame) -> None:
        if not isinstance(frame.payload, dict):
            return
        announcement = Announcement.from_wire(frame.payload)
        if announcement.id and self.first_sight(announcement.id):
            self._core.emit("announcement", announcement)

    def _on_toast(self, frame: Frame) -> None:
        if isinstance(frame.payload, dict):
            self._core.emit("toast", Toast.from_wire(frame.payload))


def _listen(core: Core, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
    """``client.on("announcement" | "toast", fn)``."""
    core.extension("announcements", _AnnouncementFeed).install()
    return core.on(event, fn)


class AnnouncementsAPI:
    """``client.announcements``: what is live now, and dismissing one for this account."""

    def __init__(self, core: Core, config: ClientConfig) -> None:
        self._core = core
        self._config = config

    def active(self, platform: str | None = None) -> list[Announcement]:
        """The announcements live now. ``platform`` (your app's source, e.g. ``"sogni-mac"``)
        also returns those aimed at that platform only; without it they are withheld."""
        params = {"platform": platform} if platform else None
        body = self._core.request(
            "GET", "/v1/announcements/active", params=params, unwrap=False, config=self._config
        )
        return [Announcement.from_wire(a) for a in _announcements_of(body) if isinstance(a, dict)]

    def dismiss(self, announcement_id: str) -> None:
        """Dismiss an announcement for this account (on every device)."""
        if not isinstance(announcement_id, str) or not announcement_id:
            raise ValidationError(
                [ValidationProblem("announcement_id", "must be a non-empty string")]
            )
        path = f"/v1/announcements/{quote(announcement_id, safe='')}/dismiss"
        self._core.request("POST", path, json_body={}, config=self._config)
