"""``client.announcements`` (REST) and the ``announcement`` / ``toast`` client events (socket
push, with ``ClientConfig(app_alerts=True)`` or without)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from sogni import SogniClient, ValidationError
from sogni.announcements import Announcement, Toast
from sogni.testing import FakeSupernet

from ..helpers import wait_until


class Seen:
    def __init__(self) -> None:
        self.items: list[tuple[str, Any, str]] = []
        self.lock = threading.Lock()

    def listener(self, name: str) -> Callable[[Any], None]:
        def record(arg: Any) -> None:
            with self.lock:
                self.items.append((name, arg, threading.current_thread().name))

        return record

    def of(self, name: str) -> list[Any]:
        with self.lock:
            return [arg for n, arg, _ in self.items if n == name]


def test_active_and_dismiss_with_platform_scoping(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True)
    everyone = fake.publish_announcement(
        id="maint-1",
        title="Maintenance",
        body_markdown="**Tonight** at 22:00",
        kind="banner",
        severity="warn",
        pinned=True,
        actions=[
            {"label": "Status", "href": "https://status.example.com", "external": True},
            {"label": "Bad", "href": "javascript:alert(1)"},
        ],
    )
    fake.publish_announcement(id="mac-only", title="New Mac app", platform="sogni-mac")
    (shown,) = client.announcements.active()
    assert isinstance(shown, Announcement)
    assert (shown.id, shown.kind, shown.severity, shown.pinned) == (
        "maint-1",
        "banner",
        "warn",
        True,
    )
    assert shown.body_markdown == "**Tonight** at 22:00"
    assert shown.ends_at == everyone["endsAt"] and shown.starts_at == everyone["startsAt"]
    # Only absolute http(s) links survive as actions.
    assert [(a.label, a.href, a.external) for a in shown.actions] == [
        ("Status", "https://status.example.com", True)
    ]
    assert {a.id for a in client.announcements.active("sogni-mac")} == {"maint-1", "mac-only"}
    requests = fake.requests("/v1/announcements/active")
    assert [r.query for r in requests] == [{}, {"platform": "sogni-mac"}]

    client.announcements.dismiss("maint-1")
    (post,) = fake.requests("/v1/announcements/maint-1/dismiss")
    assert post.method == "POST" and json.loads(post.raw or "null") == {}
    assert client.announcements.active() == []
    with pytest.raises(ValidationError):
        client.announcements.dismiss("")


def test_active_reads_data_then_falls_back_to_the_top_level(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True)
    alert = {"id": "a1", "kind": "toast", "severity": "info", "title": "Hi", "bodyMarkdown": ""}
    fake.fail_next(
        200,
        path="/v1/announcements/active",
        body={"status": "success", "data": {"announcements": [alert]}},
    )
    assert [a.id for a in client.announcements.active()] == ["a1"]
    # The reply the official Python client reads: no data, announcements at the top.
    fake.fail_next(
        200, path="/v1/announcements/active", body={"status": "success", "announcements": [alert]}
    )
    assert [a.id for a in client.announcements.active()] == ["a1"]


def test_announcement_events_come_once_per_id_across_reconnects(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(app_alerts=True)
    seen = Seen()
    client.on("announcement", seen.listener("announcement"))
    client.on("app_alert", seen.listener("app_alert"))  # every frame, repeats included
    client.on("toast", seen.listener("toast"))
    client.connect()
    (connect,) = fake.received.wait_for(lambda r: r.kind == "ws_connect", timeout=5)
    assert json.loads(connect.query["socketEventSubscriptions"]) == {"appAlert": True}
    fake.publish_announcement(id="banner-1", title="Pinned", kind="banner", pinned=True)
    fake.publish_announcement(id="toast-1", title="Hello", severity="success")
    wait_until(lambda: len(seen.of("announcement")) == 2)

    assert fake.drop_connections() == 1  # the pinned banner comes again on the new connection
    wait_until(lambda: len(seen.of("app_alert")) == 3, timeout=10)
    fake.publish_announcement(id="toast-2", title="Again")
    wait_until(lambda: len(seen.of("announcement")) == 3)
    assert [a.id for a in seen.of("announcement")] == ["banner-1", "toast-1", "toast-2"]
    assert [a["id"] for a in seen.of("app_alert")] == ["banner-1", "toast-1", "banner-1", "toast-2"]
    assert seen.of("toast") == []  # never both renderings
    with seen.lock:
        threads = {t for _, _, t in seen.items}
    assert all(t.startswith("sogni-callback") for t in threads), threads


def test_without_the_opt_in_announcements_arrive_as_toasts(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    seen = Seen()
    client.on("toast", seen.listener("toast"))
    client.on("announcement", seen.listener("announcement"))
    client.connect()
    fake.publish_announcement(
        id="t-1",
        title="Heads up",
        body_markdown="rates change",
        severity="danger",
        autoCloseMs=5000,
    )
    (toast,) = wait_until(lambda: seen.of("toast"))
    assert toast == Toast(
        type="error", message="Heads up: rates change", auto_close=5000, sticky_id="t-1"
    )
    assert seen.of("announcement") == []
    with pytest.raises(ValidationError, match="did you mean 'announcement'"):
        client.on("announcements", print)
