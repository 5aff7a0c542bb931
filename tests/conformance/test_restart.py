"""Each official client rides out a platform restart on its own: the fake closes every socket
with 1001 and refuses upgrades for 0.3 s; the client reconnects, authenticates again with the same
appId and API key, and keeps working over the new connection."""

from __future__ import annotations

from sogni.testing import FakeSupernet

from .harness import StartScenario


def test_restart_reconnects_and_reauthenticates(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    with start_scenario(language, "restart") as scenario:
        scenario.wait_for_event("READY")
        fake.restart(downtime=0.3)
        result = scenario.result()

    app_id = scenario.app_id
    upgrades = [r for r in fake.received if r.kind == "ws_connect"]
    assert all(r.app_id == app_id for r in upgrades)
    assert all(r.headers.get("api-key") == fake.api_key for r in upgrades)
    # The first connection, then at least one attempt after the restart (more if one of them
    # landed inside the refusal window).
    assert len(upgrades) >= 2

    closes = [r for r in fake.received if r.kind == "ws_closed"]
    assert [c.close_code for c in closes] == [1001, 1000]
    first, second = closes[0].connection_id, closes[1].connection_id
    assert first != second

    # The socket request after the reconnect went out on the new, authenticated connection.
    updates = fake.frames("setSocketEventSubscriptions")
    assert [(f.connection_id, f.dropped) for f in updates] == [(second, False)]
    assert updates[0].payload["subscriptions"]["subscriptionLimitNotice"] is True

    assert result["username"] == fake.account.username
    assert result["subscriptions"]["subscriptionLimitNotice"] is True
    assert result["sparkNet"] == "400"
    assert result["modelCount"] == len(fake._swarm_models("fast"))
    assert result["networkStatus"] == "connected"
    # Recoverable: the client reported reconnecting, never a terminal disconnect.
    assert "connecting" in scenario.events
    assert "disconnected" not in scenario.events
