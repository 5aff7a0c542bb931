"""Replay records, the leaderboard and announcements with each official client against the
fake: ``replay.write/list/get`` (flat bodies), ``stats.leaderboard`` (the trailing-slash path),
``announcements.active`` (each client reads its own place in the reply) and ``dismiss``."""

from __future__ import annotations

import json

from sogni.testing import FakeSupernet

from .harness import StartScenario

RECORD = {
    "run_id": "conformance-run",
    "schema_version": 2,
    "user_request": "paint a harbour",
    "rounds": [{"round": 1}, {"round": 2}],
    "runtime_config": {"token": "secret-value"},
}
REFERRALS = [
    {"rank": 1, "username": "ann", "address": "0xa", "country": "NO", "value": "9", "role": "a"},
    {"rank": 2, "username": "bo", "address": "0xb", "country": "SE", "value": "4", "role": "a"},
]


def _camel(result: dict[str, object], language: str, camel: str, snake: str) -> object:
    return result[camel if language == "js" else snake]


def test_replay_leaderboard_and_announcements(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    fake.set_leaderboard("referral", REFERRALS)
    fake.publish_announcement(id="banner-1", title="Maintenance", kind="banner", pinned=True)
    fake.publish_announcement(id="mac-1", title="Mac only", platform="sogni-mac")
    args = {"record": RECORD, "platform": "sogni-mac", "dismiss": "banner-1"}
    with start_scenario(language, "extras", args=args) as scenario:
        result = scenario.result()

    written = result["written"]
    assert _camel(written, language, "runId", "run_id") == "conformance-run"
    assert _camel(written, language, "schemaVersion", "schema_version") == 2
    assert written["redacted"] is True
    assert isinstance(_camel(written, language, "createTime", "create_time"), int)
    (row,) = result["listed"]["records"]
    assert (row["runId"], row["rounds"], row["userRequest"]) == (
        "conformance-run",
        2,
        "paint a harbour",
    )
    got = result["got"]
    assert got["record"]["runtime_config"] == {"token": "[REDACTED]"}
    assert got["record"]["user_request"] == "paint a harbour"
    assert result["missing"] == 404
    (post,) = fake.requests("/v1/replay/records", method="POST")
    assert json.loads(post.raw or "{}") == RECORD

    assert result["leaderboard"] == []  # no project finished on this fake
    assert result["seeded"] == REFERRALS[1:]
    boards = fake.requests("/v1/leaderboard/")
    assert [r.query for r in boards][1] == {
        "type": "referral",
        "period": "day",
        "page": "2",
        "limit": "1",
    }

    assert [a["id"] for a in result["active"]] == ["banner-1"]
    assert {a["id"] for a in result["forPlatform"]} == {"banner-1", "mac-1"}
    assert result["afterDismiss"] == []
    (dismiss,) = fake.requests("/v1/announcements/banner-1/dismiss")
    assert dismiss.method == "POST" and json.loads(dismiss.raw or "null") == {}


def test_a_pinned_banner_reaches_each_client_in_the_form_it_asked_for(
    fake: FakeSupernet, start_scenario: StartScenario, language: str
) -> None:
    banner = fake.publish_announcement(
        id="pinned-1",
        title="Maintenance",
        body_markdown="tonight",
        kind="banner",
        severity="warn",
        pinned=True,
    )
    with start_scenario(language, "announcements_live") as scenario:
        result = scenario.result()
    assert result["appAlert"] == banner
    assert result["toast"] == {
        "type": "warning",
        "message": "Maintenance: tonight",
        "autoClose": 0,
        "stickyID": "pinned-1",
    }
    connects = [r for r in fake.received if r.kind == "ws_connect"]
    subscriptions = {r.app_id: r.query.get("socketEventSubscriptions") for r in connects}
    assert any(s and json.loads(s).get("appAlert") is True for s in subscriptions.values())
