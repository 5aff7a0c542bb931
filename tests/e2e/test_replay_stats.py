"""``client.replay`` and ``client.stats.leaderboard`` against the fake, through the public API."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from sogni import NotFoundError, SogniClient, ValidationError
from sogni.replay import ReplayRecord, ReplayWriteResult
from sogni.stats import LeaderboardEntry
from sogni.testing import FakeSupernet


def test_replay_write_list_get_with_flat_bodies_per_account(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True)
    record = {
        "run_id": "run-1",
        "schemaVersion": 2,
        "model_id": "qwen3",
        "user_request": "draw a cat",
        "final_response": "done",
        "rounds": [{"round": 1, "tool_calls": [{"name": "generate_image", "arguments": {}}]}],
        "runtime_config": {"api_key": "sk-live-secret", "temperature": 0.2},
    }
    written = client.replay.write(record)
    assert isinstance(written, ReplayWriteResult)
    assert (written.run_id, written.schema_version, written.redacted) == ("run-1", 2, True)
    assert written.create_time > 0 and written.update_time >= written.create_time
    (post,) = fake.requests("/v1/replay/records", method="POST")
    assert json.loads(post.raw or "{}") == record  # sent as given, in one JSON object
    client.replay.write({"run_id": "run-2", "schema_version": 1, "rounds": []})

    rows = client.replay.list(limit=5)
    assert [r.run_id for r in rows] == ["run-2", "run-1"]
    first = rows[1]
    assert (first.rounds, first.user_request, first.model_id) == (1, "draw a cat", "qwen3")
    (listed,) = [r for r in fake.requests("/v1/replay/records", method="GET")]
    assert listed.query == {"limit": "5"}

    got = client.replay.get("run-1")
    assert isinstance(got, ReplayRecord) and got.create_time == written.create_time
    assert got.record["runtime_config"] == {"api_key": "[REDACTED]", "temperature": 0.2}
    assert got.record["user_request"] == "draw a cat"

    # Another account sees none of it.
    fake.add_account(username="someone-else", api_key="sk-someone-else")
    other = make_client(api_key="sk-someone-else", disable_socket=True)
    assert other.replay.list() == []
    with pytest.raises(NotFoundError):
        other.replay.get("run-1")


def test_a_record_without_run_id_is_refused_before_anything_is_sent(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client(disable_socket=True)
    with pytest.raises(ValidationError) as caught:
        client.replay.write({"runId": "camel-is-not-the-record-field"})
    assert caught.value.params == ["record.run_id"]
    with pytest.raises(ValidationError):
        client.replay.get("")
    assert not fake.requests("/v1/replay/records")


def test_leaderboard_ranks_the_fakes_projects_and_serves_seeded_rows(
    fake: FakeSupernet, make_client: Callable[..., SogniClient]
) -> None:
    client = make_client()
    for seed in (1, 2):
        client.projects.create(
            model_id="flux1-schnell-fp8", positive_prompt="a tree", steps=4, seed=seed
        ).wait(timeout=20)
    board = client.stats.leaderboard("projectCompleteArtist", "day", network="fast")
    assert board and all(isinstance(row, LeaderboardEntry) for row in board)
    top = board[0]
    me = client.account.me()
    assert (top.rank, top.username, top.value, top.role) == (1, me.username, "2", "artist")
    (request,) = fake.requests("/v1/leaderboard/")  # the trailing slash is the path
    assert request.query == {"type": "projectCompleteArtist", "period": "day", "network": "fast"}
    assert client.stats.leaderboard("projectCompleteArtist", "lifetime", network="relaxed") == []

    fake.set_leaderboard(
        "referral",
        [
            {
                "rank": 1,
                "username": "ann",
                "address": "0xa",
                "country": "NO",
                "value": "12",
                "role": "artist",
            },
            {
                "rank": 2,
                "username": "bo",
                "address": "0xb",
                "country": "SE",
                "value": "7",
                "role": "artist",
            },
        ],
    )
    page = client.stats.leaderboard("referral", "lifetime", page=2, limit=1)
    assert page == [LeaderboardEntry(2, "bo", "0xb", "SE", "7", "artist")]
    with pytest.raises(ValidationError) as caught:
        client.stats.leaderboard("referral", "week", network="slow")  # type: ignore[arg-type]
    assert caught.value.params == ["period", "network"]


@pytest.mark.asyncio
async def test_the_async_twins_answer_as_the_sync_calls(fake: FakeSupernet) -> None:
    from sogni import ClientConfig
    from sogni_async import AsyncSogniClient

    from ..helpers import FAST

    config = ClientConfig(
        app_id="async-extras",
        api_key=fake.api_key,
        rest_endpoint=fake.rest_url,
        socket_endpoint=fake.socket_url,
        timeouts=FAST,
    )
    fake.set_leaderboard("referral", [{"rank": 1, "username": "ann", "value": "3"}])
    fake.publish_announcement(id="a-1", title="Hello")
    async with AsyncSogniClient(config=config) as client:
        written = await client.replay.write({"run_id": "async-run"})
        assert written.run_id == "async-run"
        assert [r.run_id for r in await client.replay.list()] == ["async-run"]
        assert (await client.replay.get("async-run")).record == {"run_id": "async-run"}
        (row,) = await client.stats.leaderboard("referral", "day")
        assert (row.rank, row.username, row.value) == (1, "ann", "3")
        assert [a.id for a in await client.announcements.active()] == ["a-1"]
        await client.announcements.dismiss("a-1")
        assert await client.announcements.active() == []
        relaxed = await client.projects.get_available_models("relaxed")
        assert {m.id for m in relaxed} == set(fake.call(lambda: fake._swarm_models("relaxed")))
        project = await client.projects.create(
            model_id="flux1-schnell-fp8", positive_prompt="a cup", steps=4
        )
        await project.wait()
        status = await client.projects.get_status(project.id)
        assert (status.status, status.finished) == ("completed", True)
        await client.projects.cancel(project.id)  # finished: nothing to do
